/**
 * The SBC codec with the mSBC (HFP wideband speech) profile and H2 framing:
 * the public surface of `src/audio/sbc`.
 */
export { Allocation, ChannelMode, MSBC, MSBC_SYNC_WORD, SBC_SYNC_WORD } from './constants';
export { SbcError, SbcErrorCode } from './errors';
export type { SbcErrorCodeValue } from './errors';
export {
  channelCount,
  crc8Bits,
  decodeHeader,
  encodeHeader,
  frameCrc,
  frameLength,
  maxBitpool,
  msbcHeader,
  CRC_INIT,
  MIN_BITPOOL,
} from './header';
export type { SbcFrameHeader, SyncAccept } from './header';
export { allocateBits } from './bit-allocation';
export type { AllocationParams } from './bit-allocation';
export { emptyFrame, packFrame, unpackFrame } from './frame';
export type { SbcFrame, UnpackedFrame, UnpackOptions } from './frame';
export { SbcAnalysis } from './analysis';
export { SbcSynthesis } from './synthesis';
export { MsbcEncoder, SbcEncoder, MSBC_OPTIONS, scaleFactorOf } from './encoder';
export type { SbcEncoderOptions } from './encoder';
export { MsbcDecoder, SbcDecoder } from './decoder';
export type { DecodedFrame, SbcDecoderOptions } from './decoder';
export { H2Unwrapper, H2Wrapper, H2_PACKET_LENGTH, H2_SEQUENCE_BYTES, H2_SYNC, h2SequenceOf } from './h2';
export type { H2Frame, H2Stats } from './h2';
