/**
 * Stream reassembler for OBEX over a byte stream (RFCOMM): takes chunks of
 * any size and returns whole packets, using the length in bytes 1-2 of each.
 * Buffering is bounded by the maximum packet length. A length below 3 or
 * above the maximum loses the packet boundaries for good, so the splitter
 * then reports that the stream must be closed and refuses further input
 * until `reset()`.
 */
import { OBEX_MAX_PACKET_LENGTH, OBEX_MIN_PACKET_LENGTH, OBEX_PACKET_PREFIX_LENGTH } from './constants';
import { ObexError, ObexErrorKind, type ObexErrorKindCode } from './errors';

/**
 * Thrown by `PacketSplitter.push` when the stream cannot be framed. `packets`
 * holds the whole packets the same chunk completed before the bad one; the
 * stream must be closed (`mustClose` is always true).
 */
export class FramingError extends ObexError {
  readonly mustClose = true;

  constructor(
    code: ObexErrorKindCode,
    message: string,
    offset: number,
    readonly packets: readonly Uint8Array[],
  ) {
    super(code, message, offset);
  }
}

export interface PacketSplitterOptions {
  /** Largest packet accepted; 255..65535, default 65535. */
  maxPacketLength?: number;
}

export class PacketSplitter {
  private limit: number;
  /** Bytes of the packet being assembled (allocated once its length is known). */
  private packet: Uint8Array | undefined;
  private filled = 0;
  /** Up to 3 prefix bytes while the length is still unknown. */
  private readonly prefix = new Uint8Array(OBEX_PACKET_PREFIX_LENGTH);
  private prefixFilled = 0;
  /** Stream offset of the first byte of the packet being assembled. */
  private packetStart = 0;
  private streamOffset = 0;
  private broken: FramingError | undefined;

  constructor(options: PacketSplitterOptions = {}) {
    this.limit = checkLimit(options.maxPacketLength ?? OBEX_MAX_PACKET_LENGTH);
  }

  /** Largest packet accepted. Lowering it does not affect a packet already under way. */
  get maxPacketLength(): number {
    return this.limit;
  }

  set maxPacketLength(value: number) {
    this.limit = checkLimit(value);
  }

  /** Bytes held for a packet not yet complete. */
  get buffered(): number {
    return this.packet ? this.filled : this.prefixFilled;
  }

  /** True after a framing error, until `reset()`. */
  get failed(): boolean {
    return this.broken !== undefined;
  }

  /** Drops any partial packet and the failed state (for a fresh stream). */
  reset(): void {
    this.packet = undefined;
    this.filled = 0;
    this.prefixFilled = 0;
    this.broken = undefined;
    this.streamOffset = 0;
    this.packetStart = 0;
  }

  /** Feeds a chunk; returns the packets it completed, in order. Each packet is a fresh copy. */
  push(chunk: Uint8Array): Uint8Array[] {
    if (this.broken) {
      throw new FramingError(this.broken.code, `stream already failed: ${this.broken.message}`, this.streamOffset, []);
    }
    const out: Uint8Array[] = [];
    let at = 0;
    while (at < chunk.length) {
      if (!this.packet) {
        if (this.prefixFilled === 0) this.packetStart = this.streamOffset + at;
        this.prefix[this.prefixFilled++] = chunk[at++] as number;
        if (this.prefixFilled < OBEX_PACKET_PREFIX_LENGTH) continue;
        const length = ((this.prefix[1] as number) << 8) | (this.prefix[2] as number);
        this.checkLength(length, out);
        this.packet = new Uint8Array(length);
        this.packet.set(this.prefix);
        this.filled = OBEX_PACKET_PREFIX_LENGTH;
        this.prefixFilled = 0;
      } else {
        const take = Math.min(this.packet.length - this.filled, chunk.length - at);
        this.packet.set(chunk.subarray(at, at + take), this.filled);
        this.filled += take;
        at += take;
      }
      if (this.packet.length === this.filled) {
        out.push(this.packet);
        this.packet = undefined;
        this.filled = 0;
      }
    }
    this.streamOffset += chunk.length;
    return out;
  }

  private checkLength(length: number, done: readonly Uint8Array[]): void {
    let failure: FramingError | undefined;
    if (length < OBEX_PACKET_PREFIX_LENGTH) {
      failure = new FramingError(ObexErrorKind.BadLength, `packet length ${length} is below 3`, this.packetStart + 1, done);
    } else if (length > this.limit) {
      failure = new FramingError(
        ObexErrorKind.TooLarge,
        `packet length ${length} exceeds the maximum ${this.limit}`,
        this.packetStart + 1,
        done,
      );
    }
    if (failure) {
      this.broken = failure;
      this.prefixFilled = 0;
      throw failure;
    }
  }
}

function checkLimit(value: number): number {
  if (!Number.isInteger(value) || value < OBEX_MIN_PACKET_LENGTH || value > OBEX_MAX_PACKET_LENGTH) {
    throw new ObexError(ObexErrorKind.BadValue, `max packet length ${value} is outside 255..65535`);
  }
  return value;
}
