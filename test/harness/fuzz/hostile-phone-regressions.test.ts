/**
 * PC bugs the hostile-phone campaign found, each kept as a regression test:
 *  - the PC's MNS server closed on an unframeable event report (a packet
 *    length below 3, or past its maximum) without reporting anything;
 *  - after the AG's call-ending +CIEV was dropped as unusable, the
 *    hands-free unit kept a phantom active call for good (it never read
 *    +CLCC again, and an unanswered +CLCC was not retried);
 *  - a dropped final result ("OK" with a control byte) was reported twice:
 *    as the bad line and again as the +CLCC timeout it caused.
 * Plus the storm cases that found them, replayed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { faultCommand, operateCommand, runHostileCase } from '../../../src/harness/fuzz/hostile-phone';
import { runStormCase } from '../../../src/harness/fuzz/hostile-phone-storm';
import { clcc } from '../../sim-pc/hfp/fake-ag';
import { brief, connected } from '../../sim-pc/hfp/hf-rig';

test('an MNS event report with a broken OBEX length is reported once, as a MAP fault', async () => {
  await runHostileCase(21, [faultCommand('map', 'mns', 'malformed'), faultCommand('map', 'mns', 'oversized')]);
});

test('a dropped call-ending +CIEV: the HF reads +CLCC again and the phantom call goes', async () => {
  const { ag, hf, clock, seen } = await connected();
  ag.calls = [clcc(1, 1, 0, '+447700900555')];
  ag.ciev('call', 1);
  await clock.runFor(1_000);
  assert.deepEqual(brief(hf.calls), [[1, 1, 0, '+447700900555', false]]);
  // The far end hangs up, but the +CIEV saying so arrives with a control byte in it.
  ag.calls = [];
  ag.profile.values.call = 0;
  ag.sendRaw(`\r\n+CIEV: ${ag.indexOf('call')},\x010\r\n`);
  await clock.runFor(5_000);
  assert.equal(seen.errors.length, 1);
  assert.deepEqual(brief(hf.calls), []);
});

test('an unanswered +CLCC is asked again, and the timeout that follows a dropped line is not reported twice', async () => {
  const { ag, hf, clock, seen } = await connected();
  let swallowOk = true;
  ag.handler = (command, fake) => {
    if (command.kind !== 'clcc' || !swallowOk) return undefined;
    swallowOk = false;
    // The list goes out, but its final OK is broken on the way: the HF drops it and the query times out.
    fake.send(...fake.calls);
    fake.sendRaw('\r\nO\x01\r\n');
    return 'silent';
  };
  ag.calls = [clcc(1, 1, 4, '+447700900555')];
  ag.ciev('callsetup', 1);
  await clock.runFor(10_000);
  assert.deepEqual(
    seen.errors.map((e) => (e as Error & { code?: string }).code),
    ['hfp.bad-character'],
  );
  assert.ok(ag.lines.filter((l) => l === 'AT+CLCC').length >= 2, ag.lines.join(' | '));
  assert.deepEqual(brief(hf.calls), [[1, 1, 4, '+447700900555', false]]);
});

test('storm replays: the cases that found the bugs above now hold', async () => {
  await runStormCase({ seed: 1, rate: 0.25, operations: ['pbap', 'hfp'] });
  await runStormCase({ seed: 893070071, rate: 0.25, operations: ['pbap', 'ancs', 'map', 'hfp', 'ancs'] });
  await runStormCase({ seed: 1, rate: 0.25, operations: ['ancs', 'map', 'pbap', 'hfp', 'ancs'] });
});

test('a normal operation after the replays still reports nothing', async () => {
  await runHostileCase(22, [operateCommand('hfp'), operateCommand('map'), operateCommand('pbap'), operateCommand('ancs')]);
});
