/**
 * The bMessage object (`x-bt/message`, GetMessage and PushMessage bodies):
 * bytes to `BMessage` and back, plus small helpers (the innermost body,
 * every recipient, a one-text message, a party). Lines end in CRLF on
 * output (bare LF accepted on input) with no space after the colon. The
 * body's LENGTH counts the bytes from `BEGIN:MSG\r\n` through `END:MSG\r\n`
 * inclusive and is what frames the content, so a text may itself hold
 * `END:MSG` lines. Several MSG blocks in one body (MMS parts) are joined
 * with CRLF. Text is UTF-8 unless CHARSET names another charset, in which
 * case it is kept as Latin-1 (one char per byte) both ways.
 */
import { LineReader, hasLoneSurrogate, hasPartBoundary, keywordOf, latin1Text, splitProperty, utf8Text, type Line } from './bmessage-lines';
import { partyLines, readParty } from './bmessage-party';
import { MapError, MapErrorCode } from './errors';
import type { BMessage, BMessageBody, BMessageEnvelope, BMessageParty, MessageType, ReadStatus } from './types';
import { BMESSAGE_MAX_BYTES, BMESSAGE_MAX_ENVELOPE_DEPTH } from '../../limits';

export { party } from './bmessage-party';

export interface BMessageDecodeOptions {
  /** Most bytes of input. Default 256 KiB. */
  maxBytes?: number;
}

export const DEFAULT_BMESSAGE_MAX_BYTES = BMESSAGE_MAX_BYTES;

/** Envelopes nest at most this deep. */
export const MAX_ENVELOPE_DEPTH = BMESSAGE_MAX_ENVELOPE_DEPTH;

/** `BEGIN:MSG\r\n` and `\r\nEND:MSG\r\n`: what LENGTH adds to the bytes of the text. */
export const BMESSAGE_LENGTH_OVERHEAD = 22;

const MSG_HEAD = 'BEGIN:MSG\r\n';
const MSG_TAIL = '\r\nEND:MSG\r\n';

/**
 * Decodes a bMessage. Throws MapError: map.too-large (over maxBytes),
 * map.bad-text (text that is not UTF-8), map.truncated (input ends before
 * END:BMSG, END:BENV, END:BBODY or END:VCARD), map.bad-length (LENGTH
 * missing, empty, negative, not a number, or not ending at an END:MSG
 * line), map.bad-bmessage (anything else out of place, envelopes nested
 * deeper than 3).
 */
export function decodeBMessage(bytes: Uint8Array, options: BMessageDecodeOptions = {}): BMessage {
  const maxBytes = options.maxBytes ?? DEFAULT_BMESSAGE_MAX_BYTES;
  if (bytes.length > maxBytes) throw new MapError(MapErrorCode.TooLarge, `bMessage of ${bytes.length} bytes, more than ${maxBytes}`, maxBytes);
  const hasBom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
  const reader = new LineReader(bytes, hasBom ? 3 : 0);
  const first = reader.nextNonBlank();
  if (first === undefined) throw new MapError(MapErrorCode.BadBMessage, 'empty input, no BEGIN:BMSG', 0);
  if (keywordOf(reader.text(first)) !== 'BEGIN:BMSG') {
    throw new MapError(MapErrorCode.BadBMessage, 'does not start with BEGIN:BMSG', first.start);
  }
  const props = new Map<string, { value: string; at: number }>();
  const originators: BMessageParty[] = [];
  let envelope: BMessageEnvelope | undefined;
  let envelopeLine: Line | undefined;
  while (envelope === undefined) {
    const line = reader.nextNonBlank();
    if (line === undefined) throw new MapError(MapErrorCode.Truncated, 'input ends before BEGIN:BENV', bytes.length);
    const text = reader.text(line);
    const keyword = keywordOf(text);
    if (keyword === 'BEGIN:VCARD') {
      originators.push(readParty(reader, line));
    } else if (keyword === 'BEGIN:BENV') {
      envelopeLine = line;
      envelope = readEnvelope(reader, line, 1);
    } else if (keyword !== undefined) {
      throw new MapError(MapErrorCode.BadBMessage, `${keyword} where a property, vCard or BEGIN:BENV belongs`, line.start);
    } else {
      readHeaderProperty(text, line, props);
    }
  }
  const required = (name: string): string => {
    const prop = props.get(name);
    if (prop === undefined) throw new MapError(MapErrorCode.BadBMessage, `no ${name} property`, envelopeLine?.start ?? 0);
    return prop.value;
  };
  const version = required('VERSION');
  const status = required('STATUS').toUpperCase();
  if (status !== 'READ' && status !== 'UNREAD') {
    throw new MapError(MapErrorCode.BadBMessage, `STATUS ${JSON.stringify(status.slice(0, 20))} is not READ or UNREAD`, props.get('STATUS')?.at);
  }
  const type: MessageType = required('TYPE');
  const end = reader.nextNonBlank();
  if (end === undefined) throw new MapError(MapErrorCode.Truncated, 'input ends before END:BMSG', bytes.length);
  if (keywordOf(reader.text(end)) !== 'END:BMSG') throw new MapError(MapErrorCode.BadBMessage, 'missing END:BMSG', end.start);
  if (!reader.onlyPaddingFrom(reader.pos)) throw new MapError(MapErrorCode.BadBMessage, 'data after END:BMSG', reader.pos);
  return { version, status, type, folder: props.get('FOLDER')?.value ?? '', originators, envelope };
}

/** VERSION, STATUS, TYPE, FOLDER (each once, values trimmed); other properties (EXTENDEDDATA...) are skipped. */
function readHeaderProperty(text: string, line: Line, props: Map<string, { value: string; at: number }>): void {
  const prop = splitProperty(text);
  if (prop === undefined) throw new MapError(MapErrorCode.BadBMessage, `${JSON.stringify(text.slice(0, 40))} is not a property`, line.start);
  if (prop.name !== 'VERSION' && prop.name !== 'STATUS' && prop.name !== 'TYPE' && prop.name !== 'FOLDER') return;
  if (props.has(prop.name)) throw new MapError(MapErrorCode.BadBMessage, `${prop.name} twice`, line.start);
  props.set(prop.name, { value: prop.value.trim(), at: line.start });
}

function readEnvelope(reader: LineReader, begin: Line, depth: number): BMessageEnvelope {
  if (depth > MAX_ENVELOPE_DEPTH) throw new MapError(MapErrorCode.BadBMessage, `envelopes nested deeper than ${MAX_ENVELOPE_DEPTH}`, begin.start);
  const recipients: BMessageParty[] = [];
  let content: BMessageEnvelope['content'] | undefined;
  while (content === undefined) {
    const line = reader.nextNonBlank();
    if (line === undefined) throw new MapError(MapErrorCode.Truncated, 'input ends before END:BENV', reader.bytes.length);
    const keyword = keywordOf(reader.text(line));
    if (keyword === 'BEGIN:VCARD') recipients.push(readParty(reader, line));
    else if (keyword === 'BEGIN:BENV') content = { kind: 'envelope', envelope: readEnvelope(reader, line, depth + 1) };
    else if (keyword === 'BEGIN:BBODY') content = { kind: 'body', body: readBody(reader, line) };
    else throw new MapError(MapErrorCode.BadBMessage, 'expected a vCard, BEGIN:BENV or BEGIN:BBODY in the envelope', line.start);
  }
  const end = reader.nextNonBlank();
  if (end === undefined) throw new MapError(MapErrorCode.Truncated, 'input ends before END:BENV', reader.bytes.length);
  if (keywordOf(reader.text(end)) !== 'END:BENV') throw new MapError(MapErrorCode.BadBMessage, 'missing END:BENV', end.start);
  return { recipients, content };
}

/** The body properties we read (each at most once); others are skipped. */
const BODY_PROPERTIES = new Set(['PARTID', 'ENCODING', 'CHARSET', 'LANGUAGE', 'LENGTH']);

function readBody(reader: LineReader, begin: Line): BMessageBody {
  const body: BMessageBody = { text: '' };
  let length: { value: number; at: number } | undefined;
  const seen = new Set<string>();
  for (;;) {
    const line = reader.nextNonBlank();
    if (line === undefined) throw new MapError(MapErrorCode.Truncated, 'input ends before END:BBODY', reader.bytes.length);
    const text = reader.text(line);
    const keyword = keywordOf(text);
    if (keyword === 'BEGIN:MSG') {
      if (length === undefined) throw new MapError(MapErrorCode.BadLength, 'no LENGTH before BEGIN:MSG', line.start);
      body.text = readContent(reader, line, length.value, length.at, body.charset);
      break;
    }
    if (keyword === 'END:BBODY') {
      if (length === undefined) throw new MapError(MapErrorCode.BadLength, 'body without LENGTH', begin.start);
      if (length.value !== 0) throw new MapError(MapErrorCode.BadLength, `LENGTH ${length.value} but no BEGIN:MSG`, length.at);
      return body;
    }
    if (keyword !== undefined) throw new MapError(MapErrorCode.BadBMessage, `${keyword} inside BBODY before BEGIN:MSG`, line.start);
    const prop = splitProperty(text);
    if (prop === undefined) throw new MapError(MapErrorCode.BadBMessage, `${JSON.stringify(text.slice(0, 40))} is not a property`, line.start);
    if (BODY_PROPERTIES.has(prop.name)) {
      if (seen.has(prop.name)) {
        const code = prop.name === 'LENGTH' ? MapErrorCode.BadLength : MapErrorCode.BadBMessage;
        throw new MapError(code, `${prop.name} twice in one body`, line.start);
      }
      seen.add(prop.name);
    }
    switch (prop.name) {
      case 'LENGTH':
        length = { value: parseLength(prop.value, line.start), at: line.start };
        break;
      case 'PARTID': {
        const id = prop.value.trim();
        if (!/^[0-9]{1,9}$/.test(id)) throw new MapError(MapErrorCode.BadBMessage, `PARTID ${JSON.stringify(id)} is not a number`, line.start);
        body.partId = Number(id);
        break;
      }
      case 'ENCODING':
        body.encoding = prop.value.trim();
        break;
      case 'CHARSET':
        body.charset = prop.value.trim();
        break;
      case 'LANGUAGE':
        body.language = prop.value.trim();
        break;
      default:
        break;
    }
  }
  const end = reader.nextNonBlank();
  if (end === undefined) throw new MapError(MapErrorCode.Truncated, 'input ends before END:BBODY', reader.bytes.length);
  if (keywordOf(reader.text(end)) !== 'END:BBODY') throw new MapError(MapErrorCode.BadBMessage, 'missing END:BBODY after the message content', end.start);
  return body;
}

function parseLength(value: string, at: number): number {
  const text = value.trim();
  if (text === '') throw new MapError(MapErrorCode.BadLength, 'LENGTH is empty', at);
  if (text.startsWith('-')) throw new MapError(MapErrorCode.BadLength, `LENGTH ${text} is negative`, at);
  if (!/^[0-9]{1,10}$/.test(text)) throw new MapError(MapErrorCode.BadLength, `LENGTH ${JSON.stringify(text.slice(0, 20))} is not a number`, at);
  return Number(text);
}

/**
 * Reads the content LENGTH frames, from the `BEGIN:MSG` line on; leaves the
 * reader after it. The region must end with an `END:MSG` line; inside, an
 * `END:MSG` line followed by a `BEGIN:MSG` line separates parts.
 */
function readContent(reader: LineReader, begin: Line, length: number, lengthAt: number, charset: string | undefined): string {
  const bytes = reader.bytes;
  const regionEnd = begin.start + length;
  if (regionEnd > bytes.length) {
    if (reader.findMarker(begin.next, 'END:BBODY') < 0) {
      throw new MapError(MapErrorCode.Truncated, `input ends inside the message content (LENGTH ${length})`, bytes.length);
    }
    throw new MapError(MapErrorCode.BadLength, `LENGTH ${length} runs past the end of the input`, lengthAt);
  }
  const lastStart = lastLineStart(bytes, begin.next, regionEnd);
  const last = lastStart === undefined ? undefined : reader.lineAt(lastStart, regionEnd);
  if (last === undefined || last.next !== regionEnd || bytes[regionEnd - 1] !== 0x0a || !reader.isMarker(last, 'END:MSG')) {
    throw new MapError(MapErrorCode.BadLength, `LENGTH ${length} does not end at an END:MSG line`, lengthAt);
  }
  // The content is what lies between the BEGIN:MSG line and the last END:MSG line, less the line break before END:MSG.
  let contentEnd = last.start;
  if (contentEnd > begin.next) contentEnd -= contentEnd - 2 >= begin.next && bytes[contentEnd - 2] === 0x0d ? 2 : 1;
  const parts: string[] = [];
  let partStart = begin.next;
  let line = reader.lineAt(partStart, contentEnd);
  while (line !== undefined) {
    const after = reader.lineAt(line.next, contentEnd);
    if (after !== undefined && reader.isMarker(line, 'END:MSG') && reader.isMarker(after, 'BEGIN:MSG')) {
      parts.push(partText(bytes, partStart, trimBreak(bytes, partStart, line.start), charset));
      partStart = after.next;
      line = reader.lineAt(after.next, contentEnd);
      continue;
    }
    line = after;
  }
  parts.push(partText(bytes, partStart, contentEnd, charset));
  reader.pos = regionEnd;
  return parts.join('\r\n');
}

/** Start of the last line of `from`..`end` (which ends in LF), or undefined when the region has no room for one. */
function lastLineStart(bytes: Uint8Array, from: number, end: number): number | undefined {
  if (end <= from) return undefined;
  const lf = bytes.lastIndexOf(0x0a, end - 2);
  return lf < from - 1 ? undefined : Math.max(lf + 1, from);
}

/** `end` less one trailing CRLF or LF (not below `start`). */
function trimBreak(bytes: Uint8Array, start: number, end: number): number {
  if (end > start && bytes[end - 1] === 0x0a) return end - 2 >= start && bytes[end - 2] === 0x0d ? end - 2 : end - 1;
  return end;
}

function partText(bytes: Uint8Array, start: number, end: number, charset: string | undefined): string {
  const slice = bytes.subarray(start, end);
  return isUtf8Charset(charset) ? utf8Text(slice, start, 'message text') : latin1Text(slice);
}

/** True for an absent CHARSET or UTF-8 (any case, with or without the hyphen). */
export function isUtf8Charset(charset: string | undefined): boolean {
  if (charset === undefined) return true;
  const name = charset.trim().toUpperCase();
  return name === 'UTF-8' || name === 'UTF8';
}

/**
 * Encodes a bMessage. Throws MapError map.bad-value for what cannot be
 * written as given: line breaks in single-line values, lone surrogates,
 * envelopes deeper than 3, text outside Latin-1 under a non-UTF-8 CHARSET,
 * or a text holding an `END:MSG` line followed by a `BEGIN:MSG` line.
 */
export function encodeBMessage(message: BMessage): Uint8Array {
  const chunks: Uint8Array[] = [];
  const encoder = new TextEncoder();
  const lines = (list: readonly string[]): void => {
    for (const line of list) chunks.push(encoder.encode(`${line}\r\n`));
  };
  if (message.status !== 'READ' && message.status !== 'UNREAD') throw bad(`status ${String(message.status)} is not READ or UNREAD`);
  lines(['BEGIN:BMSG', prop('VERSION', message.version), prop('STATUS', message.status), prop('TYPE', message.type), prop('FOLDER', message.folder)]);
  for (const originator of message.originators) lines(partyLines(originator));
  const writeEnvelope = (envelope: BMessageEnvelope, depth: number): void => {
    if (depth > MAX_ENVELOPE_DEPTH) throw bad(`envelopes nested deeper than ${MAX_ENVELOPE_DEPTH}`);
    lines(['BEGIN:BENV']);
    for (const recipient of envelope.recipients) lines(partyLines(recipient));
    if (envelope.content.kind === 'envelope') {
      writeEnvelope(envelope.content.envelope, depth + 1);
    } else {
      const body = envelope.content.body;
      const text = textBytes(body);
      lines(['BEGIN:BBODY']);
      if (body.partId !== undefined) {
        if (!Number.isInteger(body.partId) || body.partId < 0 || body.partId > 999_999_999) throw bad(`partId ${body.partId} is not 0..999999999`);
        lines([`PARTID:${body.partId}`]);
      }
      if (body.encoding !== undefined) lines([prop('ENCODING', body.encoding)]);
      if (body.charset !== undefined) lines([prop('CHARSET', body.charset)]);
      if (body.language !== undefined) lines([prop('LANGUAGE', body.language)]);
      lines([`LENGTH:${text.length + BMESSAGE_LENGTH_OVERHEAD}`]);
      chunks.push(encoder.encode(MSG_HEAD), text, encoder.encode(MSG_TAIL));
      lines(['END:BBODY']);
    }
    lines(['END:BENV']);
  };
  writeEnvelope(message.envelope, 1);
  lines(['END:BMSG']);
  return concat(chunks);
}

/** The LENGTH value for a text in a charset: its bytes plus 22. */
export function bMessageContentLength(text: string, charset?: string): number {
  return textBytes({ text, ...(charset === undefined ? {} : { charset }) }).length + BMESSAGE_LENGTH_OVERHEAD;
}

function textBytes(body: BMessageBody): Uint8Array {
  if (hasPartBoundary(body.text)) throw bad('text holds an END:MSG line followed by a BEGIN:MSG line (a part boundary)');
  if (isUtf8Charset(body.charset)) {
    if (hasLoneSurrogate(body.text)) throw bad('text holds a lone surrogate');
    return new TextEncoder().encode(body.text);
  }
  const out = new Uint8Array(body.text.length);
  for (let i = 0; i < body.text.length; i++) {
    const code = body.text.charCodeAt(i);
    if (code > 0xff) throw bad(`text holds U+${code.toString(16).toUpperCase().padStart(4, '0')}, outside Latin-1 (CHARSET ${body.charset})`);
    out[i] = code;
  }
  return out;
}

/** A single-line property; decoding trims values, so surrounding white space could not survive. */
function prop(name: string, value: string): string {
  if (/[\r\n]/.test(value)) throw bad(`${name} holds a line break`);
  if (value !== value.trim()) throw bad(`${name} ${JSON.stringify(value)} has white space around it`);
  if (hasLoneSurrogate(value)) throw bad(`${name} holds a lone surrogate`);
  return `${name}:${value}`;
}

function bad(why: string): MapError {
  return new MapError(MapErrorCode.BadValue, `bMessage: ${why}`);
}

function concat(chunks: readonly Uint8Array[]): Uint8Array {
  let total = 0;
  for (const c of chunks) total += c.length;
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** The innermost body. */
export function bMessageBody(message: BMessage): BMessageBody {
  let envelope = message.envelope;
  while (envelope.content.kind === 'envelope') envelope = envelope.content.envelope;
  return envelope.content.body;
}

/** Every recipient, outermost envelope first. */
export function bMessageRecipients(message: BMessage): BMessageParty[] {
  const out: BMessageParty[] = [];
  let envelope: BMessageEnvelope | undefined = message.envelope;
  while (envelope !== undefined) {
    out.push(...envelope.recipients);
    envelope = envelope.content.kind === 'envelope' ? envelope.content.envelope : undefined;
  }
  return out;
}

/** A one-envelope message with one text body (CHARSET UTF-8 unless given), as PushMessage sends and an MSE returns for an SMS. */
export function simpleBMessage(input: {
  type: MessageType;
  status?: ReadStatus;
  folder: string;
  originator?: BMessageParty;
  recipients: BMessageParty[];
  text: string;
  charset?: string;
}): BMessage {
  return {
    version: '1.0',
    status: input.status ?? 'UNREAD',
    type: input.type,
    folder: input.folder,
    originators: input.originator === undefined ? [] : [input.originator],
    envelope: {
      recipients: input.recipients,
      content: { kind: 'body', body: { charset: input.charset ?? 'UTF-8', text: input.text } },
    },
  };
}
