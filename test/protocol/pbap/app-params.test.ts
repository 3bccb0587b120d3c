/**
 * PBAP application parameters: hex fixtures paired with typed values,
 * wrong sizes, repeats and truncation as PbapError, unknown tags kept,
 * round trips by fast-check, and hostile bytes never escaping as anything
 * but PbapError.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  decodePbapParams,
  encodePbapParams,
  isPbapError,
  PbapErrorCode,
  PbapFormat,
  PbapOrder,
  PbapSearchProperty,
  PropertyBit,
  selectorOf,
  type PbapParams,
} from '../../../src/protocol/pbap';

function hex(text: string): Uint8Array {
  const clean = text.replace(/[^0-9a-fA-F]/g, '');
  return Uint8Array.from({ length: clean.length / 2 }, (_, i) => parseInt(clean.slice(2 * i, 2 * i + 2), 16));
}

function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ');
}

const FIXTURES: { name: string; hex: string; params: PbapParams }[] = [
  {
    name: 'PullPhoneBook: 3.0, N+TEL+FN+VERSION, 10 from 20',
    hex: '04 02 00 0a  05 02 00 14  06 08 00 00 00 00 00 00 00 87  07 01 01',
    params: {
      maxListCount: 10,
      listStartOffset: 20,
      propertySelector: selectorOf([PropertyBit.Version, PropertyBit.Fn, PropertyBit.N, PropertyBit.Tel]),
      format: PbapFormat.Vcard30,
    },
  },
  {
    name: 'size only',
    hex: '04 02 00 00',
    params: { maxListCount: 0 },
  },
  {
    name: 'response: PhonebookSize 5000, NewMissedCalls 3',
    hex: '08 02 13 88  09 01 03',
    params: { phonebookSize: 5000, newMissedCalls: 3 },
  },
  {
    name: 'listing search by number, alphanumeric, NUL-terminated text',
    hex: '01 01 01  02 04 35 35 35 00  03 01 01',
    params: { order: PbapOrder.Alphanumeric, searchValue: '555', searchProperty: PbapSearchProperty.Number },
  },
  {
    name: 'Connect: PCE features 0x3FF',
    hex: '10 04 00 00 03 ff',
    params: { supportedFeatures: 0x3ff },
  },
  {
    name: 'folder versions, database id, selector and operator, reset',
    hex:
      '0a 10 00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f' +
      '0b 10 ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff' +
      '0c 08 00 00 00 00 00 00 00 80' +
      '0d 10 10 11 12 13 14 15 16 17 18 19 1a 1b 1c 1d 1e 1f' +
      '0e 01 01  0f 01 01',
    params: {
      primaryFolderVersion: Uint8Array.from({ length: 16 }, (_, i) => i),
      secondaryFolderVersion: new Uint8Array(16).fill(0xff),
      vcardSelector: 0x80n,
      databaseIdentifier: Uint8Array.from({ length: 16 }, (_, i) => 0x10 + i),
      vcardSelectorOperator: 1,
      resetNewMissedCalls: 1,
    },
  },
  {
    name: 'unknown tags kept in order',
    hex: '07 01 00  41 02 be ef  20 00',
    params: { format: PbapFormat.Vcard21, unknown: [{ tag: 0x41, value: hex('be ef') }, { tag: 0x20, value: new Uint8Array(0) }] },
  },
];

for (const fixture of FIXTURES) {
  test(`fixture: ${fixture.name}`, () => {
    assert.deepEqual(decodePbapParams(hex(fixture.hex)), fixture.params);
    assert.equal(toHex(encodePbapParams(fixture.params)), toHex(hex(fixture.hex)));
  });
}

test('an open enum value (Order 7, Format 9) survives', () => {
  const bytes = hex('01 01 07 07 01 09');
  assert.deepEqual(decodePbapParams(bytes), { order: 7, format: 9 });
  assert.deepEqual(encodePbapParams({ order: 7, format: 9 }), bytes);
});

test('SearchValue without a NUL and with UTF-8', () => {
  assert.deepEqual(decodePbapParams(hex('02 03 5a c3 a9')), { searchValue: 'Zé' });
  assert.deepEqual(encodePbapParams({ searchValue: 'Zé' }), hex('02 04 5a c3 a9 00'));
  assert.deepEqual(decodePbapParams(hex('02 00')), { searchValue: '' });
});

test('wrong sizes are PbapError bad-size with the offset of the length byte', () => {
  const cases: [string, number][] = [
    ['04 01 00', 1],
    ['07 01 01 04 03 00 00 00', 4],
    ['06 04 00 00 00 87', 1],
    ['10 02 00 03', 1],
    ['0d 0f ' + '00 '.repeat(15), 1],
    ['09 00', 1],
  ];
  for (const [bytes, offset] of cases) {
    assert.throws(
      () => decodePbapParams(hex(bytes)),
      (err: unknown) => isPbapError(err, PbapErrorCode.BadSize) && err.offset === offset,
      bytes,
    );
  }
});

test('truncation, repeats and bad UTF-8 are typed', () => {
  assert.throws(() => decodePbapParams(hex('04')), (e: unknown) => isPbapError(e, PbapErrorCode.Truncated));
  assert.throws(() => decodePbapParams(hex('04 02 00')), (e: unknown) => isPbapError(e, PbapErrorCode.Truncated));
  assert.throws(
    () => decodePbapParams(hex('07 01 00 07 01 01')),
    (e: unknown) => isPbapError(e, PbapErrorCode.Repeated) && e.offset === 3,
  );
  assert.throws(() => decodePbapParams(hex('02 02 c3 28')), (e: unknown) => isPbapError(e, PbapErrorCode.BadText));
});

test('the encoder refuses values that do not fit', () => {
  const bad: PbapParams[] = [
    { maxListCount: 0x10000 },
    { order: -1 },
    { listStartOffset: 1.5 },
    { propertySelector: 1n << 64n },
    { supportedFeatures: 2 ** 32 },
    { databaseIdentifier: new Uint8Array(15) },
    { searchValue: 'x'.repeat(255) },
    { unknown: [{ tag: 0x04, value: new Uint8Array(2) }] },
    { unknown: [{ tag: 0x40, value: new Uint8Array(256) }] },
  ];
  for (const params of bad) {
    assert.throws(() => encodePbapParams(params), (e: unknown) => isPbapError(e, PbapErrorCode.BadValue), JSON.stringify(params, (_, v) => (typeof v === 'bigint' ? String(v) : v)));
  }
});

const u8 = fc.integer({ min: 0, max: 0xff });
const u16 = fc.integer({ min: 0, max: 0xffff });
const u64 = fc.bigInt({ min: 0n, max: 0xffffffffffffffffn });
const b16 = fc.uint8Array({ minLength: 16, maxLength: 16 });
const KNOWN = new Set(Array.from({ length: 16 }, (_, i) => i + 1));

const paramsArb: fc.Arbitrary<PbapParams> = fc.record(
  {
    order: u8,
    searchValue: fc.string({ unit: 'grapheme', maxLength: 20 }).filter((s) => Buffer.byteLength(s) <= 254),
    searchProperty: u8,
    maxListCount: u16,
    listStartOffset: u16,
    propertySelector: u64,
    format: u8,
    phonebookSize: u16,
    newMissedCalls: u8,
    primaryFolderVersion: b16,
    secondaryFolderVersion: b16,
    vcardSelector: u64,
    databaseIdentifier: b16,
    vcardSelectorOperator: u8,
    resetNewMissedCalls: u8,
    supportedFeatures: fc.integer({ min: 0, max: 0xffffffff }),
    unknown: fc.array(
      fc.record({ tag: u8.filter((t) => !KNOWN.has(t)), value: fc.uint8Array({ maxLength: 8 }) }, { noNullPrototype: true }),
      { minLength: 1, maxLength: 3 },
    ),
  },
  { requiredKeys: [], noNullPrototype: true },
);

test('property: typed params -> bytes -> the same params', () => {
  fc.assert(
    fc.property(paramsArb, (params) => {
      assert.deepEqual(decodePbapParams(encodePbapParams(params)), params);
    }),
    { numRuns: 500 },
  );
});

test('property: decoded bytes re-encode to bytes that decode the same', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
      let params: PbapParams;
      try {
        params = decodePbapParams(bytes);
      } catch (err) {
        assert.ok(isPbapError(err), `escaped: ${String(err)}`);
        return;
      }
      assert.deepEqual(decodePbapParams(encodePbapParams(params)), params);
    }),
    { numRuns: 1000 },
  );
});

test('property: TLV-shaped hostile input only ever throws PbapError', () => {
  const tlv = fc.tuple(fc.integer({ min: 0, max: 0x12 }), fc.uint8Array({ maxLength: 20 })).map(([tag, value]) => [tag, value.length, ...value]);
  fc.assert(
    fc.property(fc.array(tlv, { maxLength: 6 }), fc.boolean(), (parts, chop) => {
      let bytes = Uint8Array.from(parts.flat());
      if (chop && bytes.length > 0) bytes = bytes.subarray(0, bytes.length - 1);
      try {
        decodePbapParams(bytes);
      } catch (err) {
        assert.ok(isPbapError(err), `escaped: ${String(err)}`);
      }
    }),
    { numRuns: 1000 },
  );
});
