/**
 * A channel end's unsent bytes: written chunks in order, from which the
 * transmitter cuts frames of at most a given size (a frame may join the end
 * of one write and the start of the next). The byte limit is enforced by
 * the caller, which knows what to throw.
 */
export class ByteQueue {
  private chunks: Uint8Array[] = [];
  private head = 0;
  /** Bytes of the head chunk already taken. */
  private offset = 0;
  private total = 0;

  /** Bytes queued. */
  get length(): number {
    return this.total;
  }

  /** Appends `chunk` (kept by reference: copy first if the caller may change it). */
  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.total += chunk.length;
  }

  /** Removes and returns up to `max` (>= 1) bytes from the front; empty when nothing is queued. */
  take(max: number): Uint8Array {
    const size = Math.min(max, this.total);
    const first = this.chunks[this.head];
    if (!first || size === 0) return new Uint8Array(0);
    if (first.length - this.offset >= size) {
      const view = first.subarray(this.offset, this.offset + size);
      this.advance(size);
      return view;
    }
    const out = new Uint8Array(size);
    let filled = 0;
    while (filled < size) {
      const chunk = this.chunks[this.head] as Uint8Array;
      const n = Math.min(size - filled, chunk.length - this.offset);
      out.set(chunk.subarray(this.offset, this.offset + n), filled);
      filled += n;
      this.advance(n);
    }
    return out;
  }

  /** Empties the queue, returning how many bytes were discarded. */
  clear(): number {
    const n = this.total;
    this.chunks = [];
    this.head = 0;
    this.offset = 0;
    this.total = 0;
    return n;
  }

  private advance(n: number): void {
    this.total -= n;
    this.offset += n;
    const chunk = this.chunks[this.head];
    if (chunk && this.offset >= chunk.length) {
      this.head++;
      this.offset = 0;
      if (this.head > 64 && this.head * 2 > this.chunks.length) {
        this.chunks = this.chunks.slice(this.head);
        this.head = 0;
      }
    }
  }
}
