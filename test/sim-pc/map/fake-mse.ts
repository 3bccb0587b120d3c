/**
 * Test double for the phone's side of MAP, independent of src/sim-phone: a
 * MemoryClassicHost on the in-memory classic air that publishes a MAS
 * record, serves MAS sessions with an ObexServerSession (listings paged,
 * messages, status, push, notification registration), and, once the PC
 * registers, searches the PC's SDP for its MNS record and connects back to
 * send event reports. Knobs: Forbidden until allowed, one session only
 * (channel refused beyond), features published or not, hostile answers
 * (raw listing or bMessage bytes, error codes, a GET that never answers).
 */
import { COD_AUDIO_VIDEO_HANDS_FREE, type ByteChannel, type ClassicPeer, type ServiceRecord } from '../../../src/link/classic';
import { MemoryClassicAir, type MemoryClassicClient, type MemoryClassicHost } from '../../../src/link/memory/classic';
import { VirtualClock } from '../../../src/link/virtual-clock';
import {
  decodeBMessage,
  decodeMapParams,
  encodeBMessage,
  encodeEventReport,
  encodeMapParams,
  encodeMessageListing,
  isMasTarget,
  MapMime,
  MNS_TARGET,
  party,
  simpleBMessage,
  type BMessage,
  type MapEvent,
  type MapParams,
  type MessageListingEntry,
} from '../../../src/protocol/map';
import { appParamsHeader, nameHeader } from '../../../src/protocol/obex/header-values';
import { ResponseCode } from '../../../src/protocol/obex/constants';
import { ObexClientSession } from '../../../src/protocol/obex/client-session';
import { ObexServerSession } from '../../../src/protocol/obex/server-session';
import { ObexResponseError } from '../../../src/protocol/obex/session-errors';
import type { GetReply, PutReceiver, ServerRequest } from '../../../src/protocol/obex/server-handlers';

export const PHONE = '11:22:33:44:55:66';
export const PC = 'AA:BB:CC:DD:EE:01';
export const MAS_CHANNEL = 4;
export const OWN_NUMBER = '+447700900000';

export interface FakeMessage {
  handle: string;
  from: string;
  name?: string;
  text: string;
  datetime?: string;
  type?: string;
  read?: boolean;
  /** bMessage recipients; default [OWN_NUMBER]. */
  recipients?: string[];
  /** Listing attributes over the defaults. */
  listing?: Partial<MessageListingEntry>;
  /** Raw bMessage bytes instead of a well-formed one. */
  raw?: Uint8Array;
  /** Shown in listings (default true). */
  listed?: boolean;
}

export interface FakeMseOptions {
  /** 0x0317 in the MAS record (undefined: absent). */
  features?: number;
  /** 0x0316; default SMS_GSM (0x02). */
  messageTypes?: number;
  /** Connect answered Forbidden until allow(). */
  forbidden?: boolean;
  /** MAS sessions at once; the acceptor refuses past it. Default 1. */
  maxSessions?: number;
  messages?: FakeMessage[];
  /** Listing body bytes instead of the real listing. */
  rawListing?: Uint8Array;
  /** Answer this code instead (operation: `listing`, `message`, `status`, `push`, `registration`). */
  answer?: (operation: string, name: string | undefined) => number | undefined;
  /** Never answer this GET (operation, name). */
  stall?: (operation: string, name: string | undefined) => boolean;
  /** Handle the phone gives a pushed message. Default '4000000000A'. */
  pushHandle?: string;
  /** Connect back to the PC's MNS once registered. Default true. */
  connectMns?: boolean;
}

export interface MseLog {
  connects: { target: Uint8Array | undefined; params: MapParams }[];
  setPaths: string[];
  gets: { type: string | undefined; name: string | undefined; params: MapParams; folder: string }[];
  puts: { type: string | undefined; name: string | undefined; params: MapParams; body: Uint8Array; folder: string }[];
  registrations: number[];
  pushed: BMessage[];
  eventCodes: number[];
}

interface MasSession {
  channel: ByteChannel;
  obex: ObexServerSession;
  folder: string[];
}

export class FakeMse {
  readonly host: MemoryClassicHost;
  readonly log: MseLog = { connects: [], setPaths: [], gets: [], puts: [], registrations: [], pushed: [], eventCodes: [] };
  messages: FakeMessage[];
  forbidden: boolean;
  readonly sessions = new Set<MasSession>();
  private mns: { channel: ByteChannel; obex: ObexClientSession; connected: boolean; raw?: Uint8Array[] } | undefined;
  private stalls: (() => void)[] = [];

  constructor(
    readonly clock: VirtualClock,
    readonly air: MemoryClassicAir,
    readonly options: FakeMseOptions = {},
  ) {
    this.messages = [...(options.messages ?? [])];
    this.forbidden = options.forbidden ?? false;
    this.host = air.createHost({ address: PHONE, name: 'iPhone', classOfDevice: 0x7a020c });
    this.host.addServiceRecord(this.record());
    this.host.listen(MAS_CHANNEL, (peer, channel) => this.accept(peer, channel));
  }

  record(): ServiceRecord {
    const attributes: Record<number, number | string> = { 0x0315: 0, 0x0316: this.options.messageTypes ?? 0x02 };
    if (this.options.features !== undefined) attributes[0x0317] = this.options.features;
    return { serviceClasses: [0x1132], profile: { uuid: 0x1134, version: 0x0104 }, channel: MAS_CHANNEL, name: 'MAP MAS-iOS', attributes };
  }

  allow(): void {
    this.forbidden = false;
  }

  /** The PC's MNS session is connected. */
  get mnsConnected(): boolean {
    return this.mns !== undefined && this.mns.connected && this.mns.channel.open;
  }

  /** A message arrives: stored, then announced over MNS (when connected). Resolves with the PC's answer code. */
  async receive(message: FakeMessage, event: Partial<MapEvent> = {}): Promise<number | undefined> {
    this.messages.push(message);
    if (!this.mnsConnected) return undefined;
    return this.sendEvents([{ type: 'NewMessage', handle: message.handle, folder: 'TELECOM/MSG/INBOX', msg_type: message.type ?? 'SMS_GSM', ...event }]);
  }

  /** Sends an event report (or raw bytes) over the MNS session; resolves with the response code. */
  async sendEvents(events: MapEvent[] | Uint8Array, masInstanceId: number | undefined = 0): Promise<number> {
    const mns = this.mns;
    if (mns === undefined) throw new Error('no MNS session');
    const body = events instanceof Uint8Array ? events : encodeEventReport({ version: '1.0', events });
    const appParams = masInstanceId === undefined ? undefined : encodeMapParams({ masInstanceId });
    let code: number;
    try {
      code = (await mns.obex.put({ type: MapMime.eventReport, ...(appParams ? { appParams } : {}) }, body)).code;
    } catch (err) {
      if (!(err instanceof ObexResponseError)) throw err;
      code = err.responseCode;
    }
    this.log.eventCodes.push(code);
    return code;
  }

  /**
   * Takes the MNS channel out of the OBEX client's hands: from now on the
   * PC's answers are collected raw, and `write` sends raw bytes (e.g. the
   * first packet of a report that never finishes). Gives the connection id.
   */
  rawMns(): { write: (bytes: Uint8Array) => void; replies: Uint8Array[]; connectionId: number | undefined } {
    const mns = this.mns;
    if (mns === undefined) throw new Error('no MNS session');
    const replies: Uint8Array[] = [];
    mns.raw = replies;
    return { write: (bytes) => mns.channel.write(bytes), replies, connectionId: mns.obex.connectionId };
  }

  /** Opens a channel to the PC's MNS and connects with `target` (default the MNS Target); resolves with the Connect code. */
  async connectMns(target: Uint8Array = MNS_TARGET): Promise<number> {
    const info = await this.host.discoverPeer(PC);
    const record = info.records.find((r) => r.serviceClasses.includes(0x1133));
    if (record === undefined) throw new Error('the PC publishes no MNS record');
    const channel = await this.host.openChannel(PC, record.channel);
    const obex = new ObexClientSession({ send: (bytes) => channel.write(bytes), clock: this.clock });
    const mns: { channel: ByteChannel; obex: ObexClientSession; connected: boolean; raw?: Uint8Array[] } = { channel, obex, connected: false };
    channel.events.on('data', (chunk) => (mns.raw ? mns.raw.push(Uint8Array.from(chunk)) : obex.receive(chunk)));
    channel.events.on('close', () => {
      obex.close();
      if (this.mns?.channel === channel) this.mns = undefined;
    });
    this.mns = mns;
    try {
      const code = (await obex.connect({ target })).code;
      mns.connected = true;
      return code;
    } catch (err) {
      if (err instanceof ObexResponseError) return err.responseCode;
      throw err;
    }
  }

  /** Closes every MAS session's channel (the phone ends them). */
  async closeSessions(): Promise<void> {
    for (const session of [...this.sessions]) await session.channel.close();
  }

  private accept(_peer: ClassicPeer, channel: ByteChannel): boolean {
    if (this.sessions.size >= (this.options.maxSessions ?? 1)) return false;
    const session: MasSession = {
      channel,
      folder: [],
      obex: new ObexServerSession({
        send: (bytes) => channel.write(bytes),
        clock: this.clock,
        srm: false,
        requireConnect: true,
        handlers: {
          connect: (request) => {
            this.log.connects.push({ target: request.target, params: params(request) });
            if (this.forbidden) return ResponseCode.Forbidden;
            if (!isMasTarget(request.target)) return ResponseCode.NotAcceptable;
            return ResponseCode.Success;
          },
          setPath: (request) => {
            const step = request.up ? '..' : request.name === '' ? '/' : (request.name ?? '');
            this.log.setPaths.push(step);
            if (request.up) session.folder.pop();
            else if (request.name === '' || request.name === undefined) session.folder = [];
            else session.folder.push(request.name);
          },
          get: (request) => this.get(session, request),
          put: (request) => this.put(session, request),
        },
      }),
    };
    this.sessions.add(session);
    channel.events.on('data', (chunk) => session.obex.receive(chunk));
    channel.events.on('close', () => {
      this.sessions.delete(session);
      session.obex.close();
      for (const release of this.stalls.splice(0)) release();
    });
    return true;
  }

  private async get(session: MasSession, request: ServerRequest): Promise<number | GetReply> {
    const p = params(request);
    const folder = session.folder.join('/');
    this.log.gets.push({ type: request.type, name: request.name, params: p, folder });
    const operation = request.type === MapMime.messageListing ? 'listing' : request.type === MapMime.message ? 'message' : 'other';
    if (this.options.stall?.(operation, request.name)) {
      await new Promise<void>((resolve) => this.stalls.push(resolve));
      return ResponseCode.ServiceUnavailable;
    }
    const code = this.options.answer?.(operation, request.name);
    if (code !== undefined) return code;
    if (operation === 'listing') return this.listing(p);
    if (operation === 'message') {
      const wanted = (request.name ?? '').toLowerCase();
      const message = this.messages.find((m) => m.handle.toLowerCase() === wanted);
      if (message === undefined) return ResponseCode.NotFound;
      return { body: message.raw ?? encodeBMessage(bMessageOf(message)) };
    }
    return ResponseCode.BadRequest;
  }

  private listing(p: MapParams): GetReply {
    const listed = this.messages.filter((m) => m.listed !== false);
    const headers = [appParamsHeader(encodeMapParams({ messagesListingSize: listed.length, newMessage: listed.some((m) => !m.read) ? 1 : 0 }))];
    if (p.maxListCount === 0) return { headers };
    if (this.options.rawListing) return { headers, body: this.options.rawListing };
    const start = p.listStartOffset ?? 0;
    const page = listed.slice(start, start + (p.maxListCount ?? 1024));
    const entries: MessageListingEntry[] = page.map((m) => ({
      handle: m.handle,
      subject: m.text.slice(0, 20),
      datetime: m.datetime ?? '20240102T030405',
      sender_name: m.name ?? '',
      sender_addressing: m.from,
      recipient_addressing: (m.recipients ?? [OWN_NUMBER]).join(';'),
      type: m.type ?? 'SMS_GSM',
      size: m.text.length,
      reception_status: 'complete',
      attachment_size: 0,
      read: m.read === true ? 'yes' : 'no',
      ...m.listing,
    }));
    return { headers, body: encodeMessageListing({ version: '1.0', messages: entries }) };
  }

  private put(session: MasSession, request: ServerRequest): number | PutReceiver {
    const p = params(request);
    const folder = session.folder.join('/');
    const chunks: number[] = [];
    const operation =
      request.type === MapMime.notificationRegistration ? 'registration' : request.type === MapMime.messageStatus ? 'status' : request.type === MapMime.message ? 'push' : 'other';
    return {
      onBody: (chunk) => {
        chunks.push(...chunk);
      },
      onEnd: () => {
        const body = Uint8Array.from(chunks);
        this.log.puts.push({ type: request.type, name: request.name, params: p, body, folder });
        const code = this.options.answer?.(operation, request.name);
        if (code !== undefined) return code;
        if (operation === 'registration') {
          this.log.registrations.push(p.notificationStatus ?? -1);
          if (p.notificationStatus === 1 && this.options.connectMns !== false) {
            this.clock.schedule(5, () => void this.connectMns().catch(() => undefined));
          }
          return ResponseCode.Success;
        }
        if (operation === 'status') {
          const message = this.messages.find((m) => m.handle.toLowerCase() === (request.name ?? '').toLowerCase());
          if (message === undefined) return ResponseCode.NotFound;
          if (p.statusIndicator === 0) message.read = p.statusValue === 1;
          return ResponseCode.Success;
        }
        if (operation === 'push') {
          this.log.pushed.push(decodeBMessage(body));
          return { code: ResponseCode.Success, headers: [nameHeader(this.options.pushHandle ?? '4000000000A')] };
        }
        return ResponseCode.BadRequest;
      },
    };
  }
}

/** The bMessage a well-behaved phone returns for a message. */
export function bMessageOf(message: FakeMessage): BMessage {
  return simpleBMessage({
    type: message.type ?? 'SMS_GSM',
    status: message.read === true ? 'READ' : 'UNREAD',
    folder: 'telecom/msg/inbox',
    originator: party(message.from, message.name),
    recipients: (message.recipients ?? [OWN_NUMBER]).map((n) => party(n)),
    text: message.text,
  });
}

function params(request: ServerRequest): MapParams {
  return request.appParams === undefined ? {} : decodeMapParams(request.appParams);
}

/** A clock, an air, the fake phone and the PC's radio. */
export function mapRig(options: FakeMseOptions = {}, seed = 5): { clock: VirtualClock; air: MemoryClassicAir; mse: FakeMse; pc: MemoryClassicClient } {
  const clock = new VirtualClock();
  const air = new MemoryClassicAir(clock, { seed });
  const mse = new FakeMse(clock, air, options);
  const pc = air.createClient({ address: PC, classOfDevice: COD_AUDIO_VIDEO_HANDS_FREE });
  return { clock, air, mse, pc };
}

/** Runs the clock until `promise` settles (at most an hour of link time). */
export async function settle<T>(clock: VirtualClock, promise: Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: unknown }> {
  let outcome: { ok: true; value: T } | { ok: false; error: unknown } | undefined;
  promise.then(
    (value) => (outcome = { ok: true, value }),
    (error: unknown) => (outcome = { ok: false, error }),
  );
  await clock.runUntil(() => outcome !== undefined, 3_600_000);
  if (outcome === undefined) throw new Error('the promise never settled');
  return outcome;
}
