/**
 * The vCard-listing object (PullvCardListing's body):
 * `<vCard-listing version="1.0"><card handle="0.vcf" name="Doe;John"/>...</vCard-listing>`.
 * Encoding is plain string building, in pieces (head, one line per card,
 * tail) so a server can stream a long listing; attribute values are
 * XML-escaped. Decoding uses fast-xml-parser with entity processing off
 * (we expand the five predefined entities and character references
 * ourselves, so no DOCTYPE can define entities) and tolerates an XML
 * declaration, a DOCTYPE line, whitespace and `name = "..."` spacing.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { PbapError, PbapErrorCode } from './errors';

export interface VcardListingCard {
  /** Object name of the entry, e.g. `0.vcf`. */
  handle: string;
  /** The contact's name as the PSE lists it (usually the N value, `Doe;John`); '' when absent. */
  name: string;
}

export interface VcardListing {
  /** The `version` attribute; '1.0' when absent. */
  version: string;
  cards: VcardListingCard[];
}

export interface ListingLimits {
  /** Most bytes (UTF-8) of input. Default 16 MiB. */
  maxBytes: number;
  /** Most cards. Default 100,000. */
  maxCards: number;
}

export const DEFAULT_LISTING_LIMITS: Readonly<ListingLimits> = { maxBytes: 16 * 1024 * 1024, maxCards: 100_000 };

/** What a listing starts with (XML declaration, DOCTYPE, the opening tag). */
export const VCARD_LISTING_HEAD =
  '<?xml version="1.0"?>\r\n<!DOCTYPE vcard-listing SYSTEM "vcard-listing.dtd">\r\n<vCard-listing version="1.0">\r\n';
/** What a listing ends with. */
export const VCARD_LISTING_TAIL = '</vCard-listing>\r\n';

/** One `<card .../>` line, CRLF included. */
export function vcardListingCardLine(card: VcardListingCard): string {
  return `<card handle="${escapeAttribute(card.handle)}" name="${escapeAttribute(card.name)}"/>\r\n`;
}

/** A whole listing as text. */
export function encodeVcardListing(cards: readonly VcardListingCard[]): string {
  const parts = [VCARD_LISTING_HEAD];
  for (const card of cards) parts.push(vcardListingCardLine(card));
  parts.push(VCARD_LISTING_TAIL);
  return parts.join('');
}

/**
 * XML-escapes an attribute value. Tab, CR and LF become character
 * references (so readers do not normalise them to spaces); characters
 * XML 1.0 cannot carry at all (other C0 controls, lone surrogates,
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

/** Decodes a listing from text or UTF-8 bytes. Throws PbapError, nothing else. */
export function decodeVcardListing(input: string | Uint8Array, limits: Partial<ListingLimits> = {}): VcardListing {
  const { maxBytes, maxCards } = { ...DEFAULT_LISTING_LIMITS, ...limits };
  const text = toText(input, maxBytes);
  const verdict = XMLValidator.validate(text);
  if (verdict !== true) {
    const { line, col, msg } = verdict.err;
    throw new PbapError(PbapErrorCode.BadListing, `not well-formed XML: ${msg}`, byteOffsetOf(text, line, col));
  }
  let doc: unknown;
  try {
    doc = parser().parse(text);
  } catch (err) {
    throw new PbapError(PbapErrorCode.BadListing, `XML parser failed: ${err instanceof Error ? err.message : String(err)}`, 0);
  }
  const root = rootElement(doc);
  if (root === undefined) throw new PbapError(PbapErrorCode.BadListing, 'no <vCard-listing> element', 0);
  const version = typeof root.version === 'string' ? expandEntities(root.version) : '1.0';
  const rawCards = root.card;
  const list: unknown[] = rawCards === undefined ? [] : Array.isArray(rawCards) ? rawCards : [rawCards];
  if (list.length > maxCards) throw new PbapError(PbapErrorCode.TooLarge, `${list.length} cards, more than ${maxCards}`, 0);
  const cards = list.map((raw, i): VcardListingCard => {
    if (!isRecord(raw) || typeof raw.handle !== 'string') {
      throw new PbapError(PbapErrorCode.BadListing, `card ${i} has no handle attribute`, 0);
    }
    const name = typeof raw.name === 'string' ? expandEntities(raw.name) : '';
    return { handle: expandEntities(raw.handle), name };
  });
  return { version, cards };
}

function parser(): XMLParser {
  return new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '',
    processEntities: false,
    trimValues: false,
    parseAttributeValue: false,
    parseTagValue: false,
    ignoreDeclaration: true,
    ignorePiTags: true,
    isArray: (tagName) => tagName === 'card',
  });
}

function toText(input: string | Uint8Array, maxBytes: number): string {
  if (typeof input === 'string') {
    if (input.length > maxBytes) throw new PbapError(PbapErrorCode.TooLarge, `listing longer than ${maxBytes} bytes`, maxBytes);
    return input.replace(/^\uFEFF/, '');
  }
  if (input.length > maxBytes) throw new PbapError(PbapErrorCode.TooLarge, `listing longer than ${maxBytes} bytes`, maxBytes);
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(input);
  } catch {
    throw new PbapError(PbapErrorCode.BadText, 'listing is not valid UTF-8', 0);
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The `vCard-listing` element (name compared without case, as some PSEs vary it). */
function rootElement(doc: unknown): Record<string, unknown> | undefined {
  if (!isRecord(doc)) return undefined;
  for (const [key, value] of Object.entries(doc)) {
    if (key.toLowerCase() !== 'vcard-listing') continue;
    if (isRecord(value)) return value;
    // `<vCard-listing></vCard-listing>` with no attributes parses to a string.
    if (typeof value === 'string') return {};
  }
  return undefined;
}

const PREDEFINED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** Expands the five predefined entities and character references in one pass; other `&name;` stay as written. */
function expandEntities(text: string): string {
  return text.replace(/&(#x[0-9A-Fa-f]{1,8}|#[0-9]{1,10}|[A-Za-z][A-Za-z0-9]{0,31});/g, (whole, ref: string) => {
    if (ref.startsWith('#')) {
      const code = ref[1] === 'x' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      if (!isXmlChar(code)) {
        throw new PbapError(PbapErrorCode.BadListing, `character reference ${whole} names no XML character`, 0);
      }
      return String.fromCodePoint(code);
    }
    return PREDEFINED[ref] ?? whole;
  });
}

/** XML 1.0 Char production. */
function isXmlChar(code: number): boolean {
  if (code === 0x9 || code === 0xa || code === 0xd) return true;
  if (code >= 0x20 && code <= 0xd7ff) return true;
  if (code >= 0xe000 && code <= 0xfffd) return true;
  return code >= 0x10000 && code <= 0x10ffff;
}

/** UTF-8 byte offset of 1-based line and column in `text` (best effort). */
function byteOffsetOf(text: string, line: number, col: number): number {
  let at = 0;
  for (let l = 1; l < line; l++) {
    const next = text.indexOf('\n', at);
    if (next < 0) break;
    at = next + 1;
  }
  const end = Math.min(text.length, at + Math.max(0, col - 1));
  return Buffer.byteLength(text.slice(0, end), 'utf8');
}
