/**
 * `writeVcard` / `writeVcards`: typed cards to vCard text with CRLF line
 * ends. 2.1: bare TYPE values, printable ASCII values written as they are,
 * anything else as `CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE` with soft line
 * breaks, base64 values as `ENCODING=BASE64` on folded lines followed by a
 * blank line. 3.0: UTF-8, `TYPE=a,b`, backslash escapes, `ENCODING=b`, every
 * line folded at 75 octets. The writer chooses ENCODING and CHARSET itself and
 * ignores those parameters in the model; it writes the properties it is
 * given (see filter.ts for PBAP's mandatory ones). Throws vcard.unencodable
 * for what no vCard can carry.
 */
import { VcardError, VcardErrorCode } from './errors';
import { base64, encodeQuotedPrintable, escapeStructured21, escapeText30, foldLine, needsQuotedPrintable } from './encode';
import { valueShape, type Vcard, type VcardParam, type VcardProperty } from './model';

export type VcardWriteVersion = '2.1' | '3.0';

const NAME = /^[A-Za-z0-9_-]+$/;
const BARE_SAFE = /^[A-Za-z0-9_.+/-]+$/;
/** Words a 2.1 reader takes for an encoding or value type when written bare. */
const RESERVED_BARE = new Set(['7BIT', '8BIT', 'QUOTED-PRINTABLE', 'BASE64', 'INLINE', 'URL', 'URI', 'CONTENT-ID', 'CID']);

function unencodable(message: string): VcardError {
  return new VcardError(VcardErrorCode.Unencodable, message);
}

/** One card as text; `version` defaults to the card's own (3.0 for a 4.0 card). */
export function writeVcard(card: Vcard, version?: VcardWriteVersion): string {
  const target = version ?? (card.version === '2.1' ? '2.1' : '3.0');
  const out: string[] = [];
  writeCard(card, target, out);
  return out.join('');
}

/** Several cards, one after the other. */
export function writeVcards(cards: readonly Vcard[], version?: VcardWriteVersion): string {
  return cards.map((card) => writeVcard(card, version)).join('');
}

function writeCard(card: Vcard, version: VcardWriteVersion, out: string[]): void {
  out.push('BEGIN:VCARD\r\n', `VERSION:${version}\r\n`);
  for (const property of card.properties) {
    if (property.name.toUpperCase() === 'VERSION') continue;
    out.push(version === '2.1' ? propertyLine21(property) : propertyLine30(property), '\r\n');
  }
  for (const nested of card.nested) writeCard(nested, version, out);
  out.push('END:VCARD\r\n');
}

/** `group.NAME` checked, upper-cased. */
function nameOf(property: VcardProperty): string {
  const name = property.name.toUpperCase();
  if (!NAME.test(name)) throw unencodable(`property name ${JSON.stringify(property.name.slice(0, 40))}`);
  if (name === 'BEGIN' || name === 'END') throw unencodable(`a ${name} property`);
  const group = property.group;
  if (group === undefined) return name;
  if (!NAME.test(group)) throw unencodable(`group ${JSON.stringify(group.slice(0, 40))}`);
  return `${group}.${name}`;
}

/** Parameters the writer may emit (ENCODING and CHARSET are its own), names checked. */
function paramsOf(property: VcardProperty): VcardParam[] {
  const params: VcardParam[] = [];
  for (const param of property.params) {
    const name = param.name.toUpperCase();
    if (name === 'ENCODING' || name === 'CHARSET' || param.values.length === 0) continue;
    if (!NAME.test(name)) throw unencodable(`parameter name ${JSON.stringify(param.name.slice(0, 40))}`);
    for (const value of param.values) {
      if (/["\x00-\x08\x0a-\x1f\x7f]/.test(value)) {
        throw unencodable(`parameter ${name} value with a quote or control character`);
      }
      if (name === 'TYPE' && value.includes(',')) throw unencodable('a TYPE value with a comma');
    }
    params.push({ name, values: param.values });
  }
  return params;
}

/** A parameter value, double-quoted when it holds `;`, `:` or `,`. */
function paramValue(value: string): string {
  return /[;:,]/.test(value) ? `"${value}"` : value;
}

function propertyLine30(property: VcardProperty): string {
  const value = property.value;
  const parts: string[] = [nameOf(property)];
  if (value instanceof Uint8Array) parts.push(';ENCODING=b');
  for (const param of paramsOf(property)) {
    if (param.name === 'TYPE') parts.push(`;TYPE=${param.values.map(paramValue).join(',')}`);
    else for (const v of param.values) parts.push(`;${param.name}=${paramValue(v)}`);
  }
  if (value instanceof Uint8Array) {
    parts.push(':', base64(value));
    return foldLine(parts.join(''));
  }
  const text = value30(property.name.toUpperCase(), value);
  if (text.includes('\0')) throw unencodable(`a NUL character in ${property.name}`);
  parts.push(':', text);
  return foldLine(parts.join(''));
}

function value30(name: string, value: string | string[][]): string {
  if (typeof value === 'string') return escapeText30(value);
  const shape = valueShape(name);
  if (shape === 'list') return value.map((values) => values.map(escapeText30).join(',')).join(',');
  return value.map((values) => values.map(escapeText30).join(',')).join(';');
}

function propertyLine21(property: VcardProperty): string {
  const value = property.value;
  const text = value instanceof Uint8Array ? '' : value21(property.name.toUpperCase(), value);
  const qp = !(value instanceof Uint8Array) && needsQuotedPrintable(text);
  const parts: string[] = [nameOf(property)];
  if (value instanceof Uint8Array) parts.push(';ENCODING=BASE64');
  if (qp && /[^\x00-\x7f]/.test(text)) parts.push(';CHARSET=UTF-8');
  if (qp) parts.push(';ENCODING=QUOTED-PRINTABLE');
  for (const param of paramsOf(property)) {
    for (const v of param.values) {
      if (param.name === 'TYPE' && BARE_SAFE.test(v) && !RESERVED_BARE.has(v.toUpperCase())) parts.push(`;${v}`);
      else parts.push(`;${param.name}=${paramValue(v)}`);
    }
  }
  parts.push(':');
  const head = parts.join('');
  // Folded base64, then the blank line 2.1 readers expect after it.
  if (value instanceof Uint8Array) return `${foldLine(head + base64(value))}\r\n`;
  return qp ? head + encodeQuotedPrintable(Buffer.from(text, 'utf8'), head.length) : head + text;
}

/** 2.1 has no value lists: list values are joined with a plain comma. */
function value21(name: string, value: string | string[][]): string {
  if (typeof value === 'string') return value;
  const shape = valueShape(name);
  if (shape === 'list') return value.map((values) => values.join(',')).join(',');
  if (shape === 'text') return value.map((values) => values.join(',')).join(';');
  return value.map((values) => values.map(escapeStructured21).join(',')).join(';');
}

