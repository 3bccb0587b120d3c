/**
 * OBEX header codec: PROTOCOLS.md examples, edge cases, round trips and fuzzing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  appParamsHeader,
  decodeHeader,
  decodeHeaders,
  encodeHeader,
  encodeHeaders,
  endOfBodyHeader,
  findHeader,
  HeaderId,
  headerKindOf,
  isObexError,
  nameHeader,
  ObexError,
  readName,
  readType,
  typeHeader,
  type ObexHeader,
} from '../../../src/protocol/obex';
import { headerArb, hex, toHex } from './obex-test-kit';

test('PROTOCOLS.md header examples encode and decode', () => {
  const cases: [string, ObexHeader][] = [
    ['01 00 0B 00 66 00 6F 00 6F 00 00', { id: HeaderId.Name, kind: 'unicode', value: 'foo' }],
    ['01 00 03', { id: HeaderId.Name, kind: 'unicode', value: '' }],
    ['49 00 03', { id: HeaderId.EndOfBody, kind: 'bytes', value: new Uint8Array(0) }],
    ['4C 00 09 00 04 01 02 03 04', { id: HeaderId.AppParameters, kind: 'bytes', value: hex('00 04 01 02 03 04') }],
    ['CB 00 00 00 01', { id: HeaderId.ConnectionId, kind: 'u32', value: 1 }],
    ['97 01', { id: HeaderId.Srm, kind: 'u8', value: 1 }],
  ];
  for (const [bytes, header] of cases) {
    assert.equal(toHex(encodeHeader(header)), toHex(hex(bytes)), bytes);
    assert.deepEqual(decodeHeaders(hex(bytes)), [header], bytes);
  }
  assert.deepEqual(encodeHeader(nameHeader('foo')), hex('01 00 0B 00 66 00 6F 00 6F 00 00'));
  assert.deepEqual(encodeHeader(endOfBodyHeader()), hex('49 00 03'));
  assert.deepEqual(encodeHeader(appParamsHeader(hex('00 04 01 02 03 04'))), hex('4C 00 09 00 04 01 02 03 04'));
  assert.deepEqual(encodeHeader(typeHeader('x-bt/phonebook')), hex('42 00 12 782d62742f70686f6e65626f6f6b 00'));
});

test('an empty Name is distinct from an absent one', () => {
  const withEmpty = decodeHeaders(hex('01 00 03'));
  assert.equal(readName(withEmpty), '');
  assert.equal(readName(decodeHeaders(hex('CB 00 00 00 01'))), undefined);
  assert.ok(findHeader(withEmpty, HeaderId.Name));
});

test('a lone NUL terminator is kept apart from the empty form', () => {
  const decoded = decodeHeaders(hex('01 00 05 00 00'));
  assert.deepEqual(decoded, [{ id: HeaderId.Name, kind: 'unicode', value: '', emptyWithNul: true }]);
  assert.deepEqual(encodeHeaders(decoded), hex('01 00 05 00 00'));
  // A NUL inside the text survives too.
  const inner = decodeHeaders(hex('01 00 0B 00 61 00 00 00 62 00 00'));
  assert.deepEqual(inner, [{ id: HeaderId.Name, kind: 'unicode', value: 'a\u0000b' }]);
  assert.deepEqual(encodeHeaders(inner), hex('01 00 0B 00 61 00 00 00 62 00 00'));
});

test('text outside the Basic Multilingual Plane uses surrogate pairs', () => {
  const header = nameHeader('x\u{1F600}');
  assert.deepEqual(encodeHeader(header), hex('01 00 0B 00 78 D8 3D DE 00 00 00'));
  assert.deepEqual(decodeHeaders(encodeHeader(header)), [header]);
});

test('malformed headers are rejected with code and offset', () => {
  const cases: [string, string, number][] = [
    ['01 00 04 00', 'obex.bad-unicode', 1],
    ['01 00 05 00 61', 'obex.bad-unicode', 3],
    ['01 00 07 D8 00 00 00', 'obex.bad-unicode', 3],
    ['01 00 07 DC 00 00 00', 'obex.bad-unicode', 3],
    ['01 00 02', 'obex.bad-length', 1],
    ['48 00 01', 'obex.bad-length', 1],
    ['48 00 08 01 02', 'obex.truncated', 1],
    ['48 00', 'obex.truncated', 0],
    ['97', 'obex.truncated', 0],
    ['CB 00 00 00', 'obex.truncated', 0],
    ['CB 00 00 00 01 48', 'obex.truncated', 5],
  ];
  for (const [bytes, code, offset] of cases) {
    assert.throws(
      () => decodeHeaders(hex(bytes)),
      (err: unknown) => isObexError(err) && err.code === code && err.offset === offset,
      bytes,
    );
  }
});

test('decodeHeader respects the end it is given', () => {
  const bytes = hex('CB 00 00 00 01 97 01');
  assert.deepEqual(decodeHeader(bytes, 5), { header: { id: 0x97, kind: 'u8', value: 1 }, next: 7 });
  assert.throws(() => decodeHeader(bytes, 0, 4), /cut short/);
});

test('encoders refuse values they cannot represent', () => {
  const bad: ObexHeader[] = [
    { id: HeaderId.Name, kind: 'bytes', value: new Uint8Array(0) },
    { id: HeaderId.Srm, kind: 'u8', value: 256 },
    { id: HeaderId.Count, kind: 'u32', value: -1 },
    { id: HeaderId.Count, kind: 'u32', value: 2 ** 32 },
    { id: 0x100, kind: 'u8', value: 0 },
    { id: HeaderId.Name, kind: 'unicode', value: '\uD800' },
    { id: HeaderId.Name, kind: 'unicode', value: 'a', emptyWithNul: true },
    { id: HeaderId.Body, kind: 'bytes', value: new Uint8Array(0xfffd) },
  ];
  for (const header of bad) {
    assert.throws(() => encodeHeader(header), (err: unknown) => isObexError(err, 'obex.bad-value'), JSON.stringify(header.id));
  }
  assert.throws(() => typeHeader('téxt'), ObexError);
});

test('Type reads as text up to its NUL', () => {
  assert.equal(readType([typeHeader('x-bt/vcard-listing')]), 'x-bt/vcard-listing');
  assert.equal(readType(decodeHeaders(hex('42 00 06 61 62 00'))), 'ab');
});

test('property: header lists round-trip', () => {
  fc.assert(
    fc.property(fc.array(headerArb, { maxLength: 8 }), (headers) => {
      const bytes = encodeHeaders(headers);
      assert.deepEqual(decodeHeaders(bytes), headers);
      for (const h of headers) assert.equal(headerKindOf(h.id), h.kind);
    }),
    { numRuns: 500 },
  );
});

/** Decodes; when that works the bytes must re-encode exactly; any failure must be an ObexError. */
function decodeOrObexError(bytes: Uint8Array): void {
  let headers: ObexHeader[];
  try {
    headers = decodeHeaders(bytes);
  } catch (err) {
    assert.ok(isObexError(err), `non-ObexError escaped: ${String(err)}`);
    assert.equal(typeof err.offset, 'number');
    return;
  }
  assert.equal(toHex(encodeHeaders(headers)), toHex(bytes));
}

test('property: arbitrary bytes give headers that re-encode exactly, or an ObexError', () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 80 }), decodeOrObexError), { numRuns: 1000 });
});

test('property: mutated valid encodings give headers or an ObexError', () => {
  fc.assert(
    fc.property(
      fc.array(headerArb, { minLength: 1, maxLength: 5 }),
      fc.nat(),
      fc.integer({ min: 0, max: 255 }),
      fc.nat(),
      (headers, where, value, cut) => {
        const bytes = encodeHeaders(headers);
        const mutated = Uint8Array.from(bytes);
        mutated[where % mutated.length] = value;
        decodeOrObexError(mutated);
        decodeOrObexError(bytes.subarray(0, cut % (bytes.length + 1)));
      },
    ),
    { numRuns: 1000 },
  );
});
