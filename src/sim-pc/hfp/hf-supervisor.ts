/**
 * Keeps the PC's hands-free connection to one phone: finds the phone's
 * Audio Gateway record over SDP, connects the ACL (shared with other
 * profiles), opens the AG's RFCOMM channel, runs the service-level
 * connection and hands the HandsFree to the Calls service. When the channel
 * closes (out of range, phone off) it retries with capped exponential
 * backoff; the new SLC rebuilds the call list from +CLCC
 * (HFP/HF/OOR/BV-01, BV-02). `stop()` leaves no timer behind.
 */
import type { ClassicClient, ServiceRecord } from '../../link/classic';
import type { Clock, Timer } from '../../link/clock';
import { Emitter } from '../../util/emitter';
import { Random } from '../../util/random';
import { Backoff, BackoffPolicy, DEFAULT_BACKOFF } from '../backoff';
import { describeError } from '../errors';
import type { Calls } from '../services/calls';
import { HandsFree } from './hands-free';
import type { HandsFreeOptions } from './hands-free-types';

/** Service class of an HFP Audio Gateway. */
export const HFP_AG_SERVICE_CLASS = 0x111f;

export type HfState = 'down' | 'connecting' | 'up';

export interface HfHealth {
  state: HfState;
  since: number;
  lastError: { code: string; message: string; at: number } | undefined;
  attempts: number;
  reconnects: number;
}

export interface HfSupervisorEvents {
  health: [health: HfHealth];
  /** A new service-level connection is up. */
  connected: [hf: HandsFree];
  error: [err: Error];
}

export interface HfSupervisorOptions {
  classic: ClassicClient;
  phoneAddress: string;
  clock: Clock;
  calls: Calls;
  random?: Random;
  backoff?: BackoffPolicy;
  handsFree?: Omit<HandsFreeOptions, 'channel' | 'clock'>;
}

export class HfSupervisor {
  readonly events = new Emitter<HfSupervisorEvents>();
  private readonly backoff: Backoff;
  private readonly status: HfHealth;
  private running = false;
  private generation = 0;
  private retry: Timer | undefined;
  private current: HandsFree | undefined;
  private wasUp = false;

  constructor(private readonly options: HfSupervisorOptions) {
    this.backoff = new Backoff(options.backoff ?? DEFAULT_BACKOFF, options.random ?? new Random(2));
    this.status = { state: 'down', since: options.clock.now(), lastError: undefined, attempts: 0, reconnects: 0 };
  }

  /** The hands-free session in use, when the SLC is up. */
  get handsFree(): HandsFree | undefined {
    return this.current?.ready ? this.current : undefined;
  }

  health(): HfHealth {
    return { ...this.status, lastError: this.status.lastError && { ...this.status.lastError } };
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.generation++;
    this.backoff.reset();
    void this.attempt(this.generation);
  }

  stop(): void {
    if (!this.running) return;
    this.running = false;
    this.generation++;
    this.retry?.cancel();
    this.retry = undefined;
    const hf = this.current;
    this.current = undefined;
    this.options.calls.detach();
    hf?.close();
    this.setState('down');
  }

  private async attempt(generation: number): Promise<void> {
    this.retry = undefined;
    if (!this.alive(generation)) return;
    this.status.attempts++;
    this.setState('connecting');
    let hf: HandsFree;
    try {
      const info = await this.options.classic.discover(this.options.phoneAddress);
      const record = info.records.find((r: ServiceRecord) => r.serviceClasses.includes(HFP_AG_SERVICE_CLASS));
      if (!record) throw new Error('the phone publishes no HFP Audio Gateway record');
      const connection = await this.options.classic.connect(this.options.phoneAddress);
      const channel = await connection.openChannel(record.channel);
      if (!this.alive(generation)) {
        await channel.close();
        return;
      }
      hf = new HandsFree({ ...this.options.handsFree, channel, clock: this.options.clock });
      this.current = hf;
      this.options.calls.attach(hf);
      hf.events.on('close', () => this.onClosed(hf));
      hf.events.on('error', (err) => this.events.emit('error', err));
      await hf.start();
    } catch (err) {
      if (!this.alive(generation)) return;
      this.fail(err);
      return;
    }
    if (!this.alive(generation) || this.current !== hf) return;
    if (this.wasUp) this.status.reconnects++;
    this.wasUp = true;
    this.backoff.reset();
    this.setState('up');
    this.events.emit('connected', hf);
  }

  private onClosed(hf: HandsFree): void {
    if (this.current !== hf) return;
    this.current = undefined;
    this.options.calls.detach();
    if (!this.running) return;
    this.setState('down');
    this.scheduleRetry();
  }

  private fail(err: unknown): void {
    const hf = this.current;
    this.current = undefined;
    if (hf) {
      this.options.calls.detach();
      hf.close();
    }
    this.status.lastError = { ...describeError(err), at: this.options.clock.now() };
    this.setState('down');
    this.scheduleRetry();
  }

  private scheduleRetry(): void {
    if (!this.running || this.retry) return;
    const generation = this.generation;
    this.retry = this.options.clock.schedule(this.backoff.next(), () => void this.attempt(generation));
  }

  private alive(generation: number): boolean {
    return this.running && generation === this.generation;
  }

  private setState(state: HfState): void {
    if (state !== this.status.state) {
      this.status.state = state;
      this.status.since = this.options.clock.now();
    }
    this.events.emit('health', this.health());
  }
}
