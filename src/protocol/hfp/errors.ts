/**
 * The HFP codec's error class and its stable codes. Decoders work on text
 * lines, so `hfpErrorAt` turns a character index in a line into the UTF-8
 * byte offset that ProtocolError reports.
 */
import { ProtocolError } from '../errors';

export const HfpErrorCode = {
  /** The text does not follow AT syntax (bad prefix, stray ')', missing ',', ...). */
  BadSyntax: 'hfp.bad-syntax',
  /** A parameter is present but has the wrong form or an impossible value. */
  BadValue: 'hfp.bad-value',
  /** A mandatory parameter is absent or empty. */
  MissingParameter: 'hfp.missing-parameter',
  /** A quoted string has no closing quote (strict tokenizing only). */
  UnterminatedString: 'hfp.unterminated-string',
  /** Parentheses nest deeper than the tokenizer allows. */
  TooDeep: 'hfp.too-deep',
  /** A line exceeded the splitter's limit and was dropped. */
  LineTooLong: 'hfp.line-too-long',
  /** A line held control bytes and was dropped. */
  BadCharacter: 'hfp.bad-character',
  /** Bytes that were not part of any command were skipped. */
  Garbage: 'hfp.garbage',
  /** An indicator index or name that the +CIND map does not know. */
  UnknownIndicator: 'hfp.unknown-indicator',
  /** The same indicator name appears twice in a +CIND test response. */
  DuplicateIndicator: 'hfp.duplicate-indicator',
  /** The AG sent more information lines for one command than the HF keeps; the rest were dropped. */
  TooManyResponses: 'hfp.too-many-responses',
  /** A value cannot be written as AT text (a quote or line break in a string, a negative number, ...). */
  Unencodable: 'hfp.unencodable',
} as const;

export type HfpErrorCodeValue = (typeof HfpErrorCode)[keyof typeof HfpErrorCode];

export class HfpError extends ProtocolError {
  declare readonly code: HfpErrorCodeValue;

  constructor(code: HfpErrorCodeValue, message: string, offset?: number) {
    super(code, message, offset);
  }
}

/** Number of UTF-8 bytes in `text[0, end)`; a lone surrogate counts as the 3-byte replacement character. */
export function utf8Length(text: string, end = text.length): number {
  let bytes = 0;
  for (let i = 0; i < end; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) bytes += 1;
    else if (unit < 0x800) bytes += 2;
    else if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < end) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4;
        i++;
      } else bytes += 3;
    } else bytes += 3;
  }
  return bytes;
}

/** An HfpError whose offset is the UTF-8 byte position of `charIndex` in `text`. */
export function hfpErrorAt(code: HfpErrorCodeValue, message: string, text: string, charIndex: number): HfpError {
  return new HfpError(code, message, utf8Length(text, Math.max(0, Math.min(charIndex, text.length))));
}
