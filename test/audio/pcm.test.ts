import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { channelOf, estimateFrequency, goertzelAmplitude, interleave, rms, snr, tone } from '../../src/audio/pcm';

test('tone: amplitude, phase, length and interleaving', () => {
  const t = tone({ frequency: 1000, sampleRate: 16000, samples: 32, amplitude: 0.5 });
  assert.equal(t.length, 32);
  // 16 samples per period: 0 at the start, peak a quarter period (4 samples) in, 0 at half.
  assert.equal(t[0], 0);
  assert.equal(t[4], Math.round(0.5 * 32767));
  assert.equal(t[8], 0);
  assert.equal(t[12], Math.round(-0.5 * 32767));
  const stereo = tone({ frequency: 1000, sampleRate: 16000, samples: 32, channels: 2 });
  assert.equal(stereo.length, 64);
  assert.deepEqual(channelOf(stereo, 2, 0), t);
  assert.deepEqual(channelOf(stereo, 2, 1), t);
  // Amplitudes above full scale are held at full scale.
  const loud = tone({ frequency: 50, sampleRate: 8000, samples: 10, amplitude: 3 });
  assert.equal(loud[1], Math.round(32767 * Math.sin((2 * Math.PI * 50) / 8000)));
});

test('interleave and channelOf are inverses', () => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: -32768, max: 32767 }), { maxLength: 50 }), fc.array(fc.integer({ min: -32768, max: 32767 }), { maxLength: 50 }), (a, b) => {
      const n = Math.min(a.length, b.length);
      const left = Int16Array.from(a.slice(0, n));
      const right = Int16Array.from(b.slice(0, n));
      const both = interleave([left, right]);
      assert.deepEqual(channelOf(both, 2, 0), left);
      assert.deepEqual(channelOf(both, 2, 1), right);
    }),
  );
});

test('snr: exact figures for known errors', () => {
  const ref = Float64Array.from({ length: 4000 }, (_, i) => 1000 * Math.sin(i * 0.3));
  assert.deepEqual(snr(ref, ref), { snrDb: Infinity, delay: 0, compared: 4000 - 1024 });
  // An error of 1% of the signal is 40 dB down; 10% is 20 dB down.
  const off1 = ref.map((v) => v * 1.01);
  assert.ok(Math.abs(snr(ref, off1, { maxDelay: 10 }).snrDb - 40) < 1e-9);
  const off10 = ref.map((v) => v * 0.9);
  assert.ok(Math.abs(snr(ref, off10, { maxDelay: 10 }).snrDb - 20) < 1e-9);
});

test('snr: finds the delay of a broadband signal either way round', () => {
  let seed = 3;
  const ref = Float64Array.from({ length: 3000 }, () => {
    seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff;
    return (seed % 2000) - 1000;
  });
  const delayed = new Float64Array(3200);
  delayed.set(ref, 73);
  const r = snr(ref, delayed, { maxDelay: 150 });
  assert.equal(r.delay, 73);
  assert.ok(r.snrDb > 200 || r.snrDb === Infinity);
  // Leading by 20 samples needs a negative minimum delay.
  const leading = ref.subarray(20);
  assert.equal(snr(ref, leading, { minDelay: -40, maxDelay: 40 }).delay, -20);
  // Skipping the start leaves the delay estimate alone and shortens the comparison.
  const skipped = snr(ref, delayed, { maxDelay: 150, skip: 500 });
  assert.equal(skipped.delay, 73);
  assert.equal(skipped.compared, r.compared - 500);
  assert.ok(Number.isNaN(snr(ref.subarray(0, 10), ref.subarray(0, 10), { maxDelay: 20 }).snrDb));
});

test('estimateFrequency: tones to within 0.1 Hz, also with noise and DC offset', () => {
  for (const [f, rate] of [
    [1000, 16000],
    [997, 44100],
    [3150.5, 48000],
    [60, 8000],
  ] as const) {
    const t = tone({ frequency: f, sampleRate: rate, samples: rate / 2, amplitude: 0.3 });
    assert.ok(Math.abs(estimateFrequency(t, rate) - f) < 0.1, `${f} Hz -> ${estimateFrequency(t, rate)}`);
  }
  let seed = 9;
  const noisy = tone({ frequency: 1000, sampleRate: 16000, samples: 16000 }).map((v) => {
    seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff;
    return v + 500 + ((seed % 200) - 100);
  });
  assert.ok(Math.abs(estimateFrequency(noisy, 16000) - 1000) < 1);
  assert.ok(Number.isNaN(estimateFrequency(new Int16Array(100), 16000)));
});

test('goertzelAmplitude: the amplitude at one frequency, ignoring others', () => {
  const a = tone({ frequency: 1000, sampleRate: 16000, samples: 1600, amplitude: 0.5 });
  assert.ok(Math.abs(goertzelAmplitude(a, 16000, 1000) - 16384) < 20);
  assert.ok(goertzelAmplitude(a, 16000, 2000) < 20);
  const mixed = a.map((v, i) => v + Math.round(4000 * Math.sin((2 * Math.PI * 3000 * i) / 16000)));
  assert.ok(Math.abs(goertzelAmplitude(mixed, 16000, 1000) - 16384) < 20);
  assert.ok(Math.abs(goertzelAmplitude(mixed, 16000, 3000) - 4000) < 20);
  assert.equal(goertzelAmplitude(new Int16Array(0), 16000, 1000), 0);
});

test('rms of a sine is its amplitude over root two', () => {
  const a = tone({ frequency: 1000, sampleRate: 16000, samples: 1600, amplitude: 0.5 });
  assert.ok(Math.abs(rms(a) - 16383.5 / Math.SQRT2) < 2);
  assert.equal(rms([]), 0);
});
