/**
 * Robustness of every ANCS decoder and of the reassembler: arbitrary and
 * mutated bytes give a value or an AncsError (never another exception), and
 * each call returns promptly, large inputs included.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeControlPoint, encodeControlPoint } from '../../../src/protocol/ancs/control-point';
import { decodeDataSourceReply, encodeDataSourceReply } from '../../../src/protocol/ancs/data-source';
import { AncsError } from '../../../src/protocol/ancs/errors';
import { decodeNotificationSource, encodeNotificationSource } from '../../../src/protocol/ancs/notification-source';
import { DataSourceReassembler } from '../../../src/protocol/ancs/reassembler';
import type { ExpectedReply } from '../../../src/protocol/ancs/types';
import { ProtocolError } from '../../../src/protocol/errors';
import { controlPointCommandArb, dataSourceReplyArb, fragmentSizesArb, mutatedBytesArb, notificationSourceEventArb, splitBytes } from './fixtures';

/** Generous per-call budgets: these decoders are linear, so even a slow CI machine is far below them. */
const BUDGET_MS = 200;
const BIG_INPUT_BUDGET_MS = 2000;

/** Runs `fn`; any exception must be an AncsError (a ProtocolError), and the call must be quick. */
function valueOrAncsError(what: string, fn: () => unknown, budgetMs = BUDGET_MS): void {
  const started = performance.now();
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof AncsError && err instanceof ProtocolError, `${what} threw a non-ANCS error: ${String(err)}`);
    assert.equal(typeof err.code, 'string');
    assert.ok(err.code.startsWith('ancs.'), err.code);
  }
  const took = performance.now() - started;
  assert.ok(took < budgetMs, `${what} took ${took.toFixed(1)} ms`);
}

const expectedArb: fc.Arbitrary<ExpectedReply> = fc.record(
  {
    commandId: fc.constantFrom(0 as const, 1 as const),
    attributeCount: fc.integer({ min: 0, max: 10 }),
    notificationUid: fc.option(fc.integer({ min: 0, max: 3 }), { nil: undefined }),
    appIdentifier: fc.option(fc.constantFrom('a', 'com.apple.MobileSMS'), { nil: undefined }),
  },
  { requiredKeys: ['commandId', 'attributeCount'], noNullPrototype: true },
);

/** Arbitrary bytes, mutations of valid messages of every kind, and concatenations. */
const nastyBytesArb: fc.Arbitrary<Uint8Array> = fc.oneof(
  fc.uint8Array({ maxLength: 64 }),
  fc.uint8Array({ minLength: 1, maxLength: 8 }).map((b) => Uint8Array.of(b[0] % 3, ...b.subarray(1))),
  mutatedBytesArb(notificationSourceEventArb.map(encodeNotificationSource)),
  mutatedBytesArb(controlPointCommandArb.map(encodeControlPoint)),
  mutatedBytesArb(dataSourceReplyArb.map(encodeDataSourceReply)),
);

test('property: every decoder gives a value or an AncsError on arbitrary and mutated bytes', () => {
  fc.assert(
    fc.property(nastyBytesArb, expectedArb, (bytes, expected) => {
      valueOrAncsError('decodeNotificationSource', () => decodeNotificationSource(bytes));
      valueOrAncsError('decodeControlPoint', () => decodeControlPoint(bytes));
      valueOrAncsError('decodeDataSourceReply', () => decodeDataSourceReply(bytes, expected));
    }),
    { numRuns: 1000 },
  );
});

test('property: the reassembler gives replies or an AncsError on arbitrary and mutated streams', () => {
  fc.assert(
    fc.property(
      fc.array(nastyBytesArb, { minLength: 1, maxLength: 4 }),
      fc.array(expectedArb, { maxLength: 4 }),
      fragmentSizesArb,
      (chunks, expectations, sizes) => {
        const r = new DataSourceReassembler({ maxReplyBytes: 4096 });
        for (const e of expectations) r.expect(e);
        for (const fragment of splitBytes(Buffer.concat(chunks), sizes)) {
          valueOrAncsError('DataSourceReassembler.push', () => {
            const replies = r.push(fragment);
            assert.ok(Array.isArray(replies));
          });
        }
      },
    ),
    { numRuns: 500 },
  );
});

test('large hostile inputs return promptly', () => {
  const big = new Uint8Array(1 << 20).fill(0x61);
  big[0] = 1; // GetAppAttributes / app reply with a 1 MiB AppIdentifier and no NUL
  valueOrAncsError('decodeControlPoint(1 MiB)', () => decodeControlPoint(big), BIG_INPUT_BUDGET_MS);
  valueOrAncsError('decodeDataSourceReply(1 MiB)', () => decodeDataSourceReply(big, { commandId: 1, attributeCount: 1 }), BIG_INPUT_BUDGET_MS);
  valueOrAncsError('decodeNotificationSource(1 MiB)', () => decodeNotificationSource(big), BIG_INPUT_BUDGET_MS);
  const ones = new Uint8Array(1 << 20).fill(0x04); // GetNotificationAttributes asking for 1M MessageSize attributes
  ones[0] = 0;
  valueOrAncsError('decodeControlPoint(1M attributes)', () => decodeControlPoint(ones), BIG_INPUT_BUDGET_MS);

  const r = new DataSourceReassembler();
  r.expect({ commandId: 1, attributeCount: 1 });
  assert.throws(() => {
    for (let i = 0; i < 300; i++) r.push(big.subarray(i === 0 ? 0 : 1, 1024));
  }, (err: unknown) => err instanceof AncsError && err.code === 'ancs.reply-too-large');
  assert.equal(r.busy, false);
});
