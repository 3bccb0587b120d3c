/**
 * Builders and readers for the named OBEX headers, so callers never spell
 * out a header's kind by hand: `nameHeader('pb.vcf')`, `typeHeader('x-bt/phonebook')`,
 * `readType(headers)`. Type is ASCII with a NUL terminator, carried as bytes.
 */
import { HeaderId } from './constants';
import { ObexError, ObexErrorKind } from './errors';
import type { BytesHeader, ObexHeader, U32Header, U8Header, UnicodeHeader } from './headers';

export function unicodeHeader(id: number, value: string): UnicodeHeader {
  return { id, kind: 'unicode', value };
}

export function bytesHeader(id: number, value: Uint8Array): BytesHeader {
  return { id, kind: 'bytes', value };
}

export function u8Header(id: number, value: number): U8Header {
  return { id, kind: 'u8', value };
}

export function u32Header(id: number, value: number): U32Header {
  return { id, kind: 'u32', value };
}

/** Name; '' gives the empty Name (`01 00 03`), which differs from no Name at all. */
export const nameHeader = (name: string): UnicodeHeader => unicodeHeader(HeaderId.Name, name);
export const destNameHeader = (name: string): UnicodeHeader => unicodeHeader(HeaderId.DestName, name);
export const descriptionHeader = (text: string): UnicodeHeader => unicodeHeader(HeaderId.Description, text);
export const bodyHeader = (chunk: Uint8Array): BytesHeader => bytesHeader(HeaderId.Body, chunk);
export const endOfBodyHeader = (chunk: Uint8Array = new Uint8Array(0)): BytesHeader =>
  bytesHeader(HeaderId.EndOfBody, chunk);
export const targetHeader = (uuid: Uint8Array | readonly number[]): BytesHeader =>
  bytesHeader(HeaderId.Target, Uint8Array.from(uuid));
export const whoHeader = (uuid: Uint8Array | readonly number[]): BytesHeader =>
  bytesHeader(HeaderId.Who, Uint8Array.from(uuid));
export const appParamsHeader = (encoded: Uint8Array): BytesHeader => bytesHeader(HeaderId.AppParameters, encoded);
export const connectionIdHeader = (id: number): U32Header => u32Header(HeaderId.ConnectionId, id);
export const lengthHeader = (length: number): U32Header => u32Header(HeaderId.Length, length);
export const countHeader = (count: number): U32Header => u32Header(HeaderId.Count, count);
export const srmHeader = (value: number): U8Header => u8Header(HeaderId.Srm, value);
export const srmpHeader = (value: number): U8Header => u8Header(HeaderId.Srmp, value);
export const actionIdHeader = (action: number): U8Header => u8Header(HeaderId.ActionId, action);

/** Type header: the MIME type in ASCII followed by one NUL. */
export function typeHeader(mimeType: string): BytesHeader {
  const out = new Uint8Array(mimeType.length + 1);
  for (let i = 0; i < mimeType.length; i++) {
    const code = mimeType.charCodeAt(i);
    if (code === 0 || code > 0x7f) {
      throw new ObexError(ObexErrorKind.BadValue, `Type ${JSON.stringify(mimeType)} is not plain ASCII`);
    }
    out[i] = code;
  }
  return bytesHeader(HeaderId.Type, out);
}

/** The first header with `id`, if any. */
export function findHeader(headers: readonly ObexHeader[], id: number): ObexHeader | undefined {
  return headers.find((h) => h.id === id);
}

/** Text of the first Unicode header with `id`. */
export function readUnicode(headers: readonly ObexHeader[], id: number): string | undefined {
  const header = findHeader(headers, id);
  return header?.kind === 'unicode' ? header.value : undefined;
}

/** Bytes of the first byte-sequence header with `id`. */
export function readBytes(headers: readonly ObexHeader[], id: number): Uint8Array | undefined {
  const header = findHeader(headers, id);
  return header?.kind === 'bytes' ? header.value : undefined;
}

/** Value of the first 1-byte header with `id`. */
export function readU8(headers: readonly ObexHeader[], id: number): number | undefined {
  const header = findHeader(headers, id);
  return header?.kind === 'u8' ? header.value : undefined;
}

/** Value of the first 4-byte header with `id`. */
export function readU32(headers: readonly ObexHeader[], id: number): number | undefined {
  const header = findHeader(headers, id);
  return header?.kind === 'u32' ? header.value : undefined;
}

export const readName = (headers: readonly ObexHeader[]): string | undefined => readUnicode(headers, HeaderId.Name);
export const readConnectionId = (headers: readonly ObexHeader[]): number | undefined =>
  readU32(headers, HeaderId.ConnectionId);
export const readAppParams = (headers: readonly ObexHeader[]): Uint8Array | undefined =>
  readBytes(headers, HeaderId.AppParameters);

/** Type as text: the bytes up to the first NUL, one character per byte. */
export function readType(headers: readonly ObexHeader[]): string | undefined {
  const bytes = readBytes(headers, HeaderId.Type);
  if (bytes === undefined) return undefined;
  let text = '';
  for (const byte of bytes) {
    if (byte === 0) break;
    text += String.fromCharCode(byte);
  }
  return text;
}

/** True for Body and End-of-Body. */
export function isBodyHeader(header: ObexHeader): header is BytesHeader {
  return header.kind === 'bytes' && (header.id === HeaderId.Body || header.id === HeaderId.EndOfBody);
}
