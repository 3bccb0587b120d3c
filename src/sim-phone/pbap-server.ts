/**
 * The simulated phone's PBAP server (PSE): publishes the SDP record from
 * the phone profile, accepts channels on its RFCOMM channel (refusing a PC
 * whose Class of Device is not Audio/Video Hands-free when the profile says
 * so, as iOS does, and past a session limit), runs one PbapSession per
 * channel, and keeps counters and events for reports.
 */
import type { Clock } from '../link/clock';
import { isHandsFreeClass, type ByteChannel, type ClassicHost, type ClassicPeer, type ServiceRecord } from '../link/classic';
import { isSuccess, OBEX_DEFAULT_PACKET_LENGTH, ResponseCode, responseCodeName } from '../protocol/obex';
import { PbapSdpAttribute, PbapUuid } from '../protocol/pbap';
import { Emitter } from '../util/emitter';
import { ProfileError } from './errors';
import { PbapSession, type PbapOperation } from './pbap-session';
import { ChannelSessions } from './channel-sessions';
import type { PhoneModel } from './phone-model';
import type { PbapProfile, PhoneProfile } from './profile';

export const PBAP_SERVICE_NAME = 'Phonebook';
export const DEFAULT_PBAP_SESSIONS = 4;
export const DEFAULT_CARDS_PER_CHUNK = 25;
export const DEFAULT_PBAP_TIMEOUT_MS = 30_000;

export interface PbapServerOptions {
  host: ClassicHost;
  model: PhoneModel;
  profile: PhoneProfile;
  clock: Clock;
  /** Most PBAP channels open at once (default 4); more are refused. */
  maxSessions?: number;
  /** Cards rendered per body chunk (default 25); listing lines are four times as many. */
  cardsPerChunk?: number;
  /** Largest OBEX packet announced and accepted (default 4096). */
  maxPacketLength?: number;
  /** How long the OBEX session waits for the PCE inside an operation (default 30 s). */
  timeoutMs?: number;
}

export type ChannelRefusal = 'class-of-device' | 'session-limit' | 'stopped';

export interface PbapServerEvents {
  channelRefused: [peer: ClassicPeer, reason: ChannelRefusal];
  sessionOpened: [peer: ClassicPeer];
  /** OBEX Connect succeeded; with the PbapSupportedFeatures the PCE sent in it (undefined: it sent none). */
  connected: [peer: ClassicPeer, pceFeatures: number | undefined];
  sessionClosed: [peer: ClassicPeer];
  /** Every Connect, SetPath and GET with the response code it got (the first one, for a streamed GET). */
  request: [peer: ClassicPeer, operation: PbapOperation, name: string | undefined, code: number];
}

export interface PbapServerStats {
  channelsAccepted: number;
  channelsRefused: number;
  sessionsOpen: number;
  /** Successful OBEX Connects. */
  connects: number;
  /** Requests answered Forbidden because "Sync Contacts" is off. */
  forbidden: number;
  requests: Record<PbapOperation, number>;
  /** Refusals by response code name, e.g. `NotFound (0xC4)`. */
  refusals: Record<string, number>;
  cardsSent: number;
  listingEntriesSent: number;
  bodyBytes: number;
  /** The biggest body chunk rendered at once: stays small however big the book. */
  largestBodyChunk: number;
}

function emptyStats(): PbapServerStats {
  return {
    channelsAccepted: 0,
    channelsRefused: 0,
    sessionsOpen: 0,
    connects: 0,
    forbidden: 0,
    requests: { connect: 0, setPath: 0, phonebook: 0, listing: 0, entry: 0, other: 0 },
    refusals: {},
    cardsSent: 0,
    listingEntriesSent: 0,
    bodyBytes: 0,
    largestBodyChunk: 0,
  };
}

export class PbapServer {
  readonly events = new Emitter<PbapServerEvents>();
  readonly pbap: PbapProfile;
  private readonly sessions = new ChannelSessions<PbapSession, 'closed'>({
    closeSession: (session) => session.close(),
    ended: (peer) => this.events.emit('sessionClosed', peer),
  });
  private readonly counters = emptyStats();
  private running = false;

  constructor(private readonly options: PbapServerOptions) {
    const pbap = options.profile.pbap;
    if (pbap === undefined) throw new ProfileError('pbap', 'is required to run a PBAP server', options.profile.id);
    this.pbap = pbap;
  }

  get started(): boolean {
    return this.running;
  }

  /** A copy of the counters. */
  get stats(): PbapServerStats {
    return {
      ...this.counters,
      sessionsOpen: this.sessions.size,
      requests: { ...this.counters.requests },
      refusals: { ...this.counters.refusals },
    };
  }

  /** The SDP record the phone publishes for its PSE. */
  serviceRecord(): ServiceRecord {
    const attributes: Record<number, number | string> = { [PbapSdpAttribute.SupportedRepositories]: this.pbap.supportedRepositories };
    if (this.pbap.supportedFeatures !== undefined) attributes[PbapSdpAttribute.SupportedFeatures] = this.pbap.supportedFeatures;
    return {
      serviceClasses: [PbapUuid.Pse],
      profile: { uuid: PbapUuid.Profile, version: this.pbap.version },
      channel: this.pbap.channel,
      name: PBAP_SERVICE_NAME,
      attributes,
    };
  }

  /** Publishes the record and listens on the profile's channel. */
  start(): void {
    if (this.running) return;
    this.running = true;
    const { host } = this.options;
    host.addServiceRecord(this.serviceRecord());
    host.listen(this.pbap.channel, (peer, channel) => this.accept(peer, channel));
  }

  /** Withdraws the record, stops listening and closes every session and its channel. */
  stop(): void {
    if (!this.running) return;
    this.running = false;
    const { host } = this.options;
    host.unlisten(this.pbap.channel);
    host.removeServiceRecord(this.pbap.channel);
    this.sessions.endAll('closed');
  }

  private accept(peer: ClassicPeer, channel: ByteChannel): boolean {
    const refuse = (reason: ChannelRefusal): boolean => {
      this.counters.channelsRefused++;
      this.events.emit('channelRefused', peer, reason);
      return false;
    };
    if (!this.running) return refuse('stopped');
    if (this.pbap.requiresHandsFreeClass && !isHandsFreeClass(peer.classOfDevice)) return refuse('class-of-device');
    if (this.sessions.size >= (this.options.maxSessions ?? DEFAULT_PBAP_SESSIONS)) return refuse('session-limit');

    this.sessions.add(peer, channel, 'closed', (end) =>
      new PbapSession({
        channel,
        peer,
        model: this.options.model,
        pbap: this.pbap,
        clock: this.options.clock,
        cardsPerChunk: this.options.cardsPerChunk ?? DEFAULT_CARDS_PER_CHUNK,
        maxPacketLength: this.options.maxPacketLength ?? OBEX_DEFAULT_PACKET_LENGTH,
        timeoutMs: this.options.timeoutMs ?? DEFAULT_PBAP_TIMEOUT_MS,
        hooks: {
          request: (operation, name, code) => this.noteRequest(peer, operation, name, code),
          connected: (pceFeatures) => this.events.emit('connected', peer, pceFeatures),
          body: (kind, items, bytes) => this.noteBody(kind, items, bytes),
        },
        // The OBEX stream could not be framed or flooded its queue: drop the channel.
        onClose: () => end('closed'),
      }),
    );
    this.counters.channelsAccepted++;
    this.events.emit('sessionOpened', peer);
    return true;
  }

  private noteRequest(peer: ClassicPeer, operation: PbapOperation, name: string | undefined, code: number): void {
    this.counters.requests[operation]++;
    if (operation === 'connect' && isSuccess(code)) this.counters.connects++;
    if (code === ResponseCode.Forbidden) this.counters.forbidden++;
    if (!isSuccess(code)) {
      const key = responseCodeName(code);
      this.counters.refusals[key] = (this.counters.refusals[key] ?? 0) + 1;
    }
    this.events.emit('request', peer, operation, name, code);
  }

  private noteBody(kind: 'cards' | 'listing', items: number, bytes: number): void {
    if (kind === 'cards') this.counters.cardsSent += items;
    else this.counters.listingEntriesSent += items;
    this.counters.bodyBytes += bytes;
    this.counters.largestBodyChunk = Math.max(this.counters.largestBodyChunk, bytes);
  }
}
