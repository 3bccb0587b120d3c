/**
 * The PBAP error family: every failure of the PBAP application-parameter
 * and vCard-listing codecs is a `PbapError` with one of the stable codes
 * below and, for byte input, the offset where decoding stopped.
 */
import { ProtocolError } from '../errors';

/** Stable `code` strings of PbapError. Never reword a published one. */
export const PbapErrorCode = {
  /** The TLV list ended inside a tag, length or value. */
  Truncated: 'pbap.truncated',
  /** A known application parameter with the wrong number of bytes. */
  BadSize: 'pbap.bad-size',
  /** A known application parameter given twice. */
  Repeated: 'pbap.repeated-param',
  /** Text (SearchValue, a listing) that is not valid UTF-8. */
  BadText: 'pbap.bad-text',
  /** An encoder was given a value it cannot represent. */
  BadValue: 'pbap.bad-value',
  /** A vCard listing that is not well-formed XML or not shaped like a listing. */
  BadListing: 'pbap.bad-listing',
  /** Input over a configured limit (listing bytes or cards). */
  TooLarge: 'pbap.too-large',
} as const;

export type PbapErrorCodeValue = (typeof PbapErrorCode)[keyof typeof PbapErrorCode];

export class PbapError extends ProtocolError {
  declare readonly code: PbapErrorCodeValue;

  constructor(code: PbapErrorCodeValue, message: string, offset?: number) {
    super(code, message, offset);
  }
}

/** True when `err` is a PbapError, optionally with the given code. */
export function isPbapError(err: unknown, code?: PbapErrorCodeValue): err is PbapError {
  return err instanceof PbapError && (code === undefined || err.code === code);
}
