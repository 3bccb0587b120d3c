import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Allocation, ChannelMode, SbcError, allocateBits } from '../../../src/audio/sbc';

test('loudness, mono, 4 subbands at 16 kHz: worked example', () => {
  // Scale factors 12,0,0,0. Offsets at 16 kHz are -1,0,0,0, so bit needs are
  // trunc((12 + 1) / 2) = 6 and -5 for the silent bands. Lowering the slice from 6
  // costs 0, 2, 1, 1, 1, 1, 1 -> 8 bits exactly at slice -1, which is taken (slice
  // becomes -2): band 0 gets 6 - (-2) = 8 bits, the rest nothing.
  const bits = allocateBits(
    { sampleRate: 16000, channelMode: ChannelMode.Mono, allocation: Allocation.Loudness, subbands: 4, bitpool: 8 },
    Uint8Array.of(12, 0, 0, 0),
  );
  assert.deepEqual([...bits], [8, 0, 0, 0]);
});

test('SNR, mono: slice stops short, then the first refinement pass adds single bits', () => {
  // Needs 5,3,1,0. Costs per slice step: 0, 2, 1, 3, 2 -> 8 used at slice 0 (next
  // step would cost 4 > 2 left). Bits 5,3,0,0; then +1 to band 0 and band 1.
  const bits = allocateBits(
    { sampleRate: 44100, channelMode: ChannelMode.Mono, allocation: Allocation.Snr, subbands: 4, bitpool: 10 },
    Uint8Array.of(5, 3, 1, 0),
  );
  assert.deepEqual([...bits], [6, 4, 0, 0]);
});

test('SNR, stereo: one pool for both channels, refinement alternates channels', () => {
  const params = { sampleRate: 32000, channelMode: ChannelMode.Stereo, allocation: Allocation.Snr, subbands: 4 };
  // ch0 needs 4,2,0,0; ch1 needs 3,0,0,0.
  const sf = Uint8Array.of(4, 2, 0, 0, 3, 0, 0, 0);
  // Bitpool 12 is used up exactly at slice 0 (costs 0, 2, 3, 4, 3), slice -> -1.
  assert.deepEqual([...allocateBits({ ...params, bitpool: 12 }, sf)], [5, 3, 0, 0, 4, 0, 0, 0]);
  // Two more bits go to (ch0, sb0) then (ch1, sb0), not to ch0's next band.
  assert.deepEqual([...allocateBits({ ...params, bitpool: 14 }, sf)], [6, 3, 0, 0, 5, 0, 0, 0]);
  // With 16, a band whose need sits just at the slice would take 2 bits but only one is
  // left after (ch0,sb1); the second pass gives it to (ch0, sb0) instead.
  assert.deepEqual([...allocateBits({ ...params, bitpool: 16 }, sf)], [7, 4, 0, 0, 5, 0, 0, 0]);
  // With 17 there is room: (ch1, sb1) jumps from 0 to 2 bits.
  assert.deepEqual([...allocateBits({ ...params, bitpool: 17 }, sf)], [6, 4, 0, 0, 5, 2, 0, 0]);
});

test('dual channel allocates each channel from its own bitpool', () => {
  const sf = Uint8Array.of(9, 7, 3, 1, 2, 2, 2, 2);
  const dual = allocateBits(
    { sampleRate: 48000, channelMode: ChannelMode.DualChannel, allocation: Allocation.Loudness, subbands: 4, bitpool: 20 },
    sf,
  );
  const left = allocateBits(
    { sampleRate: 48000, channelMode: ChannelMode.Mono, allocation: Allocation.Loudness, subbands: 4, bitpool: 20 },
    sf.subarray(0, 4),
  );
  const right = allocateBits(
    { sampleRate: 48000, channelMode: ChannelMode.Mono, allocation: Allocation.Loudness, subbands: 4, bitpool: 20 },
    sf.subarray(4),
  );
  assert.deepEqual([...dual], [...left, ...right]);
  assert.equal([...left].reduce((a, b) => a + b, 0), 20);
});

test('a bitpool beyond what the subbands can absorb is refused, not looped on', () => {
  assert.throws(
    () =>
      allocateBits(
        { sampleRate: 16000, channelMode: ChannelMode.Mono, allocation: Allocation.Snr, subbands: 4, bitpool: 65 },
        new Uint8Array(4),
      ),
    (err: unknown) => err instanceof SbcError && err.code === 'sbc.bad-bitpool',
  );
});

test('property: never more than the bitpool, never above 16 bits, at most one bit unused', () => {
  const arb = fc
    .record({
      channelMode: fc.integer({ min: 0, max: 3 }),
      subbands: fc.constantFrom(4, 8),
      allocation: fc.integer({ min: 0, max: 1 }),
      sampleRate: fc.constantFrom(16000, 32000, 44100, 48000),
      poolFraction: fc.double({ min: 0, max: 1, noNaN: true }),
      sf: fc.uint8Array({ minLength: 16, maxLength: 16, max: 15 }),
    })
    .map((r) => {
      const stereo = r.channelMode >= 2;
      const max = (stereo ? 32 : 16) * r.subbands;
      return { ...r, bitpool: 2 + Math.floor(r.poolFraction * (max - 2)) };
    });
  fc.assert(
    fc.property(arb, (r) => {
      const channels = r.channelMode === 0 ? 1 : 2;
      const sf = r.sf.subarray(0, channels * r.subbands);
      const bits = allocateBits(r, sf);
      const pools = r.channelMode >= 2 ? [[...bits]] : [...Array(channels).keys()].map((c) => [...bits.subarray(c * r.subbands, (c + 1) * r.subbands)]);
      for (const pool of pools) {
        const used = pool.reduce((a, b) => a + b, 0);
        assert.ok(used <= r.bitpool, `used ${used} > bitpool ${r.bitpool}`);
        assert.ok(pool.every((b) => b <= 16));
        assert.ok(used >= r.bitpool - 1 || pool.every((b) => b === 16), `used ${used} of ${r.bitpool}`);
      }
    }),
    { numRuns: 1000 },
  );
});
