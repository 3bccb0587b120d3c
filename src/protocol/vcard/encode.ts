/**
 * Low-level output forms for the writer: backslash escaping for 3.0 and for
 * 2.1 structured values, quoted-printable with soft line breaks (76
 * characters a line at most, no whitespace left at a line end or start),
 * and folding of a line at 75 octets without splitting a UTF-8 sequence.
 */

/** The longest physical line the writer emits, in octets, line break excluded. */
export const MAX_LINE_OCTETS = 75;
/** RFC 2045's limit for a quoted-printable line, soft-break `=` included. */
const QP_LINE = 76;

const HEX = '0123456789ABCDEF';

/** 3.0 text escaping: backslash, line breaks (CRLF, CR, LF -> `\n`), comma and semicolon. */
export function escapeText30(text: string): string {
  if (!/[\\\n\r,;]/.test(text)) return text;
  return text.replace(/\r\n|[\\\n\r,;]/g, (m) => (m === '\\' ? '\\\\' : m === ',' ? '\\,' : m === ';' ? '\\;' : '\\n'));
}

/** 2.1 structured-value escaping: only backslash and semicolon need protecting. */
export function escapeStructured21(text: string): string {
  if (!/[\\;]/.test(text)) return text;
  return text.replace(/[\\;]/g, (m) => `\\${m}`);
}

/** True when 2.1 must store `text` as quoted-printable: anything but printable ASCII, or trailing whitespace. */
export function needsQuotedPrintable(text: string): boolean {
  if (/[^\x20-\x7e]/.test(text)) return true;
  const last = text.charCodeAt(text.length - 1);
  return last === 0x20 || last === 0x09;
}

/**
 * Quoted-printable form of `bytes` for a line whose first `used` characters
 * are already taken by the property head. Lines are joined with `=` CRLF.
 */
export function encodeQuotedPrintable(bytes: Uint8Array, used: number): string {
  const lines: string[] = [];
  let line: string[] = [];
  let length = used;
  const breakLine = (): void => {
    fixTrailingSpace(line);
    line.push('=');
    lines.push(line.join(''));
    line = [];
    length = 0;
  };
  if (used > QP_LINE - 4) breakLine();
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i] as number;
    const space = b === 0x20 || b === 0x09;
    const literal = (b >= 0x21 && b <= 0x7e && b !== 0x3d) || (space && length > 0);
    // Room for the token, for the soft-break `=`, and for a trailing space turning into `=20`.
    const width = literal ? 1 : 3;
    if (length + width + (space ? 2 : 0) > QP_LINE - 1) breakLine();
    if (literal && !(space && length === 0)) {
      line.push(String.fromCharCode(b));
      length += 1;
    } else {
      line.push(`=${HEX[b >> 4]}${HEX[b & 15]}`);
      length += 3;
    }
  }
  fixTrailingSpace(line);
  lines.push(line.join(''));
  return lines.join('\r\n');
}

/** A literal space or tab may not end a quoted-printable line: write it as `=20` / `=09`. */
function fixTrailingSpace(line: string[]): void {
  const last = line[line.length - 1];
  if (last === ' ') line[line.length - 1] = '=20';
  else if (last === '\t') line[line.length - 1] = '=09';
}

/** UTF-8 length of the code point starting at `text[i]` and how many UTF-16 units it takes. */
function codePointAt(text: string, i: number): { octets: number; units: number } {
  const c = text.charCodeAt(i);
  if (c < 0x80) return { octets: 1, units: 1 };
  if (c < 0x800) return { octets: 2, units: 1 };
  if (c >= 0xd800 && c <= 0xdbff) {
    const next = text.charCodeAt(i + 1);
    if (next >= 0xdc00 && next <= 0xdfff) return { octets: 4, units: 2 };
  }
  return { octets: 3, units: 1 };
}

/**
 * Folds `line` into physical lines of at most 75 octets (CRLF + space before
 * each continuation), never inside a UTF-8 sequence.
 */
export function foldLine(line: string): string {
  if (line.length <= MAX_LINE_OCTETS / 3) return line;
  const parts: string[] = [];
  let start = 0;
  let octets = 0;
  let limit = MAX_LINE_OCTETS;
  for (let i = 0; i < line.length; ) {
    const c = line.charCodeAt(i);
    const { octets: n, units } = c < 0x80 ? ASCII : codePointAt(line, i);
    if (octets + n > limit) {
      parts.push(line.slice(start, i));
      start = i;
      octets = 0;
      limit = MAX_LINE_OCTETS - 1;
    }
    octets += n;
    i += units;
  }
  if (parts.length === 0) return line;
  parts.push(line.slice(start));
  return parts.join('\r\n ');
}

const ASCII = { octets: 1, units: 1 };

/** Base64 of `bytes`. */
export function base64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('base64');
}
