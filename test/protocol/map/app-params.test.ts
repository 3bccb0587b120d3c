/**
 * MAP application parameters: hex fixtures paired with typed values (the
 * requests and replies a MAP session carries), wrong sizes, repeats,
 * truncation and bad UTF-8 as MapErrors, unknown tags kept in order,
 * fast-check round trips, and hostile bytes ending only in MapError.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  decodeMapParams,
  encodeMapParams,
  MapCharset,
  MapErrorCode,
  MapFeature,
  MessageTypeFilterBit,
  ParameterMaskBit,
  StatusIndicator,
  type MapParams,
} from '../../../src/protocol/map';
import { mapParamTagOf } from '../../../src/protocol/map/app-params';
import { mapParamsArb } from '../../../src/harness/fuzz/map-arbitraries';
import { assertMapError, valueOrMapError } from './fixtures';

function hex(text: string): Uint8Array {
  const clean = text.replace(/[^0-9a-fA-F]/g, '');
  return Uint8Array.from({ length: clean.length / 2 }, (_, i) => parseInt(clean.slice(2 * i, 2 * i + 2), 16));
}

function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ');
}

const FIXTURES: { name: string; hex: string; params: MapParams }[] = [
  {
    name: 'GetMessagesListing: 10 from 0, SMS_CDMA+EMAIL+MMS filtered out, unread only, subject and sender name and address',
    hex: '01 02 00 0a  02 02 00 00  03 01 0e  06 01 01  10 04 00 00 00 0d',
    params: {
      maxListCount: 10,
      listStartOffset: 0,
      filterMessageType: MessageTypeFilterBit.SmsCdma | MessageTypeFilterBit.Email | MessageTypeFilterBit.Mms,
      filterReadStatus: 1,
      parameterMask: ParameterMaskBit.Subject | ParameterMaskBit.SenderName | ParameterMaskBit.SenderAddressing,
    },
  },
  {
    name: 'GetMessagesListing reply: NewMessage, MessagesListingSize, MSETime (NUL-terminated)',
    hex: '0d 01 01  12 02 00 03  19 15 32 30 31 39 30 31 30 31 54 31 32 31 33 31 34 2b 30 31 33 30 00',
    params: { newMessage: 1, mseTime: '20190101T121314+0130', messagesListingSize: 3 },
  },
  {
    name: 'GetMessage: Attachment off, Charset UTF-8',
    hex: '0a 01 00  14 01 01',
    params: { attachment: 0, charset: MapCharset.Utf8 },
  },
  {
    name: 'PushMessage: Transparent off, Retry on, Charset UTF-8',
    hex: '0b 01 00  0c 01 01  14 01 01',
    params: { transparent: 0, retry: 1, charset: MapCharset.Utf8 },
  },
  {
    name: 'SetMessageStatus read = yes',
    hex: '17 01 00  18 01 01',
    params: { statusIndicator: StatusIndicator.Read, statusValue: 1 },
  },
  {
    name: 'SetNotificationRegistration on; SendEvent MASInstanceID 0',
    hex: '0e 01 01  0f 01 00',
    params: { notificationStatus: 1, masInstanceId: 0 },
  },
  {
    name: 'Connect: MapSupportedFeatures (0x29) and an unknown tag after it',
    hex: '29 04 00 08 02 7f  2a 02 be ef',
    params: { mapSupportedFeatures: MapFeature.MapSupportedFeaturesInConnect | 0x27f, unknown: [{ tag: 0x2a, value: hex('beef') }] },
  },
  {
    name: 'filters by period and address, UTF-8 text',
    hex: '04 10 32 30 31 39 30 31 30 31 54 30 30 30 30 30 30 00  08 05 5a 6f c3 ab 00',
    params: { filterPeriodBegin: '20190101T000000', filterOriginator: 'Zoë' },
  },
  { name: 'empty', hex: '', params: {} },
];

test('hex fixtures decode to typed values and encode back byte for byte', () => {
  for (const f of FIXTURES) {
    assert.deepEqual(decodeMapParams(hex(f.hex)), f.params, f.name);
    assert.equal(toHex(encodeMapParams(f.params)), toHex(hex(f.hex)), f.name);
  }
});

test('strings without the trailing NUL, and unknown tags in arrival order, are accepted', () => {
  assert.deepEqual(decodeMapParams(hex('19 03 61 62 63')), { mseTime: 'abc' });
  assert.deepEqual(decodeMapParams(hex('19 00')), { mseTime: '' });
  assert.deepEqual(decodeMapParams(hex('ff 00  1a 01 07  01 02 00 01  1b 00')), {
    maxListCount: 1,
    unknown: [
      { tag: 0xff, value: new Uint8Array(0) },
      { tag: 0x1a, value: Uint8Array.of(7) },
      { tag: 0x1b, value: new Uint8Array(0) },
    ],
  });
  assert.equal(mapParamTagOf('charset'), 0x14);
});

test('wrong sizes, repeats, truncation and bad UTF-8 are MapErrors with offsets', () => {
  assertMapError(() => decodeMapParams(hex('01 01 05')), MapErrorCode.BadSize, 1);
  assertMapError(() => decodeMapParams(hex('14 01 01  10 02 00 01')), MapErrorCode.BadSize, 4);
  assertMapError(() => decodeMapParams(hex('29 02 00 01')), MapErrorCode.BadSize, 1);
  assertMapError(() => decodeMapParams(hex('14 01 01  14 01 00')), MapErrorCode.Repeated, 3);
  assertMapError(() => decodeMapParams(hex('19 00  19 00')), MapErrorCode.Repeated, 2);
  assertMapError(() => decodeMapParams(hex('01')), MapErrorCode.Truncated);
  assertMapError(() => decodeMapParams(hex('01 02 00')), MapErrorCode.Truncated);
  assertMapError(() => decodeMapParams(hex('07 02 c3 28')), MapErrorCode.BadText, 2);
});

test('the encoder refuses values that do not fit', () => {
  assertMapError(() => encodeMapParams({ maxListCount: 0x10000 }), MapErrorCode.BadValue, false);
  assertMapError(() => encodeMapParams({ charset: -1 }), MapErrorCode.BadValue, false);
  assertMapError(() => encodeMapParams({ parameterMask: 1.5 }), MapErrorCode.BadValue, false);
  assertMapError(() => encodeMapParams({ mseTime: 'x'.repeat(255) }), MapErrorCode.BadValue, false);
  assertMapError(() => encodeMapParams({ filterRecipient: 'a\0b' }), MapErrorCode.BadValue, false);
  assertMapError(() => encodeMapParams({ unknown: [{ tag: 0x14, value: Uint8Array.of(1) }] }), MapErrorCode.BadValue, false);
  assertMapError(() => encodeMapParams({ unknown: [{ tag: 0x40, value: new Uint8Array(256) }] }), MapErrorCode.BadValue, false);
  assert.equal(encodeMapParams({ mseTime: 'x'.repeat(254) }).length, 2 + 255);
});

test('property: decode(encode(p)) is p, and encode(decode(b)) is b', () => {
  fc.assert(
    fc.property(mapParamsArb, (params) => {
      const encoded = encodeMapParams(params);
      const decoded = decodeMapParams(encoded);
      assert.deepEqual(decoded, params);
      assert.deepEqual(encodeMapParams(decoded), encoded);
    }),
    { numRuns: 500 },
  );
});

test('property: any bytes give parameters or a MapError', () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 80 }), (data) => valueOrMapError(() => decodeMapParams(data))), { numRuns: 1000 });
});
