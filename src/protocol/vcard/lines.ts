/**
 * Physical and logical lines of a vCard stream. `LineReader` splits text on
 * CRLF, LF or a lone CR (a run of CRs before an LF, as some iOS exports
 * write, counts as one break) without rescanning; `readContentLine` builds
 * one content line from it: folded lines (a line break followed by a space
 * or tab, that one character removed), quoted-printable soft line breaks
 * (`=` at the end of a line joins the next line as it is), and the
 * continuation lines that sloppy 2.1 writers leave unfolded. A base64 value
 * is returned as the stretch of input it spans, line breaks and all, so a
 * photo is never copied line by line.
 */
import { VcardError, VcardErrorCode, type VcardErrorCodeValue } from './errors';

const CR = 13;
const LF = 10;
const SPACE = 32;
const TAB = 9;

export class LineReader {
  /** Index in the text where the line last returned by `next()` (or skipped) starts, and where it stops. */
  lineStart = 0;
  lineStop = 0;
  private pos = 0;
  private nextCr = -1;
  private nextLf = -1;
  /** The run of CRs measured last: [start, end), and whether an LF follows it. */
  private crRunStart = 0;
  private crRunEnd = 0;
  private crRunLf = false;
  /** The line read ahead by `peek()` (the usual one-line lookahead) and its start index. */
  private peeked: string | undefined;
  private peekedStart = 0;
  /** Lines read ahead beyond that one by `peek(k)`, oldest first from `moreFirst`. */
  private readonly more: string[] = [];
  private readonly moreStarts: number[] = [];
  private moreFirst = 0;

  /**
   * @param text the whole input
   * @param byteOffset turns an index in `text` into the byte offset reported in errors
   */
  constructor(
    private readonly text: string,
    private readonly byteOffset: (index: number) => number,
  ) {}

  /** The next physical line (without its line break), or undefined at the end of the text. */
  next(): string | undefined {
    const line = this.peeked;
    if (line !== undefined) {
      this.lineStart = this.peekedStart;
      this.lineStop = this.peekedStart + line.length;
      this.peeked = undefined;
      if (this.moreFirst < this.more.length) {
        this.peeked = this.more[this.moreFirst];
        this.peekedStart = this.moreStarts[this.moreFirst] as number;
        if (++this.moreFirst === this.more.length) {
          this.more.length = 0;
          this.moreStarts.length = 0;
          this.moreFirst = 0;
        } else if (this.moreFirst > 64) {
          this.more.splice(0, this.moreFirst);
          this.moreStarts.splice(0, this.moreFirst);
          this.moreFirst = 0;
        }
      }
      return line;
    }
    if (this.pos >= this.text.length) return undefined;
    this.lineStart = this.pos;
    this.lineStop = this.lineEnd(this.pos);
    return this.text.slice(this.lineStart, this.lineStop);
  }

  /** Consumes the next line without making a string of it; false at the end of the text. */
  skip(): boolean {
    if (this.peeked !== undefined) return this.next() !== undefined;
    if (this.pos >= this.text.length) return false;
    this.lineStart = this.pos;
    this.lineStop = this.lineEnd(this.pos);
    return true;
  }

  /** True when the next line starts with a space or tab (a folded line), read without making a string of it. */
  nextIsFolded(): boolean {
    if (this.peeked !== undefined) return isFolded(this.peeked);
    if (this.pos >= this.text.length) return false;
    const c = this.text.charCodeAt(this.pos);
    return c === SPACE || c === TAB;
  }

  /** The input from `start` to `end` (indexes as in `lineStart` and `lineStop`). */
  slice(start: number, end: number): string {
    return this.text.slice(start, end);
  }

  /** The line `next()` would return after `skip` others, without consuming anything. */
  peek(skip = 0): string | undefined {
    if (this.peeked === undefined) {
      if (this.pos >= this.text.length) return undefined;
      this.peekedStart = this.pos;
      this.peeked = this.text.slice(this.pos, this.lineEnd(this.pos));
    }
    if (skip === 0) return this.peeked;
    while (this.more.length - this.moreFirst < skip) {
      if (this.pos >= this.text.length) return undefined;
      const start = this.pos;
      this.more.push(this.text.slice(start, this.lineEnd(start)));
      this.moreStarts.push(start);
    }
    return this.more[this.moreFirst + skip - 1];
  }

  /** A VcardError located at the start of the line last returned by `next()`. */
  error(code: VcardErrorCodeValue, message: string): VcardError {
    return new VcardError(code, message, this.byteOffset(this.lineStart));
  }

  /** Finds the end of the line starting at `start` and moves `pos` past its line break. */
  private lineEnd(start: number): number {
    const text = this.text;
    if (this.nextLf < start) {
      const lf = text.indexOf('\n', start);
      this.nextLf = lf < 0 ? text.length : lf;
    }
    if (this.nextCr < start) {
      const cr = text.indexOf('\r', start);
      this.nextCr = cr < 0 ? text.length : cr;
    }
    const lf = this.nextLf;
    const cr = this.nextCr;
    if (cr < lf) {
      if (cr < this.crRunStart || cr >= this.crRunEnd) {
        // Measure the run of CRs once: followed by LF it is one break, otherwise each CR is one.
        let after = cr + 1;
        while (after < text.length && text.charCodeAt(after) === CR) after++;
        this.crRunStart = cr;
        this.crRunEnd = after;
        this.crRunLf = after < text.length && text.charCodeAt(after) === LF;
      }
      this.pos = this.crRunLf ? this.crRunEnd + 1 : cr + 1;
      return cr;
    }
    this.pos = lf < text.length ? lf + 1 : text.length;
    return lf;
  }
}

/** True when the line starts with a space or tab, i.e. continues the previous line. */
export function isFolded(line: string): boolean {
  const c = line.charCodeAt(0);
  return c === SPACE || c === TAB;
}

/** True for an empty line or one of spaces and tabs only. */
export function isBlank(line: string): boolean {
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c !== SPACE && c !== TAB) return false;
  }
  return true;
}

/** How the value of a content line is stored, as far as joining its lines goes. */
export type ValueForm = 'text' | 'quoted-printable' | 'base64';

/** What `readContentLine` needs to know about the line it is building. */
export interface ContentLineHooks {
  /** Called once with the unfolded head of the line: how is its value stored? */
  form(unfolded: string): ValueForm;
  /** Is this non-blank next line (its head unfolded) a continuation of the value rather than a new line? */
  continues(line: string): boolean;
}

/** Most physical lines looked at to unfold the head of the next line. */
const HEAD_LOOKAHEAD = 16;
const NO_COLON = 0;
const NO_COLON_IN_QUOTES = 1;
const COLON = 2;

/**
 * Looks for a colon outside double quotes in `text` from `from`, starting
 * inside quotes when `quoted`: COLON when the head of a content line is
 * complete, else whether the text ends inside quotes.
 */
function scanHead(text: string, from: number, quoted: boolean): number {
  let inQuotes = quoted;
  for (let i = from; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) inQuotes = !inQuotes;
    else if (c === 0x3a /* : */ && !inQuotes) return COLON;
  }
  return inQuotes ? NO_COLON_IN_QUOTES : NO_COLON;
}

/** True when the line after the current one starts a new content line (the common case). */
function nextIsNew(reader: LineReader, hooks: ContentLineHooks): boolean {
  const peeked = reader.peek();
  return peeked === undefined || (!isFolded(peeked) && (isBlank(peeked) || !hooks.continues(unfoldedHead(reader, peeked))));
}

/**
 * Builds one content line starting with `first` (already taken from `reader`):
 * appends folded lines, then, while the property uses quoted-printable and the
 * last physical line ends with `=`, drops that `=` and appends the next line
 * as it is; lines that `hooks.continues` accepts are appended after a line
 * feed. Throws vcard.too-large past `maxLength` characters and
 * vcard.bad-encoding when a soft break runs into the end of the input.
 */
export function readContentLine(reader: LineReader, first: string, maxLength: number, hooks: ContentLineHooks): string {
  if (first.length > maxLength) {
    throw reader.error(VcardErrorCode.TooLarge, `content line longer than ${maxLength} characters`);
  }
  let state = scanHead(first, 0, false);
  if (state === COLON) {
    const form = hooks.form(first);
    if (form === 'base64') return readRegion(reader, first, maxLength, hooks);
    const softBreaks = form === 'quoted-printable';
    if (!(softBreaks && first.charCodeAt(first.length - 1) === 0x3d) && nextIsNew(reader, hooks)) return first;
    return assemble(reader, [first], first.length, softBreaks, maxLength, hooks);
  }
  // The head itself is folded: unfold until it is complete, then carry on as above.
  const parts = [first];
  let length = first.length;
  while (state !== COLON) {
    const line = reader.peek();
    if (line === undefined || !isFolded(line)) break;
    reader.next();
    parts.push(line.slice(1));
    length += line.length - 1;
    if (length > maxLength) throw reader.error(VcardErrorCode.TooLarge, `content line longer than ${maxLength} characters`);
    state = scanHead(line, 1, state === NO_COLON_IN_QUOTES);
  }
  return assemble(reader, parts, length, hooks.form(parts.join('')) === 'quoted-printable', maxLength, hooks);
}

/**
 * A base64 value whose head is on `first`: the input from `first` to the end
 * of its last folded or continuation line, line breaks and indentation left
 * in (base64 ignores whitespace), so no line is copied or joined.
 */
function readRegion(reader: LineReader, first: string, maxLength: number, hooks: ContentLineHooks): string {
  const start = reader.lineStop - first.length;
  let end = reader.lineStop;
  for (;;) {
    if (reader.nextIsFolded()) {
      reader.skip();
    } else {
      const peeked = reader.peek();
      if (peeked === undefined || isBlank(peeked) || !hooks.continues(unfoldedHead(reader, peeked))) break;
      reader.skip();
    }
    end = reader.lineStop;
    if (end - start > maxLength) throw reader.error(VcardErrorCode.TooLarge, `content line longer than ${maxLength} characters`);
  }
  return end === start + first.length ? first : reader.slice(start, end);
}

/** The general case of `readContentLine`: soft breaks, folds and continuation lines after `parts`. */
function assemble(reader: LineReader, parts: string[], length: number, softBreaks: boolean, maxLength: number, hooks: ContentLineHooks): string {
  let total = length;
  const add = (text: string): void => {
    parts.push(text);
    total += text.length;
    if (total > maxLength) throw reader.error(VcardErrorCode.TooLarge, `content line longer than ${maxLength} characters`);
  };
  for (;;) {
    const last = parts[parts.length - 1] as string;
    if (softBreaks && last.charCodeAt(last.length - 1) === 0x3d /* = */) {
      // A soft break wins over folding: the next line is appended as it is, leading space included.
      const next = reader.next();
      if (next === undefined) {
        throw reader.error(VcardErrorCode.BadEncoding, 'quoted-printable soft line break at the end of the input');
      }
      parts[parts.length - 1] = last.slice(0, -1);
      total--;
      add(next);
      continue;
    }
    const peeked = reader.peek();
    if (peeked === undefined) break;
    if (isFolded(peeked)) {
      reader.next();
      add(peeked.slice(1));
    } else if (!isBlank(peeked) && hooks.continues(unfoldedHead(reader, peeked))) {
      reader.next();
      add('\n');
      add(peeked);
    } else {
      break;
    }
  }
  return parts.length === 1 ? (parts[0] as string) : parts.join('');
}

/** The peeked line `first` with the folded lines after it joined, as far as its first colon (bounded). */
function unfoldedHead(reader: LineReader, first: string): string {
  if (first.indexOf(':') >= 0) return first;
  let head = first;
  for (let k = 1; k <= HEAD_LOOKAHEAD; k++) {
    const line = reader.peek(k);
    if (line === undefined || !isFolded(line)) break;
    head += line.slice(1);
    if (line.indexOf(':') >= 0) break;
  }
  return head;
}
