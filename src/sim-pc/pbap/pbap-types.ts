/**
 * The shapes of the PBAP client's API: its options and events, what each
 * operation takes, and what it resolves with.
 */
import type { ClassicClient } from '../../link/classic';
import type { Clock } from '../../link/clock';
import type { PbapParams } from '../../protocol/pbap/app-params';
import type { VcardListingCard } from '../../protocol/pbap/listing';
import type { Vcard } from '../../protocol/vcard/model';
import type { PseInfo } from './pse-record';

export interface PbapClientOptions {
  client: ClassicClient;
  phoneAddress: string;
  clock: Clock;
  /**
   * Inactivity limit (ms): an operation fails when nothing arrives from
   * the phone for this long. Every received chunk restarts it, so a long
   * but steady transfer never hits it. Also bounds each connection step.
   * Default 15 s.
   */
  timeoutMs?: number;
  /** Our PbapSupportedFeatures, sent in Connect when the PSE publishes its own. Default 0x00000003 (Download, Browsing). */
  supportedFeatures?: number;
  /** OBEX packet size we announce and accept. Default 4096. */
  maxPacketLength?: number;
  /** Operations waiting behind the running one. Default 8. */
  maxQueuedOperations?: number;
  /** Largest single vCard kept (bytes). Default 4 MiB. */
  maxCardBytes?: number;
  /** Most cards one pull keeps. Default 65,535 (the most MaxListCount can ask for). */
  maxCards?: number;
  /** Largest vCard listing accepted (bytes). Default 4 MiB. */
  maxListingBytes?: number;
}

export type PbapClientState = 'idle' | 'connecting' | 'connected' | 'closed';

export type PbapOperationName = 'pullPhonebook' | 'phonebookSize' | 'pullListing' | 'pullEntry';

export interface PbapProgress {
  operation: PbapOperationName;
  /** Object or folder name. */
  name: string;
  /** Body bytes received so far in this operation. */
  bytes: number;
  /** Cards (or listing entries) complete so far. */
  cards: number;
}

/** A card the phone sent that could not be used; the rest of the transfer goes on. */
export interface SkippedCard {
  /** Object the card came in. */
  name: string;
  /** Byte offset of the card in the body; -1 when the card parsed but could not be used. */
  offset: number;
  /** `junk` (text outside cards), `truncated`, `too-large`, or the vCard parser's error code. */
  reason: string;
  message: string;
}

export interface PbapClientEvents {
  connected: [pse: PseInfo];
  /** The session ended; `reason` is undefined after disconnect() or close() without one. */
  close: [reason: Error | undefined];
  progress: [progress: PbapProgress];
  skipped: [card: SkippedCard];
  /** An operation failed (its promise rejects with the same error), whoever asked for it. */
  failed: [error: Error];
}

export interface PullPhonebookOptions {
  /** PbapFormat: 0 vCard 2.1, 1 vCard 3.0. Default 3.0. */
  format?: number;
  /** PropertySelector; absent: the phone's default (all properties). */
  propertySelector?: bigint;
  maxListCount?: number;
  listStartOffset?: number;
  /** Ask the phone to reset its new-missed-calls count (PBAP 1.2 mch/cch). */
  resetNewMissedCalls?: boolean;
  /** Each good card as soon as it is parsed, with its position among the entries of this pull. */
  onCard?: (card: Vcard, index: number) => void;
}

export interface PhonebookPull {
  name: string;
  cards: Vcard[];
  skipped: SkippedCard[];
  /** Cards the phone sent, good or not (junk between cards not counted): what ListStartOffset advances by. */
  entries: number;
  bytes: number;
  /** Application parameters of the response (PhonebookSize, NewMissedCalls, folder versions...). */
  params: PbapParams;
}

export interface ListingSearch {
  value: string;
  /** PbapSearchProperty; default name. */
  property?: number;
}

export interface ListingPaging {
  maxListCount?: number;
  listStartOffset?: number;
}

export interface PullListingOptions {
  /** PbapOrder. */
  order?: number;
  search?: ListingSearch;
  paging?: ListingPaging;
}

export interface ListingPull {
  folder: string;
  entries: VcardListingCard[];
  params: PbapParams;
}

export interface PullEntryOptions {
  format?: number;
  propertySelector?: bigint;
}

export interface EntryPull {
  folder: string;
  handle: string;
  card: Vcard;
  params: PbapParams;
}

/**
 * What the contacts and call-log services need from a PBAP session; a
 * connected PbapClient is one. Kept this small so the services can be
 * tested (and reused) without a link.
 */
export interface PhonebookSource {
  phonebookInfo(name: string): Promise<PbapParams>;
  pullPhonebook(name: string, options?: PullPhonebookOptions): Promise<PhonebookPull>;
}
