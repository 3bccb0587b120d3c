/**
 * Application Parameters TLV codec: typed builders and readers, round trips and fuzzing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  appParam,
  decodeAppParams,
  decodeHeaders,
  encodeAppParams,
  isObexError,
  readAppBytes,
  readAppParams,
  readAppString,
  readAppU16,
  readAppU32,
  readAppU64,
  readAppU8,
  type AppParam,
} from '../../../src/protocol/obex';
import { hex, toHex } from './obex-test-kit';

test('PROTOCOLS.md: 4C 00 09 00 04 01 02 03 04 holds tag 0 = uint32 0x01020304', () => {
  const raw = readAppParams(decodeHeaders(hex('4C 00 09 00 04 01 02 03 04')));
  assert.ok(raw);
  const params = decodeAppParams(raw);
  assert.deepEqual(params, [{ tag: 0, value: hex('01 02 03 04') }]);
  assert.equal(readAppU32(params, 0), 0x01020304);
  assert.deepEqual(encodeAppParams([appParam.u32(0, 0x01020304)]), hex('00 04 01 02 03 04'));
});

test('typed builders and readers, big-endian', () => {
  const params: AppParam[] = [
    appParam.u8(0x07, 1),
    appParam.u16(0x04, 0xfffe),
    appParam.u32(0x10, 0x000003ff),
    appParam.u64(0x06, 0x8000000000000085n),
    appParam.string(0x02, 'Zoë'),
    appParam.string(0x19, '20260105T090000', { nul: false }),
    appParam.bytes(0x0a, hex('00 11 22')),
  ];
  const bytes = encodeAppParams(params);
  assert.equal(
    toHex(bytes),
    '070101' + '0402fffe' + '1004000003ff' + '06088000000000000085' + '02055a6fc3ab00' + '190f' + toHex(new TextEncoder().encode('20260105T090000')) + '0a03001122',
  );
  const back = decodeAppParams(bytes);
  assert.equal(readAppU8(back, 0x07), 1);
  assert.equal(readAppU16(back, 0x04), 0xfffe);
  assert.equal(readAppU32(back, 0x10), 0x3ff);
  assert.equal(readAppU64(back, 0x06), 0x8000000000000085n);
  assert.equal(readAppString(back, 0x02), 'Zoë');
  assert.equal(readAppString(back, 0x19), '20260105T090000');
  assert.deepEqual(readAppBytes(back, 0x0a), hex('00 11 22'));
  assert.equal(readAppU8(back, 0x55), undefined);
});

test('order and repeated tags survive a round trip', () => {
  const bytes = hex('05 01 01 01 01 02 05 01 03');
  assert.deepEqual(encodeAppParams(decodeAppParams(bytes)), bytes);
  assert.equal(readAppU8(decodeAppParams(bytes), 5), 1);
});

test('wrong sizes, bad UTF-8 and truncation are ObexErrors', () => {
  const params = decodeAppParams(hex('04 01 07 02 02 C3 28'));
  assert.throws(() => readAppU16(params, 4), (e: unknown) => isObexError(e, 'obex.bad-length'));
  assert.throws(() => readAppString(params, 2), (e: unknown) => isObexError(e, 'obex.bad-unicode'));
  assert.throws(() => decodeAppParams(hex('04')), (e: unknown) => isObexError(e, 'obex.truncated') && e.offset === 0);
  assert.throws(() => decodeAppParams(hex('04 02 01')), (e: unknown) => isObexError(e, 'obex.truncated') && e.offset === 1);
  assert.throws(() => appParam.u8(1, 256), (e: unknown) => isObexError(e, 'obex.bad-value'));
  assert.throws(() => appParam.u64(1, -1n), (e: unknown) => isObexError(e, 'obex.bad-value'));
  assert.throws(() => encodeAppParams([{ tag: 1, value: new Uint8Array(256) }]), (e: unknown) => isObexError(e, 'obex.bad-value'));
});

const paramArb: fc.Arbitrary<AppParam> = fc
  .record({ tag: fc.integer({ min: 0, max: 255 }), value: fc.uint8Array({ maxLength: 255 }) })
  .map((p) => ({ ...p }));

test('property: TLV lists round-trip', () => {
  fc.assert(
    fc.property(fc.array(paramArb, { maxLength: 10 }), (params) => {
      assert.deepEqual(decodeAppParams(encodeAppParams(params)), params);
    }),
    { numRuns: 500 },
  );
});

test('property: typed values round-trip', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 0xffff }),
      fc.integer({ min: 0, max: 0xffffffff }),
      fc.bigInt({ min: 0n, max: 0xffffffffffffffffn }),
      fc.string({ maxLength: 40 }),
      (u16, u32, u64, text) => {
        const params = decodeAppParams(
          encodeAppParams([appParam.u16(1, u16), appParam.u32(2, u32), appParam.u64(3, u64), appParam.string(4, text)]),
        );
        assert.equal(readAppU16(params, 1), u16);
        assert.equal(readAppU32(params, 2), u32);
        assert.equal(readAppU64(params, 3), u64);
        assert.equal(readAppString(params, 4), text);
      },
    ),
    { numRuns: 500 },
  );
});

test('property: arbitrary bytes decode to a list that re-encodes exactly, or an ObexError', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 60 }), (bytes) => {
      let params: AppParam[];
      try {
        params = decodeAppParams(bytes);
      } catch (err) {
        assert.ok(isObexError(err) && typeof err.offset === 'number', String(err));
        return;
      }
      assert.equal(toHex(encodeAppParams(params)), toHex(bytes));
    }),
    { numRuns: 1000 },
  );
});
