/**
 * `parseVcards`: a stream of vCards (text, or bytes in any mix of charsets)
 * to typed `Vcard`s. Forgiving where real phones are sloppy (any case in
 * names, LF, CR or CR CR LF line ends, blank and `#` comment lines, a missing
 * VERSION read as 2.1, unfolded continuation lines, base64 with or without the
 * blank line after it, numeric TEL types), strict where data would be lost (a
 * bad VERSION, invalid base64, a quoted-printable value cut off by the end of
 * the input, an unknown CHARSET, a missing END unless asked to allow it), and
 * bounded: input size, line length, properties per card, cards, nesting.
 */
import { isUtf8 } from 'node:buffer';
import { VcardError, VcardErrorCode } from './errors';
import { decodeParamText, decodeStoredValue } from './decode';
import { LineReader, isBlank, isFolded, readContentLine, type ContentLineHooks } from './lines';
import { Vcard, type VcardProperty, type VcardVersion } from './model';
import { interpretText, looksLikeProperty, parseHead, type ContentLineHead } from './property';
import { VCARD_MAX_INPUT_BYTES, VCARD_MAX_LINE_LENGTH, VCARD_MAX_PROPERTIES_PER_CARD, VCARD_MAX_CARDS, VCARD_MAX_DEPTH } from '../../limits';

export interface VcardLimits {
  /** Largest input accepted, in bytes (UTF-8 bytes for text input). */
  maxInputBytes: number;
  /** Longest content line after unfolding, in characters (a base64 photo is one line). */
  maxLineLength: number;
  /** Most properties in one card. */
  maxPropertiesPerCard: number;
  /** Most cards in one input, nested ones included. */
  maxCards: number;
  /** Deepest nesting of cards; 1 allows no BEGIN:VCARD inside a card. */
  maxDepth: number;
}

export const DEFAULT_VCARD_LIMITS: Readonly<VcardLimits> = {
  maxInputBytes: VCARD_MAX_INPUT_BYTES,
  maxLineLength: VCARD_MAX_LINE_LENGTH,
  maxPropertiesPerCard: VCARD_MAX_PROPERTIES_PER_CARD,
  maxCards: VCARD_MAX_CARDS,
  maxDepth: VCARD_MAX_DEPTH,
};

export interface VcardParseOptions extends Partial<VcardLimits> {
  /** Accept a card cut off by the end of the input as if END:VCARD followed (default false: vcard.no-end). */
  allowMissingEnd?: boolean;
}

interface Source {
  text: string;
  /** True when `text` holds bytes, one char each (input given as bytes). */
  binary: boolean;
  byteOffset(index: number): number;
}

interface RawProperty {
  head: ContentLineHead;
  value: string;
  offset: number;
}

interface Context {
  reader: LineReader;
  source: Source;
  limits: VcardLimits;
  allowMissingEnd: boolean;
  cardCount: number;
  /** Set by `hooks.form` for the content line being read. */
  head: ContentLineHead | undefined;
  hooks: ContentLineHooks;
  /** What `readLine` found: the content line's text and where it starts. */
  text: string;
  offset: number;
}

const BEGIN = 0;
const END = 1;
const PROPERTY = 2;

/** Parses every card in `input`. Throws only VcardError. */
export function parseVcards(input: string | Uint8Array, options: VcardParseOptions = {}): Vcard[] {
  const limits: VcardLimits = {
    maxInputBytes: options.maxInputBytes ?? DEFAULT_VCARD_LIMITS.maxInputBytes,
    maxLineLength: options.maxLineLength ?? DEFAULT_VCARD_LIMITS.maxLineLength,
    maxPropertiesPerCard: options.maxPropertiesPerCard ?? DEFAULT_VCARD_LIMITS.maxPropertiesPerCard,
    maxCards: options.maxCards ?? DEFAULT_VCARD_LIMITS.maxCards,
    maxDepth: options.maxDepth ?? DEFAULT_VCARD_LIMITS.maxDepth,
  };
  const source = toSource(input, limits.maxInputBytes);
  const reader = new LineReader(source.text, (i) => source.byteOffset(i));
  const ctx: Context = {
    reader,
    source,
    limits,
    allowMissingEnd: options.allowMissingEnd === true,
    cardCount: 0,
    head: undefined,
    hooks: {
      form: (unfolded) => {
        const head = parseHead(unfolded);
        ctx.head = head;
        if (head === undefined) return 'text';
        if (head.encoding === 'QUOTED-PRINTABLE') return 'quoted-printable';
        return head.encoding === 'B' || head.encoding === 'BASE64' ? 'base64' : 'text';
      },
      continues: (line) => ctx.head !== undefined && ctx.head.name !== 'BEGIN' && ctx.head.name !== 'END' && isContinuation(line),
    },
    text: '',
    offset: 0,
  };
  const cards: Vcard[] = [];
  for (let first = nextMeaningfulLine(reader); first !== undefined; first = nextMeaningfulLine(reader)) {
    if (readLine(ctx, first) !== BEGIN) throw new VcardError(VcardErrorCode.NoBegin, 'expected BEGIN:VCARD', source.byteOffset(ctx.offset));
    cards.push(parseCard(ctx, 1));
  }
  return cards;
}

/** Parses the single card in `input`; vcard.no-begin when there is none, vcard.bad-line when there are more. */
export function parseVcard(input: string | Uint8Array, options: VcardParseOptions = {}): Vcard {
  const cards = parseVcards(input, options);
  const card = cards[0];
  if (card === undefined) throw new VcardError(VcardErrorCode.NoBegin, 'no vCard in the input', 0);
  if (cards.length > 1) throw new VcardError(VcardErrorCode.BadLine, `expected one vCard, found ${cards.length}`, 0);
  return card;
}

function toSource(input: string | Uint8Array, maxInputBytes: number): Source {
  if (typeof input === 'string') {
    const size = input.length > maxInputBytes ? input.length : Buffer.byteLength(input, 'utf8');
    if (size > maxInputBytes) {
      throw new VcardError(VcardErrorCode.TooLarge, `input of ${size} bytes is over the ${maxInputBytes}-byte limit`, 0);
    }
    const skip = input.charCodeAt(0) === 0xfeff ? 1 : 0;
    const text = trimTrailingNuls(skip === 0 ? input : input.slice(1));
    return { text, binary: false, byteOffset: (i) => skip * 3 + Buffer.byteLength(text.slice(0, i), 'utf8') };
  }
  if (input.length > maxInputBytes) {
    throw new VcardError(VcardErrorCode.TooLarge, `input of ${input.length} bytes is over the ${maxInputBytes}-byte limit`, 0);
  }
  const skip = input[0] === 0xef && input[1] === 0xbb && input[2] === 0xbf ? 3 : 0;
  const bytes = Buffer.from(input.buffer, input.byteOffset + skip, input.length - skip);
  if (isUtf8(bytes) && bytes.indexOf('HARSET') < 0 && bytes.indexOf('harset') < 0) {
    // All UTF-8 and no CHARSET anywhere: read it as text, which is quicker and means the same.
    const text = trimTrailingNuls(bytes.toString('utf8'));
    return { text, binary: false, byteOffset: (i) => skip + Buffer.byteLength(text.slice(0, i), 'utf8') };
  }
  return { text: trimTrailingNuls(bytes.toString('latin1')), binary: true, byteOffset: (i) => skip + i };
}

/** Some phones end an object with NULs; they are not content. */
function trimTrailingNuls(text: string): string {
  let end = text.length;
  while (end > 0 && text.charCodeAt(end - 1) === 0) end--;
  return end === text.length ? text : text.slice(0, end);
}

/** The next line that is neither blank nor a `#` comment, leading whitespace removed. */
function nextMeaningfulLine(reader: LineReader): string | undefined {
  for (let line = reader.next(); line !== undefined; line = reader.next()) {
    if (isBlank(line)) continue;
    const text = isFolded(line) ? line.trimStart() : line;
    if (text.charCodeAt(0) !== 0x23 /* # */) return text;
  }
  return undefined;
}

/** True for `BEGIN:VCARD` / `END:VCARD` in any case, with stray spaces around the parts. */
function isMarker(line: string, marker: 'BEGIN' | 'END'): boolean {
  const c = line.charCodeAt(0) | 0x20;
  if (c !== (marker === 'BEGIN' ? 0x62 /* b */ : 0x65) /* e */ || line.length > 32) return false;
  if (line === (marker === 'BEGIN' ? 'BEGIN:VCARD' : 'END:VCARD')) return true;
  const colon = line.indexOf(':');
  return (
    colon > 0 &&
    line.slice(0, colon).trim().toUpperCase() === marker &&
    line.slice(colon + 1).trim().toUpperCase() === 'VCARD'
  );
}

/** A line that is not a comment, not a marker and does not start like a property continues the value before it. */
function isContinuation(line: string): boolean {
  return line.charCodeAt(0) !== 0x23 /* # */ && !looksLikeProperty(line) && !isMarker(line, 'END') && !isMarker(line, 'BEGIN');
}

/**
 * Reads the content line starting with `first`: BEGIN or END for a
 * BEGIN:VCARD or END:VCARD marker, else PROPERTY with `ctx.head` (undefined
 * when the line is not a property), `ctx.text` and `ctx.offset` set.
 */
function readLine(ctx: Context, first: string): number {
  const { reader } = ctx;
  ctx.offset = reader.lineStart;
  if (isMarker(first, 'BEGIN')) return BEGIN;
  if (isMarker(first, 'END')) return END;
  ctx.head = undefined;
  const text = readContentLine(reader, first, ctx.limits.maxLineLength, ctx.hooks);
  ctx.text = text;
  const head = ctx.head as ContentLineHead | undefined;
  if (head !== undefined && (head.name === 'BEGIN' || head.name === 'END')) {
    // A folded marker: `BEGIN:VC` + CRLF + ` ARD`.
    if (text.slice(head.valueStart).trim().toUpperCase() === 'VCARD') return head.name === 'BEGIN' ? BEGIN : END;
  }
  return PROPERTY;
}

/** Reads one card after its BEGIN line, through its END line. */
function parseCard(ctx: Context, depth: number): Vcard {
  const { reader, limits } = ctx;
  if (++ctx.cardCount > limits.maxCards) {
    throw reader.error(VcardErrorCode.TooLarge, `more than ${limits.maxCards} cards`);
  }
  const properties: VcardProperty[] = [];
  /** Properties read before the VERSION line, decoded once the version is known. */
  let early: RawProperty[] | undefined;
  const nested: Vcard[] = [];
  let version: VcardVersion | undefined;
  for (;;) {
    const first = nextMeaningfulLine(reader);
    if (first === undefined) {
      if (ctx.allowMissingEnd) break;
      throw new VcardError(VcardErrorCode.NoEnd, 'input ended inside a vCard', ctx.source.byteOffset(ctx.source.text.length));
    }
    const kind = readLine(ctx, first);
    if (kind === END) break;
    if (kind === BEGIN) {
      if (depth >= limits.maxDepth) {
        throw reader.error(VcardErrorCode.TooDeep, `vCards nested more than ${limits.maxDepth} deep`);
      }
      nested.push(parseCard(ctx, depth + 1));
      continue;
    }
    const { head, text, offset } = ctx;
    if (head === undefined) {
      throw new VcardError(VcardErrorCode.BadLine, 'not a vCard content line', ctx.source.byteOffset(offset));
    }
    if (head.name === 'VERSION') {
      version = checkVersion(ctx, text.slice(head.valueStart), version, offset);
      continue;
    }
    if (head.name === 'BEGIN' || head.name === 'END') {
      const code = head.name === 'END' ? VcardErrorCode.NoEnd : VcardErrorCode.BadLine;
      throw new VcardError(code, `unexpected ${head.name} line inside a vCard`, ctx.source.byteOffset(offset));
    }
    if (properties.length + (early?.length ?? 0) >= limits.maxPropertiesPerCard) {
      throw new VcardError(VcardErrorCode.TooLarge, `more than ${limits.maxPropertiesPerCard} properties in a card`, ctx.source.byteOffset(offset));
    }
    const value = text.slice(head.valueStart);
    if (version === undefined) (early ??= []).push({ head, value, offset });
    else properties.push(buildProperty(ctx, head, value, offset, version));
  }
  const cardVersion = version ?? '2.1';
  if (early !== undefined) {
    const decoded = early.map((raw) => buildProperty(ctx, raw.head, raw.value, raw.offset, cardVersion));
    properties.unshift(...decoded);
  }
  return new Vcard(cardVersion, properties, nested);
}

function checkVersion(ctx: Context, value: string, current: VcardVersion | undefined, offset: number): VcardVersion {
  const version = value.trim();
  if (version !== '2.1' && version !== '3.0' && version !== '4.0') {
    throw new VcardError(VcardErrorCode.BadVersion, `unsupported VERSION ${JSON.stringify(version.slice(0, 40))}`, ctx.source.byteOffset(offset));
  }
  if (current !== undefined && current !== version) {
    throw new VcardError(VcardErrorCode.BadVersion, `VERSION ${version} after VERSION ${current}`, ctx.source.byteOffset(offset));
  }
  return version;
}

function buildProperty(ctx: Context, head: ContentLineHead, raw: string, offset: number, version: VcardVersion): VcardProperty {
  const binary = ctx.source.binary;
  const stored = decodeStoredValue(raw, head.encoding, head.charset, binary, () => ctx.source.byteOffset(offset));
  const value = typeof stored === 'string' ? interpretText(stored, head.name, version) : stored;
  const params = binary
    ? head.params.map((p) => ({ name: p.name, values: p.values.map((v) => decodeParamText(v, true)) }))
    : head.params;
  const property: VcardProperty = { name: head.name, params, value };
  if (head.group !== undefined) property.group = head.group;
  return property;
}
