/**
 * The OBEX error family. Every failure of an OBEX decoder, encoder, the
 * packet splitter or an OBEX session is an `ObexError` with one of the
 * stable codes below (decode failures also carry the byte offset).
 */
import { ProtocolError } from '../errors';

/** Stable `code` strings of ObexError. Never reword a published one. */
export const ObexErrorKind = {
  /** The input ended before a field, header or packet was complete. */
  Truncated: 'obex.truncated',
  /** A length field disagrees with the bytes (too small, or bytes left over). */
  BadLength: 'obex.bad-length',
  /** A header that cannot be decoded for a reason other than its length. */
  BadHeader: 'obex.bad-header',
  /** A Unicode header that is not NUL-terminated, well-formed UTF-16BE; or an app parameter that is not UTF-8. */
  BadUnicode: 'obex.bad-unicode',
  /** Fixed fields missing or out of range (Connect, SetPath). */
  BadPacket: 'obex.bad-packet',
  /** A packet longer than the limit in force. */
  TooLarge: 'obex.too-large',
  /** An encoder was given a value it cannot represent. */
  BadValue: 'obex.bad-value',
  /** An operation was started while another one was running. */
  Busy: 'obex.busy',
  /** No response (or request) arrived in time. */
  Timeout: 'obex.timeout',
  /** The session is closed. */
  Closed: 'obex.closed',
  /** The operation was cancelled by abort(). */
  Aborted: 'obex.aborted',
  /** The peer answered with a response code that ends the operation unsuccessfully. */
  Rejected: 'obex.rejected',
  /** The peer's answer does not fit the operation (e.g. Continue to a final PUT). */
  UnexpectedResponse: 'obex.unexpected-response',
  /** A bounded queue overflowed. */
  QueueFull: 'obex.queue-full',
} as const;

export type ObexErrorKindCode = (typeof ObexErrorKind)[keyof typeof ObexErrorKind];

export class ObexError extends ProtocolError {
  declare readonly code: ObexErrorKindCode;

  constructor(code: ObexErrorKindCode, message: string, offset?: number) {
    super(code, message, offset);
  }
}

/** True when `err` is an ObexError, optionally with the given code. */
export function isObexError(err: unknown, code?: ObexErrorKindCode): err is ObexError {
  return err instanceof ObexError && (code === undefined || err.code === code);
}
