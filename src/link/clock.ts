/**
 * The time seam. Protocol state machines and links take a `Clock` instead of
 * calling setTimeout/Date.now, so the same code runs on wall time (`RealClock`)
 * or on the deterministic discrete-event `VirtualClock` used by tests.
 *
 * Rule for everything that takes a Clock: keep no periodic timer alive while
 * there is nothing to do, so a virtual run can reach "idle".
 */
export interface Timer {
  /** Cancels the timer; harmless when it already fired or was cancelled. */
  cancel(): void;
  /** True until the timer fires or is cancelled. */
  readonly pending: boolean;
}

export interface Clock {
  /** Milliseconds since this clock's start (monotonic). */
  now(): number;
  /** Calendar time for time stamps: the clock's epoch plus `now()`. */
  date(): Date;
  /** Runs `callback` once, `delayMs` (>= 0) from now. */
  schedule(delayMs: number, callback: () => void): Timer;
  /** Resolves after `delayMs`. */
  sleep(delayMs: number): Promise<void>;
}

/** Wall time, for real hardware. */
export class RealClock implements Clock {
  private readonly origin = performance.now();

  now(): number {
    return performance.now() - this.origin;
  }

  date(): Date {
    return new Date();
  }

  schedule(delayMs: number, callback: () => void): Timer {
    let pending = true;
    const handle = setTimeout(() => {
      pending = false;
      callback();
    }, Math.max(0, delayMs));
    return {
      cancel() {
        if (!pending) return;
        pending = false;
        clearTimeout(handle);
      },
      get pending() {
        return pending;
      },
    };
  }

  sleep(delayMs: number): Promise<void> {
    return new Promise((resolve) => this.schedule(delayMs, resolve));
  }
}
