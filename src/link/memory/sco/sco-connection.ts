/**
 * One synchronous connection on the in-memory SCO link, and its timing.
 * Slots fall at anchor + k * interval (k = 1, 2, ...); at each one each
 * direction sends the oldest packet its host queued strictly before the
 * slot (the phone's first), or nothing (an underrun). A sent packet may be
 * lost (seeded draw) and reaches the far host latencyMs later, as data or,
 * when lost, as zeros marked NoData. In 'cvsd' mode the sending side codes
 * host PCM to CVSD air bytes and the receiving side decodes it back.
 *
 * The slot timer runs only while the connection is open. A close from one
 * end stops the slots at once, closes that end (0x16) and, one latency
 * later, the other (0x13); packets already in flight still reach an end
 * that is open. A drop closes both ends at once with its reason and
 * discards what was in flight.
 */
import { DisconnectReason } from '../../att-codes';
import { Clock, Timer } from '../../clock';
import { ScoPacketStatus, bytesFromPcm16, pcm16FromBytes } from '../../sco';
import { Random } from '../../../util/random';
import { CvsdDecoder, CvsdEncoder } from './cvsd';
import { MemoryScoChannel, ScoSide } from './sco-channel';
import { ScoDirection, ScoDirectionStats, emptyScoDirectionStats } from './sco-events';
import type { ScoSettings } from './sco-params';

/** What a connection needs from the link that owns it. */
export interface ScoConnectionOwner {
  readonly clock: Clock;
  readonly random: Random;
  countPacket(direction: ScoDirection, change: Partial<ScoDirectionStats>): void;
  tapPacket(handle: number, direction: ScoDirection, air: Uint8Array, lost: boolean, deliverAt: number): void;
  reportHandlerError(handle: number, side: ScoSide, error: unknown): void;
  connectionStarted(connection: MemoryScoConnection): void;
  connectionClosed(connection: MemoryScoConnection): void;
}

type Phase = 'opening' | 'open' | 'closing' | 'closed';

interface Coders {
  encoder: CvsdEncoder;
  decoder: CvsdDecoder;
}

export class MemoryScoConnection {
  readonly phone: MemoryScoChannel;
  readonly pc: MemoryScoChannel;
  /** Per-direction counters for this connection alone. */
  readonly stats: Record<ScoDirection, ScoDirectionStats> = { toPc: emptyScoDirectionStats(), toPhone: emptyScoDirectionStats() };
  private phase: Phase = 'opening';
  private anchorTime = Number.NaN;
  private slotIndex = 0;
  private slotTimer: Timer | undefined;
  /** Deliveries scheduled and not yet made, with their direction. */
  private readonly inFlight = new Map<Timer, ScoDirection>();
  private readonly notices = new Set<Timer>();
  private readonly coders: Record<ScoDirection, Coders> | undefined;
  private readonly waiters: (() => void)[] = [];

  constructor(
    private readonly owner: ScoConnectionOwner,
    readonly handle: number,
    readonly phoneAddress: string,
    readonly pcAddress: string,
    readonly settings: ScoSettings,
    /** Which ends are open from the start (both for `open`, the acceptor's for a setup). */
    openNow: { phone: boolean; pc: boolean },
  ) {
    this.phone = new MemoryScoChannel(this, 'phone', openNow.phone);
    this.pc = new MemoryScoChannel(this, 'pc', openNow.pc);
    this.coders =
      settings.airMode === 'cvsd'
        ? {
            toPc: { encoder: new CvsdEncoder(), decoder: new CvsdDecoder() },
            toPhone: { encoder: new CvsdEncoder(), decoder: new CvsdDecoder() },
          }
        : undefined;
  }

  get clock(): Clock {
    return this.owner.clock;
  }

  /** Virtual time the slots are counted from (NaN until started). */
  get anchor(): number {
    return this.anchorTime;
  }

  /** True until both ends are closed. */
  get alive(): boolean {
    return this.phase !== 'closed';
  }

  /** Time of the first slot strictly after `time` (NaN before the start). */
  nextSlotAfter(time: number): number {
    const interval = this.settings.intervalMs;
    let k = Math.max(1, Math.floor((time - this.anchorTime) / interval) + 1);
    while (this.anchorTime + k * interval <= time) k++;
    return this.anchorTime + k * interval;
  }

  /** Opens whatever end still waits and starts the slots (the setup finished). */
  start(): void {
    if (this.phase === 'closed') return;
    this.phone.activate();
    this.pc.activate();
    if (this.phase !== 'opening') return;
    this.phase = 'open';
    this.anchorTime = this.clock.now();
    this.owner.connectionStarted(this);
    this.scheduleSlot();
  }

  /** A close from `side`: that end now, the other one latency later. Resolves when both are closed. */
  closeFrom(side: ScoSide): Promise<void> {
    const done = this.whenClosed();
    if (this.phase === 'closed') return done;
    const near = side === 'phone' ? this.phone : this.pc;
    const far = side === 'phone' ? this.pc : this.phone;
    this.stopSlots();
    if (this.phase === 'opening' || this.phase === 'open') this.phase = 'closing';
    this.discard(side === 'phone' ? 'toPc' : 'toPhone', near.end(DisconnectReason.LocalHostTerminated));
    const notice = this.clock.schedule(this.settings.latencyMs, () => {
      this.notices.delete(notice);
      this.discard(side === 'phone' ? 'toPhone' : 'toPc', far.end(DisconnectReason.RemoteUserTerminated));
      this.finishIfDone();
    });
    this.notices.add(notice);
    this.finishIfDone();
    return done;
  }

  /** A link fault: both ends close now with `reason`; nothing in flight arrives. */
  drop(reason: number): void {
    if (this.phase === 'closed') return;
    this.stopSlots();
    this.phase = 'closing';
    this.discard('toPc', this.phone.end(reason));
    this.discard('toPhone', this.pc.end(reason));
    this.finishIfDone();
  }

  /** Reported by an end whose listener threw. */
  reportHandlerError(side: ScoSide, error: unknown): void {
    this.owner.reportHandlerError(this.handle, side, error);
  }

  private whenClosed(): Promise<void> {
    if (this.phase === 'closed') return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private scheduleSlot(): void {
    const at = this.anchorTime + (this.slotIndex + 1) * this.settings.intervalMs;
    this.slotTimer = this.clock.schedule(at - this.clock.now(), () => this.onSlot());
  }

  private onSlot(): void {
    this.slotTimer = undefined;
    if (this.phase !== 'open') return;
    this.slotIndex++;
    const now = this.clock.now();
    this.transmit('toPc', this.phone.takeFor(now), now);
    this.transmit('toPhone', this.pc.takeFor(now), now);
    if (this.phase === 'open') this.scheduleSlot();
  }

  private transmit(direction: ScoDirection, host: Uint8Array | undefined, now: number): void {
    if (!host) {
      this.count(direction, { underruns: 1 });
      return;
    }
    const coders = this.coders?.[direction];
    const air = coders ? coders.encoder.encode(pcm16FromBytes(host)) : host;
    const { lossRate, latencyMs } = this.settings;
    const lost = lossRate > 0 && this.owner.random.chance(lossRate);
    this.count(direction, { sent: 1, lost: lost ? 1 : 0, airBytes: air.length });
    this.owner.tapPacket(this.handle, direction, air, lost, now + latencyMs);
    const delivery = this.clock.schedule(latencyMs, () => {
      this.inFlight.delete(delivery);
      this.deliver(direction, air, lost);
    });
    this.inFlight.set(delivery, direction);
  }

  private deliver(direction: ScoDirection, air: Uint8Array, lost: boolean): void {
    const far = direction === 'toPc' ? this.pc : this.phone;
    if (!far.open) {
      this.count(direction, { discarded: 1 });
      return;
    }
    const coders = this.coders?.[direction];
    let data: Uint8Array;
    if (coders) data = bytesFromPcm16(lost ? coders.decoder.skip(air.length) : coders.decoder.decode(air));
    else data = lost ? new Uint8Array(air.length) : air;
    this.count(direction, { delivered: 1 });
    far.receive(data, lost ? ScoPacketStatus.NoData : ScoPacketStatus.Ok);
  }

  private count(direction: ScoDirection, change: Partial<ScoDirectionStats>): void {
    const stats = this.stats[direction];
    for (const key of Object.keys(change) as (keyof ScoDirectionStats)[]) stats[key] += change[key] ?? 0;
    this.owner.countPacket(direction, change);
  }

  private discard(direction: ScoDirection, packets: number): void {
    if (packets > 0) this.count(direction, { discarded: packets });
  }

  private stopSlots(): void {
    this.slotTimer?.cancel();
    this.slotTimer = undefined;
  }

  private finishIfDone(): void {
    if (this.phase === 'closed' || this.phone.open || this.pc.open) return;
    if (this.phone.closeReason === undefined || this.pc.closeReason === undefined) return;
    this.phase = 'closed';
    this.stopSlots();
    for (const [timer, direction] of this.inFlight) {
      timer.cancel();
      this.count(direction, { discarded: 1 });
    }
    this.inFlight.clear();
    for (const timer of this.notices) timer.cancel();
    this.notices.clear();
    this.owner.connectionClosed(this);
    for (const resolve of this.waiters.splice(0)) resolve();
  }
}
