/**
 * The PC's Message Notification Server: publishes the MNS record (service
 * class 0x1133, MAP 1.4, our MapSupportedFeatures), listens on its RFCOMM
 * channel, and accepts a session only from the phone the PC is paired
 * with, and only while a MAS session to it is up. The session's OBEX
 * Connect must name the MNS Target (else Not Acceptable); each event
 * report PUT (x-bt/MAP-event-report, MASInstanceID) is decoded and
 * answered Success, its events passed on. A report that cannot be decoded
 * is answered Bad Request and reported once as a fault; the session stays.
 * One session at a time: a new one from the phone replaces the old one.
 */
import { normalizeAddress } from '../../link/ble';
import type { ByteChannel, ClassicClient } from '../../link/classic';
import type { Clock } from '../../link/clock';
import { ProtocolError } from '../../protocol/errors';
import { decodeMapParams } from '../../protocol/map/app-params';
import { isMnsTarget, MapMime } from '../../protocol/map/constants';
import { decodeEventReport } from '../../protocol/map/event-report';
import type { MapEvent } from '../../protocol/map/types';
import { ResponseCode } from '../../protocol/obex/constants';
import type { ConnectRequest, PutReceiver, PutRequest } from '../../protocol/obex/server-handlers';
import { ObexServerSession } from '../../protocol/obex/server-session';
import { Emitter } from '../../util/emitter';
import { MapProtocolError } from './errors';
import { DEFAULT_MCE_FEATURES, DEFAULT_MNS_CHANNEL, mnsServiceRecord } from './mas-record';
import { MNS_MAX_EVENT_REPORT_BYTES, MNS_SERVER_TIMEOUT_MS } from '../../limits';

export const DEFAULT_MAX_EVENT_REPORT_BYTES = MNS_MAX_EVENT_REPORT_BYTES;
/** How long the server waits for the phone's next packet inside a PUT. */
export const DEFAULT_MNS_TIMEOUT_MS = MNS_SERVER_TIMEOUT_MS;

export type MnsState = 'stopped' | 'listening' | 'connected';

export interface MnsServerOptions {
  classic: ClassicClient;
  phoneAddress: string;
  clock: Clock;
  /** True while a MAS session to the phone is up; sessions are refused otherwise. */
  masUp: () => boolean;
  /** RFCOMM channel. Default 17. */
  channel?: number;
  /** MapSupportedFeatures in the record. Default DEFAULT_MCE_FEATURES. */
  features?: number;
  /** Largest event report accepted (bytes). Default 64 KiB. */
  maxEventReportBytes?: number;
  maxPacketLength?: number;
  timeoutMs?: number;
}

export interface MnsServerEvents {
  /** The phone's MNS session passed OBEX Connect. */
  connected: [];
  /** The MNS session (channel) ended. */
  closed: [];
  /** One event of a decoded report, with the report's MASInstanceID when it carried one. */
  event: [event: MapEvent, masInstanceId: number | undefined];
  /** A report (or its parameters) could not be decoded; it was answered Bad Request. */
  fault: [err: MapProtocolError];
  /** A channel was refused, and why. */
  refused: [peerAddress: string, why: string];
}

interface MnsSession {
  channel: ByteChannel;
  obex: ObexServerSession;
  offs: (() => void)[];
}

export class MnsServer {
  readonly events = new Emitter<MnsServerEvents>();
  readonly channelNumber: number;
  private readonly phone: string;
  private readonly maxReportBytes: number;
  private running = false;
  private current: MnsSession | undefined;
  private obexConnected = false;

  constructor(private readonly options: MnsServerOptions) {
    this.channelNumber = options.channel ?? DEFAULT_MNS_CHANNEL;
    this.phone = normalizeAddress(options.phoneAddress);
    this.maxReportBytes = options.maxEventReportBytes ?? DEFAULT_MAX_EVENT_REPORT_BYTES;
  }

  get state(): MnsState {
    if (!this.running) return 'stopped';
    return this.current !== undefined && this.obexConnected ? 'connected' : 'listening';
  }

  /** Publishes the record and listens. */
  start(): void {
    if (this.running) return;
    this.running = true;
    const { classic } = this.options;
    classic.addServiceRecord(mnsServiceRecord(this.channelNumber, this.options.features ?? DEFAULT_MCE_FEATURES));
    classic.listen(this.channelNumber, (peer, channel) => this.accept(peer, channel));
  }

  /** Withdraws the record, stops listening and ends the session. */
  stop(): void {
    if (!this.running) return;
    this.running = false;
    this.options.classic.unlisten(this.channelNumber);
    this.options.classic.removeServiceRecord(this.channelNumber);
    this.closeSession();
  }

  /** Ends the current MNS session, if any (the MAS session it belongs to is over). */
  closeSession(): void {
    const session = this.current;
    if (session === undefined) return;
    this.end(session);
    if (session.channel.open) void session.channel.close().catch(() => undefined);
  }

  private accept(peerAddress: string, channel: ByteChannel): boolean {
    let peer: string;
    try {
      peer = normalizeAddress(peerAddress);
    } catch {
      return this.refuse(peerAddress, 'not a device address');
    }
    if (!this.running) return this.refuse(peer, 'the notification server is stopped');
    if (peer !== this.phone) return this.refuse(peer, 'not the paired phone');
    if (!this.options.classic.bonds.has(this.phone)) return this.refuse(peer, 'the phone is not paired');
    if (!this.options.masUp()) return this.refuse(peer, 'no MAS session to the phone is up');
    this.closeSession();
    this.attach(channel);
    return true;
  }

  private refuse(peer: string, why: string): false {
    this.events.emit('refused', peer, why);
    return false;
  }

  private attach(channel: ByteChannel): void {
    const offs: (() => void)[] = [];
    const obex = new ObexServerSession({
      send: (bytes) => channel.write(bytes),
      clock: this.options.clock,
      requireConnect: true,
      timeoutMs: this.options.timeoutMs ?? DEFAULT_MNS_TIMEOUT_MS,
      ...(this.options.maxPacketLength === undefined ? {} : { maxPacketLength: this.options.maxPacketLength }),
      handlers: {
        connect: (request) => this.onConnect(session, request),
        disconnect: () => {
          if (this.current === session) this.obexConnected = false;
        },
        put: (request) => this.onPut(request),
      },
      onClose: (reason) => {
        // A stream that cannot be framed (a packet length below 3 or over our maximum) is the phone's fault.
        if (reason instanceof ProtocolError && this.current === session) this.fault(reason);
        this.end(session);
        if (channel.open) void channel.close().catch(() => undefined);
      },
    });
    const session: MnsSession = { channel, obex, offs };
    this.current = session;
    this.obexConnected = false;
    offs.push(channel.events.on('data', (chunk) => obex.receive(chunk)));
    offs.push(
      channel.events.on('close', () => {
        // The phone hung up in the middle of a packet: a report cut short, which is its fault.
        const partial = session.obex.partialBytes;
        if (partial > 0 && this.current === session) this.events.emit('fault', new MapProtocolError('event report', `the phone closed the channel ${partial} bytes into a packet`, 'obex.truncated'));
        this.end(session);
      }),
    );
  }

  /** Forgets `session` (once) and closes its OBEX side. */
  private end(session: MnsSession): void {
    for (const off of session.offs) off();
    session.offs.length = 0;
    if (this.current !== session) return;
    this.current = undefined;
    this.obexConnected = false;
    session.obex.close();
    this.events.emit('closed');
  }

  private onConnect(session: MnsSession, request: ConnectRequest): number {
    if (!isMnsTarget(request.target)) return ResponseCode.NotAcceptable;
    if (this.current !== session) return ResponseCode.ServiceUnavailable;
    this.obexConnected = true;
    this.events.emit('connected');
    return ResponseCode.Success;
  }

  private onPut(request: PutRequest): number | PutReceiver {
    if (request.type === undefined || request.type.toLowerCase() !== MapMime.eventReport.toLowerCase() || request.delete) {
      return ResponseCode.BadRequest;
    }
    let masInstanceId: number | undefined;
    if (request.appParams !== undefined) {
      try {
        masInstanceId = decodeMapParams(request.appParams).masInstanceId;
      } catch (err) {
        this.fault(err);
        return ResponseCode.BadRequest;
      }
    }
    const parts: Uint8Array[] = [];
    let bytes = 0;
    let tooLarge = false;
    return {
      onBody: (chunk) => {
        if (tooLarge) return;
        if (bytes + chunk.length > this.maxReportBytes) {
          tooLarge = true;
          parts.length = 0;
          return;
        }
        parts.push(Uint8Array.from(chunk));
        bytes += chunk.length;
      },
      onEnd: () => {
        if (tooLarge) {
          this.events.emit('fault', new MapProtocolError('event report', `over ${this.maxReportBytes} bytes`, 'map.too-large'));
          return ResponseCode.RequestEntityTooLarge;
        }
        const body = new Uint8Array(bytes);
        let at = 0;
        for (const part of parts) {
          body.set(part, at);
          at += part.length;
        }
        let events: MapEvent[];
        try {
          events = decodeEventReport(body, { maxBytes: this.maxReportBytes }).events;
        } catch (err) {
          this.fault(err);
          return ResponseCode.BadRequest;
        }
        for (const event of events) this.events.emit('event', event, masInstanceId);
        return ResponseCode.Success;
      },
      // A report the phone began and did not finish is its fault; an Abort, a new operation or a lost link is not.
      onAbort: (reason) => {
        if (reason === 'timeout') {
          const ms = this.options.timeoutMs ?? DEFAULT_MNS_TIMEOUT_MS;
          this.events.emit('fault', new MapProtocolError('event report', `the phone sent nothing more for ${ms} ms; the report was dropped`, 'obex.timeout'));
        } else if (reason === 'malformed') {
          this.events.emit('fault', new MapProtocolError('event report', 'a packet of the report did not decode or named another connection', 'obex.malformed'));
        }
      },
    };
  }

  private fault(err: unknown): void {
    const code = err instanceof ProtocolError ? err.code : undefined;
    const message = err instanceof Error ? err.message : String(err);
    this.events.emit('fault', new MapProtocolError('event report', message, code));
  }
}
