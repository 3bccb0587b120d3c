/**
 * The phone's ANCS Notification Provider: publishes the ANCS service on a
 * GATT server host and, per connected peer, keeps a session (UIDs, an
 * ordered notify queue), announces store changes on the Notification
 * Source, answers Control Point commands on the Data Source, and applies
 * the profile's policy: bonding, "Share System Notifications", PreExisting
 * replay, per-session UIDs, which actions exist and what they do.
 */
import { Clock } from '../link/clock';
import { GattPeer, GattServerHost } from '../link/ble';
import { AttErrorCode } from '../link/att-codes';
import { AttError, LinkError, QueueFullError } from '../link/errors';
import { Emitter } from '../util/emitter';
import { isProtocolError } from '../protocol/errors';
import {
  ActionId,
  AncsErrorCode,
  ANCS_CONTROL_POINT_UUID,
  ANCS_DATA_SOURCE_UUID,
  ANCS_NOTIFICATION_SOURCE_UUID,
  ANCS_SERVICE_UUID,
  CommandId,
  EventId,
  ancsErrorToAtt,
  decodeControlPoint,
  encodeDataSourceReply,
  encodeNotificationSource,
  fragmentReply,
} from '../protocol/ancs';
import type { ControlPointCommand, DataSourceReply } from '../protocol/ancs';
import { AncsSession, UidAllocator } from './ancs-session';
import { appAttributesReply, eventFlagsFor, notificationAttributesReply, offersAction } from './ancs-replies';
import { NotifyQueue } from './notify-queue';
import { PhoneModel } from './phone-model';
import { PhoneNotification } from './notification-store';
import { AncsAction, PhoneProfile } from './profile';

export interface AncsProviderOptions {
  host: GattServerHost;
  model: PhoneModel;
  profile: PhoneProfile;
  clock: Clock;
  /** Notifications waiting per peer before new ones are refused (default 16384: one 196 KB reply at MTU 23). */
  queueLimit?: number;
}

export interface AncsProviderStats {
  /** Notification Source subscriptions (each starts a session). */
  sessionsStarted: number;
  /** Control Point commands carried out. */
  requestsServed: number;
  /** Control Point writes answered with an ATT error, and how many of each code. */
  errorsAnswered: number;
  errorsByCode: Record<number, number>;
  nsEventsSent: number;
  dsFragmentsSent: number;
  /** Attribute-value bytes handed to the link (NS and DS). */
  bytesSent: number;
  /** Notifications the link refused (peer unsubscribed or gone) or that did not fit the queue. */
  notificationsDropped: number;
  /** Times the link's queue was full and sending waited for a retry. */
  backPressureRetries: number;
  actionsPerformed: number;
}

export interface AncsProviderEvents {
  /** A peer's Notification Source subscription started a session. */
  sessionStarted: [peer: GattPeer, session: number];
  actionPerformed: [peer: GattPeer, notification: PhoneNotification, action: AncsAction];
  /** A Control Point write was refused with `attCode`. */
  errorAnswered: [peer: GattPeer, attCode: number, reason: string];
}

/** What the provider keeps per connected peer. */
interface PeerState {
  peer: GattPeer;
  queue: NotifyQueue;
  /** The current session, from the last NS subscription; undefined before the first. */
  session: AncsSession | undefined;
  sessionsStarted: number;
  nsSubscribed: boolean;
  /** Whether the Notification Source flowed at the last permission check. */
  nsOpen: boolean;
}

const DEFAULT_QUEUE_LIMIT = 16_384;
const ATT_NOTIFY_OVERHEAD = 3;
/** Largest CategoryCount a byte can carry. */
const MAX_CATEGORY_COUNT = 0xff;

export class AncsProvider {
  readonly events = new Emitter<AncsProviderEvents>();
  private readonly host: GattServerHost;
  private readonly model: PhoneModel;
  private readonly profile: PhoneProfile;
  private readonly clock: Clock;
  private readonly queueLimit: number;
  private readonly peers = new Map<string, PeerState>();
  private readonly uids: UidAllocator | undefined;
  private readonly unsubscribers: Array<() => void> = [];
  private started = false;
  private readonly counters: AncsProviderStats = {
    sessionsStarted: 0,
    requestsServed: 0,
    errorsAnswered: 0,
    errorsByCode: {},
    nsEventsSent: 0,
    dsFragmentsSent: 0,
    bytesSent: 0,
    notificationsDropped: 0,
    backPressureRetries: 0,
    actionsPerformed: 0,
  };

  constructor(options: AncsProviderOptions) {
    this.host = options.host;
    this.model = options.model;
    this.profile = options.profile;
    this.clock = options.clock;
    this.queueLimit = options.queueLimit ?? DEFAULT_QUEUE_LIMIT;
    this.uids = this.profile.ancs.uidsPerSession ? new UidAllocator() : undefined;
  }

  /** A snapshot of the counters. */
  get stats(): AncsProviderStats {
    return { ...this.counters, errorsByCode: { ...this.counters.errorsByCode } };
  }

  /** Publishes the ANCS service and starts following the model and the host. */
  start(): void {
    if (this.started) return;
    this.started = true;
    const security = this.profile.ancs.requiresBonding ? 'bonded' : 'open';
    this.host.addService({
      uuid: ANCS_SERVICE_UUID,
      characteristics: [
        {
          uuid: ANCS_NOTIFICATION_SOURCE_UUID,
          properties: ['notify'],
          security,
          onSubscribe: (peer, enabled) => this.onNotificationSourceSubscribe(peer, enabled),
        },
        {
          uuid: ANCS_CONTROL_POINT_UUID,
          properties: ['write'],
          security,
          onWrite: (peer, value) => this.onControlPointWrite(peer, value),
        },
        {
          uuid: ANCS_DATA_SOURCE_UUID,
          properties: ['notify'],
          security,
          onSubscribe: (peer) => {
            this.stateFor(peer);
          },
        },
      ],
    });
    const store = this.model.notifications;
    this.unsubscribers.push(
      store.events.on('added', (n) => this.announce(n, EventId.Added)),
      store.events.on('modified', (n) => this.announce(n, EventId.Modified)),
      store.events.on('removed', (n) => this.announceRemoved(n)),
      this.model.events.on('permissionChanged', (_pc, permission) => {
        if (permission === 'shareSystemNotifications') this.recheckPermissions();
      }),
      this.host.events.on('disconnect', (peer) => this.dropPeer(peer)),
      this.host.events.on('mtuChanged', (peer) => this.stateFor(peer)),
    );
  }

  /** Withdraws the service and forgets every session. */
  stop(): void {
    if (!this.started) return;
    this.started = false;
    for (const off of this.unsubscribers.splice(0)) off();
    for (const state of this.peers.values()) state.queue.close();
    this.peers.clear();
    this.host.removeService(ANCS_SERVICE_UUID);
  }

  /** True when the user lets this PC see notifications (or the profile does not ask). */
  isSharedWith(pcAddress: string): boolean {
    return !this.profile.ancs.requiresShareSystemNotifications || this.model.hasPermission(pcAddress, 'shareSystemNotifications');
  }

  /** The current session number of a connected peer (1 for its first NS subscription on this connection), if any. */
  sessionOf(pcAddress: string): number | undefined {
    return this.peers.get(pcAddress.toUpperCase())?.session?.number;
  }

  // --- Notification Source -------------------------------------------------

  private nsFlows(address: string): boolean {
    return this.isSharedWith(address) || this.profile.ancs.whenNotShared.notificationSource === 'deliver';
  }

  private onNotificationSourceSubscribe(peer: GattPeer, enabled: boolean): void {
    const state = this.stateFor(peer);
    state.nsSubscribed = enabled;
    if (!enabled) return; // UIDs stay valid until the next subscription or disconnect.
    state.sessionsStarted++;
    this.counters.sessionsStarted++;
    state.session = new AncsSession(state.sessionsStarted, this.uids);
    state.nsOpen = this.nsFlows(peer.address);
    this.events.emit('sessionStarted', peer, state.sessionsStarted);
    if (state.nsOpen && this.profile.ancs.replayPreExisting) this.replay(state);
  }

  /** Announces every notification on the phone as Added + PreExisting. */
  private replay(state: PeerState): void {
    const session = state.session;
    if (!session) return;
    for (const n of this.model.notifications.all()) {
      this.sendEvent(state, EventId.Added, n, session.assign(n.id), true);
    }
  }

  private announce(n: PhoneNotification, eventId: number): void {
    for (const state of this.peers.values()) {
      const session = state.session;
      if (!session || !state.nsSubscribed || !state.nsOpen) continue;
      if (eventId === EventId.Added) {
        this.sendEvent(state, eventId, n, session.assign(n.id), false);
      } else {
        // A Modified for something this session never announced would name no UID.
        const uid = session.uidOf(n.id);
        if (uid !== undefined) this.sendEvent(state, eventId, n, uid, false);
      }
    }
  }

  private announceRemoved(n: PhoneNotification): void {
    for (const state of this.peers.values()) {
      const session = state.session;
      if (!session) continue;
      const uid = session.uidOf(n.id);
      session.forget(n.id);
      if (uid !== undefined && state.nsSubscribed && state.nsOpen) this.sendEvent(state, EventId.Removed, n, uid, false);
    }
  }

  private sendEvent(state: PeerState, eventId: number, n: PhoneNotification, uid: number, preExisting: boolean): void {
    const bytes = encodeNotificationSource({
      eventId,
      eventFlags: eventFlagsFor(this.profile.ancs, n, preExisting),
      categoryId: n.categoryId,
      categoryCount: Math.min(this.model.notifications.categoryCount(n.categoryId), MAX_CATEGORY_COUNT),
      notificationUid: uid,
    });
    try {
      state.queue.enqueue(ANCS_NOTIFICATION_SOURCE_UUID, [bytes]);
    } catch (err) {
      if (!(err instanceof LinkError)) throw err;
      this.counters.notificationsDropped++;
    }
  }

  /** After a permission change: silence or reopen each peer's NS; a reopened one gets the replay. */
  private recheckPermissions(): void {
    for (const state of this.peers.values()) {
      const open = this.nsFlows(state.peer.address);
      const reopened = open && !state.nsOpen;
      state.nsOpen = open;
      if (reopened && state.nsSubscribed && this.profile.ancs.replayPreExisting) this.replay(state);
    }
  }

  // --- Control Point and Data Source ----------------------------------------

  private onControlPointWrite(peer: GattPeer, value: Uint8Array): void {
    const state = this.stateFor(peer);
    try {
      if (!this.isSharedWith(peer.address)) {
        throw new AttError(this.profile.ancs.whenNotShared.controlPointAttError, 'Share System Notifications is off for this PC');
      }
      this.execute(state, this.decode(value));
      this.counters.requestsServed++;
    } catch (err) {
      if (err instanceof AttError) {
        this.counters.errorsAnswered++;
        this.counters.errorsByCode[err.attCode] = (this.counters.errorsByCode[err.attCode] ?? 0) + 1;
        this.events.emit('errorAnswered', peer, err.attCode, err.message);
      }
      throw err;
    }
  }

  private decode(value: Uint8Array): ControlPointCommand {
    try {
      return decodeControlPoint(value);
    } catch (err) {
      if (isProtocolError(err)) throw new AttError(ancsErrorToAtt(err), err.message);
      throw err;
    }
  }

  private execute(state: PeerState, cmd: ControlPointCommand): void {
    const ancs = this.profile.ancs;
    switch (cmd.commandId) {
      case CommandId.GetNotificationAttributes: {
        const n = this.lookup(state, cmd.notificationUid);
        this.sendReply(state, notificationAttributesReply(ancs, cmd.notificationUid, n, cmd.attributes));
        return;
      }
      case CommandId.GetAppAttributes: {
        const reply = appAttributesReply(ancs, cmd.appIdentifier, this.model.appName(cmd.appIdentifier), cmd.attributes);
        if (!reply) throw new AttError(AncsErrorCode.InvalidParameter, `no app ${JSON.stringify(cmd.appIdentifier)} on the phone`);
        this.sendReply(state, reply);
        return;
      }
      case CommandId.PerformNotificationAction: {
        const n = this.lookup(state, cmd.notificationUid);
        const action = cmd.actionId === ActionId.Positive ? 'positive' : cmd.actionId === ActionId.Negative ? 'negative' : undefined;
        if (!action || !offersAction(ancs, n, action)) {
          throw new AttError(AncsErrorCode.ActionFailed, `notification ${cmd.notificationUid} offers no action ${cmd.actionId}`);
        }
        this.counters.actionsPerformed++;
        this.events.emit('actionPerformed', state.peer, n, action);
        // The effect reaches every session as a store change (Removed on NS).
        if (ancs.actionEffects[action] === 'remove') this.model.notifications.remove(n.id);
        return;
      }
    }
  }

  /** The notification a UID names in the peer's current session; ATT 0xA2 when none. */
  private lookup(state: PeerState, uid: number): PhoneNotification {
    const storeId = state.session?.storeIdOf(uid);
    const n = storeId === undefined ? undefined : this.model.notifications.get(storeId);
    if (!n) throw new AttError(AncsErrorCode.InvalidParameter, `NotificationUID ${uid} names nothing in this session`);
    return n;
  }

  /** Encodes a reply and queues all its fragments (MTU-3 each) before any later command's. */
  private sendReply(state: PeerState, reply: DataSourceReply): void {
    const peer = state.peer;
    if (!this.host.isSubscribed(peer, ANCS_DATA_SOURCE_UUID)) {
      throw new AttError(AttErrorCode.CccdImproperlyConfigured, 'Data Source notifications are not enabled');
    }
    const fragments = fragmentReply(encodeDataSourceReply(reply), Math.max(1, peer.mtu - ATT_NOTIFY_OVERHEAD));
    try {
      state.queue.enqueue(ANCS_DATA_SOURCE_UUID, fragments);
    } catch (err) {
      if (!(err instanceof QueueFullError)) throw err;
      this.counters.notificationsDropped += fragments.length;
      throw new AttError(AttErrorCode.InsufficientResources, err.message);
    }
  }

  // --- Peers -----------------------------------------------------------------

  /** The state for a peer, created on first contact; refreshes the stored connection view. */
  private stateFor(peer: GattPeer): PeerState {
    const key = peer.address.toUpperCase();
    const known = this.peers.get(key);
    if (known) {
      known.peer = peer;
      known.queue.setPeer(peer);
      return known;
    }
    const state: PeerState = {
      peer,
      queue: new NotifyQueue({
        host: this.host,
        clock: this.clock,
        peer,
        limit: this.queueLimit,
        retryMs: this.profile.ble.connectionIntervalMs,
        onSent: (characteristic, value) => {
          if (characteristic === ANCS_DATA_SOURCE_UUID) this.counters.dsFragmentsSent++;
          else this.counters.nsEventsSent++;
          this.counters.bytesSent += value.length;
        },
        onDropped: () => this.counters.notificationsDropped++,
        onBackPressure: () => this.counters.backPressureRetries++,
      }),
      session: undefined,
      sessionsStarted: 0,
      nsSubscribed: false,
      nsOpen: this.nsFlows(peer.address),
    };
    this.peers.set(key, state);
    return state;
  }

  private dropPeer(peer: GattPeer): void {
    const key = peer.address.toUpperCase();
    this.peers.get(key)?.queue.close();
    this.peers.delete(key);
  }
}
