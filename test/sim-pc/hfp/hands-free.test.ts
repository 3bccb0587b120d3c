/**
 * HandsFree commands and their failures against a scripted AG: refused
 * commands as typed errors (+CME ERROR with its name, ERROR), call
 * control texts, codec selection, volume both ways, DTMF, battery
 * reports, hold options the AG does not offer, timeouts that leave the
 * unit usable or closed, a dropped channel, and garbage on the line.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DisconnectedError } from '../../../src/link/errors';
import { HfpError } from '../../../src/protocol/hfp/errors';
import { NotConnectedError, TimeoutError, UnsupportedError } from '../../../src/sim-pc/errors';
import { AgCmeError, AgRefusedError, HfpArgumentError, HfpQueueFullError, isAgRefusal } from '../../../src/sim-pc/hfp/errors';
import { androidProfile, iphoneProfile } from './fake-ag';
import { connected, fails, ok, rig, settle } from './hf-rig';

test('+CME ERROR becomes AgCmeError with the 27.007 name; ERROR becomes AgRefusedError (HFP/HF/OCL/BV-02)', async () => {
  const { clock, ag, hf } = await connected();
  ag.handler = (command) => {
    if (command.kind === 'dial') return [{ kind: 'cmeError', code: 30 }];
    if (command.kind === 'bldn') return [{ kind: 'error' }];
    if (command.kind === 'dialMemory') return [{ kind: 'cmeError', code: 21 }];
    return undefined;
  };
  const dial = await fails(clock, hf.dial('+441632960000'));
  assert.ok(dial instanceof AgCmeError);
  assert.equal(dial.code, 'sim-pc.hfp-cme-error');
  assert.equal(dial.cme, 30);
  assert.equal(dial.cmeName, 'NoNetworkService');
  assert.equal(dial.command, 'ATD+441632960000;');
  const redial = await fails(clock, hf.redial());
  assert.ok(redial instanceof AgRefusedError && redial.command === 'AT+BLDN');
  assert.ok(isAgRefusal(redial));
  const memory = await fails(clock, hf.memoryDial(7));
  assert.ok(memory instanceof AgCmeError && memory.cmeName === 'InvalidIndex');
  assert.ok(ag.lines.includes('ATD>7;'));
  // Still usable.
  await ok(clock, hf.sendDtmf('5'));
  assert.equal(ag.lines.at(-1), 'AT+VTS=5');
});

test('call control sends the right AT text', async () => {
  const { clock, ag, hf } = await connected();
  const from = ag.lines.length;
  await ok(clock, hf.answer());
  await ok(clock, hf.hangUp());
  await ok(clock, hf.dial('*31#5551234'));
  await ok(clock, hf.redial());
  await ok(clock, hf.memoryDial('12'));
  await ok(clock, hf.releaseHeld());
  await ok(clock, hf.releaseActiveAcceptOther());
  await ok(clock, hf.releaseCall(2));
  await ok(clock, hf.privateConsultation(1));
  await ok(clock, hf.join());
  await ok(clock, hf.sendDtmf('#'));
  await ok(clock, hf.requestAudio());
  await clock.runUntilIdle();
  const sent = ag.linesSince(from).filter((l) => l !== 'AT+CLCC');
  assert.deepEqual(sent, [
    'ATA',
    'AT+CHUP',
    'ATD*31#5551234;',
    'AT+BLDN',
    'ATD>12;',
    'AT+CHLD=0',
    'AT+CHLD=1',
    'AT+CHLD=12',
    'AT+CHLD=21',
    'AT+CHLD=3',
    'AT+VTS=#',
    'AT+BCC',
  ]);
});

test('bad arguments are refused before anything is sent', async () => {
  const { clock, ag, hf } = await connected();
  const from = ag.lines.length;
  for (const attempt of [
    () => hf.dial('555 1234'),
    () => hf.dial(''),
    () => hf.dial('12;ATH'),
    () => hf.memoryDial('x'),
    () => hf.sendDtmf('55'),
    () => hf.setSpeakerGain(16),
    () => hf.setMicrophoneGain(-1),
    () => hf.reportBattery(101),
    () => hf.releaseCall(0),
  ]) {
    const err = await fails(clock, attempt());
    assert.ok(err instanceof HfpArgumentError, String(err));
  }
  assert.deepEqual(ag.linesSince(from), []);
});

test('hold options the AG does not list are UnsupportedError (the iPhone has no AT+CHLD=4)', async () => {
  const iphone = await connected();
  const err = await fails(iphone.clock, iphone.hf.transfer());
  assert.ok(err instanceof UnsupportedError && /CHLD=4/.test(err.message), String(err));
  const android = await connected(androidProfile());
  await ok(android.clock, android.hf.transfer());
  assert.equal(android.ag.lines.at(-1), 'AT+CHLD=4');
  const noThreeWay = iphoneProfile();
  noThreeWay.brsf &= ~1;
  const plain = await connected(noThreeWay);
  const hold = await fails(plain.clock, plain.hf.hold());
  assert.ok(hold instanceof UnsupportedError && /no call hold/.test(hold.message));
});

test('commands before the SLC is up are NotConnectedError', async () => {
  const { clock, hf } = rig();
  for (const attempt of [() => hf.answer(), () => hf.hold(), () => hf.setSpeakerGain(3), () => hf.reportBattery(3), () => hf.refreshCalls()]) {
    const err = await fails(clock, attempt());
    assert.ok(err instanceof NotConnectedError, String(err));
  }
});

test('codec selection: +BCS for a codec we have is confirmed with AT+BCS, then audio is wanted', async () => {
  const { clock, ag, hf, seen } = await connected();
  ag.send({ kind: 'bcs', codec: 2 });
  await clock.runUntilIdle();
  assert.equal(ag.lines.at(-1), 'AT+BCS=2');
  assert.deepEqual(seen.codecs, [2]);
  assert.deepEqual(seen.audio, [2]);
  assert.equal(hf.codec, 2);
  // A codec we lack (LC3-SWB): tell the AG our codecs again.
  ag.send({ kind: 'bcs', codec: 3 });
  await clock.runUntilIdle();
  assert.equal(ag.lines.at(-1), 'AT+BAC=1,2');
  assert.deepEqual(seen.codecs, [2]);
  ag.send({ kind: 'bcs', codec: 1 });
  await clock.runUntilIdle();
  assert.deepEqual(seen.audio, [2, 1]);
  assert.equal(hf.codec, 1);
  // A refused AT+BCS is reported and changes nothing.
  ag.handler = (command) => (command.kind === 'bcs' ? [{ kind: 'error' }] : undefined);
  ag.send({ kind: 'bcs', codec: 2 });
  await clock.runUntilIdle();
  assert.equal(hf.codec, 1);
  assert.ok(seen.errors.some((e) => e instanceof AgRefusedError));
});

test('AT+BCS jumps the queue: the AG is waiting for it', async () => {
  const { clock, ag, hf } = await connected();
  ag.handler = (command) => (command.kind === 'vts' ? 'silent' : undefined);
  const first = hf.sendDtmf('1');
  const second = hf.sendDtmf('2');
  await clock.runFor(20);
  ag.send({ kind: 'bcs', codec: 2 });
  await clock.runFor(20);
  ag.handler = undefined;
  ag.send({ kind: 'ok' }); // ends AT+VTS=1
  await ok(clock, first);
  await ok(clock, second);
  const tail = ag.lines.slice(-3);
  assert.deepEqual(tail, ['AT+VTS=1', 'AT+BCS=2', 'AT+VTS=2']);
});

test('volume both ways: +VGS/+VGM from the AG, AT+VGS/AT+VGM from us', async () => {
  const { clock, ag, hf, seen } = await connected();
  ag.send({ kind: 'vgs', gain: 7 }, { kind: 'vgm', gain: 9 });
  await clock.runUntilIdle();
  assert.equal(hf.speakerGain, 7);
  assert.equal(hf.microphoneGain, 9);
  await ok(clock, hf.setSpeakerGain(12));
  await ok(clock, hf.setMicrophoneGain(0));
  assert.deepEqual(ag.lines.slice(-2), ['AT+VGS=12', 'AT+VGM=0']);
  assert.deepEqual(seen.volumes, [
    { target: 'speaker', gain: 7, from: 'ag' },
    { target: 'microphone', gain: 9, from: 'ag' },
    { target: 'speaker', gain: 12, from: 'hf' },
    { target: 'microphone', gain: 0, from: 'hf' },
  ]);
  ag.send({ kind: 'vgs', gain: 40 });
  await clock.runUntilIdle();
  assert.equal(hf.speakerGain, 12);
  assert.ok(seen.errors.at(-1) instanceof HfpError);
});

test('battery: AT+BIEV when the AG enabled indicator 2, AT+IPHONEACCEV after XAPL; neither on a plain AG', async () => {
  const { clock, ag, hf } = await connected();
  await ok(clock, hf.reportBattery(55));
  assert.deepEqual(ag.lines.slice(-2), ['AT+BIEV=2,55', 'AT+IPHONEACCEV=1,1,5']);
  // The AG turns the battery indicator off: Apple reports only.
  ag.send({ kind: 'bindStatus', indicator: 2, enabled: false });
  await clock.runUntilIdle();
  await ok(clock, hf.reportBattery(100));
  assert.deepEqual(ag.lines.slice(-1), ['AT+IPHONEACCEV=1,1,9']);
  const android = await connected(androidProfile(), { batteryPercent: 40 });
  assert.ok(!android.ag.lines.some((l) => l.startsWith('AT+BIEV') || l.startsWith('AT+IPHONEACCEV')));
  const err = await fails(android.clock, android.hf.reportBattery(40));
  assert.ok(err instanceof UnsupportedError);
});

test('a silent AG: a command times out and the unit stays usable', async () => {
  const { clock, ag, hf, seen } = await connected();
  ag.handler = (command) => (command.kind === 'answer' ? 'silent' : undefined);
  const start = clock.now();
  const err = await fails(clock, hf.answer());
  assert.ok(err instanceof TimeoutError && err.what === 'ATA', String(err));
  assert.equal(clock.now() - start, 2_000 + 0, 'fails at the command timeout');
  assert.equal(hf.state, 'connected');
  ag.handler = undefined;
  await ok(clock, hf.hangUp());
  // A late OK with nothing in flight is dropped.
  ag.send({ kind: 'ok' });
  await clock.runUntilIdle();
  await ok(clock, hf.sendDtmf('1'));
  assert.deepEqual(seen.closes, []);
});

test('three timeouts in a row: the AG is taken for gone and the unit closes, failing what waits', async () => {
  const { clock, ag, hf, seen } = await connected();
  ag.handler = () => 'silent';
  const attempts = [hf.sendDtmf('1'), hf.sendDtmf('2'), hf.sendDtmf('3'), hf.sendDtmf('4')];
  const outcomes = await Promise.all(attempts.map((p) => settle(clock, p)));
  const errors = outcomes.map((o) => (o.ok ? undefined : o.error));
  assert.ok(errors.slice(0, 3).every((e) => e instanceof TimeoutError));
  assert.ok(errors[3] instanceof DisconnectedError);
  assert.equal(hf.state, 'closed');
  assert.equal(seen.closes.length, 1);
  assert.equal(ag.channel.open, false);
  const after = await fails(clock, hf.answer());
  assert.ok(after instanceof NotConnectedError);
  await clock.runUntilIdle();
  assert.equal(clock.pendingEvents, 0, 'no timer left running');
});

test('the command queue is bounded', async () => {
  const { clock, ag, hf } = await connected(iphoneProfile(), { maxQueuedCommands: 2 });
  ag.handler = () => 'silent';
  const sent = [hf.sendDtmf('1'), hf.sendDtmf('2'), hf.sendDtmf('3'), hf.sendDtmf('4')];
  const outcomes = await Promise.all(sent.map((p) => settle(clock, p)));
  const full = outcomes.filter((o) => !o.ok && o.error instanceof HfpQueueFullError);
  assert.equal(full.length, 1);
});

test('the channel drops: waiting commands fail with DisconnectedError, the list is kept as last known', async () => {
  const { clock, ag, hf, seen } = await connected();
  ag.calls = [{ kind: 'clcc', index: 1, direction: 1, status: 0, mode: 0, multiparty: false, number: '123', type: 129 }];
  ag.ciev('call', 1);
  await clock.runUntilIdle();
  ag.handler = () => 'silent';
  const pending = hf.hangUp();
  await clock.runFor(50);
  ag.channel.drop(0x08);
  const err = await fails(clock, pending);
  assert.ok(err instanceof DisconnectedError && err.reason === 0x08);
  assert.equal(hf.state, 'closed');
  assert.equal(hf.calls.length, 1);
  assert.ok(seen.closes[0] instanceof DisconnectedError);
  await ok(clock, hf.close());
});

test('close() closes the channel and is idempotent', async () => {
  const { clock, ag, hf } = await connected();
  await ok(clock, hf.close());
  await ok(clock, hf.close());
  assert.equal(ag.channel.open, false);
  const err = await fails(clock, hf.start());
  assert.ok(err instanceof DisconnectedError);
});

test('garbage, unknown results and bad indicators are reported once each and skipped', async () => {
  const { clock, ag, hf, seen } = await connected();
  ag.sendRaw('\r\n+CIEV: banana\r\n');
  ag.sendRaw('\r\n\x01\x02junk\r\n');
  ag.sendRaw('\r\n+FOO: 1\r\n');
  ag.send({ kind: 'ciev', index: 42, value: 1 });
  ag.send({ kind: 'ciev', index: 5, value: 9 }); // signal 9 is outside (0-5)
  ag.sendRaw('\r\nOK\r\n'); // stale final result, nothing in flight
  ag.sendRaw(`\r\n${'x'.repeat(600)}\r\n`);
  ag.send({ kind: 'ciev', index: 5, value: 4 });
  await clock.runUntilIdle();
  assert.equal(seen.errors.length, 5, seen.errors.map((e) => e.message).join('; '));
  assert.ok(seen.errors.every((e) => e instanceof HfpError));
  assert.deepEqual(
    seen.errors.map((e) => (e as HfpError).code),
    ['hfp.bad-value', 'hfp.bad-character', 'hfp.unknown-indicator', 'hfp.bad-value', 'hfp.line-too-long'],
  );
  assert.equal(hf.indicator('signal'), 4);
  await ok(clock, hf.sendDtmf('9'));
});

test('in-band ring, response and hold, and call failures are passed on', async () => {
  const { clock, ag, hf, seen } = await connected();
  const inBand: boolean[] = [];
  hf.events.on('inBandRing', (enabled) => inBand.push(enabled));
  const from = ag.lines.length;
  ag.send({ kind: 'bsir', enabled: true }, { kind: 'btrh', state: 0 }, { kind: 'busy' }, { kind: 'noAnswer' });
  await clock.runUntilIdle();
  assert.deepEqual(inBand, [true]);
  assert.deepEqual(seen.failures, ['busy', 'no-answer']);
  assert.ok(ag.linesSince(from).includes('AT+CLCC'));
});

test('refreshCalls() returns the AG list; without ECS it is UnsupportedError', async () => {
  const { clock, ag, hf } = await connected();
  ag.calls = [{ kind: 'clcc', index: 1, direction: 0, status: 0, mode: 0, multiparty: false, number: '5551234', type: 129 }];
  const calls = await ok(clock, hf.refreshCalls());
  assert.deepEqual(calls.map((c) => c.number), ['5551234']);
  const profile = iphoneProfile();
  profile.brsf &= ~(1 << 6);
  const plain = await connected(profile);
  assert.ok(!plain.ag.lines.includes('AT+CLCC'));
  const err = await fails(plain.clock, plain.hf.refreshCalls());
  assert.ok(err instanceof UnsupportedError);
});
