/**
 * The service-level connection against a scripted AG: the exact command
 * order for every combination of codec negotiation, three-way calling and
 * HF indicators on either side (HFP/HF/SLC/BV-01..10), the iPhone's and an
 * Android-style indicator order, reserved BRSF bits (SLC/BV-11, BI-01),
 * tolerated refusals, and the failures that end the SLC.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AgFeature, HfFeature } from '../../../src/protocol/hfp/constants';
import { TimeoutError } from '../../../src/sim-pc/errors';
import { SlcError } from '../../../src/sim-pc/hfp/errors';
import { DEFAULT_HF_FEATURES } from '../../../src/sim-pc/hfp/hands-free-types';
import { androidProfile, clcc, iphoneProfile } from './fake-ag';
import { connected, fails, ok, rig } from './hf-rig';

test('iPhone: +BRSF 4079, the SLC and the setup after it, in order', async () => {
  const { clock, ag, hf, seen } = rig(iphoneProfile(), { batteryPercent: 80 });
  const slcEvents: number[] = [];
  hf.events.on('slc', () => slcEvents.push(ag.lines.length));
  const info = await ok(clock, hf.start());
  await clock.runUntilIdle();
  assert.deepEqual(ag.lines, [
    `AT+BRSF=${DEFAULT_HF_FEATURES}`,
    'AT+BAC=1,2',
    'AT+CIND=?',
    'AT+CIND?',
    'AT+CMER=3,0,0,1',
    'AT+CHLD=?',
    'AT+BIND=1,2',
    'AT+BIND=?',
    'AT+BIND?',
    'AT+CLIP=1',
    'AT+CCWA=1',
    'AT+CMEE=1',
    'AT+COPS=3,0',
    'AT+COPS?',
    'AT+CLCC',
    'AT+CNUM',
    'AT+XAPL=1D6B-0246-0100,2',
    'AT+BIEV=2,80',
    'AT+IPHONEACCEV=1,1,7',
  ]);
  assert.equal(DEFAULT_HF_FEATURES, 1023);
  // The SLC is up right after AT+BIND?.
  assert.deepEqual(slcEvents, [9]);
  assert.equal(info.features, 4079);
  assert.deepEqual(info.holdOptions, ['0', '1', '1x', '2', '2x', '3']);
  assert.equal(info.codecNegotiation, true);
  assert.deepEqual(info.hfIndicators, [1, 2]);
  assert.deepEqual(info.hfIndicatorsEnabled, { 1: false, 2: true });
  assert.deepEqual(info.initialValues, { service: 1, call: 0, callsetup: 0, battchg: 5, signal: 3, roam: 0, callheld: 0 });
  assert.equal(hf.state, 'connected');
  assert.equal(hf.operator, 'Carrier');
  assert.deepEqual(hf.subscriberNumbers, ['+447700900123']);
  assert.equal(hf.appleExtensions, true);
  assert.equal(hf.enhancedCallStatus, true);
  assert.equal(hf.indicator('signal'), 3);
  assert.equal(hf.indicator('BattChg'), 5);
  assert.equal(hf.codec, undefined, 'the iPhone picks a codec only when audio starts');
  assert.deepEqual(hf.calls, []);
  assert.deepEqual(seen.errors, []);
});

test('Android-style AG: indicators mapped by name, not position; no Apple commands after an ERROR', async () => {
  const profile = androidProfile();
  profile.values = { call: 0, callsetup: 0, service: 1, signal: 2, roam: 1, battchg: 4, callheld: 0 };
  const { clock, ag, hf, seen } = await connected(profile);
  assert.deepEqual(ag.lines, [
    `AT+BRSF=${DEFAULT_HF_FEATURES}`,
    'AT+BAC=1,2',
    'AT+CIND=?',
    'AT+CIND?',
    'AT+CMER=3,0,0,1',
    'AT+CHLD=?',
    'AT+CLIP=1',
    'AT+CCWA=1',
    'AT+CMEE=1',
    'AT+COPS=3,0',
    'AT+COPS?',
    'AT+CLCC',
    'AT+CNUM',
    'AT+XAPL=1D6B-0246-0100,2',
  ]);
  assert.equal(hf.appleExtensions, false);
  assert.equal(hf.indicator('signal'), 2);
  assert.equal(hf.indicator('roam'), 1);
  // +CIEV: 1,1 is "call" on this AG (it would be "service" on an iPhone).
  ag.calls = [clcc(1, 0, 0, '5550100')];
  ag.ciev('call', 1);
  await clock.runUntilIdle();
  assert.deepEqual(hf.calls.map((c) => c.number), ['5550100']);
  assert.equal(hf.indicator('service'), 1);
  ag.ciev('signal', 5);
  await clock.runUntilIdle();
  assert.deepEqual(seen.indicators, [['signal', 5]]);
  assert.deepEqual(seen.errors, []);
});

type Flags = { codec: boolean; threeWay: boolean; hfInd: boolean };

function combos(): Flags[] {
  const out: Flags[] = [];
  for (let bits = 0; bits < 8; bits++) out.push({ codec: (bits & 1) !== 0, threeWay: (bits & 2) !== 0, hfInd: (bits & 4) !== 0 });
  return out;
}

function hfFeatures(f: Flags): number {
  let v = HfFeature.CallerId | HfFeature.EnhancedCallStatus;
  if (f.codec) v |= HfFeature.CodecNegotiation;
  if (f.threeWay) v |= HfFeature.ThreeWayCalling;
  if (f.hfInd) v |= HfFeature.HfIndicators;
  return v;
}

function agFeatures(f: Flags): number {
  let v = AgFeature.EnhancedCallStatus | AgFeature.ExtendedErrorCodes;
  if (f.codec) v |= AgFeature.CodecNegotiation;
  if (f.threeWay) v |= AgFeature.ThreeWayCalling;
  if (f.hfInd) v |= AgFeature.HfIndicators;
  return v;
}

test('SLC order for every combination of codec negotiation, three-way calling and HF indicators on both sides', async () => {
  for (const hfSide of combos()) {
    for (const agSide of combos()) {
      const profile = iphoneProfile();
      profile.brsf = agFeatures(agSide);
      const { clock, ag, hf } = rig(profile, { features: hfFeatures(hfSide), apple: false });
      const info = await ok(clock, hf.start());
      const both = (k: keyof Flags): boolean => hfSide[k] && agSide[k];
      const expected = [`AT+BRSF=${hfFeatures(hfSide)}`];
      if (both('codec')) expected.push('AT+BAC=1,2');
      expected.push('AT+CIND=?', 'AT+CIND?', 'AT+CMER=3,0,0,1');
      if (both('threeWay')) expected.push('AT+CHLD=?');
      if (both('hfInd')) expected.push('AT+BIND=1,2', 'AT+BIND=?', 'AT+BIND?');
      expected.push('AT+CLIP=1');
      if (both('threeWay')) expected.push('AT+CCWA=1');
      expected.push('AT+CMEE=1', 'AT+COPS=3,0', 'AT+COPS?', 'AT+CLCC', 'AT+CNUM');
      const label = `hf ${JSON.stringify(hfSide)} ag ${JSON.stringify(agSide)}`;
      assert.deepEqual(ag.lines, expected, label);
      assert.equal(info.codecNegotiation, both('codec'), label);
      assert.equal(info.threeWayCalling, both('threeWay'), label);
      assert.deepEqual(info.holdOptions, both('threeWay') ? profile.chld : [], label);
      assert.deepEqual(info.hfIndicators, both('hfInd') ? [1, 2] : [], label);
      assert.equal(hf.codec, both('codec') ? undefined : 1, `${label}: CVSD unless codecs are negotiated`);
    }
  }
});

test('reserved BRSF bits are ignored (HFP/HF/SLC/BV-11, BI-01)', async () => {
  const profile = iphoneProfile();
  profile.brsf = 4079 | (1 << 20) | (1 << 28);
  const { hf, ag, seen } = await connected(profile);
  assert.equal(hf.state, 'connected');
  assert.equal(hf.agInfo?.features, profile.brsf);
  assert.ok(hf.agInfo?.featureNames.includes('Bit20'));
  assert.ok(ag.lines.includes('AT+CHLD=?'));
  assert.deepEqual(seen.errors, []);
});

test('an AG that refuses AT+BRSF, AT+BAC, AT+CHLD=? and AT+BIND still gets an SLC without those features', async () => {
  const { clock, ag, hf } = rig(iphoneProfile(), { apple: false });
  ag.handler = (command) => (['brsf'].includes(command.kind) ? [{ kind: 'error' }] : undefined);
  const info = await ok(clock, hf.start());
  assert.equal(info.features, 0);
  assert.deepEqual(ag.lines.slice(0, 4), [`AT+BRSF=${DEFAULT_HF_FEATURES}`, 'AT+CIND=?', 'AT+CIND?', 'AT+CMER=3,0,0,1']);
  assert.equal(hf.enhancedCallStatus, false);

  const second = rig(iphoneProfile(), { apple: false });
  second.ag.handler = (command) =>
    ['bac', 'chldTest', 'bind'].includes(command.kind) ? [{ kind: 'cmeError', code: 4 }] : undefined;
  const info2 = await ok(second.clock, second.hf.start());
  assert.equal(info2.codecNegotiation, false);
  assert.deepEqual(info2.holdOptions, []);
  assert.deepEqual(info2.hfIndicators, []);
  assert.ok(!second.ag.lines.includes('AT+BIND=?'));
});

test('SLC failures: no call indicator, a malformed indicator table, AT+CMER refused, a silent AG', async () => {
  const noCall = iphoneProfile();
  noCall.cind = noCall.cind.filter((c) => c.name !== 'call');
  const a = rig(noCall);
  const errA = await fails(a.clock, a.hf.start());
  assert.ok(errA instanceof SlcError && errA.step === 'AT+CIND=?', String(errA));
  assert.equal(a.hf.state, 'closed');
  assert.equal(a.ag.channel.open, false, 'the channel is closed after a failed SLC');

  const b = rig();
  b.ag.handler = (command, ag) => {
    if (command.kind !== 'cindTest') return undefined;
    ag.sendRaw('\r\n+CIND: ("service",(0,1)),("call"\r\n\r\nOK\r\n');
    return 'silent';
  };
  const errB = await fails(b.clock, b.hf.start());
  assert.ok(errB instanceof SlcError && errB.code === 'sim-pc.hfp-slc-failed', String(errB));
  assert.equal(b.seen.errors.length, 1, 'the garbled +CIND line is reported once');

  const c = rig();
  c.ag.handler = (command) => (command.kind === 'cmer' ? [{ kind: 'error' }] : undefined);
  const errC = await fails(c.clock, c.hf.start());
  assert.ok(errC instanceof SlcError && errC.step === 'AT+CMER', String(errC));

  const d = rig();
  d.ag.handler = (command) => (command.kind === 'cindRead' ? 'silent' : undefined);
  const started = d.clock.now();
  const errD = await fails(d.clock, d.hf.start());
  assert.ok(errD instanceof SlcError && errD.cause instanceof TimeoutError, String(errD));
  assert.ok(d.clock.now() - started <= 2_100, 'one command timeout, not more');
  assert.equal(d.hf.state, 'closed');
  await d.clock.runUntilIdle();
  // Nothing keeps running after the failure.
  assert.equal(d.clock.pendingEvents, 0);
  const again = await fails(d.clock, d.hf.start());
  assert.ok(again instanceof SlcError);
});

test('old AGs that spell call_setup and list fewer values than indicators', async () => {
  const profile = iphoneProfile();
  profile.cind = profile.cind.map((c) => (c.name === 'callsetup' ? { ...c, name: 'call_setup' } : c));
  const { clock, ag, hf } = rig(profile, { apple: false });
  ag.handler = (command) => (command.kind === 'cindRead' ? [{ kind: 'cindRead', values: [1, 1] }, { kind: 'ok' }] : undefined);
  ag.calls = [clcc(1, 1, 0, '5550100')];
  const info = await ok(clock, hf.start());
  assert.deepEqual(info.initialValues, { service: 1, call: 1 });
  assert.equal(hf.calls.length, 1, 'a call in progress at connection time is listed');
  ag.send({ kind: 'ciev', index: 3, value: 1 });
  await clock.runUntilIdle();
  assert.equal(hf.indicator('callsetup'), 1);
});

test('+CIEV between AT+CMER and the end of the SLC is understood', async () => {
  const { clock, ag, hf, seen } = rig();
  ag.handler = (command, a) => {
    if (command.kind !== 'chldTest') return undefined;
    a.send({ kind: 'ciev', index: 5, value: 1 }, { kind: 'ciev', index: 3, value: 1 });
    return undefined;
  };
  ag.calls = [clcc(1, 1, 4, '+15550100')];
  await ok(clock, hf.start());
  await clock.runUntilIdle();
  assert.equal(hf.indicator('signal'), 1);
  assert.deepEqual(seen.indicators, [['signal', 1]]);
  assert.deepEqual(hf.calls.map((c) => [c.status, c.number]), [[4, '+15550100']]);
});
