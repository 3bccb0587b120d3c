/**
 * One SBC / mSBC frame as a bitstream: the quantized values (join flags,
 * scale factors, subband samples) in, bytes out, and back. Pure: no filter
 * state; `encoder.ts` and `decoder.ts` do the signal processing around it.
 *
 * After the header come, MSB first: joint stereo only, one join flag per
 * subband (the last is reserved); a 4-bit scale factor per channel and
 * subband; then for each block, channel and subband a sample of the width
 * that bit allocation gives it; then zero padding to a whole byte.
 */
import { allocateBits } from './bit-allocation';
import { BitReader, BitWriter } from './bits';
import { ChannelMode } from './constants';
import { SbcError, SbcErrorCode } from './errors';
import {
  HEADER_LENGTH,
  SbcFrameHeader,
  SyncAccept,
  channelCount,
  decodeHeader,
  encodeHeader,
  frameCrc,
  frameLength,
} from './header';

export interface SbcFrame {
  header: SbcFrameHeader;
  /**
   * Joint-stereo flags, one per subband (1 = coded as mid/side; the last is
   * reserved and normally 0). All zero, and not sent, in other modes.
   */
  join: Uint8Array;
  /** 4-bit scale factors, index `ch * subbands + sb`. */
  scaleFactors: Uint8Array;
  /** Quantized samples, index `(blk * channels + ch) * subbands + sb`; 0 where a subband has no bits. */
  samples: Uint16Array;
}

export interface UnpackedFrame {
  frame: SbcFrame;
  /** Bits per sample, index `ch * subbands + sb`, as bit allocation derived them. */
  bits: Uint8Array;
  /** Bytes the frame occupies. */
  length: number;
}

export interface UnpackOptions {
  /** Where the frame starts; default 0. */
  offset?: number;
  /** Which sync words to accept; default both. */
  accept?: SyncAccept;
  /**
   * A frame whose arrays to reuse when their sizes fit the new header (saves
   * allocation per frame in a decoder loop); a fresh frame otherwise.
   */
  into?: SbcFrame;
}

/** Empty arrays of the right sizes for a frame with header `h`. */
export function emptyFrame(h: SbcFrameHeader): SbcFrame {
  const channels = channelCount(h.channelMode);
  return {
    header: h,
    join: new Uint8Array(h.subbands),
    scaleFactors: new Uint8Array(channels * h.subbands),
    samples: new Uint16Array(h.blocks * channels * h.subbands),
  };
}

/** `frame` re-aimed at `h` with cleared join flags, when its arrays have the sizes `h` needs. */
function reuse(frame: SbcFrame | undefined, h: SbcFrameHeader): SbcFrame | undefined {
  if (!frame) return undefined;
  const channels = channelCount(h.channelMode);
  const fits =
    frame.join.length === h.subbands &&
    frame.scaleFactors.length === channels * h.subbands &&
    frame.samples.length === h.blocks * channels * h.subbands;
  if (!fits) return undefined;
  frame.header = h;
  frame.join.fill(0);
  return frame;
}

/**
 * Parses one frame starting at `offset`. Checks sync, bitpool, length and
 * CRC; throws `SbcError` (and nothing else) when any of them is wrong.
 */
export function unpackFrame(bytes: Uint8Array, options: UnpackOptions = {}): UnpackedFrame {
  const offset = options.offset ?? 0;
  const header = decodeHeader(bytes, offset, options.accept ?? 'any');
  const length = frameLength(header);
  if (bytes.length - offset < length) {
    throw new SbcError(SbcErrorCode.Truncated, `frame needs ${length} bytes, ${bytes.length - offset} available`, bytes.length);
  }
  const expectedCrc = frameCrc(bytes, offset, header);
  const crc = bytes[offset + 3] ?? 0;
  if (crc !== expectedCrc) {
    throw new SbcError(
      SbcErrorCode.BadCrc,
      `CRC 0x${crc.toString(16).padStart(2, '0')}, computed 0x${expectedCrc.toString(16).padStart(2, '0')}`,
      offset + 3,
    );
  }

  const frame = reuse(options.into, header) ?? emptyFrame(header);
  const channels = channelCount(header.channelMode);
  const n = header.subbands;
  const reader = new BitReader(bytes, offset + HEADER_LENGTH, offset + length);
  if (header.channelMode === ChannelMode.JointStereo) {
    for (let sb = 0; sb < n; sb++) frame.join[sb] = reader.read(1);
  }
  for (let i = 0; i < channels * n; i++) frame.scaleFactors[i] = reader.read(4);

  const bits = allocateBits(header, frame.scaleFactors);
  const samples = frame.samples;
  let k = 0;
  for (let blk = 0; blk < header.blocks; blk++) {
    for (let ch = 0; ch < channels; ch++) {
      for (let sb = 0; sb < n; sb++) samples[k++] = reader.read(bits[ch * n + sb] ?? 0);
    }
  }
  return { frame, bits, length };
}

/**
 * Serialises `frame` (header, CRC, side information, samples, padding).
 * Samples wider than their allocated bits are truncated to those bits.
 */
export function packFrame(frame: SbcFrame, bits?: Uint8Array): Uint8Array {
  const h = frame.header;
  const channels = channelCount(h.channelMode);
  const n = h.subbands;
  const length = frameLength(h);
  const out = new Uint8Array(length);
  encodeHeader(h, out, 0);
  const allocation = bits ?? allocateBits(h, frame.scaleFactors);

  const writer = new BitWriter(out, HEADER_LENGTH);
  if (h.channelMode === ChannelMode.JointStereo) {
    for (let sb = 0; sb < n; sb++) writer.write(frame.join[sb] ?? 0, 1);
  }
  for (let i = 0; i < channels * n; i++) writer.write(frame.scaleFactors[i] ?? 0, 4);
  const samples = frame.samples;
  let k = 0;
  for (let blk = 0; blk < h.blocks; blk++) {
    for (let ch = 0; ch < channels; ch++) {
      for (let sb = 0; sb < n; sb++) writer.write(samples[k++] ?? 0, allocation[ch * n + sb] ?? 0);
    }
  }
  out[3] = frameCrc(out, 0, h);
  return out;
}
