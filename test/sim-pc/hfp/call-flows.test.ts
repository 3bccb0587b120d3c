/**
 * Every call flow of PROTOCOLS.md section 5 against a scripted AG, with
 * enhanced call status (the list confirmed by +CLCC, as on an iPhone) and
 * without it (the list inferred from indicators alone): incoming and
 * answered, rejected, outgoing, ended, waiting + hold + swap + join,
 * network loss; plus +CLCC winning over a missed +CIEV and the ring event.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AgFeature, ClccDirection as Dir, ClccStatus as St, HfFeature } from '../../../src/protocol/hfp/constants';
import type { AgResultOf } from '../../../src/protocol/hfp/results';
import { DEFAULT_HF_FEATURES } from '../../../src/sim-pc/hfp/hands-free-types';
import { clcc, iphoneProfile, type FakeAg } from './fake-ag';
import { brief, connected, ok, type Rig } from './hf-rig';

const CALLER = '+447700900001';
const SECOND = '+447700900002';

function expected(calls: AgResultOf<'clcc'>[]): ReturnType<typeof brief> {
  return calls.map((c) => [c.index, c.direction, c.status, c.number, c.multiparty]);
}

/** An iPhone-like rig, or one where neither side does enhanced call status. */
async function setup(ecs: boolean): Promise<Rig> {
  const profile = iphoneProfile();
  if (!ecs) profile.brsf &= ~AgFeature.EnhancedCallStatus;
  return connected(profile, { features: ecs ? DEFAULT_HF_FEATURES : DEFAULT_HF_FEATURES & ~HfFeature.EnhancedCallStatus });
}

function incoming(ag: FakeAg, number = CALLER): void {
  ag.calls = [clcc(1, Dir.MobileTerminated, St.Incoming, number)];
  ag.ciev('callsetup', 1);
  ag.send({ kind: 'ring' }, { kind: 'clip', number, type: 145 });
}

/** The AG's side of answering: OK, then call=1, callsetup=0. */
function answersWithOk(ag: FakeAg): void {
  ag.handler = (command) => {
    if (command.kind !== 'answer') return undefined;
    ag.send({ kind: 'ok' });
    ag.calls = [clcc(1, Dir.MobileTerminated, St.Active, CALLER)];
    ag.ciev('call', 1);
    ag.ciev('callsetup', 0);
    return 'silent';
  };
}

async function activeCall(r: Rig): Promise<void> {
  incoming(r.ag);
  await r.clock.runUntilIdle();
  answersWithOk(r.ag);
  await ok(r.clock, r.hf.answer());
  await r.clock.runUntilIdle();
}

for (const ecs of [true, false]) {
  const mode = ecs ? 'with +CLCC' : 'indicators only';

  test(`${mode}: incoming call rings with the caller's number, is answered and becomes active`, async () => {
    const r = await setup(ecs);
    const before = r.ag.lines.length;
    incoming(r.ag);
    await r.clock.runUntilIdle();
    assert.deepEqual(brief(r.hf.calls), [[1, Dir.MobileTerminated, St.Incoming, CALLER, false]]);
    assert.deepEqual(r.seen.rings.map((x) => x.number), [CALLER]);
    answersWithOk(r.ag);
    await ok(r.clock, r.hf.answer());
    await r.clock.runUntilIdle();
    assert.deepEqual(brief(r.hf.calls), expected(r.ag.calls));
    assert.deepEqual(brief(r.hf.calls), [[1, Dir.MobileTerminated, St.Active, CALLER, false]]);
    assert.ok(r.ag.linesSince(before).includes('ATA'));
    assert.equal(r.ag.linesSince(before).includes('AT+CLCC'), ecs, 'AT+CLCC follows call-state changes only with ECS');
    assert.deepEqual(r.seen.errors, []);
  });

  test(`${mode}: rejecting an incoming call (AT+CHUP) leaves no calls`, async () => {
    const r = await setup(ecs);
    incoming(r.ag);
    await r.clock.runUntilIdle();
    r.ag.handler = (command, ag) => {
      if (command.kind !== 'chup') return undefined;
      ag.send({ kind: 'ok' });
      ag.calls = [];
      ag.ciev('callsetup', 0);
      return 'silent';
    };
    await ok(r.clock, r.hf.reject());
    await r.clock.runUntilIdle();
    assert.deepEqual(r.hf.calls, []);
    assert.equal(r.ag.lines.filter((l) => l === 'AT+CHUP').length, 1);
  });

  test(`${mode}: outgoing call dials, alerts, connects, and ends with AT+CHUP`, async () => {
    const r = await setup(ecs);
    r.ag.handler = (command, ag) => {
      if (command.kind !== 'dial') return undefined;
      ag.send({ kind: 'ok' });
      ag.calls = [clcc(1, Dir.MobileOriginated, St.Dialing, command.number)];
      ag.ciev('callsetup', 2);
      return 'silent';
    };
    await ok(r.clock, r.hf.dial('5551234'));
    await r.clock.runUntilIdle();
    assert.deepEqual(brief(r.hf.calls), [[1, Dir.MobileOriginated, St.Dialing, '5551234', false]]);
    r.ag.calls = [clcc(1, Dir.MobileOriginated, St.Alerting, '5551234')];
    r.ag.ciev('callsetup', 3);
    await r.clock.runUntilIdle();
    assert.deepEqual(brief(r.hf.calls), [[1, Dir.MobileOriginated, St.Alerting, '5551234', false]]);
    r.ag.calls = [clcc(1, Dir.MobileOriginated, St.Active, '5551234')];
    r.ag.ciev('call', 1);
    r.ag.ciev('callsetup', 0);
    await r.clock.runUntilIdle();
    assert.deepEqual(brief(r.hf.calls), [[1, Dir.MobileOriginated, St.Active, '5551234', false]]);
    const id = r.hf.calls[0]?.id;
    r.ag.handler = (command, ag) => {
      if (command.kind !== 'chup') return undefined;
      ag.send({ kind: 'ok' });
      ag.calls = [];
      ag.ciev('call', 0);
      return 'silent';
    };
    await ok(r.clock, r.hf.hangUp());
    await r.clock.runUntilIdle();
    assert.deepEqual(r.hf.calls, []);
    // One id followed the call from dialing to active.
    const ids = new Set(r.seen.calls.flat().map((c) => c.id));
    assert.deepEqual([...ids], [id]);
  });

  test(`${mode}: waiting call, hold and accept (AT+CHLD=2), swap, join (AT+CHLD=3)`, async () => {
    const r = await setup(ecs);
    await activeCall(r);
    const { ag, hf, clock } = r;
    ag.calls = [clcc(1, Dir.MobileTerminated, St.Active, CALLER), clcc(2, Dir.MobileTerminated, St.Waiting, SECOND)];
    ag.send({ kind: 'ccwa', number: SECOND, type: 145, callClass: 1 });
    ag.ciev('callsetup', 1);
    await clock.runUntilIdle();
    assert.deepEqual(brief(hf.calls), expected(ag.calls));
    assert.deepEqual(r.seen.waiting, [SECOND]);

    ag.handler = (command) => {
      if (command.kind !== 'chld') return undefined;
      ag.send({ kind: 'ok' });
      if (command.action === 2) {
        const [a, b] = ag.calls;
        assert.ok(a && b);
        ag.calls = [
          { ...a, status: a.status === St.Active ? St.Held : St.Active },
          { ...b, status: b.status === St.Active ? St.Held : St.Active },
        ];
        ag.ciev('callheld', 1);
        if (ag.profile.values.callsetup !== 0) ag.ciev('callsetup', 0);
      } else if (command.action === 3) {
        ag.calls = ag.calls.map((c) => ({ ...c, status: St.Active, multiparty: true }));
        ag.ciev('callheld', 0);
      }
      return 'silent';
    };
    await ok(clock, hf.hold());
    await clock.runUntilIdle();
    assert.deepEqual(brief(hf.calls), [
      [1, Dir.MobileTerminated, St.Held, CALLER, false],
      [2, Dir.MobileTerminated, St.Active, SECOND, false],
    ]);
    await ok(clock, hf.swap());
    await clock.runUntilIdle();
    assert.deepEqual(brief(hf.calls), [
      [1, Dir.MobileTerminated, St.Active, CALLER, false],
      [2, Dir.MobileTerminated, St.Held, SECOND, false],
    ]);
    await ok(clock, hf.join());
    await clock.runUntilIdle();
    assert.deepEqual(brief(hf.calls), [
      [1, Dir.MobileTerminated, St.Active, CALLER, true],
      [2, Dir.MobileTerminated, St.Active, SECOND, true],
    ]);
    assert.deepEqual(ag.lines.filter((l) => l.startsWith('AT+CHLD=')), ['AT+CHLD=?', 'AT+CHLD=2', 'AT+CHLD=2', 'AT+CHLD=3']);
  });

  test(`${mode}: rejecting a waiting call (AT+CHLD=0) keeps the active one`, async () => {
    const r = await setup(ecs);
    await activeCall(r);
    r.ag.calls = [clcc(1, Dir.MobileTerminated, St.Active, CALLER), clcc(2, Dir.MobileTerminated, St.Waiting, SECOND)];
    r.ag.send({ kind: 'ccwa', number: SECOND, type: 145 });
    r.ag.ciev('callsetup', 1);
    await r.clock.runUntilIdle();
    r.ag.handler = (command, ag) => {
      if (command.kind !== 'chld' || command.action !== 0) return undefined;
      ag.send({ kind: 'ok' });
      ag.calls = [clcc(1, Dir.MobileTerminated, St.Active, CALLER)];
      ag.ciev('callsetup', 0);
      return 'silent';
    };
    await ok(r.clock, r.hf.rejectWaiting());
    await r.clock.runUntilIdle();
    assert.deepEqual(brief(r.hf.calls), [[1, Dir.MobileTerminated, St.Active, CALLER, false]]);
  });

  test(`${mode}: releasing the active call and accepting the waiting one (AT+CHLD=1)`, async () => {
    const r = await setup(ecs);
    await activeCall(r);
    r.ag.calls = [clcc(1, Dir.MobileTerminated, St.Active, CALLER), clcc(2, Dir.MobileTerminated, St.Waiting, SECOND)];
    r.ag.send({ kind: 'ccwa', number: SECOND, type: 145 });
    r.ag.ciev('callsetup', 1);
    await r.clock.runUntilIdle();
    r.ag.handler = (command, ag) => {
      if (command.kind !== 'chld' || command.action !== 1) return undefined;
      ag.send({ kind: 'ok' });
      ag.calls = [clcc(2, Dir.MobileTerminated, St.Active, SECOND)];
      ag.ciev('callsetup', 0);
      return 'silent';
    };
    await ok(r.clock, r.hf.releaseActiveAcceptOther());
    await r.clock.runUntilIdle();
    const calls = brief(r.hf.calls);
    assert.equal(calls.length, 1);
    assert.deepEqual(calls[0]?.slice(1), [Dir.MobileTerminated, St.Active, SECOND, false]);
    if (ecs) assert.equal(calls[0]?.[0], 2);
  });

  test(`${mode}: network lost during a call (+CIEV call=0 then NO CARRIER)`, async () => {
    const r = await setup(ecs);
    await activeCall(r);
    r.ag.calls = [];
    r.ag.ciev('call', 0);
    r.ag.send({ kind: 'noCarrier' });
    await r.clock.runUntilIdle();
    assert.deepEqual(r.hf.calls, []);
    assert.deepEqual(r.seen.failures, ['no-carrier']);
    assert.equal(r.hf.state, 'connected');
  });
}

test('+CLCC wins over a missed +CIEV: an answered call whose call=1 never came', async () => {
  const r = await setup(true);
  incoming(r.ag);
  await r.clock.runUntilIdle();
  r.ag.handler = (command, ag) => {
    if (command.kind !== 'answer') return undefined;
    ag.send({ kind: 'ok' });
    ag.calls = [clcc(1, Dir.MobileTerminated, St.Active, CALLER)];
    ag.ciev('callsetup', 0); // the AG "forgot" +CIEV call=1
    return 'silent';
  };
  await ok(r.clock, r.hf.answer());
  await r.clock.runUntilIdle();
  assert.deepEqual(brief(r.hf.calls), [[1, Dir.MobileTerminated, St.Active, CALLER, false]]);
  assert.equal(r.hf.calls[0]?.confirmed, true);
});

test('+CLCC wins over a missed +CIEV: a call ended on the phone with no indicator at all', async () => {
  const r = await setup(true);
  await activeCall(r);
  // The phone ended the call but sent only NO CARRIER.
  r.ag.calls = [];
  r.ag.send({ kind: 'noCarrier' });
  await r.clock.runUntilIdle();
  assert.deepEqual(r.hf.calls, []);
});

test('ring: RING without +CLIP fires after a short wait; RING + +CLIP fires at once with the number and name', async () => {
  const r = await setup(true);
  r.ag.calls = [clcc(1, Dir.MobileTerminated, St.Incoming)];
  r.ag.ciev('callsetup', 1);
  const t0 = r.clock.now();
  r.ag.send({ kind: 'ring' });
  await r.clock.runUntilIdle();
  assert.equal(r.seen.rings.length, 1);
  assert.equal(r.seen.rings[0]?.number, undefined);
  assert.ok((r.seen.rings[0]?.at ?? 0) - t0 >= 250);
  r.ag.send({ kind: 'ring' }, { kind: 'clip', number: CALLER, type: 145, alpha: 'Ada' });
  await r.clock.runUntilIdle();
  assert.deepEqual(r.seen.rings.slice(1).map((x) => [x.number, x.name]), [[CALLER, 'Ada']]);
  // A RING cut short by the end of call setup never fires.
  r.ag.send({ kind: 'ring' });
  r.ag.calls = [];
  r.ag.ciev('callsetup', 0);
  await r.clock.runUntilIdle();
  assert.equal(r.seen.rings.length, 2);
  assert.deepEqual(r.hf.calls, []);
});
