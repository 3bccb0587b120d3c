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
import { escapeAttribute, expandXmlEntities, isXmlRecord, parseXmlText, type XmlFail } from '../xml-document';
import { PbapError, PbapErrorCode } from './errors';
import { PBAP_LISTING_MAX_BYTES, PBAP_LISTING_MAX_CARDS } from '../../limits';

export { escapeAttribute } from '../xml-document';

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

export const DEFAULT_LISTING_LIMITS: Readonly<ListingLimits> = { maxBytes: PBAP_LISTING_MAX_BYTES, maxCards: PBAP_LISTING_MAX_CARDS };

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

/** Malformed XML, or a character reference to no XML character, is pbap.bad-listing. */
const badListing: XmlFail = (message, offset) => new PbapError(PbapErrorCode.BadListing, message, offset);

/** Decodes a listing from text or UTF-8 bytes. Throws PbapError, nothing else. */
export function decodeVcardListing(input: string | Uint8Array, limits: Partial<ListingLimits> = {}): VcardListing {
  const { maxBytes, maxCards } = { ...DEFAULT_LISTING_LIMITS, ...limits };
  const text = toText(input, maxBytes);
  const doc = parseXmlText(text, { attributePrefix: '', isArrayTag: (tagName) => tagName === 'card', fail: badListing });
  const root = rootElement(doc);
  if (root === undefined) throw new PbapError(PbapErrorCode.BadListing, 'no <vCard-listing> element', 0);
  const version = typeof root.version === 'string' ? expandEntities(root.version) : '1.0';
  const rawCards = root.card;
  const list: unknown[] = rawCards === undefined ? [] : Array.isArray(rawCards) ? rawCards : [rawCards];
  if (list.length > maxCards) throw new PbapError(PbapErrorCode.TooLarge, `${list.length} cards, more than ${maxCards}`, 0);
  const cards = list.map((raw, i): VcardListingCard => {
    if (!isXmlRecord(raw) || typeof raw.handle !== 'string') {
      throw new PbapError(PbapErrorCode.BadListing, `card ${i} has no handle attribute`, 0);
    }
    const name = typeof raw.name === 'string' ? expandEntities(raw.name) : '';
    return { handle: expandEntities(raw.handle), name };
  });
  return { version, cards };
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

/** The `vCard-listing` element (name compared without case, as some PSEs vary it). */
function rootElement(doc: unknown): Record<string, unknown> | undefined {
  if (!isXmlRecord(doc)) return undefined;
  for (const [key, value] of Object.entries(doc)) {
    if (key.toLowerCase() !== 'vcard-listing') continue;
    if (isXmlRecord(value)) return value;
    // `<vCard-listing></vCard-listing>` with no attributes parses to a string.
    if (typeof value === 'string') return {};
  }
  return undefined;
}

/** Expands the five predefined entities and character references; a reference to no XML character is pbap.bad-listing. */
function expandEntities(text: string): string {
  return expandXmlEntities(text, badListing);
}
