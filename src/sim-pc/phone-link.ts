/**
 * PhoneLink: the small public facade over the PC side that the CLI, the
 * harness and users' code share. It composes the link supervisor with the
 * app services (notifications; with a BR/EDR radio also contacts, the call
 * log, calls and the messages inbox) and forwards their events; it holds
 * no protocol logic of its own.
 *
 * Faults: every problem a profile reports and carries on from (a phone
 * that sent something unusable, or went silent mid-answer) surfaces once
 * as a `fault` event, attributed to its profile, and stays in the bounded
 * `faults()` list. One error object is never reported twice. A refusal
 * (the phone answered, with an error code: +CME ERROR, an OBEX refusal,
 * permission not given) is an answer, not a fault: it goes out as an
 * `error` event only. Every fault also goes out as an `error` event.
 */
import type { BleCentral } from '../link/ble';
import type { ClassicClient } from '../link/classic';
import type { Clock } from '../link/clock';
import { Emitter } from '../util/emitter';
import { Random } from '../util/random';
import type { AncsConsumerOptions } from './ancs/ancs-consumer';
import type { BackoffPolicy } from './backoff';
import { LinkHealth, LinkSupervisor } from './link-supervisor';
import { NotificationCenter } from './services/notification-center';
import { PbapClient } from './pbap/pbap-client';
import type { PhonebookSource } from './pbap/pbap-types';
import { Contacts, ContactsOptions } from './services/contacts';
import { CallLog, CallLogOptions } from './services/call-log';
import { UnsupportedError } from './errors';
import { Calls } from './services/calls';
import { HfSupervisor } from './hfp/hf-supervisor';
import type { HandsFree } from './hfp/hands-free';
import type { HandsFreeOptions } from './hfp/hands-free-types';
import { CallAudio, type CallAudioOptions } from './hfp/call-audio';
import type { ScoEndpoint } from '../link/sco';
import { Inbox, type InboxOptions } from './services/inbox';
import { MapSupervisor, type MapHealth, type MapSupervisorOptions } from './map/map-supervisor';
import { ProtocolError } from '../protocol/errors';
import { PbapProtocolError } from './pbap/errors';
import { isAgRefusal } from './hfp/errors';
import { MapInUseError, MapPermissionRequiredError, MapRefusedError } from './map/errors';
import { TimeoutError } from './errors';
import { PHONE_LINK_FAULT_LIMIT } from '../limits';

export interface PhoneLinkOptions {
  central: BleCentral;
  phoneAddress: string;
  clock: Clock;
  /** Jitter source for reconnect backoff; seeded for reproducible runs. Default: seed 1. */
  random?: Random;
  backoff?: BackoffPolicy;
  /** ANCS consumer settings (timeouts, queue bound, attribute length). */
  ancs?: Omit<AncsConsumerOptions, 'connection' | 'clock'>;
  /** Bound on the notification list. Default 5000. */
  maxNotifications?: number;
  /** The PC's BR/EDR radio; given, the PhoneLink offers contacts and the call log over PBAP. */
  classic?: ClassicClient;
  /** Contacts settings (page size, bound, number region). */
  contacts?: Omit<ContactsOptions, 'clock' | 'open'>;
  /** Call log settings (time zone of call times, split or combined histories). */
  callLog?: Omit<CallLogOptions, 'open' | 'contacts'>;
  /** PBAP inactivity timeout (resets on every byte received). Default 15000. */
  pbapTimeoutMs?: number;
  /** Hands-free settings (features, codecs, Apple identity, battery). */
  handsFree?: Omit<HandsFreeOptions, 'channel' | 'clock'>;
  /** The PC's synchronous (SCO) radio; given, call audio from the phone is accepted (`callAudio`). */
  sco?: ScoEndpoint;
  /** Call audio settings (concealment, recording bound). */
  callAudio?: Pick<CallAudioOptions, 'concealment' | 'maxRecordedSeconds'>;
  /** Inbox settings (bound, time zone of message times, text limit); the number region comes from `contacts`. */
  inbox?: Omit<InboxOptions, 'clock' | 'contacts' | 'ownNumbers'>;
  /** MAP settings (client timeouts, notification server channel and features, listing sizes). */
  map?: Pick<MapSupervisorOptions, 'client' | 'mns' | 'sync'>;
  /** Faults kept by `faults()` (oldest dropped and counted in `faultsDropped`). Default PHONE_LINK_FAULT_LIMIT. */
  maxFaults?: number;
}

/** Faults `faults()` keeps by default (see limits.ts). */
export const DEFAULT_MAX_FAULTS = PHONE_LINK_FAULT_LIMIT;

/** The profile a fault belongs to. */
export type FaultProfile = 'ancs' | 'pbap' | 'map' | 'hfp';

/** One problem a profile reported and carried on from. */
export interface LinkFault {
  profile: FaultProfile;
  /** The typed error (it carries a `code`). */
  error: Error;
  /** Clock time it was reported, ms. */
  at: number;
}

export interface PhoneLinkEvents {
  health: [health: LinkHealth];
  connected: [];
  disconnected: [reason: number];
  error: [err: Error];
  /** Each fault once, attributed to its profile (see the header). */
  fault: [fault: LinkFault];
}

export class PhoneLink {
  readonly notifications: NotificationCenter;
  /** The phone's address book over PBAP; present when a classic radio was given. */
  readonly contacts: Contacts | undefined;
  /** Missed, received and dialled calls over PBAP; present when a classic radio was given. */
  readonly callLog: CallLog | undefined;
  /** Calls through the phone with the PC as hands-free (HFP); present when a classic radio was given. */
  readonly calls: Calls | undefined;
  /** Call audio over SCO with the codec the hands-free session agreed; present when an SCO radio was given. */
  readonly callAudio: CallAudio | undefined;
  /** Text messages over MAP, in threads, with sending; present when a classic radio was given. */
  readonly inbox: Inbox | undefined;
  private readonly hf: HfSupervisor | undefined;
  private readonly map: MapSupervisor | undefined;
  private pbapClient: PbapClient | undefined;
  private pbapOpening: Promise<PbapClient> | undefined;
  private readonly classic: ClassicClient | undefined;
  private readonly options: PhoneLinkOptions;
  readonly events = new Emitter<PhoneLinkEvents>();
  private readonly supervisor: LinkSupervisor;
  private readonly faultList: LinkFault[] = [];
  private droppedFaults = 0;
  private readonly reported = new WeakSet<Error>();

  constructor(options: PhoneLinkOptions) {
    this.options = options;
    this.notifications = new NotificationCenter({
      clock: options.clock,
      ...(options.maxNotifications === undefined ? {} : { maxEntries: options.maxNotifications }),
    });
    this.supervisor = new LinkSupervisor({
      central: options.central,
      phoneAddress: options.phoneAddress,
      clock: options.clock,
      random: options.random ?? new Random(1),
      ...(options.backoff === undefined ? {} : { backoff: options.backoff }),
      ...(options.ancs === undefined ? {} : { ancs: options.ancs }),
      notifications: this.notifications,
    });
    const classic = options.classic;
    if (classic) {
      this.classic = classic;
      const open = (): Promise<PhonebookSource> => this.openPhonebook(classic, options);
      this.contacts = new Contacts({ ...options.contacts, clock: options.clock, open });
      this.callLog = new CallLog({ ...options.callLog, open, contacts: this.contacts });
      const contacts = this.contacts;
      const callLog = this.callLog;
      this.calls = new Calls({
        clock: options.clock,
        lookupName: (number) => contacts.lookupCaller(number)?.name,
        resolveContact: (name) => contacts.searchByName(name, { limit: 1 })[0]?.numbers[0]?.number,
        // Calls through the PC show in the call log at once, before the phone's own history is read again.
        onRecord: (record) => callLog.record(record),
      });
      this.hf = new HfSupervisor({
        classic,
        phoneAddress: options.phoneAddress,
        clock: options.clock,
        calls: this.calls,
        random: (options.random ?? new Random(1)).fork(),
        ...(options.backoff ? { backoff: options.backoff } : {}),
        ...(options.handsFree ? { handsFree: options.handsFree } : {}),
      });
      this.hf.events.on('error', (err) => this.fault('hfp', err));
      // The owner's card (PBAP handle 0) gives the phone's own numbers, which sharpen group detection.
      let ownNumbers: string[] = [];
      contacts.events.on('synced', () => {
        const owner = contacts.list().find((c) => c.handle === 0);
        ownNumbers = owner ? owner.numbers.map((n) => n.number) : [];
      });
      const region = options.contacts?.defaultRegion;
      this.inbox = new Inbox({
        ...options.inbox,
        ...(region === undefined ? {} : { defaultRegion: region }),
        clock: options.clock,
        contacts,
        ownNumbers: () => ownNumbers,
      });
      this.map = new MapSupervisor({
        ...options.map,
        classic,
        phoneAddress: options.phoneAddress,
        clock: options.clock,
        inbox: this.inbox,
        random: (options.random ?? new Random(1)).fork(),
        ...(options.backoff ? { backoff: options.backoff } : {}),
      });
      this.map.events.on('error', (err) => this.fault('map', err));
    }
    this.callAudio = options.sco
      ? new CallAudio({
          ...options.callAudio,
          endpoint: options.sco,
          clock: options.clock,
          phoneAddress: options.phoneAddress,
          codec: () => this.hf?.handsFree?.codec,
        })
      : undefined;
    this.supervisor.events.on('health', (health) => this.events.emit('health', health));
    this.supervisor.events.on('connected', () => this.events.emit('connected'));
    this.supervisor.events.on('disconnected', (reason) => this.events.emit('disconnected', reason));
    this.supervisor.events.on('error', (err) => this.fault('ancs', err));
    // A full notification list or inbox is the PC's own bound, not the phone's fault: an error event only.
    this.notifications.events.on('error', (err) => this.events.emit('error', err));
    this.inbox?.events.on('error', (err) => this.events.emit('error', err));
  }

  /** Faults dropped from `faults()` to stay within `maxFaults` (each still went out as its event). */
  get faultsDropped(): number {
    return this.droppedFaults;
  }

  /** Faults reported so far, oldest first (bounded by `maxFaults`). */
  faults(): LinkFault[] {
    return this.faultList.map((f) => ({ ...f }));
  }

  /** Reports `error` once: a `fault` entry and event for `profile` (unless it is a refusal), then the `error` event. */
  private fault(profile: FaultProfile, error: Error): void {
    if (this.reported.has(error)) return;
    this.reported.add(error);
    if (isRefusal(error)) {
      this.events.emit('error', error);
      return;
    }
    const entry: LinkFault = { profile, error, at: this.options.clock.now() };
    this.faultList.push(entry);
    const limit = this.options.maxFaults ?? DEFAULT_MAX_FAULTS;
    if (this.faultList.length > limit) this.droppedFaults += this.faultList.splice(0, this.faultList.length - limit).length;
    this.events.emit('fault', entry);
    this.events.emit('error', error);
  }

  /** Reports a PBAP failure the phone caused (an unusable answer, or silence); refusals and local limits are not faults. */
  private pbapFailed(err: unknown): void {
    if (err instanceof PbapProtocolError || err instanceof TimeoutError || err instanceof ProtocolError) this.fault('pbap', err);
  }

  /**
   * Starts connecting and keeps reconnecting until `stop()`. Returns at once;
   * progress shows in `health()` and the `connected` event.
   */
  start(): void {
    this.supervisor.start();
    this.hf?.start();
    this.map?.start();
    this.callAudio?.start();
  }

  /** The hands-free session in use once its service-level connection is up (for its details: codec, AG features). */
  get handsFree(): HandsFree | undefined {
    return this.hf?.handsFree;
  }

  /** Hands-free health (SLC state, attempts, reconnects); undefined without a classic radio. */
  callsHealth(): ReturnType<HfSupervisor['health']> | undefined {
    return this.hf?.health();
  }

  /** Messages health (MAS session, notification server, what blocks it); undefined without a classic radio. */
  messagesHealth(): MapHealth | undefined {
    return this.map?.health();
  }

  /** Connects messages now instead of at the next retry (e.g. after the user turned on Show Message Notifications). */
  retryMessages(): void {
    this.map?.retryNow();
  }

  /** Cancels every timer and disconnects; resolves once the link is down (drive a virtual clock meanwhile). */
  async stop(): Promise<void> {
    const pbap = this.pbapClient;
    this.pbapClient = undefined;
    this.hf?.stop();
    await Promise.all([
      this.supervisor.stop(),
      this.callAudio?.stop(),
      pbap?.disconnect().catch(() => undefined),
      this.map?.stop().catch(() => undefined),
    ]);
  }

  /**
   * The PBAP session contacts and the call log use, connected, for direct
   * requests (listings, single entries, sizes). Rejects without a classic radio.
   */
  async pbap(): Promise<PbapClient> {
    if (!this.classic) throw new UnsupportedError('PBAP', 'this PhoneLink was made without a BR/EDR radio');
    return this.openPhonebook(this.classic, this.options);
  }

  /**
   * One PBAP session shared by contacts and the call log: a connected one is
   * reused, callers during a connect share it, and a closed one is replaced.
   */
  private openPhonebook(classic: ClassicClient, options: PhoneLinkOptions): Promise<PbapClient> {
    const current = this.pbapClient;
    if (current?.state === 'connected') return Promise.resolve(current);
    if (this.pbapOpening) return this.pbapOpening;
    const client =
      current && current.state !== 'closed'
        ? current
        : this.newPbapClient(classic, options);
    this.pbapClient = client;
    const opening = client.connect().then(
      () => client,
      (err: unknown) => {
        this.pbapFailed(err);
        throw err;
      },
    );
    this.pbapOpening = opening;
    const clear = () => {
      if (this.pbapOpening === opening) this.pbapOpening = undefined;
    };
    opening.then(clear, clear);
    return opening;
  }

  /** A PBAP client whose failed operations, whoever asked for them (contacts, the call log, `pbap()` users), are reported as faults. */
  private newPbapClient(classic: ClassicClient, options: PhoneLinkOptions): PbapClient {
    const client = new PbapClient({ client: classic, phoneAddress: options.phoneAddress, clock: options.clock, timeoutMs: options.pbapTimeoutMs ?? 15_000 });
    client.events.on('failed', (err) => this.pbapFailed(err));
    return client;
  }

  health(): LinkHealth {
    return this.supervisor.health();
  }
}

/** The phone answered, with a refusal: a valid answer, not a fault. */
function isRefusal(err: Error): boolean {
  return isAgRefusal(err) || err instanceof MapRefusedError || err instanceof MapPermissionRequiredError || err instanceof MapInUseError;
}
