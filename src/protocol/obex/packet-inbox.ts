/**
 * The hand-off between a session's `receive()` and the operation consuming
 * packets: a bounded FIFO with at most one waiter, whose wait is limited by
 * a Clock timer (armed only while someone waits, so an idle session keeps
 * no timer alive).
 */
import type { Clock, Timer } from '../../link/clock';
import { ObexError, ObexErrorKind } from './errors';

interface Waiter {
  resolve: (packet: Uint8Array) => void;
  reject: (err: Error) => void;
  onTake: (() => void) | undefined;
  timer: Timer | undefined;
}

export type PushResult = 'delivered' | 'queued' | 'full';

export class PacketInbox {
  private readonly queue: Uint8Array[] = [];
  private waiter: Waiter | undefined;

  constructor(
    private readonly clock: Clock,
    /** Most packets held while nobody is waiting. */
    readonly limit: number,
  ) {}

  /** Packets waiting to be taken. */
  get length(): number {
    return this.queue.length;
  }

  /** True while a `next()` call is waiting. */
  get waiting(): boolean {
    return this.waiter !== undefined;
  }

  /** Hands `packet` to the waiter, or queues it; 'full' (packet dropped) when the queue is at its limit. */
  push(packet: Uint8Array): PushResult {
    const waiter = this.waiter;
    if (waiter) {
      this.waiter = undefined;
      waiter.timer?.cancel();
      waiter.onTake?.();
      waiter.resolve(packet);
      return 'delivered';
    }
    if (this.queue.length >= this.limit) return 'full';
    this.queue.push(packet);
    return 'queued';
  }

  /** Takes a queued packet without waiting. */
  shift(onTake?: () => void): Uint8Array | undefined {
    const packet = this.queue.shift();
    if (packet) onTake?.();
    return packet;
  }

  /**
   * The next packet. Rejects with `onTimeout()` when none arrives within
   * `timeoutMs` (no limit when undefined). `onTake` runs synchronously at
   * the moment the packet is handed over. Only one caller may wait at a time.
   */
  next(timeoutMs: number | undefined, onTimeout: () => Error, onTake?: () => void): Promise<Uint8Array> {
    const queued = this.shift(onTake);
    if (queued) return Promise.resolve(queued);
    if (this.waiter) return Promise.reject(new ObexError(ObexErrorKind.Busy, 'a second caller is already waiting for a packet'));
    return new Promise<Uint8Array>((resolve, reject) => {
      const waiter: Waiter = { resolve, reject, onTake, timer: undefined };
      if (timeoutMs !== undefined) {
        waiter.timer = this.clock.schedule(timeoutMs, () => {
          if (this.waiter !== waiter) return;
          this.waiter = undefined;
          reject(onTimeout());
        });
      }
      this.waiter = waiter;
    });
  }

  /** Puts a packet just taken back at the head of the queue (a waiter, if any, gets it). */
  unshift(packet: Uint8Array): void {
    const waiter = this.waiter;
    if (waiter) {
      this.push(packet);
      return;
    }
    this.queue.unshift(packet);
  }

  /** Rejects a pending `next()` with `err` (no-op when nobody waits). */
  interrupt(err: Error): void {
    const waiter = this.waiter;
    if (!waiter) return;
    this.waiter = undefined;
    waiter.timer?.cancel();
    waiter.reject(err);
  }

  /** Drops queued packets (and keeps any waiter). */
  clear(): void {
    this.queue.length = 0;
  }
}
