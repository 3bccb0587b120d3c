import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ChannelMode, MsbcDecoder, MsbcEncoder, SbcFrame, emptyFrame, msbcHeader, packFrame, unpackFrame } from '../../../src/audio/sbc';

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));

// Frames written by Debian's sbcenc (libsbc), paired with their contents parsed by hand.
const fixtures = [
  {
    what: 'sbcenc -s 4 -B 4 -b 8, 16 kHz mono',
    bytes: '9c 00 08 47 | c0 00 | 40 0a 0a 3f',
    header: { msbc: false, sampleRate: 16000, blocks: 4, channelMode: ChannelMode.Mono, allocation: 0, subbands: 4, bitpool: 8, reserved: 0 },
    join: [0, 0, 0, 0],
    scaleFactors: [12, 0, 0, 0],
    // Band 0 has all 8 bits of each block (see the bit allocation test): 0x40, 0x0a, 0x0a, 0x3f.
    bits: [8, 0, 0, 0],
    samples: [64, 0, 0, 0, 10, 0, 0, 0, 10, 0, 0, 0, 63, 0, 0, 0],
  },
  {
    what: 'sbcenc -s 4 -B 4 -b 10 -j, 32 kHz joint stereo, no band joined',
    // After the CRC: join 0000, scale factors c 0 0 0 | b 0 0 0, then per block a 6-bit
    // and a 4-bit sample: 000010 0010 | 000110 0111 | 001110 0101 | 011000 0001, pad 0000.
    bytes: '9c 4c 0a 1e | 0c 00 0b 00 0 | 0 88 67 39 58 10',
    header: { msbc: false, sampleRate: 32000, blocks: 4, channelMode: ChannelMode.JointStereo, allocation: 0, subbands: 4, bitpool: 10, reserved: 0 },
    join: [0, 0, 0, 0],
    scaleFactors: [12, 0, 0, 0, 11, 0, 0, 0],
    bits: [6, 0, 0, 0, 4, 0, 0, 0],
    samples: [2, 0, 0, 0, 2, 0, 0, 0, 6, 0, 0, 0, 7, 0, 0, 0, 14, 0, 0, 0, 5, 0, 0, 0, 24, 0, 0, 0, 1, 0, 0, 0],
  },
  {
    what: 'the next frame of the same stream, band 0 coded as mid/side',
    bytes: '9c 4c 0a dd | 8c 00 0a 00 0 | 7 36 9a d5 f8 a0',
    header: { msbc: false, sampleRate: 32000, blocks: 4, channelMode: ChannelMode.JointStereo, allocation: 0, subbands: 4, bitpool: 10, reserved: 0 },
    join: [1, 0, 0, 0],
    scaleFactors: [12, 0, 0, 0, 10, 0, 0, 0],
    bits: [6, 0, 0, 0, 4, 0, 0, 0],
    samples: [28, 0, 0, 0, 13, 0, 0, 0, 41, 0, 0, 0, 10, 0, 0, 0, 53, 0, 0, 0, 7, 0, 0, 0, 56, 0, 0, 0, 10, 0, 0, 0],
  },
];

for (const f of fixtures) {
  test(`unpack and repack: ${f.what}`, () => {
    const bytes = hex(f.bytes.replace(/\|/g, ''));
    const { frame, bits, length } = unpackFrame(bytes);
    assert.equal(length, bytes.length);
    assert.deepEqual(frame.header, f.header);
    assert.deepEqual([...frame.join], f.join);
    assert.deepEqual([...frame.scaleFactors], f.scaleFactors);
    assert.deepEqual([...bits], f.bits);
    assert.deepEqual([...frame.samples], f.samples);
    assert.deepEqual(packFrame(frame), bytes);
  });
}

// The mSBC frame for digital silence, as both sbcenc -m and our encoder write it: scale
// factors all 0, every band at the mid-level code that reconstructs to exactly 0.
const MSBC_SILENCE =
  'ad0000c5 00000000 776db6dddb6db776db6dddb6db776db6dddb6db776db6dddb6db776db6dddb6db776db6dddb6db776db6dddb6db776db6c';

test('mSBC silence: our encoder writes the same frame as libsbc, and it decodes to zeros', () => {
  const frames = new MsbcEncoder().encode(new Int16Array(240));
  assert.equal(frames.length, 2);
  for (const frame of frames) assert.deepEqual(frame, hex(MSBC_SILENCE));
  const { frame } = unpackFrame(hex(MSBC_SILENCE));
  assert.deepEqual(frame.header, msbcHeader());
  assert.deepEqual([...frame.scaleFactors], [0, 0, 0, 0, 0, 0, 0, 0]);
  const pcm = new MsbcDecoder().decode(hex(MSBC_SILENCE));
  assert.equal(pcm.length, 120);
  assert.ok(pcm.every((v) => v === 0));
});

test('property: any frame content packs and unpacks to itself', () => {
  const arb = fc
    .record({
      sampleRate: fc.constantFrom(16000, 32000, 44100, 48000),
      blocks: fc.constantFrom(4, 8, 12, 16),
      channelMode: fc.integer({ min: 0, max: 3 }),
      allocation: fc.integer({ min: 0, max: 1 }),
      subbands: fc.constantFrom(4, 8),
      poolFraction: fc.double({ min: 0, max: 1, noNaN: true }),
      seed: fc.integer(),
      msbc: fc.boolean(),
    })
    .map((r) => {
      const max = Math.min(255, (r.channelMode >= 2 ? 32 : 16) * r.subbands);
      const header = r.msbc
        ? { ...msbcHeader(), reserved: r.seed & 0xffff }
        : {
            msbc: false,
            sampleRate: r.sampleRate,
            blocks: r.blocks,
            channelMode: r.channelMode,
            allocation: r.allocation,
            subbands: r.subbands,
            bitpool: 2 + Math.floor(r.poolFraction * (max - 2)),
            reserved: 0,
          };
      return { header, seed: r.seed };
    });
  fc.assert(
    fc.property(arb, ({ header, seed }) => {
      const frame: SbcFrame = emptyFrame(header);
      let x = seed >>> 0 || 1;
      const rand = (): number => {
        x ^= x << 13;
        x ^= x >>> 17;
        x ^= x << 5;
        return x >>> 0;
      };
      for (let i = 0; i < frame.scaleFactors.length; i++) frame.scaleFactors[i] = rand() & 15;
      if (header.channelMode === ChannelMode.JointStereo) for (let i = 0; i < frame.join.length; i++) frame.join[i] = rand() & 1;
      const first = unpackFrame(packFrame(frame));
      // Samples only keep the bits allocated to them.
      const channels = header.channelMode === ChannelMode.Mono ? 1 : 2;
      for (let i = 0; i < frame.samples.length; i++) {
        const sb = i % header.subbands;
        const ch = Math.floor(i / header.subbands) % channels;
        const width = first.bits[ch * header.subbands + sb] ?? 0;
        frame.samples[i] = width === 0 ? 0 : rand() & ((1 << width) - 1);
      }
      const bytes = packFrame(frame);
      const again = unpackFrame(bytes);
      assert.deepEqual(again.frame.header, header);
      assert.deepEqual(again.frame.join, frame.join);
      assert.deepEqual(again.frame.scaleFactors, frame.scaleFactors);
      assert.deepEqual(again.frame.samples, frame.samples);
      assert.deepEqual(packFrame(again.frame), bytes);
    }),
    { numRuns: 300 },
  );
});
