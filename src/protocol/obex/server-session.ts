/**
 * OBEX server session, transport-agnostic: `receive` takes bytes from the
 * transport, answers go out through `send`. Requests are handled one at a
 * time, in order, each answered with exactly one response (except inside
 * SRM, where GET bodies stream without requests and PUT packets are not
 * answered until the last). Checks the Connection ID (a wrong one gets
 * Service Unavailable), answers a malformed request with Bad Request, a
 * missing handler with Not Implemented and a throwing one with Internal
 * Server Error, and supports Abort.
 *
 * The session closes itself only when the stream cannot be framed or its
 * request queue overflows. A client that stalls inside an operation for
 * `timeoutMs` has that operation dropped (no answer); the session stays usable.
 */
import type { Clock, Timer } from '../../link/clock';
import { BodyReader } from './body-reader';
import {
  BaseOpcode,
  HeaderId,
  isSuccess,
  OBEX_DEFAULT_PACKET_LENGTH,
  OBEX_FINAL_BIT,
  OBEX_MAX_PACKET_LENGTH,
  OBEX_MIN_PACKET_LENGTH,
  OBEX_VERSION,
  ResponseCode,
  SetPathFlag,
  SrmpValue,
  SrmValue,
} from './constants';
import { isObexError, ObexError, ObexErrorKind } from './errors';
import {
  bodyHeader,
  connectionIdHeader,
  endOfBodyHeader,
  isBodyHeader,
  readAppParams,
  readBytes,
  readConnectionId,
  readName,
  readType,
  readU8,
  readUnicode,
  srmHeader,
  whoHeader,
} from './header-values';
import { encodedHeadersLength, type ObexHeader } from './headers';
import { PacketInbox } from './packet-inbox';
import { decodeRequest, encodeResponse, packetLength, type ConnectFields, type ObexRequest } from './packet';
import { FramingError, PacketSplitter } from './packet-splitter';
import { closedError, queueFullError, timeoutError } from './session-errors';
import { PutRefusal, type OperationEndReason } from './server-handlers';
import type { Awaitable, GetReply, ObexServerHandlers, PutReceiver, ServerReply, ServerRequest } from './server-handlers';
import { OBEX_SERVER_TIMEOUT_MS, OBEX_MAX_QUEUED_REQUESTS, OBEX_MAX_REQUEST_HEADER_BYTES } from '../../limits';

export const DEFAULT_SERVER_TIMEOUT_MS = OBEX_SERVER_TIMEOUT_MS;
export const DEFAULT_MAX_QUEUED_REQUESTS = OBEX_MAX_QUEUED_REQUESTS;
/** Most header bytes gathered over the packets that open one GET. */
export const MAX_REQUEST_HEADER_BYTES = OBEX_MAX_REQUEST_HEADER_BYTES;

export interface ObexServerOptions {
  send: (bytes: Uint8Array) => void;
  clock: Clock;
  handlers: ObexServerHandlers;
  /** Largest packet we accept and announce in Connect responses. 255..65535, default 4096. */
  maxPacketLength?: number;
  /** How long to wait for the client's next packet inside an operation (ms). Default 30 s. */
  timeoutMs?: number;
  /** Accept Single Response Mode when a client asks for it. Default true. */
  srm?: boolean;
  /** Answer everything but Connect, Disconnect and Abort with Service Unavailable until a Connect succeeds. */
  requireConnect?: boolean;
  /** Most requests queued while one is being handled. Default 64. */
  maxQueuedRequests?: number;
  /** Told once when the session closes. */
  onClose?: (reason: Error | undefined) => void;
}

/** Outcome of waiting for the next packet of an operation. */
type NextStep = { kind: 'request'; request: ObexRequest } | { kind: 'ended'; reason: OperationEndReason };

export class ObexServerSession {
  private readonly handlers: ObexServerHandlers;
  private readonly timeoutMs: number;
  private readonly srmAllowed: boolean;
  private readonly requireConnect: boolean;
  private readonly localMax: number;
  private readonly splitter: PacketSplitter;
  private readonly inbox: PacketInbox;
  private remoteMax = OBEX_MIN_PACKET_LENGTH;
  private cid: number | undefined;
  private targeted = false;
  private nextCid = 1;
  private pumping = false;
  private closed = false;
  /** An SRM PUT was ended early: packets the client streamed before it noticed are dropped. */
  private dropSrmPutLeftovers = false;
  /** Runs while part of a packet waits for the rest; a client that never sends it closes the session. */
  private partialTimer: Timer | undefined;

  constructor(private readonly options: ObexServerOptions) {
    this.handlers = options.handlers;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_SERVER_TIMEOUT_MS;
    this.srmAllowed = options.srm ?? true;
    this.requireConnect = options.requireConnect ?? false;
    const max = options.maxPacketLength ?? OBEX_DEFAULT_PACKET_LENGTH;
    if (!Number.isInteger(max) || max < OBEX_MIN_PACKET_LENGTH || max > OBEX_MAX_PACKET_LENGTH) {
      throw new ObexError(ObexErrorKind.BadValue, `max packet length ${max} is outside 255..65535`);
    }
    this.localMax = max;
    this.splitter = new PacketSplitter({ maxPacketLength: max });
    this.inbox = new PacketInbox(options.clock, options.maxQueuedRequests ?? DEFAULT_MAX_QUEUED_REQUESTS);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  get connected(): boolean {
    return this.cid !== undefined;
  }

  get connectionId(): number | undefined {
    return this.cid;
  }

  /** Bytes of a request packet received so far whose rest has not come (0 between packets). */
  get partialBytes(): number {
    return this.closed ? 0 : this.splitter.buffered;
  }

  /** Largest packet we send: 255 before Connect, then the smaller of both announced lengths. */
  get maxPacketLength(): number {
    return Math.min(this.localMax, this.remoteMax);
  }

  receive(chunk: Uint8Array): void {
    if (this.closed) return;
    let packets: Uint8Array[];
    try {
      packets = this.splitter.push(chunk);
    } catch (err) {
      if (err instanceof FramingError) for (const packet of err.packets) this.accept(packet);
      this.close(err instanceof Error ? err : undefined);
      return;
    }
    for (const packet of packets) this.accept(packet);
    this.watchPartialPacket();
  }

  close(reason?: Error): void {
    if (this.closed) return;
    this.closed = true;
    this.partialTimer?.cancel();
    this.partialTimer = undefined;
    this.cid = undefined;
    this.inbox.interrupt(closedError(reason?.message));
    this.inbox.clear();
    this.options.onClose?.(reason);
  }

  /**
   * Half a packet with nothing more for `timeoutMs` (restarted by every
   * chunk) can never become a request: the session closes with a timeout,
   * instead of waiting for good with no operation to time out.
   */
  private watchPartialPacket(): void {
    this.partialTimer?.cancel();
    this.partialTimer = undefined;
    if (this.closed || this.splitter.buffered === 0) return;
    this.partialTimer = this.options.clock.schedule(this.timeoutMs, () => {
      this.partialTimer = undefined;
      this.close(timeoutError(`the rest of a request packet (${this.splitter.buffered} bytes received)`, this.timeoutMs));
    });
  }

  private accept(packet: Uint8Array): void {
    if (this.closed) return;
    if (this.inbox.push(packet) === 'full') {
      this.close(queueFullError('request', this.inbox.limit));
      return;
    }
    if (!this.pumping) {
      this.pumping = true;
      void Promise.resolve().then(() => this.pump());
    }
  }

  private async pump(): Promise<void> {
    try {
      for (;;) {
        if (this.closed) break;
        const packet = this.inbox.shift();
        if (!packet) break;
        await this.handle(packet);
      }
    } catch (err) {
      // Only a bug can get here; closing beats leaving the peer waiting for ever.
      this.close(err instanceof Error ? err : new Error(String(err)));
    } finally {
      this.pumping = false;
    }
  }

  private async handle(packet: Uint8Array): Promise<void> {
    let request: ObexRequest;
    try {
      request = decodeRequest(packet);
    } catch {
      this.respond(ResponseCode.BadRequest);
      return;
    }
    const base = request.opcode & 0x7f;
    if (this.dropSrmPutLeftovers) {
      const leftover = base === BaseOpcode.Put && request.headers.every((h) => isBodyHeader(h) || h.id === HeaderId.ConnectionId);
      if (leftover && (request.opcode & OBEX_FINAL_BIT) === 0) return;
      this.dropSrmPutLeftovers = false;
      if (leftover) return;
    }
    if (base === BaseOpcode.Connect) return this.handleConnect(request);
    if (base === BaseOpcode.Abort) return this.respond(ResponseCode.Success);
    if (!this.connectionIdFits(request, true)) return this.respond(ResponseCode.ServiceUnavailable);
    if (base === BaseOpcode.Disconnect) return this.handleDisconnect(request);
    if (this.requireConnect && this.cid === undefined) return this.respond(ResponseCode.ServiceUnavailable);
    switch (base) {
      case BaseOpcode.Get:
        return this.handleGet(request);
      case BaseOpcode.Put:
        return this.handlePut(request);
      case BaseOpcode.SetPath:
        return this.handleSetPath(request);
      case BaseOpcode.Action:
        return this.handleAction(request);
      default:
        return this.respond(ResponseCode.NotImplemented);
    }
  }

  private async handleConnect(request: ObexRequest): Promise<void> {
    const fields: ConnectFields = { version: OBEX_VERSION, flags: 0, maxPacketLength: this.localMax };
    const asked = request.connect;
    if (!asked || asked.maxPacketLength < OBEX_MIN_PACKET_LENGTH) {
      return this.respond(ResponseCode.BadRequest, [], fields);
    }
    const target = readBytes(request.headers, HeaderId.Target);
    const reply = await this.callHandler(
      () => this.handlers.connect?.({ ...describe(request), ...asked, target }),
      ResponseCode.Success,
    );
    if (!isSuccess(reply.code)) return this.respond(reply.code, reply.headers, fields);
    this.remoteMax = asked.maxPacketLength;
    this.cid = this.nextCid;
    this.nextCid = this.nextCid >= 0xfffffffe ? 1 : this.nextCid + 1;
    this.targeted = target !== undefined;
    const headers: ObexHeader[] = [connectionIdHeader(this.cid)];
    if (target) headers.push(whoHeader(target));
    headers.push(...reply.headers);
    this.respond(reply.code, headers, fields);
  }

  private async handleDisconnect(request: ObexRequest): Promise<void> {
    await this.callHandler(() => this.handlers.disconnect?.(describe(request)), ResponseCode.Success);
    this.cid = undefined;
    this.targeted = false;
    this.remoteMax = OBEX_MIN_PACKET_LENGTH;
    this.respond(ResponseCode.Success);
  }

  private async handleSetPath(request: ObexRequest): Promise<void> {
    const handler = this.handlers.setPath;
    if (!handler) return this.respond(ResponseCode.NotImplemented);
    const flags = request.setPath?.flags ?? 0;
    const reply = await this.callHandler(
      () =>
        handler.call(this.handlers, {
          ...describe(request),
          flags,
          up: (flags & SetPathFlag.Backup) !== 0,
          noCreate: (flags & SetPathFlag.NoCreate) !== 0,
        }),
      ResponseCode.Success,
    );
    this.respond(reply.code, reply.headers);
  }

  private async handleAction(request: ObexRequest): Promise<void> {
    const handler = this.handlers.action;
    if (!handler) return this.respond(ResponseCode.NotImplemented);
    const reply = await this.callHandler(
      () =>
        handler.call(this.handlers, {
          ...describe(request),
          actionId: readU8(request.headers, HeaderId.ActionId),
          destName: readUnicode(request.headers, HeaderId.DestName),
        }),
      ResponseCode.Success,
    );
    this.respond(reply.code, reply.headers);
  }

  private async handleGet(first: ObexRequest): Promise<void> {
    const handler = this.handlers.get;
    // A GET may spread its headers over several non-final packets.
    const collected: ObexHeader[] = [...first.headers];
    let request = first;
    while ((request.opcode & OBEX_FINAL_BIT) === 0) {
      this.respond(ResponseCode.Continue);
      const step = await this.nextInOperation(BaseOpcode.Get);
      if (step.kind === 'ended') return this.operationEnded();
      request = step.request;
      collected.push(...request.headers);
      if (encodedHeadersLength(collected) > MAX_REQUEST_HEADER_BYTES) return this.respond(ResponseCode.BadRequest);
    }
    if (!handler) return this.respond(ResponseCode.NotImplemented);
    let reply: number | GetReply;
    try {
      reply = await handler.call(this.handlers, describe({ opcode: first.opcode, headers: collected }));
    } catch {
      return this.respond(ResponseCode.InternalServerError);
    }
    if (typeof reply === 'number') return this.respond(reply);
    const srm = this.srmAllowed && readU8(collected, HeaderId.Srm) === SrmValue.Enable;
    let clientWaits = srm && readU8(request.headers, HeaderId.Srmp) === SrmpValue.Wait;
    const reader = reply.body === undefined ? undefined : new BodyReader(reply.body);
    let done = false;
    try {
      let headers: ObexHeader[] = [...(srm ? [srmHeader(SrmValue.Enable)] : []), ...(reply.headers ?? [])];
      for (;;) {
        const room = this.maxPacketLength - packetLength(0, headers) - 3;
        if (room < 0) return this.respond(ResponseCode.InternalServerError);
        if (!reader) {
          done = true;
          return this.respond(reply.code ?? ResponseCode.Success, headers);
        }
        const chunk = room >= 1 ? await reader.read(room) : new Uint8Array(0);
        if (this.closed) return;
        if (chunk === undefined) {
          done = true;
          return this.respond(reply.code ?? ResponseCode.Success, [...headers, endOfBodyHeader()]);
        }
        this.respond(ResponseCode.Continue, chunk.length > 0 ? [...headers, bodyHeader(chunk)] : headers);
        headers = [];
        if (srm && !clientWaits) {
          // Streaming: look at what the client sent meanwhile (Abort, or SRMP to pause).
          for (let packet = this.inbox.shift(); packet; packet = this.inbox.shift()) {
            const step = this.classify(packet, BaseOpcode.Get);
            if (step.kind === 'ended') return this.operationEnded();
            clientWaits = readU8(step.request.headers, HeaderId.Srmp) === SrmpValue.Wait;
          }
        } else {
          const step = await this.nextInOperation(BaseOpcode.Get);
          if (step.kind === 'ended') return this.operationEnded();
          clientWaits = srm && readU8(step.request.headers, HeaderId.Srmp) === SrmpValue.Wait;
        }
      }
    } catch {
      // The body source failed.
      if (!this.closed) this.respond(ResponseCode.InternalServerError);
    } finally {
      if (!done) await reader?.cancel();
    }
  }

  private async handlePut(first: ObexRequest): Promise<void> {
    const handler = this.handlers.put;
    if (!handler) return this.respond(ResponseCode.NotImplemented);
    const isFinal = (first.opcode & OBEX_FINAL_BIT) !== 0;
    const info = { ...describe(first), delete: isFinal && !first.headers.some(isBodyHeader) };
    let receiver: number | PutReceiver;
    try {
      receiver = await handler.call(this.handlers, info);
    } catch {
      return this.respond(ResponseCode.InternalServerError);
    }
    if (typeof receiver === 'number') return this.respond(receiver);
    const srm = this.srmAllowed && readU8(first.headers, HeaderId.Srm) === SrmValue.Enable;
    let request = first;
    let isFirst = true;
    let done = false;
    let reason: OperationEndReason = 'closed';
    try {
      for (;;) {
        const isLast = (request.opcode & OBEX_FINAL_BIT) !== 0;
        for (const header of request.headers) {
          if (isBodyHeader(header) && header.value.length > 0) await receiver.onBody?.(header.value);
        }
        if (this.closed) return;
        if (isLast) {
          done = true;
          const reply = normalizeReply(await receiver.onEnd?.(), ResponseCode.Success);
          return this.respond(reply.code, reply.headers);
        }
        if (isFirst) this.respond(ResponseCode.Continue, srm ? [srmHeader(SrmValue.Enable)] : []);
        else if (!srm) this.respond(ResponseCode.Continue);
        isFirst = false;
        const step = await this.nextInOperation(BaseOpcode.Put);
        if (step.kind === 'ended') {
          reason = step.reason;
          return this.operationEnded();
        }
        request = step.request;
      }
    } catch (err) {
      reason = 'refused';
      const code = err instanceof PutRefusal && err.responseCode >= 0xc0 && err.responseCode <= 0xff ? err.responseCode : ResponseCode.InternalServerError;
      if (!this.closed) this.respond(code);
      // Refused mid-stream: the client may have sent more before it saw the refusal.
      this.dropSrmPutLeftovers = srm && !isFirst && !done;
    } finally {
      if (!done) quietly(() => receiver.onAbort?.(this.closed ? 'closed' : reason));
    }
  }

  /** Waits for the operation's next packet; answers Abort, a wrong packet or a timeout itself. */
  private async nextInOperation(base: number): Promise<NextStep> {
    let packet: Uint8Array;
    try {
      packet = await this.inbox.next(this.timeoutMs, () => timeoutError('client', this.timeoutMs));
    } catch (err) {
      if (isObexError(err, ObexErrorKind.Timeout)) return { kind: 'ended', reason: 'timeout' };
      if (isObexError(err, ObexErrorKind.Closed)) return { kind: 'ended', reason: 'closed' };
      throw err;
    }
    return this.classify(packet, base);
  }

  /** Sorts a packet that arrived inside an operation: its continuation, or the operation's end. */
  private classify(packet: Uint8Array, base: number): NextStep {
    let request: ObexRequest;
    try {
      request = decodeRequest(packet);
    } catch {
      this.respond(ResponseCode.BadRequest);
      return { kind: 'ended', reason: 'malformed' };
    }
    const opcodeBase = request.opcode & 0x7f;
    if (opcodeBase === BaseOpcode.Abort) {
      this.respond(ResponseCode.Success);
      return { kind: 'ended', reason: 'abort' };
    }
    if (opcodeBase !== base) {
      // The client moved on (e.g. Disconnect mid-PUT): end this operation, then serve that request.
      this.inbox.unshift(packet);
      return { kind: 'ended', reason: 'moved-on' };
    }
    if (!this.connectionIdFits(request, false)) {
      this.respond(ResponseCode.ServiceUnavailable);
      return { kind: 'ended', reason: 'malformed' };
    }
    return { kind: 'request', request };
  }

  private operationEnded(): void {
    quietly(() => this.handlers.abort?.());
  }

  /** A Connection ID, if present, must be ours; the first packet after a targeted Connect must carry one. */
  private connectionIdFits(request: ObexRequest, firstOfOperation: boolean): boolean {
    const id = readConnectionId(request.headers);
    if (id !== undefined) return id === this.cid;
    return !(firstOfOperation && this.targeted);
  }

  private async callHandler(
    call: () => Awaitable<ServerReply | void | undefined>,
    fallback: number,
  ): Promise<{ code: number; headers: readonly ObexHeader[] }> {
    try {
      return normalizeReply(await call(), fallback);
    } catch {
      return { code: ResponseCode.InternalServerError, headers: [] };
    }
  }

  private respond(code: number, headers: readonly ObexHeader[] = [], connect?: ConnectFields): void {
    if (this.closed) return;
    let bytes: Uint8Array;
    try {
      bytes = encodeResponse({ code, headers: [...headers], connect });
      if (bytes.length > this.maxPacketLength) throw new ObexError(ObexErrorKind.TooLarge, 'response too large');
    } catch {
      // A handler gave headers that cannot be encoded or do not fit.
      bytes = encodeResponse({ code: ResponseCode.InternalServerError, headers: [], connect });
    }
    try {
      this.options.send(bytes);
    } catch (err) {
      this.close(err instanceof Error ? err : new Error(String(err)));
    }
  }
}

/** Runs an application cleanup hook; its failure must not take the session down. */
function quietly(hook: () => void): void {
  try {
    hook();
  } catch {
    // Nothing useful to do with it here.
  }
}

function normalizeReply(reply: ServerReply | void | undefined, fallback: number): { code: number; headers: readonly ObexHeader[] } {
  if (reply === undefined) return { code: fallback, headers: [] };
  if (typeof reply === 'number') return { code: reply, headers: [] };
  return { code: reply.code ?? fallback, headers: reply.headers ?? [] };
}

function describe(request: { opcode: number; headers: readonly ObexHeader[] }): ServerRequest {
  const headers = request.headers.filter((h) => !isBodyHeader(h));
  return {
    opcode: request.opcode,
    headers,
    name: readName(headers),
    type: readType(headers),
    appParams: readAppParams(headers),
  };
}
