/**
 * The error family of the virtual HCI controller's codecs: every failure to
 * frame or decode H4, command, event or ACL bytes is an `HciError` with a
 * stable `code` and the byte offset where decoding stopped. Nothing else
 * escapes these decoders.
 */
import { ProtocolError } from '../../../protocol/errors';

/** Stable `code` strings of HciError. Never reword a published one. */
export const HciErrorKind = {
  /** An H4 packet type byte that this direction does not carry. */
  BadPacketType: 'hci.bad-packet-type',
  /** A length field that cannot be right (larger than the limit, or disagreeing with the bytes). */
  BadLength: 'hci.bad-length',
  /** The input ended before a header or parameter was complete. */
  Truncated: 'hci.truncated',
  /** A field holds a value the codec cannot represent (encoders), or a parameter out of range. */
  BadValue: 'hci.bad-value',
  /** A bounded buffer or queue refused more data. */
  Overflow: 'hci.overflow',
  /** An ACL packet for a connection handle the controller does not know. */
  UnknownHandle: 'hci.unknown-handle',
} as const;

export type HciErrorCode = (typeof HciErrorKind)[keyof typeof HciErrorKind];

export class HciError extends ProtocolError {
  declare readonly code: HciErrorCode;

  constructor(code: HciErrorCode, message: string, offset?: number) {
    super(code, message, offset);
  }
}

/** True when `err` is an HciError, optionally with the given code. */
export function isHciError(err: unknown, code?: HciErrorCode): err is HciError {
  return err instanceof HciError && (code === undefined || err.code === code);
}
