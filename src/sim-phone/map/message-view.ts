/**
 * How the phone's messages look over MAP, as the phone profile says: which
 * messages a PC may see (history, MMS policy, sent folder), their handles,
 * their bMessage TYPE, Messages-Listing entries (ParameterMask honoured,
 * format 1.0 or 1.1), bMessages for GetMessage (groups flattened or with
 * every participant), event reports, and date-times in the phone's local
 * time with or without the zone.
 */
import {
  formatMapDateTime,
  mapDateTimeFromDate,
  MapEventName,
  MessageTypeName,
  ParameterMaskBit,
  PARAMETER_MASK_ALL,
  party,
  simpleBMessage,
  type BMessage,
  type BMessageParty,
  type MapEvent,
  type MessageListingEntry,
  type MessageType,
} from '../../protocol/map';
import { folderText, messageFolderPath } from './map-folders';
import type { MapProfile } from './map-profile';
import type { MessageFolder, PhoneMessage } from './message-store';

/** Handles are this base plus the message id, in hex (11 digits for the first 2^40 ids). */
const HANDLE_BASE = 0x40000000000n;
const MAX_HANDLE = 0xffffffffffffffffn;
/** Listing attributes a ParameterMask cannot take away (the #REQUIRED ones of the listing DTD). */
const MANDATORY_MASK =
  ParameterMaskBit.Subject |
  ParameterMaskBit.Datetime |
  ParameterMaskBit.RecipientAddressing |
  ParameterMaskBit.Type |
  ParameterMaskBit.Size |
  ParameterMaskBit.ReceptionStatus |
  ParameterMaskBit.AttachmentSize;
/** SubjectLength default and ceiling (characters). */
export const DEFAULT_SUBJECT_LENGTH = 255;

/** The hex handle of a message id. */
export function messageHandle(id: number): string {
  return (HANDLE_BASE + BigInt(id)).toString(16).toUpperCase();
}

/** The message id a handle names (any case, leading zeros allowed); undefined for a text that is no handle of ours. */
export function messageIdOf(handle: string): number | undefined {
  if (!/^[0-9A-Fa-f]{1,16}$/.test(handle)) return undefined;
  const value = BigInt(`0x${handle}`);
  if (value <= HANDLE_BASE || value > MAX_HANDLE) return undefined;
  const id = value - HANDLE_BASE;
  return id <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(id) : undefined;
}

export interface ListingOptions {
  /** ParameterMask as asked (0: every attribute). */
  parameterMask: number;
  subjectLength: number;
  /** Listing format 1.1 (conversation_id, direction, ...). */
  format11: boolean;
}

export class MessageView {
  constructor(private readonly map: MapProfile) {}

  /** Whether `pcAddress` may see the message at all (whatever its folder). */
  visibleTo(message: PhoneMessage, pcAddress: string): boolean {
    const shown = this.map.history || message.shownTo.has(pcAddress.toUpperCase());
    if (message.direction === 'sent') return this.map.sentFolder && shown;
    if (message.attachment !== undefined && this.map.mms === 'drop') return false;
    return shown;
  }

  /** Whether the phone shows a newly received message over MAP at all (an MMS may be dropped). */
  delivers(message: PhoneMessage): boolean {
    return message.direction === 'sent' || message.attachment === undefined || this.map.mms === 'deliver';
  }

  /** The messages of a folder a PC may see, newest first. */
  folderContents(all: readonly PhoneMessage[], folder: MessageFolder, pcAddress: string): PhoneMessage[] {
    const found = all.filter((m) => m.folder === folder && this.visibleTo(m, pcAddress));
    return found.reverse();
  }

  /** bMessage TYPE (and listing `type`): SMS and iMessage alike are SMS_GSM; a delivered MMS is MMS. */
  typeOf(message: PhoneMessage): MessageType {
    if (message.direction === 'sent') return message.type;
    return message.attachment !== undefined ? MessageTypeName.Mms : MessageTypeName.SmsGsm;
  }

  /** A date as the phone writes it: local time at the profile's offset, with "+HHMM" only when the profile writes zones. */
  dateTime(date: Date): string {
    const dt = mapDateTimeFromDate(date, this.map.utcOffsetMinutes);
    if (!this.map.writeUtcOffset) delete dt.offsetMinutes;
    return formatMapDateTime(dt);
  }

  /** MSETime: the phone's local time, always with its offset. */
  mseTime(now: Date): string {
    return formatMapDateTime(mapDateTimeFromDate(now, this.map.utcOffsetMinutes));
  }

  /** The folder text of a message folder, e.g. `telecom/msg/inbox`. */
  folderOf(message: PhoneMessage): string {
    return folderText(messageFolderPath(message.folder));
  }

  /** One `<msg>` of a listing. */
  listingEntry(message: PhoneMessage, options: ListingOptions): MessageListingEntry {
    const mask = options.parameterMask === PARAMETER_MASK_ALL ? 0xffffffff : options.parameterMask | MANDATORY_MASK;
    const has = (bit: number): boolean => (mask & bit) !== 0;
    const entry: MessageListingEntry = { handle: messageHandle(message.id) };
    const received = message.direction === 'received';
    const own = this.map.ownNumber;
    const recipients = this.recipientNumbers(message);
    if (has(ParameterMaskBit.Subject)) entry.subject = subjectOf(message.text, options.subjectLength);
    if (has(ParameterMaskBit.Datetime)) entry.datetime = this.dateTime(message.date);
    if (has(ParameterMaskBit.SenderName)) entry.sender_name = received ? (message.name ?? '') : '';
    if (has(ParameterMaskBit.SenderAddressing)) entry.sender_addressing = received ? message.from : own;
    if (has(ParameterMaskBit.RecipientName)) entry.recipient_name = '';
    if (has(ParameterMaskBit.RecipientAddressing)) entry.recipient_addressing = recipients.join(';');
    if (has(ParameterMaskBit.Type)) entry.type = this.typeOf(message);
    if (has(ParameterMaskBit.Size)) entry.size = utf8Length(message.text);
    if (has(ParameterMaskBit.ReceptionStatus)) entry.reception_status = 'complete';
    if (has(ParameterMaskBit.Text)) entry.text = 'yes';
    if (has(ParameterMaskBit.AttachmentSize)) entry.attachment_size = received ? (message.attachment?.size ?? 0) : 0;
    if (has(ParameterMaskBit.Priority)) entry.priority = 'no';
    if (has(ParameterMaskBit.Read)) entry.read = message.read ? 'yes' : 'no';
    if (has(ParameterMaskBit.Sent)) entry.sent = received ? 'no' : 'yes';
    if (has(ParameterMaskBit.Protected)) entry.protected = 'no';
    if (options.format11) {
      if (has(ParameterMaskBit.DeliveryStatus)) entry.delivery_status = 'delivered';
      if (has(ParameterMaskBit.ConversationId)) entry.conversation_id = this.conversationId(message);
      if (has(ParameterMaskBit.Direction)) entry.direction = received ? 'incoming' : 'outgoing';
      const attachment = received ? message.attachment : undefined;
      if (has(ParameterMaskBit.AttachmentMime) && attachment !== undefined) entry.attachment_mime_types = attachment.mimeType;
    }
    return entry;
  }

  /** The bMessage GetMessage returns, with the status the message has now. */
  bMessage(message: PhoneMessage): BMessage {
    const own = party(this.map.ownNumber);
    const common = { type: this.typeOf(message), status: message.read ? ('READ' as const) : ('UNREAD' as const), folder: this.folderOf(message), text: message.text };
    if (message.direction === 'sent') {
      return simpleBMessage({ ...common, originator: own, recipients: message.recipients.map((n) => party(n)) });
    }
    const recipients: BMessageParty[] =
      this.map.groups === 'participants' ? [own, ...message.group.map((n) => party(n))] : [own];
    return simpleBMessage({ ...common, originator: party(message.from, message.name), recipients });
  }

  /** An event about a message, in report version 1.0 or 1.1 (which adds datetime, subject, sender_name, priority). */
  event(type: string, message: PhoneMessage, version11: boolean): MapEvent {
    const event: MapEvent = { type, handle: messageHandle(message.id), folder: this.folderOf(message).toUpperCase(), msg_type: this.typeOf(message) };
    if (version11 && type === MapEventName.NewMessage) {
      event.datetime = this.dateTime(message.date);
      event.subject = subjectOf(message.text, DEFAULT_SUBJECT_LENGTH);
      event.sender_name = message.direction === 'received' ? (message.name ?? '') : '';
      event.priority = 'no';
    }
    return event;
  }

  /** Numbers a message went to: the phone (and, when the profile lists them, the other participants), or what the PC pushed to. */
  private recipientNumbers(message: PhoneMessage): string[] {
    if (message.direction === 'sent') return [...message.recipients];
    if (this.map.groups === 'participants') return [this.map.ownNumber, ...message.group];
    return [this.map.ownNumber];
  }

  /** conversation_id: "0" (iOS), or a stable id per set of participants. */
  private conversationId(message: PhoneMessage): string {
    if (this.map.conversationIds === 'zero') return '0';
    const others = message.direction === 'sent' ? message.recipients : [message.from, ...message.group];
    const key = [...new Set(others.map(normalizeNumber))].sort().join(',');
    return fnv1a64(key);
  }
}

/** The start of the text, at most `length` characters (never splitting a surrogate pair), on one line. */
export function subjectOf(text: string, length: number): string {
  const flat = text.replace(/[\r\n]+/g, ' ');
  const chars = Array.from(flat);
  return chars.length <= length ? flat : chars.slice(0, length).join('');
}

function utf8Length(text: string): number {
  return new TextEncoder().encode(text).length;
}

/** Digits (and a leading '+') of a number, so "+1 (555) 0100" and "+15550100" meet. */
function normalizeNumber(text: string): string {
  const trimmed = text.trim();
  const digits = trimmed.replace(/[^0-9]/g, '');
  return digits.length > 0 ? (trimmed.startsWith('+') ? `+${digits}` : digits) : trimmed.toLowerCase();
}

/** 64-bit FNV-1a of the UTF-16 code units, as 16 hex digits. */
function fnv1a64(text: string): string {
  let hash = 0xcbf29ce484222325n;
  for (let i = 0; i < text.length; i++) {
    hash ^= BigInt(text.charCodeAt(i));
    hash = (hash * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return hash.toString(16).toUpperCase().padStart(16, '0');
}
