/**
 * The SBC encoder (and its mSBC preset): 16-bit PCM in, SBC frames out.
 * Streaming: filter history carries over between `encode` calls, and input
 * that does not fill a whole frame waits (at most one frame's worth) for the
 * next call or for `flush`.
 *
 * Per frame: analysis filterbank per channel; a scale factor per channel
 * and subband (the smallest s with every |sample| < 2^(s+1)); in joint
 * stereo, mid/side coding for each subband where it lowers the scale
 * factors; bit allocation; uniform quantization; packing.
 */
import { SbcAnalysis } from './analysis';
import { allocateBits } from './bit-allocation';
import { Allocation, BLOCK_COUNTS, ChannelMode, MSBC, SAMPLE_RATES, SUBBAND_COUNTS } from './constants';
import { SbcError, SbcErrorCode } from './errors';
import { SbcFrame, emptyFrame, packFrame } from './frame';
import { MIN_BITPOOL, SbcFrameHeader, channelCount, frameLength, maxBitpool, msbcHeader } from './header';

export interface SbcEncoderOptions {
  /** 16000, 32000, 44100 or 48000. */
  sampleRate: number;
  /** A `ChannelMode` value. */
  channelMode: number;
  /** 4, 8, 12 or 16. */
  blocks: number;
  /** 4 or 8. */
  subbands: number;
  /** An `Allocation` value. */
  allocation: number;
  /** 2..16 * subbands (mono, dual channel) or 2..32 * subbands (stereo, joint stereo), at most 255. */
  bitpool: number;
  /**
   * Send mSBC frames (sync 0xAD, reserved bytes zero). The other fields must
   * then hold the mSBC values; `MsbcEncoder` fills them in.
   */
  msbc?: boolean;
}

export class SbcEncoder {
  /** The header every frame from this encoder carries. */
  readonly header: Readonly<SbcFrameHeader>;
  readonly channels: number;
  /** PCM samples per channel in one frame (blocks * subbands). */
  readonly samplesPerFrame: number;
  /** Bytes per encoded frame. */
  readonly frameLength: number;

  private readonly analysis: SbcAnalysis[];
  /** Interleaved input waiting for a whole frame; never more than one frame minus one sample. */
  private readonly pending: Int16Array;
  private pendingLength = 0;
  /** Subband samples of the frame being built, index `(blk * channels + ch) * subbands + sb`. */
  private readonly subbandSamples: Float64Array;
  /** The frame being built, reused from frame to frame. */
  private readonly frame: SbcFrame;

  constructor(options: SbcEncoderOptions) {
    this.header = validate(options);
    this.channels = channelCount(this.header.channelMode);
    this.samplesPerFrame = this.header.blocks * this.header.subbands;
    this.frameLength = frameLength(this.header);
    const subbands = this.header.subbands === 4 ? 4 : 8;
    this.analysis = [];
    for (let ch = 0; ch < this.channels; ch++) this.analysis.push(new SbcAnalysis(subbands));
    this.pending = new Int16Array(this.samplesPerFrame * this.channels);
    this.subbandSamples = new Float64Array(this.samplesPerFrame * this.channels);
    this.frame = emptyFrame(this.header);
  }

  /** Interleaved samples held back until a whole frame is available. */
  get bufferedSamples(): number {
    return this.pendingLength;
  }

  /**
   * Encodes interleaved PCM (L R L R ... for two channels). Returns every
   * whole frame the input completes; the remainder waits for the next call.
   * A partial sample group (odd length for two channels) is kept as well.
   */
  encode(pcm: Int16Array): Uint8Array[] {
    const frames: Uint8Array[] = [];
    const frameSamples = this.pending.length;
    let pos = 0;
    if (this.pendingLength > 0) {
      const take = Math.min(frameSamples - this.pendingLength, pcm.length);
      this.pending.set(pcm.subarray(0, take), this.pendingLength);
      this.pendingLength += take;
      pos = take;
      if (this.pendingLength < frameSamples) return frames;
      frames.push(this.encodeFrame(this.pending, 0));
      this.pendingLength = 0;
    }
    while (pcm.length - pos >= frameSamples) {
      frames.push(this.encodeFrame(pcm, pos));
      pos += frameSamples;
    }
    if (pos < pcm.length) {
      this.pending.set(pcm.subarray(pos), 0);
      this.pendingLength = pcm.length - pos;
    }
    return frames;
  }

  /** Pads any held-back input with silence to a whole frame and encodes it. */
  flush(): Uint8Array[] {
    if (this.pendingLength === 0) return [];
    this.pending.fill(0, this.pendingLength);
    this.pendingLength = 0;
    return [this.encodeFrame(this.pending, 0)];
  }

  /** Drops held-back input and filter history, as for a new stream. */
  reset(): void {
    this.pendingLength = 0;
    for (const a of this.analysis) a.reset();
  }

  private encodeFrame(pcm: Int16Array, start: number): Uint8Array {
    const h = this.header;
    const m = h.subbands;
    const channels = this.channels;
    const sbs = this.subbandSamples;
    for (let blk = 0; blk < h.blocks; blk++) {
      const base = start + blk * m * channels;
      for (let ch = 0; ch < channels; ch++) {
        const analysis = this.analysis[ch];
        if (analysis) analysis.processBlock(pcm, base + ch, channels, sbs, (blk * channels + ch) * m);
      }
    }

    const frame = this.frame;
    frame.join.fill(0);
    frame.samples.fill(0);
    for (let ch = 0; ch < channels; ch++) {
      for (let sb = 0; sb < m; sb++) frame.scaleFactors[ch * m + sb] = scaleFactorOf(peak(sbs, ch, sb, h.blocks, channels, m));
    }
    if (h.channelMode === ChannelMode.JointStereo) this.chooseJoint(frame);

    const bits = allocateBits(h, frame.scaleFactors);
    quantize(frame, bits, sbs);
    return packFrame(frame, bits);
  }

  /**
   * For each subband but the last, codes mid = (L + R) / 2 and side = (L - R) / 2
   * instead of L and R when that lowers the sum of the two scale factors.
   */
  private chooseJoint(frame: SbcFrame): void {
    const h = this.header;
    const m = h.subbands;
    const sbs = this.subbandSamples;
    for (let sb = 0; sb < m - 1; sb++) {
      let midPeak = 0;
      let sidePeak = 0;
      for (let blk = 0; blk < h.blocks; blk++) {
        const l = sbs[blk * 2 * m + sb] ?? 0;
        const r = sbs[(blk * 2 + 1) * m + sb] ?? 0;
        midPeak = Math.max(midPeak, Math.abs((l + r) / 2));
        sidePeak = Math.max(sidePeak, Math.abs((l - r) / 2));
      }
      const sfMid = scaleFactorOf(midPeak);
      const sfSide = scaleFactorOf(sidePeak);
      const sfLeft = frame.scaleFactors[sb] ?? 0;
      const sfRight = frame.scaleFactors[m + sb] ?? 0;
      if (sfMid + sfSide < sfLeft + sfRight) {
        frame.join[sb] = 1;
        frame.scaleFactors[sb] = sfMid;
        frame.scaleFactors[m + sb] = sfSide;
        for (let blk = 0; blk < h.blocks; blk++) {
          const li = blk * 2 * m + sb;
          const ri = (blk * 2 + 1) * m + sb;
          const l = sbs[li] ?? 0;
          const r = sbs[ri] ?? 0;
          sbs[li] = (l + r) / 2;
          sbs[ri] = (l - r) / 2;
        }
      }
    }
  }
}

/** The mSBC encoder: 16 kHz mono, 120 samples in, one 57-byte frame out. */
export class MsbcEncoder extends SbcEncoder {
  constructor() {
    super(MSBC_OPTIONS);
  }
}

/** The settings `MsbcEncoder` passes on. */
export const MSBC_OPTIONS: Readonly<SbcEncoderOptions> = {
  sampleRate: MSBC.sampleRate,
  channelMode: MSBC.channelMode,
  blocks: MSBC.blocks,
  subbands: MSBC.subbands,
  allocation: MSBC.allocation,
  bitpool: MSBC.bitpool,
  msbc: true,
};

/** Checks the options and turns them into the frame header. */
function validate(options: SbcEncoderOptions): SbcFrameHeader {
  const { sampleRate, channelMode, blocks, subbands, allocation, bitpool } = options;
  if (options.msbc === true) {
    const h = msbcHeader();
    const same =
      sampleRate === h.sampleRate &&
      channelMode === h.channelMode &&
      blocks === h.blocks &&
      subbands === h.subbands &&
      allocation === h.allocation &&
      bitpool === h.bitpool;
    if (!same) throw new SbcError(SbcErrorCode.BadConfig, 'mSBC fixes 16 kHz, mono, 15 blocks, 8 subbands, loudness, bitpool 26');
    return h;
  }
  const problems: string[] = [];
  if (!SAMPLE_RATES.includes(sampleRate)) problems.push(`sampleRate ${sampleRate} (16000, 32000, 44100 or 48000)`);
  if (!BLOCK_COUNTS.includes(blocks)) problems.push(`blocks ${blocks} (4, 8, 12 or 16)`);
  if (!SUBBAND_COUNTS.includes(subbands)) problems.push(`subbands ${subbands} (4 or 8)`);
  if (!Object.values(ChannelMode).some((v) => v === channelMode)) problems.push(`channelMode ${channelMode}`);
  if (!Object.values(Allocation).some((v) => v === allocation)) problems.push(`allocation ${allocation}`);
  if (problems.length > 0) throw new SbcError(SbcErrorCode.BadConfig, `unsupported SBC settings: ${problems.join(', ')}`);
  const max = maxBitpool(channelMode, subbands);
  if (!Number.isInteger(bitpool) || bitpool < MIN_BITPOOL || bitpool > max) {
    throw new SbcError(SbcErrorCode.BadBitpool, `bitpool ${bitpool} outside ${MIN_BITPOOL}..${max}`);
  }
  return { msbc: false, sampleRate, blocks, channelMode, allocation, subbands, bitpool, reserved: 0 };
}

/** Largest |sample| of one channel's subband over the frame's blocks. */
function peak(sbs: Float64Array, ch: number, sb: number, blocks: number, channels: number, m: number): number {
  let max = 0;
  for (let blk = 0; blk < blocks; blk++) {
    const v = Math.abs(sbs[(blk * channels + ch) * m + sb] ?? 0);
    if (v > max) max = v;
  }
  return max;
}

/** The smallest scale factor s (0..15) with peak < 2^(s + 1); 15 when even that is too small. */
export function scaleFactorOf(peakValue: number): number {
  if (!(peakValue < 65536)) return 15;
  // peak < 2^(s+1) exactly when floor(peak) < 2^(s+1), i.e. s + 1 >= bit length of floor(peak).
  return Math.max(0, 31 - Math.clz32(Math.floor(peakValue)));
}

/**
 * Maps each subband sample x into 0..levels-1 with levels = 2^bits - 1:
 * q = floor((x / 2^(s+1) + 1) * levels / 2), whose reconstruction
 * ((2q + 1) / levels - 1) * 2^(s+1) is the middle of q's interval.
 */
function quantize(frame: SbcFrame, bits: Uint8Array, sbs: Float64Array): void {
  const h = frame.header;
  const m = h.subbands;
  const channels = channelCount(h.channelMode);
  const samples = frame.samples;
  for (let ch = 0; ch < channels; ch++) {
    for (let sb = 0; sb < m; sb++) {
      const b = bits[ch * m + sb] ?? 0;
      if (b === 0) continue;
      const levels = 2 ** b - 1;
      const scale = 2 ** ((frame.scaleFactors[ch * m + sb] ?? 0) + 1);
      for (let blk = 0; blk < h.blocks; blk++) {
        const i = (blk * channels + ch) * m + sb;
        const q = Math.floor((((sbs[i] ?? 0) / scale + 1) * levels) / 2);
        samples[i] = q < 0 ? 0 : q >= levels ? levels - 1 : q;
      }
    }
  }
}
