/**
 * The order packets reach the capture file in. Synthesisers append packets
 * as tap events arrive; when a packet's bytes depend on something only a
 * later event tells (which service an ATT discovery request was for, the
 * MTU a client offered), they reserve its place and fill it later, and
 * everything behind the reservation waits. The queue is bounded: past the
 * limit the oldest reservation is filled with its fallback. Also hands out
 * HCI connection handles, which BLE and BR/EDR links share on one HCI.
 */
import { CaptureError, CaptureErrorKind } from './errors';
import { HciPacket, MAX_CONNECTION_HANDLE } from './hci-packets';

/** A reserved place in the timeline. */
export interface Slot {
  readonly filled: boolean;
  /** Puts the packets in the reserved place (only the first call counts). */
  fill(packets: readonly HciPacket[]): void;
}

/** What synthesisers write to. `time` is link time in ms (the tap's clock). */
export interface PacketTimeline {
  add(time: number, packets: readonly HciPacket[]): void;
  reserve(time: number, fallback: () => HciPacket[]): Slot;
}

interface Entry {
  time: number;
  packets: readonly HciPacket[] | undefined;
  fallback: (() => HciPacket[]) | undefined;
}

/** Entries held behind an unfilled reservation before the oldest one is forced. */
export const DEFAULT_TIMELINE_LIMIT = 10_000;

export class OrderedTimeline implements PacketTimeline {
  private readonly queue: Entry[] = [];
  private head = 0;

  constructor(
    private readonly out: (time: number, packet: HciPacket) => void,
    private readonly limit = DEFAULT_TIMELINE_LIMIT,
  ) {}

  /** Entries waiting behind a reservation. */
  get pending(): number {
    return this.queue.length - this.head;
  }

  add(time: number, packets: readonly HciPacket[]): void {
    if (packets.length === 0) return;
    this.queue.push({ time, packets, fallback: undefined });
    this.drain();
  }

  reserve(time: number, fallback: () => HciPacket[]): Slot {
    const entry: Entry = { time, packets: undefined, fallback };
    this.queue.push(entry);
    const slot: Slot = {
      get filled() {
        return entry.packets !== undefined;
      },
      fill: (packets) => {
        if (entry.packets !== undefined) return;
        entry.packets = [...packets];
        entry.fallback = undefined;
        this.drain();
      },
    };
    this.drain();
    return slot;
  }

  /** Fills every open reservation with its fallback and writes everything out. */
  flushAll(): void {
    for (let i = this.head; i < this.queue.length; i++) this.force(this.queue[i] as Entry);
    this.drain();
  }

  private force(entry: Entry): void {
    if (entry.packets !== undefined) return;
    const fallback = entry.fallback;
    entry.fallback = undefined;
    entry.packets = fallback ? fallback() : [];
  }

  private drain(): void {
    if (this.pending > this.limit) this.force(this.queue[this.head] as Entry);
    while (this.head < this.queue.length) {
      const entry = this.queue[this.head] as Entry;
      if (entry.packets === undefined) break;
      this.head++;
      for (const packet of entry.packets) this.out(entry.time, packet);
    }
    if (this.head === this.queue.length) {
      this.queue.length = 0;
      this.head = 0;
    } else if (this.head > 1024) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
  }
}

/** Connection handles in use on the PC's HCI, shared by LE and BR/EDR. */
export class ConnectionHandles {
  private readonly used = new Set<number>();
  private next = 0x0001;

  allocate(): number {
    for (let tries = 0; tries < MAX_CONNECTION_HANDLE; tries++) {
      const handle = this.next;
      this.next = this.next >= MAX_CONNECTION_HANDLE ? 0x0001 : this.next + 1;
      if (!this.used.has(handle)) {
        this.used.add(handle);
        return handle;
      }
    }
    throw new CaptureError(CaptureErrorKind.QueueFull, `all ${MAX_CONNECTION_HANDLE} connection handles are in use`);
  }

  release(handle: number): void {
    this.used.delete(handle);
  }
}
