import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VirtualClock } from '../../../src/link/virtual-clock';
import { Backchannel } from '../../../src/sim-phone/backchannel';
import { StimulusError } from '../../../src/sim-phone/errors';
import { CallRefusedError } from '../../../src/sim-phone/hfp/call-model';
import { PhoneModel } from '../../../src/sim-phone/phone-model';
import { loadPhoneProfile } from '../../../src/sim-phone/profile';
import { parseStimulus, parseStimulusScript } from '../../../src/sim-phone/stimulus';

function phone() {
  const clock = new VirtualClock();
  const model = new PhoneModel(loadPhoneProfile('iphone'), clock);
  return { clock, model, backchannel: new Backchannel(model) };
}

function badField(json: unknown): string {
  try {
    parseStimulus(json);
  } catch (err) {
    if (err instanceof StimulusError) return err.field;
    throw err;
  }
  return '(no error)';
}

test('call stimuli parse from JSON into typed values', () => {
  assert.deepEqual(parseStimulus({ kind: 'incomingCall', number: '+15551234567', name: 'Alice' }), {
    kind: 'incomingCall',
    number: '+15551234567',
    name: 'Alice',
  });
  assert.deepEqual(parseStimulus({ kind: 'incomingCall', number: '' }), { kind: 'incomingCall', number: '' });
  assert.deepEqual(parseStimulus({ kind: 'callWaiting', number: '555' }), { kind: 'callWaiting', number: '555' });
  assert.deepEqual(parseStimulus({ kind: 'startOutgoingCall', number: '*31#' }), { kind: 'startOutgoingCall', number: '*31#' });
  assert.deepEqual(parseStimulus({ kind: 'remoteHangsUp', index: 2 }), { kind: 'remoteHangsUp', index: 2 });
  assert.deepEqual(parseStimulus({ kind: 'remoteHangsUp' }), { kind: 'remoteHangsUp' });
  for (const kind of ['remoteAnswers', 'remoteBusy', 'networkLoss']) assert.deepEqual(parseStimulus({ kind }), { kind });
  assert.deepEqual(parseStimulus({ kind: 'setBattery', level: 0 }), { kind: 'setBattery', level: 0 });
  assert.deepEqual(parseStimulus({ kind: 'setSignal', level: 5 }), { kind: 'setSignal', level: 5 });
  assert.deepEqual(parseStimulus({ kind: 'setService', available: false }), { kind: 'setService', available: false });
  assert.deepEqual(parseStimulus({ kind: 'setRoam', roaming: true }), { kind: 'setRoam', roaming: true });
});

test('call stimuli are validated field by field', () => {
  assert.equal(badField({ kind: 'incomingCall' }), 'stimulus.number');
  assert.equal(badField({ kind: 'incomingCall', number: '555-1234' }), 'stimulus.number');
  assert.equal(badField({ kind: 'incomingCall', number: '555', name: 'Say "hi"' }), 'stimulus.name');
  assert.equal(badField({ kind: 'incomingCall', number: '555', extra: 1 }), 'stimulus.extra');
  assert.equal(badField({ kind: 'startOutgoingCall', number: '' }), 'stimulus.number');
  assert.equal(badField({ kind: 'remoteHangsUp', index: 0 }), 'stimulus.index');
  assert.equal(badField({ kind: 'setBattery', level: 6 }), 'stimulus.level');
  assert.equal(badField({ kind: 'setSignal', level: 2.5 }), 'stimulus.level');
  assert.equal(badField({ kind: 'setService', available: 'yes' }), 'stimulus.available');
  assert.equal(badField({ kind: 'networkLoss', when: 1 }), 'stimulus.when');
});

test('the Backchannel drives calls by method and by stimulus; a script runs them on the clock', () => {
  const { clock, model, backchannel } = phone();
  assert.equal(backchannel.apply({ kind: 'incomingCall', number: '111' }), 1);
  assert.equal(model.telephony.calls()[0]?.state, 'incoming');
  model.telephony.answer();
  assert.equal(backchannel.callWaiting('222').state, 'waiting');
  backchannel.remoteHangsUp(2);
  backchannel.setBattery(1);
  backchannel.setSignal(2);
  backchannel.setRoam(true);
  assert.deepEqual(model.telephony.indicators(), { service: 1, call: 1, callsetup: 0, callheld: 0, signal: 2, roam: 1, battchg: 1 });
  backchannel.networkLoss();
  assert.deepEqual(model.telephony.calls(), []);
  backchannel.setService(true);
  assert.throws(() => backchannel.remoteAnswers(), CallRefusedError);

  const steps = parseStimulusScript([
    { atMs: 0, stimulus: { kind: 'startOutgoingCall', number: '123' } },
    { atMs: 3000, stimulus: { kind: 'remoteAnswers' } },
    { atMs: 9000, stimulus: { kind: 'remoteHangsUp' } },
  ]);
  const run = backchannel.runScript(steps);
  clock.advance(3000);
  assert.equal(model.telephony.calls()[0]?.state, 'active');
  clock.advance(6000);
  assert.equal(run.applied, 3);
  assert.deepEqual(model.telephony.calls(), []);
  assert.equal(model.calls.list()[0]?.kind, 'dialled');
  assert.equal(model.calls.list()[0]?.durationSec, 6);
});
