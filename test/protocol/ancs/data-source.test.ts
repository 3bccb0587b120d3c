/**
 * Data Source one-shot codec: hex fixtures paired with decoded replies, every
 * decode error with its offset, RangeError on bad encoder input, fragmenting
 * at MTU-3, lenient attribute text, and round trips.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { attributeText, decodeDataSourceReply, encodeDataSourceReply, fragmentReply } from '../../../src/protocol/ancs/data-source';
import type { DataSourceReply, ExpectedReply } from '../../../src/protocol/ancs/types';
import { assertAncsError, dataSourceReplyArb, expectationOf, hex, toHex, utf8 } from './fixtures';

const fixtures: Array<{ name: string; hex: string; expected: ExpectedReply; reply: DataSourceReply }> = [
  {
    name: 'notification reply: AppIdentifier, Title, empty Message, for UID 0x43',
    hex: '00 43000000  00 1300 636f6d2e6170706c652e4d6f62696c65534d53  01 0500 48656c6c6f  03 0000',
    expected: { commandId: 0, attributeCount: 3, notificationUid: 0x43 },
    reply: {
      commandId: 0,
      notificationUid: 0x43,
      attributes: [
        { id: 0, value: utf8('com.apple.MobileSMS') },
        { id: 1, value: utf8('Hello') },
        { id: 3, value: new Uint8Array(0) },
      ],
    },
  },
  {
    name: 'notification reply with an unknown attribute id and non-UTF-8 bytes, UID 0xFFFFFFFF',
    hex: '00 ffffffff  c8 0300 00ff80',
    expected: { commandId: 0, attributeCount: 1 },
    reply: { commandId: 0, notificationUid: 0xffffffff, attributes: [{ id: 0xc8, value: hex('00 ff 80') }] },
  },
  {
    name: 'app reply: DisplayName "Test Mail" of com.test.mail',
    hex: '01 636f6d2e746573742e6d61696c 00  00 0900 54657374204d61696c',
    expected: { commandId: 1, attributeCount: 1, appIdentifier: 'com.test.mail' },
    reply: { commandId: 1, appIdentifier: 'com.test.mail', attributes: [{ id: 0, value: utf8('Test Mail') }] },
  },
  {
    name: 'app reply with no attribute tuples (what ancs4linux reads as "app not installed")',
    hex: '01 61 00',
    expected: { commandId: 1, attributeCount: 0 },
    reply: { commandId: 1, appIdentifier: 'a', attributes: [] },
  },
];

for (const f of fixtures) {
  test(`fixture: ${f.name}`, () => {
    assert.deepEqual(decodeDataSourceReply(hex(f.hex), f.expected), f.reply);
    assert.equal(toHex(encodeDataSourceReply(f.reply)), f.hex.replace(/ /g, ''));
  });
}

const n1: ExpectedReply = { commandId: 0, attributeCount: 1 };
const errorCases: Array<{ name: string; hex: string; expected: ExpectedReply; code: string; offset: number }> = [
  { name: 'empty input', hex: '', expected: n1, code: 'ancs.truncated', offset: 0 },
  { name: 'cut in the UID', hex: '00 43 00', expected: n1, code: 'ancs.truncated', offset: 1 },
  { name: 'header only, one attribute expected', hex: '00 43000000', expected: n1, code: 'ancs.truncated', offset: 5 },
  { name: 'cut in the attribute length', hex: '00 43000000 01 05', expected: n1, code: 'ancs.truncated', offset: 5 },
  { name: 'value shorter than its length', hex: '00 43000000 01 0500 4865', expected: n1, code: 'ancs.truncated', offset: 8 },
  {
    name: 'second of two attributes missing',
    hex: '00 43000000 01 0100 48',
    expected: { commandId: 0, attributeCount: 2 },
    code: 'ancs.truncated',
    offset: 9,
  },
  { name: 'one byte after the last attribute', hex: '00 43000000 01 0100 48 00', expected: n1, code: 'ancs.too-long', offset: 9 },
  { name: 'CommandID 1 where 0 was expected', hex: '01 01000000', expected: n1, code: 'ancs.reply-mismatch', offset: 0 },
  { name: 'CommandID 2 (never a reply)', hex: '02 01000000', expected: n1, code: 'ancs.reply-mismatch', offset: 0 },
  {
    name: 'UID 999 where 1 was requested',
    hex: '00 e7030000 01 0000',
    expected: { commandId: 0, attributeCount: 1, notificationUid: 1 },
    code: 'ancs.reply-mismatch',
    offset: 1,
  },
  {
    name: 'app "b" where "a" was requested',
    hex: '01 62 00 00 0000',
    expected: { commandId: 1, attributeCount: 1, appIdentifier: 'a' },
    code: 'ancs.reply-mismatch',
    offset: 1,
  },
  { name: 'AppIdentifier without NUL', hex: '01 61 62', expected: { commandId: 1, attributeCount: 1 }, code: 'ancs.missing-nul', offset: 1 },
  { name: 'AppIdentifier not UTF-8', hex: '01 c3 00 00 0000', expected: { commandId: 1, attributeCount: 1 }, code: 'ancs.bad-utf8', offset: 1 },
];

for (const c of errorCases) {
  test(`decode error: ${c.name} -> ${c.code} at ${c.offset}`, () => {
    assertAncsError(() => decodeDataSourceReply(hex(c.hex), c.expected), c.code, c.offset);
  });
}

test('decode rejects an invalid expectation with RangeError', () => {
  const bytes = hex('00 43000000');
  for (const bad of [
    { commandId: 2, attributeCount: 0 },
    { commandId: 0, attributeCount: -1 },
    { commandId: 0, attributeCount: 1.5 },
    { commandId: 0, attributeCount: 0, notificationUid: 2 ** 32 },
  ]) {
    assert.throws(() => decodeDataSourceReply(bytes, bad as ExpectedReply), RangeError, JSON.stringify(bad));
  }
});

test('encode rejects replies our own code should never build', () => {
  const bad: unknown[] = [
    { commandId: 0, notificationUid: 1, attributes: [{ id: 0, value: new Uint8Array(0x10000) }] },
    { commandId: 0, notificationUid: 1, attributes: [{ id: 256, value: new Uint8Array(0) }] },
    { commandId: 0, notificationUid: -1, attributes: [] },
    { commandId: 1, appIdentifier: 'a\0', attributes: [] },
    { commandId: 2, attributes: [] },
  ];
  for (const reply of bad) assert.throws(() => encodeDataSourceReply(reply as DataSourceReply), RangeError, JSON.stringify(reply));
  // The largest value a 2-byte length can carry still encodes.
  const big = encodeDataSourceReply({ commandId: 0, notificationUid: 1, attributes: [{ id: 3, value: new Uint8Array(0xffff) }] });
  assert.equal(big.length, 5 + 3 + 0xffff);
  assert.deepEqual(Array.from(big.subarray(5, 8)), [3, 0xff, 0xff]);
});

test('attributeText reads UTF-8 leniently: cut or invalid sequences become U+FFFD', () => {
  assert.equal(attributeText(hex('506562626c652054696d6520ceb2')), 'Pebble Time β');
  assert.equal(attributeText(hex('4c6f6164696e67e280a6')), 'Loading…');
  // iOS cut "β" (CE B2) after its first byte at MaxLen.
  assert.equal(attributeText(hex('50 ce')), 'P\ufffd');
  assert.equal(attributeText(hex('ff fe 41')), '\ufffd\ufffdA');
  assert.equal(attributeText(new Uint8Array(0)), '');
  // A leading byte order mark is kept, not silently dropped.
  assert.equal(attributeText(hex('efbbbf 41')), '\ufeffA');
});

test('property: attributeText never throws and round-trips valid UTF-8', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 64 }), fc.string({ unit: 'binary', maxLength: 30 }), (bytes, text) => {
      assert.equal(typeof attributeText(bytes), 'string');
      assert.equal(attributeText(utf8(text)), text);
    }),
    { numRuns: 500 },
  );
});

test('fragmentReply cuts at maxPayload (ATT_MTU - 3) and keeps every byte', () => {
  const bytes = hex('00 01 02 03 04 05 06 07 08 09');
  assert.deepEqual(
    fragmentReply(bytes, 4).map((f) => toHex(f)),
    ['00010203', '04050607', '0809'],
  );
  assert.deepEqual(fragmentReply(bytes, 10).map((f) => toHex(f)), ['00010203040506070809']);
  assert.deepEqual(fragmentReply(new Uint8Array(0), 20), []);
  for (const bad of [0, -1, 1.5, Number.NaN]) assert.throws(() => fragmentReply(bytes, bad), RangeError);
});

test('property: fragments are at most maxPayload, only the last is short, and they join to the input', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 700 }), fc.integer({ min: 1, max: 250 }), (bytes, max) => {
      const frags = fragmentReply(bytes, max);
      assert.equal(frags.length, Math.ceil(bytes.length / max));
      frags.forEach((f, i) => {
        assert.ok(f.length >= 1 && f.length <= max);
        if (i < frags.length - 1) assert.equal(f.length, max);
      });
      assert.equal(Buffer.concat(frags).toString('hex'), toHex(bytes));
    }),
    { numRuns: 300 },
  );
});

test('property: decode(encode(reply)) is the reply, with or without UID/AppIdentifier in the expectation', () => {
  fc.assert(
    fc.property(dataSourceReplyArb, fc.boolean(), (reply, withId) => {
      const full = expectationOf(reply);
      const expected: ExpectedReply = withId ? full : { commandId: full.commandId, attributeCount: full.attributeCount };
      assert.deepEqual(decodeDataSourceReply(encodeDataSourceReply(reply), expected), reply);
    }),
    { numRuns: 500 },
  );
});

test('property: asking for one attribute fewer than sent is too-long, one more is truncated', () => {
  fc.assert(
    fc.property(dataSourceReplyArb, (reply) => {
      const bytes = encodeDataSourceReply(reply);
      const exp = expectationOf(reply);
      if (exp.attributeCount > 0) {
        assertAncsError(() => decodeDataSourceReply(bytes, { ...exp, attributeCount: exp.attributeCount - 1 }), 'ancs.too-long');
      }
      assertAncsError(() => decodeDataSourceReply(bytes, { ...exp, attributeCount: exp.attributeCount + 1 }), 'ancs.truncated', bytes.length);
    }),
    { numRuns: 300 },
  );
});
