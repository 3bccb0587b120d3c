/**
 * The PC's PBAP client (PCE): finds the phone's PSE over SDP, connects the
 * ACL (pairing if it is not encrypted yet), opens the PSE's channel and
 * runs an OBEX session with the PBAP Target on it; then pulls phone books
 * (cards parsed as they stream in), their sizes, vCard listings and single
 * entries, and moves between folders. Operations run one at a time, in
 * order, from a bounded queue.
 *
 * Time limits: each operation and connection step fails after `timeoutMs`
 * with nothing received from the phone; every chunk that arrives restarts
 * that clock, so there is no cap on a whole transfer. A timeout closes the
 * session (the phone may still be mid-answer).
 *
 * Failures: Forbidden is PermissionRequiredError (the user must enable Sync
 * Contacts), a refused channel is ChannelRefusedError (Class of Device), a
 * link drop rejects the running and every queued operation with
 * DisconnectedError. A malformed answer fails the operation with
 * PbapProtocolError and leaves the client usable when OBEX could resync
 * (Abort answered), closed otherwise. connect() works again after a close.
 * Closing ends the PBAP channel only; the ACL stays up for other profiles.
 */
import { isHandsFreeClass, type ByteChannel, type ClassicConnection } from '../../link/classic';
import type { Timer } from '../../link/clock';
import { DisconnectedError, LinkError } from '../../link/errors';
import { ProtocolError } from '../../protocol/errors';
import { ResponseCode } from '../../protocol/obex/constants';
import { isObexError, ObexErrorKind } from '../../protocol/obex/errors';
import { ObexClientSession } from '../../protocol/obex/client-session';
import { ObexResponseError } from '../../protocol/obex/session-errors';
import { encodePbapParams, type PbapParams } from '../../protocol/pbap/app-params';
import { PBAP_DEFAULT_FEATURES, PBAP_TARGET } from '../../protocol/pbap/constants';
import { Emitter } from '../../util/emitter';
import { NotConnectedError, SimPcError, TimeoutError } from '../errors';
import { ChannelRefusedError, PbapAbortedError, PbapLimitError, PbapRefusedError, PbapProtocolError, PermissionRequiredError, PseNotFoundError } from './errors';
import { findPse, type PseInfo } from './pse-record';
import { PbapOperations } from './pbap-operations';
import type {
  EntryPull,
  ListingPull,
  PbapClientEvents,
  PbapClientOptions,
  PbapClientState,
  PhonebookPull,
  PullEntryOptions,
  PullListingOptions,
  PullPhonebookOptions,
} from './pbap-types';

export const DEFAULT_PBAP_TIMEOUT_MS = 15_000;
export const DEFAULT_MAX_QUEUED_OPERATIONS = 8;
/** The OBEX session's own per-packet limit, a backstop behind the inactivity watchdog. */
const OBEX_BACKSTOP_FACTOR = 10;

/** What an operation runs against: the open session. */
export interface PbapLink {
  session: ObexClientSession;
}

/** The watchdog of the step or operation running now. */
interface Watch {
  what: string;
  fired: boolean;
  /** Rejects the step's race with the timeout. */
  expire: (err: Error) => void;
}

export class PbapClient {
  readonly events = new Emitter<PbapClientEvents>();
  private readonly timeoutMs: number;
  private readonly features: number;
  private readonly maxQueued: number;
  private readonly operations: PbapOperations;
  private currentState: PbapClientState = 'idle';
  private pseInfo: PseInfo | undefined;
  private channel: ByteChannel | undefined;
  private session: ObexClientSession | undefined;
  private unsubscribe: (() => void)[] = [];
  private connecting: Promise<PseInfo> | undefined;
  /** Why the session ended; what later operations reject with. */
  private closeReason: Error | undefined;
  private watch: Watch | undefined;
  private watchTimer: Timer | undefined;
  private tail: Promise<void> = Promise.resolve();
  private queued = 0;

  constructor(private readonly options: PbapClientOptions) {
    this.timeoutMs = options.timeoutMs ?? DEFAULT_PBAP_TIMEOUT_MS;
    this.features = options.supportedFeatures ?? PBAP_DEFAULT_FEATURES;
    this.maxQueued = options.maxQueuedOperations ?? DEFAULT_MAX_QUEUED_OPERATIONS;
    this.operations = new PbapOperations(options, this.events, (what, body) => this.run(what, body));
  }

  get state(): PbapClientState {
    return this.currentState;
  }

  /** What the PSE's SDP record says, once connect() has read it. */
  get pse(): PseInfo | undefined {
    return this.pseInfo;
  }

  /** The folder the session is in (`/telecom/pb`), undefined when a failed SetPath left it unknown. */
  get folder(): string | undefined {
    return this.operations.folder;
  }

  /** Discovers, connects and opens the PBAP session. Resolves with the PSE's facts. */
  connect(): Promise<PseInfo> {
    if (this.currentState === 'connected' && this.pseInfo) return Promise.resolve(this.pseInfo);
    if (this.connecting) return this.connecting;
    this.currentState = 'connecting';
    this.closeReason = undefined;
    this.connecting = this.open().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  pullPhonebook(name: string, options: PullPhonebookOptions = {}): Promise<PhonebookPull> {
    return this.operations.pullPhonebook(name, options);
  }

  /** The number of entries in a phone book (PullPhoneBook with MaxListCount 0). */
  phonebookSize(name: string): Promise<number> {
    return this.operations.phonebookSize(name);
  }

  /** The size and the response's other parameters (NewMissedCalls, folder versions, database id). */
  phonebookInfo(name: string): Promise<PbapParams> {
    return this.operations.phonebookInfo(name);
  }

  pullListing(folder: string, options: PullListingOptions = {}): Promise<ListingPull> {
    return this.operations.pullListing(folder, options);
  }

  pullEntry(folder: string, handle: string, options: PullEntryOptions = {}): Promise<EntryPull> {
    return this.operations.pullEntry(folder, handle, options);
  }

  /** SetPhoneBook: `/telecom/pb` from the root, `pb` or `..` from the current folder. */
  setPath(path: string): Promise<void> {
    return this.operations.setPath(path);
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
      await this.run('Disconnect', async ({ session }) => {
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

  private async open(): Promise<PseInfo> {
    const { client, phoneAddress } = this.options;
    try {
      const info = await this.step('SDP discovery', () => client.discover(phoneAddress));
      const pse = findPse(info.records);
      if (pse === undefined) throw new PseNotFoundError(phoneAddress);
      this.pseInfo = pse;
      const connection = await this.step('ACL connect', () => client.connect(phoneAddress));
      this.listen(connection.events.on('disconnect', (reason) => this.dropped(reason)));
      if (!connection.connected) throw new DisconnectedError(0x08, 'the ACL went down while connecting');
      if (!connection.encrypted) await this.step('pairing', () => connection.pair());
      const channel = await this.openChannel(connection, pse.channel);
      const session = this.attach(channel);
      // PBAP/PCE/SSM/BV-09 and BV-10: our features go in Connect only when the PSE publishes its own.
      const appParams = pse.featuresPublished ? encodePbapParams({ supportedFeatures: this.features }) : undefined;
      await this.guard('Connect', () =>
        session.connect({
          target: PBAP_TARGET,
          ...(appParams ? { appParams } : {}),
          ...(this.options.maxPacketLength === undefined ? {} : { maxPacketLength: this.options.maxPacketLength }),
        }),
      );
      if (this.currentState !== 'connecting') throw this.closedError('Connect');
      this.currentState = 'connected';
      this.operations.reset();
      this.events.emit('connected', pse);
      return pse;
    } catch (err) {
      const mapped = this.mapError('connect', err, undefined);
      this.shutDown(this.closeReason ?? mapped);
      throw mapped;
    }
  }

  private async openChannel(connection: ClassicConnection, number: number): Promise<ByteChannel> {
    try {
      return await this.step('open channel', () => connection.openChannel(number), (late) => void late.close());
    } catch (err) {
      if (err instanceof LinkError && err.code === 'link.channel-refused') {
        const cod = this.options.client.classOfDevice;
        throw new ChannelRefusedError(number, cod, isHandsFreeClass(cod));
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
        // The session closed itself (unframeable stream, unanswered Abort...): later operations say why.
        if (this.session === session) this.shutDown(reason === undefined ? new NotConnectedError('PBAP') : this.mapError('session', reason, undefined));
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

  /**
   * Runs `body` as the one operation on the open session, after those
   * queued before it. Rejects with NotConnectedError (or the reason the
   * session ended) when there is none by then.
   */
  private async run<T>(what: string, body: (link: PbapLink) => Promise<T>): Promise<T> {
    if (this.queued >= this.maxQueued + 1) throw new PbapLimitError('queued PBAP operations', this.maxQueued);
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
      return await this.guard(what, () => body({ session }));
    } finally {
      this.queued--;
      release();
    }
  }

  /** A connection step that is not an OBEX exchange, limited like one. `onLate` gets a result that came after the timeout. */
  private step<T>(what: string, start: () => Promise<T>, onLate?: (value: T) => void): Promise<T> {
    return this.guard(what, () => start(), onLate);
  }

  /** Runs `body` under the inactivity watchdog and maps what it throws. */
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
    this.watchTimer = this.options.clock.schedule(this.timeoutMs, () => {
      if (this.watch !== watch) return;
      watch.fired = true;
      const err = new TimeoutError(`PBAP ${watch.what}`, this.timeoutMs);
      this.shutDown(err);
      watch.expire(err);
    });
  }

  /** What an operation rejects with, given what went wrong. */
  private mapError(what: string, err: unknown, watch: Watch | undefined): Error {
    if (watch?.fired && this.closeReason instanceof TimeoutError) return this.closeReason;
    if (err instanceof SimPcError || err instanceof LinkError) return err;
    if (err instanceof ObexResponseError) {
      return err.responseCode === ResponseCode.Forbidden ? new PermissionRequiredError(what) : new PbapRefusedError(what, err.responseCode);
    }
    if (isObexError(err, ObexErrorKind.Closed)) return this.closeReason ?? new NotConnectedError(`PBAP ${what}`);
    if (isObexError(err, ObexErrorKind.Aborted)) return new PbapAbortedError(what);
    if (isObexError(err, ObexErrorKind.Timeout)) return new TimeoutError(`PBAP ${what}`, this.timeoutMs * OBEX_BACKSTOP_FACTOR);
    if (err instanceof ProtocolError) return new PbapProtocolError(what, err.message, err.code);
    return err instanceof Error ? err : new Error(String(err));
  }

  private closedError(what: string): Error {
    return this.closeReason ?? new NotConnectedError(`PBAP ${what}`);
  }

  private dropped(reason: number): void {
    if (this.currentState === 'closed' || this.currentState === 'idle') return;
    this.shutDown(new DisconnectedError(reason));
  }

  /** Ends the session: rejects what is running, closes the channel, forgets the connection. */
  private shutDown(reason: Error | undefined): void {
    if (this.currentState === 'closed' || this.currentState === 'idle') {
      if (this.session === undefined && this.channel === undefined) return;
    }
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
