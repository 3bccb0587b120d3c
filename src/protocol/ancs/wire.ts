/**
 * Small byte-level helpers the ANCS codecs share: little-endian integers,
 * range checks for values our own code hands to an encoder (RangeError),
 * and the UTF-8 rules for AppIdentifiers (strict both ways).
 */
import { AncsError, AncsErrorKind } from './errors';

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const utf8Encoder = new TextEncoder();

/** A lone UTF-16 surrogate, which has no UTF-8 encoding. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export function checkByte(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 0 || value > 0xff) throw new RangeError(`${name} must be an integer 0..255, got ${value}`);
}

export function checkUint16(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 0 || value > 0xffff) throw new RangeError(`${name} must be an integer 0..65535, got ${value}`);
}

export function checkUint32(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) throw new RangeError(`${name} must be an integer 0..2^32-1, got ${value}`);
}

/** Reads a uint32 LE at `offset`; the caller has checked that 4 bytes are there. */
export function readUint32LE(bytes: Uint8Array, offset: number): number {
  return (bytes[offset] | (bytes[offset + 1] << 8) | (bytes[offset + 2] << 16) | (bytes[offset + 3] << 24)) >>> 0;
}

export function writeUint32LE(out: Uint8Array, offset: number, value: number): void {
  out[offset] = value & 0xff;
  out[offset + 1] = (value >>> 8) & 0xff;
  out[offset + 2] = (value >>> 16) & 0xff;
  out[offset + 3] = (value >>> 24) & 0xff;
}

/**
 * UTF-8 bytes of an AppIdentifier, without the NUL terminator. Throws
 * RangeError when the string holds a NUL or a lone surrogate, since neither
 * survives the trip through the wire.
 */
export function encodeAppIdentifier(appIdentifier: string): Uint8Array {
  if (appIdentifier.includes('\0')) throw new RangeError('appIdentifier must not contain NUL');
  if (LONE_SURROGATE.test(appIdentifier)) throw new RangeError('appIdentifier must be well-formed Unicode (no lone surrogates)');
  return utf8Encoder.encode(appIdentifier);
}

/** Decodes AppIdentifier bytes (NUL excluded) that start at `offset` in the whole input. */
export function decodeAppIdentifier(bytes: Uint8Array, offset: number): string {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    throw new AncsError(AncsErrorKind.BadUtf8, 'AppIdentifier is not well-formed UTF-8', offset);
  }
}

/** Concatenates byte arrays. */
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
