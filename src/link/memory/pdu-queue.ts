/**
 * One direction's transmit queue on an in-memory link: a bounded FIFO of
 * ATT PDUs plus a small priority lane for LL control PDUs. Each entry
 * remembers when it was queued (it may go out only at a connection event
 * strictly later) and how many LL packets it still needs, so a large PDU
 * can span several connection events.
 */
import { QueueFullError } from '../errors';
import { LinkPdu } from './pdu';

export interface QueuedPdu {
  readonly pdu: LinkPdu;
  readonly kind: string;
  /** ATT PDU size (or LL control payload size) in bytes. */
  readonly bytes: number;
  /** LL data packets the whole PDU needs. */
  readonly llPackets: number;
  /** LL packets not yet sent. */
  remaining: number;
  /** Virtual time it was queued. */
  readonly queuedAt: number;
  readonly control: boolean;
  /** Called once the PDU has reached the other side. */
  readonly onDelivered?: () => void;
}

/** A FIFO with O(1) amortised removal from the front. */
class Fifo<T> {
  private items: T[] = [];
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  push(item: T): void {
    this.items.push(item);
  }

  peek(): T | undefined {
    return this.head < this.items.length ? this.items[this.head] : undefined;
  }

  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head++];
    if (this.head > 64 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }

  clear(): void {
    this.items = [];
    this.head = 0;
  }
}

export class PduQueue {
  private readonly data = new Fifo<QueuedPdu>();
  private readonly control = new Fifo<QueuedPdu>();

  constructor(
    /** Most ATT PDUs the data lane may hold (responses excepted, see `push`). */
    readonly limit: number,
    private readonly label: string,
  ) {}

  /** ATT PDUs waiting (including one partly sent). */
  get dataLength(): number {
    return this.data.length;
  }

  get isEmpty(): boolean {
    return this.data.length === 0 && this.control.length === 0;
  }

  /** True when `extra` more ATT PDUs would not fit. */
  wouldOverflow(extra = 1): boolean {
    return this.data.length + extra > this.limit;
  }

  /**
   * Adds a PDU. Control PDUs and `exempt` ATT PDUs (responses and
   * confirmations, of which a link has at most a couple in flight by
   * protocol rule) skip the limit; anything else beyond it is refused.
   */
  push(entry: QueuedPdu, exempt = false): void {
    if (entry.control) {
      this.control.push(entry);
      return;
    }
    if (!exempt && this.data.length >= this.limit) throw new QueueFullError(this.label, this.limit);
    this.data.push(entry);
  }

  /** The next PDU allowed out at a connection event at `time`: control first, then the data head. */
  peekEligible(time: number): QueuedPdu | undefined {
    const control = this.control.peek();
    if (control && control.queuedAt < time) return control;
    const data = this.data.peek();
    if (data && data.queuedAt < time) return data;
    return undefined;
  }

  /** Removes `entry`, which must be the one `peekEligible` returned. */
  remove(entry: QueuedPdu): void {
    if (this.control.peek() === entry) this.control.shift();
    else if (this.data.peek() === entry) this.data.shift();
  }

  /** Empties the queue, returning how many PDUs were discarded. */
  clear(): number {
    const n = this.data.length + this.control.length;
    this.data.clear();
    this.control.clear();
    return n;
  }
}
