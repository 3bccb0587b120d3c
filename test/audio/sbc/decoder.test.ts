import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ChannelMode, MsbcDecoder, MsbcEncoder, SbcDecoder, SbcEncoder, SbcError } from '../../../src/audio/sbc';
import { tone } from '../../../src/audio/pcm';
import { decodeHeader, protectedSideBits } from '../../../src/audio/sbc/header';

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (err) {
    assert.ok(err instanceof SbcError, `expected SbcError, got ${String(err)}`);
    return err.code;
  }
}

const JOINT_FRAME = hex('9c4c0a1e0c000b00008867395810');

test('decoder errors carry stable codes and offsets', () => {
  const dec = new SbcDecoder();
  assert.equal(dec.decode(JOINT_FRAME).length, 32);

  const badCrc = JOINT_FRAME.slice();
  badCrc[5] = (badCrc[5] ?? 0) ^ 0x10; // a scale-factor bit
  assert.throws(() => dec.decode(badCrc), (e: unknown) => e instanceof SbcError && e.code === 'sbc.bad-crc' && e.offset === 3);

  assert.throws(
    () => dec.decode(JOINT_FRAME.subarray(0, 13)),
    (e: unknown) => e instanceof SbcError && e.code === 'sbc.truncated' && e.offset === 13,
  );
  assert.equal(codeOf(() => dec.decode(JOINT_FRAME.subarray(0, 2))), 'sbc.truncated');
  assert.equal(codeOf(() => dec.decode(new Uint8Array(0))), 'sbc.truncated');

  const badSync = JOINT_FRAME.slice();
  badSync[0] = 0x9d;
  assert.equal(codeOf(() => dec.decode(badSync)), 'sbc.bad-sync');

  const badPool = JOINT_FRAME.slice();
  badPool[2] = 200; // joint stereo with 4 subbands allows at most 128
  assert.equal(codeOf(() => dec.decode(badPool)), 'sbc.bad-bitpool');
});

test('each decoder accepts only its sync word unless told otherwise', () => {
  const msbc = new MsbcEncoder().encode(new Int16Array(120))[0] ?? new Uint8Array(0);
  assert.equal(codeOf(() => new SbcDecoder().decode(msbc)), 'sbc.bad-sync');
  assert.equal(codeOf(() => new MsbcDecoder().decode(JOINT_FRAME)), 'sbc.bad-sync');
  const any = new SbcDecoder({ accept: 'any' });
  assert.equal(any.decode(msbc).length, 120);
  assert.equal(any.decode(JOINT_FRAME).length, 32);
});

test('decodeStream walks back-to-back frames and reports error offsets in the stream', () => {
  const enc = new SbcEncoder({ sampleRate: 48000, channelMode: ChannelMode.Stereo, blocks: 8, subbands: 8, allocation: 1, bitpool: 40 });
  const frames = enc.encode(tone({ frequency: 700, sampleRate: 48000, samples: 64 * 5, channels: 2 }));
  assert.equal(frames.length, 5);
  const stream = Buffer.concat(frames);
  assert.equal(new SbcDecoder().decodeStream(stream).length, 5 * 64 * 2);
  const broken = Uint8Array.from(stream);
  const third = 2 * enc.frameLength;
  broken[third + 3] = (broken[third + 3] ?? 0) ^ 1;
  assert.throws(() => new SbcDecoder().decodeStream(broken), (e: unknown) => e instanceof SbcError && e.code === 'sbc.bad-crc' && e.offset === third + 3);
  assert.equal(codeOf(() => new SbcDecoder().decodeStream(stream.subarray(0, stream.length - 1))), 'sbc.truncated');
});

test('fuzz: random bytes give a decoded frame or an SbcError, nothing else', () => {
  const dec = new SbcDecoder({ accept: 'any' });
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 0, maxLength: 600 }), fc.constantFrom(-1, 0x9c, 0xad), (bytes, sync) => {
      if (sync >= 0 && bytes.length > 0) bytes[0] = sync;
      try {
        const pcm = dec.decode(bytes);
        const h = dec.lastHeader;
        assert.ok(h);
        assert.equal(pcm.length, h.blocks * h.subbands * (h.channelMode === ChannelMode.Mono ? 1 : 2));
      } catch (err) {
        if (!(err instanceof SbcError)) throw err;
      }
    }),
    { numRuns: 1000 },
  );
});

test('fuzz: mutated valid frames give a decoded frame or an SbcError; damage past the CRC-covered part always decodes', () => {
  const configs = [
    { sampleRate: 44100, channelMode: ChannelMode.JointStereo, blocks: 16, subbands: 8, allocation: 0, bitpool: 53 },
    { sampleRate: 16000, channelMode: ChannelMode.Mono, blocks: 4, subbands: 4, allocation: 1, bitpool: 12 },
    { sampleRate: 48000, channelMode: ChannelMode.DualChannel, blocks: 12, subbands: 8, allocation: 0, bitpool: 33 },
  ];
  const sources = configs.map((c) => {
    const channels = c.channelMode === ChannelMode.Mono ? 1 : 2;
    const pcm = tone({ frequency: 1234, sampleRate: c.sampleRate, samples: c.blocks * c.subbands * 4, channels, amplitude: 0.8 });
    return new SbcEncoder(c).encode(pcm);
  });
  sources.push(new MsbcEncoder().encode(tone({ frequency: 1000, sampleRate: 16000, samples: 480 })));
  const all = sources.flat();
  fc.assert(
    fc.property(
      fc.nat({ max: all.length - 1 }),
      fc.array(fc.record({ at: fc.nat(), xor: fc.integer({ min: 1, max: 255 }) }), { minLength: 1, maxLength: 6 }),
      fc.option(fc.nat(), { nil: undefined }),
      (which, flips, cut) => {
        const original = all[which] ?? new Uint8Array(0);
        let bytes = original.slice();
        for (const f of flips) {
          const i = f.at % bytes.length;
          bytes[i] = (bytes[i] ?? 0) ^ f.xor;
        }
        if (cut !== undefined) bytes = bytes.subarray(0, cut % (bytes.length + 1));
        // Bytes wholly after the header, join flags and scale factors are not covered by the CRC.
        const covered = 4 + Math.ceil(protectedSideBits(decodeHeader(original)) / 8);
        const onlySamplesHit = cut === undefined && flips.every((f) => f.at % original.length >= covered);
        const dec = new SbcDecoder({ accept: 'any' });
        try {
          const pcm = dec.decode(bytes);
          assert.ok(pcm.every((v) => Number.isInteger(v) && v >= -32768 && v <= 32767));
        } catch (err) {
          if (!(err instanceof SbcError)) throw err;
          assert.ok(!onlySamplesHit, `sample-only damage was rejected: ${err.code}`);
        }
      },
    ),
    { numRuns: 1000 },
  );
});
