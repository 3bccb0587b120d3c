/**
 * Capped exponential backoff with seeded jitter: the n-th retry waits
 * initialMs * factor^n, at most maxMs, then scaled by a random factor in
 * [1 - jitter, 1 + jitter] and capped at maxMs again.
 */
import { Random } from '../util/random';

export interface BackoffPolicy {
  initialMs: number;
  factor: number;
  maxMs: number;
  /** Relative spread, 0..1 (0.2 means +-20 %). */
  jitter: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { initialMs: 1000, factor: 2, maxMs: 60_000, jitter: 0.2 };

export class Backoff {
  private failures = 0;

  constructor(
    readonly policy: BackoffPolicy,
    private readonly random: Random,
  ) {
    const { initialMs, factor, maxMs, jitter } = policy;
    if (!(initialMs > 0 && Number.isFinite(initialMs))) throw new RangeError(`backoff initialMs must be positive, got ${initialMs}`);
    if (!(factor >= 1 && Number.isFinite(factor))) throw new RangeError(`backoff factor must be >= 1, got ${factor}`);
    if (!(maxMs >= initialMs && Number.isFinite(maxMs))) throw new RangeError(`backoff maxMs must be >= initialMs, got ${maxMs}`);
    if (!(jitter >= 0 && jitter <= 1)) throw new RangeError(`backoff jitter must be within 0..1, got ${jitter}`);
  }

  /** Retries handed out since the last reset. */
  get attempt(): number {
    return this.failures;
  }

  /** The un-jittered delay for the next retry. */
  nominalDelay(): number {
    const { initialMs, factor, maxMs } = this.policy;
    // Stop multiplying once past the cap, so the exponent never overflows.
    let delay = initialMs;
    for (let i = 0; i < this.failures && delay < maxMs; i++) delay *= factor;
    return Math.min(delay, maxMs);
  }

  /** The delay before the next retry; advances the sequence. */
  next(): number {
    const nominal = this.nominalDelay();
    this.failures++;
    const spread = this.policy.jitter * (2 * this.random.next() - 1);
    return Math.round(Math.min(this.policy.maxMs, Math.max(0, nominal * (1 + spread))));
  }

  /** Back to the initial delay (after a connection that lived). */
  reset(): void {
    this.failures = 0;
  }
}
