/**
 * H2 framing of mSBC over an eSCO link (HFP wideband speech): each 57-byte
 * mSBC frame travels behind a 2-byte header `01 <seq>` and a trailing pad
 * byte, 60 bytes per 7.5 ms. `<seq>` is 0x08, 0x38, 0xC8, 0xF8 for sequence
 * numbers 0..3 (each of the two sequence bits sent twice), cycling.
 *
 * `H2Wrapper` builds those packets; `H2Unwrapper` finds frames in a byte
 * stream that may arrive in chunks of any size, start mid-packet or lose
 * bytes, reports gaps in the sequence, and never throws on garbage.
 */
import { MSBC, MSBC_SYNC_WORD } from './constants';
import { SbcError, SbcErrorCode } from './errors';
import { frameCrc, msbcHeader } from './header';

/** The second H2 header byte for sequence numbers 0, 1, 2, 3. */
export const H2_SEQUENCE_BYTES: readonly number[] = [0x08, 0x38, 0xc8, 0xf8];
/** The first H2 header byte. */
export const H2_SYNC = 0x01;
/** Bytes per eSCO packet: 2 header + 57 frame + 1 pad. */
export const H2_PACKET_LENGTH = 60;
const H2_HEADER_LENGTH = 2;
/** Header plus frame: what must be present to recognise a frame. */
const H2_FRAME_SPAN = H2_HEADER_LENGTH + MSBC.frameLength;
const PAD_LENGTH = H2_PACKET_LENGTH - H2_FRAME_SPAN;

/** Sequence number (0..3) for an H2 header byte, or -1 when the byte is not one. */
export function h2SequenceOf(byte: number): number {
  return H2_SEQUENCE_BYTES.indexOf(byte);
}

/** Wraps mSBC frames into 60-byte H2 packets with cycling sequence numbers. */
export class H2Wrapper {
  private sequence = 0;

  /** The sequence number the next packet will carry. */
  get nextSequence(): number {
    return this.sequence;
  }

  /** One 60-byte packet: `01 <seq>`, the 57-byte frame, one zero byte. */
  wrap(frame: Uint8Array): Uint8Array {
    if (frame.length !== MSBC.frameLength) {
      throw new SbcError(SbcErrorCode.BadConfig, `an mSBC frame is ${MSBC.frameLength} bytes, got ${frame.length}`);
    }
    const packet = new Uint8Array(H2_PACKET_LENGTH);
    packet[0] = H2_SYNC;
    packet[1] = H2_SEQUENCE_BYTES[this.sequence] ?? 0;
    packet.set(frame, H2_HEADER_LENGTH);
    this.sequence = (this.sequence + 1) & 3;
    return packet;
  }

  /** Starts again at sequence number 0. */
  reset(): void {
    this.sequence = 0;
  }
}

export interface H2Frame {
  /** The 57-byte mSBC frame (a copy; its CRC has been checked). */
  frame: Uint8Array;
  /** Its H2 sequence number, 0..3. */
  sequence: number;
  /**
   * Frames judged missing just before this one: the sequence gap (mod 4),
   * raised by multiples of 4 until it covers the whole packets' worth of
   * bytes skipped (60 per packet). So damaged packets of any number are
   * counted, and packets that vanished without a trace are counted while
   * fewer than 4 go between two frames that arrive. 0 for the first frame
   * after construction or `reset`.
   */
  lost: number;
  /** False when the sequence number is not the one after the previous frame's. */
  inSequence: boolean;
  /** Bytes discarded before this frame (padding after the previous frame not counted). */
  skippedBytes: number;
}

export interface H2Stats {
  /** Frames delivered. */
  frames: number;
  /** Sum of `lost` over delivered frames. */
  lostFrames: number;
  /** Frames whose sequence number was not the expected one. */
  outOfSequence: number;
  /** Bytes discarded so far, pad bytes after frames not counted. */
  skippedBytes: number;
}

/**
 * Recovers mSBC frames from a byte stream of H2 packets. A frame is accepted
 * where `01 <seq> AD` starts 59 bytes whose mSBC CRC checks out, so random
 * bytes are almost never taken for a frame and a damaged frame is dropped
 * (and counted as lost when the next good one arrives). Holds back at most
 * 58 bytes between calls.
 */
export class H2Unwrapper {
  private pending: Uint8Array = new Uint8Array(0);
  private lastSequence = -1;
  /** Bytes skipped since the last frame. */
  private skipped = 0;
  /** Padding expected after the last frame, not to be counted as garbage. */
  private padAllowance = 0;
  private readonly counters: H2Stats = { frames: 0, lostFrames: 0, outOfSequence: 0, skippedBytes: 0 };
  private readonly header = msbcHeader();

  /** Totals since construction or `reset`. */
  get stats(): H2Stats {
    return { ...this.counters };
  }

  /** Bytes held back waiting for the rest of a possible frame. */
  get pendingBytes(): number {
    return this.pending.length;
  }

  /** Feeds the next chunk of the stream; returns the frames it completes. */
  push(chunk: Uint8Array): H2Frame[] {
    const buf = new Uint8Array(this.pending.length + chunk.length);
    buf.set(this.pending, 0);
    buf.set(chunk, this.pending.length);
    const frames: H2Frame[] = [];
    let pos = 0;
    while (buf.length - pos >= H2_FRAME_SPAN) {
      if (this.isFrameAt(buf, pos)) {
        frames.push(this.accept(buf, pos));
        pos += H2_FRAME_SPAN;
      } else {
        pos++;
        this.skipped++;
        if (this.skipped > this.padAllowance) this.counters.skippedBytes++;
      }
    }
    this.pending = buf.slice(pos);
    return frames;
  }

  /** Forgets buffered bytes, the sequence and the statistics. */
  reset(): void {
    this.pending = new Uint8Array(0);
    this.lastSequence = -1;
    this.skipped = 0;
    this.padAllowance = 0;
    this.counters.frames = 0;
    this.counters.lostFrames = 0;
    this.counters.outOfSequence = 0;
    this.counters.skippedBytes = 0;
  }

  private isFrameAt(buf: Uint8Array, pos: number): boolean {
    if (buf[pos] !== H2_SYNC || h2SequenceOf(buf[pos + 1] ?? -1) < 0) return false;
    const start = pos + H2_HEADER_LENGTH;
    if (buf[start] !== MSBC_SYNC_WORD) return false;
    return frameCrc(buf, start, this.header) === buf[start + 3];
  }

  private accept(buf: Uint8Array, pos: number): H2Frame {
    const sequence = h2SequenceOf(buf[pos + 1] ?? -1);
    const skippedBytes = Math.max(0, this.skipped - this.padAllowance);
    let lost = 0;
    let inSequence = true;
    if (this.lastSequence >= 0) {
      const gap = (sequence - this.lastSequence - 1 + 4) & 3;
      inSequence = gap === 0;
      lost = lostCount(gap, Math.floor(skippedBytes / H2_PACKET_LENGTH));
    }
    this.counters.frames++;
    this.counters.lostFrames += lost;
    if (!inSequence) this.counters.outOfSequence++;
    this.lastSequence = sequence;
    this.skipped = 0;
    this.padAllowance = PAD_LENGTH;
    const start = pos + H2_HEADER_LENGTH;
    return { frame: buf.slice(start, start + MSBC.frameLength), sequence, lost, inSequence, skippedBytes };
  }
}

/** The smallest n >= atLeast with n = gap (mod 4). */
function lostCount(gap: number, atLeast: number): number {
  let n = gap;
  while (n < atLeast) n += 4;
  return n;
}
