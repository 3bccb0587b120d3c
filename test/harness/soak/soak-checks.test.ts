/**
 * The soak's invariant checkers on hand-made snapshots: each holds on a
 * good snapshot and fails on a deliberately broken one (a duplicate in the
 * Inbox, a lost message, a notification on one side only, a slow
 * reconnect, a grown heap, an overgrown log, untyped errors).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  checkBounded,
  checkHeap,
  checkMessages,
  checkReconnects,
  checkSameMultiset,
  isTypedError,
  reconnectBoundMs,
  type SoakArrival,
} from '../../../src/harness/soak/soak-checks';
import { DEFAULT_BACKOFF } from '../../../src/sim-pc/backoff';
import { LinkError } from '../../../src/link/errors';

const arrivals: SoakArrival[] = [
  { key: '4000000000000001 text 1', registered: true, visible: true },
  { key: '4000000000000002 text 2', registered: false, visible: false },
  { key: '4000000000000003 text 3', registered: false, visible: true },
];

test('messages: the Inbox holding each visible arrival once passes', () => {
  assert.deepEqual(checkMessages(arrivals, ['4000000000000001 text 1', '4000000000000003 text 3']), []);
});

test('messages: an injected duplicate fails', () => {
  const problems = checkMessages(arrivals, ['4000000000000001 text 1', '4000000000000003 text 3', '4000000000000001 text 1']);
  assert.deepEqual(problems, ['the Inbox shows "4000000000000001 text 1" 2 times']);
});

test('messages: a lost message, an invisible one shown, an unknown one and a registered one hidden all fail', () => {
  assert.deepEqual(checkMessages(arrivals, ['4000000000000003 text 3']), ['"4000000000000001 text 1" is visible to the PC on the phone but missing from the Inbox']);
  assert.deepEqual(checkMessages(arrivals, ['4000000000000001 text 1', '4000000000000002 text 2', '4000000000000003 text 3']), [
    '"4000000000000002 text 2" is not visible to the PC on the phone but is in the Inbox',
  ]);
  assert.deepEqual(checkMessages(arrivals, ['4000000000000001 text 1', '4000000000000003 text 3', '9 ghost']), ['the Inbox shows "9 ghost", which the phone never received']);
  const hidden: SoakArrival[] = [{ key: 'k', registered: true, visible: false }];
  assert.deepEqual(checkMessages(hidden, []), ['"k" arrived while registered but the phone no longer shows it to the PC']);
});

test('same multiset: order does not matter, counts and differences do', () => {
  assert.deepEqual(checkSameMultiset('calls', ['a', 'b', 'b'], ['b', 'a', 'b']), []);
  assert.deepEqual(checkSameMultiset('notifications', ['a', 'b'], ['a', 'b', 'b', 'c']), [
    'notifications: phone has 2, PC has 4; only on the phone: []; only (or extra) on the PC: [b | c]',
  ]);
  assert.deepEqual(checkSameMultiset('calls', ['x 1'], []), ['calls: phone has 1, PC has 0; only on the phone: [x 1]; only (or extra) on the PC: []']);
});

test('reconnect bound: outage + longest jittered wait + one failed and one good attempt + supervision', () => {
  const link = { connectSetupMs: 60, supervisionTimeoutMs: 720 };
  // No outage: retries at 1 s and 2 s nominal can start within it; the longest wait is 2 s x 1.2.
  assert.equal(reconnectBoundMs(0, link), 0 + 2400 + 5000 + 60 + 720);
  // A long outage reaches the 60 s cap (jitter cannot push past it).
  assert.equal(reconnectBoundMs(600_000, link), 600_000 + 60_000 + 5000 + 60 + 720);
  assert.equal(reconnectBoundMs(0, link, { ...DEFAULT_BACKOFF, jitter: 0 }), 2000 + 5000 + 60 + 720);
  assert.deepEqual(checkReconnects([100, 8180], 8180), []);
  assert.deepEqual(checkReconnects([100, 8181], 8180), ['a reconnect took 8181 ms of link time, bound 8180 ms']);
});

test('heap: within factor x warm-up + slack passes, beyond fails', () => {
  const MB = 1048576;
  assert.deepEqual(checkHeap(40 * MB, 60 * MB + 16 * MB), []);
  assert.deepEqual(checkHeap(40 * MB, 77 * MB), ['heap grew from 40.0 MB after warm-up to 77.0 MB at the end (limit 76.0 MB)']);
  assert.deepEqual(checkHeap(40 * MB, 61 * MB, { factor: 1.5, slackBytes: 0 }), ['heap grew from 40.0 MB after warm-up to 61.0 MB at the end (limit 60.0 MB)']);
});

test('bounded logs and typed errors', () => {
  assert.deepEqual(checkBounded('the PDU log', 0, 0), []);
  assert.deepEqual(checkBounded('the PDU log', 3, 2), ['the PDU log holds 3 entries, over its bound 2']);
  assert.equal(isTypedError(new LinkError('link.test', 'x')), true);
  assert.equal(isTypedError(new Error('plain')), false);
  assert.equal(isTypedError(Object.assign(new Error('numeric code'), { code: 5 })), false);
  assert.equal(isTypedError('a string'), false);
});
