/**
 * OBEX client session, transport-agnostic: requests go out through `send`,
 * the transport feeds what arrives into `receive`. One operation at a time
 * (Connect, Disconnect, GET, PUT, delete, SetPath, Action); GET and PUT
 * stream the body packet by packet, support Single Response Mode and can
 * be cancelled with `abort()`.
 *
 * How each failure leaves the session:
 * - the peer refuses (error response code): operation rejected with
 *   ObexResponseError; session usable;
 * - a second operation while one runs: rejected with `obex.busy`; the running one is untouched;
 * - a malformed or out-of-place response, or a failing sink/body source, in
 *   the middle of a GET/PUT: the operation is rejected with that error, and
 *   the session sends Abort to bring the peer back in step: usable when the
 *   Abort is answered, closed when it is not;
 * - the same in a one-exchange operation (Connect, SetPath, ...): rejected; usable;
 * - no response within `timeoutMs`: rejected with `obex.timeout`; closed;
 * - a stream that cannot be framed, a response when none is expected, or a
 *   backlog over `maxQueuedResponses`: closed, and the running operation
 *   (if any) rejected.
 */
import { encodeAppParams } from './apparam';
import { BodyReader, type BodySource } from './body-reader';
import {
  HeaderId,
  isContinue,
  isSuccess,
  OBEX_DEFAULT_PACKET_LENGTH,
  OBEX_MAX_PACKET_LENGTH,
  OBEX_MIN_PACKET_LENGTH,
  OBEX_VERSION,
  Opcode,
  SetPathFlag,
  SrmpValue,
  SrmValue,
} from './constants';
import { ObexError, ObexErrorKind } from './errors';
import {
  actionIdHeader,
  appParamsHeader,
  bodyHeader,
  connectionIdHeader,
  destNameHeader,
  endOfBodyHeader,
  isBodyHeader,
  nameHeader,
  readBytes,
  readConnectionId,
  readU8,
  srmHeader,
  targetHeader,
  typeHeader,
} from './header-values';
import type { ObexHeader } from './headers';
import { decodeResponse, packetLength, type ObexResponse } from './packet';
import { ClientExchange, tooLarge, type Operation } from './client-exchange';
import type {
  AbortOutcome,
  ActionOptions,
  AppParamsInput,
  ClientState,
  ConnectOptions,
  ConnectResult,
  ExchangeResult,
  GetSink,
  ObexClientOptions,
  ObjectOptions,
  SetPathOptions,
  TransferOptions,
  TransferResult,
} from './client-types';
import { ObexResponseError, unexpectedResponse } from './session-errors';
import { OBEX_CLIENT_TIMEOUT_MS, OBEX_MAX_QUEUED_RESPONSES } from '../../limits';

export const DEFAULT_TIMEOUT_MS = OBEX_CLIENT_TIMEOUT_MS;
export const DEFAULT_MAX_QUEUED_RESPONSES = OBEX_MAX_QUEUED_RESPONSES;

export class ObexClientSession {
  private readonly exchange: ClientExchange;
  private readonly cidEveryPacket: boolean;
  private localMax: number;
  private remoteMax = OBEX_MIN_PACKET_LENGTH;
  private cid: number | undefined;
  private isConnected = false;

  constructor(options: ObexClientOptions) {
    this.cidEveryPacket = options.connectionIdInEveryPacket ?? true;
    this.localMax = checkPacketLength(options.maxPacketLength ?? OBEX_DEFAULT_PACKET_LENGTH);
    this.exchange = new ClientExchange({
      send: options.send,
      clock: options.clock,
      timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      maxQueuedResponses: options.maxQueuedResponses ?? DEFAULT_MAX_QUEUED_RESPONSES,
      receiveLimit: this.localMax,
      sendLimit: () => this.maxPacketLength,
      abortHeaders: () => this.cidHeaders(true),
      onClose: (reason) => {
        this.isConnected = false;
        options.onClose?.(reason);
      },
    });
  }

  get state(): ClientState {
    return this.exchange.state;
  }

  get connected(): boolean {
    return this.isConnected;
  }

  get connectionId(): number | undefined {
    return this.cid;
  }

  /** Largest packet we send: 255 before Connect, then the smaller of both announced lengths. */
  get maxPacketLength(): number {
    return Math.min(this.localMax, this.remoteMax);
  }

  /** Feeds bytes from the transport. */
  receive(chunk: Uint8Array): void {
    this.exchange.receive(chunk);
  }

  /** Closes the session: the running operation is rejected, later ones fail with `obex.closed`. */
  close(reason?: Error): void {
    this.exchange.close(reason);
  }

  /**
   * Cancels the running GET or PUT: sends Abort and resolves once the peer
   * answers it ('answered', session usable) or the wait times out
   * ('timed-out', session closed). The operation rejects with `obex.aborted`.
   */
  abort(): Promise<AbortOutcome> {
    return this.exchange.abort();
  }

  connect(options: ConnectOptions = {}): Promise<ConnectResult> {
    return this.exchange.run('Connect', false, async (op) => {
      const local = checkPacketLength(options.maxPacketLength ?? this.localMax);
      const headers: ObexHeader[] = [];
      if (options.target !== undefined) headers.push(targetHeader(options.target));
      if (options.appParams !== undefined) headers.push(appParamsHeader(appParamBytes(options.appParams)));
      headers.push(...(options.headers ?? []));
      this.localMax = local;
      this.exchange.receiveLimit = local;
      this.exchange.sendRequest(op, {
        opcode: Opcode.Connect,
        connect: { version: OBEX_VERSION, flags: 0, maxPacketLength: local },
        headers,
      });
      const response = decodeResponse(await this.exchange.nextPacket(op), { connectResponse: true });
      if (!isSuccess(response.code)) throw new ObexResponseError(response.code, response.headers, 'Connect');
      const remote = response.connect?.maxPacketLength ?? 0;
      if (remote < OBEX_MIN_PACKET_LENGTH) {
        throw new ObexError(ObexErrorKind.BadPacket, `peer announced max packet length ${remote}, below 255`);
      }
      this.remoteMax = remote;
      this.cid = readConnectionId(response.headers);
      this.isConnected = true;
      return {
        code: response.code,
        connectionId: this.cid,
        maxPacketLength: this.maxPacketLength,
        remoteMaxPacketLength: remote,
        who: readBytes(response.headers, HeaderId.Who),
        headers: response.headers,
      };
    });
  }

  /** Sends Disconnect. The connection state is dropped whatever the answer. */
  disconnect(headers: readonly ObexHeader[] = []): Promise<ExchangeResult> {
    return this.exchange.run('Disconnect', false, async (op) => {
      this.exchange.sendRequest(op, { opcode: Opcode.Disconnect, headers: [...this.cidHeaders(true), ...headers] });
      let response: ObexResponse;
      try {
        response = decodeResponse(await this.exchange.nextPacket(op));
      } finally {
        this.forgetConnection();
      }
      return this.finalAnswer('Disconnect', response);
    });
  }

  setPath(options: SetPathOptions = {}): Promise<ExchangeResult> {
    return this.exchange.run('SetPath', false, async (op) => {
      const flags = (options.up === true ? SetPathFlag.Backup : 0) | (options.noCreate === false ? 0 : SetPathFlag.NoCreate);
      const headers = [...this.cidHeaders(true)];
      if (options.name !== undefined) headers.push(nameHeader(options.name));
      headers.push(...(options.headers ?? []));
      this.exchange.sendRequest(op, { opcode: Opcode.SetPath, setPath: { flags, constants: 0 }, headers });
      return this.finalAnswer('SetPath', decodeResponse(await this.exchange.nextPacket(op)));
    });
  }

  /** A PUT with no body at all, which asks the peer to delete the object. */
  delete(options: ObjectOptions): Promise<ExchangeResult> {
    return this.exchange.run('Delete', false, async (op) => {
      this.exchange.sendRequest(op, { opcode: Opcode.PutFinal, headers: this.objectHeaders(options, false) });
      return this.finalAnswer('Delete', decodeResponse(await this.exchange.nextPacket(op)));
    });
  }

  /** Copy, Move or SetPermissions (Action opcode). */
  action(options: ActionOptions): Promise<ExchangeResult> {
    return this.exchange.run('Action', false, async (op) => {
      const headers = [...this.cidHeaders(true), actionIdHeader(options.actionId), nameHeader(options.name)];
      if (options.destName !== undefined) headers.push(destNameHeader(options.destName));
      headers.push(...(options.headers ?? []));
      this.exchange.sendRequest(op, { opcode: Opcode.Action, headers });
      return this.finalAnswer('Action', decodeResponse(await this.exchange.nextPacket(op)));
    });
  }

  /** Fetches an object, handing body bytes to `sink` as each packet arrives. */
  get(options: TransferOptions, sink: GetSink): Promise<TransferResult> {
    return this.exchange.run('GET', true, async (op) => {
      const srmWanted = options.srm === true;
      const first = [...this.cidHeaders(true)];
      if (srmWanted) first.push(srmHeader(SrmValue.Enable));
      first.push(...this.objectHeaders(options, true));
      this.exchange.sendRequest(op, { opcode: Opcode.GetFinal, headers: first });
      op.peerActive = true;
      let srm = false;
      let isFirst = true;
      let bodyLength = 0;
      for (;;) {
        const response = this.decodeInTransfer(op, await this.exchange.nextPacket(op));
        if (isFirst && srmWanted) srm = readU8(response.headers, HeaderId.Srm) === SrmValue.Enable;
        op.streaming = srm;
        isFirst = false;
        const meta = response.headers.filter((h) => !isBodyHeader(h));
        if (meta.length > 0 && sink.onHeaders) await sink.onHeaders(meta, response.code);
        for (const header of response.headers) {
          if (!isBodyHeader(header) || header.value.length === 0) continue;
          bodyLength += header.value.length;
          await sink.onBody(header.value);
        }
        if (!isContinue(response.code)) {
          if (!isSuccess(response.code)) throw new ObexResponseError(response.code, response.headers, 'GET');
          return { code: response.code, headers: meta, bodyLength, srm };
        }
        const srmp = readU8(response.headers, HeaderId.Srmp);
        if (!srm || srmp === SrmpValue.Wait || srmp === SrmpValue.NextAndWait) {
          this.exchange.sendRequest(op, { opcode: Opcode.GetFinal, headers: this.cidHeaders(false) });
        } else {
          this.exchange.check(op);
        }
      }
    });
  }

  /**
   * Sends an object, split to fit the negotiated packet size: Body headers
   * in Put packets, then a Put-final with an empty End-of-Body.
   */
  put(options: TransferOptions, body: BodySource): Promise<TransferResult> {
    return this.exchange.run('PUT', true, async (op) => {
      const srmWanted = options.srm === true;
      const firstHeaders = this.objectHeaders(options, false);
      if (srmWanted) firstHeaders.push(srmHeader(SrmValue.Enable));
      const reader = new BodyReader(body);
      let sentAll = false;
      try {
        let isFirst = true;
        let srm = false;
        let awaitAnswer = true;
        let bodyLength = 0;
        for (;;) {
          const headers = isFirst ? firstHeaders : this.cidHeaders(false);
          const room = this.maxPacketLength - packetLength(0, headers) - 3;
          if (room < 0) throw tooLarge('PUT headers', packetLength(0, headers), this.maxPacketLength);
          // With no room for body bytes the first packet goes out with its headers alone.
          const chunk = room >= 1 ? await reader.read(room) : new Uint8Array(0);
          this.exchange.check(op);
          if (chunk === undefined) {
            sentAll = true;
            this.exchange.sendRequest(op, { opcode: Opcode.PutFinal, headers: [...headers, endOfBodyHeader()] });
            op.peerActive = true;
            break;
          }
          const bodyHeaders = chunk.length > 0 ? [bodyHeader(chunk)] : [];
          this.exchange.sendRequest(op, { opcode: Opcode.Put, headers: [...headers, ...bodyHeaders] }, awaitAnswer);
          op.peerActive = true;
          bodyLength += chunk.length;
          if (awaitAnswer) {
            const response = this.decodeInTransfer(op, await this.exchange.nextPacket(op));
            this.expectContinue(response);
            if (isFirst && srmWanted) srm = readU8(response.headers, HeaderId.Srm) === SrmValue.Enable;
            awaitAnswer = !srm || asksToWait(response);
          } else {
            // SRM: the peer only speaks up to refuse or to ask us to wait.
            const early = this.exchange.takeArrived();
            if (early) {
              const response = this.decodeInTransfer(op, early);
              this.expectContinue(response);
              awaitAnswer = asksToWait(response);
            }
          }
          isFirst = false;
        }
        const response = this.decodeInTransfer(op, await this.exchange.nextPacket(op));
        if (isContinue(response.code)) throw unexpectedResponse('PUT after its last packet', response.code);
        if (!isSuccess(response.code)) throw new ObexResponseError(response.code, response.headers, 'PUT');
        return { code: response.code, headers: response.headers.filter((h) => !isBodyHeader(h)), bodyLength, srm };
      } finally {
        if (!sentAll) await reader.cancel();
      }
    });
  }

  /** Decodes a GET/PUT response, noting whether the peer is still inside the operation. */
  private decodeInTransfer(op: Operation, packet: Uint8Array): ObexResponse {
    op.peerActive = packet.length > 0 && isContinue(packet[0] as number);
    return decodeResponse(packet);
  }

  private expectContinue(response: ObexResponse): void {
    if (isContinue(response.code)) return;
    if (isSuccess(response.code)) throw unexpectedResponse('PUT before its last packet', response.code);
    throw new ObexResponseError(response.code, response.headers, 'PUT');
  }

  private finalAnswer(what: string, response: ObexResponse): ExchangeResult {
    if (!isSuccess(response.code)) throw new ObexResponseError(response.code, response.headers, what);
    return { code: response.code, headers: response.headers };
  }

  private cidHeaders(firstOfOperation: boolean): ObexHeader[] {
    if (this.cid === undefined || !(firstOfOperation || this.cidEveryPacket)) return [];
    return [connectionIdHeader(this.cid)];
  }

  /** Connection ID, Type, Name, AppParameters, extras: the first packet of GET, PUT and delete. */
  private objectHeaders(options: ObjectOptions, skipCid: boolean): ObexHeader[] {
    const headers = skipCid ? [] : this.cidHeaders(true);
    if (options.type !== undefined) headers.push(typeHeader(options.type));
    if (options.name !== undefined) headers.push(nameHeader(options.name));
    if (options.appParams !== undefined) headers.push(appParamsHeader(appParamBytes(options.appParams)));
    headers.push(...(options.headers ?? []));
    return headers;
  }

  private forgetConnection(): void {
    this.cid = undefined;
    this.isConnected = false;
    this.remoteMax = OBEX_MIN_PACKET_LENGTH;
  }
}

function appParamBytes(input: AppParamsInput): Uint8Array {
  return input instanceof Uint8Array ? input : encodeAppParams(input);
}

function asksToWait(response: ObexResponse): boolean {
  const srmp = readU8(response.headers, HeaderId.Srmp);
  return srmp === SrmpValue.Wait || srmp === SrmpValue.NextAndWait;
}

function checkPacketLength(value: number): number {
  if (!Number.isInteger(value) || value < OBEX_MIN_PACKET_LENGTH || value > OBEX_MAX_PACKET_LENGTH) {
    throw new ObexError(ObexErrorKind.BadValue, `max packet length ${value} is outside 255..65535`);
  }
  return value;
}
