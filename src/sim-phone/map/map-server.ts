/**
 * The simulated phone's MAP server (MSE): publishes the MAS record from the
 * phone profile, accepts channels on its RFCOMM channel (past the session
 * limit it refuses the channel, or answers Connect with Service Unavailable,
 * as the profile says), runs one MasSession per channel, gates Connect on
 * "Show Message Notifications" and closes sessions when the user revokes it,
 * and keeps one MNS client per PC that has notification registration on:
 * each message that arrives becomes a NewMessage event report for every
 * such PC that may see it (on iOS, arriving while registered is what makes
 * it visible). Counters and events for reports.
 */
import type { ByteChannel, ClassicHost, ClassicPeer, ServiceRecord } from '../../link/classic';
import type { Clock } from '../../link/clock';
import { MapEventName, MapSdpAttribute, MapUuid, type MapEvent } from '../../protocol/map';
import { isSuccess, OBEX_DEFAULT_PACKET_LENGTH, ResponseCode, responseCodeName } from '../../protocol/obex';
import { Emitter } from '../../util/emitter';
import { ProfileError } from '../errors';
import type { PhoneModel } from '../phone-model';
import type { PhoneProfile } from '../profile';
import type { MnsQueueFullError, MnsUnreachableError } from './map-errors';
import type { MapProfile } from './map-profile';
import { MasSession, type MapOperation } from './mas-session';
import { ChannelSessions } from '../channel-sessions';
import type { PhoneMessage, SentMessage } from './message-store';
import { messageHandle, MessageView } from './message-view';
import { MnsClient, type MnsClientOptions } from './mns-client';
import { PHONE_MAX_PUSH_BYTES } from '../../limits';

export const DEFAULT_MAP_TIMEOUT_MS = 30_000;
export const DEFAULT_MAX_PUSH_BYTES = PHONE_MAX_PUSH_BYTES;
/** With `service-unavailable`, channels beyond the session limit still open (to be refused in Connect), up to this many more. */
export const EXTRA_REFUSABLE_CHANNELS = 4;

export interface MapServerOptions {
  host: ClassicHost;
  model: PhoneModel;
  profile: PhoneProfile;
  clock: Clock;
  /** Largest OBEX packet announced and accepted (default 4096). */
  maxPacketLength?: number;
  /** How long the OBEX session waits for the MCE inside an operation (default 30 s). */
  timeoutMs?: number;
  /** Largest pushed bMessage in bytes (default 64 KiB). */
  maxPushBytes?: number;
  /** MNS client tuning: event queue limit, retries and their backoff, OBEX timeout. */
  mns?: Pick<MnsClientOptions, 'queueLimit' | 'retries' | 'backoffMs' | 'maxBackoffMs' | 'timeoutMs'>;
}

export type MapChannelRefusal = 'session-limit' | 'stopped';
export type MapSessionEnd = 'channel-closed' | 'permission-revoked' | 'stopped';

export interface MapServerEvents {
  channelRefused: [peer: ClassicPeer, reason: MapChannelRefusal];
  sessionOpened: [peer: ClassicPeer];
  /** OBEX Connect succeeded; with the MapSupportedFeatures the MCE sent in it (undefined: none). */
  connected: [peer: ClassicPeer, mceFeatures: number | undefined];
  sessionClosed: [peer: ClassicPeer, reason: MapSessionEnd];
  /** Every request with the response code it got and, for a refusal, why. */
  request: [peer: ClassicPeer, operation: MapOperation, name: string | undefined, code: number, why: string | undefined];
  /** Notification registration turned on or off for a PC (over all its sessions). */
  registration: [pcAddress: string, on: boolean];
  mnsConnected: [pcAddress: string, channel: number];
  mnsRetrying: [pcAddress: string, attempt: number, delayMs: number, error: unknown];
  /** The phone stopped trying to reach the PC's MNS. */
  mnsGaveUp: [pcAddress: string, error: MnsUnreachableError];
  eventSent: [pcAddress: string, event: MapEvent];
  /** An event report the PC refused, or that could not be sent. */
  eventFailed: [pcAddress: string, event: MapEvent, error: unknown];
  /** An event report that found its queue full. */
  eventDropped: [pcAddress: string, event: MapEvent, error: MnsQueueFullError];
  /** A PC sent a message through the phone. */
  messagePushed: [pcAddress: string, message: SentMessage];
}

export interface MapServerStats {
  channelsAccepted: number;
  channelsRefused: number;
  sessionsOpen: number;
  /** Successful OBEX Connects. */
  connects: number;
  /** Connects answered Forbidden because "Show Message Notifications" is off. */
  forbidden: number;
  requests: Record<MapOperation, number>;
  /** Refusals by response code name, e.g. `NotFound (0xC4)`. */
  refusals: Record<string, number>;
  mnsConnects: number;
  mnsGiveUps: number;
  eventsSent: number;
  eventsFailed: number;
  eventsDropped: number;
  messagesPushed: number;
}

function emptyStats(): MapServerStats {
  return {
    channelsAccepted: 0,
    channelsRefused: 0,
    sessionsOpen: 0,
    connects: 0,
    forbidden: 0,
    requests: {
      connect: 0,
      setPath: 0,
      folderListing: 0,
      messagesListing: 0,
      getMessage: 0,
      instanceInfo: 0,
      pushMessage: 0,
      setMessageStatus: 0,
      notificationRegistration: 0,
      updateInbox: 0,
      other: 0,
    },
    refusals: {},
    mnsConnects: 0,
    mnsGiveUps: 0,
    eventsSent: 0,
    eventsFailed: 0,
    eventsDropped: 0,
    messagesPushed: 0,
  };
}

/** A PC with notification registration on: its registered sessions and its MNS client. */
interface Subscriber {
  sessions: Set<MasSession>;
  mns: MnsClient;
}

export class MapServer {
  readonly events = new Emitter<MapServerEvents>();
  readonly map: MapProfile;
  readonly view: MessageView;
  private readonly sessions = new ChannelSessions<MasSession, MapSessionEnd>({
    closeSession: (session) => {
      session.teardown();
      session.close();
    },
    ended: (peer, reason) => this.events.emit('sessionClosed', peer, reason),
  });
  /** By upper-case PC address. */
  private readonly subscribers = new Map<string, Subscriber>();
  private readonly counters = emptyStats();
  private readonly offModel: Array<() => void> = [];
  private running = false;

  constructor(private readonly options: MapServerOptions) {
    const map = options.profile.map;
    if (map === undefined) throw new ProfileError('map', 'is required to run a MAP server', options.profile.id);
    this.map = map;
    this.view = new MessageView(map);
  }

  get started(): boolean {
    return this.running;
  }

  /** A copy of the counters. */
  get stats(): MapServerStats {
    return { ...this.counters, sessionsOpen: this.sessions.size, requests: { ...this.counters.requests }, refusals: { ...this.counters.refusals } };
  }

  /** The MNS client's state for a PC, or undefined when it has no registration on. */
  mnsState(pcAddress: string): MnsClient['state'] | undefined {
    return this.subscribers.get(pcAddress.toUpperCase())?.mns.state;
  }

  /** The SDP record the phone publishes for its MAS. */
  serviceRecord(): ServiceRecord {
    return {
      serviceClasses: [MapUuid.MAS],
      profile: { uuid: MapUuid.Profile, version: this.map.version },
      channel: this.map.channel,
      name: this.map.serviceName,
      attributes: {
        [MapSdpAttribute.MasInstanceId]: this.map.masInstanceId,
        [MapSdpAttribute.SupportedMessageTypes]: this.map.supportedMessageTypes,
        [MapSdpAttribute.MapSupportedFeatures]: this.map.supportedFeatures,
      },
    };
  }

  /** Publishes the record, listens on the profile's channel and follows the model. */
  start(): void {
    if (this.running) return;
    this.running = true;
    const { host, model } = this.options;
    host.addServiceRecord(this.serviceRecord());
    host.listen(this.map.channel, (peer, channel) => this.accept(peer, channel));
    this.offModel.push(
      model.messages.events.on('added', (message) => this.messageAdded(message)),
      model.events.on('permissionChanged', (pc, permission, granted) => {
        if (permission === 'showMessageNotifications' && !granted) this.permissionRevoked(pc);
      }),
    );
  }

  /** Withdraws the record, stops listening, closes every session, its channel and every MNS connection. */
  stop(): void {
    if (!this.running) return;
    this.running = false;
    const { host } = this.options;
    host.unlisten(this.map.channel);
    host.removeServiceRecord(this.map.channel);
    for (const off of this.offModel.splice(0)) off();
    this.sessions.endAll('stopped');
    for (const [pc, subscriber] of [...this.subscribers]) {
      this.subscribers.delete(pc);
      void subscriber.mns.close();
    }
  }

  private accept(peer: ClassicPeer, channel: ByteChannel): boolean {
    const refuse = (reason: MapChannelRefusal): boolean => {
      this.counters.channelsRefused++;
      this.events.emit('channelRefused', peer, reason);
      return false;
    };
    if (!this.running) return refuse('stopped');
    const limit = this.map.secondSession === 'refuse-channel' ? this.map.maxSessions : this.map.maxSessions + EXTRA_REFUSABLE_CHANNELS;
    if (this.sessions.size >= limit) return refuse('session-limit');

    this.sessions.add(peer, channel, 'channel-closed', (end) => {
      const session: MasSession = new MasSession({
        channel,
        peer,
        model: this.options.model,
        map: this.map,
        view: this.view,
        clock: this.options.clock,
        maxPacketLength: this.options.maxPacketLength ?? OBEX_DEFAULT_PACKET_LENGTH,
        timeoutMs: this.options.timeoutMs ?? DEFAULT_MAP_TIMEOUT_MS,
        maxPushBytes: this.options.maxPushBytes ?? DEFAULT_MAX_PUSH_BYTES,
        hooks: {
          connectGate: () => this.connectGate(session),
          connected: (features) => {
            this.counters.connects++;
            this.events.emit('connected', peer, features);
          },
          registration: (on) => this.registration(session, on),
          pushed: (message) => this.pushed(peer, message),
          request: (operation, name, code, why) => this.noteRequest(peer, operation, name, code, why),
        },
        // The OBEX stream could not be framed or flooded its queue: drop the channel.
        onClose: () => end('channel-closed'),
      });
      return session;
    });
    this.counters.channelsAccepted++;
    this.events.emit('sessionOpened', peer);
    return true;
  }

  private connectGate(session: MasSession): number | undefined {
    const { model } = this.options;
    if (this.map.requiresShowMessageNotifications && !model.hasPermission(session.peer.address, 'showMessageNotifications')) {
      return ResponseCode.Forbidden;
    }
    let others = 0;
    for (const open of this.sessions.list()) if (open.session !== session && open.session.connected) others++;
    if (others >= this.map.maxSessions) return ResponseCode.ServiceUnavailable;
    return undefined;
  }

  private permissionRevoked(pcAddress: string | undefined): void {
    if (!this.map.requiresShowMessageNotifications) return;
    const { model } = this.options;
    for (const open of this.sessions.list()) {
      if (pcAddress !== undefined && open.peer.address.toUpperCase() !== pcAddress.toUpperCase()) continue;
      if (!model.hasPermission(open.peer.address, 'showMessageNotifications')) open.end('permission-revoked');
    }
  }

  private registration(session: MasSession, on: boolean): void {
    const pc = session.peer.address.toUpperCase();
    let subscriber = this.subscribers.get(pc);
    if (on) {
      if (subscriber === undefined) {
        subscriber = { sessions: new Set(), mns: this.newMnsClient(session.peer.address) };
        this.subscribers.set(pc, subscriber);
        subscriber.sessions.add(session);
        this.events.emit('registration', session.peer.address, true);
        subscriber.mns.start();
      } else {
        subscriber.sessions.add(session);
        if (subscriber.mns.state === 'failed') {
          // Registering again after the phone gave up: try the PC's MNS afresh.
          subscriber.mns = this.newMnsClient(session.peer.address);
          subscriber.mns.start();
        }
      }
      return;
    }
    if (subscriber === undefined || !subscriber.sessions.delete(session) || subscriber.sessions.size > 0) return;
    this.subscribers.delete(pc);
    void subscriber.mns.close();
    this.events.emit('registration', session.peer.address, false);
  }

  private newMnsClient(pcAddress: string): MnsClient {
    const mns = new MnsClient({
      ...this.options.mns,
      host: this.options.host,
      clock: this.options.clock,
      pcAddress,
      masInstanceId: this.map.masInstanceId,
      maxPacketLength: this.options.maxPacketLength ?? OBEX_DEFAULT_PACKET_LENGTH,
    });
    mns.events.on('connected', (channel) => {
      this.counters.mnsConnects++;
      this.events.emit('mnsConnected', pcAddress, channel);
    });
    mns.events.on('retrying', (attempt, delay, error) => this.events.emit('mnsRetrying', pcAddress, attempt, delay, error));
    mns.events.on('gaveUp', (error) => {
      this.counters.mnsGiveUps++;
      this.events.emit('mnsGaveUp', pcAddress, error);
    });
    mns.events.on('sent', (event) => {
      this.counters.eventsSent++;
      this.events.emit('eventSent', pcAddress, event);
    });
    mns.events.on('eventFailed', (event, error) => {
      this.counters.eventsFailed++;
      this.events.emit('eventFailed', pcAddress, event, error);
    });
    mns.events.on('dropped', (event, error) => {
      this.counters.eventsDropped++;
      this.events.emit('eventDropped', pcAddress, event, error);
    });
    return mns;
  }

  /** A message arrived: registered PCs see it (and, on iOS, only they ever will) and get a NewMessage event. */
  private messageAdded(message: PhoneMessage): void {
    if (message.direction !== 'received' || !this.view.delivers(message)) return;
    const { model } = this.options;
    for (const [pc, subscriber] of this.subscribers) {
      if (!this.map.history) model.messages.markShown(message.id, pc);
      if (!this.view.visibleTo(message, pc)) continue;
      this.notify(subscriber, MapEventName.NewMessage, message);
    }
  }

  /** After a push: SendingSuccess then DeliverySuccess to the PC that sent it, when the profile reports them. */
  private pushed(peer: ClassicPeer, message: SentMessage): void {
    this.counters.messagesPushed++;
    this.events.emit('messagePushed', peer.address, message);
    if (!this.map.push.statusEvents) return;
    const subscriber = this.subscribers.get(peer.address.toUpperCase());
    if (subscriber === undefined) return;
    this.notify(subscriber, MapEventName.SendingSuccess, message);
    this.notify(subscriber, MapEventName.DeliverySuccess, message);
  }

  /** Queues an event about a message; one the phone cannot describe (a date past 9999, say) is reported, not thrown. */
  private notify(subscriber: Subscriber, type: string, message: PhoneMessage): void {
    const v11 = this.eventVersion11(subscriber);
    let event: MapEvent;
    try {
      event = this.view.event(type, message, v11);
    } catch (err) {
      this.counters.eventsFailed++;
      this.events.emit('eventFailed', subscriber.mns.pcAddress, { type, handle: messageHandle(message.id) }, err);
      return;
    }
    subscriber.mns.send(event, v11 ? '1.1' : '1.0');
  }

  private eventVersion11(subscriber: Subscriber): boolean {
    for (const session of subscriber.sessions) return session.eventReport11;
    return false;
  }

  private noteRequest(peer: ClassicPeer, operation: MapOperation, name: string | undefined, code: number, why: string | undefined): void {
    this.counters.requests[operation]++;
    if (operation === 'connect' && code === ResponseCode.Forbidden) this.counters.forbidden++;
    if (!isSuccess(code)) {
      const key = responseCodeName(code);
      this.counters.refusals[key] = (this.counters.refusals[key] ?? 0) + 1;
    }
    this.events.emit('request', peer, operation, name, code, why);
  }
}
