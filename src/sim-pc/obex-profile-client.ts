/**
 * The connection core the PC's OBEX profile clients (PBAP's PCE, MAP's MCE)
 * share: find the phone's service record over SDP, connect the ACL (pairing
 * if it is not encrypted yet), open the record's RFCOMM channel and run an
 * OBEX session with the profile's Target on it; then run operations one at
 * a time, in order, from a bounded queue, each under an inactivity watchdog.
 *
 * Time limits: each connection step and operation fails after `timeoutMs`
 * with nothing received from the phone (every chunk restarts that clock).
 * A timeout closes the session: the phone may still be mid-answer.
 *
 * Failures are turned into the profile's own errors through its
 * `ObexProfile` hooks (Forbidden, another OBEX code, a refused channel, an
 * abort, an unusable answer, a full queue); a link drop rejects the running
 * and every queued operation with DisconnectedError. connect() works again
 * after a close. Closing ends the profile's channel only; the ACL stays up
 * for the other profiles.
 */
import type { ByteChannel, ClassicClient, ClassicConnection, ServiceRecord } from '../link/classic';
import type { Clock, Timer } from '../link/clock';
import { DisconnectedError, LinkError } from '../link/errors';
import { ProtocolError } from '../protocol/errors';
import { ObexClientSession } from '../protocol/obex/client-session';
import { ResponseCode } from '../protocol/obex/constants';
import { isObexError, ObexErrorKind } from '../protocol/obex/errors';
import { ObexResponseError } from '../protocol/obex/session-errors';
import { NotConnectedError, SimPcError, TimeoutError } from './errors';

/** The OBEX session's own per-packet limit, a backstop behind the inactivity watchdog. */
const OBEX_BACKSTOP_FACTOR = 10;

export type ObexProfileClientState = 'idle' | 'connecting' | 'connected' | 'closed';

/** What the core needs from a profile's SDP record. */
export interface ObexServiceInfo {
  /** RFCOMM server channel. */
  channel: number;
}

/** The profile-specific facts: its record, Target, Connect parameters and errors. */
export interface ObexProfile<Info extends ObexServiceInfo> {
  /** Short name used in messages ('MAP', 'PBAP'). */
  name: string;
  /** OBEX Target header of the profile's service. */
  target: Uint8Array | readonly number[];
  /** Picks the profile's service from the phone's SDP records. */
  findService(records: readonly ServiceRecord[]): Info | undefined;
  /** The error when the phone publishes no such service. */
  serviceNotFound(phoneAddress: string): Error;
  /** Application Parameters for Connect, if any. */
  connectAppParams(info: Info): Uint8Array | undefined;
  /** The profile's error for a channel-open LinkError, or undefined to pass it on. */
  channelError(err: LinkError, channel: number): Error | undefined;
  /** The phone answered Forbidden. */
  permissionRequired(what: string): Error;
  /** The phone answered another OBEX failure code. */
  refused(what: string, responseCode: number): Error;
  /** The operation was cancelled by OBEX Abort. */
  aborted(what: string): Error;
  /** The phone's answer could not be decoded. */
  protocolError(what: string, message: string, code: string): Error;
  /** More operations are queued than `limit`. */
  queueFull(limit: number): Error;
}

export interface ObexProfileClientOptions {
  client: ClassicClient;
  phoneAddress: string;
  clock: Clock;
  /** Inactivity limit (ms) of each connection step and operation. */
  timeoutMs: number;
  /** Operations waiting behind the running one. */
  maxQueued: number;
  /** OBEX packet size we announce and accept (the session's default when absent). */
  maxPacketLength?: number;
}

/** The watchdog of the step or operation running now. */
interface Watch {
  what: string;
  fired: boolean;
  /** Rejects the step's race with the timeout. */
  expire: (err: Error) => void;
}

/**
 * The base of a profile client: the public connect/abort/disconnect/close
 * and state, and a protected `run` for the profile's operations. A
 * subclass says what happens when the session comes up and ends.
 */
export abstract class ObexProfileClient<Info extends ObexServiceInfo> {
  private currentState: ObexProfileClientState = 'idle';
  private serviceInfo: Info | undefined;
  private channel: ByteChannel | undefined;
  private session: ObexClientSession | undefined;
  private unsubscribe: (() => void)[] = [];
  private connecting: Promise<Info> | undefined;
  /** Why the session ended; what later operations reject with. */
  private closeReason: Error | undefined;
  private watch: Watch | undefined;
  private watchTimer: Timer | undefined;
  private tail: Promise<void> = Promise.resolve();
  private queued = 0;

  constructor(
    private readonly settings: ObexProfileClientOptions,
    private readonly profile: ObexProfile<Info>,
  ) {}

  /** The session is up (state is already 'connected'). */
  protected abstract onConnected(info: Info): void;

  /** A session that was up has ended; `reason` undefined after a clean disconnect or close(). */
  protected abstract onClosed(reason: Error | undefined): void;

  get state(): ObexProfileClientState {
    return this.currentState;
  }

  /** What the service record says, once connect() has read it. */
  protected get serviceRecord(): Info | undefined {
    return this.serviceInfo;
  }

  /** Discovers, connects and opens the session. Resolves with the service's facts. */
  connect(): Promise<Info> {
    if (this.currentState === 'connected' && this.serviceInfo) return Promise.resolve(this.serviceInfo);
    if (this.connecting) return this.connecting;
    this.currentState = 'connecting';
    this.closeReason = undefined;
    this.connecting = this.open().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  /** Cancels the running transfer (OBEX Abort); it rejects. */
  async abort(): Promise<void> {
    await this.session?.abort();
  }

  /** OBEX Disconnect, then closes the channel. Queued operations reject. */
  async disconnect(): Promise<void> {
    if (this.connecting) await this.connecting.catch(() => undefined);
    if (this.currentState !== 'connected') return;
    try {
      await this.run('Disconnect', async (session) => {
        await session.disconnect();
      });
    } catch {
      // The phone's answer changes nothing: we are leaving.
    }
    this.shutDown(undefined);
  }

  /** Closes at once, without OBEX Disconnect. */
  close(reason?: Error): void {
    this.shutDown(reason);
  }

  /**
   * Runs `body` as the one operation on the open session, after those
   * queued before it. Rejects with NotConnectedError (or the reason the
   * session ended) when there is none by then.
   */
  protected async run<T>(what: string, body: (session: ObexClientSession) => Promise<T>): Promise<T> {
    if (this.queued >= this.settings.maxQueued + 1) throw this.profile.queueFull(this.settings.maxQueued);
    this.queued++;
    const previous = this.tail;
    let release: () => void = () => undefined;
    this.tail = new Promise<void>((resolve) => {
      release = resolve;
    });
    try {
      await previous;
      const session = this.session;
      if (this.currentState !== 'connected' || session === undefined) throw this.closedError(what);
      return await this.guard(what, () => body(session));
    } finally {
      this.queued--;
      release();
    }
  }

  private async open(): Promise<Info> {
    const { client, phoneAddress } = this.settings;
    const profile = this.profile;
    try {
      const device = await this.guard('SDP discovery', () => client.discover(phoneAddress));
      const info = profile.findService(device.records);
      if (info === undefined) throw profile.serviceNotFound(phoneAddress);
      this.serviceInfo = info;
      const connection = await this.guard('ACL connect', () => client.connect(phoneAddress));
      this.listen(connection.events.on('disconnect', (reason) => this.dropped(reason)));
      if (!connection.connected) throw new DisconnectedError(0x08, 'the ACL went down while connecting');
      if (!connection.encrypted) await this.guard('pairing', () => connection.pair());
      const channel = await this.openChannel(connection, info.channel);
      const session = this.attach(channel);
      const appParams = profile.connectAppParams(info);
      await this.guard('Connect', () =>
        session.connect({
          target: profile.target,
          ...(appParams ? { appParams } : {}),
          ...(this.settings.maxPacketLength === undefined ? {} : { maxPacketLength: this.settings.maxPacketLength }),
        }),
      );
      if (this.currentState !== 'connecting') throw this.closedError('Connect');
      this.currentState = 'connected';
      this.onConnected(info);
      return info;
    } catch (err) {
      const mapped = this.mapError('connect', err, undefined);
      this.shutDown(this.closeReason ?? mapped);
      throw mapped;
    }
  }

  private async openChannel(connection: ClassicConnection, number: number): Promise<ByteChannel> {
    try {
      return await this.guard('open channel', () => connection.openChannel(number), (late) => void late.close());
    } catch (err) {
      const mapped = err instanceof LinkError ? this.profile.channelError(err, number) : undefined;
      throw mapped ?? err;
    }
  }

  /** Wires the channel to a fresh OBEX session. */
  private attach(channel: ByteChannel): ObexClientSession {
    this.channel = channel;
    const session = new ObexClientSession({
      send: (bytes) => channel.write(bytes),
      clock: this.settings.clock,
      timeoutMs: Math.min(0x7fffffff, this.settings.timeoutMs * OBEX_BACKSTOP_FACTOR),
      ...(this.settings.maxPacketLength === undefined ? {} : { maxPacketLength: this.settings.maxPacketLength }),
      onClose: (reason) => {
        // The session closed itself (unframeable stream, unanswered Abort...): later operations say why.
        if (this.session !== session) return;
        this.shutDown(reason === undefined ? new NotConnectedError(this.profile.name) : this.mapError('session', reason, undefined));
      },
    });
    this.session = session;
    this.listen(
      channel.events.on('data', (chunk) => {
        if (this.session !== session) return;
        this.kick();
        session.receive(chunk);
      }),
    );
    this.listen(channel.events.on('close', (reason) => this.dropped(reason)));
    return session;
  }

  private listen(off: () => void): void {
    this.unsubscribe.push(off);
  }

  /** Runs `body` under the inactivity watchdog and maps what it throws. `onLate` gets a result that came after the timeout. */
  private async guard<T>(what: string, body: () => Promise<T>, onLate?: (value: T) => void): Promise<T> {
    const watch: Watch = { what, fired: false, expire: () => undefined };
    const timeout = new Promise<never>((_, reject) => {
      watch.expire = reject;
    });
    this.watch = watch;
    this.kick();
    const running = body();
    try {
      return await Promise.race([running, timeout]);
    } catch (err) {
      if (watch.fired && onLate) void running.then(onLate, () => undefined);
      throw this.mapError(what, err, watch);
    } finally {
      if (this.watch === watch) {
        this.watch = undefined;
        this.watchTimer?.cancel();
        this.watchTimer = undefined;
      }
    }
  }

  /** Restarts the inactivity clock of the running step, if any. */
  private kick(): void {
    const watch = this.watch;
    if (watch === undefined) return;
    this.watchTimer?.cancel();
    this.watchTimer = this.settings.clock.schedule(this.settings.timeoutMs, () => {
      if (this.watch !== watch) return;
      watch.fired = true;
      const err = new TimeoutError(`${this.profile.name} ${watch.what}`, this.settings.timeoutMs);
      this.shutDown(err);
      watch.expire(err);
    });
  }

  /** What an operation rejects with, given what went wrong. */
  private mapError(what: string, err: unknown, watch: Watch | undefined): Error {
    const profile = this.profile;
    if (watch?.fired && this.closeReason instanceof TimeoutError) return this.closeReason;
    if (err instanceof SimPcError || err instanceof LinkError) return err;
    if (err instanceof ObexResponseError) {
      return err.responseCode === ResponseCode.Forbidden ? profile.permissionRequired(what) : profile.refused(what, err.responseCode);
    }
    if (isObexError(err, ObexErrorKind.Closed)) return this.closeReason ?? new NotConnectedError(`${profile.name} ${what}`);
    if (isObexError(err, ObexErrorKind.Aborted)) return profile.aborted(what);
    if (isObexError(err, ObexErrorKind.Timeout)) return new TimeoutError(`${profile.name} ${what}`, this.settings.timeoutMs * OBEX_BACKSTOP_FACTOR);
    if (err instanceof ProtocolError) return profile.protocolError(what, err.message, err.code);
    return err instanceof Error ? err : new Error(String(err));
  }

  private closedError(what: string): Error {
    return this.closeReason ?? new NotConnectedError(`${this.profile.name} ${what}`);
  }

  private dropped(reason: number): void {
    if (this.currentState === 'closed' || this.currentState === 'idle') return;
    this.shutDown(new DisconnectedError(reason));
  }

  /** Ends the session: rejects what is running, closes the channel, forgets the connection. */
  private shutDown(reason: Error | undefined): void {
    const down = this.currentState === 'closed' || this.currentState === 'idle';
    if (down && this.session === undefined && this.channel === undefined) return;
    const wasUp = this.currentState === 'connected';
    this.currentState = 'closed';
    this.closeReason = reason;
    for (const off of this.unsubscribe) off();
    this.unsubscribe = [];
    const session = this.session;
    const channel = this.channel;
    this.session = undefined;
    this.channel = undefined;
    session?.close(reason);
    if (channel?.open) void channel.close().catch(() => undefined);
    if (wasUp) this.onClosed(reason);
  }
}

/** A profile client's options as the core needs them, with the profile's defaults filled in. */
export function coreOptions(
  options: { client: ClassicClient; phoneAddress: string; clock: Clock; timeoutMs?: number; maxQueuedOperations?: number; maxPacketLength?: number },
  defaultTimeoutMs: number,
  defaultMaxQueued: number,
): ObexProfileClientOptions {
  return {
    client: options.client,
    phoneAddress: options.phoneAddress,
    clock: options.clock,
    timeoutMs: options.timeoutMs ?? defaultTimeoutMs,
    maxQueued: options.maxQueuedOperations ?? defaultMaxQueued,
    ...(options.maxPacketLength === undefined ? {} : { maxPacketLength: options.maxPacketLength }),
  };
}
