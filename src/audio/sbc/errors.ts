/**
 * The typed error that every SBC / mSBC decoding failure raises: a
 * `ProtocolError` with a stable `sbc.*` code and the byte offset where the
 * problem was found. Bad encoder settings use the same class with
 * `sbc.bad-config`, so callers need to catch only one family.
 */
import { ProtocolError } from '../../protocol/errors';

/** The stable codes an `SbcError` may carry; never reworded once published. */
export const SbcErrorCode = {
  /** The first byte is not the sync word this decoder accepts (0x9C SBC, 0xAD mSBC). */
  BadSync: 'sbc.bad-sync',
  /** The CRC-8 over header, join bits and scale factors does not match. */
  BadCrc: 'sbc.bad-crc',
  /** Fewer bytes than the header says the frame holds. */
  Truncated: 'sbc.truncated',
  /** A bitpool outside 2..16*subbands (mono, dual) or 2..min(255, 32*subbands) (stereo, joint). */
  BadBitpool: 'sbc.bad-bitpool',
  /** Encoder or wrapper settings that SBC cannot express, or a frame of the wrong size. */
  BadConfig: 'sbc.bad-config',
} as const;

export type SbcErrorCodeValue = (typeof SbcErrorCode)[keyof typeof SbcErrorCode];

export class SbcError extends ProtocolError {
  constructor(code: SbcErrorCodeValue, message: string, offset?: number) {
    super(code, message, offset);
  }
}
