/**
 * One end of an in-memory SCO/eSCO channel: the ScoChannel the phone or the
 * PC holds. It checks and queues host packets (bounded), hands the
 * connection the oldest one queued strictly before a slot, emits arriving
 * packets while open, and records why it closed.
 */
import { DisconnectReason } from '../../att-codes';
import { DisconnectedError, LinkError, QueueFullError } from '../../errors';
import { ScoAirMode, ScoChannel, ScoChannelEvents } from '../../sco';
import { Emitter } from '../../../util/emitter';
import type { MemoryScoConnection } from './sco-connection';

/** Which device holds an end. */
export type ScoSide = 'phone' | 'pc';

type EndState = 'opening' | 'open' | 'closed';

interface QueuedPacket {
  data: Uint8Array;
  queuedAt: number;
}

export class MemoryScoChannel implements ScoChannel {
  readonly events = new Emitter<ScoChannelEvents>();
  private state: EndState;
  private readonly queue: QueuedPacket[] = [];
  private reason: number | undefined;

  constructor(
    private readonly connection: MemoryScoConnection,
    readonly side: ScoSide,
    opened: boolean,
  ) {
    this.state = opened ? 'open' : 'opening';
    this.events.onListenerError = (error) => connection.reportHandlerError(side, error);
  }

  get handle(): number {
    return this.connection.handle;
  }
  /** This end's own device address. */
  get address(): string {
    return this.side === 'phone' ? this.connection.phoneAddress : this.connection.pcAddress;
  }
  get peerAddress(): string {
    return this.side === 'phone' ? this.connection.pcAddress : this.connection.phoneAddress;
  }
  get airMode(): ScoAirMode {
    return this.connection.settings.airMode;
  }
  get packetBytes(): number {
    return this.connection.settings.packetBytes;
  }
  get hostPacketBytes(): number {
    return this.connection.settings.hostPacketBytes;
  }
  get intervalMs(): number {
    return this.connection.settings.intervalMs;
  }
  get open(): boolean {
    return this.state === 'open';
  }
  get pendingPackets(): number {
    return this.queue.length;
  }
  get maxPendingPackets(): number {
    return this.connection.settings.maxPendingPackets;
  }
  /** The reason this end's 'close' carried (or would have, had it opened), once closed. */
  get closeReason(): number | undefined {
    return this.reason;
  }

  send(packet: Uint8Array): void {
    if (this.state !== 'open') throw new DisconnectedError(this.reason ?? DisconnectReason.LocalHostTerminated);
    const size = this.hostPacketBytes;
    if (packet.length !== size) {
      throw new LinkError('link.sco-bad-packet', `an SCO packet on this channel is ${size} bytes, got ${packet.length}`);
    }
    if (this.queue.length >= this.maxPendingPackets) {
      throw new QueueFullError(`SCO channel ${this.handle} ${this.side} transmit`, this.maxPendingPackets);
    }
    this.queue.push({ data: packet.slice(), queuedAt: this.connection.clock.now() });
  }

  close(): Promise<void> {
    return this.connection.closeFrom(this.side);
  }

  // ---- used by the rest of memory/sco ----

  /** Opens an end that was waiting for the setup to finish. */
  activate(): void {
    if (this.state === 'opening') this.state = 'open';
  }

  /** The oldest packet queued strictly before `slotTime`, removed from the queue. */
  takeFor(slotTime: number): Uint8Array | undefined {
    const head = this.queue[0];
    if (!head || head.queuedAt >= slotTime) return undefined;
    this.queue.shift();
    return head.data;
  }

  /** A packet for this end's host; returns false when the end was not open to take it. */
  receive(data: Uint8Array, status: number): boolean {
    if (this.state !== 'open') return false;
    this.events.emit('packet', data, status);
    return true;
  }

  /** Closes this end with `reason`; an end that never opened closes silently. Returns packets discarded. */
  end(reason: number): number {
    if (this.state === 'closed') return 0;
    const wasOpen = this.state === 'open';
    this.state = 'closed';
    this.reason = reason;
    const discarded = this.queue.length;
    this.queue.length = 0;
    if (wasOpen) this.events.emit('close', reason);
    return discarded;
  }
}
