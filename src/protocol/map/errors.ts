/**
 * The MAP error family: every failure of the MAP codecs (bMessage,
 * application parameters, listings, event reports, date-times) is a
 * `MapError` with one of the stable codes below and, for byte or text
 * input, the offset where decoding stopped.
 */
import { ProtocolError } from '../errors';

/** Stable `code` strings of MapError. Never reword a published one. */
export const MapErrorCode = {
  /** The input ended inside a TLV, or before a bMessage was complete. */
  Truncated: 'map.truncated',
  /** A known application parameter with the wrong number of bytes. */
  BadSize: 'map.bad-size',
  /** A known application parameter given twice. */
  Repeated: 'map.repeated-param',
  /** Text that is not valid UTF-8 (or a listing that is not). */
  BadText: 'map.bad-text',
  /** An encoder was given a value it cannot represent. */
  BadValue: 'map.bad-value',
  /** A bMessage that is not shaped like one (missing or misplaced BEGIN/END lines, bad properties). */
  BadBMessage: 'map.bad-bmessage',
  /** A bMessage body LENGTH that is missing, not a number, or does not frame the content. */
  BadLength: 'map.bad-length',
  /** A message or folder listing that is not well-formed XML or not shaped like a listing. */
  BadListing: 'map.bad-listing',
  /** An event report that is not well-formed XML or not shaped like one. */
  BadEventReport: 'map.bad-event-report',
  /** A date-time that is not `YYYYMMDDTHHMMSS[+-HHMM]` or names no real time. */
  BadDateTime: 'map.bad-datetime',
  /** Input over a configured limit (bytes or entries). */
  TooLarge: 'map.too-large',
} as const;

export type MapErrorCodeValue = (typeof MapErrorCode)[keyof typeof MapErrorCode];

export class MapError extends ProtocolError {
  declare readonly code: MapErrorCodeValue;

  constructor(code: MapErrorCodeValue, message: string, offset?: number) {
    super(code, message, offset);
  }
}

/** True when `err` is a MapError, optionally with the given code. */
export function isMapError(err: unknown, code?: MapErrorCodeValue): err is MapError {
  return err instanceof MapError && (code === undefined || err.code === code);
}
