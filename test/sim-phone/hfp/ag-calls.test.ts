import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadPhoneProfile } from '../../../src/sim-phone/profile';
import { type AgRig, HF_ALL, HF_BASIC, Hf, makeAgRig, slc, wire } from './ag-rig';

const CALLER = '+15551234567';
const RING = ['RING', `+CLIP: "${CALLER}",145`];

/** The iPhone profile with in-band ringing off, so the plain PROTOCOLS.md sequences hold. */
function noInBand(): AgRig {
  const base = loadPhoneProfile('iphone');
  if (base.hfp === undefined) throw new Error('iphone has an hfp section');
  return makeAgRig({ profile: { ...base, hfp: { ...base.hfp, inBandRing: false } } });
}

/** An HF with an active incoming call (CVSD-only HF, so no codec exchange). */
function withActiveCall(rig: AgRig, features = HF_ALL & ~(1 << 7)): Hf {
  const hf = slc(rig, { features });
  rig.model.telephony.incomingCall(CALLER);
  hf.wait(5);
  hf.at('ATA');
  return hf;
}

test('incoming call: +CIEV: 3,1, RING + +CLIP, ATA/OK, +CIEV: 2,1, +CIEV: 3,0', () => {
  const rig = noInBand();
  const hf = slc(rig, { features: HF_BASIC });
  rig.model.telephony.incomingCall(CALLER);
  assert.equal(hf.wait(5), wire('+CIEV: 3,1', ...RING));
  assert.equal(hf.at('ATA'), wire('OK', '+CIEV: 2,1', '+CIEV: 3,0'));
  assert.deepEqual(rig.audio, [{ event: 'requested', peer: 'AA:BB:CC:DD:EE:01', codec: 1, atMs: rig.clock.now() - 4 }]);
  assert.equal(hf.wait(10_000), '', 'no more RING once answered');
  assert.equal(rig.clock.pendingEvents, 0, 'no timer left behind');
});

test('RING and +CLIP repeat every ringIntervalMs while the call rings; RING alone without AT+CLIP', () => {
  const rig = noInBand();
  const withClip = slc(rig, { features: HF_BASIC, address: 'AA:BB:CC:DD:EE:01' });
  const noClip = slc(rig, { features: HF_BASIC, address: 'AA:BB:CC:DD:EE:02', extras: [] });
  const start = rig.clock.now();
  rig.model.telephony.incomingCall(CALLER);
  rig.clock.advance(10_000);
  const rings = (address: string) =>
    rig.ag
      .session(address)
      ?.transcript.filter((e) => e.from === 'ag' && e.line === 'RING')
      .map((e) => e.atMs - start);
  assert.deepEqual(rings('AA:BB:CC:DD:EE:01'), [0, 3000, 6000, 9000]);
  assert.deepEqual(rings('AA:BB:CC:DD:EE:02'), [0, 3000, 6000, 9000]);
  assert.equal(withClip.take(), wire('+CIEV: 3,1', ...RING, ...RING, ...RING, ...RING));
  assert.equal(noClip.take(), wire('+CIEV: 3,1', 'RING', 'RING', 'RING', 'RING'));
  // The caller gives up: callsetup drops, the ringing stops, a missed call is logged.
  rig.model.telephony.remoteHangsUp();
  assert.equal(withClip.wait(10_000), wire('+CIEV: 3,0'));
  assert.equal(rig.clock.pendingEvents, 0);
  assert.deepEqual(
    rig.model.calls.list().map((r) => [r.kind, r.number]),
    [['missed', CALLER]],
  );
});

test('reject: AT+CHUP, OK, +CIEV: 3,0', () => {
  const rig = noInBand();
  const hf = slc(rig, { features: HF_BASIC });
  rig.model.telephony.incomingCall(CALLER);
  hf.wait(5);
  assert.equal(hf.at('AT+CHUP'), wire('OK', '+CIEV: 3,0'));
  assert.equal(rig.audio.length, 0);
});

test('outgoing call: ATD123; OK, +CIEV: 3,2, +CIEV: 3,3, +CIEV: 2,1, +CIEV: 3,0; then AT+CHUP, OK, +CIEV: 2,0', () => {
  const rig = makeAgRig();
  const hf = slc(rig, { features: HF_BASIC });
  assert.equal(hf.at('ATD123;'), wire('OK', '+CIEV: 3,2'));
  assert.equal(hf.wait(1000), wire('+CIEV: 3,3'));
  assert.equal(hf.at('AT+CLCC'), wire('+CLCC: 1,0,3,0,0,"123",129', 'OK'));
  rig.model.telephony.remoteAnswers();
  assert.equal(hf.wait(5), wire('+CIEV: 2,1', '+CIEV: 3,0'));
  assert.equal(hf.at('AT+CLCC'), wire('+CLCC: 1,0,0,0,0,"123",129', 'OK'));
  assert.equal(hf.at('AT+CHUP'), wire('OK', '+CIEV: 2,0'));
  assert.deepEqual(
    rig.audio.map((a) => [a.event, a.codec]),
    [
      ['requested', 1],
      ['released', undefined],
    ],
  );
  assert.equal(rig.clock.pendingEvents, 0);
});

test('outgoing call that the far end answers by itself after remoteAnswerAfterMs, or that is busy', () => {
  const rig = makeAgRig({ telephony: { alertAfterMs: 500, remoteAnswerAfterMs: 4000 } });
  const hf = slc(rig, { features: HF_BASIC });
  assert.equal(hf.at('ATD123;'), wire('OK', '+CIEV: 3,2'));
  assert.equal(hf.wait(500), wire('+CIEV: 3,3'));
  assert.equal(hf.wait(3990), '');
  assert.equal(hf.wait(10), wire('+CIEV: 2,1', '+CIEV: 3,0'));
  hf.at('AT+CHUP');
  hf.at('ATD456;');
  rig.model.telephony.remoteBusy();
  assert.equal(hf.wait(5), wire('+CIEV: 3,0'));
  assert.equal(rig.clock.pendingEvents, 0);
});

test('a call placed on the phone itself is reported like one from the HF', () => {
  const rig = makeAgRig();
  const hf = slc(rig, { features: HF_BASIC });
  rig.model.telephony.startOutgoingCall('+441234');
  assert.equal(hf.wait(5), wire('+CIEV: 3,2'));
  assert.equal(hf.at('AT+CLCC'), wire('+CLCC: 1,0,2,0,0,"+441234",145', 'OK'));
});

test('waiting call: +CCWA and +CIEV: 3,1 while call=1; AT+CHLD=2, OK, +CIEV: 7,1, +CIEV: 3,0', () => {
  const rig = makeAgRig();
  const hf = withActiveCall(rig);
  rig.model.telephony.callWaiting('5550002', 'Bob');
  assert.equal(hf.wait(5), wire('+CCWA: "5550002",129,1', '+CIEV: 3,1'), 'no RING for a waiting call');
  assert.equal(hf.at('AT+CLCC'), wire(`+CLCC: 1,1,0,0,0,"${CALLER}",145`, '+CLCC: 2,1,5,0,0,"5550002",129', 'OK'));
  assert.equal(hf.at('AT+CHLD=2'), wire('OK', '+CIEV: 7,1', '+CIEV: 3,0'));
  assert.equal(hf.at('AT+CLCC'), wire(`+CLCC: 1,1,1,0,0,"${CALLER}",145`, '+CLCC: 2,1,0,0,0,"5550002",129', 'OK'));
  // Swap: callheld=1 again though its value does not change.
  assert.equal(hf.at('AT+CHLD=2'), wire('OK', '+CIEV: 7,1'));
  // Join: one conference, callheld back to 0.
  assert.equal(hf.at('AT+CHLD=3'), wire('OK', '+CIEV: 7,0'));
  assert.equal(hf.at('AT+CLCC'), wire(`+CLCC: 1,1,0,0,1,"${CALLER}",145`, '+CLCC: 2,1,0,0,1,"5550002",129', 'OK'));
  // Private consultation with call 2: call 1 held, neither in a conference any more.
  assert.equal(hf.at('AT+CHLD=22'), wire('OK', '+CIEV: 7,1'));
  assert.equal(hf.at('AT+CLCC'), wire(`+CLCC: 1,1,1,0,0,"${CALLER}",145`, '+CLCC: 2,1,0,0,0,"5550002",129', 'OK'));
  // Release the active call 2 and (AT+CHLD=1) take back the held one.
  assert.equal(hf.at('AT+CHLD=12'), wire('OK', '+CIEV: 7,2'));
  assert.equal(hf.at('AT+CHLD=1'), wire('OK', '+CIEV: 7,0'));
  assert.equal(hf.at('AT+CLCC'), wire(`+CLCC: 1,1,0,0,0,"${CALLER}",145`, 'OK'));
});

test('waiting call rejected with AT+CHLD=0, or accepted with AT+CHLD=1 (ending the active call)', () => {
  const rig = makeAgRig();
  const hf = withActiveCall(rig);
  rig.model.telephony.callWaiting('5550002');
  hf.wait(5);
  assert.equal(hf.at('AT+CHLD=0'), wire('OK', '+CIEV: 3,0'));
  rig.model.telephony.callWaiting('5550003');
  hf.wait(5);
  assert.equal(hf.at('AT+CHLD=1'), wire('OK', '+CIEV: 3,0'));
  assert.equal(hf.at('AT+CLCC'), wire('+CLCC: 2,1,0,0,0,"5550003",129', 'OK'), 'a call keeps its index');
});

test('when the active call ends, a waiting call starts ringing', () => {
  const rig = makeAgRig();
  const hf = withActiveCall(rig);
  rig.model.telephony.callWaiting('5550002');
  hf.wait(5);
  assert.equal(hf.at('AT+CHUP'), wire('OK', '+CIEV: 2,0', 'RING', '+CLIP: "5550002",129'));
});

test('dialling during a call holds the active call: callheld 2 while dialling, 1 once answered', () => {
  const rig = makeAgRig();
  const hf = withActiveCall(rig);
  assert.equal(hf.at('ATD5551;'), wire('OK', '+CIEV: 7,2', '+CIEV: 3,2'));
  assert.equal(hf.wait(1000), wire('+CIEV: 3,3'));
  rig.model.telephony.remoteAnswers();
  assert.equal(hf.wait(5), wire('+CIEV: 7,1', '+CIEV: 3,0'));
  assert.equal(hf.at('AT+CLCC'), wire(`+CLCC: 1,1,1,0,0,"${CALLER}",145`, '+CLCC: 2,0,0,0,0,"5551",129', 'OK'));
  // The far end of the held call hangs up.
  rig.model.telephony.remoteHangsUp(1);
  assert.equal(hf.wait(5), wire('+CIEV: 7,0'));
});

test('network lost during a call: +CIEV call=0, then NO CARRIER, then service and signal drop', () => {
  const rig = makeAgRig();
  const hf = withActiveCall(rig);
  rig.model.telephony.networkLoss();
  assert.equal(hf.wait(5), wire('+CIEV: 2,0', 'NO CARRIER', '+CIEV: 1,0', '+CIEV: 5,0'));
  rig.model.telephony.setService(true);
  rig.model.telephony.setSignal(4);
  assert.equal(hf.wait(5), wire('+CIEV: 1,1', '+CIEV: 5,4'));
});

test('radio indicators: battery, signal and roaming by the profile\'s index; AT+BIA switches some off', () => {
  const rig = makeAgRig();
  const hf = slc(rig);
  rig.model.telephony.setBattery(2);
  rig.model.telephony.setSignal(1);
  rig.model.telephony.setRoaming(true);
  assert.equal(hf.wait(5), wire('+CIEV: 4,2', '+CIEV: 5,1', '+CIEV: 6,1'));
  // Switch off battchg and signal; call, callsetup and callheld cannot be switched off.
  assert.equal(hf.at('AT+BIA=,0,0,0,0'), wire('OK'));
  rig.model.telephony.setBattery(3);
  rig.model.telephony.setSignal(2);
  rig.model.telephony.incomingCall(CALLER);
  assert.ok(hf.wait(5).startsWith(wire('+CIEV: 3,1')));
  assert.equal(hf.at('AT+CIND?'), wire('+CIND: 1,0,1,3,2,1,0', 'OK'));
});

test('codec: the iPhone proposes mSBC only when call audio is needed, then asks for audio once AT+BCS=2 confirms', () => {
  const rig = noInBand();
  const hf = slc(rig, { codecs: [1, 2] });
  assert.equal(hf.wait(30_000), '', 'no +BCS while idle');
  rig.model.telephony.incomingCall(CALLER);
  assert.equal(hf.wait(5), wire('+CIEV: 3,1', ...RING), 'ringing out of band needs no audio');
  assert.equal(hf.at('ATA'), wire('OK', '+CIEV: 2,1', '+CIEV: 3,0', '+BCS: 2'));
  assert.equal(rig.audio.length, 0);
  assert.equal(hf.at('AT+BCS=2'), wire('OK'));
  assert.deepEqual(
    rig.audio.map((a) => [a.event, a.codec]),
    [['requested', 2]],
  );
  assert.equal(hf.at('AT+CHUP'), wire('OK', '+CIEV: 2,0'));
  assert.deepEqual(
    rig.audio.map((a) => [a.event, a.codec]),
    [
      ['requested', 2],
      ['released', undefined],
    ],
  );
  // The next call negotiates again (the iPhone picks a codec per call).
  assert.equal(hf.at('ATD123;'), wire('OK', '+CIEV: 3,2', '+BCS: 2'));
});

test('codec: in-band ringing opens audio as the call rings', () => {
  const rig = makeAgRig();
  const hf = slc(rig, { codecs: [1, 2] });
  rig.model.telephony.incomingCall(CALLER);
  assert.equal(hf.wait(5), wire('+CIEV: 3,1', ...RING, '+BCS: 2'));
  assert.equal(hf.at('AT+BCS=2'), wire('OK'));
  assert.equal(hf.at('ATA'), wire('OK', '+CIEV: 2,1', '+CIEV: 3,0'), 'audio is already up');
  assert.deepEqual(
    rig.audio.map((a) => [a.event, a.codec]),
    [['requested', 2]],
  );
});

test('codec: CVSD when the HF lists only CVSD, or has no codec negotiation; a different AT+BCS is refused', () => {
  {
    const rig = noInBand();
    const hf = slc(rig, { codecs: [1] });
    assert.equal(hf.at('ATD1;'), wire('OK', '+CIEV: 3,2', '+BCS: 1'));
    assert.equal(hf.at('AT+BCS=2'), wire('ERROR'));
    assert.equal(hf.at('AT+BCS=1'), wire('OK'));
    assert.deepEqual(rig.audio.map((a) => a.codec), [1]);
  }
  {
    const rig = noInBand();
    const hf = slc(rig, { features: HF_ALL & ~(1 << 7) });
    assert.equal(hf.at('ATD1;'), wire('OK', '+CIEV: 3,2'));
    assert.deepEqual(rig.audio.map((a) => a.codec), [1]);
  }
});

test('codec: an HF that lacks the proposed codec re-sends AT+BAC and gets a new +BCS', () => {
  const rig = noInBand();
  const hf = slc(rig, { codecs: [1, 2] });
  assert.equal(hf.at('ATD1;'), wire('OK', '+CIEV: 3,2', '+BCS: 2'));
  assert.equal(hf.at('AT+BAC=1'), wire('OK', '+BCS: 1'));
  assert.equal(hf.at('AT+BCS=1'), wire('OK'));
  assert.deepEqual(rig.audio.map((a) => a.codec), [1]);
});

test('codec: with no AT+BCS answer the AG falls back to CVSD after BCS_TIMEOUT_MS', () => {
  const rig = noInBand();
  const hf = slc(rig, { codecs: [1, 2] });
  hf.at('ATD1;');
  rig.clock.advance(4990);
  assert.equal(rig.audio.length, 0);
  rig.clock.advance(20);
  assert.deepEqual(rig.audio.map((a) => a.codec), [1]);
  assert.equal(rig.ag.session('AA:BB:CC:DD:EE:01')?.audio, 'open');
});

test('codec: a phone that picks the codec after the SLC reuses it when audio starts', () => {
  const rig = makeAgRig({ profile: 'android' });
  const hf = slc(rig, { codecs: [1, 2] });
  assert.equal(hf.at('AT+BCS=2'), wire('OK'));
  rig.model.telephony.incomingCall(CALLER);
  hf.wait(5);
  assert.equal(hf.at('ATA'), wire('OK', '+CIEV: 1,1', '+CIEV: 2,0'), 'Android order, and no new +BCS');
  assert.deepEqual(rig.audio.map((a) => a.codec), [2]);
});

test('codec: AT+BCC asks for audio; the AG answers OK then +BCS', () => {
  const rig = noInBand();
  const hf = slc(rig, { codecs: [1, 2] });
  assert.equal(hf.at('AT+BCC'), wire('OK', '+BCS: 2'));
  assert.equal(hf.at('AT+BCS=2'), wire('OK'));
  assert.deepEqual(rig.audio.map((a) => a.codec), [2]);
});

test('two HFs share the calls: both hear the call, the one that answers gets the audio', () => {
  const rig = makeAgRig({ profile: 'android' });
  const one = slc(rig, { features: HF_BASIC, address: 'AA:BB:CC:DD:EE:01' });
  const two = slc(rig, { features: HF_BASIC, address: 'AA:BB:CC:DD:EE:02' });
  rig.model.telephony.incomingCall(CALLER);
  rig.clock.advance(5);
  assert.equal(one.take(), wire('+CIEV: 2,1', ...RING));
  assert.equal(two.take(), wire('+CIEV: 2,1', ...RING));
  assert.equal(two.at('ATA'), wire('OK', '+CIEV: 1,1', '+CIEV: 2,0'));
  assert.equal(one.take(), wire('+CIEV: 1,1', '+CIEV: 2,0'));
  assert.deepEqual(rig.audio.map((a) => a.peer), ['AA:BB:CC:DD:EE:02']);
  // The HF with the audio leaves mid-call: the audio moves to the other one.
  void two.channel.close();
  rig.clock.advance(5);
  assert.deepEqual(
    rig.audio.map((a) => [a.event, a.peer]),
    [
      ['requested', 'AA:BB:CC:DD:EE:02'],
      ['released', 'AA:BB:CC:DD:EE:02'],
      ['requested', 'AA:BB:CC:DD:EE:01'],
    ],
  );
});

test('DTMF on the active call reaches the call model', () => {
  const rig = makeAgRig();
  const tones: string[] = [];
  rig.model.telephony.events.on('dtmf', (t) => tones.push(t));
  const hf = withActiveCall(rig);
  assert.equal(hf.at('AT+VTS=5'), wire('OK'));
  assert.equal(hf.at('AT+VTS=#'), wire('OK'));
  assert.deepEqual(tones, ['5', '#']);
  assert.deepEqual(rig.ag.session('AA:BB:CC:DD:EE:01')?.dtmfSent, ['5', '#']);
});

test('an HF connecting mid-call reads the call state with AT+CIND? and AT+CLCC', () => {
  const rig = makeAgRig();
  withActiveCall(rig);
  const late = Hf.connect(rig, 'AA:BB:CC:DD:EE:09');
  late.at('AT+BRSF=0');
  assert.equal(late.at('AT+CIND?'), wire('+CIND: 1,1,0,5,5,0,0', 'OK'));
  assert.equal(late.at('AT+CLCC'), wire(`+CLCC: 1,1,0,0,0,"${CALLER}",145`, 'OK'));
});
