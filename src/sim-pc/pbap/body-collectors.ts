/**
 * OBEX GET sinks for the PBAP client: one that turns a phone book body into
 * cards while it streams (vCard splitter, then the vCard parser on each
 * block, with malformed cards reported and skipped), and one that gathers
 * a small body (a listing or a single entry) up to a limit. Both pick up
 * the response's application parameters.
 */
import type { GetSink } from '../../protocol/obex/client-types';
import { readAppParams } from '../../protocol/obex/header-values';
import type { ObexHeader } from '../../protocol/obex/headers';
import { decodePbapParams, type PbapParams } from '../../protocol/pbap/app-params';
import { isVcardError } from '../../protocol/vcard/errors';
import type { Vcard } from '../../protocol/vcard/model';
import { parseVcards } from '../../protocol/vcard/parser';
import { PbapLimitError } from './errors';
import type { SkippedCard } from './pbap-types';
import { VcardSplitter, type SplitItem } from './vcard-splitter';

/** Merges the application parameters of each response that carries them (later values win). */
class ParamsSink {
  params: PbapParams = {};

  onHeaders(headers: ObexHeader[]): void {
    const raw = readAppParams(headers);
    if (raw === undefined) return;
    const decoded = decodePbapParams(raw);
    const unknown = [...(this.params.unknown ?? []), ...(decoded.unknown ?? [])];
    this.params = { ...this.params, ...decoded };
    if (unknown.length > 0) this.params.unknown = unknown;
  }
}

export interface PhonebookCollectorOptions {
  name: string;
  maxCards: number;
  maxCardBytes: number;
  onCard: ((card: Vcard, index: number) => void) | undefined;
  onSkipped: (card: SkippedCard) => void;
  /** After each body chunk: bytes and good cards so far. */
  onProgress: (bytes: number, cards: number) => void;
}

export class PhonebookCollector extends ParamsSink implements GetSink {
  readonly cards: Vcard[] = [];
  readonly skipped: SkippedCard[] = [];
  entries = 0;
  bytes = 0;
  private readonly splitter: VcardSplitter;

  constructor(private readonly options: PhonebookCollectorOptions) {
    super();
    this.splitter = new VcardSplitter({ maxCardBytes: options.maxCardBytes });
  }

  onBody(chunk: Uint8Array): void {
    this.bytes += chunk.length;
    this.take(this.splitter.push(chunk));
    this.options.onProgress(this.bytes, this.cards.length);
  }

  /** The body is complete: handles what the splitter still holds. */
  finish(): void {
    this.take(this.splitter.end());
  }

  private take(items: SplitItem[]): void {
    for (const item of items) {
      if (item.kind === 'skipped') {
        if (item.reason !== 'junk') this.entries++;
        this.skip(item.offset, item.reason, describeSkip(item.reason, item.length));
        continue;
      }
      this.entries++;
      let parsed: Vcard[];
      try {
        parsed = parseVcards(item.bytes, { maxInputBytes: this.options.maxCardBytes });
      } catch (err) {
        if (!isVcardError(err)) throw err;
        this.skip(item.offset + (err.offset ?? 0), err.code, err.message);
        continue;
      }
      for (const card of parsed) this.add(card);
    }
  }

  private add(card: Vcard): void {
    if (this.cards.length >= this.options.maxCards) throw new PbapLimitError(`cards in ${this.options.name}`, this.options.maxCards);
    this.cards.push(card);
    this.options.onCard?.(card, this.entries - 1);
  }

  private skip(offset: number, reason: string, message: string): void {
    // A phone that sends nothing but bad cards is bounded like one that sends good ones.
    if (this.skipped.length >= this.options.maxCards) throw new PbapLimitError(`skipped cards in ${this.options.name}`, this.options.maxCards);
    const skipped: SkippedCard = { name: this.options.name, offset, reason, message };
    this.skipped.push(skipped);
    this.options.onSkipped(skipped);
  }
}

function describeSkip(reason: string, length: number): string {
  switch (reason) {
    case 'junk':
      return `${length} bytes of text outside any vCard`;
    case 'truncated':
      return `a vCard of ${length} bytes has no END:VCARD`;
    default:
      return `a vCard of ${length} bytes or more is over the size limit`;
  }
}

/** Gathers a whole body up to `maxBytes` (PbapLimitError beyond). */
export class BufferCollector extends ParamsSink implements GetSink {
  private readonly parts: Uint8Array[] = [];
  bytes = 0;

  constructor(
    private readonly what: string,
    private readonly maxBytes: number,
    private readonly onProgress: (bytes: number) => void,
  ) {
    super();
  }

  onBody(chunk: Uint8Array): void {
    if (this.bytes + chunk.length > this.maxBytes) throw new PbapLimitError(`${this.what} body`, this.maxBytes);
    this.parts.push(Uint8Array.from(chunk));
    this.bytes += chunk.length;
    this.onProgress(this.bytes);
  }

  body(): Uint8Array {
    const out = new Uint8Array(this.bytes);
    let at = 0;
    for (const part of this.parts) {
      out.set(part, at);
      at += part.length;
    }
    return out;
  }
}
