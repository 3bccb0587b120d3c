/**
 * The `hostile-phone` campaign as unit tests: both properties with modest
 * runs (`phonebridge fuzz hostile-phone` runs many more), every target and
 * fault kind once by hand, and proof that the checks can fail: a PC that
 * reports nothing, and one that reports every fault twice, are caught, with
 * a replay line that reproduces the failure.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { runCampaign, checker } from '../../../src/harness/fuzz/campaign';
import {
  DETECTABLE,
  HOSTILE_PHONE_CAMPAIGN,
  HostilePhoneFailure,
  TARGETS,
  faultCommand,
  hostilePhoneProperty,
  operateCommand,
  runHostileCase,
} from '../../../src/harness/fuzz/hostile-phone';
import { HostileBed } from '../../../src/harness/fuzz/hostile-phone-bed';
import { hostileStormProperty } from '../../../src/harness/fuzz/hostile-phone-storm';
import type { FaultKind } from '../../../src/sim-phone/hostile/hostile-profile';

const KINDS: FaultKind[] = ['malformed', 'truncated', 'oversized', 'outOfOrder'];

test('the campaign has its two properties', () => {
  assert.deepEqual(
    HOSTILE_PHONE_CAMPAIGN.map((p) => p.name),
    ['faults', 'storm'],
  );
});

test('every target and fault kind, once each: reported as required, the rest keeps working, the target recovers', async () => {
  for (const t of TARGETS) {
    for (const kind of KINDS) await runHostileCase(11, [faultCommand(t.profile, t.part, kind), operateCommand(t.profile)]);
  }
});

test('a detectable fault is in the PC fault list once, attributed to its profile, with a code', async () => {
  const bed = new HostileBed(12);
  try {
    await bed.start();
    const errors: Error[] = [];
    bed.tb.pc.events.on('error', (e) => errors.push(e));
    bed.saboteur.arm('ancs', 'truncated', 'notificationSource');
    bed.tb.phone.backchannel.postNotification({ appId: 'com.apple.MobileSMS', title: 't', message: 'm' });
    await bed.tb.clock.runFor(5_000);
    const faults = bed.tb.pc.faults();
    assert.equal(faults.length, 1);
    assert.equal(faults[0]?.profile, 'ancs');
    assert.equal((faults[0]?.error as Error & { code?: string }).code, 'ancs.truncated');
    assert.deepEqual(errors, [faults[0]?.error]);
  } finally {
    await bed.shutdown();
  }
});

test('faults holds for random command sequences (modest runs)', async () => {
  await fc.assert(hostilePhoneProperty()(() => undefined), { numRuns: 40, seed: 7 });
});

test('storm holds for random rates and traffic (modest runs)', async () => {
  await fc.assert(hostileStormProperty()(() => undefined), { numRuns: 40, seed: 7 });
});

test('the detectable table names only kinds the phone can commit', () => {
  for (const kinds of Object.values(DETECTABLE)) for (const k of kinds) assert.ok(KINDS.includes(k));
  assert.ok(!Object.values(DETECTABLE).some((kinds) => kinds.includes('outOfOrder')));
});

test('planted: a PC that never reports a fault is caught', async () => {
  await assert.rejects(
    runHostileCase(13, [faultCommand('pbap', 'pbap', 'truncated')], () => []),
    (err: unknown) => err instanceof HostilePhoneFailure && /pbap truncated fault was reported 0 times, not once/.test(err.message),
  );
});

test('planted: a PC that reports every fault twice is caught by the campaign, with a replay line that reproduces it', async () => {
  const twice = hostilePhoneProperty((tb) => tb.pc.faults().flatMap((f) => [f, f]));
  const campaign = [{ name: 'faults', description: 'planted double reports', weight: 1, check: checker(twice) }];
  const result = await runCampaign('hostile-phone', campaign, { runs: 60, seed: 5 });
  assert.equal(result.ok, false);
  const outcome = result.outcomes[0];
  assert.ok(outcome?.failed && outcome.path);
  assert.match(outcome.error ?? '', /HostilePhoneFailure: .*(fault reports for|reported 2 times)/);
  assert.match(result.replay ?? '', /^phonebridge fuzz hostile-phone --only faults --seed 5 --path \S+ --runs 1$/);
  const replay = await runCampaign('hostile-phone', campaign, { runs: 1, seed: outcome.seed, path: outcome.path });
  assert.equal(replay.ok, false);
});
