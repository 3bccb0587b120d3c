import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VirtualClock, VirtualClockError } from '../../src/link/virtual-clock';

test('events run in time order, ties in insertion order', () => {
  const clock = new VirtualClock();
  const seen: string[] = [];
  clock.schedule(20, () => seen.push('b'));
  clock.schedule(10, () => seen.push('a1'));
  clock.schedule(10, () => seen.push('a2'));
  clock.schedule(30, () => seen.push('c'));
  clock.advance(25);
  assert.deepEqual(seen, ['a1', 'a2', 'b']);
  assert.equal(clock.now(), 25);
  clock.advance(5);
  assert.deepEqual(seen, ['a1', 'a2', 'b', 'c']);
});

test('a cancelled timer never fires and is not pending', () => {
  const clock = new VirtualClock();
  let fired = false;
  const timer = clock.schedule(5, () => (fired = true));
  assert.equal(timer.pending, true);
  timer.cancel();
  clock.advance(10);
  assert.equal(fired, false);
  assert.equal(timer.pending, false);
  assert.equal(clock.nextEventTime(), undefined);
});

test('events scheduled by events run within the same advance', () => {
  const clock = new VirtualClock();
  const times: number[] = [];
  clock.schedule(1, () => {
    times.push(clock.now());
    clock.schedule(1, () => times.push(clock.now()));
  });
  clock.advance(2);
  assert.deepEqual(times, [1, 2]);
});

test('runUntilIdle lets async code progress between events', async () => {
  const clock = new VirtualClock();
  const log: number[] = [];
  const worker = async () => {
    for (let i = 0; i < 3; i++) {
      await clock.sleep(100);
      log.push(clock.now());
    }
  };
  const done = worker();
  await clock.runUntilIdle();
  await done;
  assert.deepEqual(log, [100, 200, 300]);
});

test('runUntilIdle refuses a run that never goes idle', async () => {
  const clock = new VirtualClock();
  const tick = () => clock.schedule(10, tick);
  tick();
  await assert.rejects(clock.runUntilIdle({ until: 1000 }), VirtualClockError);
});

test('runUntil returns the virtual time taken, and throws on timeout', async () => {
  const clock = new VirtualClock();
  let ready = false;
  clock.schedule(250, () => (ready = true));
  assert.equal(await clock.runUntil(() => ready, 1000), 250);
  await assert.rejects(clock.runUntil(() => false, 50), /within 50 ms/);
  assert.equal(clock.now(), 300);
});

test('runFor moves time forward even with nothing to do', async () => {
  const clock = new VirtualClock();
  await clock.runFor(3_600_000);
  assert.equal(clock.now(), 3_600_000);
  assert.equal(clock.date().toISOString(), '2026-01-05T10:00:00.000Z');
});

test('the same seed gives the same random stream', () => {
  const a = new VirtualClock({ seed: 42 }).random;
  const b = new VirtualClock({ seed: 42 }).random;
  const c = new VirtualClock({ seed: 43 }).random;
  const draw = (r: typeof a) => Array.from({ length: 8 }, () => r.int(0, 1000));
  const da = draw(a);
  assert.deepEqual(da, draw(b));
  assert.notDeepEqual(da, draw(c));
});
