import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  CRC_INIT,
  ChannelMode,
  SbcError,
  SbcFrameHeader,
  crc8Bits,
  decodeHeader,
  encodeHeader,
  frameCrc,
  frameLength,
  msbcHeader,
} from '../../../src/audio/sbc';

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));

test('CRC-8 (poly 0x1D, init 0x0F) steps worked by hand', () => {
  // One bit at a time from 0x0F: a 1 bit meets the register's clear top bit, so the
  // shifted register 0x1E is XORed with 0x1D -> 0x03; a 0 bit just shifts -> 0x1E.
  assert.equal(crc8Bits(CRC_INIT, Uint8Array.of(0x80), 0, 1), 0x03);
  assert.equal(crc8Bits(CRC_INIT, Uint8Array.of(0x00), 0, 1), 0x1e);
  // A zero byte: 0x0F shifts to 0x1E, 0x3C, 0x78, 0xF0; then the top bit is set four
  // times: 0xE0^0x1D=0xFD, 0xFA^0x1D=0xE7, 0xCE^0x1D=0xD3, 0xA6^0x1D=0xBB.
  assert.equal(crc8Bits(CRC_INIT, Uint8Array.of(0x00), 0, 8), 0xbb);
  // The mSBC silence frame covers 2 reserved zero bytes and 32 zero scale-factor bits;
  // register after each zero byte: BB A3 86 68 7C C5.
  const states = [0xbb, 0xa3, 0x86, 0x68, 0x7c, 0xc5];
  let crc = CRC_INIT;
  for (const expected of states) {
    crc = crc8Bits(crc, Uint8Array.of(0), 0, 8);
    assert.equal(crc, expected);
  }
});

test('CRC-8 table path agrees with a bit-serial long division for any bit length', () => {
  const reference = (bytes: Uint8Array, bits: number): number => {
    let reg = CRC_INIT;
    for (let i = 0; i < bits; i++) {
      const bit = ((bytes[i >> 3] ?? 0) >> (7 - (i & 7))) & 1;
      const feedback = ((reg >> 7) & 1) ^ bit;
      reg = ((reg << 1) & 0xff) ^ (feedback ? 0x1d : 0);
    }
    return reg;
  };
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 1, maxLength: 24 }), fc.nat(), (bytes, n) => {
      const bits = n % (bytes.length * 8 + 1);
      assert.equal(crc8Bits(CRC_INIT, bytes, 0, bits), reference(bytes, bits));
    }),
    { numRuns: 500 },
  );
});

test('SBC header from sbcenc (44.1 kHz, 16 blocks, joint stereo, loudness, 8 subbands, bitpool 53)', () => {
  // First bytes of a frame `sbcenc -j -b 53` wrote: header, join flags FE, scale factors.
  const bytes = hex('9c bd 35 1d fe d8 76 56 45 00 00 00 05');
  const h = decodeHeader(bytes);
  assert.deepEqual(h, {
    msbc: false,
    sampleRate: 44100,
    blocks: 16,
    channelMode: ChannelMode.JointStereo,
    allocation: 0,
    subbands: 8,
    bitpool: 53,
    reserved: 0,
  });
  // 4 header + 8 scale-factor bytes + ceil((8 join bits + 16 * 53) / 8).
  assert.equal(frameLength(h), 4 + 8 + 107);
  assert.equal(frameCrc(bytes, 0, h), 0x1d);
  const out = new Uint8Array(4);
  encodeHeader(h, out);
  assert.deepEqual(out.subarray(0, 3), bytes.subarray(0, 3));
});

test('mSBC header: fixed parameters, 57-byte frames, reserved bytes kept', () => {
  const h = decodeHeader(hex('ad 00 00 c5'));
  assert.deepEqual(h, msbcHeader());
  assert.equal(frameLength(h), 57);
  const odd = decodeHeader(hex('ad 12 34 00'));
  assert.equal(odd.reserved, 0x1234);
  const out = new Uint8Array(4);
  encodeHeader(odd, out);
  assert.deepEqual([...out.subarray(0, 3)], [0xad, 0x12, 0x34]);
});

test('frame lengths follow the specification formula for each channel mode', () => {
  const base: SbcFrameHeader = { ...msbcHeader(), msbc: false, sampleRate: 48000, blocks: 16, subbands: 8, bitpool: 35 };
  assert.equal(frameLength({ ...base, channelMode: ChannelMode.Mono }), 4 + 4 + 70);
  assert.equal(frameLength({ ...base, channelMode: ChannelMode.DualChannel }), 4 + 8 + 140);
  assert.equal(frameLength({ ...base, channelMode: ChannelMode.Stereo }), 4 + 8 + 70);
  assert.equal(frameLength({ ...base, channelMode: ChannelMode.JointStereo }), 4 + 8 + 71);
  assert.equal(frameLength({ ...base, subbands: 4, blocks: 4, bitpool: 10, channelMode: ChannelMode.JointStereo }), 4 + 4 + 6);
});

test('every header field combination round-trips', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 255 }), (b1) => {
      const channelMode = (b1 >> 2) & 3;
      const subbands = b1 & 1 ? 8 : 4;
      const max = (channelMode >= 2 ? 32 : 16) * subbands;
      const bitpool = 2 + (b1 % (max - 1));
      const bytes = Uint8Array.of(0x9c, b1, bitpool, 0);
      const h = decodeHeader(bytes);
      const out = new Uint8Array(4);
      encodeHeader(h, out);
      assert.deepEqual(out.subarray(0, 3), bytes.subarray(0, 3));
    }),
    { numRuns: 300 },
  );
});

test('header errors are typed with stable codes and offsets', () => {
  const expectCode = (fn: () => unknown, code: string, offset?: number): void => {
    assert.throws(fn, (err: unknown) => err instanceof SbcError && err.code === code && (offset === undefined || err.offset === offset));
  };
  expectCode(() => decodeHeader(hex('9c bd')), 'sbc.truncated');
  expectCode(() => decodeHeader(hex('9d bd 35 00')), 'sbc.bad-sync', 0);
  expectCode(() => decodeHeader(hex('ad 00 00 c5'), 0, 'sbc'), 'sbc.bad-sync', 0);
  expectCode(() => decodeHeader(hex('9c bd 35 1d'), 0, 'msbc'), 'sbc.bad-sync', 0);
  // Mono, 8 subbands: bitpool at most 128; joint stereo, 4 subbands: at most 128 too; at least 2.
  expectCode(() => decodeHeader(hex('9c 01 81 00')), 'sbc.bad-bitpool', 2);
  assert.equal(decodeHeader(hex('9c 01 80 00')).bitpool, 128);
  expectCode(() => decodeHeader(hex('9c 0c 81 00')), 'sbc.bad-bitpool', 2);
  expectCode(() => decodeHeader(hex('9c 0d 01 00')), 'sbc.bad-bitpool', 2);
  assert.equal(decodeHeader(hex('9c 0d ff 00')).bitpool, 255);
});
