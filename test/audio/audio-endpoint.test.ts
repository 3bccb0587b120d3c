import { test } from 'node:test';
import assert from 'node:assert/strict';
import { QueueFullError } from '../../src/link/errors';
import { VirtualClock } from '../../src/link/virtual-clock';
import { tone } from '../../src/audio/pcm';
import { RecordingSink, ToneSource, measureTone } from '../../src/audio/audio-endpoint';

test('ToneSource hands on the samples captured in each chunk, at the end of the chunk, then stops by itself', async () => {
  const clock = new VirtualClock();
  clock.advance(2);
  const source = new ToneSource(clock, 8000, { frequency: 1000, amplitude: 0.5, leadSilenceMs: 10, durationMs: 20 });
  const chunks: { time: number; length: number }[] = [];
  source.start((pcm) => chunks.push({ time: clock.now(), length: pcm.length }));
  assert.equal(source.startedAt, 2);
  await clock.runUntilIdle();
  // 10 ms lead + 20 ms tone = 240 samples: 60 per 7.5 ms.
  assert.deepEqual(chunks, [
    { time: 9.5, length: 60 },
    { time: 17, length: 60 },
    { time: 24.5, length: 60 },
    { time: 32, length: 60 },
  ]);
  assert.equal(source.running, false);
  const reference = source.reference();
  assert.equal(reference.length, 240);
  assert.ok(reference.subarray(0, 80).every((v) => v === 0));
  assert.deepEqual([...reference.subarray(80)], [...tone({ frequency: 1000, sampleRate: 8000, samples: 160, amplitude: 0.5 })]);
  assert.equal(source.toneStartSample, 80);
  assert.equal(source.captureTimeOf(80), 12);
});

test('ToneSource keeps exact sample counts when a chunk is not a whole number of samples; stops when its consumer throws', () => {
  const clock = new VirtualClock();
  const source = new ToneSource(clock, 44100, { frequency: 440, chunkMs: 1 });
  const lengths: number[] = [];
  source.start((pcm) => lengths.push(pcm.length));
  clock.advance(10);
  assert.equal(lengths.reduce((a, b) => a + b, 0), 441);
  assert.ok(lengths.every((n) => n === 44 || n === 45));
  source.stop();
  assert.equal(clock.pendingEvents, 0);
  assert.throws(() => source.start(() => undefined), RangeError);

  const failing = new ToneSource(clock, 8000, { frequency: 1000 });
  const boom = new Error('no room');
  failing.start(() => {
    throw boom;
  });
  clock.advance(20);
  assert.equal(failing.running, false);
  assert.equal(failing.error, boom);
  assert.equal(failing.emittedSamples, 60);
});

test('RecordingSink stamps each piece with its arrival and maps samples to play times; it is bounded', () => {
  const clock = new VirtualClock();
  const sink = new RecordingSink(clock, 16000, { maxSamples: 300 });
  clock.advance(5);
  sink.write(new Int16Array(120).fill(1));
  clock.advance(7.5);
  sink.write(new Int16Array(120).fill(2));
  assert.deepEqual(sink.recorded(), [
    { time: 5, start: 0, length: 120 },
    { time: 12.5, start: 120, length: 120 },
  ]);
  assert.equal(sink.playTimeOf(0), 5);
  assert.equal(sink.playTimeOf(16), 6);
  assert.equal(sink.playTimeOf(136), 13.5);
  assert.ok(Number.isNaN(sink.playTimeOf(240)));
  assert.equal(sink.samples()[130], 2);
  assert.throws(() => sink.write(new Int16Array(61)), (e: unknown) => e instanceof QueueFullError);
  assert.equal(sink.length, 240);
  sink.clear();
  assert.equal(sink.samples().length, 0);
});

test('measureTone finds a known delay, latency, frequency and a perfect SNR through a delay line', async () => {
  const clock = new VirtualClock();
  const source = new ToneSource(clock, 8000, { frequency: 1000, leadSilenceMs: 40, durationMs: 500 });
  const sink = new RecordingSink(clock, 8000);
  // A pipe that delays the signal by 5 samples and each chunk by 12 ms, keeping the chunk sizes.
  let line = new Int16Array(5);
  source.start((pcm) => {
    const all = new Int16Array(line.length + pcm.length);
    all.set(line, 0);
    all.set(pcm, line.length);
    const out = all.slice(0, pcm.length);
    line = all.slice(pcm.length);
    clock.schedule(12, () => sink.write(out));
  });
  await clock.runUntilIdle();
  const m = measureTone(source, sink);
  assert.equal(m.delaySamples, 5);
  // Sample n is captured at n/8 ms, handed on at the end of its 7.5 ms chunk, and played 12 ms later 5 samples on.
  assert.equal(m.latencyMs, 7.5 + 12 + 5 / 8);
  assert.equal(m.snrDb, Infinity);
  assert.ok(Math.abs(m.frequencyHz - 1000) < 0.01);
  assert.ok(Math.abs(m.gainDb) < 1e-9);
});

test('measureTone reports NaN when nothing was heard', () => {
  const clock = new VirtualClock();
  const source = new ToneSource(clock, 8000, { frequency: 1000, durationMs: 100 });
  source.start(() => undefined);
  clock.advance(200);
  const m = measureTone(source, new RecordingSink(clock, 8000));
  assert.ok(Number.isNaN(m.latencyMs) && Number.isNaN(m.snrDb));
  assert.throws(() => measureTone(source, new RecordingSink(clock, 16000)), RangeError);
});
