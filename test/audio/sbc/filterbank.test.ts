import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SbcAnalysis, SbcSynthesis } from '../../../src/audio/sbc';
import { WINDOW_4, WINDOW_8 } from '../../../src/audio/sbc/constants';
import { snr } from '../../../src/audio/pcm';

test('windows rebuilt from their first half match the tabulated second half', () => {
  // Values from the specification's Proto_8_80 / Proto_4_40 tables, indexes past the middle.
  const spot8: [number, number][] = [
    [41, 1.45389847e-1],
    [47, 8.29847578e-2],
    [48, -6.79989431e-2],
    [55, 8.8575754e-3],
    [63, 8.02941163e-3],
    [64, -5.65949473e-3],
    [67, -1.78805361e-4],
    [79, 1.56575398e-4],
  ];
  for (const [i, v] of spot8) assert.equal(WINDOW_8[i], v, `C8[${i}]`);
  const spot4: [number, number][] = [
    [21, 2.81828203e-1],
    [24, -1.35593274e-1],
    [27, 6.13245186e-3],
    [32, -1.0913762e-2],
    [33, -3.06012286e-3],
    [39, 5.36548976e-4],
  ];
  for (const [i, v] of spot4) assert.equal(WINDOW_4[i], v, `C4[${i}]`);
  assert.equal(WINDOW_8.length, 80);
  assert.equal(WINDOW_4.length, 40);
});

function roundTrip(m: 4 | 8, input: Int16Array): Float64Array {
  const analysis = new SbcAnalysis(m);
  const synthesis = new SbcSynthesis(m);
  const band = new Float64Array(m);
  const out = new Float64Array(input.length);
  for (let b = 0; b + m <= input.length; b += m) {
    analysis.processBlock(input, b, 1, band, 0);
    synthesis.processBlock(band, 0, out, b, 1);
  }
  return out;
}

for (const m of [4, 8] as const) {
  const delay = 9 * m + 1;

  test(`${m} subbands: an impulse comes back once, ${delay} samples later, at unity gain`, () => {
    const input = new Int16Array(30 * m);
    input[5] = 10000;
    const out = roundTrip(m, input);
    let peak = 0;
    for (let i = 0; i < out.length; i++) if (Math.abs(out[i] ?? 0) > Math.abs(out[peak] ?? 0)) peak = i;
    assert.equal(peak, 5 + delay);
    assert.ok(Math.abs((out[peak] ?? 0) - 10000) < 5, `peak ${out[peak]}`);
    // Everything else is the near-perfect-reconstruction residue, far below the impulse.
    for (let i = 0; i < out.length; i++) if (i !== peak) assert.ok(Math.abs(out[i] ?? 0) < 10, `out[${i}] = ${out[i]}`);
  });

  test(`${m} subbands: analysis then synthesis reproduces noise (measured ~64-66 dB)`, () => {
    let x = 12345;
    const input = new Int16Array(4000).map(() => {
      x = (Math.imul(x, 1103515245) + 12345) & 0x7fffffff;
      return (x % 20000) - 10000;
    });
    const result = snr(input, roundTrip(m, input), { maxDelay: 100 });
    assert.equal(result.delay, delay);
    assert.ok(result.snrDb > 60, `SNR ${result.snrDb.toFixed(1)} dB`);
  });

  test(`${m} subbands: a tone at a band centre lands in that band (neighbours < -55 dB)`, () => {
    for (let k = 0; k < m; k++) {
      const analysis = new SbcAnalysis(m);
      const f = (k + 0.5) / (2 * m); // cycles per sample
      const energy = new Float64Array(m);
      const band = new Float64Array(m);
      const block = new Float64Array(m);
      for (let b = 0; b < 120; b++) {
        for (let j = 0; j < m; j++) block[j] = 10000 * Math.sin(2 * Math.PI * f * (b * m + j));
        analysis.processBlock(block, 0, 1, band, 0);
        if (b >= 20) for (let i = 0; i < m; i++) energy[i] = (energy[i] ?? 0) + (band[i] ?? 0) ** 2;
      }
      const total = energy.reduce((a, v) => a + v, 0);
      for (let i = 0; i < m; i++) {
        const db = 10 * Math.log10((energy[i] ?? 0) / total);
        if (i === k) assert.ok(db > -0.01, `band ${k} holds ${db.toFixed(2)} dB`);
        else assert.ok(db < -55, `tone in band ${k} leaks ${db.toFixed(1)} dB into band ${i}`);
      }
    }
  });
}
