/**
 * HF -> AG AT commands: typed values, their exact text (`AT+BRSF=1012`,
 * sent with a trailing `\r`), and decoding of a command line back to a typed
 * value. Every line is first classified like BlueZ's gateway parser does:
 * COMMAND (`AT+CLCC`), SET (`AT+BRSF=...`, `ATD...`), READ (`AT+CIND?`) or
 * TEST (`AT+CIND=?`). A line whose name and type we do not model decodes to
 * `unknown`, keeping its text; a modelled command with bad parameters throws
 * HfpError.
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
} from './params';
import { parseParameters } from './tokenizer';

export const AtCommandType = { Command: 'command', Set: 'set', Read: 'read', Test: 'test' } as const;
export type AtCommandType = (typeof AtCommandType)[keyof typeof AtCommandType];

export type HfCommand =
  | { kind: 'brsf'; features: number }
  | { kind: 'bac'; codecs: number[] }
  | { kind: 'cindTest' }
  | { kind: 'cindRead' }
  | { kind: 'cmer'; mode?: number; keyp?: number; disp?: number; ind?: number; bfr?: number }
  | { kind: 'chldTest' }
  | { kind: 'chld'; action: number; callIndex?: number }
  | { kind: 'bind'; indicators: number[] }
  | { kind: 'bindTest' }
  | { kind: 'bindRead' }
  | { kind: 'clip'; enabled: boolean }
  | { kind: 'ccwa'; enabled: boolean }
  | { kind: 'cmee'; enabled: boolean }
  | { kind: 'cops'; mode: number; format?: number }
  | { kind: 'copsRead' }
  | { kind: 'nrec'; enabled: boolean }
  | { kind: 'clcc' }
  | { kind: 'cnum' }
  | { kind: 'vgs'; gain: number }
  | { kind: 'vgm'; gain: number }
  | { kind: 'answer' }
  | { kind: 'chup' }
  | { kind: 'dial'; number: string }
  | { kind: 'dialMemory'; location: string }
  | { kind: 'bldn' }
  | { kind: 'vts'; tone: string }
  | { kind: 'bvra'; value: number }
  /** One entry per indicator in +CIND order; undefined = leave unchanged. Trailing undefined entries are dropped. */
  | { kind: 'bia'; states: (boolean | undefined)[] }
  | { kind: 'biev'; indicator: number; value: number }
  | { kind: 'bcs'; codec: number }
  | { kind: 'bcc' }
  | { kind: 'btrhRead' }
  | { kind: 'btrh'; action: number }
  | { kind: 'xapl'; vendorId: number; productId: number; version: string; features: number }
  | { kind: 'iphoneAccev'; pairs: { key: number; value: number }[] }
  /** Anything else; `raw` is the line as received, without its terminator. */
  | { kind: 'unknown'; name: string; type: AtCommandType; raw: string };

export type HfCommandKind = HfCommand['kind'];
export type HfCommandOf<K extends HfCommandKind> = Extract<HfCommand, { kind: K }>;

/** A command line split into name, type and argument text. */
export interface ClassifiedCommand {
  /** Upper-case name: `+BRSF`, `+IPHONEACCEV`, `D`, `A`; `''` for a bare `AT`. */
  name: string;
  type: AtCommandType;
  /** Text after `=` for SET, after `D` for dial; `''` otherwise. */
  args: string;
  /** Character index of `args` in the line. */
  argsOffset: number;
}

const EXTENDED_PREFIXES = '+*^$%';
const NAME_CHAR = /[A-Za-z0-9_]/;
const DTMF = /^[0-9#*A-Da-d]$/;
const HEX4 = /^[0-9A-Fa-f]{1,4}$/;
const XAPL_VERSION = /^[0-9A-Za-z._]{1,16}$/;
const MAX_ACCEV_PAIRS = 16;

/** Splits a command line (terminator optional) into name, type and arguments. Throws HfpError if it is not an AT command. */
export function classifyCommand(line: string): ClassifiedCommand {
  const { text, start } = trimLine(line);
  if (text.slice(start, start + 2).toUpperCase() !== 'AT') {
    throw hfpErrorAt(HfpErrorCode.BadSyntax, "command does not start with 'AT'", line, start);
  }
  let i = start + 2;
  const first = text[i];
  if (first === undefined) return { name: '', type: AtCommandType.Command, args: '', argsOffset: i };

  if (EXTENDED_PREFIXES.includes(first)) {
    let end = i + 1;
    while (end < text.length && NAME_CHAR.test(text[end] ?? '')) end++;
    if (end === i + 1) throw hfpErrorAt(HfpErrorCode.BadSyntax, 'extended command has no name', line, i);
    const name = text.slice(i, end).toUpperCase();
    const rest = text.slice(end);
    if (rest === '') return { name, type: AtCommandType.Command, args: '', argsOffset: end };
    if (rest === '?') return { name, type: AtCommandType.Read, args: '', argsOffset: end + 1 };
    if (rest.startsWith('=?') && rest.slice(2).trim() === '') {
      return { name, type: AtCommandType.Test, args: '', argsOffset: end + 2 };
    }
    if (rest.startsWith('=')) return { name, type: AtCommandType.Set, args: rest.slice(1), argsOffset: end + 1 };
    throw hfpErrorAt(HfpErrorCode.BadSyntax, `unexpected text after ${name}`, line, end);
  }

  // Basic command: one letter (or & and a letter), then its argument.
  let nameLength = 1;
  if (first === '&' && /[A-Za-z]/.test(text[i + 1] ?? '')) nameLength = 2;
  else if (!/[A-Za-z]/.test(first)) throw hfpErrorAt(HfpErrorCode.BadSyntax, 'no command name after AT', line, i);
  const name = text.slice(i, i + nameLength).toUpperCase();
  i += nameLength;
  const rest = text.slice(i);
  if (name === 'D') return { name, type: AtCommandType.Set, args: rest, argsOffset: i };
  if (rest === '') return { name, type: AtCommandType.Command, args: '', argsOffset: i };
  if (rest === '?') return { name, type: AtCommandType.Read, args: '', argsOffset: i + 1 };
  if (rest === '=?') return { name, type: AtCommandType.Test, args: '', argsOffset: i + 2 };
  const args = rest.startsWith('=') ? rest.slice(1) : rest;
  return { name, type: AtCommandType.Set, args, argsOffset: i + rest.length - args.length };
}

type SetDecoder = (r: ParamReader) => HfCommand;

const SET_DECODERS = new Map<string, SetDecoder>(Object.entries({
  '+BRSF': (r) => ({ kind: 'brsf', features: r.number('features') }),
  '+BAC': (r) => ({ kind: 'bac', codecs: readNumberList(r, 'codec') }),
  '+CMER': (r) =>
    compact({
      kind: 'cmer' as const,
      mode: r.optionalNumber('mode'),
      keyp: r.optionalNumber('keyp'),
      disp: r.optionalNumber('disp'),
      ind: r.optionalNumber('ind'),
      bfr: r.optionalNumber('bfr'),
    }),
  '+CHLD': decodeChld,
  '+BIND': (r) => ({ kind: 'bind', indicators: readNumberList(r, 'indicator') }),
  '+CLIP': (r) => ({ kind: 'clip', enabled: r.flag('enable') }),
  '+CCWA': (r) => ({ kind: 'ccwa', enabled: r.flag('enable') }),
  '+CMEE': (r) => ({ kind: 'cmee', enabled: r.flag('enable') }),
  '+COPS': (r) => compact({ kind: 'cops' as const, mode: r.number('mode'), format: r.optionalNumber('format') }),
  '+NREC': (r) => ({ kind: 'nrec', enabled: r.flag('enable') }),
  '+VGS': (r) => ({ kind: 'vgs', gain: r.number('gain') }),
  '+VGM': (r) => ({ kind: 'vgm', gain: r.number('gain') }),
  '+VTS': (r) => {
    const param = r.required('tone');
    const tone = r.asText(param, 'tone');
    if (!DTMF.test(tone)) throw r.error(HfpErrorCode.BadValue, 'tone must be one of 0-9 # * A-D', param.offset);
    return { kind: 'vts', tone };
  },
  '+BVRA': (r) => ({ kind: 'bvra', value: r.number('value') }),
  '+BIA': decodeBia,
  '+BIEV': (r) => ({ kind: 'biev', indicator: r.number('indicator'), value: r.number('value') }),
  '+BCS': (r) => ({ kind: 'bcs', codec: r.number('codec') }),
  '+BTRH': (r) => ({ kind: 'btrh', action: r.number('action') }),
  '+XAPL': decodeXapl,
  '+IPHONEACCEV': decodeAccev,
} satisfies Record<string, SetDecoder>));

const PLAIN = new Map<string, HfCommand>(Object.entries({
  '+CIND test': { kind: 'cindTest' },
  '+CIND read': { kind: 'cindRead' },
  '+CHLD test': { kind: 'chldTest' },
  '+BIND test': { kind: 'bindTest' },
  '+BIND read': { kind: 'bindRead' },
  '+COPS read': { kind: 'copsRead' },
  '+CLCC command': { kind: 'clcc' },
  '+CNUM command': { kind: 'cnum' },
  'A command': { kind: 'answer' },
  '+CHUP command': { kind: 'chup' },
  '+BLDN command': { kind: 'bldn' },
  '+BCC command': { kind: 'bcc' },
  '+BTRH read': { kind: 'btrhRead' },
} satisfies Record<string, HfCommand>));

function readNumberList(r: ParamReader, field: string): number[] {
  const values = [r.number(field)];
  while (r.remaining > 0) values.push(r.number(field));
  return values;
}

function decodeChld(r: ParamReader): HfCommand {
  const param = r.required('action');
  if (param.kind !== 'bare' || !/^\d{1,10}$/.test(param.value)) {
    throw r.error(HfpErrorCode.BadValue, 'action must be digits (e.g. 1 or 12)', param.offset);
  }
  const action = Number(param.value[0]);
  const index = param.value.slice(1);
  return index === '' ? { kind: 'chld', action } : { kind: 'chld', action, callIndex: Number(index) };
}

function decodeBia(r: ParamReader): HfCommand {
  const states: (boolean | undefined)[] = [];
  while (r.remaining > 0) {
    const param = r.optional();
    states.push(param === undefined ? undefined : r.asFlag(param, 'indicator state'));
  }
  while (states.length > 0 && states[states.length - 1] === undefined) states.pop();
  return { kind: 'bia', states };
}

function decodeXapl(r: ParamReader): HfCommand {
  const idParam = r.required('accessory id');
  const id = r.asText(idParam, 'accessory id');
  const parts = id.split('-');
  const [vendor, product, version] = parts;
  if (
    parts.length !== 3 ||
    vendor === undefined ||
    product === undefined ||
    version === undefined ||
    !HEX4.test(vendor) ||
    !HEX4.test(product) ||
    !XAPL_VERSION.test(version)
  ) {
    throw r.error(HfpErrorCode.BadValue, 'accessory id must be vendor-product-version (hex-hex-version)', idParam.offset);
  }
  return {
    kind: 'xapl',
    vendorId: parseInt(vendor, 16),
    productId: parseInt(product, 16),
    version,
    features: r.number('features'),
  };
}

function decodeAccev(r: ParamReader): HfCommand {
  const countParam = r.required('pair count');
  const count = r.asNumber(countParam, 'pair count');
  if (count > MAX_ACCEV_PAIRS) {
    throw r.error(HfpErrorCode.BadValue, `at most ${MAX_ACCEV_PAIRS} pairs`, countParam.offset);
  }
  const pairs: { key: number; value: number }[] = [];
  for (let n = 0; n < count; n++) pairs.push({ key: r.number('key'), value: r.number('value') });
  return { kind: 'iphoneAccev', pairs };
}

function decodeDial(line: string, c: ClassifiedCommand): HfCommand {
  const args = c.args.trimEnd();
  if (!args.endsWith(';')) {
    throw hfpErrorAt(HfpErrorCode.BadSyntax, "voice dial must end with ';'", line, c.argsOffset + args.length);
  }
  const body = args.slice(0, -1).trim();
  if (body.includes(';')) {
    throw hfpErrorAt(HfpErrorCode.BadSyntax, "dial string holds more than one ';'", line, c.argsOffset);
  }
  if (body.startsWith('>')) {
    const location = body.slice(1).trim();
    if (location === '') throw hfpErrorAt(HfpErrorCode.MissingParameter, 'memory location is missing', line, c.argsOffset);
    return { kind: 'dialMemory', location };
  }
  if (body === '') throw hfpErrorAt(HfpErrorCode.MissingParameter, 'number is missing', line, c.argsOffset);
  return { kind: 'dial', number: body };
}

/**
 * Decodes one command line (with or without its `\r`). Returns `unknown`
 * for names or forms not modelled; throws HfpError for malformed lines or
 * bad parameters of a modelled command.
 */
export function decodeCommand(line: string): HfCommand {
  const c = classifyCommand(line);
  const { text, start } = trimLine(line);
  if (c.name === 'D') return decodeDial(text, c);
  const plain = PLAIN.get(`${c.name} ${c.type}`);
  if (plain) return { ...plain };
  const decoder = c.type === AtCommandType.Set ? SET_DECODERS.get(c.name) : undefined;
  if (!decoder) return { kind: 'unknown', name: c.name, type: c.type, raw: text.slice(start) };
  const params = parseParameters(text, { lenient: true, start: c.argsOffset });
  return decoder(new ParamReader(params, { line: text, what: `AT${c.name}` }));
}

/** The type (COMMAND/SET/READ/TEST) a command is sent as. */
export function commandTypeOf(command: HfCommand): AtCommandType {
  switch (command.kind) {
    case 'cindTest':
    case 'chldTest':
    case 'bindTest':
      return AtCommandType.Test;
    case 'cindRead':
    case 'bindRead':
    case 'copsRead':
    case 'btrhRead':
      return AtCommandType.Read;
    case 'clcc':
    case 'cnum':
    case 'answer':
    case 'chup':
    case 'bldn':
    case 'bcc':
      return AtCommandType.Command;
    case 'unknown':
      return command.type;
    default:
      return AtCommandType.Set;
  }
}

function numbers(values: readonly number[], field: string): string {
  if (values.length === 0) throw new HfpError(HfpErrorCode.Unencodable, `at least one ${field} is needed`);
  return values.map((v) => writeNumber(v, field)).join(',');
}

function optionalNumber(value: number | undefined, field: string): string | undefined {
  return value === undefined ? undefined : writeNumber(value, field);
}

function hex4(value: number, field: string): string {
  if (!Number.isInteger(value) || value < 0 || value > 0xffff) {
    throw new HfpError(HfpErrorCode.Unencodable, `${field} must fit in 16 bits, got ${value}`);
  }
  return value.toString(16).toUpperCase().padStart(4, '0');
}

function dialString(value: string, field: string): string {
  if (value === '' || value !== value.trim() || /[;\r\n]/.test(value) || value.startsWith('>')) {
    throw new HfpError(HfpErrorCode.Unencodable, `${field} ${JSON.stringify(value)} cannot be dialled`);
  }
  return value;
}

/** The command's text without the terminator, e.g. `AT+BRSF=1012`. Throws HfpError for unencodable values. */
export function commandText(command: HfCommand): string {
  switch (command.kind) {
    case 'brsf':
      return `AT+BRSF=${writeNumber(command.features, 'features')}`;
    case 'bac':
      return `AT+BAC=${numbers(command.codecs, 'codec')}`;
    case 'cindTest':
      return 'AT+CIND=?';
    case 'cindRead':
      return 'AT+CIND?';
    case 'cmer':
      return `AT+CMER=${writeFields([
        optionalNumber(command.mode, 'mode'),
        optionalNumber(command.keyp, 'keyp'),
        optionalNumber(command.disp, 'disp'),
        optionalNumber(command.ind, 'ind'),
        optionalNumber(command.bfr, 'bfr'),
      ])}`;
    case 'chldTest':
      return 'AT+CHLD=?';
    case 'chld': {
      if (!Number.isInteger(command.action) || command.action < 0 || command.action > 9) {
        throw new HfpError(HfpErrorCode.Unencodable, `CHLD action must be one digit, got ${command.action}`);
      }
      const index = command.callIndex === undefined ? '' : writeNumber(command.callIndex, 'call index');
      return `AT+CHLD=${command.action}${index}`;
    }
    case 'bind':
      return `AT+BIND=${numbers(command.indicators, 'indicator')}`;
    case 'bindTest':
      return 'AT+BIND=?';
    case 'bindRead':
      return 'AT+BIND?';
    case 'clip':
      return `AT+CLIP=${writeFlag(command.enabled)}`;
    case 'ccwa':
      return `AT+CCWA=${writeFlag(command.enabled)}`;
    case 'cmee':
      return `AT+CMEE=${writeFlag(command.enabled)}`;
    case 'cops':
      return `AT+COPS=${writeFields([writeNumber(command.mode, 'mode'), optionalNumber(command.format, 'format')])}`;
    case 'copsRead':
      return 'AT+COPS?';
    case 'nrec':
      return `AT+NREC=${writeFlag(command.enabled)}`;
    case 'clcc':
      return 'AT+CLCC';
    case 'cnum':
      return 'AT+CNUM';
    case 'vgs':
      return `AT+VGS=${writeNumber(command.gain, 'gain')}`;
    case 'vgm':
      return `AT+VGM=${writeNumber(command.gain, 'gain')}`;
    case 'answer':
      return 'ATA';
    case 'chup':
      return 'AT+CHUP';
    case 'dial':
      return `ATD${dialString(command.number, 'number')};`;
    case 'dialMemory':
      return `ATD>${dialString(command.location, 'memory location')};`;
    case 'bldn':
      return 'AT+BLDN';
    case 'vts':
      if (!DTMF.test(command.tone)) {
        throw new HfpError(HfpErrorCode.Unencodable, `tone ${JSON.stringify(command.tone)} is not DTMF`);
      }
      return `AT+VTS=${command.tone}`;
    case 'bvra':
      return `AT+BVRA=${writeNumber(command.value, 'value')}`;
    case 'bia':
      return `AT+BIA=${writeFields(command.states.map((s) => (s === undefined ? undefined : writeFlag(s))))}`;
    case 'biev':
      return `AT+BIEV=${writeNumber(command.indicator, 'indicator')},${writeNumber(command.value, 'value')}`;
    case 'bcs':
      return `AT+BCS=${writeNumber(command.codec, 'codec')}`;
    case 'bcc':
      return 'AT+BCC';
    case 'btrhRead':
      return 'AT+BTRH?';
    case 'btrh':
      return `AT+BTRH=${writeNumber(command.action, 'action')}`;
    case 'xapl': {
      if (!XAPL_VERSION.test(command.version)) {
        throw new HfpError(HfpErrorCode.Unencodable, `XAPL version ${JSON.stringify(command.version)} is not alphanumeric`);
      }
      const id = `${hex4(command.vendorId, 'vendor id')}-${hex4(command.productId, 'product id')}-${command.version}`;
      return `AT+XAPL=${writeBare(id, 'accessory id')},${writeNumber(command.features, 'features')}`;
    }
    case 'iphoneAccev': {
      if (command.pairs.length > MAX_ACCEV_PAIRS) {
        throw new HfpError(HfpErrorCode.Unencodable, `at most ${MAX_ACCEV_PAIRS} IPHONEACCEV pairs`);
      }
      const pairs = command.pairs.map((p) => `,${writeNumber(p.key, 'key')},${writeNumber(p.value, 'value')}`);
      return `AT+IPHONEACCEV=${command.pairs.length}${pairs.join('')}`;
    }
    case 'unknown':
      return checkRawLine(command.raw, 'raw command');
  }
}

const encoder = new TextEncoder();

/** The exact bytes an HF sends: the command text and `\r`. */
export function encodeCommand(command: HfCommand): Uint8Array {
  return encoder.encode(`${commandText(command)}\r`);
}
