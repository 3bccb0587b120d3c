/**
 * The keys the Inbox files by: a phone handle compared without case or
 * leading zeros, a thread id from a normalised number (E.164 when it can be
 * worked out, else the digits, else the address as text), and a MAP
 * date-time read as epoch milliseconds in the zone the phone writes.
 */
import { mapDateTimeToEpochMs, parseMapDateTime } from '../../protocol/map/datetime';
import type { MapDateTime } from '../../protocol/map/types';
import type { NumberKey } from '../services/phone-numbers';
import type { InboxDateZone } from './inbox-types';

/**
 * A MAP date-time as epoch ms: its own offset when it has one, otherwise
 * local time (the PC's zone) or UTC as told; undefined when unreadable.
 */
export function parseInboxTime(text: string, zone: InboxDateZone): number | undefined {
  let dt: MapDateTime;
  try {
    dt = parseMapDateTime(text.trim());
  } catch {
    return undefined;
  }
  if (dt.offsetMinutes !== undefined || zone === 'utc') return mapDateTimeToEpochMs(dt);
  const local = new Date(dt.year, dt.month - 1, dt.day, dt.hour, dt.minute, dt.second);
  if (dt.year < 100) local.setFullYear(dt.year);
  return local.getTime();
}

/** Handles compared without case or leading zeros. */
export function handleKey(handle: string): string {
  const lower = handle.trim().toLowerCase().replace(/^0+/, '');
  return lower === '' ? '0' : lower;
}

/** The id of the thread of a number: `tel:+E164`, `tel:<digits>`, or `addr:<text>` for a sender with no digits. */
export function threadId(number: string, key: NumberKey): string {
  if (key.e164 !== undefined) return `tel:${key.e164}`;
  if (key.digits.length > 0) return `tel:${key.digits}`;
  const text = number.trim().toLowerCase();
  return text === '' ? 'addr:unknown' : `addr:${text}`;
}
