/**
 * The ANCS error family: every failure of an ANCS decoder or of the Data
 * Source reassembler is an `AncsError` with one of the stable codes below,
 * and a Control Point decode failure maps to the ATT error a Notification
 * Provider answers the write with (0xA0 unknown command, 0xA1 invalid command).
 */
import { ProtocolError } from '../errors';
import { AncsErrorCode } from './constants';

/** Stable `code` strings of AncsError. Never reword a published one. */
export const AncsErrorKind = {
  /** The input ended before a fixed-size field was complete. */
  Truncated: 'ancs.truncated',
  /** Bytes left over after a message that has a fixed or known end. */
  TooLong: 'ancs.too-long',
  /** A Control Point write whose CommandID is not one ANCS defines (ATT 0xA0). */
  UnknownCommand: 'ancs.unknown-command',
  /** A Control Point write that is badly formed in some other way (ATT 0xA1). */
  InvalidCommand: 'ancs.invalid-command',
  /** An AppIdentifier with no terminating NUL before the end of the input. */
  MissingNul: 'ancs.missing-nul',
  /** An AppIdentifier that is not well-formed UTF-8. */
  BadUtf8: 'ancs.bad-utf8',
  /** Data Source bytes arrived while no reply was expected. */
  UnexpectedData: 'ancs.unexpected-data',
  /** A reply whose CommandID, NotificationUID or AppIdentifier differs from the request. */
  ReplyMismatch: 'ancs.reply-mismatch',
  /** A reply that grew past the reassembler's byte limit. */
  ReplyTooLarge: 'ancs.reply-too-large',
  /** More replies expected at once than the reassembler will queue. */
  TooManyPending: 'ancs.too-many-pending',
} as const;

export type AncsErrorKindCode = (typeof AncsErrorKind)[keyof typeof AncsErrorKind];

export class AncsError extends ProtocolError {
  declare readonly code: AncsErrorKindCode;

  constructor(code: AncsErrorKindCode, message: string, offset?: number) {
    super(code, message, offset);
  }

  /**
   * The ATT error code a Notification Provider answers a Control Point write
   * with when decoding that write failed with this error: 0xA0 for an unknown
   * command, 0xA1 for every other malformation.
   */
  get attErrorCode(): number {
    return ancsErrorToAtt(this);
  }
}

/**
 * The ATT error code for a failed Control Point decode: 0xA0 (Unknown
 * command) for `ancs.unknown-command`, 0xA1 (Invalid command) otherwise.
 */
export function ancsErrorToAtt(err: ProtocolError): number {
  return err.code === AncsErrorKind.UnknownCommand ? AncsErrorCode.UnknownCommand : AncsErrorCode.InvalidCommand;
}

/** True when `err` is an AncsError, optionally with the given code. */
export function isAncsError(err: unknown, code?: AncsErrorKindCode): err is AncsError {
  return err instanceof AncsError && (code === undefined || err.code === code);
}
