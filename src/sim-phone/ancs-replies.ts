/**
 * What the phone's ANCS answers contain: EventFlags for a notification, the
 * attribute values of a GetNotificationAttributes reply (UTF-8 truncation at
 * MaxLen, MessageSize, the ANCS date format, action labels) and the
 * GetAppAttributes reply. Pure functions over the model's data; the
 * provider does the sending.
 */
import { AppAttributeId, EventFlag, NotificationAttributeId } from '../protocol/ancs/constants';
import type { AppAttributesReply, AttributeValue, NotificationAttributesReply, RequestedAttribute } from '../protocol/ancs/types';
import { PhoneNotification } from './notification-store';
import { AncsAction, AncsProfile } from './profile';

/** The most bytes one attribute tuple can carry (2-byte length). */
const MAX_VALUE_BYTES = 0xffff;
const utf8 = new TextEncoder();
const EMPTY = new Uint8Array(0);

/** True when the phone offers `action` on this notification: the profile allows it and the label exists. */
export function offersAction(ancs: AncsProfile, n: PhoneNotification, action: AncsAction): boolean {
  if (!ancs.actions.includes(action)) return false;
  return (action === 'positive' ? n.positiveActionLabel : n.negativeActionLabel) !== undefined;
}

/** EventFlags for a notification; `preExisting` on replays after a subscription or a grant. */
export function eventFlagsFor(ancs: AncsProfile, n: PhoneNotification, preExisting: boolean): number {
  let flags = 0;
  if (n.silent) flags |= EventFlag.Silent;
  if (n.important) flags |= EventFlag.Important;
  if (preExisting) flags |= EventFlag.PreExisting;
  if (offersAction(ancs, n, 'positive')) flags |= EventFlag.PositiveAction;
  if (offersAction(ancs, n, 'negative')) flags |= EventFlag.NegativeAction;
  return flags;
}

/**
 * UTF-8 bytes of `text`, cut to at most `maxBytes` without splitting a
 * character: the cut backs up over continuation bytes (10xxxxxx) to the
 * start of the character that would not fit.
 */
export function truncateUtf8(text: string, maxBytes: number): Uint8Array {
  const bytes = utf8.encode(text);
  if (bytes.length <= maxBytes) return bytes;
  let end = Math.max(0, Math.floor(maxBytes));
  while (end > 0 && ((bytes[end] ?? 0) & 0xc0) === 0x80) end--;
  return bytes.slice(0, end);
}

/**
 * ANCS Date attribute: UTS #35 pattern yyyyMMdd'T'HHmmss. A phone uses its
 * local time zone; the simulator formats in UTC so that runs are the same on
 * every machine.
 */
export function formatAncsDate(date: Date): string {
  const two = (n: number): string => String(n).padStart(2, '0');
  return (
    String(date.getUTCFullYear()).padStart(4, '0') +
    two(date.getUTCMonth() + 1) +
    two(date.getUTCDate()) +
    'T' +
    two(date.getUTCHours()) +
    two(date.getUTCMinutes()) +
    two(date.getUTCSeconds())
  );
}

/** The value of one requested attribute; anything missing or unknown is empty. */
export function notificationAttributeValue(ancs: AncsProfile, n: PhoneNotification, attr: RequestedAttribute): Uint8Array {
  const limit = Math.min(attr.maxLength ?? MAX_VALUE_BYTES, MAX_VALUE_BYTES);
  switch (attr.id) {
    case NotificationAttributeId.AppIdentifier:
      return truncateUtf8(n.appId, MAX_VALUE_BYTES);
    case NotificationAttributeId.Title:
      return truncateUtf8(n.title, limit);
    case NotificationAttributeId.Subtitle:
      return truncateUtf8(n.subtitle, limit);
    case NotificationAttributeId.Message:
      return truncateUtf8(n.message, limit);
    case NotificationAttributeId.MessageSize:
      // Byte length of the whole message, whatever MaxLen a Message request carried.
      return utf8.encode(String(utf8.encode(n.message).length));
    case NotificationAttributeId.Date:
      return utf8.encode(formatAncsDate(n.date));
    case NotificationAttributeId.PositiveActionLabel:
      return offersAction(ancs, n, 'positive') ? truncateUtf8(n.positiveActionLabel ?? '', MAX_VALUE_BYTES) : EMPTY;
    case NotificationAttributeId.NegativeActionLabel:
      return offersAction(ancs, n, 'negative') ? truncateUtf8(n.negativeActionLabel ?? '', MAX_VALUE_BYTES) : EMPTY;
    default:
      return EMPTY;
  }
}

/** The reply to GetNotificationAttributes: one tuple per requested attribute, in request order. */
export function notificationAttributesReply(
  ancs: AncsProfile,
  uid: number,
  n: PhoneNotification,
  requested: readonly RequestedAttribute[],
): NotificationAttributesReply {
  const attributes: AttributeValue[] = requested.map((attr) => ({ id: attr.id, value: notificationAttributeValue(ancs, n, attr) }));
  return { commandId: 0, notificationUid: uid, attributes };
}

/**
 * The reply to GetAppAttributes, or undefined when the profile says to
 * refuse the request (unknown app, `unknownAppReply: invalidParameter`).
 */
export function appAttributesReply(
  ancs: AncsProfile,
  appIdentifier: string,
  displayName: string | undefined,
  requested: readonly number[],
): AppAttributesReply | undefined {
  if (displayName === undefined) {
    if (ancs.unknownAppReply === 'invalidParameter') return undefined;
    if (ancs.unknownAppReply === 'empty') return { commandId: 1, appIdentifier, attributes: [] };
  }
  const attributes: AttributeValue[] = requested.map((id) => ({
    id,
    value: id === AppAttributeId.DisplayName && displayName !== undefined ? truncateUtf8(displayName, MAX_VALUE_BYTES) : EMPTY,
  }));
  return { commandId: 1, appIdentifier, attributes };
}
