/**
 * Call audio end to end over the in-memory SCO link: a 1 kHz tone each way,
 * measured for frequency, SNR and latency against the model's prediction,
 * and loss counted the same at the receiver as on the link.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VirtualClock } from '../../src/link/virtual-clock';
import { CVSD_CODEC_DELAY_SAMPLES, MemoryScoConnection, MemoryScoLink } from '../../src/link/memory/sco';
import { MSBC_CODEC_DELAY_SAMPLES, VoiceCodec, VoicePath } from '../../src/audio/voice-path';
import { AudioEndpoint, ToneMeasurement, measureTone } from '../../src/audio/audio-endpoint';

const PHONE = '11:22:33:44:55:66';
const PC = 'AA:BB:CC:DD:EE:01';
const INTERVAL = 7.5;
const LATENCY = 10;

interface Call {
  clock: VirtualClock;
  connection: MemoryScoConnection;
  phone: AudioEndpoint;
  pc: AudioEndpoint;
}

function call(codec: VoiceCodec, options: { lossRate?: number; seed?: number; concealment?: 'silence' | 'repeat' } = {}): Call {
  const clock = new VirtualClock();
  clock.advance(1);
  const sco = new MemoryScoLink(clock, { seed: options.seed ?? 1 });
  const connection = sco.open({
    phoneAddress: PHONE,
    pcAddress: PC,
    airMode: codec === 'cvsd' ? 'cvsd' : 'transparent',
    latencyMs: LATENCY,
    lossRate: options.lossRate ?? 0,
  });
  const path = (end: MemoryScoConnection['phone']): VoicePath => new VoicePath(end, { codec, concealment: options.concealment });
  return { clock, connection, phone: new AudioEndpoint(clock, path(connection.phone)), pc: new AudioEndpoint(clock, path(connection.pc)) };
}

/**
 * What the model predicts: a chunk is handed on once its 7.5 ms are captured,
 * waits for the first slot strictly after that, travels the link latency,
 * and the codec delays the signal by its filter delay.
 */
function predictedLatency(phaseMs: number, codecDelaySamples: number, sampleRate: number): number {
  const wait = INTERVAL - (phaseMs % INTERVAL);
  return INTERVAL + wait + LATENCY + (codecDelaySamples * 1000) / sampleRate;
}

/** Plays 1 kHz both ways (the PC's tone starting `phaseMs` after the phone's) and measures each direction. */
async function bothWays(c: Call, phaseMs: number): Promise<{ toPc: ToneMeasurement; toPhone: ToneMeasurement }> {
  const fromPhone = c.phone.playTone({ frequency: 1000, leadSilenceMs: 50, durationMs: 1000 });
  await c.clock.runFor(phaseMs);
  const fromPc = c.pc.playTone({ frequency: 1000, leadSilenceMs: 80, durationMs: 1000 });
  await c.clock.runFor(1200);
  void c.connection.phone.close();
  await c.clock.runUntilIdle();
  return { toPc: measureTone(fromPhone, c.pc.recording), toPhone: measureTone(fromPc, c.phone.recording) };
}

function checkTone(m: ToneMeasurement, snrBound: number, latency: number, delay: number, what: string): void {
  assert.ok(Math.abs(m.frequencyHz - 1000) < 2, `${what}: ${m.frequencyHz} Hz`);
  assert.ok(m.snrDb > snrBound, `${what}: ${m.snrDb.toFixed(1)} dB`);
  assert.equal(m.delaySamples, delay, what);
  assert.ok(Math.abs(m.latencyMs - latency) < 1e-9, `${what}: ${m.latencyMs} ms, predicted ${latency} ms`);
  assert.ok(Math.abs(m.gainDb) < 0.5, `${what}: gain ${m.gainDb.toFixed(2)} dB`);
}

test('CVSD, 8 kHz: a -12 dBFS 1 kHz tone crosses both ways (measured 33.0 dB, bound 30 dB); latency 7.5 + slot wait + 10 + 2 ms', async () => {
  for (const phase of [0, 3]) {
    const c = call('cvsd');
    const { toPc, toPhone } = await bothWays(c, phase);
    // The phone's source starts with the slots (phase 0: waits a whole interval); the PC's `phase` ms later.
    checkTone(toPc, 30, predictedLatency(0, CVSD_CODEC_DELAY_SAMPLES, 8000), CVSD_CODEC_DELAY_SAMPLES, 'phone -> PC');
    checkTone(toPhone, 30, predictedLatency(phase, CVSD_CODEC_DELAY_SAMPLES, 8000), CVSD_CODEC_DELAY_SAMPLES, 'PC -> phone');
    assert.equal(toPc.latencyMs, 27);
    assert.equal(toPhone.latencyMs, phase === 0 ? 27 : 24);
    assert.equal(c.phone.path.stats.lostFrames, 0);
  }
});

test(`mSBC, 16 kHz: a 1 kHz tone crosses both ways (measured 68.1 dB, bound 60 dB); latency 7.5 + slot wait + 10 ms + ${MSBC_CODEC_DELAY_SAMPLES} samples`, async () => {
  for (const phase of [0, 3]) {
    const c = call('msbc');
    const { toPc, toPhone } = await bothWays(c, phase);
    checkTone(toPc, 60, predictedLatency(0, MSBC_CODEC_DELAY_SAMPLES, 16000), MSBC_CODEC_DELAY_SAMPLES, 'phone -> PC');
    checkTone(toPhone, 60, predictedLatency(phase, MSBC_CODEC_DELAY_SAMPLES, 16000), MSBC_CODEC_DELAY_SAMPLES, 'PC -> phone');
    assert.equal(toPc.latencyMs, 29.5625);
    const stats = c.pc.path.stats;
    assert.equal(stats.lostFrames, 0);
    assert.equal(stats.framesDecoded, c.connection.stats.toPc.delivered);
  }
});

test('loss 5 %: each receiver counts exactly the frames the link dropped (mSBC from the H2 stream, CVSD from the flags)', async () => {
  for (const codec of ['msbc', 'cvsd'] as const) {
    for (const seed of [1, 2, 3]) {
      const c = call(codec, { lossRate: 0.05, seed });
      c.phone.playTone({ frequency: 1000, durationMs: 2000 });
      c.pc.playTone({ frequency: 1000, durationMs: 2000 });
      await c.clock.runFor(2100);
      const { toPc, toPhone } = c.connection.stats;
      assert.ok(toPc.lost > 0 && toPhone.lost > 0, `${codec} seed ${seed}: ${toPc.lost}, ${toPhone.lost}`);
      assert.equal(c.pc.path.stats.lostFrames, toPc.lost, `${codec} seed ${seed} to PC`);
      assert.equal(c.phone.path.stats.lostFrames, toPhone.lost, `${codec} seed ${seed} to phone`);
      assert.equal(c.pc.path.stats.packetsReceived, toPc.delivered);
      // Concealment keeps the time line whole: one packet's worth of samples per packet delivered.
      assert.equal(c.pc.recording.length, toPc.delivered * c.pc.path.samplesPerPacket);
      void c.connection.phone.close();
      await c.clock.runUntilIdle();
    }
  }
});

test('under 5 % loss the tone stays aligned: SNR set by the concealed frames alone (mSBC measured 9.6 dB, CVSD 12.1 dB; bound 8 dB)', async () => {
  for (const codec of ['msbc', 'cvsd'] as const) {
    const c = call(codec, { lossRate: 0.05, seed: 4 });
    const tone = c.phone.playTone({ frequency: 1000, leadSilenceMs: 50, durationMs: 1000 });
    await c.clock.runFor(1200);
    const m = measureTone(tone, c.pc.recording);
    // Same delay and latency as without loss: concealment kept every frame's place.
    const delay = codec === 'msbc' ? MSBC_CODEC_DELAY_SAMPLES : CVSD_CODEC_DELAY_SAMPLES;
    assert.equal(m.delaySamples, delay, codec);
    const predicted = predictedLatency(0, delay, codec === 'msbc' ? 16000 : 8000);
    assert.ok(Math.abs(m.latencyMs - predicted) < 1e-9, `${codec}: ${m.latencyMs} ms, predicted ${predicted} ms`);
    assert.ok(m.snrDb > 8 && m.snrDb < 20, `${codec}: ${m.snrDb.toFixed(1)} dB`);
    // Zero crossings miss the silent gaps: about 4 % low (measured 960 / 963 Hz).
    assert.ok(Math.abs(m.frequencyHz - 1000) < 60, `${codec}: ${m.frequencyHz} Hz`);
    void c.connection.phone.close();
    await c.clock.runUntilIdle();
  }
});
