/**
 * Turns the stored form of a value into text or bytes: quoted-printable and
 * base64 transfer encodings (base64 checked strictly: only the alphabet,
 * whitespace and final padding), then the CHARSET (UTF-8 by default, any
 * other through iconv-lite, e.g. SHIFT_JIS or ISO-8859-1). When the input
 * came as bytes, values arrive as "binary strings" (one char per byte).
 */
import { isUtf8 } from 'node:buffer';
import iconv from 'iconv-lite';
import { VcardError, VcardErrorCode } from './errors';

const NON_ASCII = /[^\x00-\x7f]/;

/**
 * The base64 alphabet and whitespace, then at most two padding characters
 * with whitespace around them. Linear: anchored, one repeated class, no
 * nested repetition.
 */
const BASE64 = /^[A-Za-z0-9+/\t\n\r ]*(?:=[\t\n\r ]*){0,2}$/;
const BASE64_WHITESPACE = [' ', '\r', '\n', '\t'];

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1;
}

/**
 * Decodes quoted-printable text whose soft line breaks are already joined.
 * An `=` not followed by two hex digits stays literal, as RFC 2045 advises.
 * `binary`: chars are bytes; otherwise chars above 0x7F are taken as text and
 * stored as UTF-8.
 */
export function decodeQuotedPrintable(text: string, binary: boolean): Uint8Array {
  const out = new Uint8Array(text.length * 3);
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x3d && i + 2 < text.length) {
      const hi = hexValue(text.charCodeAt(i + 1));
      const lo = hexValue(text.charCodeAt(i + 2));
      if (hi >= 0 && lo >= 0) {
        out[n++] = (hi << 4) | lo;
        i += 2;
        continue;
      }
      out[n++] = c;
    } else if (c < 0x80 || (binary && c <= 0xff)) {
      out[n++] = c;
    } else if (c < 0x800) {
      out[n++] = 0xc0 | (c >> 6);
      out[n++] = 0x80 | (c & 0x3f);
    } else {
      let cp = c;
      const next = text.charCodeAt(i + 1);
      if (c >= 0xd800 && c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        cp = 0x10000 + ((c - 0xd800) << 10) + (next - 0xdc00);
        i++;
      } else if (c >= 0xd800 && c <= 0xdfff) {
        cp = 0xfffd;
      }
      if (cp >= 0x10000) {
        out[n++] = 0xf0 | (cp >> 18);
        out[n++] = 0x80 | ((cp >> 12) & 0x3f);
      } else {
        out[n++] = 0xe0 | (cp >> 12);
      }
      out[n++] = 0x80 | ((cp >> 6) & 0x3f);
      out[n++] = 0x80 | (cp & 0x3f);
    }
  }
  return out.subarray(0, n);
}

/**
 * Decodes base64 that may hold whitespace and line breaks (as a folded value
 * does); undefined when it is not valid base64: a character outside the
 * alphabet, data after padding, or a dangling sixth of a byte. The checks
 * and the decoding run in native code (a regular expression, indexOf and
 * Node's decoder, which skips whitespace): a photo is checked at memory speed.
 */
export function decodeBase64(text: string): Uint8Array | undefined {
  if (!BASE64.test(text)) return undefined;
  let ignored = 0;
  for (const ws of BASE64_WHITESPACE) {
    for (let i = text.indexOf(ws); i >= 0; i = text.indexOf(ws, i + 1)) ignored++;
  }
  let padding = 0;
  for (let i = text.length - 1; i >= 0; i--) {
    const c = text.charCodeAt(i);
    if (c === 0x3d) padding++;
    else if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) break;
  }
  const data = text.length - ignored - padding;
  if (data % 4 === 1 || (padding > 0 && (data + padding) % 4 !== 0)) return undefined;
  const bytes = Buffer.from(text, 'base64');
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length);
}

/**
 * Decodes bytes in `charset`. Undeclared: UTF-8 when valid, else Windows-1252
 * (what old phones that declare nothing tend to send); declared UTF-8 or
 * US-ASCII: UTF-8 with replacement characters. Undefined for a charset
 * iconv-lite does not know.
 */
export function decodeCharset(bytes: Uint8Array, charset: string | undefined): string | undefined {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  const name = charset === undefined ? undefined : charset.trim().toUpperCase();
  if (name === undefined || name === '') {
    return isUtf8(buffer) ? buffer.toString('utf8') : iconv.decode(buffer, 'windows-1252');
  }
  if (name === 'UTF-8' || name === 'UTF8' || name === 'US-ASCII' || name === 'ASCII') return buffer.toString('utf8');
  if (!iconv.encodingExists(name)) return undefined;
  return iconv.decode(buffer, name, { stripBOM: false });
}

/** Text of a parameter value: as is from text input; from byte input, UTF-8 (or Windows-1252 when not UTF-8). */
export function decodeParamText(text: string, binary: boolean): string {
  if (!binary || !NON_ASCII.test(text)) return text;
  return decodeCharset(Buffer.from(text, 'latin1'), undefined) ?? text;
}

/**
 * Applies ENCODING and CHARSET to a stored value: bytes for base64, text
 * otherwise. From text input a value without a transfer encoding is already
 * text, so CHARSET only applies to the bytes of a quoted-printable value.
 * Throws vcard.bad-encoding or vcard.bad-charset at the byte offset `offsetOf()` gives.
 */
export function decodeStoredValue(
  raw: string,
  encoding: string | undefined,
  charset: string | undefined,
  binary: boolean,
  offsetOf: () => number,
): string | Uint8Array {
  if (encoding === 'B' || encoding === 'BASE64') {
    const bytes = decodeBase64(raw);
    if (bytes === undefined) throw new VcardError(VcardErrorCode.BadEncoding, 'invalid base64 value', offsetOf());
    return bytes;
  }
  let bytes: Uint8Array;
  if (encoding === 'QUOTED-PRINTABLE') {
    bytes = decodeQuotedPrintable(raw, binary);
  } else if (encoding === undefined || encoding === '' || encoding === '8BIT' || encoding === '7BIT') {
    if (!binary || !NON_ASCII.test(raw)) return raw;
    bytes = Buffer.from(raw, 'latin1');
  } else {
    throw new VcardError(VcardErrorCode.BadEncoding, `unknown ENCODING ${JSON.stringify(encoding.slice(0, 40))}`, offsetOf());
  }
  const text = decodeCharset(bytes, charset);
  if (text === undefined) {
    throw new VcardError(VcardErrorCode.BadCharset, `unknown CHARSET ${JSON.stringify((charset ?? '').slice(0, 40))}`, offsetOf());
  }
  return text;
}
