/**
 * WallClock: real-time runners with the virtual clock's shape: runUntil
 * polls and times out, runUntilIdle waits for this clock's own timers, and
 * cancelled or fired timers are no longer counted.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WallClock, WallClockError } from '../../src/harness/wall-clock';

test('runUntil resolves once the condition holds and returns the time it took', async () => {
  const clock = new WallClock();
  let flag = false;
  clock.schedule(30, () => (flag = true));
  const took = await clock.runUntil(() => flag, 2_000);
  assert.ok(took >= 25 && took < 1_000, `took ${took} ms`);
});

test('runUntil throws a WallClockError when the condition never holds', async () => {
  const clock = new WallClock();
  await assert.rejects(clock.runUntil(() => false, 40), WallClockError);
});

test('runUntilIdle waits for pending timers; cancelled ones do not count', async () => {
  const clock = new WallClock();
  const fired: number[] = [];
  clock.schedule(20, () => fired.push(1));
  const never = clock.schedule(10_000, () => fired.push(2));
  assert.equal(clock.pendingTimers, 2);
  never.cancel();
  assert.equal(never.pending, false);
  await clock.runUntilIdle({ until: clock.now() + 2_000 });
  assert.deepEqual(fired, [1]);
  assert.equal(clock.pendingTimers, 0);
});

test('runUntilIdle throws when its deadline passes with timers pending', async () => {
  const clock = new WallClock();
  const timer = clock.schedule(5_000, () => undefined);
  await assert.rejects(clock.runUntilIdle({ until: clock.now() + 30 }), WallClockError);
  timer.cancel();
});
