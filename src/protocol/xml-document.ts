/**
 * The fast-xml-parser plumbing the profile XML codecs share (PBAP's vCard
 * listing, MAP's listings and event reports): validate-then-parse with
 * entity processing off and every parser failure turned into the caller's
 * own error, our own expansion of the five predefined entities and
 * character references (so a DOCTYPE cannot define entities), attribute
 * escaping, and the XML 1.0 character test. Pure; no I/O.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';

/** Builds the caller's error (a ProtocolError subclass) for malformed XML at a byte offset. */
export type XmlFail = (message: string, offset: number) => Error;

export interface XmlParseOptions {
  /** Prefix of attribute keys in the parsed object ('' mixes them with child names). */
  attributePrefix: string;
  /** Element names that always parse to arrays, even when they appear once. */
  isArrayTag: (tagName: string) => boolean;
  fail: XmlFail;
}

/**
 * Checks `text` is well-formed XML, then parses it to fast-xml-parser's
 * object form with entities, declarations and processing instructions left
 * alone and all values kept as strings. Every failure goes through `fail`.
 */
export function parseXmlText(text: string, options: XmlParseOptions): unknown {
  const { fail } = options;
  let verdict: ReturnType<typeof XMLValidator.validate>;
  try {
    verdict = XMLValidator.validate(text);
  } catch (err) {
    throw fail(`XML validator failed: ${messageOf(err)}`, 0);
  }
  if (verdict !== true) {
    const { line, col, msg } = verdict.err;
    throw fail(`not well-formed XML: ${msg}`, xmlByteOffset(text, line, col));
  }
  try {
    return new XMLParser({
      ignoreAttributes: false,
      attributeNamePrefix: options.attributePrefix,
      processEntities: false,
      htmlEntities: false,
      trimValues: false,
      parseAttributeValue: false,
      parseTagValue: false,
      ignoreDeclaration: true,
      ignorePiTags: true,
      isArray: (tagName, _path, _leaf, isAttribute) => !isAttribute && options.isArrayTag(tagName),
    }).parse(text);
  } catch (err) {
    throw fail(`XML parser failed: ${messageOf(err)}`, 0);
  }
}

/**
 * XML-escapes an attribute value: the five specials as entities; tab, CR
 * and LF as character references (so readers do not fold them to spaces);
 * characters XML 1.0 cannot carry (other C0 controls, lone surrogates,
 * U+FFFE/U+FFFF) become U+FFFD.
 */
export function escapeAttribute(text: string): string {
  let out = '';
  for (const ch of text) {
    const code = ch.codePointAt(0) as number;
    switch (ch) {
      case '&':
        out += '&amp;';
        break;
      case '<':
        out += '&lt;';
        break;
      case '>':
        out += '&gt;';
        break;
      case '"':
        out += '&quot;';
        break;
      case "'":
        out += '&apos;';
        break;
      case '\t':
      case '\n':
      case '\r':
        out += `&#${code};`;
        break;
      default:
        out += isXmlChar(code) ? ch : '\uFFFD';
    }
  }
  return out;
}

const PREDEFINED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/**
 * Expands the five predefined entities and character references in one
 * pass; other `&name;` stay as written. A character reference to no XML
 * character goes through `fail` (offset 0).
 */
export function expandXmlEntities(text: string, fail: XmlFail): string {
  return ownString(
    text.replace(/&(#x[0-9A-Fa-f]{1,8}|#[0-9]{1,10}|[A-Za-z][A-Za-z0-9]{0,31});/g, (whole, ref: string) => {
    if (ref.startsWith('#')) {
      const code = ref[1] === 'x' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      if (!isXmlChar(code)) throw fail(`character reference ${whole} names no XML character`, 0);
      return String.fromCodePoint(code);
    }
    return PREDEFINED[ref] ?? whole;
  }),
  );
}

/**
 * A copy of `text` that holds no reference to a larger string. V8 may keep a
 * substring as a slice of its parent, so an attribute value kept for long
 * (an inbox entry's date text) would keep the whole listing document alive.
 */
export function ownString(text: string): string {
  return text.length === 0 ? '' : Buffer.from(text, 'utf8').toString('utf8');
}

/** XML 1.0 Char production. */
export function isXmlChar(code: number): boolean {
  if (code === 0x9 || code === 0xa || code === 0xd) return true;
  if (code >= 0x20 && code <= 0xd7ff) return true;
  if (code >= 0xe000 && code <= 0xfffd) return true;
  return code >= 0x10000 && code <= 0x10ffff;
}

/** A parsed object node (not an array, not null). */
export function isXmlRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** UTF-8 byte offset of 1-based line and column in `text` (best effort). */
export function xmlByteOffset(text: string, line: number, col: number): number {
  let at = 0;
  for (let l = 1; l < line; l++) {
    const next = text.indexOf('\n', at);
    if (next < 0) break;
    at = next + 1;
  }
  const end = Math.min(text.length, at + Math.max(0, col - 1));
  return Buffer.byteLength(text.slice(0, end), 'utf8');
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
