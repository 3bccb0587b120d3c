/**
 * Errors OBEX sessions reject operations with: a refusal by the peer (with
 * its response code and headers), a busy or closed session, a timeout, an
 * abort, an answer that does not fit the operation, a full queue. All are
 * ObexError, so one `isObexError` check covers codec and session failures.
 */
import { responseCodeName } from './constants';
import { ObexError, ObexErrorKind } from './errors';
import type { ObexHeader } from './headers';

/** The peer ended the operation with a response code outside the Success class. */
export class ObexResponseError extends ObexError {
  constructor(
    /** The response code, final bit included (e.g. 0xC3 Forbidden). */
    readonly responseCode: number,
    /** The response's headers (e.g. a Description). */
    readonly headers: readonly ObexHeader[],
    what: string,
  ) {
    super(ObexErrorKind.Rejected, `${what} refused: ${responseCodeName(responseCode)}`);
  }
}

export function busyError(what: string, running: string): ObexError {
  return new ObexError(ObexErrorKind.Busy, `cannot start ${what}: ${running} is still running`);
}

export function closedError(reason?: string): ObexError {
  return new ObexError(ObexErrorKind.Closed, reason === undefined ? 'OBEX session is closed' : `OBEX session is closed: ${reason}`);
}

export function timeoutError(what: string, ms: number): ObexError {
  return new ObexError(ObexErrorKind.Timeout, `${what}: no answer within ${ms} ms`);
}

export function abortedError(what: string): ObexError {
  return new ObexError(ObexErrorKind.Aborted, `${what} was aborted`);
}

export function unexpectedResponse(what: string, code: number): ObexError {
  return new ObexError(ObexErrorKind.UnexpectedResponse, `${what}: unexpected ${responseCodeName(code)}`);
}

export function queueFullError(what: string, limit: number): ObexError {
  return new ObexError(ObexErrorKind.QueueFull, `${what} queue is full (${limit} packets)`);
}
