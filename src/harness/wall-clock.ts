/**
 * Wall time with the runner methods scenarios use on the virtual clock
 * (`runFor`, `runUntil`, `runUntilIdle`), for testbeds whose stacks run on
 * real timers (noble and bleno over the virtual HCI controller). Waiting
 * for a condition polls it; "idle" means no timer scheduled through this
 * clock is still pending, since real stacks' own timers are out of sight.
 */
import { RealClock, type Timer } from '../link/clock';
import type { RunLimits } from '../link/virtual-clock';

/** The runner methods a scenario needs, whatever drives time. VirtualClock has them too. */
export interface DrivenClock {
  now(): number;
  runFor(ms: number, limits?: RunLimits): Promise<void>;
  runUntil(predicate: () => boolean, timeoutMs: number, limits?: RunLimits): Promise<number>;
  runUntilIdle(limits?: RunLimits): Promise<void>;
}

export class WallClockError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WallClockError';
  }
}

/** How often a wait re-checks its condition. */
export const WALL_POLL_MS = 5;

const tick = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export class WallClock extends RealClock implements DrivenClock {
  private readonly live = new Set<Timer>();

  /** Timers scheduled through this clock that have neither fired nor been cancelled. */
  get pendingTimers(): number {
    return this.live.size;
  }

  override schedule(delayMs: number, callback: () => void): Timer {
    const live = this.live;
    const inner = super.schedule(delayMs, () => {
      live.delete(timer);
      callback();
    });
    const timer: Timer = {
      cancel() {
        live.delete(timer);
        inner.cancel();
      },
      get pending() {
        return inner.pending;
      },
    };
    live.add(timer);
    return timer;
  }

  async runFor(ms: number): Promise<void> {
    await tick(Math.max(0, ms));
  }

  /** Polls `predicate` until it holds; throws WallClockError after `timeoutMs`. Returns the time it took. */
  async runUntil(predicate: () => boolean, timeoutMs: number): Promise<number> {
    const start = this.now();
    for (;;) {
      if (predicate()) return this.now() - start;
      if (this.now() - start >= timeoutMs) throw new WallClockError(`condition not met within ${timeoutMs} ms of wall time`);
      await tick(WALL_POLL_MS);
    }
  }

  /** Waits until no timer of this clock is pending; throws when `until` (clock time) passes first. */
  async runUntilIdle(limits: RunLimits = {}): Promise<void> {
    const until = limits.until ?? Number.POSITIVE_INFINITY;
    while (this.live.size > 0) {
      if (this.now() >= until) throw new WallClockError(`${this.live.size} timers still pending at t=${Math.round(this.now())} ms`);
      await tick(WALL_POLL_MS);
    }
  }
}
