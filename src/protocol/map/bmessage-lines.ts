/**
 * Line access for the bMessage decoder: a cursor over the raw bytes that
 * hands out lines (CRLF or bare LF; the last line may lack one) with their
 * byte offsets, text decoding with typed errors, and the keyword and
 * property splitting the bMessage grammar needs. Pure; no state beyond the
 * cursor.
 */
import { MapError, MapErrorCode } from './errors';

/** One line: `start`..`end` is the content without CR/LF; `next` is where the following line starts. */
export interface Line {
  start: number;
  end: number;
  next: number;
}

const LF = 0x0a;
const CR = 0x0d;

const utf8Fatal = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Decodes UTF-8 strictly; map.bad-text at `offset` when the bytes are not UTF-8. */
export function utf8Text(bytes: Uint8Array, offset: number, what: string): string {
  try {
    return utf8Fatal.decode(bytes);
  } catch {
    throw new MapError(MapErrorCode.BadText, `${what} is not valid UTF-8`, offset);
  }
}

/** Bytes as Latin-1 (one char per byte), for texts in a charset other than UTF-8. */
export function latin1Text(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('latin1');
}

export class LineReader {
  /** Where the next line starts. */
  pos: number;

  constructor(readonly bytes: Uint8Array, start = 0) {
    this.pos = start;
  }

  /** The line at `at`, bounded by `limit` (default: the end of the input); undefined at the limit. */
  lineAt(at: number, limit = this.bytes.length): Line | undefined {
    if (at >= limit) return undefined;
    let lf = this.bytes.indexOf(LF, at);
    if (lf < 0 || lf >= limit) lf = -1;
    if (lf < 0) return { start: at, end: at < limit && this.bytes[limit - 1] === CR ? limit - 1 : limit, next: limit };
    const end = lf > at && this.bytes[lf - 1] === CR ? lf - 1 : lf;
    return { start: at, end, next: lf + 1 };
  }

  /** The next line that is not blank (spaces and tabs only), consumed; undefined at the end. */
  nextNonBlank(): Line | undefined {
    for (let line = this.lineAt(this.pos); line !== undefined; line = this.lineAt(this.pos)) {
      this.pos = line.next;
      if (!this.isBlank(line)) return line;
    }
    return undefined;
  }

  isBlank(line: Line): boolean {
    for (let i = line.start; i < line.end; i++) {
      const b = this.bytes[i];
      if (b !== 0x20 && b !== 0x09) return false;
    }
    return true;
  }

  /** The line's text, strict UTF-8. */
  text(line: Line): string {
    return utf8Text(this.bytes.subarray(line.start, line.end), line.start, 'line');
  }

  /** The line's text, UTF-8 when it is, else Latin-1 (vCards from older phones). */
  lenientText(line: Line): string {
    const bytes = this.bytes.subarray(line.start, line.end);
    try {
      return utf8Fatal.decode(bytes);
    } catch {
      return latin1Text(bytes);
    }
  }

  /** True when the line is exactly `marker` (ASCII, any case), e.g. `END:MSG`. */
  isMarker(line: Line, marker: string): boolean {
    if (line.end - line.start !== marker.length) return false;
    for (let i = 0; i < marker.length; i++) {
      if (upper(this.bytes[line.start + i] as number) !== marker.charCodeAt(i)) return false;
    }
    return true;
  }

  /** True when everything from `at` on is whitespace or NUL (what may trail a bMessage). */
  onlyPaddingFrom(at: number): boolean {
    for (let i = at; i < this.bytes.length; i++) {
      const b = this.bytes[i];
      if (b !== 0x20 && b !== 0x09 && b !== CR && b !== LF && b !== 0) return false;
    }
    return true;
  }

  /** Index of the first line at or after `from` that is `marker`, or -1. */
  findMarker(from: number, marker: string): number {
    for (let line = this.lineAt(from); line !== undefined; line = this.lineAt(line.next)) {
      if (this.isMarker(line, marker)) return line.start;
    }
    return -1;
  }
}

function upper(byte: number): number {
  return byte >= 0x61 && byte <= 0x7a ? byte - 0x20 : byte;
}

/** A structural keyword line (`BEGIN:BMSG`, `END:VCARD`...), upper-cased and trimmed; undefined for other lines. */
export function keywordOf(text: string): string | undefined {
  const trimmed = text.trim().toUpperCase();
  return /^(BEGIN|END):/.test(trimmed) ? trimmed.replace(/\s+$/, '') : undefined;
}

/** `NAME:value` split at the first colon; the name upper-cased (parameters included). Undefined without a colon. */
export function splitProperty(text: string): { name: string; value: string } | undefined {
  const colon = text.indexOf(':');
  if (colon < 0) return undefined;
  return { name: text.slice(0, colon).trim().toUpperCase(), value: text.slice(colon + 1) };
}

/** True when `text` has a lone UTF-16 surrogate (which no UTF-8 encoder can carry). */
export function hasLoneSurrogate(text: string): boolean {
  return /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(text);
}

/**
 * True when `text`, written between BEGIN:MSG and END:MSG, would hold an
 * `END:MSG` line directly followed by a `BEGIN:MSG` line: the decoder reads
 * that pair as the boundary between two message parts, so such a text
 * cannot be written as one part.
 */
export function hasPartBoundary(text: string): boolean {
  const lines = text.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l).toUpperCase());
  for (let i = 0; i + 1 < lines.length; i++) {
    if (lines[i] === 'END:MSG' && lines[i + 1] === 'BEGIN:MSG') return true;
  }
  return false;
}
