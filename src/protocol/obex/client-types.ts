/**
 * The shapes of the OBEX client session's API: its options, what each
 * operation takes and what it resolves with.
 */
import type { Clock } from '../../link/clock';
import type { AppParam } from './apparam';
import type { ObexHeader } from './headers';

export interface ObexClientOptions {
  send: (bytes: Uint8Array) => void;
  clock: Clock;
  /** Largest packet we accept, and what connect() announces unless told otherwise. 255..65535, default 4096. */
  maxPacketLength?: number;
  /** How long to wait for each response (ms). Default 10 s. */
  timeoutMs?: number;
  /**
   * Connection ID in every request packet (default, true), or only in the
   * first packet of each operation (false, as bluez gobex sends it).
   */
  connectionIdInEveryPacket?: boolean;
  /** Most responses held while the body sink is busy (the SRM GET backlog). Default 64. */
  maxQueuedResponses?: number;
  /** Told once when the session closes, with the reason (undefined for close() without one). */
  onClose?: (reason: Error | undefined) => void;
}

export type ClientState = 'idle' | 'busy' | 'closed';
/** How abort() ended: the peer answered; it did not (session closed); the session closed; nothing was running. */
export type AbortOutcome = 'answered' | 'timed-out' | 'closed' | 'nothing-to-abort';
/** Application parameters as ready TLV bytes or as a list to encode. */
export type AppParamsInput = Uint8Array | readonly AppParam[];

export interface ConnectOptions {
  /** Target service UUID (PBAP, MAP MAS/MNS...). */
  target?: Uint8Array | readonly number[];
  appParams?: AppParamsInput;
  /** What we announce and accept; 255..65535, default the session's maxPacketLength. */
  maxPacketLength?: number;
  /** More headers, after Target and AppParameters. */
  headers?: readonly ObexHeader[];
}

export interface ConnectResult {
  code: number;
  connectionId: number | undefined;
  /** Negotiated: the smaller of the two announced lengths; what we send from now on. */
  maxPacketLength: number;
  /** What the peer announced. */
  remoteMaxPacketLength: number;
  who: Uint8Array | undefined;
  headers: ObexHeader[];
}

export interface ObjectOptions {
  name?: string;
  type?: string;
  appParams?: AppParamsInput;
  /** More headers, sent in the first packet after the standard ones. */
  headers?: readonly ObexHeader[];
}

export interface TransferOptions extends ObjectOptions {
  /** Ask for Single Response Mode (used when the peer's first answer enables it too). */
  srm?: boolean;
}

export interface GetSink {
  /** Non-body headers of each response that has any, with its response code. */
  onHeaders?(headers: ObexHeader[], code: number): void | Promise<void>;
  /** Body bytes in arrival order; awaited before the next packet is asked for. */
  onBody(chunk: Uint8Array): void | Promise<void>;
}

export interface TransferResult {
  code: number;
  /** Non-body headers of the final response. */
  headers: ObexHeader[];
  bodyLength: number;
  /** SRM was in use. */
  srm: boolean;
}

export interface ExchangeResult {
  code: number;
  headers: ObexHeader[];
}

export interface SetPathOptions {
  /** Child folder; '' (an empty Name) means the root; absent sends no Name. */
  name?: string;
  /** Back up one level first (flag bit 0). */
  up?: boolean;
  /** Do not create a missing folder (flag bit 1). Default true: browsing never creates folders. */
  noCreate?: boolean;
  headers?: readonly ObexHeader[];
}

export interface ActionOptions {
  actionId: number;
  name: string;
  destName?: string;
  headers?: readonly ObexHeader[];
}
