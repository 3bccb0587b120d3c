/**
 * What happens to a message the user writes on the PC before it reaches
 * the phone: the checks that refuse, with a sentence for the user, what
 * the phone cannot deliver (pictures, group messages, empty, oversized or
 * broken text), the resolution of a recipient given by contact name (one contact
 * and one mobile number, or a typed error), and the bMessage PushMessage
 * sends (SMS_GSM, READ, telecom/msg/outbox, one recipient, UTF-8).
 */
import { party, simpleBMessage } from '../../protocol/map/bmessage';
import { messageFolderPath, MapFolder } from '../../protocol/map/constants';
import type { BMessage } from '../../protocol/map/types';
import type { Contact } from '../services/contact-index';
import { foldText } from '../services/contact-index';
import { AmbiguousRecipientError, SendRefusedError, UnknownRecipientError } from './errors';

/** A recipient: a number, or a contact's name (resolved through Contacts). A plain string that reads as a number is one. */
export type Recipient = string | { number: string } | { name: string };

/** A picture or other file the user tried to attach. */
export interface OutgoingAttachment {
  mimeType: string;
  name?: string;
  bytes?: Uint8Array;
}

export interface SendOptions {
  attachments?: readonly OutgoingAttachment[];
}

/** What outgoing checks need to know about the phone. */
export interface OutgoingLimits {
  /** The phone's MAS lists MMS among its message types. */
  mms: boolean;
  /** Largest text in UTF-8 bytes. */
  maxTextBytes: number;
}

export const PICTURES_TO_IPHONE_REASON = 'pictures cannot be sent from the PC to an iPhone';
export const PICTURES_NOT_SUPPORTED_REASON = 'pictures cannot be sent from the PC: only text messages are supported';
export const GROUP_MESSAGES_REASON = 'group messages are not supported';

/** The folder PushMessage sends into. */
export const OUTBOX_FOLDER = messageFolderPath(MapFolder.Outbox);

/** Refuses, before anything is sent, what the phone (or Phone Link) cannot deliver. Throws SendRefusedError. */
export function checkOutgoing(recipients: readonly Recipient[], text: string, options: SendOptions, limits: OutgoingLimits): void {
  if ((options.attachments?.length ?? 0) > 0) {
    throw new SendRefusedError('picture', limits.mms ? PICTURES_NOT_SUPPORTED_REASON : PICTURES_TO_IPHONE_REASON);
  }
  if (recipients.length === 0) throw new SendRefusedError('no-recipient', 'the message has no recipient');
  if (recipients.length > 1) throw new SendRefusedError('group', GROUP_MESSAGES_REASON);
  if (text.trim() === '') throw new SendRefusedError('empty', 'the message has no text');
  if (/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(text)) {
    throw new SendRefusedError('bad-text', 'the text holds a broken character (a lone UTF-16 surrogate)');
  }
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > limits.maxTextBytes) {
    throw new SendRefusedError('too-long', `the text is ${bytes} bytes; at most ${limits.maxTextBytes} can be sent`);
  }
}

/** Where a contact search comes from (the Contacts service). */
export interface ContactSearch {
  searchByName(query: string, options?: { limit?: number }): Contact[];
}

/** A resolved recipient: the number to send to, and the contact's name when it came from one. */
export interface ResolvedRecipient {
  number: string;
  name: string | undefined;
}

/** True when `text` reads as a phone number (digits with the usual punctuation). */
export function looksLikeNumber(text: string): boolean {
  const trimmed = text.trim();
  return /\d/.test(trimmed) && /^[+\d\s().\-#*]+$/.test(trimmed);
}

/**
 * The number for a recipient. A name goes through the contacts: contacts
 * whose whole name equals it win over those that merely contain it; one
 * contact must remain, and of its numbers one mobile (or its only one).
 * Throws UnknownRecipientError or AmbiguousRecipientError.
 */
export function resolveRecipient(recipient: Recipient, contacts: ContactSearch | undefined): ResolvedRecipient {
  if (typeof recipient !== 'string' && 'number' in recipient) return { number: checkNumber(recipient.number), name: undefined };
  const query = typeof recipient === 'string' ? recipient : recipient.name;
  if (typeof recipient === 'string' && looksLikeNumber(recipient)) return { number: recipient.trim(), name: undefined };
  if (contacts === undefined || foldText(query) === '') throw new UnknownRecipientError(query);
  const found = contacts.searchByName(query, { limit: 20 }).filter((c) => c.numbers.length > 0);
  const folded = foldText(query);
  const exact = found.filter((c) => foldText(c.name) === folded);
  const pool = exact.length > 0 ? exact : found;
  const contact = pool[0];
  if (contact === undefined) throw new UnknownRecipientError(query);
  if (pool.length > 1) {
    throw new AmbiguousRecipientError(
      query,
      pool.map((c) => `${c.name} (${c.numbers[0]?.number ?? ''})`),
    );
  }
  const mobiles = contact.numbers.filter((n) => n.types.some((t) => t === 'CELL' || t === 'IPHONE' || t === 'MOBILE'));
  const choice = contact.numbers.length === 1 ? contact.numbers : mobiles;
  const number = choice[0];
  if (number === undefined || choice.length > 1) {
    throw new AmbiguousRecipientError(
      query,
      contact.numbers.map((n) => `${contact.name} (${n.number}${n.types.length > 0 ? ` ${n.types.join(',').toLowerCase()}` : ''})`),
    );
  }
  return { number: number.number, name: contact.name };
}

/** The bMessage PushMessage sends for a text to one number. */
export function outgoingBMessage(to: ResolvedRecipient, text: string): BMessage {
  return simpleBMessage({
    type: 'SMS_GSM',
    status: 'READ',
    folder: OUTBOX_FOLDER,
    recipients: [party(to.number, to.name)],
    text,
    charset: 'UTF-8',
  });
}

function checkNumber(number: string): string {
  const trimmed = number.trim();
  if (!looksLikeNumber(trimmed)) throw new UnknownRecipientError(number);
  return trimmed;
}
