/**
 * One LE connection on the in-memory air, and its timing. Connection events
 * fall at anchor + k * interval; at each one, each direction sends a number
 * of LL packets drawn from the model, taking PDUs from its FIFO in order (a
 * PDU may go out only at an event strictly after it was queued, and a large
 * one may span events). Events are scheduled only while something is
 * queued, so an idle link leaves the clock idle. The link also holds the
 * per-connection state both ends read (MTU, encryption) and tears everything
 * down on disconnect.
 */
import { DisconnectReason } from '../att-codes';
import { Clock, Timer } from '../clock';
import { ATT_DEFAULT_MTU, BleLinkModel, llPacketsForAttPdu } from '../link-model';
import { Direction } from './air-events';
import { GattServerSession } from './gatt-server-session';
import type { MemoryAir } from './memory-air';
import type { MemoryCentral } from './memory-central';
import { MemoryConnection } from './memory-connection';
import { MemoryGattClient } from './memory-gatt-client';
import type { MemoryPeripheral } from './memory-peripheral';
import {
  CCCD_UUID,
  LinkPdu,
  LL_KEY_MISSING,
  isControlPdu,
  pduBytes,
  pduCharacteristic,
  pduKind,
  pduValue,
} from './pdu';
import { PduQueue, QueuedPdu } from './pdu-queue';

export interface SendOptions {
  /** Skip the queue limit (responses, confirmations: bounded by protocol rules). */
  exempt?: boolean;
  /** Runs when the PDU reaches the other side. */
  onDelivered?: () => void;
}

export class MemoryLink {
  readonly model: BleLinkModel;
  readonly clock: Clock;
  /** Virtual time the connection was established; connection events are anchored here. */
  readonly anchor: number;
  readonly server: GattServerSession;
  readonly client: MemoryGattClient;
  readonly connection: MemoryConnection;
  /** ATT MTU as the server applies it (set when the Exchange MTU request arrives). */
  serverMtu = ATT_DEFAULT_MTU;
  /** ATT MTU as the client applies it (set when the Exchange MTU response arrives). */
  clientMtu = ATT_DEFAULT_MTU;
  serverEncrypted = false;
  clientEncrypted = false;
  private open = true;
  private peripheralAttached = true;
  private peripheralReason: number = DisconnectReason.ConnectionTimeout;
  private closedReason: number | undefined;
  private readonly queues: Record<Direction, PduQueue>;
  private eventTimer: Timer | undefined;
  private terminateTimer: Timer | undefined;
  private supervisionTimer: Timer | undefined;
  private supervisionAt = Number.POSITIVE_INFINITY;

  constructor(
    readonly air: MemoryAir,
    readonly id: number,
    readonly central: MemoryCentral,
    readonly peripheral: MemoryPeripheral,
  ) {
    this.model = peripheral.model;
    this.clock = air.clock;
    this.anchor = this.clock.now();
    this.queues = {
      toPeripheral: new PduQueue(this.model.txQueueLimit, `connection ${id} central transmit`),
      toCentral: new PduQueue(this.model.txQueueLimit, `connection ${id} peripheral transmit`),
    };
    this.server = new GattServerSession(this);
    this.client = new MemoryGattClient(this);
    this.connection = new MemoryConnection(this);
  }

  /** True until the central's end is gone. */
  get isOpen(): boolean {
    return this.open;
  }

  /** True while the peripheral still holds this link (false once its Bluetooth went off). */
  get isAttached(): boolean {
    return this.open && this.peripheralAttached;
  }

  /** True while packets may move: attached and no local disconnect under way. */
  private get canMove(): boolean {
    return this.isAttached && this.terminateTimer === undefined;
  }

  /** The disconnect reason the central saw, once closed. */
  get reason(): number | undefined {
    return this.closedReason;
  }

  /** True when `extra` more ATT PDUs would overflow the direction's queue. */
  wouldOverflow(direction: Direction, extra: number): boolean {
    return this.queues[direction].wouldOverflow(extra);
  }

  /** Queues a PDU; throws QueueFullError when the direction's queue is full. Dropped once closed. */
  send(direction: Direction, pdu: LinkPdu, options: SendOptions = {}): void {
    if (!this.open) {
      this.air.stats.droppedPdus++;
      return;
    }
    const control = isControlPdu(pdu);
    const bytes = pduBytes(pdu, direction === 'toPeripheral' ? this.clientMtu : this.serverMtu);
    const llPackets = control ? 1 : llPacketsForAttPdu(this.model, bytes);
    const entry: QueuedPdu = {
      pdu,
      kind: pduKind(pdu),
      bytes,
      llPackets,
      remaining: llPackets,
      queuedAt: this.clock.now(),
      control,
      onDelivered: options.onDelivered,
    };
    this.queues[direction].push(entry, options.exempt === true);
    this.kick();
  }

  /**
   * The first connection event strictly after `time`; with `respectRange`,
   * the first one at which the two ends are within range.
   */
  nextEventAfter(time: number, respectRange = true): number {
    const ci = this.model.connectionIntervalMs;
    let k = Math.floor((time - this.anchor) / ci) + 1;
    if (this.anchor + k * ci <= time) k++;
    let at = this.anchor + k * ci;
    if (!respectRange) return at;
    // Each step jumps past one out-of-range window; the fault plan is bounded.
    for (let step = 0; step < 10_000; step++) {
      const resume = this.air.faults.outOfRangeUntil(this, at);
      if (resume === undefined) return at;
      k = Math.ceil((resume - this.anchor) / ci);
      if (this.anchor + k * ci < resume) k++;
      at = this.anchor + k * ci;
    }
    return at;
  }

  /** Drops the link with ConnectionTimeout at `at` unless something drops it earlier. */
  scheduleSupervisionDrop(at: number): void {
    if (!this.open || at >= this.supervisionAt) return;
    this.supervisionTimer?.cancel();
    this.supervisionAt = at;
    this.supervisionTimer = this.clock.schedule(Math.max(0, at - this.clock.now()), () =>
      this.close(DisconnectReason.ConnectionTimeout, DisconnectReason.ConnectionTimeout),
    );
  }

  /**
   * A local disconnect: nothing more moves, and the link ends at the next
   * connection event (when LL_TERMINATE_IND would go out), in range or not.
   */
  terminate(centralReason: number, peripheralReason: number): void {
    if (!this.open || this.terminateTimer) return;
    this.eventTimer?.cancel();
    this.eventTimer = undefined;
    const now = this.clock.now();
    const at = this.nextEventAfter(now, false);
    this.terminateTimer = this.clock.schedule(at - now, () => this.close(centralReason, peripheralReason));
  }

  /** Ends the link on both sides (the peripheral's reason is ignored if it already left). */
  close(centralReason: number, peripheralReason: number): void {
    if (!this.open) return;
    this.open = false;
    this.closedReason = centralReason;
    this.eventTimer?.cancel();
    this.eventTimer = undefined;
    this.terminateTimer?.cancel();
    this.terminateTimer = undefined;
    this.supervisionTimer?.cancel();
    this.supervisionTimer = undefined;
    this.air.stats.droppedPdus += this.queues.toPeripheral.clear() + this.queues.toCentral.clear();
    if (this.peripheralAttached) this.detach(peripheralReason);
    this.clientEncrypted = false;
    this.central.detachLink(this);
    this.client.end(centralReason);
    this.connection.end(centralReason);
    this.air.linkClosed(this, centralReason, this.peripheralReason);
  }

  /**
   * The peripheral's end vanished (its Bluetooth went off): it sees the
   * disconnect now, the central only when the supervision timeout expires.
   */
  detachPeripheral(reason: number): void {
    if (!this.isAttached) return;
    this.eventTimer?.cancel();
    this.eventTimer = undefined;
    this.air.stats.droppedPdus += this.queues.toPeripheral.clear() + this.queues.toCentral.clear();
    this.detach(reason);
    this.scheduleSupervisionDrop(this.clock.now() + this.model.supervisionTimeoutMs);
  }

  /** Marks the peripheral's end encrypted and tells the phone. */
  setServerEncrypted(): void {
    if (!this.isAttached) return;
    this.serverEncrypted = true;
    this.peripheral.events.emit('encrypted', this.server.peer);
  }

  /** Marks the central's end encrypted and tells the PC. */
  setClientEncrypted(paired: boolean): void {
    if (!this.open) return;
    this.clientEncrypted = true;
    this.air.events.emit('encrypted', { time: this.clock.now(), connectionId: this.id, paired });
    this.connection.events.emit('encrypted');
  }

  private detach(reason: number): void {
    this.peripheralAttached = false;
    this.peripheralReason = reason;
    this.serverEncrypted = false;
    this.server.end();
    this.peripheral.detachLink(this, reason);
  }

  /** Schedules the next connection event if something is queued and none is scheduled. */
  private kick(): void {
    if (!this.canMove || this.eventTimer) return;
    if (this.queues.toPeripheral.isEmpty && this.queues.toCentral.isEmpty) return;
    const now = this.clock.now();
    const at = this.nextEventAfter(now);
    this.eventTimer = this.clock.schedule(at - now, () => this.onConnectionEvent());
  }

  private onConnectionEvent(): void {
    this.eventTimer = undefined;
    if (!this.canMove) return;
    const now = this.clock.now();
    // A window may have been planned after this event was scheduled.
    if (this.air.faults.outOfRangeUntil(this, now) === undefined) {
      // The central transmits first in each event.
      let moved = this.transmit('toPeripheral', now);
      if (this.canMove) moved += this.transmit('toCentral', now);
      if (moved > 0) this.air.stats.connectionEvents++;
    }
    this.kick();
  }

  /** Moves one direction's share of this event; returns the LL packets sent. */
  private transmit(direction: Direction, time: number): number {
    const queue = this.queues[direction];
    if (!queue.peekEligible(time)) return 0;
    const [lo, hi] = this.model.packetsPerEvent;
    let budget = this.air.random.int(lo, hi);
    let moved = 0;
    while (budget > 0 && this.canMove) {
      const entry = queue.peekEligible(time);
      if (!entry) break;
      const n = Math.min(budget, entry.remaining);
      entry.remaining -= n;
      budget -= n;
      moved += n;
      this.air.stats[direction].llPackets += n;
      if (entry.remaining > 0) break;
      queue.remove(entry);
      this.deliver(direction, entry, time);
    }
    return moved;
  }

  private deliver(direction: Direction, entry: QueuedPdu, time: number): void {
    const stats = this.air.stats[direction];
    const { pdu } = entry;
    if (entry.control) {
      stats.controlPdus++;
    } else {
      stats.attPdus++;
      stats.bytes += entry.bytes;
    }
    this.air.events.emit('pdu', {
      time,
      connectionId: this.id,
      direction,
      kind: entry.kind,
      bytes: entry.bytes,
      llPackets: entry.llPackets,
      characteristic: pduCharacteristic(pdu),
      descriptor: pdu.op === 'cccdWriteReq' ? CCCD_UUID : undefined,
      value: pduValue(pdu),
      attCode: pdu.op === 'errorRsp' ? pdu.attCode : undefined,
    });
    entry.onDelivered?.();
    if (isControlPdu(pdu)) {
      if (direction === 'toPeripheral') this.onControlAtPeripheral(pdu.op);
      else this.connection.onControl(pdu);
      return;
    }
    if (direction === 'toPeripheral') this.server.receive(pdu);
    else this.client.receive(pdu);
    this.air.faults.noteAttDelivered(this);
  }

  /** LL_ENC_REQ reached the phone: start encryption if it holds the same key. */
  private onControlAtPeripheral(op: string): void {
    if (op !== 'encReq' || !this.isAttached) return;
    const centralKey = this.central.bonds.get(this.peripheral.address);
    const peripheralKey = this.peripheral.bonds.get(this.central.address);
    if (centralKey && peripheralKey && sameBytes(centralKey, peripheralKey)) {
      this.setServerEncrypted();
      this.send('toCentral', { op: 'startEncRsp' });
    } else {
      this.send('toCentral', { op: 'rejectInd', errorCode: LL_KEY_MISSING });
    }
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
