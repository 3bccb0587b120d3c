/**
 * The XML plumbing shared by the MAP listing and event-report codecs: a
 * size-checked UTF-8 read, validation and parsing through the shared
 * ../xml-document helper (entity processing off; we expand entities
 * ourselves), case-insensitive element lookup with MapError codes, and a
 * fast-xml-parser builder for `<root version="..."><item a="..."/>...</root>`.
 */
import { XMLBuilder } from 'fast-xml-parser';
import { escapeAttribute, expandXmlEntities, isXmlRecord, parseXmlText, type XmlFail } from '../xml-document';
import { MapError, MapErrorCode } from './errors';
import { MAP_XML_MAX_BYTES, MAP_XML_MAX_ENTRIES } from '../../limits';

export { escapeAttribute } from '../xml-document';

/** Limits for XML input. */
export interface XmlLimits {
  /** Most bytes of input. Default 1 MiB. */
  maxBytes: number;
  /** Most entries (`<msg>`, `<folder>`, `<event>`). Default 10,000. */
  maxEntries: number;
}

export const DEFAULT_XML_LIMITS: Readonly<XmlLimits> = { maxBytes: MAP_XML_MAX_BYTES, maxEntries: MAP_XML_MAX_ENTRIES };

/** Attribute keys carry this prefix in parsed objects, so they never meet child element names. */
const ATTR = '@_';

type BadCode = typeof MapErrorCode.BadListing | typeof MapErrorCode.BadEventReport;

/** A parsed element: its attributes (expanded) and its child elements by lower-cased name. */
export interface XmlElement {
  attributes: Map<string, string>;
  children: Map<string, unknown[]>;
}

/** A parsed document: the root element and a way to find where an item starts. */
export interface XmlDocument {
  root: XmlElement;
  /** Byte offset of the `index`th `<name` start tag (best effort; 0 when not found). */
  offsetOf(name: string, index: number): number;
}

/**
 * Reads `bytes` as UTF-8 XML and returns the root element when its name
 * matches `rootName` (without case). Throws MapError: map.too-large,
 * map.bad-text, or `badCode` for malformed XML or another root.
 */
export function parseXmlRoot(
  bytes: Uint8Array,
  rootName: string,
  itemNames: readonly string[],
  badCode: BadCode,
  maxBytes: number,
): XmlDocument {
  if (bytes.length > maxBytes) throw new MapError(MapErrorCode.TooLarge, `XML of ${bytes.length} bytes, more than ${maxBytes}`, maxBytes);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new MapError(MapErrorCode.BadText, 'XML is not valid UTF-8', 0);
  }
  const lowerItems = new Set(itemNames.map((n) => n.toLowerCase()));
  const doc = parseXmlText(text, {
    attributePrefix: ATTR,
    isArrayTag: (tagName) => lowerItems.has(tagName.toLowerCase()),
    fail: failWith(badCode),
  });
  const root = isXmlRecord(doc) ? Object.entries(doc).find(([key]) => key.toLowerCase() === rootName.toLowerCase()) : undefined;
  if (root === undefined) throw new MapError(badCode, `no <${rootName}> root element`, 0);
  const element = toElement(root[1], badCode);
  if (element === undefined) throw new MapError(badCode, `<${rootName}> is not an element`, 0);
  return { root: element, offsetOf: (name, index) => startTagOffset(text, name, index) };
}

/** Byte offset of the `index`th start tag `<name` (any case) in `text`; 0 when there are fewer. */
function startTagOffset(text: string, name: string, index: number): number {
  const pattern = new RegExp(`<${name.replace(/[^A-Za-z0-9_-]/g, '')}[\\s/>]`, 'gi');
  let seen = 0;
  for (let match = pattern.exec(text); match !== null; match = pattern.exec(text)) {
    if (seen === index) return Buffer.byteLength(text.slice(0, match.index), 'utf8');
    seen++;
  }
  return 0;
}

/** Children named `name` (any case) of `parent`, each as an element; text-only children are elements without attributes. */
export function childElements(parent: XmlElement, name: string, badCode: BadCode): XmlElement[] {
  const raw = parent.children.get(name.toLowerCase()) ?? [];
  return raw.map((value, i) => {
    const element = toElement(value, badCode);
    if (element === undefined) throw new MapError(badCode, `<${name}> ${i} is not an element`, 0);
    return element;
  });
}

function toElement(value: unknown, badCode: BadCode): XmlElement | undefined {
  // `<x></x>` or `<x>text</x>` without attributes parses to a string.
  if (typeof value === 'string') return { attributes: new Map(), children: new Map() };
  if (!isXmlRecord(value)) return undefined;
  const attributes = new Map<string, string>();
  const children = new Map<string, unknown[]>();
  for (const [key, child] of Object.entries(value)) {
    if (key.startsWith(ATTR)) {
      if (typeof child !== 'string') throw new MapError(badCode, `attribute ${key.slice(ATTR.length)} has no value`, 0);
      attributes.set(key.slice(ATTR.length), expandEntities(child, badCode));
    } else if (key !== '#text') {
      const list = children.get(key.toLowerCase()) ?? [];
      list.push(...(Array.isArray(child) ? child : [child]));
      children.set(key.toLowerCase(), list);
    }
  }
  return { attributes, children };
}

/** One item of a document to build: element name and attributes in order (undefined values skipped). */
export interface XmlItem {
  name: string;
  attributes: ReadonlyArray<readonly [string, string | undefined]>;
}

/**
 * Builds `<root version="..."><item .../>...</root>` through fast-xml-parser's
 * builder, one item per line, attribute values escaped by `escapeAttribute`.
 * Attribute names are checked to be XML names (map.bad-value otherwise).
 */
export function buildXmlDocument(root: string, version: string, items: readonly XmlItem[]): Uint8Array {
  const byName = new Map<string, Record<string, string>[]>();
  for (const item of items) {
    const attrs: Record<string, string> = {};
    for (const [name, value] of item.attributes) {
      if (value === undefined) continue;
      if (!XML_NAME.test(name)) throw new MapError(MapErrorCode.BadValue, `${JSON.stringify(name)} is not an XML attribute name`);
      if (`${ATTR}${name}` in attrs) throw new MapError(MapErrorCode.BadValue, `attribute ${name} given twice`);
      attrs[`${ATTR}${name}`] = value;
    }
    const list = byName.get(item.name) ?? [];
    list.push(attrs);
    byName.set(item.name, list);
  }
  const body: Record<string, unknown> = { [`${ATTR}version`]: version };
  for (const [name, list] of byName) body[name] = list;
  const builder = new XMLBuilder({
    ignoreAttributes: false,
    attributeNamePrefix: ATTR,
    processEntities: false,
    attributeValueProcessor: (_name: string, value: unknown) => escapeAttribute(String(value)),
    suppressBooleanAttributes: false,
    suppressEmptyNode: true,
    format: true,
    indentBy: '',
  });
  const xml = builder.build({ [root]: body }) as string;
  return new TextEncoder().encode(`<?xml version="1.0" encoding="UTF-8"?>\n${xml}`);
}

/** An XML Name we accept for attributes we write (ASCII subset). */
const XML_NAME = /^[A-Za-z_][A-Za-z0-9._-]*$/;

/** Expands the five predefined entities and character references in one pass; other `&name;` stay as written. */
export function expandEntities(text: string, badCode: BadCode): string {
  return expandXmlEntities(text, failWith(badCode));
}

function failWith(badCode: BadCode): XmlFail {
  return (message, offset) => new MapError(badCode, message, offset);
}
