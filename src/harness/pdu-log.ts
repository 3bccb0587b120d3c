/**
 * The bounded log of PDUs a testbed's link delivered: at most `limit`
 * entries, the oldest dropped first and counted. Positions are absolute
 * (`mark()`), so a step that remembers where it started can ask for what
 * came after; when the log has already dropped part of that, it gets a
 * typed `PduLogOverflowError` instead of a silently shifted answer.
 */
import { PDU_LOG_LIMIT } from '../limits';

/** The entries a caller asked for were dropped from the bounded log. */
export class PduLogOverflowError extends Error {
  readonly code = 'harness.pdu-log-overflow';
  constructor(
    readonly mark: number,
    readonly dropped: number,
    readonly limit: number,
  ) {
    super(`the PDU log keeps ${limit} entries and has dropped ${dropped}; entries from position ${mark} on are no longer all there`);
    this.name = 'PduLogOverflowError';
  }
}

export class PduLog<T> {
  private readonly items: T[] = [];
  private droppedCount = 0;

  constructor(readonly limit: number = PDU_LOG_LIMIT) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`PDU log limit ${limit} must be a positive integer`);
  }

  /** The retained entries, oldest first (a live view; do not modify). */
  get entries(): readonly T[] {
    return this.items;
  }

  /** Entries dropped so far to stay within the limit. */
  get dropped(): number {
    return this.droppedCount;
  }

  push(item: T): void {
    this.items.push(item);
    if (this.items.length > this.limit) {
      this.items.shift();
      this.droppedCount++;
    }
  }

  /** The absolute position of the next entry. */
  mark(): number {
    return this.droppedCount + this.items.length;
  }

  /** Every entry logged since `mark`; throws PduLogOverflowError if some of them were dropped. */
  since(mark: number): T[] {
    if (mark < this.droppedCount) throw new PduLogOverflowError(mark, this.droppedCount, this.limit);
    return this.items.slice(mark - this.droppedCount);
  }
}
