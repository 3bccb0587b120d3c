/**
 * Data Source reassembler: replies split at every byte (lengths straddling
 * fragments included) and packed back to back, every error code with its
 * offset, reset after errors, bounded queues, and equivalence with the
 * one-shot decoder for arbitrary fragmentations.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeDataSourceReply, encodeDataSourceReply } from '../../../src/protocol/ancs/data-source';
import { AncsError } from '../../../src/protocol/ancs/errors';
import { DataSourceReassembler, ReassemblyError } from '../../../src/protocol/ancs/reassembler';
import type { DataSourceReply, ExpectedReply } from '../../../src/protocol/ancs/types';
import { assertAncsError, dataSourceReplyArb, expectationOf, fragmentSizesArb, hex, splitAt, splitBytes, utf8 } from './fixtures';

/** Feeds every fragment and collects the replies. */
function feed(r: DataSourceReassembler, fragments: readonly Uint8Array[]): DataSourceReply[] {
  const out: DataSourceReply[] = [];
  for (const f of fragments) out.push(...r.push(f));
  return out;
}

const title = new Uint8Array(0x0123).fill(0x41);
/** UID 0x43: AppIdentifier "com.x", a 291-byte Title (length 23 01), an empty Message. */
const longReply: DataSourceReply = {
  commandId: 0,
  notificationUid: 0x43,
  attributes: [
    { id: 0, value: utf8('com.x') },
    { id: 1, value: title },
    { id: 3, value: new Uint8Array(0) },
  ],
};
const longBytes = encodeDataSourceReply(longReply);
const appReply: DataSourceReply = { commandId: 1, appIdentifier: 'com.x', attributes: [{ id: 0, value: utf8('X') }] };
const appBytes = hex('01 636f6d2e78 00 00 0100 58');

test('fixture: the app reply encodes as expected', () => {
  assert.deepEqual(encodeDataSourceReply(appReply), appBytes);
});

test('a reply split at every possible single point decodes the same', () => {
  for (let cut = 0; cut <= longBytes.length; cut++) {
    const r = new DataSourceReassembler();
    r.expect(expectationOf(longReply));
    assert.deepEqual(feed(r, splitAt(longBytes, [cut])), [longReply], `cut at ${cut}`);
    assert.equal(r.busy, false);
  }
});

test('the 2-byte length straddling two fragments (23 | 01) is joined', () => {
  const lengthAt = 5 + 3 + 5 + 1; // header, AppIdentifier tuple, Title's AttributeID
  assert.deepEqual(Array.from(longBytes.subarray(lengthAt, lengthAt + 2)), [0x23, 0x01]);
  const r = new DataSourceReassembler();
  r.expect(expectationOf(longReply));
  assert.deepEqual(r.push(longBytes.subarray(0, lengthAt + 1)), []);
  assert.equal(r.busy, true);
  assert.deepEqual(r.push(longBytes.subarray(lengthAt + 1)), [longReply]);
});

test('byte-by-byte delivery works and only the last byte completes the reply', () => {
  const r = new DataSourceReassembler();
  r.expect(expectationOf(longReply));
  for (let i = 0; i < longBytes.length - 1; i++) assert.deepEqual(r.push(longBytes.subarray(i, i + 1)), []);
  assert.deepEqual(r.push(longBytes.subarray(longBytes.length - 1)), [longReply]);
});

test('several replies back to back in one fragment come out in order', () => {
  const r = new DataSourceReassembler();
  r.expect(expectationOf(longReply));
  r.expect(expectationOf(appReply));
  r.expect(expectationOf(longReply));
  assert.deepEqual(r.push(Buffer.concat([longBytes, appBytes, longBytes])), [longReply, appReply, longReply]);
  assert.equal(r.busy, false);
});

test('a reply expected with zero attributes completes right after its header', () => {
  const r = new DataSourceReassembler();
  r.expect({ commandId: 1, attributeCount: 0 });
  r.expect({ commandId: 0, attributeCount: 0 });
  assert.deepEqual(r.push(hex('01 61 00 00 07000000')), [
    { commandId: 1, appIdentifier: 'a', attributes: [] },
    { commandId: 0, notificationUid: 7, attributes: [] },
  ]);
});

test('returned values are copies: reusing the fragment buffer changes nothing', () => {
  const r = new DataSourceReassembler();
  r.expect(expectationOf(appReply));
  const buf = Uint8Array.from(appBytes);
  const [reply] = r.push(buf);
  buf.fill(0xee);
  assert.deepEqual(reply, appReply);
});

test('busy: idle, expecting, mid-reply, done; reset drops everything', () => {
  const r = new DataSourceReassembler();
  assert.equal(r.busy, false);
  r.expect(expectationOf(appReply));
  assert.equal(r.busy, true);
  r.push(appBytes.subarray(0, 4));
  assert.equal(r.busy, true);
  assert.equal(r.pendingCount, 0);
  r.reset();
  assert.equal(r.busy, false);
  assertAncsError(() => r.push(appBytes.subarray(4)), 'ancs.unexpected-data', 0);
  r.expect(expectationOf(appReply));
  assert.deepEqual(r.push(appBytes), [appReply]);
});

test('data with nothing expected is ancs.unexpected-data at reply offset 0', () => {
  const r = new DataSourceReassembler();
  const err = assertAncsError(() => r.push(hex('00 01')), 'ancs.unexpected-data', 0);
  assert.ok(err instanceof ReassemblyError);
  assert.deepEqual(err.completed, []);
});

test('trailing bytes after the last expected reply keep the completed replies on the error', () => {
  const r = new DataSourceReassembler();
  r.expect(expectationOf(appReply));
  const err = assertAncsError(() => r.push(Buffer.concat([appBytes, hex('00')])), 'ancs.unexpected-data', 0);
  assert.ok(err instanceof ReassemblyError);
  assert.deepEqual(err.completed, [appReply]);
  assert.equal(r.busy, false);
});

test('ancs.reply-mismatch: CommandID (offset 0), UID split across fragments (offset 1), AppIdentifier (offset 1)', () => {
  const r = new DataSourceReassembler();
  r.expect({ commandId: 0, attributeCount: 1, notificationUid: 1 });
  assertAncsError(() => r.push(hex('01 01000000')), 'ancs.reply-mismatch', 0);
  assert.equal(r.busy, false);

  r.expect({ commandId: 0, attributeCount: 1, notificationUid: 1 });
  assert.deepEqual(r.push(hex('00 e7 03')), []);
  assertAncsError(() => r.push(hex('00 00 01 00 00')), 'ancs.reply-mismatch', 1);

  r.expect({ commandId: 1, attributeCount: 1, appIdentifier: 'expected.app' });
  assert.deepEqual(r.push(hex('01 77726f6e67')), []);
  assertAncsError(() => r.push(hex('2e61707000')), 'ancs.reply-mismatch', 1);
  assert.equal(r.busy, false);
});

test('ancs.bad-utf8 for an AppIdentifier that is not UTF-8', () => {
  const r = new DataSourceReassembler();
  r.expect({ commandId: 1, attributeCount: 1 });
  assertAncsError(() => r.push(hex('01 c3 00')), 'ancs.bad-utf8', 1);
});

test('ancs.reply-too-large: a declared length past the limit fails at once, before its bytes arrive', () => {
  const r = new DataSourceReassembler({ maxReplyBytes: 100 });
  r.expect({ commandId: 0, attributeCount: 1 });
  // 5 header + 3 tuple header + 93 value = 101 > 100
  assertAncsError(() => r.push(hex('00 01000000 03 5d00')), 'ancs.reply-too-large', 100);
  assert.equal(r.busy, false);
  r.expect({ commandId: 0, attributeCount: 1 });
  const exact = Buffer.concat([hex('00 01000000 03 5c00'), new Uint8Array(92)]);
  assert.equal(r.push(exact).length, 1, 'a reply of exactly maxReplyBytes is accepted');
});

test('ancs.reply-too-large: an AppIdentifier that never ends', () => {
  const r = new DataSourceReassembler({ maxReplyBytes: 64 });
  r.expect({ commandId: 1, attributeCount: 1 });
  assert.deepEqual(r.push(new Uint8Array([1, ...new Array<number>(40).fill(0x61)])), []);
  assertAncsError(() => r.push(new Uint8Array(40).fill(0x61)), 'ancs.reply-too-large', 64);
});

test('ancs.reply-too-large: the default limit is 256 KiB', () => {
  const r = new DataSourceReassembler();
  r.expect({ commandId: 0, attributeCount: 10 });
  const tuple = Buffer.concat([hex('03 ffff'), new Uint8Array(0xffff)]);
  // 5 + 4 * 65538 = 262157 > 262144 (the fourth tuple's length already overflows)
  assert.deepEqual(r.push(Buffer.concat([hex('00 01000000'), tuple, tuple, tuple])), []);
  assertAncsError(() => r.push(tuple), 'ancs.reply-too-large', 256 * 1024);
});

test('expectations are bounded: the 65th is ancs.too-many-pending and leaves the queue intact', () => {
  const r = new DataSourceReassembler();
  for (let i = 0; i < 64; i++) r.expect({ commandId: 1, attributeCount: 0 });
  assertAncsError(() => r.expect({ commandId: 1, attributeCount: 0 }), 'ancs.too-many-pending', undefined);
  assert.equal(r.pendingCount, 64);
  assert.equal(r.push(new Uint8Array(64 * 3).map((_, i) => (i % 3 === 0 ? 1 : i % 3 === 1 ? 0x61 : 0))).length, 64);
  assert.equal(r.busy, false);
});

test('invalid options and expectations are RangeErrors', () => {
  assert.throws(() => new DataSourceReassembler({ maxReplyBytes: 0 }), RangeError);
  assert.throws(() => new DataSourceReassembler({ maxPendingReplies: 1.5 }), RangeError);
  const r = new DataSourceReassembler();
  assert.throws(() => r.expect({ commandId: 2, attributeCount: 1 } as unknown as ExpectedReply), RangeError);
  assert.throws(() => r.expect({ commandId: 0, attributeCount: -1 }), RangeError);
  assert.equal(r.busy, false);
});

test('property: any fragmentation of concatenated replies gives what one-shot decode gives', () => {
  fc.assert(
    fc.property(fc.array(dataSourceReplyArb, { minLength: 1, maxLength: 4 }), fragmentSizesArb, (replies, sizes) => {
      const encoded = replies.map(encodeDataSourceReply);
      const oneShot = encoded.map((bytes, i) => decodeDataSourceReply(bytes, expectationOf(replies[i])));
      const r = new DataSourceReassembler();
      for (const reply of replies) r.expect(expectationOf(reply));
      assert.deepEqual(feed(r, splitBytes(Buffer.concat(encoded), sizes)), oneShot);
      assert.equal(r.busy, false);
    }),
    { numRuns: 400 },
  );
});

test('property: on arbitrary bytes the reassembler agrees with one-shot decode (value, or the same mismatch error)', () => {
  const expectedArb: fc.Arbitrary<ExpectedReply> = fc.record({ commandId: fc.constantFrom(0 as const, 1 as const), attributeCount: fc.integer({ min: 0, max: 4 }) }, { noNullPrototype: true });
  const bytesArb = fc.oneof(
    fc.uint8Array({ maxLength: 40 }),
    dataSourceReplyArb.map(encodeDataSourceReply),
  );
  fc.assert(
    fc.property(bytesArb, expectedArb, fragmentSizesArb, (bytes, expected, sizes) => {
      let oneShot: DataSourceReply | AncsError;
      try {
        oneShot = decodeDataSourceReply(bytes, expected);
      } catch (err) {
        assert.ok(err instanceof AncsError, String(err));
        oneShot = err;
      }
      const r = new DataSourceReassembler();
      r.expect(expected);
      let streamed: DataSourceReply[] | AncsError;
      try {
        streamed = feed(r, splitBytes(bytes, sizes));
      } catch (err) {
        assert.ok(err instanceof ReassemblyError, String(err));
        streamed = err;
      }
      if (!(oneShot instanceof AncsError)) {
        assert.deepEqual(streamed, [oneShot]);
      } else if (oneShot.code === 'ancs.reply-mismatch' || oneShot.code === 'ancs.bad-utf8') {
        assert.ok(streamed instanceof AncsError);
        assert.equal(streamed.code, oneShot.code);
        assert.equal(streamed.offset, oneShot.offset);
      } else if (oneShot.code === 'ancs.too-long') {
        assert.ok(streamed instanceof AncsError && streamed.code === 'ancs.unexpected-data');
      } else {
        // truncated / missing-nul: the stream just waits for more.
        assert.ok(Array.isArray(streamed) && streamed.length === 0 && r.busy);
      }
    }),
    { numRuns: 1000 },
  );
});

test('property: after any error the reassembler is reset and decodes the next valid reply', () => {
  const expectedArb: fc.Arbitrary<ExpectedReply> = fc.record({ commandId: fc.constantFrom(0 as const, 1 as const), attributeCount: fc.integer({ min: 0, max: 3 }) }, { noNullPrototype: true });
  fc.assert(
    fc.property(
      fc.array(expectedArb, { maxLength: 3 }),
      fc.array(fc.uint8Array({ maxLength: 30 }), { maxLength: 6 }),
      dataSourceReplyArb,
      (expectations, junk, good) => {
        const r = new DataSourceReassembler({ maxReplyBytes: 8192 });
        for (const e of expectations) r.expect(e);
        let failed = false;
        for (const f of junk) {
          try {
            r.push(f);
          } catch (err) {
            assert.ok(err instanceof ReassemblyError, String(err));
            assert.equal(r.busy, false);
            failed = true;
            break;
          }
        }
        if (!failed) r.reset();
        r.expect(expectationOf(good));
        assert.deepEqual(r.push(encodeDataSourceReply(good)), [good]);
        assert.equal(r.busy, false);
      },
    ),
    { numRuns: 500 },
  );
});

test('completeAtBoundary ends a short reply at a tuple boundary and nowhere else', () => {
  const r = new DataSourceReassembler();
  // An app that is not installed: the reply is the header alone, no DisplayName tuple.
  r.expect({ commandId: 1, attributeCount: 1 });
  assert.deepEqual(r.push(hex('01 63 6f 6d 2e 78 00')), []);
  assert.equal(r.atTupleBoundary, true);
  assert.deepEqual(r.completeAtBoundary(), { commandId: 1, appIdentifier: 'com.x', attributes: [] });
  assert.equal(r.busy, false);

  // A reply cut inside a length field is not at a boundary: nothing changes.
  r.expect({ commandId: 0, attributeCount: 2 });
  r.push(hex('00 43 00 00 00 01 05'));
  assert.equal(r.atTupleBoundary, false);
  assert.equal(r.completeAtBoundary(), undefined);
  assert.equal(r.busy, true);
  // ...and the reply still completes normally, then a missing last attribute can be closed early.
  const [first] = r.push(hex('00 48 65 6c 6c 6f'));
  assert.equal(first, undefined);
  assert.equal(r.atTupleBoundary, true);
  const short = r.completeAtBoundary();
  assert.equal(short?.commandId, 0);
  assert.equal(short?.attributes.length, 1);
  assert.equal(r.busy, false);
});
