/**
 * AG -> HF result codes: typed values, their exact framing
 * (`\r\n+BRSF: 4079\r\n`, `\r\nOK\r\n`), and decoding of one result line
 * back to a typed value. Decoding is forgiving where real AGs differ:
 * keywords in any case, optional space after `:`, `=` accepted for `:`,
 * unquoted strings, +CHLD without parentheses, trailing empty entries in a
 * +CIND list, a stray closing quote, and extra trailing fields (ignored).
 * Lines we do not model decode to `unknown`, keeping their text; a modelled
 * result with bad parameters throws HfpError.
 */
import { HfpError, HfpErrorCode, hfpErrorAt } from './errors';
import {
  ParamReader,
  checkRawLine,
  compact,
  trimLine,
  writeBare,
  writeFields,
  writeFlag,
  writeNumber,
  writeQuoted,
} from './params';
import { type AtParam, parseParameters } from './tokenizer';

/** Values an indicator may take, as listed in a +CIND test response: `(0,1)` or `(0-3)`. */
export interface ValueRange {
  min: number;
  max: number;
}

/** One `("name",(values))` entry of a +CIND test response. */
export interface CindIndicatorSpec {
  name: string;
  ranges: ValueRange[];
}

export type AgResult =
  | { kind: 'ok' }
  | { kind: 'error' }
  | { kind: 'cmeError'; code: number }
  | { kind: 'ring' }
  | { kind: 'noCarrier' }
  | { kind: 'busy' }
  | { kind: 'noAnswer' }
  | { kind: 'delayed' }
  | { kind: 'blacklisted' }
  | { kind: 'brsf'; features: number }
  | { kind: 'cindTest'; indicators: CindIndicatorSpec[] }
  | { kind: 'cindRead'; values: number[] }
  | { kind: 'ciev'; index: number; value: number }
  /** Options as sent, e.g. `['0', '1', '1x', '2', '2x', '3']`. */
  | { kind: 'chld'; options: string[] }
  | {
      kind: 'clip';
      number: string;
      type: number;
      subaddress?: string;
      subaddressType?: number;
      alpha?: string;
      validity?: number;
    }
  | { kind: 'ccwa'; number: string; type: number; callClass?: number; alpha?: string; validity?: number }
  | {
      kind: 'clcc';
      index: number;
      direction: number;
      status: number;
      mode: number;
      multiparty: boolean;
      number?: string;
      type?: number;
      alpha?: string;
      priority?: number;
    }
  | { kind: 'cops'; mode: number; format?: number; operator?: string }
  | { kind: 'cnum'; alpha?: string; number: string; type: number; speed?: number; service?: number }
  | { kind: 'bcs'; codec: number }
  | { kind: 'bsir'; enabled: boolean }
  | { kind: 'vgs'; gain: number }
  | { kind: 'vgm'; gain: number }
  | { kind: 'bvra'; value: number }
  | { kind: 'btrh'; state: number }
  | { kind: 'bindList'; indicators: number[] }
  | { kind: 'bindStatus'; indicator: number; enabled: boolean }
  | { kind: 'xapl'; device: string; features: number }
  /** Anything else; `raw` is the line without framing. */
  | { kind: 'unknown'; raw: string };

export type AgResultKind = AgResult['kind'];
export type AgResultOf<K extends AgResultKind> = Extract<AgResult, { kind: K }>;

const KEYWORDS = new Map<string, AgResult>([
  ['OK', { kind: 'ok' }],
  ['ERROR', { kind: 'error' }],
  ['RING', { kind: 'ring' }],
  ['NO CARRIER', { kind: 'noCarrier' }],
  ['BUSY', { kind: 'busy' }],
  ['NO ANSWER', { kind: 'noAnswer' }],
  ['DELAYED', { kind: 'delayed' }],
  ['BLACKLISTED', { kind: 'blacklisted' }],
]);

const FINAL_KINDS = new Set<AgResultKind>(['ok', 'error', 'cmeError', 'noCarrier', 'busy', 'noAnswer', 'delayed', 'blacklisted']);

const CME_ERROR = /^\+CME\s+ERROR\b\s*:?/i;
const EXTENDED_NAME = /^\+([A-Za-z0-9]+)/;
const CHLD_OPTION = /^[0-9][0-9A-Za-z]*$/;

/** True for results that end a command (OK, ERROR, +CME ERROR, NO CARRIER, BUSY, NO ANSWER, DELAYED, BLACKLISTED). */
export function isFinalResult(result: AgResult): boolean {
  return FINAL_KINDS.has(result.kind);
}

/**
 * What the line starts with, upper-case: `+CLCC`, `+CME ERROR`, `OK`,
 * `NO CARRIER`... (routing by prefix even when the body is malformed);
 * undefined when it is neither an extended result nor a keyword.
 */
export function resultPrefix(line: string): string | undefined {
  const { text, start } = trimLine(line);
  const body = text.slice(start);
  if (CME_ERROR.test(body)) return '+CME ERROR';
  const ext = EXTENDED_NAME.exec(body);
  if (ext) return `+${(ext[1] ?? '').toUpperCase()}`;
  const keyword = body.toUpperCase().replace(/\s+/g, ' ');
  return KEYWORDS.has(keyword) ? keyword : undefined;
}

type ResultDecoder = (r: ParamReader, params: readonly AtParam[]) => AgResult;

function decodeCind(r: ParamReader, params: readonly AtParam[]): AgResult {
  const first = params.find((p) => !(p.kind === 'bare' && p.value === ''));
  if (first?.kind !== 'list') {
    const values: number[] = [];
    while (r.remaining > 0) values.push(r.number('indicator value'));
    return { kind: 'cindRead', values };
  }
  const indicators: CindIndicatorSpec[] = [];
  for (const param of params) {
    if (param.kind === 'bare' && param.value === '') continue; // bluez ends the list with a stray ','
    if (param.kind !== 'list') throw r.error(HfpErrorCode.BadValue, 'indicator entry must be ("name",(values))', param.offset);
    const [namePart, valuesPart] = param.items;
    if (namePart === undefined || valuesPart === undefined) {
      throw r.error(HfpErrorCode.MissingParameter, 'indicator entry needs a name and values', param.offset);
    }
    const name = r.asText(namePart, 'indicator name');
    const valueItems = valuesPart.kind === 'list' ? valuesPart.items : [valuesPart];
    const ranges: ValueRange[] = [];
    for (const item of valueItems) {
      if (item.kind === 'range') ranges.push({ min: item.min, max: item.max });
      else {
        const v = r.asNumber(item, 'indicator value');
        ranges.push({ min: v, max: v });
      }
    }
    indicators.push({ name, ranges });
  }
  return { kind: 'cindTest', indicators };
}

function decodeChld(r: ParamReader, params: readonly AtParam[]): AgResult {
  const first = params[0];
  const items = first?.kind === 'list' ? first.items : params;
  const options: string[] = [];
  for (const item of items) {
    if (item.kind !== 'bare' || !CHLD_OPTION.test(item.value)) {
      throw r.error(HfpErrorCode.BadValue, 'CHLD option must look like 0, 1, 1x', item.offset);
    }
    options.push(item.value);
  }
  return { kind: 'chld', options };
}

function decodeBind(r: ParamReader, params: readonly AtParam[]): AgResult {
  if (params[0]?.kind === 'list') {
    const items = r.list('indicators');
    return { kind: 'bindList', indicators: items.map((item) => r.asNumber(item, 'indicator')) };
  }
  return { kind: 'bindStatus', indicator: r.number('indicator'), enabled: r.flag('state') };
}

const DECODERS = new Map<string, ResultDecoder>(
  Object.entries({
    BRSF: (r) => ({ kind: 'brsf', features: r.number('features') }),
    CIND: decodeCind,
    CIEV: (r) => ({ kind: 'ciev', index: r.number('index'), value: r.number('value') }),
    CHLD: decodeChld,
    CLIP: (r) =>
      compact({
        kind: 'clip' as const,
        number: r.text('number'),
        type: r.number('type'),
        subaddress: r.optionalText('subaddress'),
        subaddressType: r.optionalNumber('subaddress type'),
        alpha: r.optionalText('alpha'),
        validity: r.optionalNumber('validity'),
      }),
    CCWA: (r) =>
      compact({
        kind: 'ccwa' as const,
        number: r.text('number'),
        type: r.number('type'),
        callClass: r.optionalNumber('class'),
        alpha: r.optionalText('alpha'),
        validity: r.optionalNumber('validity'),
      }),
    CLCC: (r) =>
      compact({
        kind: 'clcc' as const,
        index: r.number('index'),
        direction: r.number('direction'),
        status: r.number('status'),
        mode: r.number('mode'),
        multiparty: r.flag('multiparty'),
        number: r.optionalText('number'),
        type: r.optionalNumber('type'),
        alpha: r.optionalText('alpha'),
        priority: r.optionalNumber('priority'),
      }),
    COPS: (r) =>
      compact({
        kind: 'cops' as const,
        mode: r.number('mode'),
        format: r.optionalNumber('format'),
        operator: r.optionalText('operator'),
      }),
    CNUM: (r) =>
      compact({
        kind: 'cnum' as const,
        alpha: r.optionalText('alpha'),
        number: r.text('number'),
        type: r.number('type'),
        speed: r.optionalNumber('speed'),
        service: r.optionalNumber('service'),
      }),
    BCS: (r) => ({ kind: 'bcs', codec: r.number('codec') }),
    BSIR: (r) => ({ kind: 'bsir', enabled: r.flag('in-band ring') }),
    VGS: (r) => ({ kind: 'vgs', gain: r.number('gain') }),
    VGM: (r) => ({ kind: 'vgm', gain: r.number('gain') }),
    BVRA: (r) => ({ kind: 'bvra', value: r.number('value') }),
    BTRH: (r) => ({ kind: 'btrh', state: r.number('state') }),
    BIND: decodeBind,
    XAPL: (r) => ({ kind: 'xapl', device: r.text('device'), features: r.number('features') }),
  } satisfies Record<string, ResultDecoder>),
);

/**
 * Decodes one result line (framing optional). Returns `unknown` for lines
 * not modelled; throws HfpError for a modelled result with a bad body.
 */
export function decodeResult(line: string): AgResult {
  const { text, start } = trimLine(line);
  const body = text.slice(start);

  const cme = CME_ERROR.exec(body);
  if (cme) {
    const params = parseParameters(text, { lenient: true, start: start + cme[0].length });
    return { kind: 'cmeError', code: new ParamReader(params, { line: text, what: '+CME ERROR' }).number('error code') };
  }

  const ext = EXTENDED_NAME.exec(body);
  if (!ext) {
    const keyword = KEYWORDS.get(body.toUpperCase().replace(/\s+/g, ' '));
    return keyword ? { ...keyword } : { kind: 'unknown', raw: body };
  }
  const name = (ext[1] ?? '').toUpperCase();
  const decoder = DECODERS.get(name);
  if (!decoder) return { kind: 'unknown', raw: body };

  let i = start + ext[0].length;
  while (text[i] === ' ' || text[i] === '\t') i++;
  if (text[i] !== ':' && text[i] !== '=') {
    throw hfpErrorAt(HfpErrorCode.BadSyntax, `+${name} has no ':' and no value`, text, i);
  }
  const params = parseParameters(text, { lenient: true, start: i + 1 });
  return decoder(new ParamReader(params, { line: text, what: `+${name}` }), params);
}

function num(value: number, field: string): string {
  return writeNumber(value, field);
}

function optNum(value: number | undefined, field: string): string | undefined {
  return value === undefined ? undefined : writeNumber(value, field);
}

function optQuoted(value: string | undefined, field: string): string | undefined {
  return value === undefined ? undefined : writeQuoted(value, field);
}

function rangeText(range: ValueRange): string {
  const min = num(range.min, 'range start');
  return range.min === range.max ? min : `${min}-${num(range.max, 'range end')}`;
}

function cindTestText(indicators: readonly CindIndicatorSpec[]): string {
  if (indicators.length === 0) throw new HfpError(HfpErrorCode.Unencodable, '+CIND test response needs an indicator');
  return indicators
    .map((ind) => `(${writeQuoted(ind.name, 'indicator name')},(${ind.ranges.map(rangeText).join(',')}))`)
    .join(',');
}

/** The result's text without framing, e.g. `+BRSF: 4079`. Throws HfpError for unencodable values. */
export function resultText(result: AgResult): string {
  switch (result.kind) {
    case 'ok':
      return 'OK';
    case 'error':
      return 'ERROR';
    case 'cmeError':
      return `+CME ERROR: ${num(result.code, 'error code')}`;
    case 'ring':
      return 'RING';
    case 'noCarrier':
      return 'NO CARRIER';
    case 'busy':
      return 'BUSY';
    case 'noAnswer':
      return 'NO ANSWER';
    case 'delayed':
      return 'DELAYED';
    case 'blacklisted':
      return 'BLACKLISTED';
    case 'brsf':
      return `+BRSF: ${num(result.features, 'features')}`;
    case 'cindTest':
      return `+CIND: ${cindTestText(result.indicators)}`;
    case 'cindRead':
      if (result.values.length === 0) throw new HfpError(HfpErrorCode.Unencodable, '+CIND read response needs a value');
      return `+CIND: ${result.values.map((v) => num(v, 'indicator value')).join(',')}`;
    case 'ciev':
      return `+CIEV: ${num(result.index, 'index')},${num(result.value, 'value')}`;
    case 'chld':
      return `+CHLD: (${result.options
        .map((o) => {
          if (!CHLD_OPTION.test(o)) throw new HfpError(HfpErrorCode.Unencodable, `CHLD option ${JSON.stringify(o)}`);
          return o;
        })
        .join(',')})`;
    case 'clip':
      return `+CLIP: ${writeFields([
        writeQuoted(result.number, 'number'),
        num(result.type, 'type'),
        optQuoted(result.subaddress, 'subaddress'),
        optNum(result.subaddressType, 'subaddress type'),
        optQuoted(result.alpha, 'alpha'),
        optNum(result.validity, 'validity'),
      ])}`;
    case 'ccwa':
      return `+CCWA: ${writeFields([
        writeQuoted(result.number, 'number'),
        num(result.type, 'type'),
        optNum(result.callClass, 'class'),
        optQuoted(result.alpha, 'alpha'),
        optNum(result.validity, 'validity'),
      ])}`;
    case 'clcc':
      return `+CLCC: ${writeFields([
        num(result.index, 'index'),
        num(result.direction, 'direction'),
        num(result.status, 'status'),
        num(result.mode, 'mode'),
        writeFlag(result.multiparty),
        optQuoted(result.number, 'number'),
        optNum(result.type, 'type'),
        optQuoted(result.alpha, 'alpha'),
        optNum(result.priority, 'priority'),
      ])}`;
    case 'cops':
      return `+COPS: ${writeFields([
        num(result.mode, 'mode'),
        optNum(result.format, 'format'),
        optQuoted(result.operator, 'operator'),
      ])}`;
    case 'cnum':
      return `+CNUM: ${writeFields([
        optQuoted(result.alpha, 'alpha') ?? '',
        writeQuoted(result.number, 'number'),
        num(result.type, 'type'),
        optNum(result.speed, 'speed'),
        optNum(result.service, 'service'),
      ])}`;
    case 'bcs':
      return `+BCS: ${num(result.codec, 'codec')}`;
    case 'bsir':
      return `+BSIR: ${writeFlag(result.enabled)}`;
    case 'vgs':
      return `+VGS: ${num(result.gain, 'gain')}`;
    case 'vgm':
      return `+VGM: ${num(result.gain, 'gain')}`;
    case 'bvra':
      return `+BVRA: ${num(result.value, 'value')}`;
    case 'btrh':
      return `+BTRH: ${num(result.state, 'state')}`;
    case 'bindList':
      return `+BIND: (${result.indicators.map((i) => num(i, 'indicator')).join(',')})`;
    case 'bindStatus':
      return `+BIND: ${num(result.indicator, 'indicator')},${writeFlag(result.enabled)}`;
    case 'xapl':
      return `+XAPL=${writeBare(result.device, 'device')},${num(result.features, 'features')}`;
    case 'unknown':
      return checkRawLine(result.raw, 'raw result');
  }
}

const encoder = new TextEncoder();

/** The exact bytes an AG sends: `\r\n<text>\r\n`. */
export function encodeResult(result: AgResult): Uint8Array {
  return encoder.encode(`\r\n${resultText(result)}\r\n`);
}
