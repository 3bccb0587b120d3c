import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VirtualClock } from '../../../src/link/virtual-clock';
import { ReplayOutcome, ReplayTracker } from '../../../src/sim-pc/ancs/replay-tracker';
import { EventFlag, EventId } from '../../../src/protocol/ancs';
import type { NotificationSourceEvent } from '../../../src/protocol/ancs';

const ev = (eventId: number, uid: number, flags = 0): NotificationSourceEvent => ({ eventId, eventFlags: flags, categoryId: 0, categoryCount: 1, notificationUid: uid });
const pre = (uid: number) => ev(EventId.Added, uid, EventFlag.PreExisting);

function setup(settleMs = 1000) {
  const clock = new VirtualClock();
  const outcomes: { at: number; outcome: ReplayOutcome }[] = [];
  const tracker = new ReplayTracker(clock, settleMs, (outcome) => outcomes.push({ at: clock.now(), outcome }));
  return { clock, tracker, outcomes };
}

test('the NS window closes after settleMs of quiet, counted from the last event', () => {
  const { clock, tracker, outcomes } = setup();
  tracker.arm();
  clock.advance(300);
  assert.equal(tracker.onEvent(pre(1)), true);
  clock.advance(400);
  tracker.onEvent(ev(EventId.Modified, 1, EventFlag.PreExisting)); // any NS event restarts the quiet timer
  clock.advance(999);
  assert.equal(tracker.windowOpen, true);
  clock.advance(1);
  assert.equal(tracker.windowOpen, false);
  // uid 1 is still being fetched: not complete yet.
  assert.equal(outcomes.length, 0);
  assert.equal(tracker.isPending(1), true);
  clock.advance(5000);
  tracker.settle(1);
  assert.deepEqual(outcomes, [{ at: 6700, outcome: { uids: [1], endedBy: 'quiet', nsEndedAt: 1700 } }]);
  assert.equal(tracker.replaying, false);
  assert.equal(clock.nextEventTime(), undefined);
});

test('a live Added (no PreExisting) closes the window at once', () => {
  const { clock, tracker, outcomes } = setup();
  tracker.arm();
  tracker.onEvent(pre(1));
  tracker.onEvent(pre(2));
  tracker.onEvent(pre(2)); // a repeat is not a new replayed UID
  tracker.settle(1);
  clock.advance(10);
  assert.equal(tracker.onEvent(ev(EventId.Added, 3)), false);
  assert.equal(tracker.windowOpen, false);
  assert.equal(clock.nextEventTime(), undefined, 'no timer left once the window closed');
  tracker.settle(2);
  assert.deepEqual(outcomes, [{ at: 10, outcome: { uids: [1, 2], endedBy: 'live-event', nsEndedAt: 10 } }]);
  // Later events and settles change nothing.
  assert.equal(tracker.onEvent(pre(9)), false);
  tracker.settle(9);
  assert.equal(outcomes.length, 1);
});

test('events before arm() are counted but the quiet timer starts only at arm()', () => {
  const { clock, tracker, outcomes } = setup(500);
  tracker.onEvent(pre(4));
  clock.advance(2000);
  assert.equal(tracker.windowOpen, true);
  tracker.arm();
  tracker.arm();
  tracker.settle(4);
  clock.advance(500);
  assert.deepEqual(outcomes.map((o) => o.outcome), [{ uids: [4], endedBy: 'quiet', nsEndedAt: 2500 }]);
});

test('an empty replay completes after the quiet window; dispose stops everything', () => {
  const a = setup(1000);
  a.tracker.arm();
  a.clock.advance(1000);
  assert.deepEqual(a.outcomes.map((o) => o.outcome), [{ uids: [], endedBy: 'quiet', nsEndedAt: 1000 }]);

  const b = setup(1000);
  b.tracker.arm();
  b.tracker.onEvent(pre(1));
  b.tracker.dispose();
  assert.equal(b.clock.nextEventTime(), undefined);
  b.tracker.settle(1);
  b.clock.advance(5000);
  assert.equal(b.outcomes.length, 0);
  assert.equal(b.tracker.replaying, false);
  assert.equal(b.tracker.windowOpen, false);
});
