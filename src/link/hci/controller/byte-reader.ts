/**
 * Little-endian byte reading and writing for the HCI codecs: a cursor that
 * throws `HciError` (`hci.truncated`, with the offset) instead of reading
 * past the end, a growable writer, and BD_ADDR text <-> wire conversion.
 */
import { HciError, HciErrorKind } from './hci-errors';

export class ByteReader {
  private at = 0;

  constructor(
    private readonly bytes: Uint8Array,
    /** Offset of `bytes[0]` within the enclosing packet, for error offsets. */
    private readonly base = 0,
    private readonly what = 'field',
  ) {}

  get offset(): number {
    return this.at;
  }

  get remaining(): number {
    return this.bytes.length - this.at;
  }

  u8(name = this.what): number {
    this.need(1, name);
    return this.bytes[this.at++] as number;
  }

  i8(name = this.what): number {
    const v = this.u8(name);
    return v >= 0x80 ? v - 0x100 : v;
  }

  u16(name = this.what): number {
    this.need(2, name);
    const v = (this.bytes[this.at] as number) | ((this.bytes[this.at + 1] as number) << 8);
    this.at += 2;
    return v;
  }

  /** A copy of the next `n` bytes. */
  take(n: number, name = this.what): Uint8Array {
    this.need(n, name);
    const out = this.bytes.slice(this.at, this.at + n);
    this.at += n;
    return out;
  }

  /** A copy of everything left. */
  rest(): Uint8Array {
    const out = this.bytes.slice(this.at);
    this.at = this.bytes.length;
    return out;
  }

  /** Throws `hci.bad-length` if bytes are left over. */
  end(name: string): void {
    if (this.at !== this.bytes.length) {
      throw new HciError(
        HciErrorKind.BadLength,
        `${name}: ${this.bytes.length - this.at} unexpected byte(s) after the last field`,
        this.base + this.at,
      );
    }
  }

  private need(n: number, name: string): void {
    if (this.at + n > this.bytes.length) {
      throw new HciError(
        HciErrorKind.Truncated,
        `${name}: needs ${n} byte(s), ${this.bytes.length - this.at} left`,
        this.base + this.at,
      );
    }
  }
}

export class ByteWriter {
  private readonly parts: number[] = [];

  u8(v: number, name = 'u8'): this {
    checkInt(v, 0xff, name);
    this.parts.push(v);
    return this;
  }

  i8(v: number, name = 'i8'): this {
    if (!Number.isInteger(v) || v < -128 || v > 127) throw badValue(name, v);
    this.parts.push(v & 0xff);
    return this;
  }

  u16(v: number, name = 'u16'): this {
    checkInt(v, 0xffff, name);
    this.parts.push(v & 0xff, v >> 8);
    return this;
  }

  bytes(b: Uint8Array, exactLength?: number, name = 'bytes'): this {
    if (exactLength !== undefined && b.length !== exactLength) {
      throw new HciError(HciErrorKind.BadValue, `${name}: needs ${exactLength} bytes, got ${b.length}`);
    }
    for (const x of b) this.parts.push(x);
    return this;
  }

  finish(): Uint8Array {
    return Uint8Array.from(this.parts);
  }
}

function checkInt(v: number, max: number, name: string): void {
  if (!Number.isInteger(v) || v < 0 || v > max) throw badValue(name, v);
}

function badValue(name: string, v: number): HciError {
  return new HciError(HciErrorKind.BadValue, `${name}: ${v} does not fit its field`);
}

const ADDRESS_TEXT = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i;

/** True for "AA:BB:CC:DD:EE:FF" (any case). */
export function isAddressText(text: string): boolean {
  return ADDRESS_TEXT.test(text);
}

/** "AA:BB:CC:DD:EE:FF" to the 6 wire bytes (least significant octet first). */
export function addressToBytes(text: string): Uint8Array {
  if (!isAddressText(text)) throw new HciError(HciErrorKind.BadValue, `"${text}" is not a BD_ADDR like AA:BB:CC:DD:EE:FF`);
  return Uint8Array.from(text.split(':').reverse(), (h) => parseInt(h, 16));
}

/** 6 wire bytes to upper-case "AA:BB:CC:DD:EE:FF". */
export function bytesToAddress(bytes: Uint8Array): string {
  if (bytes.length !== 6) throw new HciError(HciErrorKind.BadValue, `a BD_ADDR has 6 bytes, got ${bytes.length}`);
  return [...bytes]
    .reverse()
    .map((b) => b.toString(16).padStart(2, '0'))
    .join(':')
    .toUpperCase();
}

/** Canonical (upper-case) form of an address text. */
export function normalizeAddress(text: string): string {
  return bytesToAddress(addressToBytes(text));
}

export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

export function fromHex(hex: string): Uint8Array {
  const clean = hex.replace(/\s+/g, '');
  if (!/^([0-9a-f]{2})*$/i.test(clean)) throw new HciError(HciErrorKind.BadValue, `"${hex}" is not hex`);
  return Uint8Array.from(Buffer.from(clean, 'hex'));
}
