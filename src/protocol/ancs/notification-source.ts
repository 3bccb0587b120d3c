/**
 * Notification Source codec: the fixed 8-byte event the phone notifies when a
 * notification is added, modified or removed
 * (EventID, EventFlags, CategoryID, CategoryCount, NotificationUID LE).
 */
import { AncsError, AncsErrorKind } from './errors';
import type { NotificationSourceEvent } from './types';
import { checkByte, checkUint32, readUint32LE, writeUint32LE } from './wire';

/** Size of every Notification Source payload. */
export const NOTIFICATION_SOURCE_LENGTH = 8;

/** Offset of the NotificationUID, the only multi-byte field. */
const UID_OFFSET = 4;

/** Encodes an event; throws RangeError when a field is outside its wire range. */
export function encodeNotificationSource(ev: NotificationSourceEvent): Uint8Array {
  checkByte('eventId', ev.eventId);
  checkByte('eventFlags', ev.eventFlags);
  checkByte('categoryId', ev.categoryId);
  checkByte('categoryCount', ev.categoryCount);
  checkUint32('notificationUid', ev.notificationUid);
  const out = new Uint8Array(NOTIFICATION_SOURCE_LENGTH);
  out[0] = ev.eventId;
  out[1] = ev.eventFlags;
  out[2] = ev.categoryId;
  out[3] = ev.categoryCount;
  writeUint32LE(out, UID_OFFSET, ev.notificationUid);
  return out;
}

/**
 * Decodes exactly one 8-byte event. Fewer bytes: `ancs.truncated` at the
 * first incomplete field; more: `ancs.too-long` at byte 8. Unknown IDs,
 * categories and reserved flag bits pass through as numbers.
 */
export function decodeNotificationSource(bytes: Uint8Array): NotificationSourceEvent {
  if (bytes.length < NOTIFICATION_SOURCE_LENGTH) {
    throw new AncsError(
      AncsErrorKind.Truncated,
      `Notification Source payload has ${bytes.length} bytes, needs ${NOTIFICATION_SOURCE_LENGTH}`,
      Math.min(bytes.length, UID_OFFSET),
    );
  }
  if (bytes.length > NOTIFICATION_SOURCE_LENGTH) {
    throw new AncsError(
      AncsErrorKind.TooLong,
      `Notification Source payload has ${bytes.length} bytes, expected ${NOTIFICATION_SOURCE_LENGTH}`,
      NOTIFICATION_SOURCE_LENGTH,
    );
  }
  return {
    eventId: bytes[0],
    eventFlags: bytes[1],
    categoryId: bytes[2],
    categoryCount: bytes[3],
    notificationUid: readUint32LE(bytes, UID_OFFSET),
  };
}
