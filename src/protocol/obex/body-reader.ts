/**
 * Pulls an object body in packet-sized pieces from either a byte array or
 * an async iterable of chunks of any size. Holds at most one piece at a
 * time (plus the unread rest of the current source chunk), so a body
 * streamed through OBEX is never buffered whole.
 */
import { ObexError, ObexErrorKind } from './errors';

export type BodySource = Uint8Array | AsyncIterable<Uint8Array>;

export class BodyReader {
  private readonly array: Uint8Array | undefined;
  private arrayOffset = 0;
  private readonly iterator: AsyncIterator<Uint8Array> | undefined;
  /** Unread tail of the last chunk the iterator gave. */
  private pending: Uint8Array | undefined;
  private ended = false;
  /** The iterator said it is done (its last chunk may still be pending). */
  private sourceDone = false;

  constructor(source: BodySource) {
    if (source instanceof Uint8Array) {
      this.array = source;
    } else {
      this.iterator = source[Symbol.asyncIterator]();
    }
  }

  /** True once the source is exhausted and nothing is left to read. */
  get done(): boolean {
    return this.ended;
  }

  /**
   * Up to `max` (>= 1) bytes: exactly `max` unless the source ends first.
   * Returns undefined once the body is exhausted.
   */
  async read(max: number): Promise<Uint8Array | undefined> {
    if (!Number.isInteger(max) || max < 1) throw new ObexError(ObexErrorKind.BadValue, `read size ${max} is below 1`);
    if (this.ended) return undefined;
    if (this.array) {
      if (this.arrayOffset >= this.array.length) {
        this.ended = true;
        return undefined;
      }
      const piece = this.array.subarray(this.arrayOffset, this.arrayOffset + max);
      this.arrayOffset += piece.length;
      return piece;
    }
    return this.readIterator(max);
  }

  /** Stops the source early (calls the iterator's `return`), e.g. after an abort. */
  async cancel(): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    this.pending = undefined;
    try {
      await this.iterator?.return?.();
    } catch {
      // The source's own cleanup failing changes nothing for OBEX.
    }
  }

  private async readIterator(max: number): Promise<Uint8Array | undefined> {
    const iterator = this.iterator;
    const parts: Uint8Array[] = [];
    let size = 0;
    while (size < max && iterator) {
      let chunk = this.pending;
      this.pending = undefined;
      if (!chunk) {
        if (this.sourceDone) break;
        const next = await iterator.next();
        if (next.done === true) {
          this.sourceDone = true;
          break;
        }
        chunk = next.value;
        if (!(chunk instanceof Uint8Array)) {
          throw new ObexError(ObexErrorKind.BadValue, 'body source yielded something that is not a Uint8Array');
        }
      }
      const take = Math.min(chunk.length, max - size);
      if (take > 0) parts.push(chunk.subarray(0, take));
      size += take;
      if (take < chunk.length) this.pending = chunk.subarray(take);
    }
    if (size === 0) {
      this.ended = true;
      return undefined;
    }
    if (parts.length === 1) return parts[0];
    const out = new Uint8Array(size);
    let at = 0;
    for (const part of parts) {
      out.set(part, at);
      at += part.length;
    }
    return out;
  }
}
