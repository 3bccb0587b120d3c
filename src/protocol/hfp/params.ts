/**
 * Typed reading and writing of single AT parameters, shared by the command
 * and result codecs: a `ParamReader` walks a parsed parameter list and
 * turns each field into a number, flag or string (or reports exactly which
 * field is wrong, and where); the `write*` helpers produce field text and
 * refuse values that AT text cannot carry.
 */
import { HfpError, HfpErrorCode, type HfpErrorCodeValue, hfpErrorAt } from './errors';
import type { AtParam } from './tokenizer';

const DECIMAL = /^\d{1,15}$/;

/** The line a parameter list came from (parameter offsets index into it), for error messages and offsets. */
export interface ParamContext {
  /** The whole line being decoded. */
  line: string;
  /** What is being decoded, for messages (e.g. `+CLCC`). */
  what: string;
}

/** Reads fields from a parameter list in order; extra trailing fields are left unread. */
export class ParamReader {
  private position = 0;

  constructor(
    private readonly params: readonly AtParam[],
    private readonly context: ParamContext,
  ) {}

  /** Fields not read yet. */
  get remaining(): number {
    return Math.max(0, this.params.length - this.position);
  }

  /** The next field without consuming it. */
  peek(): AtParam | undefined {
    return this.params[this.position];
  }

  /** The next field, or undefined when the list is exhausted or the field is empty. */
  optional(): AtParam | undefined {
    const param = this.params[this.position];
    this.position++;
    if (param === undefined || isEmpty(param)) return undefined;
    return param;
  }

  /** The next field; throws `hfp.missing-parameter` when absent or empty. */
  required(field: string): AtParam {
    const at = this.endIndex();
    const param = this.optional();
    if (param === undefined) throw this.error(HfpErrorCode.MissingParameter, `${field} is missing`, at);
    return param;
  }

  number(field: string): number {
    return this.asNumber(this.required(field), field);
  }

  optionalNumber(field: string): number | undefined {
    const param = this.optional();
    return param === undefined ? undefined : this.asNumber(param, field);
  }

  /** A 0/1 field as a boolean. */
  flag(field: string): boolean {
    return this.asFlag(this.required(field), field);
  }

  /** A string field: quoted, or (forgivingly) a non-empty bare value. */
  text(field: string): string {
    return this.asText(this.required(field), field);
  }

  optionalText(field: string): string | undefined {
    const param = this.optional();
    return param === undefined ? undefined : this.asText(param, field);
  }

  /** A parenthesised list field. */
  list(field: string): AtParam[] {
    const param = this.required(field);
    if (param.kind !== 'list') throw this.error(HfpErrorCode.BadValue, `${field} must be a list`, param.offset);
    return param.items;
  }

  asNumber(param: AtParam, field: string): number {
    if (param.kind === 'bare' && DECIMAL.test(param.value)) return Number(param.value);
    throw this.error(HfpErrorCode.BadValue, `${field} must be a decimal number`, param.offset);
  }

  asFlag(param: AtParam, field: string): boolean {
    const value = this.asNumber(param, field);
    if (value > 1) throw this.error(HfpErrorCode.BadValue, `${field} must be 0 or 1`, param.offset);
    return value === 1;
  }

  asText(param: AtParam, field: string): string {
    if (param.kind === 'string' || (param.kind === 'bare' && param.value !== '')) return param.value;
    throw this.error(HfpErrorCode.BadValue, `${field} must be a string`, param.offset);
  }

  error(code: HfpErrorCodeValue, message: string, offset: number): HfpError {
    return hfpErrorAt(code, `${this.context.what}: ${message}`, this.context.line, offset);
  }

  private endIndex(): number {
    const param = this.params[this.position];
    if (param !== undefined) return param.offset;
    return this.context.line.length;
  }
}

function isEmpty(param: AtParam): boolean {
  return param.kind === 'bare' && param.value === '';
}

/** Decimal text of a non-negative safe integer. */
export function writeNumber(value: number, field: string): string {
  if (!Number.isSafeInteger(value) || value < 0 || value > 999_999_999_999_999) {
    throw new HfpError(HfpErrorCode.Unencodable, `${field} must be a non-negative integer, got ${value}`);
  }
  return String(value);
}

export function writeFlag(value: boolean): string {
  return value ? '1' : '0';
}

/** A quoted string; quotes and line breaks cannot be carried. */
export function writeQuoted(value: string, field: string): string {
  if (/["\r\n]/.test(value)) {
    throw new HfpError(HfpErrorCode.Unencodable, `${field} holds a quote or line break`);
  }
  return `"${value}"`;
}

/** An unquoted value: no quotes, commas, parentheses, line breaks or outer spaces. */
export function writeBare(value: string, field: string): string {
  if (value === '' || /[",()\r\n;]/.test(value) || value !== value.trim()) {
    throw new HfpError(HfpErrorCode.Unencodable, `${field} ${JSON.stringify(value)} cannot be written unquoted`);
  }
  return value;
}

/** Joins fields with commas; undefined fields are written empty and trailing ones dropped. */
export function writeFields(fields: readonly (string | undefined)[]): string {
  let end = fields.length;
  while (end > 0 && fields[end - 1] === undefined) end--;
  return fields
    .slice(0, end)
    .map((f) => f ?? '')
    .join(',');
}

/** Checks that a raw line can be sent as-is (no line breaks). */
export function checkRawLine(raw: string, field: string): string {
  if (/[\r\n]/.test(raw)) throw new HfpError(HfpErrorCode.Unencodable, `${field} holds a line break`);
  return raw;
}

/** Copies `value` without the keys whose value is undefined, so decoded objects compare cleanly. */
export function compact<T extends object>(value: T): T {
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) if (v !== undefined) out[key] = v;
  return out as T;
}

const EDGE_SPACE = /[ \t\r\n]/;

/** The line without trailing spaces and line breaks, and the index of its first non-space character. */
export function trimLine(line: string): { text: string; start: number } {
  let end = line.length;
  while (end > 0 && EDGE_SPACE.test(line[end - 1] ?? '')) end--;
  let start = 0;
  while (start < end && EDGE_SPACE.test(line[start] ?? '')) start++;
  return { text: line.slice(0, end), start };
}
