/**
 * A hostile MAP message server (MSE) for the `hostile-mse` fuzz property,
 * independent of src/sim-phone: a phone-side host on the in-memory classic
 * air that publishes a MAS record, serves MAS sessions (SetPath, listings
 * newest first and paged, messages, status, push, notification
 * registration) and, once the PC registers, connects back to the PC's MNS
 * to send event reports. While `hostile`, each request takes the next
 * answer from `plan`: the good one, an OBEX error code, other bytes, the
 * good bytes edited, or no answer until the channel closes. Event reports,
 * raw report bodies and raw bytes on either channel go out when told.
 */
import { COD_AUDIO_VIDEO_HANDS_FREE, type ByteChannel, type ServiceRecord } from '../../link/classic';
import type { MemoryClassicAir, MemoryClassicClient, MemoryClassicHost } from '../../link/memory/classic';
import type { VirtualClock } from '../../link/virtual-clock';
import {
  decodeBMessage,
  decodeMapParams,
  encodeBMessage,
  encodeEventReport,
  encodeMapParams,
  encodeMessageListing,
  isMasTarget,
  MapMime,
  MapSdpAttribute,
  MapUuid,
  MNS_TARGET,
  party,
  simpleBMessage,
  type MapEvent,
  type MapParams,
} from '../../protocol/map';
import { appParamsHeader, nameHeader } from '../../protocol/obex/header-values';
import { ResponseCode } from '../../protocol/obex/constants';
import { ObexClientSession } from '../../protocol/obex/client-session';
import { ObexServerSession } from '../../protocol/obex/server-session';
import type { GetReply, PutReceiver, PutRequest, ServerRequest } from '../../protocol/obex/server-handlers';
import { applyByteEdits, type ByteEdit } from './map-arbitraries';

export const MSE_ADDRESS = '11:22:33:44:55:66';
export const MCE_ADDRESS = 'AA:BB:CC:DD:EE:01';
export const MSE_MAS_CHANNEL = 4;
export const MSE_OWN_NUMBER = '+447700900000';
/** Most messages the double keeps (the fuzz case stays far below). */
const MAX_MESSAGES = 500;
/** Most answers waiting in the plan. */
const MAX_PLAN = 64;
/** Most event reports waiting for the PC. */
const MAX_REPORTS = 64;
/** Delay before the double connects to the PC's MNS again, and how many failures in a row it takes. */
const MNS_RETRY_MS = 1_000;
const MAX_MNS_FAILURES = 5;

/** How the MSE answers one request. */
export type MseAnswer =
  | { kind: 'good' }
  | { kind: 'code'; code: number }
  | { kind: 'bytes'; bytes: Uint8Array }
  | { kind: 'edit'; edits: ByteEdit[] }
  | { kind: 'stall' };

export interface MseMessage {
  handle: string;
  from: string;
  text: string;
  datetime: string;
}

interface MasSession {
  channel: ByteChannel;
  obex: ObexServerSession;
}

interface MnsLink {
  channel: ByteChannel;
  obex: ObexClientSession;
  connected: boolean;
}

export class HostileMse {
  readonly host: MemoryClassicHost;
  readonly messages: MseMessage[] = [];
  /** Texts the PC pushed, in order. */
  readonly pushed: string[] = [];
  /** Handles whose GetMessage was answered with anything but the good bMessage. */
  readonly tainted = new Set<string>();
  /** While true, requests take answers from `plan`. */
  hostile = true;
  /** The last registration was answered Not Implemented: the PC may take that as final for the session. */
  refusedRegistrationForGood = false;
  private readonly plan: MseAnswer[] = [];
  private readonly sessions = new Set<MasSession>();
  private registered = false;
  private mns: MnsLink | undefined;
  private mnsConnecting = false;
  /** Reports not yet answered by the PC; kept across MNS reconnections, as a phone's MNS client does. */
  private readonly reports: { body: Uint8Array; appParams: Uint8Array }[] = [];
  private pumping = false;
  /** MNS connection attempts that failed in a row (retries stop after MAX_MNS_FAILURES). */
  private mnsFailures = 0;
  private stalled: (() => void)[] = [];
  private nextHandle = 0x4000000001;

  constructor(
    readonly clock: VirtualClock,
    air: MemoryClassicAir,
  ) {
    this.host = air.createHost({ address: MSE_ADDRESS, name: 'Hostile phone', classOfDevice: 0x7a020c });
    this.host.addServiceRecord(masRecord());
    this.host.listen(MSE_MAS_CHANNEL, (_peer, channel) => this.accept(channel));
  }

  /** The PC's MNS session is up. */
  get mnsConnected(): boolean {
    return this.mns !== undefined && this.mns.connected && this.mns.channel.open;
  }

  /** Adds answers for the next requests (bounded: extra answers are ignored). */
  planAnswers(answers: readonly MseAnswer[]): void {
    for (const a of answers) if (this.plan.length < MAX_PLAN) this.plan.push(a);
  }

  /** Stops being hostile: every later request gets the good answer. */
  behave(): void {
    this.hostile = false;
    this.plan.length = 0;
  }

  /** A message arrives; with `announce`, a NewMessage report goes to the PC's MNS when it is connected. */
  arrive(from: string, text: string, announce: boolean): MseMessage {
    const message: MseMessage = { handle: (this.nextHandle++).toString(16).toUpperCase(), from, text, datetime: dateTime(this.clock.date()) };
    this.messages.push(message);
    if (this.messages.length > MAX_MESSAGES) this.messages.shift();
    if (announce) this.sendReport(encodeEventReport({ version: '1.0', events: [newMessageEvent(message.handle)] }));
    return message;
  }

  /** Queues a report body (well-formed or not) for the PC's MNS; reports go one at a time, and wait for a connection. */
  sendReport(body: Uint8Array, appParams: Uint8Array = encodeMapParams({ masInstanceId: 0 })): void {
    if (this.reports.length >= MAX_REPORTS) return;
    this.reports.push({ body, appParams });
    void this.pump();
  }

  /** Writes raw bytes on the MNS channel (as if the phone's OBEX client went mad). */
  rawMns(bytes: Uint8Array): void {
    if (this.mns?.channel.open === true && bytes.length > 0) this.mns.channel.write(bytes);
  }

  /** Writes raw bytes on every MAS channel (unasked responses for the PC's client). */
  rawMas(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    for (const s of this.sessions) if (s.channel.open) s.channel.write(bytes);
  }

  /** Closes every MAS channel and the MNS one (the phone ends the sessions). */
  closeAll(): void {
    for (const s of [...this.sessions]) void s.channel.close().catch(() => undefined);
    const mns = this.mns;
    this.mns = undefined;
    if (mns?.channel.open === true) void mns.channel.close().catch(() => undefined);
  }

  /** Ends the MNS session (whatever garbage it carried) and opens a fresh one while registered; unsent reports wait for it. */
  restartMns(): void {
    this.mnsFailures = 0;
    const mns = this.mns;
    if (mns === undefined) this.ensureMns();
    else this.dropMns(mns);
  }

  /** Connects to the PC's MNS when registered and not connected (a phone retrying). */
  ensureMns(): void {
    if (this.registered && !this.mnsConnected) void this.connectMns();
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      for (let next = this.reports[0]; next !== undefined && this.mns?.connected === true; next = this.reports[0]) {
        const mns = this.mns;
        try {
          await mns.obex.put({ type: MapMime.eventReport, appParams: next.appParams }, next.body);
        } catch {
          // The session went away: the report waits for the next one. Refused: it is dropped.
          if (!mns.connected) break;
        }
        if (this.reports[0] === next) this.reports.shift();
      }
    } finally {
      this.pumping = false;
    }
  }

  private take(): MseAnswer {
    if (!this.hostile) return { kind: 'good' };
    return this.plan.shift() ?? { kind: 'good' };
  }

  private accept(channel: ByteChannel): boolean {
    const session: MasSession = {
      channel,
      obex: new ObexServerSession({
        send: (bytes) => channel.write(bytes),
        clock: this.clock,
        srm: false,
        requireConnect: true,
        handlers: {
          connect: (request) => {
            const answer = this.take();
            if (answer.kind === 'code') return answer.code;
            return isMasTarget(request.target) ? ResponseCode.Success : ResponseCode.NotAcceptable;
          },
          setPath: () => {
            const answer = this.take();
            return answer.kind === 'code' ? answer.code : ResponseCode.Success;
          },
          get: (request) => this.get(request),
          put: (request) => this.put(request),
        },
      }),
    };
    this.sessions.add(session);
    channel.events.on('data', (chunk) => session.obex.receive(chunk));
    channel.events.on('close', () => {
      this.sessions.delete(session);
      session.obex.close();
      if (this.sessions.size === 0) this.registered = false;
      for (const release of this.stalled.splice(0)) release();
    });
    return true;
  }

  private async get(request: ServerRequest): Promise<number | GetReply> {
    const answer = this.take();
    const params = paramsOf(request);
    const message = request.type === MapMime.message ? this.messages.find((m) => m.handle.toLowerCase() === (request.name ?? '').toLowerCase()) : undefined;
    let good: GetReply;
    if (request.type === MapMime.messageListing) good = this.listing(params);
    else if (request.type === MapMime.message && message !== undefined) good = { body: encodeBMessage(bMessageOf(message)) };
    else return request.type === MapMime.message ? ResponseCode.NotFound : ResponseCode.BadRequest;
    if (answer.kind !== 'good' && message !== undefined) this.tainted.add(message.handle.toLowerCase());
    switch (answer.kind) {
      case 'good':
        return good;
      case 'code':
        return answer.code;
      case 'bytes':
        return { ...good, body: answer.bytes };
      case 'edit':
        return { ...good, body: applyByteEdits(bodyBytes(good), answer.edits) };
      case 'stall':
        await new Promise<void>((resolve) => this.stalled.push(resolve));
        return ResponseCode.ServiceUnavailable;
    }
  }

  private listing(params: MapParams): GetReply {
    const newestFirst = [...this.messages].reverse();
    const headers = [appParamsHeader(encodeMapParams({ messagesListingSize: newestFirst.length, newMessage: 1 }))];
    if (params.maxListCount === 0) return { headers };
    const start = params.listStartOffset ?? 0;
    const page = newestFirst.slice(start, start + (params.maxListCount ?? 1024));
    const entries = page.map((m) => ({
      handle: m.handle,
      subject: m.text.slice(0, 20),
      datetime: m.datetime,
      sender_addressing: m.from,
      recipient_addressing: MSE_OWN_NUMBER,
      type: 'SMS_GSM',
      size: m.text.length,
      reception_status: 'complete',
      attachment_size: 0,
      read: 'no',
    }));
    return { headers, body: encodeMessageListing({ version: '1.0', messages: entries }) };
  }

  private put(request: PutRequest): number | PutReceiver {
    const answer = this.take();
    if (request.type === MapMime.notificationRegistration) {
      this.refusedRegistrationForGood = answer.kind === 'code' && answer.code === ResponseCode.NotImplemented;
    }
    if (answer.kind === 'code') return answer.code;
    const params = paramsOf(request);
    const chunks: Uint8Array[] = [];
    let size = 0;
    return {
      onBody: (chunk) => {
        size += chunk.length;
        if (size > 64 * 1024) throw new RangeError('pushed body over 64 KiB');
        chunks.push(Uint8Array.from(chunk));
      },
      onEnd: async () => {
        if (answer.kind === 'stall') {
          await new Promise<void>((resolve) => this.stalled.push(resolve));
          return ResponseCode.ServiceUnavailable;
        }
        if (request.type === MapMime.notificationRegistration) {
          this.registered = params.notificationStatus === 1;
          if (this.registered) this.clock.schedule(5, () => this.ensureMns());
          return ResponseCode.Success;
        }
        if (request.type === MapMime.message) return this.pushedMessage(concat(chunks), answer);
        return ResponseCode.Success;
      },
    };
  }

  private pushedMessage(body: Uint8Array, answer: MseAnswer): number | { code: number; headers: ReturnType<typeof nameHeader>[] } {
    let text: string;
    try {
      const envelope = decodeBMessage(body).envelope;
      text = envelope.content.kind === 'body' ? envelope.content.body.text : '';
    } catch {
      return ResponseCode.BadRequest;
    }
    this.pushed.push(text);
    // Hostile: the handle named in the answer is whatever the bytes say.
    const name = answer.kind === 'bytes' ? Buffer.from(answer.bytes).toString('latin1') : (this.nextHandle++).toString(16).toUpperCase();
    return { code: ResponseCode.Success, headers: [nameHeader(name)] };
  }

  private dropMns(link: MnsLink): void {
    const wasCurrent = this.mns === link;
    link.connected = false;
    link.obex.close();
    if (link.channel.open) void link.channel.close().catch(() => undefined);
    if (!wasCurrent) return;
    this.mns = undefined;
    this.retryMns();
  }

  private retryMns(): void {
    if (!this.registered || this.mnsFailures >= MAX_MNS_FAILURES) return;
    this.clock.schedule(MNS_RETRY_MS, () => this.ensureMns());
  }

  private async connectMns(): Promise<void> {
    if (this.mnsConnecting) return;
    this.mnsConnecting = true;
    let link: MnsLink | undefined;
    try {
      const info = await this.host.discoverPeer(MCE_ADDRESS);
      const record = info.records.find((r) => r.serviceClasses.includes(MapUuid.MNS));
      if (record === undefined) throw new Error('no MNS record');
      const channel = await this.host.openChannel(MCE_ADDRESS, record.channel);
      // A report the PC never answers (or answers with garbage) ends the session, as a phone's would.
      const obex: ObexClientSession = new ObexClientSession({ send: (bytes) => channel.write(bytes), clock: this.clock, onClose: () => this.dropMns(opened) });
      const opened: MnsLink = { channel, obex, connected: false };
      link = opened;
      channel.events.on('data', (chunk) => obex.receive(chunk));
      channel.events.on('close', () => this.dropMns(opened));
      this.mns = opened;
      await obex.connect({ target: MNS_TARGET });
      opened.connected = true;
      this.mnsFailures = 0;
    } catch {
      // The PC refused or went away: try again a little later while registered.
      this.mnsFailures++;
      if (link !== undefined && this.mns === link) this.mns = undefined;
      if (link?.channel.open === true) void link.channel.close().catch(() => undefined);
      this.mnsConnecting = false;
      this.retryMns();
      return;
    }
    this.mnsConnecting = false;
    void this.pump();
  }
}

/** The MAS record: MAP 1.4, SMS_GSM, features published. */
function masRecord(): ServiceRecord {
  return {
    serviceClasses: [MapUuid.MAS],
    profile: { uuid: MapUuid.Profile, version: 0x0104 },
    channel: MSE_MAS_CHANNEL,
    name: 'Hostile MAS',
    attributes: { [MapSdpAttribute.MasInstanceId]: 0, [MapSdpAttribute.SupportedMessageTypes]: 0x02, [MapSdpAttribute.MapSupportedFeatures]: 0x1f },
  };
}

export function newMessageEvent(handle: string): MapEvent {
  return { type: 'NewMessage', handle, folder: 'TELECOM/MSG/INBOX', msg_type: 'SMS_GSM' };
}

function bMessageOf(message: MseMessage) {
  return simpleBMessage({
    type: 'SMS_GSM',
    status: 'UNREAD',
    folder: 'telecom/msg/inbox',
    originator: party(message.from),
    recipients: [party(MSE_OWN_NUMBER)],
    text: message.text,
  });
}

function paramsOf(request: ServerRequest): MapParams {
  if (request.appParams === undefined) return {};
  try {
    return decodeMapParams(request.appParams);
  } catch {
    return {};
  }
}

function bodyBytes(reply: GetReply): Uint8Array {
  return reply.body instanceof Uint8Array ? reply.body : new Uint8Array(0);
}

function concat(chunks: readonly Uint8Array[]): Uint8Array {
  return Uint8Array.from(Buffer.concat(chunks));
}

/** `YYYYMMDDTHHMMSS` in UTC. */
function dateTime(date: Date): string {
  return date.toISOString().replace(/[-:]/g, '').slice(0, 15);
}

/** The PC's radio on the same air. */
export function mceRadio(air: MemoryClassicAir): MemoryClassicClient {
  return air.createClient({ address: MCE_ADDRESS, classOfDevice: COD_AUDIO_VIDEO_HANDS_FREE });
}
