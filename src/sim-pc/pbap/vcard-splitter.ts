/**
 * Cuts complete `BEGIN:VCARD` .. `END:VCARD` blocks out of a phone book
 * body as its bytes arrive, in chunks cut anywhere, so each card can be
 * parsed on its own while the transfer runs. Works on bytes (a 2.1 body
 * may mix charsets), accepts CRLF, LF or CR line ends, and is bounded: a
 * card over `maxCardBytes` is skipped (its bytes are not kept).
 *
 * What it reports besides cards: text outside any card (`junk`), a card
 * cut off by the next `BEGIN:VCARD` or by the end of the body
 * (`truncated`), and an oversize card (`too-large`). A `BEGIN:VCARD` right
 * after a 2.1 `AGENT:` line opens a nested card; anywhere else inside a
 * card it means the previous card never ended.
 */
import { PBAP_MAX_CARD_BYTES } from '../../limits';

export type SplitItem =
  | { kind: 'card'; bytes: Uint8Array; offset: number }
  | { kind: 'skipped'; reason: 'junk' | 'truncated' | 'too-large'; offset: number; length: number };

export interface VcardSplitterOptions {
  /** Largest card kept, in bytes. Default 4 MiB. */
  maxCardBytes?: number;
}

export const DEFAULT_MAX_CARD_BYTES = PBAP_MAX_CARD_BYTES;

const CR = 0x0d;
const LF = 0x0a;
/** Longest line still looked at as a possible BEGIN/END/AGENT marker. */
const MARKER_LINE_MAX = 40;

const BEGIN_LINE = Uint8Array.from('BEGIN:VCARD', (c) => c.charCodeAt(0));

type LineKind = 'begin' | 'end' | 'agent' | 'blank' | 'other';

export class VcardSplitter {
  private readonly maxCardBytes: number;
  /** Absolute offset of the next byte pushed. */
  private position = 0;
  /** Start of the line being read, and its first bytes. */
  private lineStart = 0;
  private readonly head = new Uint8Array(MARKER_LINE_MAX);
  private headLength = 0;
  private lineLength = 0;
  private afterCr = false;
  /** Inside a card: nesting depth (0 outside), where it started, its bytes so far. */
  private depth = 0;
  private cardStart = 0;
  private parts: Uint8Array[] = [];
  private cardBytes = 0;
  private oversize = false;
  private previousLine: LineKind = 'blank';
  /** A run of junk lines outside cards, reported once when it ends. */
  private junkStart = -1;
  private junkEnd = 0;

  constructor(options: VcardSplitterOptions = {}) {
    this.maxCardBytes = options.maxCardBytes ?? DEFAULT_MAX_CARD_BYTES;
  }

  /** Bytes taken so far. */
  get offset(): number {
    return this.position;
  }

  /** Takes the next bytes of the body; returns the blocks completed by them. */
  push(chunk: Uint8Array): SplitItem[] {
    const out: SplitItem[] = [];
    // Where the bytes of the open card start within this chunk (cards keep raw bytes).
    let keepFrom = 0;
    for (let i = 0; i < chunk.length; i++) {
      const byte = chunk[i] as number;
      const at = this.position + i;
      if (this.afterCr) {
        this.afterCr = false;
        if (byte === LF) {
          this.lineStart = at + 1;
          continue;
        }
      }
      if (byte === CR || byte === LF) {
        this.afterCr = byte === CR;
        const opened = this.endLine(at, out, () => this.keep(chunk.subarray(keepFrom, i)));
        // A card that just opened keeps its bytes from this line end on; outside cards nothing is kept.
        if (opened) keepFrom = i;
        else if (this.depth === 0) keepFrom = i + 1;
        this.lineStart = at + 1;
        continue;
      }
      if (this.headLength < MARKER_LINE_MAX) this.head[this.headLength++] = byte;
      this.lineLength++;
    }
    if (this.depth > 0) this.keep(chunk.subarray(keepFrom));
    this.position += chunk.length;
    return out;
  }

  /** The body is complete: reports an unfinished card or trailing junk. */
  end(): SplitItem[] {
    const out: SplitItem[] = [];
    if (this.lineLength > 0) {
      // A last line without a line end.
      this.endLine(this.position, out, () => undefined);
      this.lineStart = this.position;
    }
    if (this.depth > 0) this.skipCard('truncated', this.position, out);
    this.flushJunk(out);
    return out;
  }

  /** Handles the line that ends at `at`; true when it opened a new card. */
  private endLine(at: number, out: SplitItem[], keepLine: () => void): boolean {
    const kind = this.classify();
    const start = this.lineStart;
    this.headLength = 0;
    this.lineLength = 0;
    if (this.depth === 0) {
      this.previousLine = kind;
      if (kind === 'begin') {
        this.flushJunk(out);
        this.openCard(start);
        return true;
      }
      if (kind !== 'blank') {
        if (this.junkStart < 0) this.junkStart = start;
        this.junkEnd = at;
      }
      return false;
    }
    if (kind === 'begin' && this.previousLine !== 'agent') {
      // The open card never ended: report it and start over with this one.
      this.skipCard('truncated', start, out);
      this.openCard(start);
      this.previousLine = kind;
      return true;
    }
    if (kind === 'begin') this.depth++;
    if (kind === 'end') this.depth--;
    this.previousLine = kind;
    if (this.depth > 0) return false;
    keepLine();
    if (this.oversize) {
      out.push({ kind: 'skipped', reason: 'too-large', offset: this.cardStart, length: at - this.cardStart });
    } else {
      out.push({ kind: 'card', bytes: concat(this.parts, this.cardBytes), offset: this.cardStart });
    }
    this.resetCard();
    return false;
  }

  private openCard(start: number): void {
    this.depth = 1;
    this.cardStart = start;
    this.resetParts();
    // The BEGIN line may have started in an earlier chunk: the card starts with a clean copy of it.
    this.keep(BEGIN_LINE);
  }

  private skipCard(reason: 'truncated', end: number, out: SplitItem[]): void {
    out.push({ kind: 'skipped', reason: this.oversize ? 'too-large' : reason, offset: this.cardStart, length: end - this.cardStart });
    this.resetCard();
  }

  private resetCard(): void {
    this.depth = 0;
    this.resetParts();
  }

  private resetParts(): void {
    this.parts = [];
    this.cardBytes = 0;
    this.oversize = false;
  }

  private keep(bytes: Uint8Array): void {
    if (this.oversize || bytes.length === 0) return;
    if (this.cardBytes + bytes.length > this.maxCardBytes) {
      this.oversize = true;
      this.parts = [];
      return;
    }
    this.parts.push(Uint8Array.from(bytes));
    this.cardBytes += bytes.length;
  }

  private flushJunk(out: SplitItem[]): void {
    if (this.junkStart < 0) return;
    out.push({ kind: 'skipped', reason: 'junk', offset: this.junkStart, length: this.junkEnd - this.junkStart });
    this.junkStart = -1;
  }

  /** What the line just read is, from its first bytes. */
  private classify(): LineKind {
    if (this.lineLength > MARKER_LINE_MAX) return 'other';
    let text = '';
    for (let i = 0; i < this.headLength; i++) text += String.fromCharCode(this.head[i] as number);
    const trimmed = text.trim().toUpperCase();
    if (trimmed === '') return 'blank';
    const compact = trimmed.replace(/\s*:\s*/, ':');
    if (compact === 'BEGIN:VCARD') return 'begin';
    if (compact === 'END:VCARD') return 'end';
    if (/^([A-Z0-9-]+\.)?AGENT(;[^:]*)?:$/.test(compact)) return 'agent';
    return 'other';
  }
}

function concat(parts: readonly Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
