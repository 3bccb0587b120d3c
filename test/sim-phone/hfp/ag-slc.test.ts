import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeResult } from '../../../src/protocol/hfp/results';
import { loadPhoneProfile } from '../../../src/sim-phone/profile';
import { HF_ALL, HF_BASIC, Hf, makeAgRig, slc, wire } from './ag-rig';

const IPHONE_CIND =
  '+CIND: ("service",(0-1)),("call",(0-1)),("callsetup",(0-3)),("battchg",(0-5)),("signal",(0-5)),("roam",(0-1)),("callheld",(0-2))';
const ANDROID_CIND =
  '+CIND: ("call",(0,1)),("callsetup",(0-3)),("service",(0-1)),("signal",(0-5)),("roam",(0,1)),("battchg",(0-5)),("callheld",(0-2))';

test('the AG publishes its SDP record: AG + Generic Audio classes, HFP version, Network and SDP-layout features', () => {
  const rig = makeAgRig();
  const record = rig.host.records.get(8);
  assert.deepEqual(record, {
    serviceClasses: [0x111f, 0x1203],
    profile: { uuid: 0x111e, version: 0x0107 },
    channel: 8,
    name: 'Handsfree Gateway',
    // 0x2F = 3-way, EC/NR, VR, in-band ring (from +BRSF 4079) and wide-band speech (mSBC).
    attributes: { 0x0301: 1, 0x0311: 0x2f },
  });
  assert.equal(rig.host.isListening(8), true);
  rig.ag.stop();
  assert.equal(rig.host.records.has(8), false);
  assert.equal(rig.host.isListening(8), false);
});

test('iPhone SLC with codec negotiation, 3-way calling and HF indicators: every exchange exactly', () => {
  const rig = makeAgRig();
  const slcUp: string[] = [];
  rig.ag.events.on('slcEstablished', (peer) => slcUp.push(peer.address));
  rig.model.telephony.setSignal(3);
  const hf = Hf.connect(rig);
  assert.equal(hf.at('AT+BRSF=511'), '\r\n+BRSF: 4079\r\n\r\nOK\r\n');
  assert.equal(hf.at('AT+BAC=1,2'), wire('OK'));
  assert.equal(hf.at('AT+CIND=?'), wire(IPHONE_CIND, 'OK'));
  // The idle reading captured from an iPhone.
  assert.equal(hf.at('AT+CIND?'), wire('+CIND: 1,0,0,5,3,0,0', 'OK'));
  assert.equal(hf.at('AT+CMER=3,0,0,1'), wire('OK'));
  assert.deepEqual(slcUp, [], 'not up before AT+CHLD=? and AT+BIND');
  assert.equal(hf.at('AT+CHLD=?'), wire('+CHLD: (0,1,1x,2,2x,3)', 'OK'));
  assert.equal(hf.at('AT+BIND=1,2'), wire('OK'));
  assert.equal(hf.at('AT+BIND=?'), wire('+BIND: (2)', 'OK'));
  assert.deepEqual(slcUp, []);
  assert.equal(hf.at('AT+BIND?'), wire('+BIND: 2,1', 'OK'));
  assert.deepEqual(slcUp, ['AA:BB:CC:DD:EE:01']);
  const session = rig.ag.session('aa:bb:cc:dd:ee:01');
  assert.ok(session);
  assert.equal(session.slc, true);
  assert.equal(session.hfFeatures, 511);
  assert.deepEqual(session.hfCodecs, [1, 2]);
  assert.equal(session.codecNegotiation, true);
  // The iPhone picks no codec while idle.
  assert.equal(hf.wait(60_000), '');
  assert.equal(session.confirmedCodec, undefined);
  assert.equal(rig.audio.length, 0);
  assert.deepEqual(session.received, [
    'AT+BRSF=511',
    'AT+BAC=1,2',
    'AT+CIND=?',
    'AT+CIND?',
    'AT+CMER=3,0,0,1',
    'AT+CHLD=?',
    'AT+BIND=1,2',
    'AT+BIND=?',
    'AT+BIND?',
  ]);
});

test('SLC without 3-way calling or codec negotiation is up after AT+CMER (bumble spelling 3,,,1)', () => {
  const rig = makeAgRig();
  const hf = Hf.connect(rig);
  assert.equal(hf.at(`AT+BRSF=${HF_BASIC}`), wire('+BRSF: 4079', 'OK'));
  hf.at('AT+CIND=?');
  hf.at('AT+CIND?');
  assert.equal(rig.ag.session('AA:BB:CC:DD:EE:01')?.slc, false);
  assert.equal(hf.at('AT+CMER=3,,,1'), wire('OK'));
  assert.equal(rig.ag.session('AA:BB:CC:DD:EE:01')?.slc, true);
  assert.equal(rig.ag.session('AA:BB:CC:DD:EE:01')?.codecNegotiation, false);
});

test('Android order: call first, (0,1) lists, +CHLD without 1x/2x, and a codec chosen right after the SLC', () => {
  const rig = makeAgRig({ profile: 'android' });
  const hf = Hf.connect(rig);
  assert.equal(hf.at('AT+BRSF=511'), wire('+BRSF: 3943', 'OK'));
  hf.at('AT+BAC=1,2');
  assert.equal(hf.at('AT+CIND=?'), wire(ANDROID_CIND, 'OK'));
  assert.equal(hf.at('AT+CIND?'), wire('+CIND: 0,0,1,5,0,5,0', 'OK'));
  hf.at('AT+CMER=3,0,0,1');
  assert.equal(hf.at('AT+CHLD=?'), wire('+CHLD: (0,1,2,3)', 'OK'));
  hf.at('AT+BIND=1,2');
  assert.equal(hf.at('AT+BIND=?'), wire('+BIND: (1,2)', 'OK'));
  assert.equal(hf.at('AT+BIND?'), wire('+BIND: 1,1', '+BIND: 2,1', 'OK', '+BCS: 2'));
  assert.equal(hf.at('AT+BCS=2'), wire('OK'));
  assert.equal(rig.ag.session('AA:BB:CC:DD:EE:01')?.confirmedCodec, 2);
  assert.deepEqual(rig.audio, [], 'a codec, but no audio while idle');
  // Indicators follow Android's order: signal is index 4, battchg index 6.
  rig.model.telephony.setSignal(2);
  rig.model.telephony.setBattery(1);
  assert.equal(hf.wait(5), wire('+CIEV: 4,2', '+CIEV: 6,1'));
  // Android's CHLD list has no 1x: AT+CHLD=11 is unsupported.
  hf.at('AT+CMEE=1');
  assert.equal(hf.at('AT+CHLD=11'), wire('+CME ERROR: 4'));
});

test('after the SLC: CLIP, CCWA, CMEE, COPS, CNUM, NREC, gains, HF indicators and CLCC answer as expected', () => {
  const rig = makeAgRig();
  const hf = slc(rig, { codecs: [1, 2], extras: [] });
  const session = rig.ag.session('AA:BB:CC:DD:EE:01');
  assert.ok(session);
  assert.equal(hf.at('AT+CLIP=1'), wire('OK'));
  assert.equal(hf.at('AT+CCWA=1'), wire('OK'));
  assert.equal(hf.at('AT+CMEE=1'), wire('OK'));
  assert.equal(hf.at('AT+COPS=3,0'), wire('OK'));
  assert.equal(hf.at('AT+COPS?'), wire('+COPS: 0,0,"Carrier"', 'OK'));
  assert.equal(hf.at('AT+CNUM'), wire('+CNUM: ,"+15555550100",145,,4', 'OK'));
  assert.equal(hf.at('AT+NREC=0'), wire('OK'));
  assert.equal(hf.at('AT+VGS=11'), wire('OK'));
  assert.equal(hf.at('AT+VGM=8'), wire('OK'));
  assert.equal(hf.at('AT+VGS=16'), wire('ERROR'), 'gain out of 0-15 is a bad parameter: plain ERROR even with CMEE');
  assert.equal(hf.at('AT+BIEV=2,80'), wire('OK'));
  assert.equal(hf.at('AT+BIEV=2,101'), wire('ERROR'));
  assert.equal(hf.at('AT+BIEV=1,1'), wire('+CME ERROR: 3'), 'the iPhone does not offer enhanced safety');
  assert.equal(hf.at('AT+CLCC'), wire('OK'));
  assert.equal(hf.at('AT+BTRH?'), wire('OK'));
  assert.equal(hf.at('AT+BVRA=1'), wire('OK'));
  assert.equal(session.callerId, true);
  assert.equal(session.callWaitingNotices, true);
  assert.equal(session.extendedErrors, true);
  assert.equal(session.echoCancelling, false);
  assert.equal(session.speakerGain, 11);
  assert.equal(session.micGain, 8);
  assert.deepEqual([...session.hfIndicatorValues], [[2, 80]]);
  assert.equal(session.voiceRecognition, true);
  rig.model.telephony.setService(false);
  assert.equal(hf.wait(5), wire('+CIEV: 1,0'));
  assert.equal(hf.at('AT+COPS?'), wire('+COPS: 0', 'OK'));
});

test('Apple extensions: +XAPL=iPhone with the features both sides use, then IPHONEACCEV battery and dock', () => {
  const rig = makeAgRig();
  const hf = slc(rig);
  // HF asks for bits 0-1 (3); the iPhone answers battery reporting (2), as in a public capture.
  assert.equal(hf.at('AT+XAPL=0000-0000-0100,3'), wire('+XAPL=iPhone,2', 'OK'));
  assert.equal(hf.at('AT+XAPL=05AC-1234-0200,30'), wire('+XAPL=iPhone,30', 'OK'));
  assert.equal(hf.at('AT+IPHONEACCEV=2,1,3,2,0'), wire('OK'));
  const session = rig.ag.session('AA:BB:CC:DD:EE:01');
  assert.deepEqual(session?.xapl, { vendorId: 0x05ac, productId: 0x1234, version: '0200', features: 30 });
  assert.equal(session?.accessoryBattery, 3);
  assert.equal(session?.docked, false);
  assert.equal(hf.at('AT+IPHONEACCEV=1,1,10'), wire('ERROR'), 'battery is 0-9');
  assert.equal(session?.accessoryBattery, 3);
  assert.equal(hf.at('AT+IPHONEACCEV=1,1,9'), wire('OK'));
  assert.equal(session?.accessoryBattery, 9);
  assert.deepEqual(decodeResult('+XAPL=iPhone,2'), { kind: 'xapl', device: 'iPhone', features: 2 });
});

test('a phone without Apple extensions answers AT+XAPL and AT+IPHONEACCEV with ERROR', () => {
  const base = loadPhoneProfile('iphone');
  if (base.hfp === undefined) throw new Error('iphone has an hfp section');
  const rig = makeAgRig({ profile: { ...base, hfp: { ...base.hfp, appleExtensions: false } } });
  const hf = slc(rig);
  hf.at('AT+CMEE=1');
  assert.equal(hf.at('AT+XAPL=0000-0000-0100,3'), wire('ERROR'));
  assert.equal(hf.at('AT+IPHONEACCEV=1,1,3'), wire('ERROR'));
});

test('refusals: ERROR until AT+CMEE=1, then the profile\'s +CME ERROR codes; unknown and malformed lines stay ERROR', () => {
  const rig = makeAgRig();
  const hf = slc(rig, { features: HF_ALL });
  assert.equal(hf.at('ATA'), wire('ERROR'));
  assert.equal(hf.at('AT+BLDN'), wire('ERROR'));
  assert.equal(hf.at('AT+CMEE=1'), wire('OK'));
  assert.equal(hf.at('ATA'), wire('+CME ERROR: 3'), 'no call to answer: not allowed');
  assert.equal(hf.at('AT+CHUP'), wire('+CME ERROR: 3'));
  assert.equal(hf.at('AT+BLDN'), wire('+CME ERROR: 22'), 'no last number: not found');
  assert.equal(hf.at('ATD>5;'), wire('+CME ERROR: 21'), 'empty memory location: invalid index');
  assert.equal(hf.at('ATD12AB;'), wire('+CME ERROR: 27'), 'bad characters in the dial string');
  assert.equal(hf.at('AT+CHLD=4'), wire('+CME ERROR: 4'), 'the iPhone lists no explicit call transfer');
  assert.equal(hf.at('AT+CHLD=0'), wire('+CME ERROR: 3'));
  assert.equal(hf.at('AT+BTRH=1'), wire('+CME ERROR: 4'));
  assert.equal(hf.at('AT+BCS=2'), wire('+CME ERROR: 3'), 'no codec was proposed');
  assert.equal(hf.at('AT+VTS=5'), wire('+CME ERROR: 3'), 'DTMF needs an active call');
  assert.equal(hf.at('AT+FOO=1'), wire('ERROR'));
  assert.equal(hf.at('ATD123'), wire('ERROR'), 'a voice dial needs its ;');
  assert.equal(hf.at('AT+BRSF=x'), wire('ERROR'));
  assert.equal(hf.at('hello'), '', 'noise without AT gets no answer');
  rig.model.telephony.setService(false);
  assert.equal(hf.wait(5), wire('+CIEV: 1,0'));
  assert.equal(hf.at('ATD123;'), wire('+CME ERROR: 30'), 'no network service');
  assert.equal(hf.at('AT+CMEE=0'), wire('OK'));
  assert.equal(hf.at('ATD123;'), wire('ERROR'));
  assert.deepEqual(rig.internalErrors, []);
});

test('memory dial and redial: ATD>n; dials the stored number, AT+BLDN the last one dialled', () => {
  const rig = makeAgRig({ telephony: { memory: { '1': '+15550001111' } } });
  const hf = slc(rig);
  assert.equal(hf.at('ATD>1;'), wire('OK', '+CIEV: 3,2'));
  assert.equal(rig.model.telephony.calls()[0]?.number, '+15550001111');
  assert.equal(hf.at('AT+CHUP'), wire('OK', '+CIEV: 3,0'));
  assert.equal(hf.at('AT+BLDN'), wire('OK', '+CIEV: 3,2'));
  assert.equal(rig.model.telephony.calls()[0]?.number, '+15550001111');
  // The abandoned attempts are in the call log as dialled calls.
  assert.deepEqual(
    rig.model.calls.list().map((r) => [r.kind, r.number]),
    [['dialled', '+15550001111']],
  );
});

test('several HFs: each gets its own session, at most maxSessions, and a stopped AG refuses channels', () => {
  const rig = makeAgRig();
  const refused: string[] = [];
  rig.ag.events.on('channelRefused', (_peer, reason) => refused.push(reason));
  for (let i = 1; i <= 4; i++) Hf.connect(rig, `AA:BB:CC:DD:EE:0${i}`);
  assert.equal(rig.ag.sessions().length, 4);
  assert.throws(() => Hf.connect(rig, 'AA:BB:CC:DD:EE:05'), /refused/);
  assert.deepEqual(refused, ['session-limit']);
  rig.ag.stop();
  rig.clock.advance(5);
  assert.equal(rig.ag.sessions().length, 0);
});

test('an HF that closes its channel is forgotten', () => {
  const rig = makeAgRig();
  const closed: string[] = [];
  rig.ag.events.on('sessionClosed', (peer) => closed.push(peer.address));
  const hf = slc(rig);
  void hf.channel.close();
  rig.clock.advance(5);
  assert.deepEqual(closed, ['AA:BB:CC:DD:EE:01']);
  assert.equal(rig.ag.sessions().length, 0);
});
