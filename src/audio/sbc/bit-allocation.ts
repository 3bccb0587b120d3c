/**
 * SBC bit allocation: from the scale factors and the bitpool, how many bits
 * each subband sample of each channel gets. Encoder and decoder must run the
 * same procedure (A2DP appendix B) to agree on the bit layout.
 *
 * Mono and dual channel allocate each channel from its own bitpool; stereo
 * and joint stereo share one bitpool between both channels.
 */
import { Allocation, ChannelMode, LOUDNESS_OFFSET_4, LOUDNESS_OFFSET_8, SAMPLE_RATES } from './constants';
import { SbcError, SbcErrorCode } from './errors';
import { channelCount } from './header';

/** The header fields that bit allocation depends on. */
export interface AllocationParams {
  sampleRate: number;
  channelMode: number;
  allocation: number;
  subbands: number;
  bitpool: number;
}

/** No subband ever gets more than this many bits per sample. */
export const MAX_BITS_PER_SAMPLE = 16;

/**
 * Bits per sample for every channel and subband, index `ch * subbands + sb`.
 * `scaleFactors` uses the same index. Throws `sbc.bad-bitpool` when the
 * bitpool exceeds what the subbands can absorb (the procedure would not end).
 */
export function allocateBits(p: AllocationParams, scaleFactors: Uint8Array, out?: Uint8Array): Uint8Array {
  const channels = channelCount(p.channelMode);
  const n = p.subbands;
  const bits = out ?? new Uint8Array(channels * n);
  bits.fill(0);
  // Each pool can absorb at most 16 bits per entry; a larger bitpool would never be used up.
  const absorbable = (p.channelMode === ChannelMode.Stereo || p.channelMode === ChannelMode.JointStereo ? 32 : 16) * n;
  if (p.bitpool > absorbable || p.bitpool < 0) {
    throw new SbcError(SbcErrorCode.BadBitpool, `bitpool ${p.bitpool} exceeds ${absorbable}`);
  }
  const need = bitNeed(p, scaleFactors, channels);
  if (p.channelMode === ChannelMode.Stereo || p.channelMode === ChannelMode.JointStereo) {
    // One pool for both channels; the refinement passes visit (ch0, sb), (ch1, sb), then sb + 1.
    distribute(need, bits, 0, 2 * n, n, p.bitpool);
  } else {
    for (let ch = 0; ch < channels; ch++) distribute(need, bits, ch * n, n, 0, p.bitpool);
  }
  return bits;
}

/** The per-subband bit need: the scale factor (SNR) or a loudness-weighted value. */
function bitNeed(p: AllocationParams, scaleFactors: Uint8Array, channels: number): Int32Array {
  const n = p.subbands;
  const need = new Int32Array(channels * n);
  const fsCode = Math.max(0, SAMPLE_RATES.indexOf(p.sampleRate));
  const offsets = (n === 4 ? LOUDNESS_OFFSET_4 : LOUDNESS_OFFSET_8)[fsCode] ?? [];
  for (let ch = 0; ch < channels; ch++) {
    for (let sb = 0; sb < n; sb++) {
      const sf = scaleFactors[ch * n + sb] ?? 0;
      let value: number;
      if (p.allocation === Allocation.Snr) {
        value = sf;
      } else if (sf === 0) {
        value = -5;
      } else {
        const loudness = sf - (offsets[sb] ?? 0);
        // Positive loudness counts half (rounded toward zero); negative counts fully.
        value = loudness > 0 ? Math.trunc(loudness / 2) : loudness;
      }
      need[ch * n + sb] = value;
    }
  }
  return need;
}

/**
 * The array index of the k-th entry a pool visits: `base + k` for a pool of
 * one channel; for a two-channel pool (`interleave` = subbands), channel
 * k mod 2 of subband k / 2.
 */
function entry(base: number, interleave: number, k: number): number {
  return interleave === 0 ? base + k : (k & 1) * interleave + (k >> 1);
}

/**
 * Shares `bitpool` bits among `count` entries (visited as `entry` says):
 * lower a water line ("bit slice") through the bit needs until the pool is
 * nearly used, give each entry its need above the line (at least 2 bits, at
 * most 16), then hand out what is left one bit at a time in visiting order.
 */
function distribute(need: Int32Array, bits: Uint8Array, base: number, count: number, interleave: number, bitpool: number): void {
  let maxNeed = 0;
  for (let k = 0; k < count; k++) maxNeed = Math.max(maxNeed, need[entry(base, interleave, k)] ?? 0);

  // Lower the slice while the bits it would cost still fit the pool. `sliceCost` is
  // what moving the slice one step lower would add: 2 for an entry that goes from 0
  // to 2 bits, 1 for an entry that grows by one, 0 for an entry already at 16.
  let slice = maxNeed + 1;
  let used = 0;
  let sliceCost = 0;
  do {
    slice--;
    used += sliceCost;
    sliceCost = 0;
    for (let k = 0; k < count; k++) {
      const v = need[entry(base, interleave, k)] ?? 0;
      if (v > slice + 1 && v < slice + 16) sliceCost += 1;
      else if (v === slice + 1) sliceCost += 2;
    }
  } while (used + sliceCost < bitpool);
  if (used + sliceCost === bitpool) {
    used += sliceCost;
    slice--;
  }

  for (let k = 0; k < count; k++) {
    const i = entry(base, interleave, k);
    const v = need[i] ?? 0;
    bits[i] = v < slice + 2 ? 0 : Math.min(v - slice, MAX_BITS_PER_SAMPLE);
  }

  // First pass: one more bit to entries already coded, or 2 bits to entries just below the slice.
  for (let k = 0; k < count && used < bitpool; k++) {
    const i = entry(base, interleave, k);
    const b = bits[i] ?? 0;
    if (b >= 2 && b < MAX_BITS_PER_SAMPLE) {
      bits[i] = b + 1;
      used++;
    } else if ((need[i] ?? 0) === slice + 1 && bitpool > used + 1) {
      bits[i] = 2;
      used += 2;
    }
  }
  // Second pass: any entry below 16 bits takes one more while bits remain.
  for (let k = 0; k < count && used < bitpool; k++) {
    const i = entry(base, interleave, k);
    const b = bits[i] ?? 0;
    if (b < MAX_BITS_PER_SAMPLE) {
      bits[i] = b + 1;
      used++;
    }
  }
}
