/**
 * Codec-level MAP property for the `messages` fuzz campaign: every value
 * the arbitraries make (bMessage, Messages-Listing, folder listing, event
 * report, application parameters, date-time) survives encode -> decode
 * unchanged (and bMessage and parameter bytes survive decode -> encode),
 * and arbitrary, mutated or framing-shaped bytes given to every MAP
 * decoder, with default and with tight limits, give a value or a MapError
 * with a known code and a numeric offset — never another exception.
 */
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import {
  decodeBMessage,
  decodeEventReport,
  decodeFolderListing,
  decodeMapParams,
  decodeMessageListing,
  encodeBMessage,
  encodeEventReport,
  encodeFolderListing,
  encodeMapParams,
  encodeMessageListing,
  formatMapDateTime,
  MapError,
  MapErrorCode,
  parseMapDateTime,
} from '../../protocol/map';
import type { BMessage, EventReport, FolderListing, MapDateTime, MapParams, MessageListing } from '../../protocol/map/types';
import {
  applyByteEdits,
  bMessageArb,
  byteEditsArb,
  eventReportArb,
  folderListingArb,
  mapDateTimeArb,
  mapParamsArb,
  messageListingArb,
} from './map-arbitraries';

export class MapCodecMismatch extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MapCodecMismatch';
  }
}

/** One value to send through its codec and back. */
export type MapRoundTripCase =
  | { kind: 'bmessage'; value: BMessage }
  | { kind: 'messageListing'; value: MessageListing }
  | { kind: 'folderListing'; value: FolderListing }
  | { kind: 'eventReport'; value: EventReport }
  | { kind: 'params'; value: MapParams }
  | { kind: 'datetime'; value: MapDateTime };

/** Bytes for every decoder: random, an encoding with edits applied, or lines and tags shaped like the real thing. */
export interface HostileBytesCase {
  kind: 'bytes';
  bytes: Uint8Array;
}

export type MapCodecCase = MapRoundTripCase | HostileBytesCase;

/** Text for the failure message: bytes as hex, keys as written. */
export function describeValue(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (v instanceof Uint8Array ? `hex:${Buffer.from(v).toString('hex')}` : v));
}

/** Decoded values must equal the originals exactly (same keys, same prototypes, same bytes). */
function same(what: string, got: unknown, want: unknown): void {
  if (!isDeepStrictEqual(got, want)) throw new MapCodecMismatch(`${what}\n   got ${describeValue(got)}\n  want ${describeValue(want)}`);
}

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

/** A codec's two directions, so a test can swap in a broken one and see the property fail. */
export interface MapCodecs {
  encodeBMessage: (m: BMessage) => Uint8Array;
  decodeBMessage: (b: Uint8Array) => BMessage;
}

export const REAL_CODECS: MapCodecs = { encodeBMessage, decodeBMessage };

/** Checks one round trip; throws MapCodecMismatch when the value (or, for bytes-exact codecs, the bytes) changes. */
export function checkMapRoundTrip(c: MapRoundTripCase, codecs: MapCodecs = REAL_CODECS): void {
  switch (c.kind) {
    case 'bmessage': {
      const bytes = codecs.encodeBMessage(c.value);
      const back = codecs.decodeBMessage(bytes);
      same('bMessage decode(encode(m))', back, c.value);
      const again = codecs.encodeBMessage(back);
      if (hex(again) !== hex(bytes)) throw new MapCodecMismatch(`bMessage encode(decode(b)) differs from b\n   got ${hex(again)}\n  want ${hex(bytes)}`);
      return;
    }
    case 'messageListing':
      same('Messages-Listing decode(encode(l))', decodeMessageListing(encodeMessageListing(c.value)), c.value);
      return;
    case 'folderListing':
      same('folder listing decode(encode(l))', decodeFolderListing(encodeFolderListing(c.value)), c.value);
      return;
    case 'eventReport':
      same('event report decode(encode(r))', decodeEventReport(encodeEventReport(c.value)), c.value);
      return;
    case 'params': {
      const bytes = encodeMapParams(c.value);
      const back = decodeMapParams(bytes);
      same('application parameters decode(encode(p))', back, c.value);
      const again = encodeMapParams(back);
      if (hex(again) !== hex(bytes)) throw new MapCodecMismatch(`parameters encode(decode(b)) differs from b\n   got ${hex(again)}\n  want ${hex(bytes)}`);
      return;
    }
    case 'datetime':
      same('date-time parse(format(dt))', parseMapDateTime(formatMapDateTime(c.value)), c.value);
      return;
  }
}

const KNOWN_CODES = new Set<string>(Object.values(MapErrorCode));

/** Runs `decode`: a value is fine, so is a MapError with a known code and a numeric offset; anything else fails. */
export function valueOrMapError(what: string, decode: () => unknown): void {
  try {
    decode();
  } catch (err) {
    if (!(err instanceof MapError)) {
      throw new MapCodecMismatch(`${what} threw ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}, not a MapError`);
    }
    if (!KNOWN_CODES.has(err.code)) throw new MapCodecMismatch(`${what} threw a MapError with an unknown code ${String(err.code)}`);
    if (typeof err.offset !== 'number' || !Number.isInteger(err.offset) || err.offset < 0) {
      throw new MapCodecMismatch(`${what} threw ${err.code} without a usable offset (${String(err.offset)})`);
    }
  }
}

/** Every MAP decoder on the same bytes, with default limits and with tight ones. */
export function checkDecoders(bytes: Uint8Array): void {
  valueOrMapError('decodeBMessage', () => decodeBMessage(bytes));
  valueOrMapError('decodeBMessage (maxBytes 64)', () => decodeBMessage(bytes, { maxBytes: 64 }));
  valueOrMapError('decodeMessageListing', () => decodeMessageListing(bytes));
  valueOrMapError('decodeMessageListing (tight limits)', () => decodeMessageListing(bytes, { maxBytes: 128, maxEntries: 1 }));
  valueOrMapError('decodeFolderListing', () => decodeFolderListing(bytes));
  valueOrMapError('decodeFolderListing (tight limits)', () => decodeFolderListing(bytes, { maxBytes: 128, maxEntries: 1 }));
  valueOrMapError('decodeEventReport', () => decodeEventReport(bytes));
  valueOrMapError('decodeEventReport (tight limits)', () => decodeEventReport(bytes, { maxBytes: 128, maxEntries: 1 }));
  valueOrMapError('decodeMapParams', () => decodeMapParams(bytes));
  valueOrMapError('parseMapDateTime (UTF-8)', () => parseMapDateTime(new TextDecoder().decode(bytes)));
  valueOrMapError('parseMapDateTime (Latin-1)', () => parseMapDateTime(Buffer.from(bytes).toString('latin1')));
}

export const roundTripCaseArb: fc.Arbitrary<MapRoundTripCase> = fc.oneof(
  bMessageArb.map((value): MapRoundTripCase => ({ kind: 'bmessage', value })),
  messageListingArb.map((value): MapRoundTripCase => ({ kind: 'messageListing', value })),
  folderListingArb.map((value): MapRoundTripCase => ({ kind: 'folderListing', value })),
  eventReportArb.map((value): MapRoundTripCase => ({ kind: 'eventReport', value })),
  mapParamsArb.map((value): MapRoundTripCase => ({ kind: 'params', value })),
  mapDateTimeArb.map((value): MapRoundTripCase => ({ kind: 'datetime', value })),
);

/** Any round-trip value's encoding (a date-time as its text). */
function encodingOf(c: MapRoundTripCase): Uint8Array {
  switch (c.kind) {
    case 'bmessage':
      return encodeBMessage(c.value);
    case 'messageListing':
      return encodeMessageListing(c.value);
    case 'folderListing':
      return encodeFolderListing(c.value);
    case 'eventReport':
      return encodeEventReport(c.value);
    case 'params':
      return encodeMapParams(c.value);
    case 'datetime':
      return new TextEncoder().encode(formatMapDateTime(c.value));
  }
}

/** Lines and tags the decoders look for, in any order: framing that is nearly right. */
const framingArb: fc.Arbitrary<Uint8Array> = fc
  .array(
    fc.constantFrom(
      'BEGIN:BMSG\r\n', 'END:BMSG\r\n', 'BEGIN:BENV\r\n', 'END:BENV\r\n', 'BEGIN:BBODY\r\n', 'END:BBODY\r\n', 'BEGIN:MSG\r\n', 'END:MSG\r\n',
      'BEGIN:VCARD\r\n', 'END:VCARD\r\n', 'VERSION:1.0\r\n', 'LENGTH:22\r\n', 'LENGTH:99999999999\r\n', 'CHARSET:UTF-8\r\n', 'TEL:+1\r\n',
      '<MAP-msg-listing version="1.0">', '</MAP-msg-listing>', '<msg handle="20000100001" size="-1"/>', '<msg handle="zz"/>',
      '<folder-listing>', '<folder name="inbox"/>', '</folder-listing>', '<MAP-event-report version="1.1">', '<event type="NewMessage" handle="1"/>',
      '</MAP-event-report>', '<!DOCTYPE x [<!ENTITY e "y">]>', '&e;', '&#0;', '&#x110000;', '<![CDATA[', ']]>', '20240229T120000', '+1500', '\u00ff',
    ),
    { maxLength: 20 },
  )
  .map((parts) => new TextEncoder().encode(parts.join('')));

export const hostileBytesArb: fc.Arbitrary<Uint8Array> = fc.oneof(
  { weight: 2, arbitrary: fc.uint8Array({ maxLength: 300 }) },
  { weight: 4, arbitrary: fc.tuple(roundTripCaseArb, byteEditsArb).map(([c, edits]) => applyByteEdits(encodingOf(c), edits)) },
  { weight: 1, arbitrary: roundTripCaseArb.map(encodingOf) },
  { weight: 2, arbitrary: framingArb },
);

export const mapCodecCaseArb: fc.Arbitrary<MapCodecCase> = fc.oneof(
  { weight: 1, arbitrary: roundTripCaseArb },
  { weight: 1, arbitrary: hostileBytesArb.map((bytes): MapCodecCase => ({ kind: 'bytes', bytes })) },
);

export function checkMapCodecCase(c: MapCodecCase, codecs: MapCodecs = REAL_CODECS): void {
  if (c.kind === 'bytes') checkDecoders(c.bytes);
  else checkMapRoundTrip(c, codecs);
}

/** The `map-codecs` property; `codecs` can be swapped to prove the check fails. */
export const mapCodecProperty = (codecs: MapCodecs = REAL_CODECS) => (tick: () => void) =>
  fc.property(mapCodecCaseArb, (c) => {
    tick();
    checkMapCodecCase(c, codecs);
  });
