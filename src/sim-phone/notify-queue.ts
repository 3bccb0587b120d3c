/**
 * A bounded, ordered queue of GATT notifications to one peer. Values go out
 * in the order queued, across characteristics, on a zero-delay clock timer
 * (so a reply follows the write response that caused it). When the link's
 * transmit queue is full the rest waits and is retried on a clock timer;
 * no byte is dropped for back-pressure. A value the link refuses for any
 * other reason (peer unsubscribed or gone) is dropped and reported.
 */
import { Clock, Timer } from '../link/clock';
import { GattPeer, GattServerHost, Uuid } from '../link/ble';
import { LinkError, QueueFullError } from '../link/errors';

export interface NotifyQueueOptions {
  host: GattServerHost;
  clock: Clock;
  peer: GattPeer;
  /** Most values waiting at once; `enqueue` past it throws QueueFullError. */
  limit: number;
  /** Delay before trying again after the link said its queue was full. */
  retryMs: number;
  onSent?(characteristic: Uuid, value: Uint8Array): void;
  onDropped?(characteristic: Uuid, value: Uint8Array, err: LinkError): void;
  /** The link's queue was full; a retry is scheduled. */
  onBackPressure?(): void;
}

interface Entry {
  characteristic: Uuid;
  value: Uint8Array;
}

export class NotifyQueue {
  private readonly entries: Entry[] = [];
  private head = 0;
  private timer: Timer | undefined;
  private closed = false;
  private peer: GattPeer;

  constructor(private readonly options: NotifyQueueOptions) {
    if (!(Number.isInteger(options.limit) && options.limit >= 1)) throw new RangeError(`notify queue limit ${options.limit} must be positive`);
    this.peer = options.peer;
  }

  /** Values waiting to be handed to the link. */
  get length(): number {
    return this.entries.length - this.head;
  }

  /** True while a flush or a retry timer is pending. */
  get busy(): boolean {
    return this.timer?.pending ?? false;
  }

  /** The connection view to send on (a newer one after an MTU change). */
  setPeer(peer: GattPeer): void {
    this.peer = peer;
  }

  /**
   * Queues every value, or none: throws QueueFullError if they do not all
   * fit, so a multi-fragment reply is never half queued.
   */
  enqueue(characteristic: Uuid, values: readonly Uint8Array[]): void {
    if (this.closed) throw new LinkError('sim-phone.queue-closed', 'notify queue is closed');
    if (this.length + values.length > this.options.limit) throw new QueueFullError('ANCS notification', this.options.limit);
    for (const value of values) this.entries.push({ characteristic, value });
    this.arm(0);
  }

  /** Drops everything and cancels the timer (peer gone). */
  close(): void {
    this.closed = true;
    this.timer?.cancel();
    this.timer = undefined;
    this.entries.length = 0;
    this.head = 0;
  }

  private arm(delayMs: number): void {
    if (this.timer?.pending || this.length === 0) return;
    this.timer = this.options.clock.schedule(delayMs, () => this.flush());
  }

  private flush(): void {
    this.timer = undefined;
    while (!this.closed && this.head < this.entries.length) {
      const entry = this.entries[this.head];
      if (!entry) break;
      try {
        this.options.host.notify(this.peer, entry.characteristic, entry.value);
      } catch (err) {
        if (err instanceof QueueFullError) {
          this.options.onBackPressure?.();
          this.compact();
          this.arm(this.options.retryMs);
          return;
        }
        if (!(err instanceof LinkError)) throw err;
        this.head++;
        this.options.onDropped?.(entry.characteristic, entry.value, err);
        continue;
      }
      this.head++;
      this.options.onSent?.(entry.characteristic, entry.value);
    }
    this.compact();
  }

  private compact(): void {
    if (this.head === 0) return;
    this.entries.splice(0, this.head);
    this.head = 0;
  }
}
