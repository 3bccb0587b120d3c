/**
 * The MAP Messages-Listing (`x-bt/MAP-msg-listing`:
 * `<MAP-msg-listing version="1.0"><msg handle="..." .../>...</MAP-msg-listing>`)
 * and the folder listing (`x-obex/folder-listing`:
 * `<folder-listing version="1.0"><folder name="inbox"/>...</folder-listing>`),
 * both ways through fast-xml-parser. Attributes we know are typed; others
 * are kept in `other`. Element names are matched without case; folder
 * names are kept as sent (compare them with `sameFolder`).
 */
import { MapError, MapErrorCode } from './errors';
import type { FolderListing, MessageListing, MessageListingEntry } from './types';
import { buildXmlDocument, childElements, DEFAULT_XML_LIMITS, parseXmlRoot, type XmlLimits } from './xml';

export { DEFAULT_XML_LIMITS, type XmlLimits } from './xml';

/** The root element names. */
export const MESSAGE_LISTING_ROOT = 'MAP-msg-listing';
export const FOLDER_LISTING_ROOT = 'folder-listing';

/** `<msg>` string attributes, in the order the encoder writes them (handle first, numbers in their places). */
const MSG_ATTRIBUTES = [
  'handle',
  'subject',
  'datetime',
  'sender_name',
  'sender_addressing',
  'replyto_addressing',
  'recipient_name',
  'recipient_addressing',
  'type',
  'size',
  'text',
  'reception_status',
  'attachment_size',
  'priority',
  'read',
  'sent',
  'protected',
  'delivery_status',
  'conversation_id',
  'conversation_name',
  'direction',
  'attachment_mime_types',
] as const;

type MsgAttribute = (typeof MSG_ATTRIBUTES)[number];
type NumericAttribute = 'size' | 'attachment_size';
type StringAttribute = Exclude<MsgAttribute, NumericAttribute | 'handle'>;

const KNOWN = new Set<string>(MSG_ATTRIBUTES);
const NUMERIC = new Set<string>(['size', 'attachment_size']);

/** A message handle: 1 to 16 hex digits. */
const HANDLE = /^[0-9A-Fa-f]{1,16}$/;
/** A size: decimal digits (a safe integer). */
const DECIMAL = /^[0-9]{1,15}$/;

/** True when `text` is a MAP message handle (1-16 hex digits). */
export function isMessageHandle(text: string): boolean {
  return HANDLE.test(text);
}

/**
 * Decodes a Messages-Listing. Throws MapError: map.too-large (bytes or
 * entries over the limits), map.bad-text, map.bad-listing (malformed XML,
 * another root, a `<msg>` without a handle, a handle that is not hex, a
 * size that is not a number).
 */
export function decodeMessageListing(bytes: Uint8Array, limits: Partial<XmlLimits> = {}): MessageListing {
  const { maxBytes, maxEntries } = { ...DEFAULT_XML_LIMITS, ...limits };
  const doc = parseXmlRoot(bytes, MESSAGE_LISTING_ROOT, ['msg'], MapErrorCode.BadListing, maxBytes);
  const version = doc.root.attributes.get('version') ?? '1.0';
  const raw = doc.root.children.get('msg') ?? [];
  if (raw.length > maxEntries) throw new MapError(MapErrorCode.TooLarge, `${raw.length} messages, more than ${maxEntries}`, doc.offsetOf('msg', maxEntries));
  const messages = childElements(doc.root, 'msg', MapErrorCode.BadListing).map((element, i) => {
    const bad = (why: string): MapError => new MapError(MapErrorCode.BadListing, `msg ${i}: ${why}`, doc.offsetOf('msg', i));
    const handle = element.attributes.get('handle');
    if (handle === undefined) throw bad('no handle attribute');
    if (!HANDLE.test(handle)) throw bad(`handle ${JSON.stringify(handle)} is not 1-16 hex digits`);
    const entry: MessageListingEntry = { handle };
    const fields = entry as unknown as Record<string, string | number>;
    const other: Array<[string, string]> = [];
    for (const [name, value] of element.attributes) {
      if (name === 'handle') continue;
      if (NUMERIC.has(name)) {
        const trimmed = value.trim();
        if (!DECIMAL.test(trimmed)) throw bad(`${name} ${JSON.stringify(value)} is not a number`);
        fields[name] = Number(trimmed);
      } else if (KNOWN.has(name)) {
        fields[name] = value;
      } else {
        other.push([name, value]);
      }
    }
    // fromEntries defines own properties, so even `__proto__` stays a plain key.
    if (other.length > 0) entry.other = Object.fromEntries(other);
    return entry;
  });
  return { version, messages };
}

/** Encodes a Messages-Listing. Throws MapError map.bad-value for a bad handle, size or attribute name. */
export function encodeMessageListing(listing: MessageListing): Uint8Array {
  const items = listing.messages.map((entry, i) => {
    const bad = (why: string): MapError => new MapError(MapErrorCode.BadValue, `msg ${i}: ${why}`);
    if (!HANDLE.test(entry.handle)) throw bad(`handle ${JSON.stringify(entry.handle)} is not 1-16 hex digits`);
    const attributes: Array<[string, string | undefined]> = [];
    for (const name of MSG_ATTRIBUTES) {
      if (name === 'handle') {
        attributes.push([name, entry.handle]);
      } else if (name === 'size' || name === 'attachment_size') {
        const value = entry[name];
        if (value !== undefined && !(Number.isSafeInteger(value) && value >= 0)) throw bad(`${name} ${value} is not a non-negative integer`);
        attributes.push([name, value === undefined ? undefined : String(value)]);
      } else {
        attributes.push([name, entry[name as StringAttribute]]);
      }
    }
    for (const [name, value] of Object.entries(entry.other ?? {})) {
      if (KNOWN.has(name)) throw bad(`other holds the known attribute ${name}`);
      attributes.push([name, value]);
    }
    return { name: 'msg', attributes };
  });
  return buildXmlDocument(MESSAGE_LISTING_ROOT, listing.version, items);
}

/**
 * Decodes a folder listing. `<folder name="...">` entries in order;
 * `<parent-folder/>` and `<file>` entries are ignored. Throws MapError
 * (map.too-large, map.bad-text, map.bad-listing).
 */
export function decodeFolderListing(bytes: Uint8Array, limits: Partial<XmlLimits> = {}): FolderListing {
  const { maxBytes, maxEntries } = { ...DEFAULT_XML_LIMITS, ...limits };
  const doc = parseXmlRoot(bytes, FOLDER_LISTING_ROOT, ['folder', 'file'], MapErrorCode.BadListing, maxBytes);
  const version = doc.root.attributes.get('version') ?? '1.0';
  const raw = doc.root.children.get('folder') ?? [];
  if (raw.length > maxEntries) throw new MapError(MapErrorCode.TooLarge, `${raw.length} folders, more than ${maxEntries}`, doc.offsetOf('folder', maxEntries));
  const folders = childElements(doc.root, 'folder', MapErrorCode.BadListing).map((element, i) => {
    const name = element.attributes.get('name');
    if (name === undefined) throw new MapError(MapErrorCode.BadListing, `folder ${i} has no name attribute`, doc.offsetOf('folder', i));
    return name;
  });
  return { version, folders };
}

/** Encodes a folder listing. */
export function encodeFolderListing(listing: FolderListing): Uint8Array {
  return buildXmlDocument(
    FOLDER_LISTING_ROOT,
    listing.version,
    listing.folders.map((name) => ({ name: 'folder', attributes: [['name', name]] as const })),
  );
}
