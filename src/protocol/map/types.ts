/**
 * MAP value types shared by the codecs (bMessage, listings, event reports,
 * application parameters, date-times), the simulated phone's MAS and MNS
 * client, and the PC's MAP client and MNS server. Types only: no logic.
 */
import type { AppParam } from '../obex/apparam';

/** bMessage TYPE values (open: any other token survives a round trip as a string). */
export type MessageType = 'EMAIL' | 'SMS_GSM' | 'SMS_CDMA' | 'MMS' | 'IM' | (string & {});

/** bMessage STATUS. */
export type ReadStatus = 'READ' | 'UNREAD';

/**
 * A person in a bMessage: the vCard of an originator or a recipient.
 * `version` is the vCard's VERSION (2.1 or 3.0); names and numbers are the
 * decoded texts; `extra` keeps other property lines verbatim, in order.
 */
export interface BMessageParty {
  version: '2.1' | '3.0';
  /** N property, raw value ("Last;First;;;"). */
  name?: string;
  /** FN property. */
  formattedName?: string;
  /** TEL values in order. */
  phones: string[];
  /** EMAIL values in order. */
  emails: string[];
  /** Other property lines of the vCard, verbatim (without CRLF). */
  extra?: string[];
}

/** One BBODY: the content of a bMessage envelope. */
export interface BMessageBody {
  partId?: number;
  /** ENCODING (e.g. 8BIT, G-7BIT); absent for UTF-8 text. */
  encoding?: string;
  /** CHARSET (UTF-8 or native); absent when the MSE omits it. */
  charset?: string;
  language?: string;
  /**
   * The message text: the content between BEGIN:MSG and END:MSG, decoded
   * from UTF-8 (several MSG blocks are joined with CRLF, as MMS parts are).
   */
  text: string;
}

/**
 * An envelope (BENV). Envelopes nest: each level may carry recipients, and
 * the innermost carries the body (at most 3 levels in the spec).
 */
export interface BMessageEnvelope {
  recipients: BMessageParty[];
  /** A nested envelope, or the body. */
  content: { kind: 'envelope'; envelope: BMessageEnvelope } | { kind: 'body'; body: BMessageBody };
}

/** A whole bMessage (x-bt/message). */
export interface BMessage {
  /** VERSION, "1.0". */
  version: string;
  status: ReadStatus;
  type: MessageType;
  /** FOLDER, e.g. "telecom/msg/inbox"; may be empty in a PushMessage. */
  folder: string;
  /** Originator vCards, before the envelope (zero or more). */
  originators: BMessageParty[];
  envelope: BMessageEnvelope;
}

/** One `<msg>` of a Messages-Listing (attributes by their MAP names; all strings as sent). */
export interface MessageListingEntry {
  /** Hex handle, up to 16 digits. */
  handle: string;
  subject?: string;
  /** YYYYMMDDTHHMMSS[+-HHMM] as sent. */
  datetime?: string;
  sender_name?: string;
  sender_addressing?: string;
  replyto_addressing?: string;
  recipient_name?: string;
  recipient_addressing?: string;
  type?: MessageType;
  /** Message size in bytes. */
  size?: number;
  /** 'yes' | 'no'. */
  text?: string;
  /** 'complete' | 'fractioned' | 'notification'. */
  reception_status?: string;
  attachment_size?: number;
  priority?: string;
  read?: string;
  sent?: string;
  protected?: string;
  /** Format 1.1 */
  delivery_status?: string;
  conversation_id?: string;
  conversation_name?: string;
  direction?: string;
  attachment_mime_types?: string;
  /** Attributes outside the table, kept for round trips. */
  other?: Record<string, string>;
}

export interface MessageListing {
  /** The listing's version attribute, "1.0" or "1.1". */
  version: string;
  messages: MessageListingEntry[];
}

/** x-obex/folder-listing. */
export interface FolderListing {
  version: string;
  folders: string[];
}

/** MAP event types (open). */
export type MapEventType =
  | 'NewMessage'
  | 'DeliverySuccess'
  | 'SendingSuccess'
  | 'DeliveryFailure'
  | 'SendingFailure'
  | 'MemoryFull'
  | 'MemoryAvailable'
  | 'MessageDeleted'
  | 'MessageShift'
  | 'ReadStatusChanged'
  | (string & {});

export interface MapEvent {
  type: MapEventType;
  /** Hex handle; absent for MemoryFull/MemoryAvailable. */
  handle?: string;
  folder?: string;
  old_folder?: string;
  msg_type?: MessageType;
  /** Version 1.1 attributes. */
  datetime?: string;
  subject?: string;
  sender_name?: string;
  priority?: string;
  /** Attributes outside the table, kept for round trips. */
  other?: Record<string, string>;
}

/** x-bt/MAP-event-report. */
export interface EventReport {
  version: string;
  events: MapEvent[];
}

/** MAP application parameters, typed (tags in src/protocol/map/constants.ts). */
export interface MapParams {
  maxListCount?: number;
  listStartOffset?: number;
  /** FilterMessageType bit mask (MessageTypeFilterBit). */
  filterMessageType?: number;
  filterPeriodBegin?: string;
  filterPeriodEnd?: string;
  filterReadStatus?: number;
  filterRecipient?: string;
  filterOriginator?: string;
  filterPriority?: number;
  attachment?: number;
  transparent?: number;
  retry?: number;
  newMessage?: number;
  notificationStatus?: number;
  masInstanceId?: number;
  parameterMask?: number;
  folderListingSize?: number;
  messagesListingSize?: number;
  subjectLength?: number;
  charset?: number;
  fractionRequest?: number;
  fractionDeliver?: number;
  statusIndicator?: number;
  statusValue?: number;
  mseTime?: string;
  /** 0x29 MapSupportedFeatures (u32), sent in Connect by MAP 1.3+ clients. */
  mapSupportedFeatures?: number;
  /** Tags outside the table, in arrival order. */
  unknown?: AppParam[];
}

/** A MAP date-time: calendar fields as written, and the UTC offset when one was given. */
export interface MapDateTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** Minutes east of UTC ("+0130" is 90); undefined when the text had no zone (local time). */
  offsetMinutes?: number;
}
