/**
 * The phone's call audio over the in-memory SCO link, driven by a stand-in
 * Audio Gateway: the codec picks the air mode, tones cross both ways, the
 * channel closes when audio is released, and the AG hears of every close
 * and failure.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AudioEndpoint, measureTone } from '../../../src/audio/audio-endpoint';
import { VoicePath } from '../../../src/audio/voice-path';
import { COD_AUDIO_VIDEO_HANDS_FREE, type ClassicPeer } from '../../../src/link/classic';
import { DisconnectedError } from '../../../src/link/errors';
import { MemoryScoLink } from '../../../src/link/memory/sco';
import type { ScoChannel } from '../../../src/link/sco';
import { VirtualClock } from '../../../src/link/virtual-clock';
import type { AudioGatewayEvents } from '../../../src/sim-phone/hfp/audio-gateway';
import { PhoneCallAudio, scoSettingsFor } from '../../../src/sim-phone/hfp/call-audio';
import { Emitter } from '../../../src/util/emitter';

const PHONE = '11:22:33:44:55:66';
const PC = 'AA:BB:CC:DD:EE:01';
const PEER: ClassicPeer = { address: PC, classOfDevice: COD_AUDIO_VIDEO_HANDS_FREE, encrypted: true, bonded: true };

function rig(options: { pcListens?: boolean } = {}) {
  const clock = new VirtualClock();
  const sco = new MemoryScoLink(clock, { seed: 3, latencyMs: 10 });
  const gateway = { events: new Emitter<AudioGatewayEvents>(), closedFor: [] as string[], audioLinkClosed(address: string) { this.closedFor.push(address); } };
  const audio = new PhoneCallAudio({ gateway, endpoint: sco.endpoint(PHONE, 'phone'), clock });
  const pcEnds: ScoChannel[] = [];
  if (options.pcListens ?? true) {
    sco.endpoint(PC, 'pc').listen((channel) => {
      pcEnds.push(channel);
      return true;
    });
  }
  return { clock, sco, gateway, audio, pcEnds };
}

test('codec ids map to SCO settings: 1 CVSD on a cvsd channel, 2 mSBC on a transparent one, nothing for LC3-SWB', () => {
  assert.deepEqual(scoSettingsFor(1), { voice: 'cvsd', airMode: 'cvsd' });
  assert.deepEqual(scoSettingsFor(2), { voice: 'msbc', airMode: 'transparent' });
  assert.equal(scoSettingsFor(3), undefined);
});

for (const [codec, mode, snrBound] of [[2, 'transparent', 60], [1, 'cvsd', 30]] as const) {
  test(`audioRequested codec ${codec}: a ${mode} channel opens and a 1 kHz tone crosses both ways`, async () => {
    const r = rig();
    const opened: number[] = [];
    r.audio.events.on('opened', (e) => opened.push(e.codec));
    r.gateway.events.emit('audioRequested', { peer: PEER, codec });
    assert.equal(r.audio.state, 'connecting');
    await r.clock.runFor(25);
    assert.equal(r.audio.state, 'open');
    assert.deepEqual(opened, [codec]);
    assert.equal(r.audio.channel?.airMode, mode);
    const pcEnd = r.pcEnds[0];
    assert.ok(pcEnd);
    assert.equal(pcEnd.airMode, mode);
    const pc = new AudioEndpoint(r.clock, new VoicePath(pcEnd, { codec: codec === 2 ? 'msbc' : 'cvsd' }));
    const fromPhone = r.audio.playTone({ frequency: 1000, leadSilenceMs: 50, durationMs: 500 });
    const fromPc = pc.playTone({ frequency: 1000, leadSilenceMs: 50, durationMs: 500 });
    await r.clock.runFor(700);
    const toPc = measureTone(fromPhone, pc.recording);
    const recording = r.audio.recording;
    assert.ok(recording);
    const toPhone = measureTone(fromPc, recording);
    for (const m of [toPc, toPhone]) {
      assert.ok(Math.abs(m.frequencyHz - 1000) < 2, `${m.frequencyHz} Hz`);
      assert.ok(m.snrDb > snrBound, `${m.snrDb} dB`);
    }
    assert.equal(r.audio.stats?.lostFrames, 0);
  });
}

test('audioReleased closes the channel on both ends and tells the AG; the recording stays for reading', async () => {
  const r = rig();
  const closed: number[] = [];
  r.audio.events.on('closed', (e) => closed.push(e.reason));
  r.gateway.events.emit('audioRequested', { peer: PEER, codec: 2 });
  await r.clock.runFor(25);
  r.gateway.events.emit('audioReleased', PEER);
  await r.clock.runFor(25);
  assert.equal(r.audio.state, 'idle');
  assert.deepEqual(closed, [0x16]);
  assert.equal(r.pcEnds[0]?.open, false);
  assert.deepEqual(r.gateway.closedFor, [PC]);
  assert.ok(r.audio.recording, 'the last call\'s recording is kept');
  assert.throws(() => r.audio.playTone({ frequency: 1000 }), DisconnectedError);
});

test('a release for another HF leaves the channel alone', async () => {
  const r = rig();
  r.gateway.events.emit('audioRequested', { peer: PEER, codec: 1 });
  await r.clock.runFor(25);
  r.gateway.events.emit('audioReleased', { ...PEER, address: 'AA:BB:CC:DD:EE:02' });
  await r.clock.runFor(25);
  assert.equal(r.audio.state, 'open');
});

test('the PC closing the channel (or the link dropping) tells the AG, with the reason', async () => {
  const r = rig();
  const closed: number[] = [];
  r.audio.events.on('closed', (e) => closed.push(e.reason));
  r.gateway.events.emit('audioRequested', { peer: PEER, codec: 2 });
  await r.clock.runFor(25);
  void r.pcEnds[0]?.close();
  await r.clock.runFor(25);
  assert.deepEqual(closed, [0x13]);
  assert.deepEqual(r.gateway.closedFor, [PC]);
  r.gateway.events.emit('audioRequested', { peer: PEER, codec: 2 });
  await r.clock.runFor(25);
  r.sco.dropLink(0x08);
  await r.clock.runFor(25);
  assert.deepEqual(closed, [0x13, 0x08]);
  assert.deepEqual(r.gateway.closedFor, [PC, PC]);
});

test('a refused channel or a codec without an SCO setting fails and tells the AG', async () => {
  const r = rig({ pcListens: false });
  const failed: number[] = [];
  r.audio.events.on('failed', (_peer, codec) => failed.push(codec));
  r.gateway.events.emit('audioRequested', { peer: PEER, codec: 2 });
  await r.clock.runFor(25);
  assert.equal(r.audio.state, 'idle');
  r.gateway.events.emit('audioRequested', { peer: PEER, codec: 3 });
  assert.deepEqual(failed, [2, 3]);
  assert.deepEqual(r.gateway.closedFor, [PC, PC]);
  assert.equal(r.sco.connections().length, 0);
});

test('audio released while the channel is being set up closes it as soon as it is up', async () => {
  const r = rig();
  const opened: number[] = [];
  r.audio.events.on('opened', (e) => opened.push(e.codec));
  r.gateway.events.emit('audioRequested', { peer: PEER, codec: 2 });
  await r.clock.runFor(5);
  r.gateway.events.emit('audioReleased', PEER);
  await r.clock.runUntilIdle();
  assert.deepEqual(opened, []);
  assert.equal(r.audio.state, 'idle');
  assert.ok(r.sco.connections().every((c) => !c.alive));
});

test('dispose closes the channel and stops following the gateway', async () => {
  const r = rig();
  r.gateway.events.emit('audioRequested', { peer: PEER, codec: 1 });
  await r.clock.runFor(25);
  r.audio.dispose();
  await r.clock.runFor(25);
  assert.equal(r.audio.state, 'idle');
  r.gateway.events.emit('audioRequested', { peer: PEER, codec: 1 });
  await r.clock.runFor(25);
  assert.equal(r.audio.state, 'idle');
});
