import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CONTROL_FRAME_WIRE_BYTES, dataFrameWireBytes, frameAirTimeMs, predictTransfer } from '../../../../src/link/classic-model';
import { LinkError } from '../../../../src/link/errors';
import { CLOSE_FLUSH_TIMEOUT_MS, ChannelCloseTapEvent } from '../../../../src/link/memory/classic';
import { PBAP_CHANNEL, collect, connect, makeRig, openPair, pattern, resolved } from './rig';

const code = (error: unknown): string | undefined => (error instanceof LinkError ? error.code : undefined);

test('close() from the PC: 0x16 there at once, bytes already written still arrive, then 0x13 at the phone', async () => {
  const rig = makeRig();
  const connection = await connect(rig);
  const { pcEnd, phoneEnd } = await openPair(rig, connection);
  const closes: ChannelCloseTapEvent[] = [];
  rig.air.events.on('channelClose', (e) => closes.push(e));
  const atPhone = collect(phoneEnd, rig.clock);
  const atPc = collect(pcEnd, rig.clock);
  const data = pattern(2000);
  pcEnd.write(data);
  const start = rig.clock.now();
  const closing = pcEnd.close();
  assert.deepEqual(atPc.closes, [0x16]);
  assert.equal(pcEnd.open, false);
  assert.throws(() => pcEnd.write(Uint8Array.of(1)), (e: unknown) => code(e) === 'link.disconnected');
  // The phone may still write until DISC arrives; the PC drops it.
  phoneEnd.write(Uint8Array.of(1, 2, 3));
  const { time } = await resolved(rig.clock, closing);
  assert.deepEqual(atPhone.bytes(), data);
  assert.deepEqual(atPhone.closes, [0x13]);
  assert.equal(atPc.chunks.length, 0);
  // Frames toward the phone: data 990, 990, 20, then DISC; the UA comes back.
  const a = (wire: number): number => frameAirTimeMs(rig.model, wire);
  const L = rig.model.latencyMs;
  const discArrives = start + a(999) + a(999) + a(dataFrameWireBytes(20)) + a(CONTROL_FRAME_WIRE_BYTES) + L;
  const phoneClosedAt = rig.frames.find((f) => f.kind === 'disc')?.time;
  assert.ok(phoneClosedAt !== undefined && Math.abs(phoneClosedAt - discArrives) < 1e-9);
  // The UA waits behind the phone's 3-byte frame, which started when it was written.
  assert.ok(time >= discArrives + a(CONTROL_FRAME_WIRE_BYTES) + L - 1e-9);
  assert.deepEqual(closes, [{ time, connectionId: connection.connectionId, channel: PBAP_CHANNEL, clientReason: 0x16, hostReason: 0x13 }]);
  assert.deepEqual(connection.channels(), []);
  assert.equal(rig.air.stats.channelsClosed, 1);
  await rig.clock.runUntilIdle();
});

test('close() from the phone: 0x16 on the phone, 0x13 on the PC after the data; a second close is the same promise', async () => {
  const rig = makeRig();
  const connection = await connect(rig);
  const { pcEnd, phoneEnd } = await openPair(rig, connection);
  const atPc = collect(pcEnd, rig.clock);
  const atPhone = collect(phoneEnd, rig.clock);
  phoneEnd.write(pattern(5000, 3));
  const first = phoneEnd.close();
  assert.equal(phoneEnd.close(), first);
  assert.deepEqual(atPhone.closes, [0x16]);
  await resolved(rig.clock, first);
  assert.deepEqual(atPc.bytes(), pattern(5000, 3));
  assert.deepEqual(atPc.closes, [0x13]);
  assert.equal(pcEnd.closeReason, 0x13);
  await resolved(rig.clock, pcEnd.close(), 0);
  assert.equal(connection.connected, true, 'closing a channel leaves the ACL up');
});

test('both ends closing at once both settle, with each end reporting its own close', async () => {
  const rig = makeRig();
  const { pcEnd, phoneEnd } = await openPair(rig, await connect(rig));
  const atPc = collect(pcEnd, rig.clock);
  const atPhone = collect(phoneEnd, rig.clock);
  const a = pcEnd.close();
  const b = phoneEnd.close();
  await resolved(rig.clock, Promise.all([a, b]));
  assert.deepEqual(atPc.closes, [0x16]);
  assert.deepEqual(atPhone.closes, [0x16]);
  assert.deepEqual(rig.frames.filter((f) => f.kind === 'disc' || f.kind === 'ua').map((f) => `${f.kind}:${f.direction}`).sort(), [
    'disc:toClient',
    'disc:toHost',
    'ua:toClient',
    'ua:toHost',
  ]);
  await rig.clock.runUntilIdle();
});

test('a closing end whose peer never reads gives up after CLOSE_FLUSH_TIMEOUT_MS and sends DISC anyway', async () => {
  const rig = makeRig();
  const { pcEnd, phoneEnd } = await openPair(rig, await connect(rig));
  phoneEnd.pauseReading();
  pcEnd.write(new Uint8Array(20 * 990));
  const start = rig.clock.now();
  const { time } = await resolved(rig.clock, pcEnd.close(), CLOSE_FLUSH_TIMEOUT_MS * 2);
  assert.ok(time >= start + CLOSE_FLUSH_TIMEOUT_MS);
  assert.equal(phoneEnd.open, false);
  assert.ok(rig.air.stats.droppedBytes > 0);
  await rig.clock.runUntilIdle();
});

test('both directions at once: each stream arrives whole, only slightly later than alone (credits share the pipe)', async () => {
  const rig = makeRig();
  const { pcEnd, phoneEnd } = await openPair(rig, await connect(rig));
  const atPc = collect(pcEnd, rig.clock);
  const atPhone = collect(phoneEnd, rig.clock);
  const up = pattern(200_000, 1);
  const down = pattern(300_000, 2);
  const start = rig.clock.now();
  pcEnd.write(up);
  phoneEnd.write(down);
  await rig.clock.runUntilIdle();
  assert.deepEqual(atPhone.bytes(), up);
  assert.deepEqual(atPc.bytes(), down);
  const alone = (n: number) => predictTransfer(rig.model, n, { startMs: start });
  const upDone = atPhone.chunks[atPhone.chunks.length - 1]?.time ?? 0;
  const downDone = atPc.chunks[atPc.chunks.length - 1]?.time ?? 0;
  // Each credit frame for the other stream costs this pipe one credit frame's air time (plus at most one data frame of waiting).
  const creditAir = frameAirTimeMs(rig.model, 9);
  for (const [done, n, other] of [
    [upDone, up.length, down.length],
    [downDone, down.length, up.length],
  ] as const) {
    const p = alone(n);
    const creditsForOther = Math.ceil(Math.ceil(other / 990) / rig.model.creditReturnThreshold);
    assert.ok(done >= p.endMs - 1e-9, `${done} < ${p.endMs}`);
    assert.ok(done <= p.endMs + creditsForOther * creditAir + frameAirTimeMs(rig.model, 999) + 1e-9, `${done} vs ${p.endMs}`);
  }
});

test('chunks arrive at frame boundaries, and several small writes share a frame', async () => {
  const rig = makeRig();
  const { pcEnd, phoneEnd } = await openPair(rig, await connect(rig));
  const atPhone = collect(phoneEnd, rig.clock);
  // The first write leaves at once; the next three wait for the pipe and go out together.
  pcEnd.write(Uint8Array.of(1));
  pcEnd.write(Uint8Array.of(2, 3));
  pcEnd.write(Uint8Array.of(4));
  pcEnd.write(new Uint8Array(1200).fill(5));
  await rig.clock.runUntilIdle();
  assert.deepEqual(atPhone.chunks.map((c) => c.data.length), [1, 990, 213]);
  assert.deepEqual([...(atPhone.chunks[1]?.data.subarray(0, 4) ?? [])], [2, 3, 4, 5]);
});

test('a listener that throws is reported and the channel carries on', async () => {
  const rig = makeRig();
  const errors: unknown[] = [];
  rig.air.events.on('handlerError', (e) => errors.push(e.channel));
  const { pcEnd, phoneEnd } = await openPair(rig, await connect(rig));
  let calls = 0;
  phoneEnd.events.on('data', () => {
    calls++;
    throw new Error('listener bug');
  });
  pcEnd.write(new Uint8Array(3000));
  await rig.clock.runUntilIdle();
  assert.equal(calls, 4);
  assert.deepEqual(errors, [PBAP_CHANNEL, PBAP_CHANNEL, PBAP_CHANNEL, PBAP_CHANNEL]);
  assert.equal(phoneEnd.open, true);
});
