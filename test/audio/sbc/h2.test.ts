import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { H2Frame, H2Unwrapper, H2Wrapper, MsbcDecoder, MsbcEncoder, SbcError } from '../../../src/audio/sbc';

/** `count` distinct mSBC frames (a rising tone, so no two frames are alike). */
function msbcFrames(count: number): Uint8Array[] {
  const pcm = new Int16Array(count * 120);
  for (let i = 0; i < pcm.length; i++) pcm[i] = Math.round(9000 * Math.sin((2 * Math.PI * (300 + i / 20) * i) / 16000));
  return new MsbcEncoder().encode(pcm);
}

function packets(frames: Uint8Array[]): Uint8Array[] {
  const wrapper = new H2Wrapper();
  return frames.map((f) => wrapper.wrap(f));
}

function feed(unwrapper: H2Unwrapper, stream: Uint8Array, chunkSizes: number[]): H2Frame[] {
  const out: H2Frame[] = [];
  let pos = 0;
  let k = 0;
  while (pos < stream.length) {
    const size = Math.max(1, chunkSizes.length ? (chunkSizes[k++ % chunkSizes.length] ?? 60) : 60);
    out.push(...unwrapper.push(stream.subarray(pos, pos + size)));
    assert.ok(unwrapper.pendingBytes <= 58, `holding ${unwrapper.pendingBytes} bytes`);
    pos += size;
  }
  return out;
}

const FRAMES = msbcFrames(24);

test('wrap: 01 + cycling 08 38 C8 F8, the frame, one zero pad byte; 60 bytes per 7.5 ms = 8000 B/s', () => {
  const wrapper = new H2Wrapper();
  const seen: number[] = [];
  for (let i = 0; i < 6; i++) {
    const frame = FRAMES[i] ?? new Uint8Array(0);
    const packet = wrapper.wrap(frame);
    assert.equal(packet.length, 60);
    assert.equal(packet[0], 0x01);
    seen.push(packet[1] ?? -1);
    assert.deepEqual(packet.subarray(2, 59), frame);
    assert.equal(packet[59], 0);
  }
  assert.deepEqual(seen, [0x08, 0x38, 0xc8, 0xf8, 0x08, 0x38]);
  assert.equal(60 / 0.0075, 8000);
  assert.throws(() => wrapper.wrap(new Uint8Array(58)), (e: unknown) => e instanceof SbcError && e.code === 'sbc.bad-config');
});

test('unwrap: an aligned stream gives every frame back, in sequence, nothing lost', () => {
  const stream = Buffer.concat(packets(FRAMES));
  const u = new H2Unwrapper();
  const got = feed(u, stream, [60]);
  assert.deepEqual(got.map((g) => g.frame), FRAMES);
  assert.deepEqual(got.map((g) => g.sequence), FRAMES.map((_, i) => i % 4));
  assert.ok(got.every((g) => g.lost === 0 && g.inSequence && g.skippedBytes === 0));
  assert.deepEqual(u.stats, { frames: 24, lostFrames: 0, outOfSequence: 0, skippedBytes: 0 });
  // And the frames decode.
  const dec = new MsbcDecoder();
  for (const g of got) assert.equal(dec.decode(g.frame).length, 120);
});

test('property: any chunking and any misaligned start finds every complete frame after the cut', () => {
  const stream = Buffer.concat(packets(FRAMES));
  fc.assert(
    fc.property(fc.nat({ max: 299 }), fc.array(fc.integer({ min: 1, max: 130 }), { minLength: 1, maxLength: 8 }), (cut, sizes) => {
      const u = new H2Unwrapper();
      const got = feed(u, stream.subarray(cut), sizes);
      const firstWhole = Math.ceil(cut / 60);
      assert.deepEqual(got.map((g) => g.frame), FRAMES.slice(firstWhole));
      assert.ok(got.every((g) => g.lost === 0 && g.inSequence));
      // Bytes before the first whole packet are skipped, nothing else.
      assert.equal(u.stats.skippedBytes, firstWhole * 60 - cut);
    }),
    { numRuns: 200 },
  );
});

test('property: dropped and corrupted packets are reported as lost, exactly', () => {
  const all = packets(FRAMES);
  const fate = fc.constantFrom('keep', 'keep', 'keep', 'drop', 'garbage', 'flip');
  fc.assert(
    fc.property(fc.array(fate, { minLength: all.length, maxLength: all.length }), fc.integer({ min: 1, max: 200 }), (fates, chunk) => {
      // The first packet always arrives, and fewer than 4 packets vanish without a trace
      // between two that arrive: with 2-bit sequence numbers and no bytes left behind,
      // 4 vanished packets look like none.
      fates[0] = 'keep';
      let vanished = 0;
      for (let i = 0; i < fates.length; i++) {
        if (fates[i] === 'keep') vanished = 0;
        else if (fates[i] === 'drop' && ++vanished === 4) {
          fates[i] = 'keep';
          vanished = 0;
        }
      }
      let seed = chunk;
      const parts: Uint8Array[] = [];
      const kept: number[] = [];
      for (let i = 0; i < all.length; i++) {
        const packet = all[i] ?? new Uint8Array(0);
        if (fates[i] === 'keep') {
          parts.push(packet);
          kept.push(i);
        } else if (fates[i] === 'garbage') {
          parts.push(new Uint8Array(60).map(() => (seed = (Math.imul(seed, 48271) + 11) >>> 0) & 0xff));
        } else if (fates[i] === 'flip') {
          const damaged = packet.slice();
          damaged[2 + 4 + (seed % 4)] ^= 0x40; // a scale-factor bit: the CRC catches it
          parts.push(damaged);
        }
      }
      // Trailing losses are only visible once a later frame arrives.
      const lastKept = kept[kept.length - 1] ?? 0;
      const u = new H2Unwrapper();
      const got = feed(u, Buffer.concat(parts), [chunk]);
      assert.deepEqual(got.map((g) => g.frame), kept.map((i) => FRAMES[i]));
      const expectedLost = kept.map((i, k) => (k === 0 ? 0 : i - (kept[k - 1] ?? 0) - 1));
      assert.deepEqual(got.map((g) => g.lost), expectedLost);
      assert.equal(u.stats.lostFrames, lastKept + 1 - kept.length);
      assert.deepEqual(got.map((g) => g.inSequence), expectedLost.map((n) => n % 4 === 0));
    }),
    { numRuns: 200 },
  );
});

test('swapped packets show up as out of sequence', () => {
  const all = packets(FRAMES.slice(0, 6));
  const order = [0, 1, 3, 2, 4, 5];
  const u = new H2Unwrapper();
  const got = u.push(Buffer.concat(order.map((i) => all[i] ?? new Uint8Array(0))));
  assert.deepEqual(got.map((g) => g.sequence), [0, 1, 3, 2, 0, 1]);
  assert.deepEqual(got.map((g) => g.inSequence), [true, true, false, false, false, true]);
  assert.equal(u.stats.outOfSequence, 3);
});

test('property: garbage never throws and holds back at most 58 bytes', () => {
  fc.assert(
    fc.property(fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 10 }), (chunks) => {
      const u = new H2Unwrapper();
      for (const c of chunks) {
        for (const g of u.push(c)) assert.equal(g.frame.length, 57);
        assert.ok(u.pendingBytes <= 58);
      }
    }),
    { numRuns: 300 },
  );
  // A stream of would-be headers with no valid frame behind them yields nothing.
  const decoys = new Uint8Array(600);
  for (let i = 0; i < decoys.length; i += 3) decoys.set([0x01, 0x08, 0xad], i);
  const u = new H2Unwrapper();
  assert.deepEqual(u.push(decoys), []);
  assert.ok(u.stats.skippedBytes > 500);
});

test('reset starts a fresh stream', () => {
  const stream = Buffer.concat(packets(FRAMES.slice(0, 3)));
  const u = new H2Unwrapper();
  u.push(stream.subarray(0, 100));
  u.reset();
  assert.equal(u.pendingBytes, 0);
  const got = u.push(stream.subarray(120));
  assert.equal(got.length, 1);
  assert.equal(got[0]?.lost, 0);
  assert.deepEqual(u.stats, { frames: 1, lostFrames: 0, outOfSequence: 0, skippedBytes: 0 });
});

test('five damaged packets in a row still count as five lost', () => {
  const all = packets(FRAMES.slice(0, 8));
  const damaged = all.map((p, i) => (i >= 1 && i <= 5 ? new Uint8Array(60).fill(0x55) : p));
  const got = new H2Unwrapper().push(Buffer.concat(damaged));
  assert.deepEqual(got.map((g) => g.lost), [0, 5, 0]);
  assert.deepEqual(got.map((g) => g.skippedBytes), [0, 300, 0]);
});
