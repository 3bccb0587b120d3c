/**
 * Watches one bounded list of an app service that evicts its oldest entry
 * to make room (the notification list, the inbox). It counts evictions and
 * turns the first eviction of each "full" episode into one typed
 * CapacityReachedError; the episode ends when the list is below its bound
 * again, so a list that stays full reports once, not once per entry.
 */
import { CapacityReachedError } from '../errors';

export class CapacityGauge {
  private full = false;
  private evictedCount = 0;

  constructor(
    private readonly what: string,
    readonly limit: number,
    private readonly limitName: string,
  ) {}

  /** Entries evicted so far. */
  get evicted(): number {
    return this.evictedCount;
  }

  /** Records one eviction; returns the error to report when it starts a new full episode. */
  evict(): CapacityReachedError | undefined {
    this.evictedCount++;
    if (this.full) return undefined;
    this.full = true;
    return new CapacityReachedError(this.what, this.limit, this.limitName);
  }

  /** Tells the gauge the list's size now; below the bound, the next eviction reports again. */
  observe(size: number): void {
    if (size < this.limit) this.full = false;
  }
}
