/**
 * The ANCS Notification Consumer for one connection (one session): finds
 * the service, subscribes Data Source then Notification Source (pairing
 * once when the phone demands it), fetches the attributes and app names
 * behind each Notification Source event and reports complete records,
 * removals and actions. UIDs are trusted for this session only: when the
 * link drops, the session ends and every pending request is rejected.
 *
 * A phone may go silent inside a session (iOS with "Share System
 * Notifications" turned off sends nothing and refuses Control Point writes
 * with Insufficient Authorization) and, once allowed again, replay what it
 * holds with PreExisting, never announcing what was removed meanwhile. A
 * PreExisting replay after the first one has closed counts as such a fresh
 * snapshot when it re-announces a UID already live, or follows a refusal with
 * Insufficient Authorization: `resync` fires, and at its end UIDs not
 * re-announced are forgotten and `replayComplete` fires again.
 */
import type { BleConnection, GattClient } from '../../link/ble';
import { normalizeUuid } from '../../link/ble';
import type { Clock } from '../../link/clock';
import { AttErrorCode } from '../../link/att-codes';
import { AttError, DisconnectedError, PairingError, QueueFullError } from '../../link/errors';
import { decodeNotificationSource } from '../../protocol/ancs';
import {
  ActionId,
  ANCS_CONTROL_POINT_UUID,
  ANCS_DATA_SOURCE_UUID,
  ANCS_NOTIFICATION_SOURCE_UUID,
  ANCS_SERVICE_UUID,
  AppAttributeId,
  CommandId,
  EventFlag,
  EventId,
  NotificationAttributeId,
} from '../../protocol/ancs/constants';
import type {
  DataSourceReply,
  GetAppAttributesCommand,
  GetNotificationAttributesCommand,
  NotificationSourceEvent,
  PerformNotificationActionCommand,
} from '../../protocol/ancs/types';
import { Emitter } from '../../util/emitter';
import { ActionNotOfferedError, AncsUnavailableError, RequestCancelledError, SessionEndedError, UnknownNotificationError } from '../errors';
import { ControlPointSequencer, SequencerStats } from './control-point-sequencer';
import { AncsDateZone, AncsNotification, attributeTexts, buildNotification, offersAction, requestedAttributes } from './notification-record';
import { ReplayOutcome, ReplayTracker } from './replay-tracker';
import { ANCS_MAX_NOTIFICATIONS, ANCS_CONTROL_POINT_QUEUE_LIMIT, ANCS_REQUEST_TIMEOUT_MS } from '../../limits';

export interface AncsConsumerOptions {
  connection: BleConnection;
  clock: Clock;
  /** Time limit for one Control Point request, write to complete reply. Default 15000. */
  requestTimeoutMs?: number;
  /** Requests that may wait behind the one in flight. Default 64. */
  queueLimit?: number;
  /** MaxLen asked for Title, Subtitle and Message. Default 512. */
  attributeMaxLength?: number;
  /** Quiet Notification Source time that ends the replay of existing notifications. Default 1000. */
  replaySettleMs?: number;
  /** Quiet Data Source time that ends a drain after a bad or late reply. Default 500. */
  drainMs?: number;
  /** How to read the phone's zone-less Date attribute: as the PC's local time (default) or as UTC. */
  dateZone?: AncsDateZone;
  /** Quiet Data Source time after which a reply stopped at a tuple boundary counts as complete. Default 500. */
  shortReplyMs?: number;
  /** Upper bound on one reassembled Data Source reply. */
  maxReplyBytes?: number;
  /** Most UIDs tracked at once; past it the oldest is forgotten (and reported). Default 5000. */
  maxNotifications?: number;
}

export interface AncsConsumerEvents {
  /** A complete record: on Added, and again after each Modified. */
  notification: [record: AncsNotification];
  removed: [uid: number];
  /** Every decoded Notification Source event, before any fetch. */
  source: [event: NotificationSourceEvent];
  /** Problems from the phone that belong to no caller; the consumer carries on. */
  error: [err: Error];
  /** The phone asked for security; pairing (or encryption with the bond) is under way. */
  pairing: [];
  /** Both subscriptions are in place. */
  started: [];
  /** The replay of existing notifications is over and every replayed one was reported or settled. */
  replayComplete: [outcome: ReplayOutcome];
  /**
   * The phone started replaying again inside this session after going silent:
   * what follows, until the next `replayComplete`, is a fresh snapshot.
   */
  resync: [];
  /** The session is over; `err` says why. */
  ended: [err: Error];
}

export type ConsumerState = 'idle' | 'starting' | 'running' | 'ended';

/** ATT errors that mean "pair first". */
const SECURITY_ERRORS: ReadonlySet<number> = new Set([AttErrorCode.InsufficientAuthentication, AttErrorCode.InsufficientEncryption]);

/** Control Point queue places kept free of fetches, for actions and app names. */
const RESERVED_SLOTS = 8;

const SERVICE = normalizeUuid(ANCS_SERVICE_UUID);
const NS = normalizeUuid(ANCS_NOTIFICATION_SOURCE_UUID);
const CP = normalizeUuid(ANCS_CONTROL_POINT_UUID);
const DS = normalizeUuid(ANCS_DATA_SOURCE_UUID);

export class AncsConsumer {
  readonly events = new Emitter<AncsConsumerEvents>();
  private readonly connection: BleConnection;
  private readonly gatt: GattClient;
  private readonly attributeMaxLength: number;
  private readonly maxNotifications: number;
  private readonly sequencer: ControlPointSequencer;
  private readonly replaySettleMs: number;
  private readonly clock: Clock;
  /** The replay being watched: the session's first, then any later one (see the header). */
  private replay: ReplayTracker;
  /** The replay before `replay`, still settling, until a resync supersedes it. */
  private earlier: ReplayTracker | undefined;
  /** A later PreExisting replay is open and not yet known to be a fresh snapshot. */
  private replayUnconfirmed = false;
  /** UIDs live when a resync began and not announced since; forgotten when it completes. */
  private readonly unconfirmed = new Set<number>();
  /** A Control Point write was refused with Insufficient Authorization since the last resync. */
  private authorizationRefused = false;
  /** Latest Notification Source event per live UID. */
  private readonly live = new Map<number, NotificationSourceEvent>();
  /**
   * UIDs waiting for a fetch slot, in arrival order. Fetches take at most
   * `fetchSlots` places in the Control Point queue (the rest stay free for
   * actions and app names); a burst or a long replay waits here instead of
   * overflowing. Bounded by `live`, since only live UIDs are kept.
   */
  private readonly backlog = new Set<number>();
  private readonly fetchSlots: number;
  private readonly dateZone: AncsDateZone;
  /** Fetches submitted and not yet answered. */
  private fetchesQueued = 0;
  /** Display names by app id; a pending entry is a request in progress. */
  private readonly appNames = new Map<string, string | Promise<string>>();
  private readonly detachDisconnect: () => void;
  private readonly reportedErrors = new WeakSet<Error>();
  private currentState: ConsumerState = 'idle';

  constructor(options: AncsConsumerOptions) {
    this.connection = options.connection;
    this.gatt = options.connection.gatt;
    this.attributeMaxLength = options.attributeMaxLength ?? 512;
    this.maxNotifications = options.maxNotifications ?? ANCS_MAX_NOTIFICATIONS;
    this.dateZone = options.dateZone ?? 'local';
    this.fetchSlots = Math.max(1, (options.queueLimit ?? ANCS_CONTROL_POINT_QUEUE_LIMIT) - RESERVED_SLOTS);
    this.clock = options.clock;
    this.replaySettleMs = options.replaySettleMs ?? 1000;
    this.sequencer = new ControlPointSequencer({
      clock: options.clock,
      write: (value) => this.writeControlPoint(value),
      requestTimeoutMs: options.requestTimeoutMs ?? ANCS_REQUEST_TIMEOUT_MS,
      queueLimit: options.queueLimit ?? ANCS_CONTROL_POINT_QUEUE_LIMIT,
      drainMs: options.drainMs ?? 500,
      shortReplyMs: options.shortReplyMs ?? 500,
      ...(options.maxReplyBytes === undefined ? {} : { maxReplyBytes: options.maxReplyBytes }),
      onError: (err) => this.report(err),
    });
    this.replay = new ReplayTracker(this.clock, this.replaySettleMs, (outcome) => this.events.emit('replayComplete', outcome));
    this.detachDisconnect = this.connection.events.on('disconnect', (reason) => this.end(new DisconnectedError(reason)));
  }

  private get ended(): boolean {
    return this.currentState === 'ended';
  }

  get state(): ConsumerState {
    return this.currentState;
  }

  /** True until the replay of existing notifications is complete. */
  get replaying(): boolean {
    return this.replay.replaying;
  }

  get stats(): SequencerStats & { queued: number; live: number; appNames: number } {
    return { ...this.sequencer.stats, queued: this.sequencer.queued, live: this.live.size, appNames: this.appNames.size };
  }

  /** The latest Notification Source event of a UID live in this session. */
  sourceEvent(uid: number): NotificationSourceEvent | undefined {
    return this.live.get(uid);
  }

  /**
   * Discovers ANCS and subscribes Data Source, then Notification Source.
   * Rejects with AncsUnavailableError, PairingError, AttError or a link error;
   * a failed start ends the session.
   */
  async start(): Promise<void> {
    if (this.currentState !== 'idle') throw new SessionEndedError(`start() called on a consumer that is ${this.currentState}`);
    this.currentState = 'starting';
    try {
      if (!this.connection.connected) throw new DisconnectedError(0, 'the connection is already closed');
      const services = (await this.gatt.discoverServices()).map(normalizeUuid);
      if (!services.includes(SERVICE)) throw new AncsUnavailableError('the service is not published');
      const characteristics = (await this.gatt.discoverCharacteristics(SERVICE)).map((c) => normalizeUuid(c.uuid));
      for (const [uuid, name] of [[NS, 'Notification Source'], [CP, 'Control Point'], [DS, 'Data Source']] as const) {
        if (!characteristics.includes(uuid)) throw new AncsUnavailableError(`no ${name} characteristic`);
      }
      this.checkRunning();
      // Data Source first, so no reply to an early request can be missed.
      await this.subscribeSecurely(DS, (value) => this.guard(() => this.sequencer.onDataSource(value)));
      this.checkRunning();
      await this.gatt.subscribe(SERVICE, NS, (value) => this.guard(() => this.onNotificationSource(value)));
      this.checkRunning();
      this.currentState = 'running';
      this.replay.arm();
      this.events.emit('started');
    } catch (err) {
      const error = err instanceof Error ? err : new Error(String(err));
      this.end(error);
      throw error;
    }
  }

  /**
   * Asks the phone to perform the notification's positive or negative action.
   * Rejects with ActionNotOfferedError when its flags do not offer it,
   * UnknownNotificationError for a UID not live in this session, QueueFullError,
   * TimeoutError, AttError (0xA3 when the phone could not act) or SessionEndedError.
   */
  performAction(uid: number, action: 'positive' | 'negative'): Promise<void> {
    if (this.ended) return Promise.reject(new SessionEndedError());
    const event = this.live.get(uid);
    if (!event) return Promise.reject(new UnknownNotificationError(uid));
    if (!offersAction(event.eventFlags, action)) return Promise.reject(new ActionNotOfferedError(uid, action));
    const command: PerformNotificationActionCommand = {
      commandId: CommandId.PerformNotificationAction,
      notificationUid: uid,
      actionId: action === 'positive' ? ActionId.Positive : ActionId.Negative,
    };
    return this.sequencer.submit(command, { priority: true }).then(() => undefined);
  }

  /** Ends the session from our side (the connection stays as it is). */
  close(): void {
    this.end(new SessionEndedError('the ANCS consumer was closed'));
  }

  private checkRunning(): void {
    if (this.ended) throw new SessionEndedError('the session ended while starting');
  }

  /** Subscribes; on Insufficient Authentication/Encryption pairs (or encrypts with the bond) and retries once. */
  private async subscribeSecurely(characteristic: string, listener: (value: Uint8Array) => void): Promise<void> {
    try {
      await this.gatt.subscribe(SERVICE, characteristic, listener);
      return;
    } catch (err) {
      if (!(err instanceof AttError) || !SECURITY_ERRORS.has(err.attCode)) throw err;
    }
    this.checkRunning();
    this.events.emit('pairing');
    if (this.connection.bonded) {
      try {
        await this.connection.encrypt();
      } catch (err) {
        // The phone may have forgotten the bond: pair afresh once.
        if (!(err instanceof PairingError)) throw err;
        await this.connection.pair();
      }
    } else {
      await this.connection.pair();
    }
    this.checkRunning();
    await this.gatt.subscribe(SERVICE, characteristic, listener);
  }

  /** Runs a listener body; nothing a peer sends may throw out of a GATT callback. */
  private guard(body: () => void): void {
    try {
      body();
    } catch (err) {
      this.report(err);
    }
  }

  private onNotificationSource(value: Uint8Array): void {
    if (this.ended) return;
    let event: NotificationSourceEvent;
    try {
      event = decodeNotificationSource(value);
    } catch (err) {
      this.report(err);
      return;
    }
    this.noteReplay(event);
    this.events.emit('source', event);
    const uid = event.notificationUid;
    this.unconfirmed.delete(uid);
    switch (event.eventId) {
      case EventId.Added:
      case EventId.Modified:
        this.track(event);
        this.fetch(uid);
        break;
      case EventId.Removed:
        this.onRemoved(uid);
        break;
      default:
        // Reserved EventIDs carry nothing we can act on.
        break;
    }
  }

  /** Writes to the Control Point, noting a refusal that means the user stopped sharing. */
  private async writeControlPoint(value: Uint8Array): Promise<void> {
    try {
      await this.gatt.write(SERVICE, CP, value, true);
    } catch (err) {
      if (err instanceof AttError && err.attCode === AttErrorCode.InsufficientAuthorization) this.authorizationRefused = true;
      throw err;
    }
  }

  /**
   * Feeds the replay tracker. A PreExisting Added once the current replay's
   * window has closed opens a new one; it becomes a resync as soon as it
   * shows the phone had gone silent (see the header).
   */
  private noteReplay(event: NotificationSourceEvent): void {
    const replayed = event.eventId === EventId.Added && (event.eventFlags & EventFlag.PreExisting) !== 0;
    if (replayed && !this.replay.windowOpen && this.currentState === 'running') {
      this.earlier?.dispose();
      this.earlier = this.replay.replaying ? this.replay : undefined;
      this.replayUnconfirmed = true;
      const tracker: ReplayTracker = new ReplayTracker(this.clock, this.replaySettleMs, (outcome) => {
        if (this.replay !== tracker || this.replayUnconfirmed) return; // a straggler, not a snapshot
        for (const uid of this.unconfirmed) this.forgetQuietly(uid);
        this.unconfirmed.clear();
        this.events.emit('replayComplete', outcome);
      });
      this.replay = tracker;
      tracker.arm();
    }
    if (replayed && this.replayUnconfirmed && this.replay.windowOpen && (this.authorizationRefused || this.live.has(event.notificationUid))) {
      this.replayUnconfirmed = false;
      this.authorizationRefused = false;
      // The fresh snapshot settles everything; the earlier replay need not report.
      this.earlier?.dispose();
      this.earlier = undefined;
      this.unconfirmed.clear();
      for (const uid of this.live.keys()) this.unconfirmed.add(uid);
      this.events.emit('resync');
    }
    this.replay.onEvent(event);
  }

  /** The replayed notification `uid` settled, for whichever replay is waiting on it. */
  private settleReplay(uid: number): void {
    this.earlier?.settle(uid);
    this.replay.settle(uid);
  }

  /** Drops a UID the phone no longer holds but never announced as removed. */
  private forgetQuietly(uid: number): void {
    if (!this.live.delete(uid)) return;
    this.backlog.delete(uid);
    this.sequencer.cancel(fetchKey(uid));
  }

  /** Records the newest event of a UID, forgetting the oldest UID past the bound. */
  private track(event: NotificationSourceEvent): void {
    const uid = event.notificationUid;
    if (!this.live.has(uid) && this.live.size >= this.maxNotifications) {
      const oldest = this.live.keys().next();
      if (!oldest.done) {
        this.live.delete(oldest.value);
        this.backlog.delete(oldest.value);
        this.sequencer.cancel(fetchKey(oldest.value));
        this.settleReplay(oldest.value);
        this.report(new QueueFullError('ANCS notification', this.maxNotifications));
      }
    }
    this.live.set(uid, event);
  }

  private onRemoved(uid: number): void {
    const known = this.live.delete(uid);
    this.backlog.delete(uid);
    this.sequencer.cancel(fetchKey(uid));
    this.settleReplay(uid);
    if (known) this.events.emit('removed', uid);
  }

  private fetch(uid: number): void {
    const key = fetchKey(uid);
    if (this.sequencer.isQueued(key) || this.backlog.has(uid)) return; // the waiting fetch will read the newest state
    if (this.fetchesQueued >= this.fetchSlots) {
      this.backlog.add(uid);
      return;
    }
    this.fetchesQueued++;
    const command: GetNotificationAttributesCommand = {
      commandId: CommandId.GetNotificationAttributes,
      notificationUid: uid,
      attributes: requestedAttributes(this.attributeMaxLength),
    };
    const queued = this.sequencer.submit(command, { key });
    // The request left the queue (sent, cancelled or failed): its slot is free for the backlog.
    void queued.then(
      () => this.releaseFetchSlot(),
      () => this.releaseFetchSlot(),
    );
    queued
      .then(
        (reply) => this.onAttributes(uid, reply),
        (err: unknown) => this.onFetchFailed(uid, err),
      )
      .catch((err: unknown) => this.report(err));
  }

  private releaseFetchSlot(): void {
    this.fetchesQueued--;
    if (this.ended) return;
    for (const uid of this.backlog) {
      if (this.fetchesQueued >= this.fetchSlots) break;
      this.backlog.delete(uid);
      if (this.live.has(uid)) this.fetch(uid);
    }
  }

  private onFetchFailed(uid: number, err: unknown): void {
    if (this.ended) return;
    this.settleReplay(uid);
    if (err instanceof RequestCancelledError) return;
    this.report(err);
  }

  /** Emits `error` once per error object (the sequencer reports Data Source errors before failing the request). */
  private report(err: unknown): void {
    const error = err instanceof Error ? err : new Error(String(err));
    if (this.reportedErrors.has(error)) return;
    this.reportedErrors.add(error);
    this.events.emit('error', error);
  }

  private async onAttributes(uid: number, reply: DataSourceReply | undefined): Promise<void> {
    try {
      if (this.ended || !this.live.has(uid)) return;
      if (!reply || reply.commandId !== CommandId.GetNotificationAttributes) return;
      const texts = attributeTexts(reply.attributes);
      const appId = texts.get(NotificationAttributeId.AppIdentifier) ?? '';
      const appName = appId === '' ? undefined : await this.appName(appId);
      // The notification may have been removed, or the session ended, while the name was fetched.
      const event = this.live.get(uid);
      if (this.ended || !event) return;
      this.events.emit('notification', buildNotification(event, texts, appName, this.dateZone));
    } finally {
      this.settleReplay(uid);
    }
  }

  /** The app's display name, fetched once per app per session; the app id when the phone has none. */
  private appName(appId: string): Promise<string> | string {
    const cached = this.appNames.get(appId);
    if (cached !== undefined) return cached;
    const command: GetAppAttributesCommand = { commandId: CommandId.GetAppAttributes, appIdentifier: appId, attributes: [AppAttributeId.DisplayName] };
    const pending = this.sequencer.submit(command, { priority: true, key: `app:${appId}` }).then(
      (reply) => {
        const name = reply && reply.commandId === CommandId.GetAppAttributes ? attributeTexts(reply.attributes).get(AppAttributeId.DisplayName) : undefined;
        const resolved = name !== undefined && name !== '' ? name : appId;
        this.appNames.set(appId, resolved);
        return resolved;
      },
      (err: unknown) => {
        if (err instanceof QueueFullError) this.appNames.delete(appId); // never sent: ask again next time
        else this.appNames.set(appId, appId); // asked once; do not ask again this session
        if (!this.ended) this.report(err);
        return appId;
      },
    );
    this.appNames.set(appId, pending);
    return pending;
  }

  private end(err: Error): void {
    if (this.ended) return;
    this.currentState = 'ended';
    this.detachDisconnect();
    this.replay.dispose();
    this.earlier?.dispose();
    this.earlier = undefined;
    this.unconfirmed.clear();
    this.sequencer.close(err);
    this.live.clear();
    this.appNames.clear();
    this.events.emit('ended', err);
  }
}

function fetchKey(uid: number): string {
  return `uid:${uid}`;
}
