/**
 * What an OBEX server session asks of the application: one optional
 * handler per operation, the request shapes they receive and the replies
 * they may give (a response code, or headers and a body to stream).
 */
import type { BodySource } from './body-reader';
import type { ObexHeader } from './headers';

export type Awaitable<T> = T | Promise<T>;

/** A response code, or a code (default Success) with headers. */
export type ServerReply = number | { code?: number; headers?: readonly ObexHeader[] };

export interface ServerRequest {
  /** Opcode of the first packet, final bit included. */
  opcode: number;
  /** Every header of the request other than Body and End-of-Body (Connection ID included). */
  headers: readonly ObexHeader[];
  name: string | undefined;
  type: string | undefined;
  /** Raw Application Parameters bytes (decode with decodeAppParams). */
  appParams: Uint8Array | undefined;
}

export interface ConnectRequest extends ServerRequest {
  version: number;
  flags: number;
  maxPacketLength: number;
  target: Uint8Array | undefined;
}

export interface PutRequest extends ServerRequest {
  /** A single final packet with neither Body nor End-of-Body: the client asks to delete the object. */
  delete: boolean;
}

export interface SetPathRequest extends ServerRequest {
  flags: number;
  up: boolean;
  noCreate: boolean;
}

export interface ActionRequest extends ServerRequest {
  actionId: number | undefined;
  destName: string | undefined;
}

export interface GetReply {
  /** Code of the final response; default Success. */
  code?: number;
  /** Sent in the first response, before any body bytes. */
  headers?: readonly ObexHeader[];
  /** Streamed in packets of the negotiated size; absent: one final response with the headers only. */
  body?: BodySource;
}

/**
 * Thrown from a PutReceiver's `onBody` to end the PUT with this error code
 * (e.g. Request Entity Too Large for a body that grew past a limit) instead
 * of the Internal Server Error any other throw gets. Codes below 0xC0 are
 * not refusals and fall back to Internal Server Error.
 */
export class PutRefusal extends Error {
  constructor(
    readonly responseCode: number,
    message: string,
  ) {
    super(message);
    this.name = 'PutRefusal';
  }
}

export interface PutReceiver {
  /** Body bytes in arrival order; awaited before the next packet is asked for. */
  onBody?(chunk: Uint8Array): Awaitable<void>;
  /** After End-of-Body: the final answer (default Success). */
  onEnd?(): Awaitable<ServerReply | void>;
  /** The PUT ended early, and why (Abort, a timeout, a malformed packet, the client moving on, a refusal, the session closing). */
  onAbort?(reason: OperationEndReason): void;
}

/**
 * Why an operation ended before its final packet: `abort` (the client sent
 * Abort), `timeout` (no next packet within the session's time limit),
 * `malformed` (a packet that did not decode or named the wrong connection),
 * `moved-on` (the client started another operation), `refused` (the
 * handler failed mid-stream), `closed` (the session or link went away).
 */
export type OperationEndReason = 'abort' | 'timeout' | 'malformed' | 'moved-on' | 'refused' | 'closed';

export interface ObexServerHandlers {
  /** Absent: every Connect is accepted. */
  connect?(request: ConnectRequest): Awaitable<ServerReply | void>;
  disconnect?(request: ServerRequest): Awaitable<void>;
  /** Absent: Not Implemented. A number refuses with that code. */
  get?(request: ServerRequest): Awaitable<number | GetReply>;
  /** Absent: Not Implemented. A number refuses with that code. */
  put?(request: PutRequest): Awaitable<number | PutReceiver>;
  /** Absent: Not Implemented. */
  setPath?(request: SetPathRequest): Awaitable<ServerReply | void>;
  /** Absent: Not Implemented. */
  action?(request: ActionRequest): Awaitable<ServerReply | void>;
  /** A GET or PUT was aborted by the client or dropped after a timeout. */
  abort?(): void;
}
