/**
 * Owns the PC's connection to one phone: connects, offers the largest ATT
 * MTU, starts an ANCS session on each connection (handing it to the
 * NotificationCenter), and after a drop or a failed attempt retries with
 * capped exponential backoff and seeded jitter. Reports health per profile
 * and the drop-to-up time of every reconnect. `stop()` leaves no timer.
 *
 * iOS may publish or withdraw ANCS at any time: on Service Changed the
 * supervisor rediscovers, ends the session when ANCS is gone (health
 * `failed`, connection kept) and starts a fresh one when it is back.
 *
 * Events: `connected` once the ANCS session is up, `disconnected(reason)`
 * when a connection that had been `connected` goes away, `health` on every
 * change, `session` for every new consumer, `error` for problems a session
 * reports and carries on from.
 */
import { BleCentral, BleConnection, normalizeUuid } from '../link/ble';
import type { Clock, Timer } from '../link/clock';
import { DisconnectReason } from '../link/att-codes';
import { DisconnectedError } from '../link/errors';
import { ATT_MAX_MTU } from '../link/link-model';
import { Random } from '../util/random';
import { Emitter } from '../util/emitter';
import { AncsConsumer, AncsConsumerOptions } from './ancs/ancs-consumer';
import { Backoff, BackoffPolicy, DEFAULT_BACKOFF } from './backoff';
import { AncsUnavailableError, describeError } from './errors';
import { ANCS_SERVICE_UUID } from '../protocol/ancs/constants';
import type { NotificationCenter } from './services/notification-center';

const ANCS = normalizeUuid(ANCS_SERVICE_UUID);

export type ProfileState = 'down' | 'connecting' | 'pairing' | 'up' | 'failed';

export interface ProfileHealth {
  state: ProfileState;
  /** Clock time (ms) of the last state change. */
  since: number;
  lastError: { code: string; message: string; at: number } | undefined;
  /** Times the profile came back up after a drop. */
  reconnects: number;
  /** Connection attempts made for it. */
  attempts: number;
}

export interface LinkHealth {
  phoneAddress: string;
  running: boolean;
  connected: boolean;
  /** ATT MTU of the current connection. */
  mtu: number | undefined;
  /** Clock time of the next scheduled attempt, when one is scheduled. */
  nextAttemptAt: number | undefined;
  ancs: ProfileHealth;
  /** Drop-to-up times of recent reconnects, oldest first (ms of clock time). */
  reconnectTimingsMs: number[];
}

export interface LinkSupervisorEvents {
  health: [health: LinkHealth];
  connected: [];
  disconnected: [reason: number];
  session: [consumer: AncsConsumer];
  error: [err: Error];
}

export interface LinkSupervisorOptions {
  central: BleCentral;
  phoneAddress: string;
  clock: Clock;
  random: Random;
  backoff?: BackoffPolicy;
  /** Client Rx MTU offered in Exchange MTU. Default 517. */
  mtu?: number;
  /** An up connection that lived at least this long resets the backoff. Default 5000. */
  stableAfterMs?: number;
  /** Consumer settings for each session. */
  ancs?: Omit<AncsConsumerOptions, 'connection' | 'clock'>;
  /** Receives each session (attach) and its end (detach). */
  notifications?: NotificationCenter;
  /** Reconnect timings kept. Default 100. */
  maxTimings?: number;
}

export class LinkSupervisor {
  readonly events = new Emitter<LinkSupervisorEvents>();
  private readonly options: LinkSupervisorOptions;
  private readonly backoff: Backoff;
  private readonly ancs: ProfileHealth;
  private readonly timings: number[] = [];
  private running = false;
  /** Bumped by start/stop so an attempt that outlived them can tell. */
  private generation = 0;
  private connection: BleConnection | undefined;
  private consumer: AncsConsumer | undefined;
  private releaseConnection: (() => void)[] = [];
  private releaseSession: (() => void)[] = [];
  /** Bumped for every session start or end, so a stale Service Changed handler can tell. */
  private sessionGeneration = 0;
  private retryTimer: Timer | undefined;
  private nextAttemptAt: number | undefined;
  private mtu: number | undefined;
  private upAt: number | undefined;
  private dropAt: number | undefined;

  constructor(options: LinkSupervisorOptions) {
    this.options = options;
    this.backoff = new Backoff(options.backoff ?? DEFAULT_BACKOFF, options.random);
    this.ancs = { state: 'down', since: options.clock.now(), lastError: undefined, reconnects: 0, attempts: 0 };
  }

  /** The ANCS session of the current connection, if one exists. */
  get currentConsumer(): AncsConsumer | undefined {
    return this.consumer;
  }

  health(): LinkHealth {
    return {
      phoneAddress: this.options.phoneAddress,
      running: this.running,
      connected: this.connection?.connected === true,
      mtu: this.connection ? this.mtu : undefined,
      nextAttemptAt: this.nextAttemptAt,
      ancs: { ...this.ancs, lastError: this.ancs.lastError && { ...this.ancs.lastError } },
      reconnectTimingsMs: [...this.timings],
    };
  }

  /**
   * Starts supervising and returns at once: the first attempt runs on the
   * clock (a virtual clock must be driven for it to progress). Watch
   * `connected` / `health` for the outcome.
   */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.generation++;
    this.backoff.reset();
    void this.attempt(this.generation);
  }

  /**
   * Stops: at once cancels the retry timer, ends the session and starts the
   * disconnect; resolves when the link is down (which takes link time, so on
   * a virtual clock drive the clock). No timer of ours is left behind.
   */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.generation++;
    this.cancelRetry();
    const connection = this.connection;
    const wasUp = this.ancs.state === 'up';
    if (connection) this.release(connection);
    this.setState('down');
    if (wasUp) this.events.emit('disconnected', DisconnectReason.LocalHostTerminated);
    if (connection) await connection.disconnect().catch(() => undefined);
  }

  private async attempt(generation: number): Promise<void> {
    this.retryTimer = undefined;
    this.nextAttemptAt = undefined;
    if (!this.isCurrent(generation)) return;
    this.ancs.attempts++;
    this.setState('connecting');
    let connection: BleConnection;
    try {
      connection = await this.options.central.connect(this.options.phoneAddress);
    } catch (err) {
      if (!this.isCurrent(generation)) return;
      this.setState('down', err);
      this.scheduleRetry();
      return;
    }
    if (!this.isCurrent(generation)) {
      await connection.disconnect().catch(() => undefined);
      return;
    }
    this.adopt(connection);
    try {
      await this.exchangeMtu(connection);
      await this.startSession(connection);
    } catch (err) {
      if (this.connection !== connection) return; // dropped meanwhile; the drop handler retries
      this.release(connection);
      this.setState('failed', err);
      await connection.disconnect().catch(() => undefined);
      this.scheduleRetry();
      return;
    }
    if (this.connection !== connection) return;
    const now = this.options.clock.now();
    this.upAt = now;
    if (this.dropAt !== undefined) {
      this.ancs.reconnects++;
      this.timings.push(now - this.dropAt);
      if (this.timings.length > (this.options.maxTimings ?? 100)) this.timings.shift();
      this.dropAt = undefined;
    }
    this.setState('up');
    this.events.emit('connected');
  }

  /** Offers our MTU; a failed exchange leaves the default in force unless the link went down. */
  private async exchangeMtu(connection: BleConnection): Promise<void> {
    try {
      this.mtu = await connection.gatt.exchangeMtu(this.options.mtu ?? ATT_MAX_MTU);
    } catch (err) {
      if (!connection.connected) throw err;
      this.mtu = connection.gatt.mtu;
      this.events.emit('error', err instanceof Error ? err : new Error(String(err)));
    }
  }

  private adopt(connection: BleConnection): void {
    this.connection = connection;
    this.mtu = connection.gatt.mtu;
    this.releaseConnection = [
      connection.events.on('disconnect', (reason) => this.onDrop(connection, reason)),
      connection.gatt.events.on('servicesChanged', () => void this.onServicesChanged(connection)),
    ];
  }

  /** Starts an ANCS session on `connection` and hands it to the notification center. */
  private async startSession(connection: BleConnection): Promise<void> {
    this.sessionGeneration++;
    const consumer = new AncsConsumer({ ...this.options.ancs, connection, clock: this.options.clock });
    this.consumer = consumer;
    this.releaseSession = [
      consumer.events.on('pairing', () => this.setState('pairing')),
      consumer.events.on('error', (err) => this.events.emit('error', err)),
    ];
    this.options.notifications?.attach(consumer);
    this.events.emit('session', consumer);
    await consumer.start();
  }

  /** Ends the current ANCS session, if any (the center keeps its entries as stale). */
  private endSession(): void {
    this.sessionGeneration++;
    for (const off of this.releaseSession) off();
    this.releaseSession = [];
    const consumer = this.consumer;
    this.consumer = undefined;
    if (!consumer) return;
    consumer.close();
    this.options.notifications?.detach();
  }

  /**
   * The phone's GATT database changed: rediscover. ANCS gone ends the
   * session and marks the profile failed while the link stays up; ANCS
   * present (re-published, with new handles) starts a fresh session, whose
   * replay the notification center reconciles without duplicates.
   */
  private async onServicesChanged(connection: BleConnection): Promise<void> {
    if (this.connection !== connection || this.ancs.state === 'connecting') return;
    const generation = ++this.sessionGeneration;
    let services: string[];
    try {
      services = await connection.gatt.discoverServices();
    } catch {
      return; // the link went down; the drop handler takes over
    }
    if (this.connection !== connection || generation !== this.sessionGeneration) return;
    this.endSession();
    if (!services.includes(ANCS)) {
      this.setState('failed', new AncsUnavailableError('the phone withdrew the ANCS service'));
      return;
    }
    const started = this.sessionGeneration + 1;
    this.setState('connecting');
    try {
      await this.startSession(connection);
    } catch (err) {
      if (this.connection !== connection || started !== this.sessionGeneration) return;
      this.endSession();
      this.setState('failed', err);
      return;
    }
    if (this.connection === connection && started === this.sessionGeneration) this.setState('up');
  }

  /** Forgets the connection and its session (the session ends; the center keeps stale entries). */
  private release(connection: BleConnection): void {
    if (this.connection !== connection) return;
    for (const off of this.releaseConnection) off();
    this.releaseConnection = [];
    this.connection = undefined;
    this.endSession();
  }

  private onDrop(connection: BleConnection, reason: number): void {
    if (this.connection !== connection) return;
    const now = this.options.clock.now();
    const wasUp = this.ancs.state === 'up';
    if (wasUp && this.upAt !== undefined && now - this.upAt >= (this.options.stableAfterMs ?? 5000)) this.backoff.reset();
    if (wasUp && this.dropAt === undefined) this.dropAt = now;
    this.release(connection);
    this.setState('down', new DisconnectedError(reason));
    if (wasUp) this.events.emit('disconnected', reason);
    this.scheduleRetry();
  }

  private scheduleRetry(): void {
    if (!this.running) return;
    this.cancelRetry();
    const delay = this.backoff.next();
    const generation = this.generation;
    this.nextAttemptAt = this.options.clock.now() + delay;
    this.retryTimer = this.options.clock.schedule(delay, () => void this.attempt(generation));
    this.emitHealth();
  }

  private cancelRetry(): void {
    this.retryTimer?.cancel();
    this.retryTimer = undefined;
    this.nextAttemptAt = undefined;
  }

  private isCurrent(generation: number): boolean {
    return this.running && generation === this.generation;
  }

  private setState(state: ProfileState, err?: unknown): void {
    const now = this.options.clock.now();
    if (err !== undefined) this.ancs.lastError = { ...describeError(err), at: now };
    if (state !== this.ancs.state) {
      this.ancs.state = state;
      this.ancs.since = now;
    }
    this.emitHealth();
  }

  private emitHealth(): void {
    this.events.emit('health', this.health());
  }
}
