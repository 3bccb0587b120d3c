/**
 * A discrete-event scheduler standing in for wall time. Events run in
 * (time, insertion) order, so a run is reproducible; an hour of link time
 * costs only the work done in it. The async runners let promise
 * continuations settle between events, so async/await code behaves as it
 * would on a real clock.
 */
import { Clock, Timer } from './clock';
import { Random } from '../util/random';

interface Event {
  at: number;
  seq: number;
  callback: () => void;
  pending: boolean;
}

export interface VirtualClockOptions {
  /** Seed for `random`; the same seed gives the same run. Default 1. */
  seed?: number;
  /** Calendar time at `now() == 0`. Default 2026-01-05T09:00:00Z. */
  epoch?: Date;
}

export interface RunLimits {
  /** Stop after this many events (guards against a livelock). Default 10 million. */
  maxEvents?: number;
  /** Never run past this virtual time. */
  until?: number;
}

export class VirtualClockError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'VirtualClockError';
  }
}

const flushMicrotasks = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export class VirtualClock implements Clock {
  readonly random: Random;
  private readonly epochMs: number;
  private current = 0;
  private seq = 0;
  private readonly heap: Event[] = [];
  private executed = 0;

  constructor(options: VirtualClockOptions = {}) {
    this.random = new Random(options.seed ?? 1);
    this.epochMs = (options.epoch ?? new Date('2026-01-05T09:00:00Z')).getTime();
  }

  now(): number {
    return this.current;
  }

  date(): Date {
    return new Date(this.epochMs + this.current);
  }

  /** Events run so far (a cheap progress and cost measure). */
  get eventsRun(): number {
    return this.executed;
  }

  /** Events waiting to run. */
  get pendingEvents(): number {
    return this.heap.filter((e) => e.pending).length;
  }

  /** Virtual time of the next pending event, or undefined when idle. */
  nextEventTime(): number | undefined {
    this.dropCancelledHead();
    return this.heap[0]?.at;
  }

  schedule(delayMs: number, callback: () => void): Timer {
    if (!Number.isFinite(delayMs)) throw new VirtualClockError(`schedule: delay ${delayMs} is not finite`);
    const event: Event = { at: this.current + Math.max(0, delayMs), seq: this.seq++, callback, pending: true };
    this.push(event);
    return {
      cancel() {
        event.pending = false;
      },
      get pending() {
        return event.pending;
      },
    };
  }

  sleep(delayMs: number): Promise<void> {
    return new Promise((resolve) => this.schedule(delayMs, resolve));
  }

  /** Synchronously runs every event due within `ms`, then sets the time to now + ms. */
  advance(ms: number): void {
    const target = this.current + Math.max(0, ms);
    for (;;) {
      const event = this.popDue(target);
      if (!event) break;
      this.fire(event);
    }
    this.current = target;
  }

  /** Runs events (letting promises settle between them) for `ms` of virtual time. */
  async runFor(ms: number, limits: RunLimits = {}): Promise<void> {
    const target = this.current + Math.max(0, ms);
    await this.runLoop(target, limits);
    this.current = Math.max(this.current, target);
  }

  /**
   * Runs until no event is pending and promises have settled. Throws a
   * VirtualClockError if `until` or `maxEvents` is reached first, since a
   * run that never goes idle is a bug (a timer that re-arms itself forever).
   */
  async runUntilIdle(limits: RunLimits = {}): Promise<void> {
    const until = limits.until ?? Number.POSITIVE_INFINITY;
    const idle = await this.runLoop(until, limits);
    if (!idle) {
      throw new VirtualClockError(
        `not idle by t=${this.current} ms after ${this.executed} events; next event at ${this.nextEventTime()} ms`,
      );
    }
  }

  /**
   * Runs until `predicate()` holds (checked after every event), or throws
   * after `timeoutMs` of virtual time. Returns the virtual time it took.
   */
  async runUntil(predicate: () => boolean, timeoutMs: number, limits: RunLimits = {}): Promise<number> {
    const start = this.current;
    const deadline = start + timeoutMs;
    await flushMicrotasks();
    const maxEvents = limits.maxEvents ?? 10_000_000;
    let count = 0;
    while (!predicate()) {
      const event = this.popDue(deadline);
      if (!event) {
        this.current = Math.max(this.current, deadline);
        await flushMicrotasks();
        if (predicate()) break;
        throw new VirtualClockError(`condition not met within ${timeoutMs} ms of virtual time`);
      }
      this.fire(event);
      await flushMicrotasks();
      if (++count > maxEvents) throw new VirtualClockError(`runUntil: more than ${maxEvents} events`);
    }
    return this.current - start;
  }

  /** Returns true when it stopped because nothing was pending. */
  private async runLoop(until: number, limits: RunLimits): Promise<boolean> {
    const maxEvents = limits.maxEvents ?? 10_000_000;
    let count = 0;
    await flushMicrotasks();
    for (;;) {
      const event = this.popDue(until);
      if (!event) {
        await flushMicrotasks();
        // A settled promise may have scheduled more work.
        this.dropCancelledHead();
        const next = this.heap[0];
        if (next && next.at <= until) continue;
        return next === undefined;
      }
      this.fire(event);
      await flushMicrotasks();
      if (++count >= maxEvents) return false;
    }
  }

  private fire(event: Event): void {
    this.current = Math.max(this.current, event.at);
    event.pending = false;
    this.executed++;
    event.callback();
  }

  private popDue(until: number): Event | undefined {
    this.dropCancelledHead();
    const head = this.heap[0];
    if (!head || head.at > until) return undefined;
    return this.pop();
  }

  private dropCancelledHead(): void {
    while (this.heap.length > 0 && !(this.heap[0] as Event).pending) this.pop();
  }

  // Binary min-heap on (at, seq).
  private push(event: Event): void {
    const heap = this.heap;
    heap.push(event);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(heap[i] as Event, heap[parent] as Event)) break;
      [heap[i], heap[parent]] = [heap[parent] as Event, heap[i] as Event];
      i = parent;
    }
  }

  private pop(): Event | undefined {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop();
    if (heap.length > 0 && last) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < heap.length && before(heap[l] as Event, heap[m] as Event)) m = l;
        if (r < heap.length && before(heap[r] as Event, heap[m] as Event)) m = r;
        if (m === i) break;
        [heap[i], heap[m]] = [heap[m] as Event, heap[i] as Event];
        i = m;
      }
    }
    return top;
  }
}

function before(a: Event, b: Event): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}
