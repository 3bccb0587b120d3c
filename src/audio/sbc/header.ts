/**
 * SBC and mSBC frame headers: the 4-byte header (sync, parameters, bitpool,
 * CRC), the frame length it implies, and the CRC-8 that protects the header,
 * the joint-stereo flags and the scale factors.
 *
 * Layout of an SBC header: `9C | fs(2) blocks(2) mode(2) alloc(1) subbands(1) | bitpool | crc`.
 * An mSBC header is `AD | reserved | reserved | crc`; every parameter is fixed
 * (16 kHz, 15 blocks, mono, loudness, 8 subbands, bitpool 26).
 */
import {
  BLOCK_COUNTS,
  ChannelMode,
  MSBC,
  MSBC_SYNC_WORD,
  SAMPLE_RATES,
  SBC_SYNC_WORD,
  SUBBAND_COUNTS,
} from './constants';
import { SbcError, SbcErrorCode } from './errors';

export interface SbcFrameHeader {
  /** True for an mSBC frame (sync 0xAD and the fixed mSBC parameters). */
  msbc: boolean;
  /** Sampling frequency in Hz: 16000, 32000, 44100 or 48000. */
  sampleRate: number;
  /** Blocks per frame: 4, 8, 12 or 16 (15 for mSBC). */
  blocks: number;
  /** A `ChannelMode` value. */
  channelMode: number;
  /** An `Allocation` value. */
  allocation: number;
  /** Subbands: 4 or 8. */
  subbands: number;
  bitpool: number;
  /** mSBC only: the two reserved header bytes as one big-endian number (0 when we send). */
  reserved: number;
}

/** Which sync words a decoder accepts. */
export type SyncAccept = 'sbc' | 'msbc' | 'any';

/** Bytes in the fixed part of a header (sync, two parameter bytes, CRC). */
export const HEADER_LENGTH = 4;

/** Audio channels carried by a channel mode: 1 for mono, otherwise 2. */
export function channelCount(channelMode: number): number {
  return channelMode === ChannelMode.Mono ? 1 : 2;
}

/**
 * The largest bitpool allowed for this mode and subband count: 16 bits per
 * subband per channel's pool (mono, dual: 16 * subbands; stereo, joint:
 * 32 * subbands), and no more than the 8-bit header field holds (255).
 */
export function maxBitpool(channelMode: number, subbands: number): number {
  const stereo = channelMode === ChannelMode.Stereo || channelMode === ChannelMode.JointStereo;
  return Math.min(255, (stereo ? 32 : 16) * subbands);
}

/** The smallest bitpool the specification allows. */
export const MIN_BITPOOL = 2;

/** Bits of joint-stereo flags plus scale factors: the part after the header that the CRC covers. */
export function protectedSideBits(h: SbcFrameHeader): number {
  const join = h.channelMode === ChannelMode.JointStereo ? h.subbands : 0;
  return join + 4 * h.subbands * channelCount(h.channelMode);
}

/** Whole frame length in bytes, header included, as the specification's formula gives it. */
export function frameLength(h: SbcFrameHeader): number {
  const channels = channelCount(h.channelMode);
  let sampleBits: number;
  if (h.channelMode === ChannelMode.Mono || h.channelMode === ChannelMode.DualChannel) {
    sampleBits = h.blocks * channels * h.bitpool;
  } else {
    sampleBits = (h.channelMode === ChannelMode.JointStereo ? h.subbands : 0) + h.blocks * h.bitpool;
  }
  return HEADER_LENGTH + (4 * h.subbands * channels) / 8 + Math.ceil(sampleBits / 8);
}

/** The header that every mSBC frame we send carries. */
export function msbcHeader(): SbcFrameHeader {
  return {
    msbc: true,
    sampleRate: MSBC.sampleRate,
    blocks: MSBC.blocks,
    channelMode: MSBC.channelMode,
    allocation: MSBC.allocation,
    subbands: MSBC.subbands,
    bitpool: MSBC.bitpool,
    reserved: 0,
  };
}

/**
 * Parses the 4-byte header at `offset`. Checks the sync word and the bitpool
 * range; the CRC needs the scale factors too and is checked by `unpackFrame`.
 */
export function decodeHeader(bytes: Uint8Array, offset = 0, accept: SyncAccept = 'any'): SbcFrameHeader {
  if (offset < 0 || bytes.length - offset < HEADER_LENGTH) {
    throw new SbcError(SbcErrorCode.Truncated, 'fewer than 4 bytes for an SBC header', Math.max(0, Math.min(offset, bytes.length)));
  }
  const sync = bytes[offset] ?? 0;
  const b1 = bytes[offset + 1] ?? 0;
  const b2 = bytes[offset + 2] ?? 0;
  if (sync === MSBC_SYNC_WORD && accept !== 'sbc') {
    return { ...msbcHeader(), reserved: (b1 << 8) | b2 };
  }
  if (sync !== SBC_SYNC_WORD || accept === 'msbc') {
    const wanted = accept === 'msbc' ? '0xAD' : accept === 'sbc' ? '0x9C' : '0x9C or 0xAD';
    throw new SbcError(SbcErrorCode.BadSync, `sync word 0x${sync.toString(16).padStart(2, '0')}, expected ${wanted}`, offset);
  }
  const header: SbcFrameHeader = {
    msbc: false,
    sampleRate: SAMPLE_RATES[(b1 >> 6) & 3] ?? 0,
    blocks: BLOCK_COUNTS[(b1 >> 4) & 3] ?? 0,
    channelMode: (b1 >> 2) & 3,
    allocation: (b1 >> 1) & 1,
    subbands: SUBBAND_COUNTS[b1 & 1] ?? 0,
    bitpool: b2,
    reserved: 0,
  };
  const max = maxBitpool(header.channelMode, header.subbands);
  if (header.bitpool < MIN_BITPOOL || header.bitpool > max) {
    throw new SbcError(SbcErrorCode.BadBitpool, `bitpool ${header.bitpool} outside ${MIN_BITPOOL}..${max}`, offset + 2);
  }
  return header;
}

/**
 * Writes sync and the two parameter bytes of `h` at `offset` (the CRC byte is
 * left for `writeFrameCrc`). Throws `sbc.bad-config` for values the 2-bit and
 * 1-bit fields cannot carry.
 */
export function encodeHeader(h: SbcFrameHeader, out: Uint8Array, offset = 0): void {
  if (h.msbc) {
    out[offset] = MSBC_SYNC_WORD;
    out[offset + 1] = (h.reserved >> 8) & 0xff;
    out[offset + 2] = h.reserved & 0xff;
    return;
  }
  const fs = SAMPLE_RATES.indexOf(h.sampleRate);
  const blocks = BLOCK_COUNTS.indexOf(h.blocks);
  const subbands = SUBBAND_COUNTS.indexOf(h.subbands);
  if (fs < 0 || blocks < 0 || subbands < 0 || h.channelMode < 0 || h.channelMode > 3 || (h.allocation !== 0 && h.allocation !== 1)) {
    throw new SbcError(SbcErrorCode.BadConfig, `header values not expressible in SBC: ${JSON.stringify(h)}`);
  }
  if (!Number.isInteger(h.bitpool) || h.bitpool < 0 || h.bitpool > 255) {
    throw new SbcError(SbcErrorCode.BadBitpool, `bitpool ${h.bitpool} does not fit a byte`);
  }
  out[offset] = SBC_SYNC_WORD;
  out[offset + 1] = (fs << 6) | (blocks << 4) | (h.channelMode << 2) | (h.allocation << 1) | subbands;
  out[offset + 2] = h.bitpool;
}

/** CRC-8, polynomial x^8 + x^4 + x^3 + x^2 + 1 (0x1D), MSB first, no final XOR. */
const CRC_TABLE: Uint8Array = (() => {
  const table = new Uint8Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 0x80 ? ((c << 1) ^ 0x1d) & 0xff : (c << 1) & 0xff;
    table[i] = c;
  }
  return table;
})();

/** The CRC's starting value for SBC. */
export const CRC_INIT = 0x0f;

/** Feeds `bitLength` bits of `bytes` from byte `start` (MSB first) into `crc`. */
export function crc8Bits(crc: number, bytes: Uint8Array, start: number, bitLength: number): number {
  let c = crc & 0xff;
  const whole = bitLength >>> 3;
  for (let i = 0; i < whole; i++) c = CRC_TABLE[c ^ (bytes[start + i] ?? 0)] ?? 0;
  let last = bytes[start + whole] ?? 0;
  for (let i = 0; i < (bitLength & 7); i++) {
    const top = (c ^ last) & 0x80;
    c = ((c << 1) & 0xff) ^ (top ? 0x1d : 0);
    last = (last << 1) & 0xff;
  }
  return c;
}

/**
 * The CRC a frame at `offset` should carry: over header bytes 1 and 2, then
 * the join flags and scale factors that follow the CRC byte.
 */
export function frameCrc(bytes: Uint8Array, offset: number, h: SbcFrameHeader): number {
  const c = crc8Bits(CRC_INIT, bytes, offset + 1, 16);
  return crc8Bits(c, bytes, offset + HEADER_LENGTH, protectedSideBits(h));
}
