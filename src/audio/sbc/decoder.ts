/**
 * The SBC decoder (and its mSBC preset): SBC frames in, 16-bit PCM out.
 * Unpacks and checks a frame, rebuilds the subband samples from scale
 * factors and allocated bits, undoes mid/side coding in joint stereo, and
 * runs the synthesis filterbank, whose history carries over between frames.
 * Every failure is an `SbcError` (`sbc.bad-sync`, `sbc.bad-crc`,
 * `sbc.truncated`, `sbc.bad-bitpool`); nothing else escapes, whatever the bytes.
 */
import { ChannelMode } from './constants';
import { SbcFrame, unpackFrame } from './frame';
import { SbcFrameHeader, SyncAccept, channelCount } from './header';
import { SbcSynthesis } from './synthesis';

export { SbcError, SbcErrorCode } from './errors';

/** The most PCM samples one frame can carry: 16 blocks of 8 subbands, 2 channels. */
const MAX_SAMPLES_PER_FRAME = 16 * 8 * 2;

export interface SbcDecoderOptions {
  /** Which sync words to accept: 'sbc' (0x9C, the default), 'msbc' (0xAD) or 'any'. */
  accept?: SyncAccept;
}

export interface DecodedFrame {
  /** Interleaved PCM (L R L R ... for two channels), blocks * subbands samples per channel. */
  pcm: Int16Array;
  header: SbcFrameHeader;
  /** Bytes the frame occupied. */
  length: number;
}

export class SbcDecoder {
  private readonly accept: SyncAccept;
  private synthesis: SbcSynthesis[] = [];
  private layout = '';
  private header: SbcFrameHeader | undefined;
  /** Reused between frames: the unpacked frame, subband samples, unrounded PCM. */
  private frame: SbcFrame | undefined;
  private readonly subbandSamples = new Float64Array(MAX_SAMPLES_PER_FRAME);
  private readonly values = new Float64Array(MAX_SAMPLES_PER_FRAME);

  constructor(options: SbcDecoderOptions = {}) {
    this.accept = options.accept ?? 'sbc';
  }

  /** The header of the last frame decoded, if any. */
  get lastHeader(): SbcFrameHeader | undefined {
    return this.header;
  }

  /**
   * Decodes the frame at the start of `frame` (bytes after the frame's
   * length are ignored) and returns its PCM, interleaved by channel.
   */
  decode(frame: Uint8Array): Int16Array {
    return this.decodeAt(frame, 0).pcm;
  }

  /** Decodes the frame that starts at `offset`; error offsets count from the start of `bytes`. */
  decodeAt(bytes: Uint8Array, offset: number): DecodedFrame {
    const { frame, bits, length } = unpackFrame(bytes, { offset, accept: this.accept, into: this.frame });
    this.frame = frame;
    const h = frame.header;
    this.prepare(h);
    const subbandSamples = this.subbandSamples;
    dequantize(frame, bits, subbandSamples);
    if (h.channelMode === ChannelMode.JointStereo) unmix(frame, subbandSamples);
    const pcm = this.synthesize(h, subbandSamples);
    this.header = h;
    return { pcm, header: h, length };
  }

  /**
   * Decodes back-to-back frames filling `bytes` and joins their PCM. Throws
   * at the first bad frame (a trailing partial frame gives `sbc.truncated`).
   */
  decodeStream(bytes: Uint8Array): Int16Array {
    const parts: Int16Array[] = [];
    let total = 0;
    for (let offset = 0; offset < bytes.length; ) {
      const { pcm, length } = this.decodeAt(bytes, offset);
      parts.push(pcm);
      total += pcm.length;
      offset += length;
    }
    const out = new Int16Array(total);
    let pos = 0;
    for (const part of parts) {
      out.set(part, pos);
      pos += part.length;
    }
    return out;
  }

  /** Forgets the filter history, as for a new stream. */
  reset(): void {
    for (const s of this.synthesis) s.reset();
    this.header = undefined;
  }

  /** Keeps one synthesis filterbank per channel; a change of layout starts them afresh. */
  private prepare(h: SbcFrameHeader): void {
    const channels = channelCount(h.channelMode);
    const layout = `${channels}x${h.subbands}`;
    if (layout === this.layout) return;
    this.layout = layout;
    const subbands = h.subbands === 4 ? 4 : 8;
    this.synthesis = [];
    for (let ch = 0; ch < channels; ch++) this.synthesis.push(new SbcSynthesis(subbands));
  }

  private synthesize(h: SbcFrameHeader, subbandSamples: Float64Array): Int16Array {
    const m = h.subbands;
    const channels = channelCount(h.channelMode);
    const values = this.values;
    for (let blk = 0; blk < h.blocks; blk++) {
      for (let ch = 0; ch < channels; ch++) {
        const synthesis = this.synthesis[ch];
        if (synthesis) synthesis.processBlock(subbandSamples, (blk * channels + ch) * m, values, blk * m * channels + ch, channels);
      }
    }
    const pcm = new Int16Array(h.blocks * m * channels);
    for (let i = 0; i < pcm.length; i++) {
      const v = Math.round(values[i] ?? 0);
      pcm[i] = v > 32767 ? 32767 : v < -32768 ? -32768 : v;
    }
    return pcm;
  }
}

/** The mSBC decoder: accepts only mSBC frames (sync 0xAD); 120 samples at 16 kHz per frame. */
export class MsbcDecoder extends SbcDecoder {
  constructor() {
    super({ accept: 'msbc' });
  }
}

/**
 * Rebuilds subband samples: ((2q + 1) / levels - 1) * 2^(s+1) with
 * levels = 2^bits - 1; a subband without bits is silent.
 */
function dequantize(frame: SbcFrame, bits: Uint8Array, out: Float64Array): void {
  const h = frame.header;
  const m = h.subbands;
  const channels = channelCount(h.channelMode);
  out.fill(0, 0, frame.samples.length);
  for (let ch = 0; ch < channels; ch++) {
    for (let sb = 0; sb < m; sb++) {
      const b = bits[ch * m + sb] ?? 0;
      if (b === 0) continue;
      const levels = 2 ** b - 1;
      const scale = 2 ** ((frame.scaleFactors[ch * m + sb] ?? 0) + 1);
      for (let blk = 0; blk < h.blocks; blk++) {
        const i = (blk * channels + ch) * m + sb;
        out[i] = scale * ((2 * (frame.samples[i] ?? 0) + 1) / levels - 1);
      }
    }
  }
}

/** Joint stereo: subbands flagged as mid/side become left = mid + side, right = mid - side. */
function unmix(frame: SbcFrame, sbs: Float64Array): void {
  const h = frame.header;
  const m = h.subbands;
  // The last flag is reserved and never means mid/side.
  for (let sb = 0; sb < m - 1; sb++) {
    if (!frame.join[sb]) continue;
    for (let blk = 0; blk < h.blocks; blk++) {
      const li = blk * 2 * m + sb;
      const ri = (blk * 2 + 1) * m + sb;
      const mid = sbs[li] ?? 0;
      const side = sbs[ri] ?? 0;
      sbs[li] = mid + side;
      sbs[ri] = mid - side;
    }
  }
}
