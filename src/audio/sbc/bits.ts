/**
 * MSB-first bit reader and writer over a byte array, for the SBC frame
 * syntax (fields of 1 to 16 bits, packed without alignment). The reader
 * stops at a byte limit and raises `sbc.truncated` past it.
 */
import { SbcError, SbcErrorCode } from './errors';

export class BitReader {
  private bitPos: number;
  private readonly bitLimit: number;

  /** Reads `bytes[start .. end)`; `end` defaults to the array's length. */
  constructor(
    private readonly bytes: Uint8Array,
    start = 0,
    end = bytes.length,
  ) {
    this.bitPos = start * 8;
    this.bitLimit = Math.min(end, bytes.length) * 8;
  }

  /** Current position in bits from the start of the array. */
  get position(): number {
    return this.bitPos;
  }

  /** Reads an unsigned field of `width` bits (0..16). */
  read(width: number): number {
    if (width === 0) return 0;
    const pos = this.bitPos;
    if (pos + width > this.bitLimit) {
      throw new SbcError(SbcErrorCode.Truncated, `frame ends inside a ${width}-bit field`, Math.ceil(this.bitLimit / 8));
    }
    const byte = pos >>> 3;
    const bytes = this.bytes;
    // A 24-bit window always covers a field of up to 16 bits at any bit offset.
    const window = ((bytes[byte] ?? 0) << 16) | ((bytes[byte + 1] ?? 0) << 8) | (bytes[byte + 2] ?? 0);
    this.bitPos = pos + width;
    return (window >>> (24 - (pos & 7) - width)) & ((1 << width) - 1);
  }
}

export class BitWriter {
  private bitPos: number;

  /** Writes into `bytes` (expected zero-filled) from byte `start`. */
  constructor(
    private readonly bytes: Uint8Array,
    start = 0,
  ) {
    this.bitPos = start * 8;
  }

  get position(): number {
    return this.bitPos;
  }

  /** Writes the low `width` bits (0..16) of `value`. */
  write(value: number, width: number): void {
    if (width === 0) return;
    const pos = this.bitPos;
    if (pos + width > this.bytes.length * 8) {
      throw new SbcError(SbcErrorCode.BadConfig, `frame buffer too small for a ${width}-bit field`, pos >>> 3);
    }
    const field = value & ((1 << width) - 1);
    const shifted = field << (24 - (pos & 7) - width);
    const byte = pos >>> 3;
    const bytes = this.bytes;
    bytes[byte] = (bytes[byte] ?? 0) | ((shifted >>> 16) & 0xff);
    if (byte + 1 < bytes.length) bytes[byte + 1] = (bytes[byte + 1] ?? 0) | ((shifted >>> 8) & 0xff);
    if (byte + 2 < bytes.length) bytes[byte + 2] = (bytes[byte + 2] ?? 0) | (shifted & 0xff);
    this.bitPos = pos + width;
  }
}
