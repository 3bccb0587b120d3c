/**
 * The shapes of the Inbox service (src/sim-pc/services/inbox.ts): what the
 * MAP side hands it, its entries (messages and open-on-phone entries),
 * threads, the session it marks read and sends through, its options and
 * events. Types only.
 */
import type { CountryCode } from 'libphonenumber-js';
import type { Clock } from '../../link/clock';
import type { BMessage } from '../../protocol/map/types';
import type { Contact } from '../services/contact-index';
import type { ContactSearch, Recipient } from './outgoing';

export type OpenOnPhoneReason = 'group conversation' | 'picture message';
export type MessageDirection = 'in' | 'out';
/** How times without a zone are read: the PC's local time, or UTC. */
export type InboxDateZone = 'local' | 'utc';

/** A fetched message, as the MAP side hands it over (see map/message-intake.ts). */
export interface IncomingMessage {
  handle: string;
  /** Sender's number (or address) as the phone wrote it; '' when unknown. */
  from: string;
  /** The name the phone gave, if any (contacts win when shown). */
  fromName?: string;
  text: string;
  /** MAP date-time text (`YYYYMMDDTHHMMSS[+-HHMM]`); absent: the time it reached the PC. */
  datetime?: string;
  read: boolean;
  /** bMessage or listing type (SMS_GSM, MMS...). */
  type: string;
  /** Set when the message must be opened on the phone. */
  openOnPhone?: OpenOnPhoneReason;
  /** Other members of a group conversation, when known. */
  participants?: string[];
}

export interface InboxMessage {
  kind: 'message';
  id: string;
  /** The phone's handle; undefined for a sent message the phone gave no handle for. */
  handle: string | undefined;
  /** Thread id. */
  thread: string;
  direction: MessageDirection;
  /** Sender: the other party for `in`, our own number (or '') for `out`. */
  from: string;
  /** The other party's number as written. */
  number: string;
  /** The other party's name: contacts now, else what the phone gave. */
  name: string | undefined;
  text: string;
  time: Date;
  /** The date-time text the phone gave, when it gave one. */
  timeText: string | undefined;
  read: boolean;
  type: string;
}

export interface OpenOnPhoneEntry {
  kind: 'open-on-phone';
  id: string;
  handle: string;
  reason: OpenOnPhoneReason;
  from: string;
  name: string | undefined;
  participants: string[];
  /** Whatever text the phone did give (may be empty or partial). */
  preview: string;
  time: Date;
  timeText: string | undefined;
  read: boolean;
  type: string;
}

export type InboxEntry = InboxMessage | OpenOnPhoneEntry;

export interface InboxThread {
  id: string;
  /** The number as first seen. */
  number: string;
  name: string | undefined;
  messages: number;
  unread: number;
  lastTime: Date;
  lastText: string;
  lastDirection: MessageDirection;
}

/** What the Inbox needs of a connected MAP session (the MAP supervisor builds one per session). */
export interface MessageAccess {
  /** The phone's MAS lists MMS among its message types. */
  readonly mms: boolean;
  setRead(handle: string): Promise<void>;
  push(message: BMessage): Promise<{ handle: string | undefined }>;
}

export interface InboxContacts extends ContactSearch {
  lookupCaller(number: string): Pick<Contact, 'name'> | undefined;
}

export interface InboxOptions {
  clock: Clock;
  contacts?: InboxContacts;
  /** Region for national-form numbers (e.g. 'GB'). */
  defaultRegion?: CountryCode;
  /** Default 'local'. */
  dateZone?: InboxDateZone;
  /** Most entries kept. Default 5000. */
  maxEntries?: number;
  /** Largest text sent, UTF-8 bytes. Default 16 KiB. */
  maxTextBytes?: number;
  /** The phone's own numbers (the owner's card), to tell group messages from one-to-one ones. */
  ownNumbers?: () => readonly string[];
}

export interface SendFailure {
  to: readonly Recipient[];
  text: string;
  error: Error;
}

export interface InboxEvents {
  /** A new entry: a received message or an open-on-phone entry. */
  message: [entry: InboxEntry];
  read: [entry: InboxEntry];
  sent: [message: InboxMessage];
  'send-failed': [failure: SendFailure];
  /** The bound was reached and this, the oldest entry, was dropped. */
  dropped: [entry: InboxEntry];
  /** A MAP session was attached (true) or went away (false). */
  access: [connected: boolean];
  /** The inbox filled up (a CapacityReachedError, once per time it fills). */
  error: [err: Error];
}
