/**
 * Errors of the capture layer: `CaptureFormatError` for a btsnoop file (or
 * an HCI packet inside one) that cannot be read, with a stable code and the
 * byte offset, and `CaptureError` for a recorder or writer that refuses more
 * (closed, or its bounded buffer or file limit reached).
 */
import { ProtocolError } from '../../protocol/errors';
import { LinkError } from '../errors';

/** Stable `code` strings of CaptureFormatError. Never reword a published one. */
export const CaptureFormatErrorKind = {
  /** The file does not start with "btsnoop\0". */
  BadMagic: 'btsnoop.bad-magic',
  /** A version other than 1. */
  BadVersion: 'btsnoop.bad-version',
  /** The input ended inside the file header or a record. */
  Truncated: 'btsnoop.truncated',
  /** A record's lengths disagree (included > original) or exceed the limit. */
  BadLength: 'btsnoop.bad-length',
  /** More records than the reader's limit. */
  TooManyRecords: 'btsnoop.too-many-records',
} as const;

export type CaptureFormatErrorCode = (typeof CaptureFormatErrorKind)[keyof typeof CaptureFormatErrorKind];

export class CaptureFormatError extends ProtocolError {
  constructor(code: CaptureFormatErrorCode, message: string, offset?: number) {
    super(code, message, offset);
  }
}

/** Stable `code` strings of CaptureError. */
export const CaptureErrorKind = {
  /** The writer or recorder was closed. */
  Closed: 'capture.closed',
  /** The file reached its size limit; later records are counted as dropped. */
  FileFull: 'capture.file-full',
  /** A record larger than btsnoop or the writer allows. */
  RecordTooLarge: 'capture.record-too-large',
  /** A bounded queue of the recorder overflowed. */
  QueueFull: 'capture.queue-full',
} as const;

export type CaptureErrorCode = (typeof CaptureErrorKind)[keyof typeof CaptureErrorKind];

export class CaptureError extends LinkError {
  constructor(code: CaptureErrorCode, message: string) {
    super(code, message);
  }
}
