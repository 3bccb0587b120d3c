import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  Allocation,
  ChannelMode,
  MSBC,
  MsbcDecoder,
  MsbcEncoder,
  SbcDecoder,
  SbcEncoder,
  SbcEncoderOptions,
  SbcError,
} from '../../../src/audio/sbc';
import { channelOf, snr, tone } from '../../../src/audio/pcm';

/** Encodes all of `pcm` (flushing the tail) and decodes it again. */
function roundTrip(encoder: SbcEncoder, decoder: SbcDecoder, pcm: Int16Array): Int16Array {
  const frames = [...encoder.encode(pcm), ...encoder.flush()];
  return decoder.decodeStream(Buffer.concat(frames));
}

/** Four tones and some white noise: broadband, so every subband competes for bits. */
function speechLike(sampleRate: number, samples: number, channels: number): Int16Array {
  let seed = 1;
  const noise = (): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff;
    return seed / 0x7fffffff - 0.5;
  };
  const out = new Int16Array(samples * channels);
  const partials = [
    [220, 3000],
    [700, 2500],
    [1900, 2000],
    [3100, 1200],
  ];
  for (let i = 0; i < samples; i++) {
    for (let ch = 0; ch < channels; ch++) {
      let v = 0;
      for (const [f = 0, a = 0] of partials) v += a * Math.sin((2 * Math.PI * (f + ch * 37) * i) / sampleRate);
      out[i * channels + ch] = Math.round(v + 800 * noise());
    }
  }
  return out;
}

const ALIGN = { maxDelay: 200, skip: 240 };

// `sbcenc -m` (libsbc) output for 960 samples of tone(1 kHz, 0.4) + tone(3.3 kHz, 0.15) at 16 kHz.
const LIBSBC_MSBC_TWO_TONES = [
  'ad000074cdac99887deef55f7bbd58a0ef55d74bd4f68ad0493ddc6baeae5513ca55b6ef85513b295b6f0b5513be15b6ec85513cb95b6ed754',
  'ad00001abd8c00001079277b60e461078b67b60699107b74bb601cf107a46bb60c5b107850fb60a9e107ab87b60138107b297b608e510786b0',
  'ad00001abd8c0000ed836bc41e664ed80c8c41ee3bed8138041e49ded8391841e2d9ed81a6441edd2ed8073c41e91aed8316c41e143ed82a78',
  'ad00001abd8c0000107ab87b60138107b297b608e510786b3b60daf1079993b60323107b8efb604e01079277b60e461078b67b60699107b748',
  'ad00001abd8c0000ed8073c41e91aed8316c41e143ed82a7841eae1ed804e041eca5ed8239441e1aced836bc41e664ed80c8c41ee3bed81380',
  'ad00001abd8c00001079277b60e461078b67b60699107b74bb601cf107a46bb60c5b107850fb60a9e107ab87b60138107b297b608e510786b0',
  'ad00001abd8c0000ed836bc41e664ed80c8c41ee3bed8138041e49ded8391841e2d9ed81a6441edd2ed8073c41e91aed8316c41e143ed82a78',
  'ad00001abd8c0000107ab87b60138107b297b608e510786b3b60daf1079993b60323107b8efb604e01079277b60e461078b67b60699107b748',
];

function twoTones(): Int16Array {
  const a = tone({ frequency: 1000, sampleRate: 16000, samples: 960, amplitude: 0.4 });
  const b = tone({ frequency: 3300, sampleRate: 16000, samples: 960, amplitude: 0.15 });
  return a.map((v, i) => v + (b[i] ?? 0));
}

test('libsbc mSBC frames (stored) decode to the signal they were made from (measured 43.9 dB; bound 40 dB)', () => {
  const stream = Buffer.from(LIBSBC_MSBC_TWO_TONES.join(''), 'hex');
  const pcm = new MsbcDecoder().decodeStream(stream);
  assert.equal(pcm.length, 960);
  const r = snr(twoTones(), pcm, { maxDelay: 200, skip: 120 });
  assert.ok(r.snrDb > 40, `${r.snrDb.toFixed(1)} dB`);
});

test('our mSBC encoder writes the very bytes libsbc wrote for the same input', () => {
  // Not guaranteed for every input (libsbc computes in fixed point, we in floating point,
  // so a sample sitting on a quantizer step may round differently), but exact here: same
  // filterbank, scale factors, bit allocation and quantizer.
  const ours = new MsbcEncoder().encode(twoTones()).map((f) => Buffer.from(f).toString('hex'));
  assert.deepEqual(ours, LIBSBC_MSBC_TWO_TONES);
});

test('mSBC: tones survive encode -> decode (measured 61.4 / 66.2 / 54.3 / 63.4 dB; bound 50 dB)', () => {
  for (const frequency of [300, 1000, 3000, 6000]) {
    const pcm = tone({ frequency, sampleRate: 16000, samples: 8000 });
    const result = snr(pcm, roundTrip(new MsbcEncoder(), new MsbcDecoder(), pcm), ALIGN);
    assert.ok(result.snrDb > 50, `${frequency} Hz: ${result.snrDb.toFixed(1)} dB`);
  }
});

test('mSBC: a broadband signal keeps libsbc-level fidelity (measured 24.6 dB, libsbc 24.6; bound 22 dB)', () => {
  const pcm = speechLike(16000, 8000, 1);
  const result = snr(pcm, roundTrip(new MsbcEncoder(), new MsbcDecoder(), pcm), ALIGN);
  assert.equal(result.delay, 73);
  assert.ok(result.snrDb > 22, `${result.snrDb.toFixed(1)} dB`);
});

const HIFI: [string, SbcEncoderOptions, number, number][] = [
  // name, options, tone bound, broadband bound (measured figures in the test names)
  [
    '44.1 kHz joint stereo bitpool 53 (tones 65.2-67.7 dB, broadband 29.1 dB)',
    { sampleRate: 44100, channelMode: ChannelMode.JointStereo, blocks: 16, subbands: 8, allocation: Allocation.Loudness, bitpool: 53 },
    60,
    27,
  ],
  [
    '48 kHz stereo bitpool 53 (tones 53.1-67.2 dB, broadband 29.0 dB)',
    { sampleRate: 48000, channelMode: ChannelMode.Stereo, blocks: 16, subbands: 8, allocation: Allocation.Loudness, bitpool: 53 },
    48,
    27,
  ],
  [
    '48 kHz dual channel, 4 subbands, SNR allocation, bitpool 32 (tones 61.6-63.4 dB, broadband 58.4 dB)',
    { sampleRate: 48000, channelMode: ChannelMode.DualChannel, blocks: 8, subbands: 4, allocation: Allocation.Snr, bitpool: 32 },
    58,
    54,
  ],
  [
    '32 kHz mono, 12 blocks, bitpool 31 (tones 57.7-71.0 dB, broadband 32.6 dB)',
    { sampleRate: 32000, channelMode: ChannelMode.Mono, blocks: 12, subbands: 8, allocation: Allocation.Loudness, bitpool: 31 },
    53,
    30,
  ],
];

for (const [name, options, toneBound, broadbandBound] of HIFI) {
  test(`SBC ${name}`, () => {
    const channels = options.channelMode === ChannelMode.Mono ? 1 : 2;
    const check = (pcm: Int16Array, bound: number, what: string): void => {
      const out = roundTrip(new SbcEncoder(options), new SbcDecoder(), pcm);
      for (let ch = 0; ch < channels; ch++) {
        const r = snr(channelOf(pcm, channels, ch), channelOf(out, channels, ch), ALIGN);
        assert.ok(r.snrDb > bound, `${what}, channel ${ch}: ${r.snrDb.toFixed(1)} dB`);
      }
    };
    for (const frequency of [100, 1000, 5000, 12000]) {
      const pcm = tone({ frequency, sampleRate: options.sampleRate, samples: options.sampleRate / 4, channels });
      // Different levels per channel, so stereo and joint coding see unequal channels.
      for (let i = 1; i < pcm.length && channels === 2; i += 2) pcm[i] = Math.round((pcm[i] ?? 0) * 0.4);
      check(pcm, toneBound, `${frequency} Hz`);
    }
    check(speechLike(options.sampleRate, options.sampleRate / 4, channels), broadbandBound, 'broadband');
  });
}

test('joint stereo codes a centred source as mid/side and spends the bits on it', () => {
  const base = { sampleRate: 44100, blocks: 16, subbands: 8, allocation: Allocation.Loudness, bitpool: 35 } as const;
  const pcm = tone({ frequency: 2500, sampleRate: 44100, samples: 4096, channels: 2, amplitude: 0.7 });
  const joint = snr(channelOf(pcm, 2, 0), channelOf(roundTrip(new SbcEncoder({ ...base, channelMode: ChannelMode.JointStereo }), new SbcDecoder(), pcm), 2, 0), ALIGN);
  const plain = snr(channelOf(pcm, 2, 0), channelOf(roundTrip(new SbcEncoder({ ...base, channelMode: ChannelMode.Stereo }), new SbcDecoder(), pcm), 2, 0), ALIGN);
  // Identical channels leave the side signal silent, so joint stereo gets nearly all bits for mid.
  assert.ok(joint.snrDb > plain.snrDb + 3, `joint ${joint.snrDb.toFixed(1)} dB vs stereo ${plain.snrDb.toFixed(1)} dB`);
});

test('streaming: any split of the input gives the same frames; at most one frame is held back', () => {
  const pcm = tone({ frequency: 440, sampleRate: 44100, samples: 128 * 9 + 50, channels: 2 });
  const options: SbcEncoderOptions = { sampleRate: 44100, channelMode: ChannelMode.JointStereo, blocks: 16, subbands: 8, allocation: 0, bitpool: 40 };
  const whole = new SbcEncoder(options);
  const expected = [...whole.encode(pcm), ...whole.flush()].map((f) => Buffer.from(f).toString('hex'));
  assert.equal(expected.length, 10);
  fc.assert(
    fc.property(fc.array(fc.nat({ max: 700 }), { maxLength: 12 }), (cuts) => {
      const enc = new SbcEncoder(options);
      const points = [...new Set(cuts.map((c) => c % pcm.length))].sort((a, b) => a - b);
      const got: string[] = [];
      let prev = 0;
      for (const p of [...points, pcm.length]) {
        for (const f of enc.encode(pcm.subarray(prev, p))) got.push(Buffer.from(f).toString('hex'));
        assert.ok(enc.bufferedSamples < 128 * 2);
        prev = p;
      }
      for (const f of enc.flush()) got.push(Buffer.from(f).toString('hex'));
      assert.deepEqual(got, expected);
      assert.equal(enc.bufferedSamples, 0);
    }),
    { numRuns: 100 },
  );
});

test('property: random PCM never breaks the encoder, and decoding gives back the same length', () => {
  const arb = fc.record({
    options: fc.record({
      sampleRate: fc.constantFrom(16000, 32000, 44100, 48000),
      channelMode: fc.integer({ min: 0, max: 3 }),
      blocks: fc.constantFrom(4, 8, 12, 16),
      subbands: fc.constantFrom(4, 8),
      allocation: fc.integer({ min: 0, max: 1 }),
      poolFraction: fc.double({ min: 0, max: 1, noNaN: true }),
      msbc: fc.boolean(),
    }),
    pcm: fc.array(fc.integer({ min: -32768, max: 32767 }), { maxLength: 2000 }),
  });
  fc.assert(
    fc.property(arb, ({ options: o, pcm }) => {
      const max = Math.min(255, (o.channelMode >= 2 ? 32 : 16) * o.subbands);
      const encoder = o.msbc
        ? new MsbcEncoder()
        : new SbcEncoder({ ...o, bitpool: 2 + Math.floor(o.poolFraction * (max - 2)) });
      const input = Int16Array.from(pcm);
      const frames = [...encoder.encode(input), ...encoder.flush()];
      const perFrame = encoder.samplesPerFrame * encoder.channels;
      assert.equal(frames.length, Math.ceil(input.length / perFrame));
      for (const f of frames) assert.equal(f.length, encoder.frameLength);
      const decoder = new SbcDecoder({ accept: 'any' });
      let total = 0;
      for (const f of frames) total += decoder.decode(f).length;
      assert.equal(total, frames.length * perFrame);
    }),
    { numRuns: 200 },
  );
});

test('full-scale square waves clip cleanly instead of wrapping around', () => {
  const pcm = new Int16Array(MSBC.samplesPerFrame * 20).map((_, i) => (Math.floor(i / 20) % 2 ? 32767 : -32768));
  const out = roundTrip(new MsbcEncoder(), new MsbcDecoder(), pcm);
  const r = snr(pcm, out, ALIGN);
  assert.ok(r.snrDb > 15, `${r.snrDb.toFixed(1)} dB`);
});

test('encoder settings SBC cannot express are refused with typed errors', () => {
  const ok: SbcEncoderOptions = { sampleRate: 48000, channelMode: 0, blocks: 16, subbands: 8, allocation: 0, bitpool: 32 };
  const code = (o: SbcEncoderOptions): string | undefined => {
    try {
      new SbcEncoder(o);
      return undefined;
    } catch (err) {
      assert.ok(err instanceof SbcError);
      return err.code;
    }
  };
  assert.equal(code(ok), undefined);
  assert.equal(code({ ...ok, sampleRate: 22050 }), 'sbc.bad-config');
  assert.equal(code({ ...ok, blocks: 15 }), 'sbc.bad-config');
  assert.equal(code({ ...ok, subbands: 6 }), 'sbc.bad-config');
  assert.equal(code({ ...ok, channelMode: 4 }), 'sbc.bad-config');
  assert.equal(code({ ...ok, allocation: 2 }), 'sbc.bad-config');
  assert.equal(code({ ...ok, bitpool: 129 }), 'sbc.bad-bitpool');
  assert.equal(code({ ...ok, bitpool: 1 }), 'sbc.bad-bitpool');
  assert.equal(code({ ...ok, channelMode: ChannelMode.JointStereo, bitpool: 255 }), undefined);
  // 32 * 8 = 256 bits would fit the subbands but not the 8-bit header field.
  assert.equal(code({ ...ok, channelMode: ChannelMode.Stereo, bitpool: 256 }), 'sbc.bad-bitpool');
  assert.equal(code({ ...ok, msbc: true }), 'sbc.bad-config');
  assert.equal(new MsbcEncoder().frameLength, 57);
});
