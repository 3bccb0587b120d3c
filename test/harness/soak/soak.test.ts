/**
 * The virtual-time soak end to end: a short soak with a fixed seed passes
 * its invariants with faults of several kinds, replays identically from its
 * seed, and a broken invariant (here an injected heap reading) ends the run
 * with the seed, the hour and a replay command.
 *
 * @isolated-process: the soak listens to process-wide 'uncaughtException'
 * and 'unhandledRejection', which must not see other files' tests.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runSoak } from '../../../src/harness/soak/soak-runner';
import type { SoakReport } from '../../../src/harness/soak/soak-types';
import { formatReport } from '../../../src/cli/commands/soak';

const SEED = 4;
const HOURS = 2;

/** The parts of a report that depend on the seed only (not on wall time or the heap). */
const replayable = (r: SoakReport) => ({
  hours: r.hoursSimulated,
  events: r.events,
  faults: r.faults,
  checkpoints: r.checkpoints,
  checksPassed: r.checksPassed,
  reconnects: r.reconnectsTimed,
  longest: r.longestReconnectMs,
  typedErrors: r.typedErrors,
});

let first: SoakReport | undefined;

test(`a ${HOURS}-hour soak with seed ${SEED} passes its invariants under faults`, async () => {
  const report = await runSoak({ hours: HOURS, seed: SEED });
  first = report;
  assert.equal(report.failure, undefined, report.failure && `${report.failure.check}: ${report.failure.problems.join('; ')}`);
  assert.equal(report.ok, true);
  assert.ok(report.hoursSimulated >= HOURS && report.hoursSimulated < HOURS + 0.2, `simulated ${report.hoursSimulated} h`);
  // Every profile was busy.
  assert.ok(report.events.notificationsPosted > 100, `${report.events.notificationsPosted} posts`);
  assert.ok(report.events.notificationsRemoved > 50);
  assert.ok(report.events.messages > 20, `${report.events.messages} texts`);
  assert.ok(report.events.calls >= 1);
  assert.ok(report.events.phonebookRefreshes >= 1);
  // Faults of more than one kind happened, each followed by a checkpoint; reconnects were timed.
  const faultKinds = Object.values(report.faults).filter((n) => n > 0).length;
  const faults = Object.values(report.faults).reduce((a, b) => a + b, 0);
  assert.ok(faultKinds >= 5, `fault kinds: ${JSON.stringify(report.faults)}`);
  assert.ok(report.checkpoints >= faults + 1, `${report.checkpoints} checkpoints for ${faults} faults`);
  // Five invariants per checkpoint (notifications, messages, calls, bounded logs, and the phonebook once refreshed).
  assert.ok(report.checksPassed >= report.checkpoints * 4, `${report.checksPassed} checks`);
  assert.ok(report.reconnectsTimed >= 1);
  assert.ok(report.heap.warmUpBytes !== undefined && report.heap.endBytes !== undefined);
  assert.ok(report.wallMs < 60_000, `took ${report.wallMs} ms of wall time`);
  const text = formatReport(report);
  assert.match(text, /^ok {3}soak seed 4: 2\.\d\d of 2 h of link time/);
  assert.match(text, /heap \(no gc\): [\d.]+ MB after warm-up, [\d.]+ MB at the end/);
});

test('the same seed replays the same soak', async () => {
  const again = await runSoak({ hours: 1, seed: SEED });
  const once = await runSoak({ hours: 1, seed: SEED });
  assert.deepEqual(replayable(again), replayable(once));
  const other = await runSoak({ hours: 1, seed: SEED + 1 });
  assert.notDeepEqual(replayable(other).events, replayable(once).events);
  assert.ok(first === undefined || first.events.notificationsPosted > once.events.notificationsPosted);
});

test('a broken invariant ends the soak with the seed, the hour and a replay command', async () => {
  let readings = 0;
  // The heap "grows" tenfold between warm-up and the end.
  const heapUsed = (): number => (++readings === 1 ? 10_000_000 : 100_000_000);
  const report = await runSoak({ hours: 0.5, seed: 7, warmUpHours: 0.1, heapUsed, heapMargin: { factor: 1.5, slackBytes: 0 } });
  assert.equal(report.ok, false);
  assert.ok(report.failure);
  assert.equal(report.failure.check, 'heap');
  assert.match(report.failure.problems[0] ?? '', /heap grew from 9\.5 MB after warm-up to 95\.4 MB at the end \(limit 14\.3 MB\)/);
  assert.ok(report.failure.hour >= 0.5);
  assert.equal(report.failure.replay, 'node bin/phonebridge.js soak --hours 0.5 --seed 7');
  const text = formatReport(report);
  assert.match(text, /^FAIL soak seed 7/);
  assert.match(text, /failed at hour 0\.\d\d \(seed 7\): heap/);
  assert.match(text, /replay: node bin\/phonebridge\.js soak --hours 0\.5 --seed 7/);
});

test('the soak refuses hours and seeds it cannot run', async () => {
  await assert.rejects(runSoak({ hours: 0, seed: 1 }), RangeError);
  await assert.rejects(runSoak({ hours: 1, seed: 1.5 }), RangeError);
});
