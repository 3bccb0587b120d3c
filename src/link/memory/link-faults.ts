/**
 * Fault injection for the in-memory air: drop links now, at a time or after
 * a number of ATT PDUs, and take devices out of range for a window.
 *
 * Targets: every fault takes an optional `FaultTarget`. Omitted, it hits
 * every link on the air (and, for `outOfRange`, every device pair, so scans
 * and connects fail too). `{ connectionId }` hits that one connection (get
 * the id from `MemoryConnection.connectionId` or `MemoryGattPeer.connectionId`);
 * `{ address }` hits every link and device pair involving that device (the
 * phone walking away from everything). Both fields together must both match.
 * A connection-only out-of-range window does not affect scans or connects.
 */
import { DisconnectReason } from '../att-codes';
import { Timer } from '../clock';
import { QueueFullError } from '../errors';
import type { MemoryAir } from './memory-air';
import type { MemoryLink } from './memory-link';
import { FaultHandle, FaultTarget, MAX_PLANNED_FAULTS, Matcher, matchesConnection, matchesPair, silenceAt, toMatcher } from './fault-plan';

export type { FaultHandle, FaultTarget } from './fault-plan';
export { MAX_PLANNED_FAULTS } from './fault-plan';

interface PacketTrigger {
  matcher: Matcher;
  remaining: number;
  reason: number;
}

interface RangeWindow {
  matcher: Matcher;
  start: number;
  end: number;
  timers: Timer[];
}

export class LinkFaults {
  private readonly triggers = new Set<PacketTrigger>();
  private readonly windows = new Set<RangeWindow>();
  private readonly timed = new Set<Timer>();

  constructor(private readonly air: MemoryAir) {}

  /** Drops the targeted links now; both sides see `reason` (default 0x08 ConnectionTimeout). Returns how many. */
  dropLink(reason: number = DisconnectReason.ConnectionTimeout, target?: FaultTarget): number {
    const matcher = toMatcher(target);
    const links = this.air.openLinks().filter((link) => matchesLink(matcher, link));
    for (const link of links) link.close(reason, reason);
    return links.length;
  }

  /** Drops the links targeted at virtual time `time` (now, if it has passed). */
  dropLinkAt(time: number, reason: number = DisconnectReason.ConnectionTimeout, target?: FaultTarget): FaultHandle {
    if (this.timed.size >= MAX_PLANNED_FAULTS) throw new QueueFullError('timed fault', MAX_PLANNED_FAULTS);
    const matcher = toMatcher(target);
    const clock = this.air.clock;
    const timer = clock.schedule(Math.max(0, time - clock.now()), () => {
      this.timed.delete(timer);
      this.dropMatching(matcher, reason);
    });
    this.timed.add(timer);
    return {
      cancel: () => {
        timer.cancel();
        this.timed.delete(timer);
      },
      get pending() {
        return timer.pending;
      },
    };
  }

  /**
   * Drops the targeted links once `count` (>= 1) more ATT PDUs have been
   * delivered on them, counting both directions; the last one is delivered
   * and handled first.
   */
  dropLinkAfterPackets(count: number, reason: number = DisconnectReason.ConnectionTimeout, target?: FaultTarget): FaultHandle {
    if (!(Number.isInteger(count) && count >= 1)) throw new RangeError(`packet count ${count} is not a positive integer`);
    if (this.triggers.size >= MAX_PLANNED_FAULTS) throw new QueueFullError('packet fault', MAX_PLANNED_FAULTS);
    const trigger: PacketTrigger = { matcher: toMatcher(target), remaining: count, reason };
    this.triggers.add(trigger);
    const triggers = this.triggers;
    return {
      cancel: () => {
        triggers.delete(trigger);
      },
      get pending() {
        return triggers.has(trigger);
      },
    };
  }

  /**
   * Out of range for `durationMs` from `startAt` (default now; a past time means now): no packets
   * move, connects and scans do not see the targeted peripherals. A link
   * silent for longer than its model's supervision timeout (windows that
   * overlap or touch count as one) drops with 0x08 on both sides at
   * start + supervision timeout; after a shorter window queued traffic resumes.
   */
  outOfRange(durationMs: number, startAt?: number, target?: FaultTarget): FaultHandle {
    if (!(durationMs >= 0 && Number.isFinite(durationMs))) throw new RangeError(`duration ${durationMs} is not a finite non-negative number`);
    if (this.windows.size >= MAX_PLANNED_FAULTS) throw new QueueFullError('out-of-range window', MAX_PLANNED_FAULTS);
    const clock = this.air.clock;
    const start = Math.max(clock.now(), startAt ?? clock.now());
    const window: RangeWindow = { matcher: toMatcher(target), start, end: start + durationMs, timers: [] };
    this.windows.add(window);
    const remove = (): void => {
      for (const timer of window.timers) timer.cancel();
      this.windows.delete(window);
    };
    window.timers.push(
      clock.schedule(start - clock.now(), () => this.checkSupervision(window)),
      clock.schedule(window.end - clock.now(), () => {
        remove();
        this.air.airChanged();
      }),
    );
    const windows = this.windows;
    return {
      cancel: () => {
        if (!windows.has(window)) return;
        remove();
        this.air.airChanged();
      },
      get pending() {
        return windows.has(window);
      },
    };
  }

  // ---- used by the rest of memory/ ----

  /** A link closed: plans aimed at it alone can never fire, so they go. */
  linkClosed(link: MemoryLink): void {
    for (const trigger of this.triggers) if (trigger.matcher.connectionId === link.id) this.triggers.delete(trigger);
    for (const window of this.windows) {
      if (window.matcher.connectionId !== link.id) continue;
      for (const timer of window.timers) timer.cancel();
      this.windows.delete(window);
    }
  }

  /**
   * When the two ends of `link` (or, without a link, the given pair) are out
   * of range at `time`, the time range returns; undefined when in range.
   */
  outOfRangeUntil(link: MemoryLink, time: number): number | undefined {
    return this.silenceAt(time, (m) => matchesLink(m, link))?.end;
  }

  /** Out-of-range test for a device pair that has no link (scans, connects). */
  pairOutOfRange(peripheral: string, central: string, time: number): boolean {
    return this.silenceAt(time, (m) => m.connectionId === undefined && matchesPair(m, peripheral, central)) !== undefined;
  }

  /** An ATT PDU was delivered on `link`: count down the packet triggers. */
  noteAttDelivered(link: MemoryLink): void {
    for (const trigger of [...this.triggers]) {
      if (!matchesLink(trigger.matcher, link)) continue;
      if (--trigger.remaining > 0) continue;
      this.triggers.delete(trigger);
      this.dropMatching(trigger.matcher, trigger.reason);
    }
  }

  private dropMatching(matcher: Matcher, reason: number): void {
    for (const link of this.air.openLinks()) if (matchesLink(matcher, link)) link.close(reason, reason);
  }

  /** At a window's start, drop links whose continuous silence will outlast the supervision timeout. */
  private checkSupervision(window: RangeWindow): void {
    for (const link of this.air.openLinks()) {
      if (!matchesLink(window.matcher, link)) continue;
      const silence = this.silenceAt(this.air.clock.now(), (m) => matchesLink(m, link));
      if (!silence) continue;
      const timeout = link.model.supervisionTimeoutMs;
      if (silence.end - silence.start > timeout) link.scheduleSupervisionDrop(silence.start + timeout);
    }
  }

  private silenceAt(time: number, applies: (m: Matcher) => boolean): { start: number; end: number } | undefined {
    return silenceAt(this.windows, time, applies);
  }
}

function matchesLink(m: Matcher, link: MemoryLink): boolean {
  return matchesConnection(m, link.id, link.peripheral.address, link.central.address);
}
