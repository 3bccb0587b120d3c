/**
 * Keeps the PC's messages link to one phone: publishes the notification
 * server (MNS) for as long as it runs, opens the MAS session (MapClient),
 * registers for notifications (asked again with backoff while the phone
 * refuses, for as long as the session lasts), hands the session to the
 * Inbox (mark read, send) and to the InboxSync (listing on every connect,
 * fetch on every NewMessage event). When the session closes or an attempt fails (link
 * out of range, Show Message Notifications off, another computer holding
 * the phone's MAP session) it retries with capped exponential backoff, as
 * the hands-free supervisor does; `retryNow()` skips the wait (e.g. after
 * the user changed the setting). `stop()` leaves no timer behind.
 */
import type { ClassicClient } from '../../link/classic';
import type { Clock, Timer } from '../../link/clock';
import { StatusIndicator, StatusValue } from '../../protocol/map/constants';
import { Emitter } from '../../util/emitter';
import { Random } from '../../util/random';
import { Backoff, BackoffPolicy, DEFAULT_BACKOFF } from '../backoff';
import { describeError } from '../errors';
import type { Inbox } from '../services/inbox';
import type { MessageAccess } from './inbox-types';
import { ResponseCode } from '../../protocol/obex/constants';
import { MapInUseError, MapPermissionRequiredError, MapRefusedError } from './errors';
import { InboxSync, type InboxSyncOptions } from './inbox-sync';
import { MapClient } from './map-client';
import type { MapClientOptions } from './map-types';
import { supportsMms, type MasInfo } from './mas-record';
import { MnsServer, type MnsServerOptions, type MnsState } from './mns-server';
import { OUTBOX_FOLDER } from './outgoing';

export type MapLinkState = 'down' | 'connecting' | 'up';

/** Why messages are unavailable when the user can do something about it. */
export type MapBlock = 'permission' | 'in-use';

export interface MapHealth {
  state: MapLinkState;
  since: number;
  lastError: { code: string; message: string; at: number } | undefined;
  /** Set while the last attempt failed for a reason the user must act on. */
  blocked: MapBlock | undefined;
  /** The sentence to show for `blocked`. */
  blockedReason: string | undefined;
  /** The notification server: stopped, listening, or with the phone's session connected. */
  notifications: MnsState;
  attempts: number;
  reconnects: number;
  /** Clock time of the next scheduled attempt, when one is scheduled. */
  nextAttemptAt: number | undefined;
}

export interface MapSupervisorEvents {
  health: [health: MapHealth];
  /** A new MAS session is up (and registration asked for). */
  connected: [mas: MasInfo];
  error: [err: Error];
}

export interface MapSupervisorOptions {
  classic: ClassicClient;
  phoneAddress: string;
  clock: Clock;
  inbox: Inbox;
  random?: Random;
  backoff?: BackoffPolicy;
  /** MAP client settings (timeouts, packet size, limits). */
  client?: Omit<MapClientOptions, 'client' | 'phoneAddress' | 'clock'>;
  /** Notification server settings (channel, features, limits). */
  mns?: Omit<MnsServerOptions, 'classic' | 'phoneAddress' | 'clock' | 'masUp'>;
  /** Listing and fetch settings. */
  sync?: Omit<InboxSyncOptions, 'inbox'>;
}

export class MapSupervisor {
  readonly events = new Emitter<MapSupervisorEvents>();
  readonly mns: MnsServer;
  readonly sync: InboxSync;
  private readonly backoff: Backoff;
  private readonly status: Omit<MapHealth, 'notifications' | 'nextAttemptAt'>;
  private running = false;
  private generation = 0;
  private retry: Timer | undefined;
  private retryAt: number | undefined;
  private current: MapClient | undefined;
  private wasUp = false;
  /** Asks for notification registration again after the phone refused it (see register()). */
  private readonly registrationBackoff: Backoff;
  private registrationRetry: Timer | undefined;

  constructor(private readonly options: MapSupervisorOptions) {
    this.backoff = new Backoff(options.backoff ?? DEFAULT_BACKOFF, options.random ?? new Random(3));
    // Its own jitter source, so the connection retries keep the schedule they had.
    this.registrationBackoff = new Backoff(options.backoff ?? DEFAULT_BACKOFF, new Random(5));
    this.status = {
      state: 'down',
      since: options.clock.now(),
      lastError: undefined,
      blocked: undefined,
      blockedReason: undefined,
      attempts: 0,
      reconnects: 0,
    };
    this.mns = new MnsServer({
      ...options.mns,
      classic: options.classic,
      phoneAddress: options.phoneAddress,
      clock: options.clock,
      masUp: () => this.current?.state === 'connected',
    });
    this.sync = new InboxSync({ ...options.sync, inbox: options.inbox });
    this.mns.events.on('event', (event) => this.sync.onEvent(event));
    this.mns.events.on('fault', (err) => this.events.emit('error', err));
    this.mns.events.on('connected', () => this.emitHealth());
    this.mns.events.on('closed', () => this.emitHealth());
    this.sync.events.on('error', (err) => this.events.emit('error', err));
  }

  /** The MAS session in use, when it is up (for direct requests). */
  get client(): MapClient | undefined {
    return this.current?.state === 'connected' ? this.current : undefined;
  }

  health(): MapHealth {
    return {
      ...this.status,
      lastError: this.status.lastError && { ...this.status.lastError },
      notifications: this.mns.state,
      nextAttemptAt: this.retryAt,
    };
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.generation++;
    this.backoff.reset();
    this.mns.start();
    void this.attempt(this.generation);
  }

  /** Tries again now instead of at the next scheduled time (e.g. after the user allowed message access). */
  retryNow(): void {
    if (!this.running || this.current !== undefined) return;
    this.retry?.cancel();
    this.retry = undefined;
    this.retryAt = undefined;
    this.backoff.reset();
    void this.attempt(this.generation);
  }

  /** Stops retrying; turns notifications off and disconnects politely when the session is up. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.generation++;
    this.retry?.cancel();
    this.retry = undefined;
    this.retryAt = undefined;
    this.cancelRegistrationRetry();
    const client = this.current;
    this.current = undefined;
    this.options.inbox.detach();
    this.sync.detach();
    this.mns.stop();
    this.setState('down');
    if (client?.state === 'connected') {
      await client.setNotificationRegistration(false).catch(() => undefined);
      await client.disconnect();
    } else {
      client?.close();
    }
  }

  private async attempt(generation: number): Promise<void> {
    this.retry = undefined;
    this.retryAt = undefined;
    if (!this.alive(generation) || this.current !== undefined) return;
    this.status.attempts++;
    this.setState('connecting');
    const client = new MapClient({
      ...this.options.client,
      client: this.options.classic,
      phoneAddress: this.options.phoneAddress,
      clock: this.options.clock,
    });
    this.current = client;
    client.events.on('close', (reason) => this.onClosed(client, reason));
    let mas: MasInfo;
    try {
      mas = await client.connect();
    } catch (err) {
      if (this.current === client) this.fail(client, err);
      return;
    }
    if (!this.alive(generation) || this.current !== client) {
      client.close();
      return;
    }
    this.options.inbox.attach(accessFor(client, mas));
    this.sync.attach(client);
    if (this.wasUp) this.status.reconnects++;
    this.wasUp = true;
    this.status.blocked = undefined;
    this.status.blockedReason = undefined;
    this.backoff.reset();
    this.setState('up');
    this.events.emit('connected', mas);
    await this.register(client);
    if (this.current === client && client.state === 'connected') this.sync.requestListing();
  }

  /**
   * Turns notification registration on. Listing and sending still work
   * without it, so a refusal keeps the session, but it is asked again with
   * backoff while the session lasts: without registration no new-message
   * events come, and an iPhone shows the PC only messages that arrive
   * while it is registered. Not Implemented (no notifications at all) is final.
   */
  private async register(client: MapClient): Promise<boolean> {
    try {
      await client.setNotificationRegistration(true);
      this.registrationBackoff.reset();
      return true;
    } catch (err) {
      // A dropped session is handled by onClosed.
      if (this.current !== client || client.state !== 'connected') return false;
      this.recordError(err);
      if (err instanceof MapRefusedError && err.responseCode === ResponseCode.NotImplemented) return false;
      const delay = this.registrationBackoff.next();
      this.registrationRetry = this.options.clock.schedule(delay, () => {
        this.registrationRetry = undefined;
        if (this.current !== client || client.state !== 'connected') return;
        void this.register(client).then((ok) => {
          if (ok && this.current === client && client.state === 'connected') this.sync.requestListing();
        });
      });
      this.emitHealth();
      return false;
    }
  }

  private cancelRegistrationRetry(): void {
    this.registrationRetry?.cancel();
    this.registrationRetry = undefined;
    this.registrationBackoff.reset();
  }

  private onClosed(client: MapClient, reason: Error | undefined): void {
    if (this.current !== client) return;
    this.current = undefined;
    this.cancelRegistrationRetry();
    this.options.inbox.detach();
    this.sync.detach();
    this.mns.closeSession();
    if (!this.running) return;
    if (reason !== undefined) this.recordError(reason);
    this.setState('down');
    this.scheduleRetry();
  }

  private fail(client: MapClient, err: unknown): void {
    this.current = undefined;
    this.cancelRegistrationRetry();
    client.close();
    this.options.inbox.detach();
    this.sync.detach();
    this.mns.closeSession();
    if (!this.running) return;
    this.recordError(err);
    if (err instanceof MapPermissionRequiredError || err instanceof MapInUseError) {
      this.status.blocked = err instanceof MapPermissionRequiredError ? 'permission' : 'in-use';
      this.status.blockedReason = err.reason;
    } else {
      this.status.blocked = undefined;
      this.status.blockedReason = undefined;
    }
    this.events.emit('error', err instanceof Error ? err : new Error(String(err)));
    this.setState('down');
    this.scheduleRetry();
  }

  private recordError(err: unknown): void {
    this.status.lastError = { ...describeError(err), at: this.options.clock.now() };
  }

  private scheduleRetry(): void {
    if (!this.running || this.retry) return;
    const generation = this.generation;
    const delay = this.backoff.next();
    this.retryAt = this.options.clock.now() + delay;
    this.retry = this.options.clock.schedule(delay, () => void this.attempt(generation));
    this.emitHealth();
  }

  private alive(generation: number): boolean {
    return this.running && generation === this.generation;
  }

  private setState(state: MapLinkState): void {
    if (state !== this.status.state) {
      this.status.state = state;
      this.status.since = this.options.clock.now();
    }
    this.emitHealth();
  }

  private emitHealth(): void {
    this.events.emit('health', this.health());
  }
}

/** The Inbox's view of one MAS session. */
function accessFor(client: MapClient, mas: MasInfo): MessageAccess {
  return {
    mms: supportsMms(mas),
    setRead: (handle) => client.setMessageStatus(handle, StatusIndicator.Read, StatusValue.Yes),
    push: (message) => client.pushMessage(OUTBOX_FOLDER, message),
  };
}
