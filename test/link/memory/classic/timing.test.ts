import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dataFrameWireBytes, frameAirTimeMs, predictTransfer } from '../../../../src/link/classic-model';
import { collect, connect, makeRig, openPair, pattern } from './rig';

test('1 MiB phone to PC arrives byte-exact at exactly the time predictTransfer gives', async () => {
  const rig = makeRig();
  const { pcEnd, phoneEnd } = await openPair(rig, await connect(rig));
  const atPc = collect(pcEnd, rig.clock);
  const data = pattern(1 << 20);
  const start = rig.clock.now();
  phoneEnd.write(data);
  await rig.clock.runUntilIdle();
  assert.deepEqual(atPc.bytes(), data);
  const p = predictTransfer(rig.model, data.length, { startMs: start, frameSize: pcEnd.maxFrameSize });
  const last = atPc.chunks[atPc.chunks.length - 1]?.time;
  // Same recurrence, same float sums: equal, not merely close.
  assert.equal(last, p.endMs);
  // The arithmetic: 1059 frames of 990 + one of 166; 999 and 175 wire bytes at 1400 bits/ms, plus 5 ms latency.
  assert.ok(Math.abs(p.durationMs - ((1059 * 999 + 175) * 8) / 1400 - 5) < 1e-6);
  assert.equal(atPc.chunks.length, p.frames);
  assert.ok(atPc.chunks.every((c, i) => c.data.length === (i < 1059 ? 990 : 166)));
  const dataFrames = rig.frames.filter((f) => f.kind === 'data');
  const credits = rig.frames.filter((f) => f.kind === 'credits');
  assert.equal(dataFrames.length, p.frames);
  assert.equal(credits.length, p.creditFrames);
  assert.ok(credits.every((f) => f.direction === 'toHost' && f.credits === rig.model.creditReturnThreshold));
  assert.equal(rig.air.stats.toClient.bytes, data.length);
  assert.equal(rig.air.stats.toClient.wireBytes - 8 /* accept */, p.wireBytes);
  assert.equal(rig.air.stats.creditStalls, 0);
});

test('a credit-starved model: PC to phone matches the prediction exactly, stalls included', async () => {
  const rig = makeRig({ model: { initialCredits: 2, creditReturnThreshold: 1, latencyMs: 20, bitrate: 700_000 } });
  const { pcEnd, phoneEnd } = await openPair(rig, await connect(rig));
  const atPhone = collect(phoneEnd, rig.clock);
  const data = pattern(50_000, 9);
  const start = rig.clock.now();
  pcEnd.write(data);
  await rig.clock.runUntilIdle();
  assert.deepEqual(atPhone.bytes(), data);
  const p = predictTransfer(rig.model, data.length, { startMs: start, frameSize: pcEnd.maxFrameSize });
  assert.ok(p.creditStalls > 0);
  assert.equal(atPhone.chunks[atPhone.chunks.length - 1]?.time, p.endMs);
  // Independent arithmetic. A full frame takes a = 999 * 8 / 700 ms, a credit frame c = 9 * 8 / 700 ms.
  // With 2 credits returned one at a time, frame k + 2 starts when frame k's credit is back:
  // end_k + L + c + L. Since 2a < a + 2L + c, frames go out in pairs, one pair per a + 2L + c.
  const a = frameAirTimeMs(rig.model, 999);
  const c = frameAirTimeMs(rig.model, 9);
  const L = 20;
  const frames = Math.ceil(50_000 / 990); // 51: 50 of 990, one of 500
  const last = frameAirTimeMs(rig.model, dataFrameWireBytes(500));
  const period = a + 2 * L + c;
  assert.ok(2 * a < period);
  // Frame 51 opens pair 25 (pairs 0..24 before it), then its air time and one latency.
  const pairs = Math.floor((frames - 1) / 2);
  const expected = pairs * period + last + L;
  assert.ok(Math.abs(p.durationMs - expected) < 1e-6, `${p.durationMs} vs ${expected}`);
  assert.ok(rig.air.stats.creditStalls > 0);
});

test('a paused reader stops the sender once its credits run out; resuming delivers the rest in order', async () => {
  const rig = makeRig();
  const { pcEnd, phoneEnd } = await openPair(rig, await connect(rig));
  const atPhone = collect(phoneEnd, rig.clock);
  phoneEnd.pauseReading();
  assert.equal(phoneEnd.readingPaused, true);
  const data = pattern(20 * 990, 4);
  pcEnd.write(data);
  await rig.clock.runUntilIdle();
  const C = rig.model.initialCredits;
  // Exactly C frames crossed; none was consumed, so no credit came back.
  assert.equal(rig.frames.filter((f) => f.kind === 'data').length, C);
  assert.equal(rig.frames.filter((f) => f.kind === 'credits').length, 0);
  assert.equal(atPhone.chunks.length, 0);
  assert.equal(pcEnd.credits, 0);
  assert.equal(pcEnd.pendingBytes, (20 - C) * 990);
  assert.equal(rig.air.stats.creditStalls, 1);
  const pausedAt = rig.clock.now();
  // Resuming consumes the buffered frames at once and returns their credits.
  phoneEnd.resumeReading();
  assert.equal(atPhone.chunks.length, C);
  assert.ok(atPhone.chunks.every((c) => c.time === pausedAt));
  await rig.clock.runUntilIdle();
  assert.deepEqual(atPhone.bytes(), data);
  assert.equal(pcEnd.pendingBytes, 0);
});

test('pausing inside a data listener holds the following frames', async () => {
  const rig = makeRig();
  const { pcEnd, phoneEnd } = await openPair(rig, await connect(rig));
  let seen = 0;
  phoneEnd.events.on('data', () => {
    if (++seen === 3) phoneEnd.pauseReading();
  });
  pcEnd.write(new Uint8Array(30 * 990));
  await rig.clock.runUntilIdle();
  // 3 consumed (credits back: threshold 4 not reached, so none), then C - 3 more arrive and wait.
  assert.equal(seen, 3);
  assert.equal(rig.frames.filter((f) => f.kind === 'data').length, rig.model.initialCredits);
  phoneEnd.resumeReading();
  assert.equal(seen, rig.model.initialCredits, 'the waiting frames are consumed at once');
  await rig.clock.runUntilIdle();
  assert.equal(seen, 30);
});
