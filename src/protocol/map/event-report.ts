/**
 * The MAP event report (`x-bt/MAP-event-report`, the body of SendEvent from
 * the MSE to the MCE's MNS server):
 * `<MAP-event-report version="1.0"><event type="NewMessage" handle="..." folder="..." msg_type="SMS_GSM"/></MAP-event-report>`,
 * both ways through fast-xml-parser. Event types are open; attributes we
 * do not know are kept in `other`.
 */
import { MapError, MapErrorCode } from './errors';
import { isMessageHandle } from './listing';
import type { EventReport, MapEvent } from './types';
import { buildXmlDocument, childElements, DEFAULT_XML_LIMITS, parseXmlRoot, type XmlLimits } from './xml';

export const EVENT_REPORT_ROOT = 'MAP-event-report';

/** `<event>` attributes in the order the encoder writes them. */
const EVENT_ATTRIBUTES = ['type', 'handle', 'folder', 'old_folder', 'msg_type', 'datetime', 'subject', 'sender_name', 'priority'] as const;

type EventAttribute = (typeof EVENT_ATTRIBUTES)[number];

const KNOWN = new Set<string>(EVENT_ATTRIBUTES);

/**
 * Decodes an event report. Throws MapError: map.too-large, map.bad-text,
 * map.bad-event-report (malformed XML, another root, an event without a
 * type, a handle that is not hex).
 */
export function decodeEventReport(bytes: Uint8Array, limits: Partial<XmlLimits> = {}): EventReport {
  const { maxBytes, maxEntries } = { ...DEFAULT_XML_LIMITS, ...limits };
  const doc = parseXmlRoot(bytes, EVENT_REPORT_ROOT, ['event'], MapErrorCode.BadEventReport, maxBytes);
  const version = doc.root.attributes.get('version') ?? '1.0';
  const raw = doc.root.children.get('event') ?? [];
  if (raw.length > maxEntries) throw new MapError(MapErrorCode.TooLarge, `${raw.length} events, more than ${maxEntries}`, doc.offsetOf('event', maxEntries));
  const events = childElements(doc.root, 'event', MapErrorCode.BadEventReport).map((element, i) => {
    const bad = (why: string): MapError => new MapError(MapErrorCode.BadEventReport, `event ${i}: ${why}`, doc.offsetOf('event', i));
    const type = element.attributes.get('type');
    if (type === undefined) throw bad('no type attribute');
    const event: MapEvent = { type };
    const fields = event as unknown as Record<string, string>;
    const other: Array<[string, string]> = [];
    for (const [name, value] of element.attributes) {
      if (name === 'handle' && !isMessageHandle(value)) throw bad(`handle ${JSON.stringify(value)} is not 1-16 hex digits`);
      if (KNOWN.has(name)) fields[name] = value;
      else other.push([name, value]);
    }
    if (other.length > 0) event.other = Object.fromEntries(other);
    return event;
  });
  return { version, events };
}

/** Encodes an event report. Throws MapError map.bad-value for a bad handle or attribute name. */
export function encodeEventReport(report: EventReport): Uint8Array {
  const items = report.events.map((event, i) => {
    if (event.handle !== undefined && !isMessageHandle(event.handle)) {
      throw new MapError(MapErrorCode.BadValue, `event ${i}: handle ${JSON.stringify(event.handle)} is not 1-16 hex digits`);
    }
    const attributes: Array<[string, string | undefined]> = EVENT_ATTRIBUTES.map((name: EventAttribute) => [name, event[name]]);
    for (const [name, value] of Object.entries(event.other ?? {})) {
      if (KNOWN.has(name)) throw new MapError(MapErrorCode.BadValue, `event ${i}: other holds the known attribute ${name}`);
      attributes.push([name, value]);
    }
    return { name: 'event', attributes };
  });
  return buildXmlDocument(EVENT_REPORT_ROOT, report.version, items);
}
