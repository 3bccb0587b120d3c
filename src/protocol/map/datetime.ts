/**
 * MAP date-times, `YYYYMMDDTHHMMSS` with an optional UTC offset `+HHMM` or
 * `-HHMM` (listings, event reports, FilterPeriod and MSETime): parse with
 * range checks, format, and convert to and from epoch milliseconds. Pure:
 * "local time" (no zone in the text) is resolved with an offset the caller
 * gives, never with the host's time zone.
 */
import type { MapDateTime } from './types';
import { MapError, MapErrorCode } from './errors';

const PATTERN = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(?:([+-])(\d{2})(\d{2}))?$/;

/** Largest offset a zone may have: 14 hours 59 minutes either way. */
const MAX_OFFSET_HOURS = 14;
const MAX_OFFSET_MINUTES = MAX_OFFSET_HOURS * 60 + 59;

/** Days in `month` (1-12) of `year` (proleptic Gregorian). */
export function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/** Parses `YYYYMMDDTHHMMSS[+-HHMM]`. Throws MapError map.bad-datetime with the character offset. */
export function parseMapDateTime(text: string): MapDateTime {
  const match = PATTERN.exec(text);
  if (match === null) {
    throw new MapError(MapErrorCode.BadDateTime, `${JSON.stringify(text.slice(0, 40))} is not YYYYMMDDTHHMMSS[+-HHMM]`, firstBadChar(text));
  }
  const field = (i: number): number => Number(match[i]);
  const dt: MapDateTime = {
    year: field(1),
    month: field(2),
    day: field(3),
    hour: field(4),
    minute: field(5),
    second: field(6),
  };
  if (match[7] !== undefined) {
    const hours = field(8);
    const minutes = field(9);
    if (hours > MAX_OFFSET_HOURS) throw new MapError(MapErrorCode.BadDateTime, `offset hours ${hours} over ${MAX_OFFSET_HOURS}`, 16);
    if (minutes > 59) throw new MapError(MapErrorCode.BadDateTime, `offset minutes ${minutes} over 59`, 18);
    const magnitude = hours * 60 + minutes;
    // "-0000" is UTC too; keep it +0 so values compare equal.
    dt.offsetMinutes = match[7] === '-' && magnitude !== 0 ? -magnitude : magnitude;
  }
  checkFields(dt, MapErrorCode.BadDateTime);
  return dt;
}

/** Formats a date-time; the offset is written when `offsetMinutes` is set. Throws MapError map.bad-value for out-of-range fields. */
export function formatMapDateTime(dt: MapDateTime): string {
  checkFields(dt, MapErrorCode.BadValue);
  const base =
    pad(dt.year, 4) + pad(dt.month, 2) + pad(dt.day, 2) + 'T' + pad(dt.hour, 2) + pad(dt.minute, 2) + pad(dt.second, 2);
  if (dt.offsetMinutes === undefined) return base;
  const sign = dt.offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(dt.offsetMinutes);
  return `${base}${sign}${pad(Math.floor(abs / 60), 2)}${pad(abs % 60, 2)}`;
}

/**
 * Milliseconds since the epoch. The date-time's own offset wins; a
 * date-time without one is local time at `localOffsetMinutes` east of UTC.
 */
export function mapDateTimeToEpochMs(dt: MapDateTime, localOffsetMinutes = 0): number {
  checkFields(dt, MapErrorCode.BadValue);
  const offset = dt.offsetMinutes ?? localOffsetMinutes;
  return utcMs(dt) - offset * 60_000;
}

/**
 * The calendar fields of `date` as seen at `offsetMinutes` east of UTC, with
 * that offset recorded. Without an offset: the UTC calendar fields and no
 * zone, i.e. the local time of a phone whose zone is UTC. Milliseconds are
 * dropped. Throws MapError map.bad-value for an invalid date, an offset out
 * of range, or a year outside 0-9999.
 */
export function mapDateTimeFromDate(date: Date, offsetMinutes?: number): MapDateTime {
  const ms = date.getTime();
  if (!Number.isFinite(ms)) throw new MapError(MapErrorCode.BadValue, 'invalid Date');
  if (offsetMinutes !== undefined) checkOffset(offsetMinutes, MapErrorCode.BadValue);
  const shifted = new Date(ms + (offsetMinutes ?? 0) * 60_000);
  const dt: MapDateTime = {
    year: shifted.getUTCFullYear(),
    month: shifted.getUTCMonth() + 1,
    day: shifted.getUTCDate(),
    hour: shifted.getUTCHours(),
    minute: shifted.getUTCMinutes(),
    second: shifted.getUTCSeconds(),
  };
  if (offsetMinutes !== undefined) dt.offsetMinutes = offsetMinutes;
  checkFields(dt, MapErrorCode.BadValue);
  return dt;
}

/** UTC milliseconds of the calendar fields as if they were UTC (years 0-99 kept as written). */
function utcMs(dt: MapDateTime): number {
  const d = new Date(0);
  d.setUTCFullYear(dt.year, dt.month - 1, dt.day);
  d.setUTCHours(dt.hour, dt.minute, dt.second, 0);
  return d.getTime();
}

type FieldErrorCode = typeof MapErrorCode.BadDateTime | typeof MapErrorCode.BadValue;

/** Checks every field; the offset reported is where the field sits in the text form. */
function checkFields(dt: MapDateTime, code: FieldErrorCode): void {
  const check = (value: number, min: number, max: number, name: string, at: number): void => {
    if (!Number.isInteger(value) || value < min || value > max) {
      throw new MapError(code, `${name} ${value} is outside ${min}..${max}`, at);
    }
  };
  check(dt.year, 0, 9999, 'year', 0);
  check(dt.month, 1, 12, 'month', 4);
  check(dt.day, 1, daysInMonth(dt.year, dt.month), 'day', 6);
  check(dt.hour, 0, 23, 'hour', 9);
  check(dt.minute, 0, 59, 'minute', 11);
  check(dt.second, 0, 59, 'second', 13);
  if (dt.offsetMinutes !== undefined) checkOffset(dt.offsetMinutes, code);
}

function checkOffset(offsetMinutes: number, code: FieldErrorCode): void {
  if (!Number.isInteger(offsetMinutes) || Math.abs(offsetMinutes) > MAX_OFFSET_MINUTES) {
    throw new MapError(code, `UTC offset ${offsetMinutes} min is outside ±${MAX_OFFSET_HOURS}:59`, 15);
  }
}

/** Index of the first character that breaks the pattern (best effort, for the error offset). */
function firstBadChar(text: string): number {
  const shape = 'ddddddddTdddddd';
  for (let i = 0; i < shape.length; i++) {
    const c = text[i];
    if (c === undefined) return i;
    if (shape[i] === 'd' ? !(c >= '0' && c <= '9') : c !== 'T') return i;
  }
  if (text.length === shape.length) return text.length;
  if (text[15] !== '+' && text[15] !== '-') return 15;
  for (let i = 16; i < 20; i++) {
    const c = text[i];
    if (c === undefined || !(c >= '0' && c <= '9')) return i;
  }
  return 20;
}

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}
