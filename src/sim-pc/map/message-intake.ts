/**
 * Turns what the phone gave for one message (its bMessage, and the
 * messages-listing entry or the event report when there is one) into what
 * the Inbox files: sender, text, time text, read state, type, and whether
 * the PC can show it honestly as part of a one-to-one thread. It cannot
 * when the message belongs to a group conversation (several recipients
 * besides us, several senders, or a listing that names several
 * recipients) or when it is an MMS the phone exposes only in part (an
 * attachment that was not delivered, a reception that is not complete, or
 * no listing to tell); those become "open on your phone" entries.
 * Pure: no I/O, no clock.
 */
import { bMessageBody, bMessageRecipients } from '../../protocol/map/bmessage';
import type { BMessage, BMessageParty, MapEvent, MessageListingEntry } from '../../protocol/map/types';
import type { IncomingMessage, OpenOnPhoneReason } from './inbox-types';

export interface IntakeInput {
  handle: string;
  message: BMessage;
  /** The inbox listing's entry for the handle, when the message was found by listing. */
  listing?: MessageListingEntry;
  /** The event that announced it, when it came by notification. */
  event?: MapEvent;
  /** True for a number that is the phone's own (the owner's card); used to tell groups from one-to-one messages. */
  isOwnNumber?: (number: string) => boolean;
}

export const GROUP_REASON: OpenOnPhoneReason = 'group conversation';
export const PICTURE_REASON: OpenOnPhoneReason = 'picture message';

/** What the Inbox files for one fetched message. */
export function intakeMessage(input: IntakeInput): IncomingMessage {
  const { message, listing, event } = input;
  const sender = senderOf(message, listing);
  const type = (listing?.type ?? message.type ?? event?.msg_type ?? '').toUpperCase();
  const listedRead = listing?.read?.toLowerCase();
  const read = listedRead === 'yes' ? true : listedRead === 'no' ? false : message.status === 'READ';
  const incoming: IncomingMessage = {
    handle: input.handle,
    from: sender.address,
    text: bMessageBody(message).text,
    read,
    type,
  };
  const name = sender.name ?? nonEmpty(listing?.sender_name) ?? nonEmpty(event?.sender_name);
  if (name !== undefined) incoming.fromName = name;
  const datetime = nonEmpty(listing?.datetime) ?? nonEmpty(event?.datetime);
  if (datetime !== undefined) incoming.datetime = datetime;
  const others = groupMembers(message, listing, sender.address, input.isOwnNumber);
  if (others.length > 0) {
    incoming.openOnPhone = GROUP_REASON;
    incoming.participants = others;
  } else if (isPartialMms(type, listing)) {
    incoming.openOnPhone = PICTURE_REASON;
  }
  return incoming;
}

/**
 * The other members of a group conversation this message belongs to, or
 * [] for a one-to-one message: recipients besides us and the sender (when
 * our number is known, any; when not, two or more), further senders, or a
 * listing whose recipient addressing names several addresses.
 */
export function groupMembers(message: BMessage, listing: MessageListingEntry | undefined, sender: string, isOwnNumber?: (n: string) => boolean): string[] {
  const seen = new Set<string>([comparable(sender)]);
  const found: string[] = [];
  const add = (address: string): void => {
    const key = comparable(address);
    if (key === '' || seen.has(key)) return;
    seen.add(key);
    found.push(address.trim());
  };
  for (const originator of message.originators.slice(1)) add(addressOf(originator) ?? '');
  const recipients = [
    ...bMessageRecipients(message).map((p) => addressOf(p) ?? ''),
    ...splitAddresses(listing?.recipient_addressing),
  ].filter((a) => comparable(a) !== '' && comparable(a) !== comparable(sender));
  const distinct = [...new Map(recipients.map((a) => [comparable(a), a])).values()];
  if (isOwnNumber !== undefined) {
    for (const address of distinct) if (!isOwnNumber(address)) add(address);
  } else if (distinct.length >= 2) {
    for (const address of distinct) add(address);
  }
  return found;
}

/** An MMS the PC cannot show whole: attachments not delivered, reception not complete, or nothing to tell. */
export function isPartialMms(type: string, listing: MessageListingEntry | undefined): boolean {
  if (type !== 'MMS') return false;
  if (listing === undefined) return true;
  if ((listing.attachment_size ?? 0) > 0) return true;
  const reception = listing.reception_status?.toLowerCase();
  return reception !== undefined && reception !== 'complete';
}

/** The sender: the first originator's number (or e-mail), else the listing's sender addressing. */
function senderOf(message: BMessage, listing: MessageListingEntry | undefined): { address: string; name: string | undefined } {
  const originator = message.originators[0];
  const fromCard = originator === undefined ? undefined : addressOf(originator);
  const address = fromCard ?? splitAddresses(listing?.sender_addressing)[0] ?? '';
  return { address, name: originator === undefined ? undefined : nameOf(originator) };
}

function addressOf(party: BMessageParty): string | undefined {
  return nonEmpty(party.phones.find((p) => p.trim() !== '')) ?? nonEmpty(party.emails.find((e) => e.trim() !== ''));
}

/** FN, else the N parts in reading order (given before family). */
function nameOf(party: BMessageParty): string | undefined {
  const formatted = nonEmpty(party.formattedName);
  if (formatted !== undefined) return formatted;
  if (party.name === undefined) return undefined;
  const [family = '', given = '', additional = '', prefix = '', suffix = ''] = party.name.split(';');
  return nonEmpty([prefix, given, additional, family, suffix].map((p) => p.trim()).filter((p) => p !== '').join(' '));
}

/** Addresses in a listing attribute, which MSEs separate with `;` or `,`. */
function splitAddresses(text: string | undefined): string[] {
  if (text === undefined) return [];
  return text
    .split(/[;,]/)
    .map((a) => a.trim())
    .filter((a) => a !== '');
}

/** A rough equality key for addresses within one message: digits (and a leading +) for numbers, lower case otherwise. */
function comparable(address: string): string {
  const trimmed = address.trim();
  if (/\d/.test(trimmed) && /^[+\d\s().\-/]+$/.test(trimmed)) {
    const digits = trimmed.replace(/\D/g, '');
    // National and international forms of one number share their last digits.
    return digits.length > 8 ? digits.slice(-9) : digits;
  }
  return trimmed.toLowerCase();
}

function nonEmpty(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const trimmed = text.trim();
  return trimmed === '' ? undefined : trimmed;
}
