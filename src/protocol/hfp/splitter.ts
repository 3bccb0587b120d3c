/**
 * Streaming line splitters for the AT channel, fed chunk by chunk as bytes
 * arrive (a chunk may end anywhere, even inside a UTF-8 character).
 *
 * - `ResultLineSplitter` (HF side) cuts the AG's `\r\n<line>\r\n` output
 *   into result lines. It is forgiving: `\r`, `\n` and `\r\n` all end a
 *   line, empty lines are skipped, a missing leading CRLF does not matter,
 *   and a garbled line only costs that line.
 * - `CommandLineSplitter` (AG side) cuts the HF's `AT...\r` input into
 *   command lines, tolerating `\n` or `\r\n` endings, a stray leading `\r`
 *   and bytes before `AT` (reported, then skipped).
 *
 * Both are bounded: a line longer than `maxLineLength` bytes is dropped
 * with an `hfp.line-too-long` error event and the splitter resynchronises at
 * the next terminator; lines holding control bytes are dropped with
 * `hfp.bad-character`. `push` never throws on any input.
 */
import { HfpError, HfpErrorCode } from './errors';
import { HFP_MAX_LINE_LENGTH } from '../../limits';

export type SplitterEvent =
  /** A line without terminator or outer spaces; `offset` is the stream byte offset of its first byte. */
  | { kind: 'line'; text: string; offset: number }
  | { kind: 'error'; error: HfpError };

export interface SplitterOptions {
  /** Longest line kept, in bytes, terminator excluded. Default 512. */
  maxLineLength?: number;
}

export const DEFAULT_MAX_LINE_LENGTH = HFP_MAX_LINE_LENGTH;

const CR = 0x0d;
const LF = 0x0a;
const TAB = 0x09;
const SPACE = 0x20;
const DEL = 0x7f;

const utf8 = new TextDecoder('utf-8');

function isControl(byte: number): boolean {
  return (byte < SPACE && byte !== TAB) || byte === DEL;
}

/** Shared byte-level machinery: terminators, the length bound and resynchronisation. */
abstract class LineSplitter {
  private readonly maxLineLength: number;
  private buffer: Uint8Array;
  private length = 0;
  private lineStart = 0;
  private streamOffset = 0;
  private discarding = false;

  constructor(options: SplitterOptions = {}) {
    const max = options.maxLineLength ?? DEFAULT_MAX_LINE_LENGTH;
    if (!Number.isInteger(max) || max < 1) {
      throw new HfpError(HfpErrorCode.BadValue, `maxLineLength must be a positive integer, got ${max}`);
    }
    this.maxLineLength = max;
    this.buffer = new Uint8Array(Math.min(max, 64));
  }

  /** Bytes held for a line that has not ended yet. */
  get pendingBytes(): number {
    return this.length;
  }

  /** Total bytes pushed so far. */
  get bytesSeen(): number {
    return this.streamOffset;
  }

  /** Feeds a chunk; returns the lines it completed and any errors, in stream order. */
  push(chunk: Uint8Array): SplitterEvent[] {
    const events: SplitterEvent[] = [];
    for (const byte of chunk) {
      const offset = this.streamOffset++;
      if (byte === CR || byte === LF) {
        if (!this.discarding && this.length > 0) this.finishLine(this.buffer.subarray(0, this.length), this.lineStart, events);
        this.discarding = false;
        this.length = 0;
        continue;
      }
      if (this.discarding) continue;
      if (this.length === 0) this.lineStart = offset;
      if (this.length >= this.maxLineLength) {
        events.push({
          kind: 'error',
          error: new HfpError(
            HfpErrorCode.LineTooLong,
            `line longer than ${this.maxLineLength} bytes dropped`,
            this.lineStart,
          ),
        });
        this.discarding = true;
        this.length = 0;
        continue;
      }
      this.append(byte);
    }
    return events;
  }

  /** Forgets any partial line (e.g. after the channel reconnects). */
  reset(): void {
    this.length = 0;
    this.discarding = false;
  }

  /** Turns the bytes of one complete, non-empty line into events. */
  protected abstract finishLine(bytes: Uint8Array, offset: number, events: SplitterEvent[]): void;

  /** Emits `bytes` as a line after trimming spaces, unless it holds control bytes. */
  protected emitText(bytes: Uint8Array, offset: number, events: SplitterEvent[]): void {
    let start = 0;
    let end = bytes.length;
    while (start < end && (bytes[start] === SPACE || bytes[start] === TAB)) start++;
    while (end > start && (bytes[end - 1] === SPACE || bytes[end - 1] === TAB)) end--;
    if (start === end) return;
    const body = bytes.subarray(start, end);
    const bad = body.findIndex(isControl);
    if (bad >= 0) {
      events.push({
        kind: 'error',
        error: new HfpError(HfpErrorCode.BadCharacter, 'line with a control byte dropped', offset + start + bad),
      });
      return;
    }
    events.push({ kind: 'line', text: utf8.decode(body), offset: offset + start });
  }

  private append(byte: number): void {
    if (this.length === this.buffer.length) {
      const grown = new Uint8Array(Math.min(this.maxLineLength, this.buffer.length * 2));
      grown.set(this.buffer);
      this.buffer = grown;
    }
    this.buffer[this.length++] = byte;
  }
}

/** HF side: splits the AG's output into result lines. */
export class ResultLineSplitter extends LineSplitter {
  protected finishLine(bytes: Uint8Array, offset: number, events: SplitterEvent[]): void {
    this.emitText(bytes, offset, events);
  }
}

const A_UPPER = 0x41;
const A_LOWER = 0x61;
const T_UPPER = 0x54;
const T_LOWER = 0x74;

function findAt(bytes: Uint8Array): number {
  for (let i = 0; i + 1 < bytes.length; i++) {
    const a = bytes[i];
    const t = bytes[i + 1];
    if ((a === A_UPPER || a === A_LOWER) && (t === T_UPPER || t === T_LOWER)) return i;
  }
  return -1;
}

/** AG side: splits the HF's input into command lines, each starting with `AT`. */
export class CommandLineSplitter extends LineSplitter {
  protected finishLine(bytes: Uint8Array, offset: number, events: SplitterEvent[]): void {
    let start = 0;
    while (start < bytes.length && (bytes[start] === SPACE || bytes[start] === TAB)) start++;
    if (start === bytes.length) return;
    const at = findAt(bytes);
    if (at < 0) {
      events.push({
        kind: 'error',
        error: new HfpError(HfpErrorCode.Garbage, `${bytes.length - start} bytes without 'AT' dropped`, offset + start),
      });
      return;
    }
    if (at > start) {
      events.push({
        kind: 'error',
        error: new HfpError(HfpErrorCode.Garbage, `${at - start} bytes before 'AT' skipped`, offset + start),
      });
    }
    this.emitText(bytes.subarray(at), offset + at, events);
  }
}
