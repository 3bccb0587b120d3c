/**
 * One LE connection on the virtual air: the two ends, a bounded transmit
 * queue per direction, and connection events on the Clock. An event happens
 * only while there is work (queued packets or a pending LL procedure), at the
 * next multiple of the connection interval from the link's anchor; it moves
 * at most `packetsPerEvent` LL PDUs each way (an ACL packet longer than the
 * direction's LL payload size costs several), hands each finished packet to
 * the peer after `latencyMs`, and tells the sender how many packets were
 * completed. A silent link (out of range, or one end gone) moves nothing and
 * is closed with reason 0x08 once the supervision timeout passes.
 */
import { Clock, Timer } from '../../clock';
import { AclBoundary, HciStatus } from './hci-constants';
import { HciError, HciErrorKind } from './hci-errors';

export type Side = 'central' | 'peripheral';

export function otherSide(side: Side): Side {
  return side === 'central' ? 'peripheral' : 'central';
}

/** What a link needs from the controller at each end. */
export interface LinkEndpoint {
  readonly address: string;
  deliverAcl(link: AirLink, pb: number, data: Uint8Array): void;
  packetsCompleted(link: AirLink, count: number): void;
  /** The link is gone; `reason` is what this end's host is told. */
  linkClosed(link: AirLink, reason: number): void;
  /** (Peripheral) the central started encryption with this EDIV and random. */
  ltkRequested(link: AirLink, random: Uint8Array, ediv: number): void;
  encryptionChanged(link: AirLink, status: number, enabled: number): void;
  connectionUpdated(link: AirLink, latency: number): void;
  dataLengthChanged(link: AirLink): void;
}

export interface AirLinkOptions {
  id: number;
  clock: Clock;
  intervalMs: number;
  packetsPerEvent: () => number;
  latencyMs: () => number;
  supervisionTimeoutMs: number;
  /** Bound of each direction's queue (packets). */
  queueLimit: number;
  /** Initial LL payload octets, per sending side. */
  octets: Record<Side, number>;
  /** Called once when the link closes, with the reason the terminating side gave. */
  onClosed: (link: AirLink, reason: number) => void;
}

interface Queued {
  pb: number;
  data: Uint8Array;
  /** LL PDUs still to send for this packet. */
  remaining: number;
}

export class AirLink {
  readonly id: number;
  private readonly clock: Clock;
  private readonly options: AirLinkOptions;
  private readonly ends: Record<Side, LinkEndpoint | undefined>;
  private readonly queues: Record<Side, Queued[]> = { central: [], peripheral: [] };
  private readonly llOctets: Record<Side, number>;
  private procedures: (() => void)[] = [];
  private interval: number;
  private anchor: number;
  private eventTimer: Timer | undefined;
  private supervisionTimer: Timer | undefined;
  private outOfRange = false;
  private orphaned = false;
  private isClosed = false;
  /** Connection events run so far (for tests and stats). */
  eventsRun = 0;
  /** True after a successful encryption start. */
  encrypted = false;
  /** The central's handle for this link (set by the air once both ends have one). */
  centralHandle = 0;
  /** A Disconnect is under way. */
  terminating = false;
  /** The key the central started encryption with, while the peripheral's answer is awaited. */
  encryptionRequest: { ltk: Uint8Array } | undefined;
  /** How long the link survives silence, ms (LE_Connection_Update may change it). */
  supervisionTimeoutMs: number;

  constructor(central: LinkEndpoint, peripheral: LinkEndpoint, options: AirLinkOptions) {
    this.id = options.id;
    this.clock = options.clock;
    this.options = options;
    this.ends = { central, peripheral };
    this.llOctets = { ...options.octets };
    this.interval = options.intervalMs;
    this.supervisionTimeoutMs = options.supervisionTimeoutMs;
    this.anchor = this.clock.now();
  }

  get closed(): boolean {
    return this.isClosed;
  }

  get intervalMs(): number {
    return this.interval;
  }

  get silent(): boolean {
    return this.outOfRange || this.orphaned;
  }

  /** The controller at `side`, unless it left the link. */
  end(side: Side): LinkEndpoint | undefined {
    return this.ends[side];
  }

  sideOf(endpoint: LinkEndpoint): Side | undefined {
    if (this.ends.central === endpoint) return 'central';
    if (this.ends.peripheral === endpoint) return 'peripheral';
    return undefined;
  }

  /** LL payload octets for PDUs that `side` sends. */
  octets(side: Side): number {
    return this.llOctets[side];
  }

  /** Packets queued by `side`, not yet carried. */
  queued(side: Side): number {
    return this.queues[side].length;
  }

  /** Queues an ACL packet from `side`. Throws `hci.overflow` when that direction's queue is full. */
  send(from: Side, pb: number, data: Uint8Array): void {
    if (this.isClosed) return;
    const queue = this.queues[from];
    if (queue.length >= this.options.queueLimit) {
      throw new HciError(HciErrorKind.Overflow, `link ${this.id}: ${from} transmit queue is full (${this.options.queueLimit} packets)`);
    }
    queue.push({ pb, data, remaining: Math.max(1, Math.ceil(data.length / this.llOctets[from])) });
    this.kick();
  }

  /** Runs `procedure` at the next connection event (after that event's data). */
  atNextEvent(procedure: () => void): void {
    if (this.isClosed) return;
    this.procedures.push(procedure);
    this.kick();
  }

  /** Sets the LL payload size `side` sends with; returns true when it changed. */
  setOctets(side: Side, octets: number): boolean {
    if (this.llOctets[side] === octets) return false;
    this.llOctets[side] = octets;
    return true;
  }

  /** Applies a new connection interval from the next event on. */
  setInterval(intervalMs: number): void {
    this.interval = intervalMs;
  }

  setOutOfRange(outOfRange: boolean): void {
    if (this.isClosed || this.outOfRange === outOfRange) return;
    this.outOfRange = outOfRange;
    this.silenceChanged();
  }

  /** `side`'s controller left without a word (reset, vanished): the link falls silent for good. */
  orphan(side: Side): void {
    if (this.isClosed) return;
    this.ends[side] = undefined;
    this.queues[side] = [];
    this.orphaned = true;
    this.silenceChanged();
  }

  /**
   * Ends the link now. Each attached end is told its reason; `reason` is the
   * one reported to air listeners (what the remote side of a termination sees).
   */
  close(reasons: Record<Side, number>, reason: number): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.eventTimer?.cancel();
    this.supervisionTimer?.cancel();
    this.eventTimer = undefined;
    this.supervisionTimer = undefined;
    this.queues.central = [];
    this.queues.peripheral = [];
    this.procedures = [];
    const { central, peripheral } = this.ends;
    this.ends.central = undefined;
    this.ends.peripheral = undefined;
    central?.linkClosed(this, reasons.central);
    peripheral?.linkClosed(this, reasons.peripheral);
    this.options.onClosed(this, reason);
  }

  private silenceChanged(): void {
    if (this.silent) {
      this.eventTimer?.cancel();
      this.eventTimer = undefined;
      if (!this.supervisionTimer) {
        this.supervisionTimer = this.clock.schedule(this.supervisionTimeoutMs, () => {
          this.supervisionTimer = undefined;
          this.close({ central: HciStatus.ConnectionTimeout, peripheral: HciStatus.ConnectionTimeout }, HciStatus.ConnectionTimeout);
        });
      }
    } else {
      this.supervisionTimer?.cancel();
      this.supervisionTimer = undefined;
      this.kick();
    }
  }

  private hasWork(): boolean {
    return this.queues.central.length > 0 || this.queues.peripheral.length > 0 || this.procedures.length > 0;
  }

  private kick(): void {
    if (this.isClosed || this.silent || this.eventTimer || !this.hasWork()) return;
    const now = this.clock.now();
    const steps = Math.max(1, Math.ceil((now - this.anchor) / this.interval - 1e-9));
    const at = this.anchor + steps * this.interval;
    this.eventTimer = this.clock.schedule(at - now, () => {
      this.eventTimer = undefined;
      this.anchor = at;
      this.connectionEvent();
    });
  }

  private connectionEvent(): void {
    this.eventsRun++;
    this.carry('central');
    this.carry('peripheral');
    const due = this.procedures;
    this.procedures = [];
    for (const procedure of due) {
      if (this.isClosed) return;
      procedure();
    }
    this.kick();
  }

  /** Moves up to packetsPerEvent LL PDUs from `from` to the other side. */
  private carry(from: Side): void {
    const queue = this.queues[from];
    let budget = this.options.packetsPerEvent();
    let completed = 0;
    while (budget > 0 && queue.length > 0) {
      const head = queue[0] as Queued;
      const sent = Math.min(budget, head.remaining);
      head.remaining -= sent;
      budget -= sent;
      if (head.remaining > 0) break;
      queue.shift();
      completed++;
      this.deliver(otherSide(from), head);
    }
    if (completed > 0) this.ends[from]?.packetsCompleted(this, completed);
  }

  private deliver(to: Side, packet: Queued): void {
    // A controller hands its host flushable first fragments.
    const pb = packet.pb === AclBoundary.Continuing ? AclBoundary.Continuing : AclBoundary.FirstFlushable;
    const latency = this.options.latencyMs();
    if (latency <= 0) {
      this.ends[to]?.deliverAcl(this, pb, packet.data);
      return;
    }
    this.clock.schedule(latency, () => {
      if (!this.isClosed) this.ends[to]?.deliverAcl(this, pb, packet.data);
    });
  }
}
