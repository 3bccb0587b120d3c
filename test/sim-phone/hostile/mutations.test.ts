/**
 * The saboteur's byte mutations, byte-exact: what each fault kind does to
 * an ANCS value, an OBEX packet and an AT line, and that the input is
 * never changed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Random } from '../../../src/util/random';
import {
  AT_JUNK_LINE_BYTES,
  GATT_JUNK_BYTES,
  OBEX_CLAIMED_LENGTH,
  OBEX_JUNK_BYTES,
  type Framing,
  malform,
  oversize,
  truncate,
} from '../../../src/sim-phone/hostile/mutations';

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
const ascii = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'latin1'));

// Notification Source: Added, flags 0x18, Social, count 1, UID 0x00000102.
const NS = hex('00 18 04 01 02 01 00 00');
// OBEX response: Success (0xA0), length 8, Connection ID 1 (header 0xCB).
const OBEX = hex('a0 0008 cb 00000001');
const AT_LINE = ascii('\r\n+CIEV: 2,1\r\n');

test('malformed OBEX: same length, the length field says 0..2', () => {
  for (let seed = 1; seed < 50; seed++) {
    const out = malform(OBEX, 'obex', new Random(seed));
    assert.equal(out.length, OBEX.length);
    assert.equal(out[1], 0);
    assert.ok((out[2] ?? 99) <= 2);
  }
});

test('malformed AT line: the line breaks stay, the text has one control byte and no line break', () => {
  for (let seed = 1; seed < 50; seed++) {
    const out = malform(AT_LINE, 'at', new Random(seed));
    assert.equal(out.length, AT_LINE.length);
    assert.deepEqual([...out.slice(0, 2)], [0x0d, 0x0a]);
    assert.deepEqual([...out.slice(-2)], [0x0d, 0x0a]);
    const inner = [...out.slice(2, -2)];
    assert.ok(!inner.includes(0x0d) && !inner.includes(0x0a));
    assert.ok(inner.includes(0x01));
  }
});

test('malformed GATT value: garbage of the same length that differs from the value', () => {
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 1, maxLength: 40 }), fc.integer({ min: 1, max: 1000 }), (value, seed) => {
      const out = malform(value, 'ancs-ds', new Random(seed));
      assert.equal(out.length, value.length);
      assert.notDeepEqual([...out], [...value]);
    }),
    { numRuns: 300 },
  );
});

test('truncated: a strict prefix; Notification Source keeps 0..7 bytes, OBEX at least 1', () => {
  for (let seed = 1; seed < 50; seed++) {
    const ns = truncate(NS, 'ancs-ns', new Random(seed));
    assert.ok(ns.length <= 7);
    assert.deepEqual([...ns], [...NS.slice(0, ns.length)]);
    const obex = truncate(OBEX, 'obex', new Random(seed));
    assert.ok(obex.length >= 1 && obex.length < OBEX.length);
    assert.deepEqual([...obex], [...OBEX.slice(0, obex.length)]);
  }
});

test('oversized OBEX: the length field claims 0xFFFF and 64 junk bytes follow the packet', () => {
  const out = oversize(OBEX, 'obex', new Random(3));
  assert.equal(out.length, OBEX.length + OBEX_JUNK_BYTES);
  assert.equal(((out[1] ?? 0) << 8) | (out[2] ?? 0), OBEX_CLAIMED_LENGTH);
  assert.equal(out[0], 0xa0);
  assert.deepEqual([...out.slice(3, OBEX.length)], [...OBEX.slice(3)]);
});

test('oversized AT: the line goes out intact, then one over-long line of capitals', () => {
  const out = oversize(AT_LINE, 'at', new Random(3));
  assert.deepEqual([...out.slice(0, AT_LINE.length)], [...AT_LINE]);
  const junk = Buffer.from(out.slice(AT_LINE.length)).toString('latin1');
  assert.match(junk, new RegExp(`^\\r\\n[A-Z]{${AT_JUNK_LINE_BYTES}}\\r\\n$`));
});

test('oversized GATT value: junk up to the room under the MTU, none without room', () => {
  const out = oversize(NS, 'ancs-ns', new Random(3), 182);
  assert.equal(out.length, NS.length + GATT_JUNK_BYTES);
  assert.deepEqual([...out.slice(0, 8)], [...NS]);
  assert.equal(oversize(NS, 'ancs-ns', new Random(3), 12).length, 12);
  assert.equal(oversize(NS, 'ancs-ns', new Random(3), 8), NS);
});

test('no mutation changes its input', () => {
  const framings: Framing[] = ['ancs-ns', 'ancs-ds', 'obex', 'at'];
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 0, maxLength: 64 }), fc.constantFrom(...framings), fc.nat(1000), (value, framing, seed) => {
      const copy = [...value];
      malform(value, framing, new Random(seed + 1));
      truncate(value, framing, new Random(seed + 1));
      oversize(value, framing, new Random(seed + 1), 100);
      assert.deepEqual([...value], copy);
    }),
    { numRuns: 300 },
  );
});
