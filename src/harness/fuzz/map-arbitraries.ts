/**
 * fast-check arbitraries for MAP: bMessages (nested envelopes, vCard
 * parties with extra lines, UTF-8 and Latin-1 bodies whose text may hold
 * END:MSG lines), Messages-Listings, folder listings, event reports,
 * application parameters and date-times, each generating only values the
 * encoders accept; plus byte mutations for "hostile input" properties.
 * Shared by the unit tests and fuzz campaigns.
 */
import fc from 'fast-check';
import { hasPartBoundary } from '../../protocol/map/bmessage-lines';
import { MapParamTag } from '../../protocol/map/constants';
import { daysInMonth } from '../../protocol/map/datetime';
import type {
  BMessage,
  BMessageBody,
  BMessageEnvelope,
  BMessageParty,
  EventReport,
  FolderListing,
  MapDateTime,
  MapEvent,
  MapParams,
  MessageListing,
  MessageListingEntry,
} from '../../protocol/map/types';

/** fc.record builds null-prototype objects by default; decoders return plain ones. */
const plain = { noNullPrototype: true } as const;
/** Optional keys are left out (never present as undefined), as the decoders do. */
const optional = { noNullPrototype: true, requiredKeys: [] as never[] } as const;

/** Any Unicode text (astral planes included, no lone surrogates). */
const unicodeArb = (maxLength: number): fc.Arbitrary<string> => fc.string({ unit: 'binary', maxLength });

/** A single-line value: no CR or LF, no white space at either end (bMessage properties are trimmed on input). */
export const lineValueArb: fc.Arbitrary<string> = fc
  .oneof(
    fc.constantFrom('', 'telecom/msg/inbox', 'SMS_GSM', '1.0', 'en', 'Zoë 😀', 'a:b;c=d'),
    unicodeArb(24).map((s) => s.replace(/[\r\n]/g, ' ').trim()),
  );

/** A vCard value for N, FN, TEL or EMAIL: no line breaks (kept verbatim, so white space is fine). */
const vcardValueArb: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('', '+15551234567', '555-5555', 'Doe;John;;;', 'x=', 'jo@example.com', ' spaced '),
  unicodeArb(20).map((s) => s.replace(/[\r\n]/g, '_')),
);

/** Other vCard lines that survive a round trip through `extra`. */
const extraLineArb: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('X-IRMC-LUID:0001', 'ADR;TYPE=HOME:;;1 Main St;Town;;12345;', 'ORG:Acme', 'NOTE:hello: there', 'no colon at all', 'item1.TEL:+1'),
  unicodeArb(16).map((s) => `X-${s.replace(/[\r\n:;]/g, '_')}:${s.replace(/[\r\n]/g, '_')}`),
);

/** A party (originator or recipient). */
export const bMessagePartyArb: fc.Arbitrary<BMessageParty> = fc.record(
  {
    version: fc.constantFrom('2.1' as const, '3.0' as const),
    name: vcardValueArb,
    formattedName: vcardValueArb,
    phones: fc.array(vcardValueArb, { maxLength: 3 }),
    emails: fc.array(vcardValueArb, { maxLength: 2 }),
    extra: fc.array(extraLineArb, { minLength: 1, maxLength: 3 }),
  },
  { ...plain, requiredKeys: ['version', 'phones', 'emails'] },
);

/** Message text lines that stress the framing: markers, blank lines, bare CR or LF. */
const trickyLineArb: fc.Arbitrary<string> = fc.constantFrom('END:MSG', 'BEGIN:MSG', 'END:BBODY', 'END:BMSG', 'LENGTH:5', '', ' ', 'end:msg');

/** Text for a body: UTF-8 (any Unicode) or, when `latin1`, characters U+0000..U+00FF. Never holds a part boundary. */
export function bodyTextArb(latin1: boolean): fc.Arbitrary<string> {
  const chunk = latin1
    ? fc.string({ unit: fc.integer({ min: 0, max: 0xff }).map((c) => String.fromCharCode(c)), maxLength: 30 })
    : unicodeArb(30);
  const line = fc.oneof({ weight: 3, arbitrary: chunk }, { weight: 1, arbitrary: trickyLineArb });
  const eol = fc.constantFrom('\r\n', '\n', '\r\n', '\r');
  return fc
    .array(fc.tuple(line, eol), { maxLength: 6 })
    .chain((parts) => fc.tuple(fc.constant(parts), line, fc.boolean()))
    .map(([parts, last, trailing]) => parts.map(([l, e]) => l + e).join('') + last + (trailing ? '\r\n' : ''))
    .filter((text) => !hasPartBoundary(text));
}

/** A body: UTF-8 (charset absent or UTF-8) or a native charset with Latin-1 text. */
export const bMessageBodyArb: fc.Arbitrary<BMessageBody> = fc
  .constantFrom<string | undefined>(undefined, 'UTF-8', 'utf-8', 'NATIVE', 'ISO-8859-1')
  .chain((charset) =>
    fc.record(
      {
        partId: fc.integer({ min: 0, max: 999_999_999 }),
        encoding: fc.constantFrom('8BIT', 'G-7BIT', 'G-7BITEXT', 'C-8BIT', 'BASE64', 'QUOTED-PRINTABLE'),
        language: fc.constantFrom('ENGLISH', 'FRENCH', 'en'),
        text: bodyTextArb(charset !== undefined && !/^utf-?8$/i.test(charset)),
        ...(charset === undefined ? {} : { charset: fc.constant(charset) }),
      },
      { ...plain, requiredKeys: charset === undefined ? ['text'] : ['text', 'charset'] },
    ),
  );

/** An envelope nested 1 to `maxDepth` (at most 3) levels, recipients at any level. */
export function bMessageEnvelopeArb(maxDepth = 3): fc.Arbitrary<BMessageEnvelope> {
  const recipients = fc.array(bMessagePartyArb, { maxLength: 2 });
  const body: fc.Arbitrary<BMessageEnvelope> = fc.record(
    { recipients, content: bMessageBodyArb.map((b) => ({ kind: 'body' as const, body: b })) },
    plain,
  );
  if (maxDepth <= 1) return body;
  const nested = bMessageEnvelopeArb(maxDepth - 1).map((envelope) => ({ kind: 'envelope' as const, envelope }));
  return fc.oneof({ weight: 3, arbitrary: body }, { weight: 1, arbitrary: fc.record({ recipients, content: nested }, plain) });
}

export const messageTypeArb: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('SMS_GSM', 'SMS_CDMA', 'MMS', 'EMAIL', 'IM'),
  fc.stringMatching(/^[A-Z][A-Z0-9_]{0,10}$/),
);

/** Any bMessage our encoder writes. */
export const bMessageArb: fc.Arbitrary<BMessage> = fc.record(
  {
    version: fc.constantFrom('1.0', '1.1'),
    status: fc.constantFrom('READ' as const, 'UNREAD' as const),
    type: messageTypeArb,
    folder: fc.oneof(fc.constantFrom('telecom/msg/inbox', 'telecom/msg/outbox', 'TELECOM/MSG/INBOX', ''), lineValueArb),
    originators: fc.array(bMessagePartyArb, { maxLength: 2 }),
    envelope: bMessageEnvelopeArb(),
  },
  plain,
);

/** Text XML 1.0 can carry (what survives an attribute round trip). */
export const xmlTextArb: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('', ' ', 'a & b', '<tag>', '"quoted"', "it's", 'Zoë 😀', 'tab\there', 'line\r\nbreak', '&amp;'),
  unicodeArb(24).map((s) => s.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '?')),
);

/** A message handle: 1-16 hex digits. */
export const handleArb: fc.Arbitrary<string> = fc.stringMatching(/^[0-9A-Fa-f]{1,16}$/);

/** An attribute name outside the known table (a plain XML name). */
function otherAttributesArb(known: ReadonlySet<string>): fc.Arbitrary<Record<string, string>> {
  const name = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_.-]{0,12}$/).filter((n) => !known.has(n) && n !== '__proto__' && n !== 'version');
  return fc.dictionary(name, xmlTextArb, { minKeys: 1, maxKeys: 3, noNullPrototype: true });
}

const MSG_KNOWN = new Set([
  'handle', 'subject', 'datetime', 'sender_name', 'sender_addressing', 'replyto_addressing', 'recipient_name',
  'recipient_addressing', 'type', 'size', 'text', 'reception_status', 'attachment_size', 'priority', 'read', 'sent',
  'protected', 'delivery_status', 'conversation_id', 'conversation_name', 'direction', 'attachment_mime_types',
]);

const sizeArb = fc.oneof(fc.constantFrom(0, 1, 160), fc.integer({ min: 0, max: 2 ** 40 }));

export const messageListingEntryArb: fc.Arbitrary<MessageListingEntry> = fc.record(
  {
    handle: handleArb,
    subject: xmlTextArb,
    datetime: fc.oneof(fc.constantFrom('20190101T121314', '20240229T235959+0130'), xmlTextArb),
    sender_name: xmlTextArb,
    sender_addressing: fc.constantFrom('+15551234567', '5551234', 'jo@example.com', ''),
    replyto_addressing: xmlTextArb,
    recipient_name: xmlTextArb,
    recipient_addressing: xmlTextArb,
    type: messageTypeArb,
    size: sizeArb,
    text: fc.constantFrom('yes', 'no'),
    reception_status: fc.constantFrom('complete', 'fractioned', 'notification'),
    attachment_size: sizeArb,
    priority: fc.constantFrom('yes', 'no'),
    read: fc.constantFrom('yes', 'no'),
    sent: fc.constantFrom('yes', 'no'),
    protected: fc.constantFrom('yes', 'no'),
    delivery_status: fc.constantFrom('delivered', 'sent', 'unknown'),
    conversation_id: fc.constantFrom('0', 'E1E2E3E4F1F2F3F4A1A2A3A4B1B2B3B4'),
    conversation_name: xmlTextArb,
    direction: fc.constantFrom('incoming', 'outgoing', 'outgoingdraft', 'outgoingpending'),
    attachment_mime_types: fc.constantFrom('image/jpeg', 'image/png,video/mp4'),
    other: otherAttributesArb(MSG_KNOWN),
  },
  { ...plain, requiredKeys: ['handle'] },
);

export const messageListingArb: fc.Arbitrary<MessageListing> = fc.record(
  { version: fc.oneof(fc.constantFrom('1.0', '1.1'), xmlTextArb), messages: fc.array(messageListingEntryArb, { maxLength: 6 }) },
  plain,
);

export const folderListingArb: fc.Arbitrary<FolderListing> = fc.record(
  { version: fc.constantFrom('1.0', '1.1'), folders: fc.array(fc.oneof(fc.constantFrom('inbox', 'outbox', 'sent', 'deleted', 'INBOX'), xmlTextArb), { maxLength: 6 }) },
  plain,
);

const EVENT_KNOWN = new Set(['type', 'handle', 'folder', 'old_folder', 'msg_type', 'datetime', 'subject', 'sender_name', 'priority']);

export const mapEventArb: fc.Arbitrary<MapEvent> = fc.record(
  {
    type: fc.oneof(
      fc.constantFrom('NewMessage', 'DeliverySuccess', 'SendingSuccess', 'DeliveryFailure', 'SendingFailure', 'MemoryFull', 'MemoryAvailable', 'MessageDeleted', 'MessageShift', 'ReadStatusChanged'),
      xmlTextArb,
    ),
    handle: handleArb,
    folder: fc.oneof(fc.constantFrom('TELECOM/MSG/INBOX', 'telecom/msg/sent'), xmlTextArb),
    old_folder: xmlTextArb,
    msg_type: messageTypeArb,
    datetime: fc.constantFrom('20190101T121314', '20240229T235959-0800'),
    subject: xmlTextArb,
    sender_name: xmlTextArb,
    priority: fc.constantFrom('yes', 'no'),
    other: otherAttributesArb(EVENT_KNOWN),
  },
  { ...plain, requiredKeys: ['type'] },
);

export const eventReportArb: fc.Arbitrary<EventReport> = fc.record(
  { version: fc.constantFrom('1.0', '1.1'), events: fc.array(mapEventArb, { maxLength: 5 }) },
  plain,
);

const KNOWN_TAGS = new Set<number>(Object.values(MapParamTag));
const u8 = fc.integer({ min: 0, max: 0xff });
const u16 = fc.integer({ min: 0, max: 0xffff });
const u32 = fc.oneof(fc.constantFrom(0, 0xffffffff, 0x80000), fc.integer({ min: 0, max: 0xffffffff }));
/** Text app parameters: UTF-8 without NUL, at most 254 bytes. */
const paramTextArb = unicodeArb(40).filter((s) => !s.includes('\0') && Buffer.byteLength(s, 'utf8') <= 254);

export const mapParamsArb: fc.Arbitrary<MapParams> = fc.record(
  {
    maxListCount: u16,
    listStartOffset: u16,
    filterMessageType: u8,
    filterPeriodBegin: fc.oneof(fc.constant('20190101T000000'), paramTextArb),
    filterPeriodEnd: paramTextArb,
    filterReadStatus: u8,
    filterRecipient: paramTextArb,
    filterOriginator: paramTextArb,
    filterPriority: u8,
    attachment: u8,
    transparent: u8,
    retry: u8,
    newMessage: u8,
    notificationStatus: u8,
    masInstanceId: u8,
    parameterMask: u32,
    folderListingSize: u16,
    messagesListingSize: u16,
    subjectLength: u8,
    charset: u8,
    fractionRequest: u8,
    fractionDeliver: u8,
    statusIndicator: u8,
    statusValue: u8,
    mseTime: fc.oneof(fc.constant('20190101T121314+0130'), paramTextArb),
    mapSupportedFeatures: u32,
    unknown: fc.array(
      fc.record({ tag: u8.filter((t) => !KNOWN_TAGS.has(t)), value: fc.uint8Array({ maxLength: 12 }) }, plain),
      { minLength: 1, maxLength: 3 },
    ),
  },
  optional,
);

/** A valid date-time (real calendar day, offset within ±14:59 or none). */
export const mapDateTimeArb: fc.Arbitrary<MapDateTime> = fc
  .record({
    year: fc.oneof(fc.integer({ min: 1970, max: 2100 }), fc.integer({ min: 0, max: 9999 })),
    month: fc.integer({ min: 1, max: 12 }),
    dayIndex: fc.nat(30),
    hour: fc.integer({ min: 0, max: 23 }),
    minute: fc.integer({ min: 0, max: 59 }),
    second: fc.integer({ min: 0, max: 59 }),
    offset: fc.option(fc.integer({ min: -(14 * 60 + 59), max: 14 * 60 + 59 }), { nil: undefined }),
  }, plain)
  .map(({ year, month, dayIndex, hour, minute, second, offset }) => {
    const dt: MapDateTime = { year, month, day: (dayIndex % daysInMonth(year, month)) + 1, hour, minute, second };
    if (offset !== undefined) dt.offsetMinutes = offset;
    return dt;
  });

/** One edit of a byte string: set, cut at, or insert before a position (taken modulo the length). */
export type ByteEdit = { kind: 'set' | 'insert'; at: number; value: number } | { kind: 'cut'; at: number };

export const byteEditsArb: fc.Arbitrary<ByteEdit[]> = fc.array(
  fc.oneof(
    fc.record({ kind: fc.constant('set' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }, plain),
    fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), value: fc.constantFrom(0x0a, 0x0d, 0x3a, 0x2d, 0x30, 0x39, 0x3c, 0x22, 0x26, 0xff) }, plain),
    fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }, plain),
  ),
  { minLength: 1, maxLength: 4 },
);

/** `bytes` with the edits applied in order. */
export function applyByteEdits(bytes: Uint8Array, edits: readonly ByteEdit[]): Uint8Array {
  let out = Uint8Array.from(bytes);
  for (const edit of edits) {
    const at = out.length === 0 ? 0 : edit.at % (out.length + (edit.kind === 'insert' ? 1 : 0));
    if (edit.kind === 'set') {
      if (out.length > 0) out[at] = edit.value;
    } else if (edit.kind === 'cut') {
      out = out.slice(0, at);
    } else {
      const next = new Uint8Array(out.length + 1);
      next.set(out.subarray(0, at));
      next[at] = edit.value;
      next.set(out.subarray(at), at + 1);
      out = next;
    }
  }
  return out;
}
