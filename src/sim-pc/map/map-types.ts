/**
 * The shapes of the PC's MAP client API: its options and events, what the
 * MAP functions take, and what they resolve with.
 */
import type { ClassicClient } from '../../link/classic';
import type { Clock } from '../../link/clock';
import type { BMessage, MapParams, MessageListingEntry } from '../../protocol/map/types';
import type { MasInfo } from './mas-record';

export interface MapClientOptions {
  client: ClassicClient;
  phoneAddress: string;
  clock: Clock;
  /**
   * Inactivity limit (ms): an operation or connection step fails when
   * nothing arrives from the phone for this long; every chunk received
   * restarts it. A timeout closes the session. Default 15 s.
   */
  timeoutMs?: number;
  /** Our MapSupportedFeatures, sent in Connect when the MAS record publishes its own. Default DEFAULT_MCE_FEATURES. */
  supportedFeatures?: number;
  /** OBEX packet size we announce and accept. Default 4096. */
  maxPacketLength?: number;
  /** Operations waiting behind the running one. Default 16. */
  maxQueuedOperations?: number;
  /** Largest messages listing accepted (bytes). Default 1 MiB. */
  maxListingBytes?: number;
  /** Largest bMessage accepted (bytes). Default 256 KiB. */
  maxMessageBytes?: number;
}

export type MapClientState = 'idle' | 'connecting' | 'connected' | 'closed';

export interface MapClientEvents {
  connected: [mas: MasInfo];
  /** The session ended; `reason` is undefined after disconnect() or close() without one. */
  close: [reason: Error | undefined];
}

export interface ListMessagesOptions {
  /** MaxListCount; default 1024 (the MSE may send fewer). 0 asks for the size only. */
  maxListCount?: number;
  listStartOffset?: number;
  /** ParameterMask; absent: the MSE's default (all attributes). */
  parameterMask?: number;
  /** FilterReadStatus (ReadStatusFilter). */
  filterReadStatus?: number;
  /** SubjectLength: characters of the subject (text preview) to list. */
  subjectLength?: number;
}

export interface MessagesListingPage {
  /** Folder listed, e.g. `telecom/msg/inbox`. */
  folder: string;
  messages: MessageListingEntry[];
  /** MessagesListingSize from the response, when sent. */
  size: number | undefined;
  /** NewMessage (1: unread messages since the last listing), when sent. */
  newMessage: number | undefined;
  /** MSETime as sent. */
  mseTime: string | undefined;
  params: MapParams;
}

export interface MessageFetch {
  handle: string;
  message: BMessage;
  /** Body bytes received. */
  bytes: number;
}

export interface PushResult {
  /** The handle the phone gave the message (reply Name), when it sent one. */
  handle: string | undefined;
}
