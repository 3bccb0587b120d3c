/**
 * The vCard codec's error class and its stable codes. The parser works on
 * text, so `VcardError.offset` is the UTF-8 byte offset of the line where the
 * problem was found (for byte input, the offset into those bytes).
 */
import { ProtocolError } from '../errors';

export const VcardErrorCode = {
  /** Non-blank content where a `BEGIN:VCARD` line was expected. */
  NoBegin: 'vcard.no-begin',
  /** The input ended inside a card (no `END:VCARD`), or an END line names something else. */
  NoEnd: 'vcard.no-end',
  /** A VERSION value other than 2.1, 3.0 or 4.0, or two different VERSION lines in one card. */
  BadVersion: 'vcard.bad-version',
  /** A line that is neither a property, a continuation, a comment nor blank. */
  BadLine: 'vcard.bad-line',
  /** Invalid base64, an unterminated quoted-printable value, or an unknown ENCODING. */
  BadEncoding: 'vcard.bad-encoding',
  /** A CHARSET that the codec cannot decode. */
  BadCharset: 'vcard.bad-charset',
  /** Input, line, property count or card count over the configured limit. */
  TooLarge: 'vcard.too-large',
  /** Cards nested (BEGIN:VCARD inside a card) deeper than the limit. */
  TooDeep: 'vcard.too-deep',
  /** The writer was given something no vCard can carry (a NUL, a quote in a parameter, a bad name). */
  Unencodable: 'vcard.unencodable',
} as const;

export type VcardErrorCodeValue = (typeof VcardErrorCode)[keyof typeof VcardErrorCode];

export class VcardError extends ProtocolError {
  declare readonly code: VcardErrorCodeValue;

  constructor(code: VcardErrorCodeValue, message: string, offset?: number) {
    super(code, message, offset);
  }
}

/** True when `err` is a VcardError, optionally with the given code. */
export function isVcardError(err: unknown, code?: VcardErrorCodeValue): err is VcardError {
  return err instanceof VcardError && (code === undefined || err.code === code);
}
