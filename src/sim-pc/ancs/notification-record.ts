/**
 * The PC's view of one ANCS notification, and how it is built from a
 * Notification Source event plus the attributes fetched for it: text
 * attributes decoded, MessageSize as a number, the ANCS date string parsed.
 */
import { attributeText } from '../../protocol/ancs';
import { EventFlag, NotificationAttributeId } from '../../protocol/ancs/constants';
import type { AttributeValue, NotificationSourceEvent, RequestedAttribute } from '../../protocol/ancs/types';

/** One notification as the consumer reports it (valid within one ANCS session). */
export interface AncsNotification {
  /** NotificationUID; meaningful only within the session that reported it. */
  uid: number;
  appId: string;
  /** The app's display name, or the app id when the phone gave none. */
  appName: string;
  categoryId: number;
  categoryCount: number;
  /** The EventID of the Notification Source event behind this record (Added or Modified). */
  eventId: number;
  flags: number;
  title: string;
  subtitle: string;
  message: string;
  /** MessageSize attribute as a number; undefined when absent or not a decimal. */
  messageSize: number | undefined;
  /** The Date attribute read as the phone's wall time; undefined when empty or malformed. */
  date: Date | undefined;
  /** The Date attribute exactly as sent (`yyyyMMddTHHmmss`). */
  dateRaw: string;
  preExisting: boolean;
  positiveActionLabel: string;
  negativeActionLabel: string;
}

/** The notification attributes the consumer asks for, in request order. */
export function requestedAttributes(maxLength: number): RequestedAttribute[] {
  return [
    { id: NotificationAttributeId.AppIdentifier },
    { id: NotificationAttributeId.Title, maxLength },
    { id: NotificationAttributeId.Subtitle, maxLength },
    { id: NotificationAttributeId.Message, maxLength },
    { id: NotificationAttributeId.MessageSize },
    { id: NotificationAttributeId.Date },
    { id: NotificationAttributeId.PositiveActionLabel },
    { id: NotificationAttributeId.NegativeActionLabel },
  ];
}

const DATE_PATTERN = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})$/;

/**
 * Parses an ANCS Date attribute (`yyyyMMdd'T'HHmmss`, no zone). The phone
 * sends its own wall time; by default the PC is assumed to share its time
 * zone, so the fields are read as local time (`zone: 'utc'` reads them as
 * UTC, for a phone known to run on UTC such as the simulated one). Returns
 * undefined for anything else, including impossible dates such as 20240231.
 */
export type AncsDateZone = 'local' | 'utc';

export function parseAncsDate(text: string, zone: AncsDateZone = 'local'): Date | undefined {
  const match = DATE_PATTERN.exec(text);
  if (!match) return undefined;
  const [year, month, day, hour, minute, second] = match.slice(1).map(Number) as [number, number, number, number, number, number];
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) return undefined;
  if (zone === 'utc') {
    const date = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
    // Reject dates that rolled over (31 April becomes 1 May).
    if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return undefined;
    return date;
  }
  const date = new Date(year, month - 1, day, hour, minute, second);
  if (date.getFullYear() !== year || date.getMonth() !== month - 1 || date.getDate() !== day) return undefined;
  return date;
}

/** MessageSize is a decimal string; anything else reads as undefined. */
export function parseMessageSize(text: string): number | undefined {
  return /^\d{1,9}$/.test(text) ? Number(text) : undefined;
}

/** The attributes of a reply as text, by attribute id (the first tuple wins on repeats). */
export function attributeTexts(attributes: AttributeValue[]): Map<number, string> {
  const texts = new Map<number, string>();
  for (const attribute of attributes) {
    if (!texts.has(attribute.id)) texts.set(attribute.id, attributeText(attribute.value));
  }
  return texts;
}

/** Builds the record for `event` from its fetched attributes and the app's display name. */
export function buildNotification(
  event: NotificationSourceEvent,
  texts: Map<number, string>,
  appName: string | undefined,
  dateZone: AncsDateZone = 'local',
): AncsNotification {
  const text = (id: number): string => texts.get(id) ?? '';
  const appId = text(NotificationAttributeId.AppIdentifier);
  const dateRaw = text(NotificationAttributeId.Date);
  return {
    uid: event.notificationUid,
    appId,
    appName: appName !== undefined && appName !== '' ? appName : appId,
    categoryId: event.categoryId,
    categoryCount: event.categoryCount,
    eventId: event.eventId,
    flags: event.eventFlags,
    title: text(NotificationAttributeId.Title),
    subtitle: text(NotificationAttributeId.Subtitle),
    message: text(NotificationAttributeId.Message),
    messageSize: parseMessageSize(text(NotificationAttributeId.MessageSize)),
    date: parseAncsDate(dateRaw, dateZone),
    dateRaw,
    preExisting: (event.eventFlags & EventFlag.PreExisting) !== 0,
    positiveActionLabel: text(NotificationAttributeId.PositiveActionLabel),
    negativeActionLabel: text(NotificationAttributeId.NegativeActionLabel),
  };
}

/** True when the flags offer the action. */
export function offersAction(flags: number, action: 'positive' | 'negative'): boolean {
  return (flags & (action === 'positive' ? EventFlag.PositiveAction : EventFlag.NegativeAction)) !== 0;
}
