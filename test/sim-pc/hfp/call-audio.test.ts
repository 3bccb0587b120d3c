/**
 * The PC's call audio over the in-memory SCO link, with the phone's end
 * driven directly: the agreed codec decides how a channel is decoded, a
 * channel that does not fit it (or from another device, or a second one)
 * is refused, tones cross both ways, and the stats count what the link lost.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AudioEndpoint, measureTone } from '../../../src/audio/audio-endpoint';
import { VoicePath } from '../../../src/audio/voice-path';
import { DisconnectedError, LinkError } from '../../../src/link/errors';
import { MemoryScoLink } from '../../../src/link/memory/sco';
import type { ScoChannel } from '../../../src/link/sco';
import { VirtualClock } from '../../../src/link/virtual-clock';
import { CallAudio, CallAudioRefusal, voiceCodecFor } from '../../../src/sim-pc/hfp/call-audio';

const PHONE = '11:22:33:44:55:66';
const OTHER = '11:22:33:44:55:77';
const PC = 'AA:BB:CC:DD:EE:01';

function rig(codec: number | undefined, lossRate = 0) {
  const clock = new VirtualClock();
  const sco = new MemoryScoLink(clock, { seed: 5, latencyMs: 10, lossRate });
  const audio = new CallAudio({ endpoint: sco.endpoint(PC, 'pc'), clock, phoneAddress: PHONE, codec: () => codec });
  const refusals: CallAudioRefusal[] = [];
  audio.events.on('refused', (_peer, reason) => refusals.push(reason));
  audio.start();
  return { clock, sco, audio, refusals, phone: sco.endpoint(PHONE, 'phone') };
}

async function connect(clock: VirtualClock, promise: Promise<ScoChannel>): Promise<ScoChannel | Error> {
  let outcome: ScoChannel | Error | undefined;
  promise.then(
    (c) => (outcome = c),
    (e: unknown) => (outcome = e instanceof Error ? e : new Error(String(e))),
  );
  await clock.runFor(25);
  assert.ok(outcome, 'the setup settled');
  return outcome;
}

test('codec ids map to voice codecs: 1 CVSD, 2 mSBC, nothing for LC3-SWB', () => {
  assert.equal(voiceCodecFor(1), 'cvsd');
  assert.equal(voiceCodecFor(2), 'msbc');
  assert.equal(voiceCodecFor(3), undefined);
});

for (const [codec, mode, snrBound] of [[2, 'transparent', 60], [1, 'cvsd', 30], [undefined, 'cvsd', 30]] as const) {
  test(`agreed codec ${String(codec)}: a ${mode} channel from the phone opens and a 1 kHz tone crosses both ways`, async () => {
    const r = rig(codec);
    const opened: string[] = [];
    r.audio.events.on('opened', (e) => opened.push(`${e.codec} ${e.voice} ${e.airMode}`));
    const channel = await connect(r.clock, r.phone.connect(PC, { airMode: mode }));
    assert.ok(!(channel instanceof Error), String(channel));
    const voice = codec === 2 ? 'msbc' : 'cvsd';
    assert.deepEqual(opened, [`${codec ?? 1} ${voice} ${mode}`]);
    assert.equal(r.audio.codec, codec ?? 1);
    const phone = new AudioEndpoint(r.clock, new VoicePath(channel, { codec: voice }));
    const fromPhone = phone.playTone({ frequency: 1000, leadSilenceMs: 50, durationMs: 500 });
    await r.clock.runFor(3);
    const fromPc = r.audio.playTone({ frequency: 1000, leadSilenceMs: 50, durationMs: 500 });
    await r.clock.runFor(700);
    const recording = r.audio.recording;
    assert.ok(recording);
    for (const m of [measureTone(fromPhone, recording), measureTone(fromPc, phone.recording)]) {
      assert.ok(Math.abs(m.frequencyHz - 1000) < 2, `${m.frequencyHz} Hz`);
      assert.ok(m.snrDb > snrBound, `${m.snrDb} dB`);
    }
    const stats = r.audio.stats;
    assert.equal(stats.codec, codec ?? 1);
    assert.equal(stats.lost, 0);
    assert.ok(stats.frames > 0 && stats.frames === stats.packetsReceived, JSON.stringify(stats));
    assert.ok(stats.packetsSent > 0);
  });
}

test('a channel whose air mode does not fit the agreed codec is refused, and the phone hears so', async () => {
  for (const [codec, mode] of [[2, 'cvsd'], [1, 'transparent'], [undefined, 'transparent']] as const) {
    const r = rig(codec);
    const outcome = await connect(r.clock, r.phone.connect(PC, { airMode: mode }));
    assert.ok(outcome instanceof LinkError && outcome.code === 'link.sco-refused', String(outcome));
    assert.deepEqual(r.refusals, ['codec-mismatch']);
    assert.equal(r.audio.open, false);
  }
});

test('refused: another device, a second channel while one is open, a codec the PC cannot decode', async () => {
  const r = rig(2);
  const other = await connect(r.clock, r.sco.endpoint(OTHER, 'phone').connect(PC, { airMode: 'transparent' }));
  assert.ok(other instanceof LinkError);
  const first = await connect(r.clock, r.phone.connect(PC, { airMode: 'transparent' }));
  assert.ok(!(first instanceof Error));
  const second = await connect(r.clock, r.phone.connect(PC, { airMode: 'transparent' }));
  assert.ok(second instanceof LinkError);
  assert.deepEqual(r.refusals, ['unknown-device', 'busy']);
  const lc3 = rig(3);
  assert.ok((await connect(lc3.clock, lc3.phone.connect(PC, { airMode: 'transparent' }))) instanceof LinkError);
  assert.deepEqual(lc3.refusals, ['unsupported-codec']);
});

test('the phone closing the channel raises closed with the reason; a new call can open; stop() closes and stops listening', async () => {
  const r = rig(2);
  const closed: number[] = [];
  r.audio.events.on('closed', (e) => closed.push(e.reason));
  const channel = await connect(r.clock, r.phone.connect(PC, { airMode: 'transparent' }));
  assert.ok(!(channel instanceof Error));
  void channel.close();
  await r.clock.runFor(25);
  assert.deepEqual(closed, [0x13]);
  assert.equal(r.audio.open, false);
  assert.throws(() => r.audio.playTone({ frequency: 1000 }), DisconnectedError);
  const again = await connect(r.clock, r.phone.connect(PC, { airMode: 'transparent' }));
  assert.ok(!(again instanceof Error));
  void r.audio.stop();
  await r.clock.runFor(25);
  assert.deepEqual(closed, [0x13, 0x16]);
  assert.equal(again.open, false);
  assert.ok((await connect(r.clock, r.phone.connect(PC, { airMode: 'transparent' }))) instanceof LinkError, 'not listening after stop');
});

test('under loss the stats count exactly the frames the link lost on the way to the PC', async () => {
  for (const [codec, mode, voice] of [[2, 'transparent', 'msbc'], [1, 'cvsd', 'cvsd']] as const) {
    const r = rig(codec, 0.05);
    const channel = await connect(r.clock, r.phone.connect(PC, { airMode: mode }));
    assert.ok(!(channel instanceof Error));
    new AudioEndpoint(r.clock, new VoicePath(channel, { codec: voice })).playTone({ frequency: 1000, durationMs: 1500 });
    await r.clock.runFor(1600);
    const onLink = r.sco.connections()[0]?.stats.toPc;
    assert.ok(onLink && onLink.lost > 0, `${voice}: the link lost something`);
    const stats = r.audio.stats;
    assert.equal(stats.lost, onLink.lost, voice);
    assert.equal(stats.frames + stats.lost, onLink.delivered, voice);
  }
});
