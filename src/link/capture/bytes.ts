/**
 * A small growable byte builder for the capture encoders: little- and
 * big-endian integers, raw bytes, and back-patching of length fields.
 */

export class ByteBuilder {
  private buffer: Uint8Array;
  private length = 0;

  constructor(initialCapacity = 64) {
    this.buffer = new Uint8Array(Math.max(16, initialCapacity));
  }

  /** Bytes written so far. */
  get size(): number {
    return this.length;
  }

  u8(value: number): this {
    this.reserve(1);
    this.buffer[this.length++] = value & 0xff;
    return this;
  }

  u16le(value: number): this {
    return this.u8(value).u8(value >>> 8);
  }

  u16be(value: number): this {
    return this.u8(value >>> 8).u8(value);
  }

  u32le(value: number): this {
    return this.u16le(value & 0xffff).u16le(value >>> 16);
  }

  u32be(value: number): this {
    return this.u16be(value >>> 16).u16be(value & 0xffff);
  }

  bytes(data: Uint8Array): this {
    this.reserve(data.length);
    this.buffer.set(data, this.length);
    this.length += data.length;
    return this;
  }

  /** Overwrites a little-endian u16 written earlier at `offset`. */
  patchU16le(offset: number, value: number): this {
    this.buffer[offset] = value & 0xff;
    this.buffer[offset + 1] = (value >>> 8) & 0xff;
    return this;
  }

  /** A copy of the bytes written. */
  finish(): Uint8Array {
    return this.buffer.slice(0, this.length);
  }

  private reserve(extra: number): void {
    if (this.length + extra <= this.buffer.length) return;
    let capacity = this.buffer.length * 2;
    while (capacity < this.length + extra) capacity *= 2;
    const next = new Uint8Array(capacity);
    next.set(this.buffer.subarray(0, this.length));
    this.buffer = next;
  }
}

/** Joins byte arrays. */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  let total = 0;
  for (const part of parts) total += part.length;
  const out = new Uint8Array(total);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** "AA:BB:CC:DD:EE:01" as HCI sends it: six bytes, least significant first. */
export function addressBytes(address: string): Uint8Array {
  const hex = address.replace(/[:-]/g, '');
  if (!/^[0-9A-Fa-f]{12}$/.test(hex)) throw new RangeError(`not a device address: ${address}`);
  const out = new Uint8Array(6);
  for (let i = 0; i < 6; i++) out[5 - i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

/** Six HCI address bytes (least significant first) as "AA:BB:CC:DD:EE:01". */
export function addressText(bytes: Uint8Array): string {
  const parts: string[] = [];
  for (let i = 5; i >= 0; i--) parts.push((bytes[i] ?? 0).toString(16).padStart(2, '0').toUpperCase());
  return parts.join(':');
}
