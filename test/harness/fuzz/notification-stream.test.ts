/**
 * Stream convergence as a unit-test property (a modest number of runs; the
 * `phonebridge fuzz notifications` campaign runs many more): whatever the
 * phone and the PC do, and however the link drops, once quiet the PC's
 * notification list equals the phone's.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { StreamCase, StreamDivergence, runStreamCase, streamProperty } from '../../../src/harness/fuzz/notification-stream';
import { NotificationCenter } from '../../../src/sim-pc';

test('the PC converges on the phone for random streams, MTUs, intervals and faults', async () => {
  await fc.assert(streamProperty(), { numRuns: 150, seed: 11 });
});

test('a known-hard case converges: an unknown app posted while the phone is out of range', async () => {
  // Found by the fuzzer: the phone answers GetAppAttributes for an app it does not know with no
  // tuples at all, which used to hold the Control Point queue until the 15 s request timeout.
  const c: StreamCase = {
    seed: 1,
    mtu: 25,
    connectionIntervalMs: 7.5,
    commands: [
      { kind: 'outOfRange', ms: 4821 },
      { kind: 'post', app: 3, title: '', message: '', dismissible: false },
    ],
  };
  await runStreamCase(c);
});

test('the check can fail: a PC that loses a notification is reported with both lists', async () => {
  const c: StreamCase = { seed: 3, mtu: 185, connectionIntervalMs: 30, commands: [{ kind: 'post', app: 0, title: 'a', message: 'b', dismissible: true }] };
  // Sabotage the PC's view: its list forgets the last entry.
  const original = NotificationCenter.prototype.list;
  NotificationCenter.prototype.list = function (this: NotificationCenter) {
    return original.call(this).slice(1);
  };
  try {
    await assert.rejects(runStreamCase(c), (err: unknown) => err instanceof StreamDivergence && /phone shows 1/.test(err.message) && /PC shows 0/.test(err.message));
  } finally {
    NotificationCenter.prototype.list = original;
  }
});
