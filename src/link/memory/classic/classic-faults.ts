/**
 * Fault injection for the in-memory classic air: drop ACL links now, at a
 * time or after a number of payload bytes, and take devices out of range
 * for a window. Same shape as the BLE air's faults (link-faults.ts).
 *
 * Targets: every fault takes an optional `ClassicFaultTarget`. Omitted, it
 * hits every link on the air (and, for `outOfRange`, every device pair, so
 * discovery and connects fail too). `{ connectionId }` hits that one
 * connection (`MemoryClassicConnection.connectionId`,
 * `MemoryClassicPeer.connectionId`, `MemoryByteChannel.connectionId`);
 * `{ address }` hits every link and device pair involving that device. Both
 * fields together must both match. A connection-only out-of-range window
 * does not affect discovery or connects.
 */
import { DisconnectReason } from '../../att-codes';
import { Timer } from '../../clock';
import { QueueFullError } from '../../errors';
import type { MemoryClassicAir } from './classic-air';
import type { MemoryClassicLink } from './classic-link';
import { FaultHandle, FaultTarget, MAX_PLANNED_FAULTS, Matcher, matchesConnection, matchesPair, silenceAt, toMatcher } from '../fault-plan';

/** The same target and handle as the BLE air's faults. */
export type ClassicFaultTarget = FaultTarget;
export type ClassicFaultHandle = FaultHandle;

/** Planned faults of each kind the air holds at once. */
export const MAX_PLANNED_CLASSIC_FAULTS = MAX_PLANNED_FAULTS;

interface ByteTrigger {
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

export class ClassicLinkFaults {
  private readonly triggers = new Set<ByteTrigger>();
  private readonly windows = new Set<RangeWindow>();
  private readonly timed = new Set<Timer>();

  constructor(private readonly air: MemoryClassicAir) {}

  /** Drops the targeted links now; both sides see `reason` (default 0x08 ConnectionTimeout). Returns how many. */
  dropLink(reason: number = DisconnectReason.ConnectionTimeout, target?: ClassicFaultTarget): number {
    const matcher = toMatcher(target);
    const links = this.air.openLinks().filter((link) => matchesLink(matcher, link));
    for (const link of links) link.close(reason, reason);
    return links.length;
  }

  /** Drops the targeted links at virtual time `time` (now, if it has passed). */
  dropLinkAt(time: number, reason: number = DisconnectReason.ConnectionTimeout, target?: ClassicFaultTarget): ClassicFaultHandle {
    if (this.timed.size >= MAX_PLANNED_CLASSIC_FAULTS) throw new QueueFullError('timed fault', MAX_PLANNED_CLASSIC_FAULTS);
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
   * Drops the targeted links once `count` (>= 1) more payload bytes have
   * been delivered on them, counting both directions and every channel. The
   * frame that reaches the count is delivered whole and handled first.
   */
  dropLinkAfterBytes(count: number, reason: number = DisconnectReason.ConnectionTimeout, target?: ClassicFaultTarget): ClassicFaultHandle {
    if (!(Number.isInteger(count) && count >= 1)) throw new RangeError(`byte count ${count} is not a positive integer`);
    if (this.triggers.size >= MAX_PLANNED_CLASSIC_FAULTS) throw new QueueFullError('byte fault', MAX_PLANNED_CLASSIC_FAULTS);
    const trigger: ByteTrigger = { matcher: toMatcher(target), remaining: count, reason };
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
   * Out of range for `durationMs` from `startAt` (default now; a past time
   * means now): nothing moves (frames already on their way wait and arrive,
   * in order, when range returns), discovery and connects do not find the
   * targeted phones. A link silent for longer than its model's supervision
   * timeout (windows that overlap or touch count as one) drops with 0x08 on
   * both sides at start + supervision timeout.
   */
  outOfRange(durationMs: number, startAt?: number, target?: ClassicFaultTarget): ClassicFaultHandle {
    if (!(durationMs >= 0 && Number.isFinite(durationMs))) throw new RangeError(`duration ${durationMs} is not a finite non-negative number`);
    if (this.windows.size >= MAX_PLANNED_CLASSIC_FAULTS) throw new QueueFullError('out-of-range window', MAX_PLANNED_CLASSIC_FAULTS);
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
        this.air.rangeChanged();
      }),
    );
    const windows = this.windows;
    return {
      cancel: () => {
        if (!windows.has(window)) return;
        remove();
        this.air.rangeChanged();
      },
      get pending() {
        return windows.has(window);
      },
    };
  }

  // ---- used by the rest of memory/classic ----

  /** A link closed: plans aimed at it alone can never fire, so they go. */
  linkClosed(link: MemoryClassicLink): void {
    for (const trigger of this.triggers) if (trigger.matcher.connectionId === link.id) this.triggers.delete(trigger);
    for (const window of this.windows) {
      if (window.matcher.connectionId !== link.id) continue;
      for (const timer of window.timers) timer.cancel();
      this.windows.delete(window);
    }
  }

  /** When the two ends of `link` are out of range at `time`, the time range returns; undefined when in range. */
  outOfRangeUntil(link: MemoryClassicLink, time: number): number | undefined {
    return this.silenceAt(time, (m) => matchesLink(m, link))?.end;
  }

  /** Out-of-range test for a device pair that has no link (discovery, connects). */
  pairOutOfRange(host: string, client: string, time: number): boolean {
    return this.silenceAt(time, (m) => m.connectionId === undefined && matchesPair(m, host, client)) !== undefined;
  }

  /** Payload bytes were delivered on `link`: count down the byte triggers. */
  noteBytesDelivered(link: MemoryClassicLink, bytes: number): void {
    if (bytes <= 0) return;
    for (const trigger of [...this.triggers]) {
      if (!matchesLink(trigger.matcher, link)) continue;
      trigger.remaining -= bytes;
      if (trigger.remaining > 0) continue;
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
    if (this.windows.size === 0) return undefined;
    return silenceAt(this.windows, time, applies);
  }
}

function matchesLink(m: Matcher, link: MemoryClassicLink): boolean {
  return matchesConnection(m, link.id, link.host.address, link.client.address);
}
