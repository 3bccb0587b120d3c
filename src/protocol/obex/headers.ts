/**
 * OBEX header codec. The top two bits of a header ID pick one of four
 * encodings: NUL-terminated UTF-16BE text or a byte sequence (both with a
 * 2-byte length that counts the ID and the length field), a 1-byte value,
 * or a 4-byte big-endian value. Decoding keeps everything needed to
 * re-encode the same bytes.
 */
import { HeaderEncoding } from './constants';
import { ObexError, ObexErrorKind } from './errors';

export interface UnicodeHeader {
  id: number;
  kind: 'unicode';
  /** The text without its NUL terminator. '' for an empty header. */
  value: string;
  /**
   * Only for an empty value: the peer sent a lone NUL terminator (length 5)
   * rather than no text at all (length 3, the usual form). Kept so that a
   * decoded header re-encodes byte for byte.
   */
  emptyWithNul?: boolean;
}

export interface BytesHeader {
  id: number;
  kind: 'bytes';
  value: Uint8Array;
}

export interface U8Header {
  id: number;
  kind: 'u8';
  value: number;
}

export interface U32Header {
  id: number;
  kind: 'u32';
  value: number;
}

export type ObexHeader = UnicodeHeader | BytesHeader | U8Header | U32Header;
export type HeaderKind = ObexHeader['kind'];

/** The encoding a header ID implies. */
export function headerKindOf(id: number): HeaderKind {
  switch (id & 0xc0) {
    case HeaderEncoding.Unicode:
      return 'unicode';
    case HeaderEncoding.Bytes:
      return 'bytes';
    case HeaderEncoding.U8:
      return 'u8';
    default:
      return 'u32';
  }
}

/** Bytes the header takes on the wire. Throws ObexError (bad-value) for a header that cannot be encoded. */
export function encodedHeaderLength(header: ObexHeader): number {
  checkHeader(header);
  switch (header.kind) {
    case 'unicode':
      if (header.value.length === 0) return header.emptyWithNul === true ? 5 : 3;
      return 3 + 2 * (header.value.length + 1);
    case 'bytes':
      return 3 + header.value.length;
    case 'u8':
      return 2;
    case 'u32':
      return 5;
  }
}

/** Total wire length of a header list. */
export function encodedHeadersLength(headers: readonly ObexHeader[]): number {
  let total = 0;
  for (const header of headers) total += encodedHeaderLength(header);
  return total;
}

/** Writes `header` into `out` at `offset`; returns the offset after it. */
export function writeHeader(header: ObexHeader, out: Uint8Array, offset: number): number {
  const length = encodedHeaderLength(header);
  if (offset + length > out.length) {
    throw new ObexError(ObexErrorKind.BadValue, `no room for header 0x${hex2(header.id)}`);
  }
  out[offset] = header.id;
  switch (header.kind) {
    case 'unicode': {
      writeU16(out, offset + 1, length);
      let at = offset + 3;
      const text = header.value;
      for (let i = 0; i < text.length; i++) {
        const unit = text.charCodeAt(i);
        out[at++] = unit >> 8;
        out[at++] = unit & 0xff;
      }
      if (length > 3) {
        out[at++] = 0;
        out[at++] = 0;
      }
      break;
    }
    case 'bytes':
      writeU16(out, offset + 1, length);
      out.set(header.value, offset + 3);
      break;
    case 'u8':
      out[offset + 1] = header.value;
      break;
    case 'u32':
      out[offset + 1] = header.value >>> 24;
      out[offset + 2] = (header.value >>> 16) & 0xff;
      out[offset + 3] = (header.value >>> 8) & 0xff;
      out[offset + 4] = header.value & 0xff;
      break;
  }
  return offset + length;
}

/** Encodes one header. */
export function encodeHeader(header: ObexHeader): Uint8Array {
  const out = new Uint8Array(encodedHeaderLength(header));
  writeHeader(header, out, 0);
  return out;
}

/** Encodes a header list in order. */
export function encodeHeaders(headers: readonly ObexHeader[]): Uint8Array {
  const out = new Uint8Array(encodedHeadersLength(headers));
  let offset = 0;
  for (const header of headers) offset = writeHeader(header, out, offset);
  return out;
}

/**
 * Decodes the header at `offset`, reading no further than `end`. Returns the
 * header and the offset after it. Error offsets count from the start of `bytes`.
 * Byte-sequence values are copies, so they stay valid if `bytes` is reused.
 */
export function decodeHeader(
  bytes: Uint8Array,
  offset = 0,
  end = bytes.length,
): { header: ObexHeader; next: number } {
  if (offset >= end) throw new ObexError(ObexErrorKind.Truncated, 'header expected', offset);
  const id = bytes[offset] as number;
  const kind = headerKindOf(id);
  if (kind === 'u8') {
    if (offset + 2 > end) throw truncatedHeader(id, offset);
    return { header: { id, kind, value: bytes[offset + 1] as number }, next: offset + 2 };
  }
  if (kind === 'u32') {
    if (offset + 5 > end) throw truncatedHeader(id, offset);
    return { header: { id, kind, value: readU32(bytes, offset + 1) }, next: offset + 5 };
  }
  if (offset + 3 > end) throw truncatedHeader(id, offset);
  const length = ((bytes[offset + 1] as number) << 8) | (bytes[offset + 2] as number);
  if (length < 3) {
    throw new ObexError(ObexErrorKind.BadLength, `header 0x${hex2(id)} length ${length} is below 3`, offset + 1);
  }
  if (offset + length > end) {
    throw new ObexError(
      ObexErrorKind.Truncated,
      `header 0x${hex2(id)} length ${length} runs past the end (${end - offset} bytes left)`,
      offset + 1,
    );
  }
  const next = offset + length;
  if (kind === 'bytes') return { header: { id, kind, value: bytes.slice(offset + 3, next) }, next };
  return { header: decodeUnicode(bytes, id, offset, next), next };
}

/** Decodes every header in `bytes[offset, end)`. */
export function decodeHeaders(bytes: Uint8Array, offset = 0, end = bytes.length): ObexHeader[] {
  const headers: ObexHeader[] = [];
  let at = offset;
  while (at < end) {
    const { header, next } = decodeHeader(bytes, at, end);
    headers.push(header);
    at = next;
  }
  return headers;
}

function decodeUnicode(bytes: Uint8Array, id: number, start: number, next: number): UnicodeHeader {
  const payload = next - (start + 3);
  if (payload === 0) return { id, kind: 'unicode', value: '' };
  if (payload % 2 !== 0) {
    throw new ObexError(ObexErrorKind.BadUnicode, `header 0x${hex2(id)} has an odd UTF-16 length ${payload}`, start + 1);
  }
  if (bytes[next - 2] !== 0 || bytes[next - 1] !== 0) {
    throw new ObexError(ObexErrorKind.BadUnicode, `header 0x${hex2(id)} is not NUL-terminated`, next - 2);
  }
  const units: number[] = [];
  for (let at = start + 3; at < next - 2; at += 2) {
    const unit = ((bytes[at] as number) << 8) | (bytes[at + 1] as number);
    units.push(unit);
  }
  const badAt = loneSurrogateIndex(units);
  if (badAt >= 0) {
    throw new ObexError(
      ObexErrorKind.BadUnicode,
      `header 0x${hex2(id)} holds an unpaired UTF-16 surrogate`,
      start + 3 + 2 * badAt,
    );
  }
  let value = '';
  for (let i = 0; i < units.length; i += 4096) value += String.fromCharCode(...units.slice(i, i + 4096));
  if (value.length === 0) return { id, kind: 'unicode', value, emptyWithNul: true };
  return { id, kind: 'unicode', value };
}

/** Index of the first code unit that is half of a surrogate pair without its other half, or -1. */
function loneSurrogateIndex(units: readonly number[]): number {
  for (let i = 0; i < units.length; i++) {
    const unit = units[i] as number;
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const low = units[i + 1];
      if (low === undefined || low < 0xdc00 || low > 0xdfff) return i;
      i++;
    } else if (unit >= 0xdc00 && unit <= 0xdfff) {
      return i;
    }
  }
  return -1;
}

function checkHeader(header: ObexHeader): void {
  const { id } = header;
  if (!Number.isInteger(id) || id < 0 || id > 0xff) {
    throw new ObexError(ObexErrorKind.BadValue, `header id ${id} is not a byte`);
  }
  if (headerKindOf(id) !== header.kind) {
    throw new ObexError(ObexErrorKind.BadValue, `header 0x${hex2(id)} must be ${headerKindOf(id)}, not ${header.kind}`);
  }
  switch (header.kind) {
    case 'unicode': {
      const units: number[] = [];
      for (let i = 0; i < header.value.length; i++) units.push(header.value.charCodeAt(i));
      if (loneSurrogateIndex(units) >= 0) {
        throw new ObexError(ObexErrorKind.BadValue, `header 0x${hex2(id)} text holds an unpaired surrogate`);
      }
      if (header.emptyWithNul === true && header.value.length > 0) {
        throw new ObexError(ObexErrorKind.BadValue, `header 0x${hex2(id)}: emptyWithNul needs an empty value`);
      }
      if (3 + 2 * (header.value.length + 1) > 0xffff) {
        throw new ObexError(ObexErrorKind.BadValue, `header 0x${hex2(id)} text is too long`);
      }
      return;
    }
    case 'bytes':
      if (header.value.length + 3 > 0xffff) {
        throw new ObexError(ObexErrorKind.BadValue, `header 0x${hex2(id)} value is too long`);
      }
      return;
    case 'u8':
      if (!Number.isInteger(header.value) || header.value < 0 || header.value > 0xff) {
        throw new ObexError(ObexErrorKind.BadValue, `header 0x${hex2(id)} value ${header.value} is not a byte`);
      }
      return;
    case 'u32':
      if (!Number.isInteger(header.value) || header.value < 0 || header.value > 0xffffffff) {
        throw new ObexError(ObexErrorKind.BadValue, `header 0x${hex2(id)} value ${header.value} is not a uint32`);
      }
      return;
  }
}

function truncatedHeader(id: number, offset: number): ObexError {
  return new ObexError(ObexErrorKind.Truncated, `header 0x${hex2(id)} is cut short`, offset);
}

function readU32(bytes: Uint8Array, at: number): number {
  return (
    (((bytes[at] as number) << 24) |
      ((bytes[at + 1] as number) << 16) |
      ((bytes[at + 2] as number) << 8) |
      (bytes[at + 3] as number)) >>>
    0
  );
}

function writeU16(out: Uint8Array, at: number, value: number): void {
  out[at] = value >> 8;
  out[at + 1] = value & 0xff;
}

function hex2(value: number): string {
  return value.toString(16).toUpperCase().padStart(2, '0');
}
