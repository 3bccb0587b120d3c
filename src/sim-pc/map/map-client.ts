/**
 * The PC's MAP client (MCE): finds the phone's Message Access Server over
 * SDP, connects the ACL (pairing if it is not encrypted yet), opens the
 * MAS channel and runs an OBEX session with the MAS Target on it; then runs
 * the MAP functions (map-operations.ts) one at a time, in order, from a
 * bounded queue.
 *
 * Time limits: each connection step and operation fails after `timeoutMs`
 * with nothing received from the phone (every chunk restarts that clock).
 * A timeout closes the session: the phone may still be mid-answer.
 *
 * Failures: Forbidden is MapPermissionRequiredError (iOS: "Show Message
 * Notifications" is off), a refused channel is MapInUseError (the phone
 * serves one MAP session and another computer has it), another OBEX error
 * code is MapRefusedError with the code, a link drop rejects the running
 * and every queued operation with DisconnectedError, an unusable answer is
 * MapProtocolError and leaves the session usable when OBEX could resync.
 * connect() works again after a close. Closing ends the MAS channel only;
 * the ACL stays up for the other profiles.
 */
import type { ByteChannel, ClassicConnection } from '../../link/classic';
import type { Timer } from '../../link/clock';
import { DisconnectedError, LinkError } from '../../link/errors';
import { ProtocolError } from '../../protocol/errors';
import { encodeMapParams } from '../../protocol/map/app-params';
import { MAS_TARGET } from '../../protocol/map/constants';
import type { BMessage } from '../../protocol/map/types';
import { ObexClientSession } from '../../protocol/obex/client-session';
import { ResponseCode } from '../../protocol/obex/constants';
import { isObexError, ObexErrorKind } from '../../protocol/obex/errors';
import { ObexResponseError } from '../../protocol/obex/session-errors';
import { Emitter } from '../../util/emitter';
import { NotConnectedError, SimPcError, TimeoutError } from '../errors';
import { MapAbortedError, MapInUseError, MapLimitError, MapPermissionRequiredError, MapProtocolError, MapRefusedError, MasNotFoundError } from './errors';
import { DEFAULT_MCE_FEATURES, findMas, type MasInfo } from './mas-record';
import { MapOperations } from './map-operations';
import type { ListMessagesOptions, MapClientEvents, MapClientOptions, MapClientState, MessageFetch, MessagesListingPage, PushResult } from './map-types';

export const DEFAULT_MAP_TIMEOUT_MS = 15_000;
export const DEFAULT_MAX_QUEUED_MAP_OPERATIONS = 16;
/** The OBEX session's own per-packet limit, a backstop behind the inactivity watchdog. */
const OBEX_BACKSTOP_FACTOR = 10;

/** The watchdog of the step or operation running now. */
interface Watch {
  what: string;
  fired: boolean;
  expire: (err: Error) => void;
}

export class MapClient {
  readonly events = new Emitter<MapClientEvents>();
  private readonly timeoutMs: number;
  private readonly features: number;
  private readonly maxQueued: number;
  private readonly operations: MapOperations;
  private currentState: MapClientState = 'idle';
  private masInfo: MasInfo | undefined;
  private channel: ByteChannel | undefined;
  private session: ObexClientSession | undefined;
  private unsubscribe: (() => void)[] = [];
  private connecting: Promise<MasInfo> | undefined;
  private closeReason: Error | undefined;
  private watch: Watch | undefined;
  private watchTimer: Timer | undefined;
  private tail: Promise<void> = Promise.resolve();
  private queued = 0;

  constructor(private readonly options: MapClientOptions) {
    this.timeoutMs = options.timeoutMs ?? DEFAULT_MAP_TIMEOUT_MS;
    this.features = options.supportedFeatures ?? DEFAULT_MCE_FEATURES;
    this.maxQueued = options.maxQueuedOperations ?? DEFAULT_MAX_QUEUED_MAP_OPERATIONS;
    this.operations = new MapOperations(options, (what, body) => this.run(what, body));
  }

  get state(): MapClientState {
    return this.currentState;
  }

  /** What the MAS record says, once connect() has read it. */
  get mas(): MasInfo | undefined {
    return this.masInfo;
  }

  /** The folder the session is in (`/telecom/msg/inbox`), undefined when a failed SetPath left it unknown. */
  get folder(): string | undefined {
    return this.operations.folder;
  }

  /** Discovers, connects and opens the MAS session. Resolves with the MAS's facts. */
  connect(): Promise<MasInfo> {
    if (this.currentState === 'connected' && this.masInfo) return Promise.resolve(this.masInfo);
    if (this.connecting) return this.connecting;
    this.currentState = 'connecting';
    this.closeReason = undefined;
    this.connecting = this.open().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  /** SetNotificationRegistration: on, the phone connects to our MNS and reports events. */
  setNotificationRegistration(on: boolean): Promise<void> {
    return this.operations.setNotificationRegistration(on);
  }

  /** GetMessagesListing of a folder (`telecom/msg/inbox`), one page. */
  listMessages(folder: string, options: ListMessagesOptions = {}): Promise<MessagesListingPage> {
    return this.operations.listMessages(folder, options);
  }

  /** GetMessage (Attachment off, UTF-8) of a handle in `folder`, decoded. */
  getMessage(handle: string, folder: string): Promise<MessageFetch> {
    return this.operations.getMessage(handle, folder);
  }

  /** SetMessageStatus: StatusIndicator (0 read, 1 deleted) to StatusValue. */
  setMessageStatus(handle: string, indicator: number, value: number): Promise<void> {
    return this.operations.setMessageStatus(handle, indicator, value);
  }

  /** PushMessage into a folder (`telecom/msg/outbox`), UTF-8, not transparent, with retry. */
  pushMessage(folder: string, message: BMessage): Promise<PushResult> {
    return this.operations.pushMessage(folder, message);
  }

  /** UpdateInbox: asks the phone to check for new messages. */
  updateInbox(): Promise<void> {
    return this.operations.updateInbox();
  }

  /** SetFolder from the root (`telecom/msg`). */
  setFolder(path: string): Promise<void> {
    return this.operations.setFolder(path);
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

  private async open(): Promise<MasInfo> {
    const { client, phoneAddress } = this.options;
    try {
      const info = await this.guard('SDP discovery', () => client.discover(phoneAddress));
      const mas = findMas(info.records);
      if (mas === undefined) throw new MasNotFoundError(phoneAddress);
      this.masInfo = mas;
      const connection = await this.guard('ACL connect', () => client.connect(phoneAddress));
      this.listen(connection.events.on('disconnect', (reason) => this.dropped(reason)));
      if (!connection.connected) throw new DisconnectedError(0x08, 'the ACL went down while connecting');
      if (!connection.encrypted) await this.guard('pairing', () => connection.pair());
      const channel = await this.openChannel(connection, mas.channel);
      const session = this.attach(channel);
      // MAP/MCE/MFB/BV-06: our features go in Connect only when the MSE publishes its own.
      const appParams = mas.featuresPublished ? encodeMapParams({ mapSupportedFeatures: this.features }) : undefined;
      await this.guard('Connect', () =>
        session.connect({
          target: MAS_TARGET,
          ...(appParams ? { appParams } : {}),
          ...(this.options.maxPacketLength === undefined ? {} : { maxPacketLength: this.options.maxPacketLength }),
        }),
      );
      if (this.currentState !== 'connecting') throw this.closedError('Connect');
      this.currentState = 'connected';
      this.operations.reset();
      this.events.emit('connected', mas);
      return mas;
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
      if (err instanceof LinkError && (err.code === 'link.channel-refused' || err.code === 'link.channel-busy')) {
        throw new MapInUseError(number);
      }
      throw err;
    }
  }

  /** Wires the channel to a fresh OBEX session. */
  private attach(channel: ByteChannel): ObexClientSession {
    this.channel = channel;
    const session = new ObexClientSession({
      send: (bytes) => channel.write(bytes),
      clock: this.options.clock,
      timeoutMs: Math.min(0x7fffffff, this.timeoutMs * OBEX_BACKSTOP_FACTOR),
      ...(this.options.maxPacketLength === undefined ? {} : { maxPacketLength: this.options.maxPacketLength }),
      onClose: (reason) => {
        if (this.session === session) this.shutDown(reason === undefined ? new NotConnectedError('MAP') : this.mapError('session', reason, undefined));
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

  /** Runs `body` as the one operation on the open session, after those queued before it. */
  private async run<T>(what: string, body: (session: ObexClientSession) => Promise<T>): Promise<T> {
    if (this.queued >= this.maxQueued + 1) throw new MapLimitError('queued MAP operations', this.maxQueued);
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
      if (watch.fired) void running.then(onLate ?? (() => undefined), () => undefined);
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
    this.watchTimer = this.options.clock.schedule(this.timeoutMs, () => {
      if (this.watch !== watch) return;
      watch.fired = true;
      const err = new TimeoutError(`MAP ${watch.what}`, this.timeoutMs);
      this.shutDown(err);
      watch.expire(err);
    });
  }

  /** What an operation rejects with, given what went wrong. */
  private mapError(what: string, err: unknown, watch: Watch | undefined): Error {
    if (watch?.fired && this.closeReason instanceof TimeoutError) return this.closeReason;
    if (err instanceof SimPcError || err instanceof LinkError) return err;
    if (err instanceof ObexResponseError) {
      return err.responseCode === ResponseCode.Forbidden ? new MapPermissionRequiredError(what) : new MapRefusedError(what, err.responseCode);
    }
    if (isObexError(err, ObexErrorKind.Closed)) return this.closeReason ?? new NotConnectedError(`MAP ${what}`);
    if (isObexError(err, ObexErrorKind.Aborted)) return new MapAbortedError(what);
    if (isObexError(err, ObexErrorKind.Timeout)) return new TimeoutError(`MAP ${what}`, this.timeoutMs * OBEX_BACKSTOP_FACTOR);
    if (err instanceof ProtocolError) return new MapProtocolError(what, err.message, err.code);
    return err instanceof Error ? err : new Error(String(err));
  }

  private closedError(what: string): Error {
    return this.closeReason ?? new NotConnectedError(`MAP ${what}`);
  }

  private dropped(reason: number): void {
    if (this.currentState === 'closed' || this.currentState === 'idle') return;
    this.shutDown(new DisconnectedError(reason));
  }

  /** Ends the session: rejects what is running, closes the channel, forgets the connection. */
  private shutDown(reason: Error | undefined): void {
    if ((this.currentState === 'closed' || this.currentState === 'idle') && this.session === undefined && this.channel === undefined) return;
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
    if (wasUp) this.events.emit('close', reason);
  }
}
