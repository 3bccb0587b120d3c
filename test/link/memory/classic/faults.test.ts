import { test } from 'node:test';
import assert from 'node:assert/strict';
import { COD_AUDIO_VIDEO_HANDS_FREE } from '../../../../src/link/classic';
import { frameAirTimeMs } from '../../../../src/link/classic-model';
import { DisconnectedError, LinkError } from '../../../../src/link/errors';
import { ClassicDisconnectTapEvent } from '../../../../src/link/memory/classic';
import { MAP_CHANNEL, PC, PC2, PHONE, collect, connect, makeRig, openPair, pattern, rejected, resolved } from './rig';

const code = (error: unknown): string | undefined => (error instanceof LinkError ? error.code : undefined);

test('dropLink() drops every link now: channels close with the reason, pending opens reject, nothing stays pending', async () => {
  const rig = makeRig();
  const connection = await connect(rig);
  const { pcEnd, phoneEnd } = await openPair(rig, connection);
  const atPc = collect(pcEnd, rig.clock);
  const atPhone = collect(phoneEnd, rig.clock);
  const reasons: string[] = [];
  connection.events.on('disconnect', (r) => reasons.push(`pc:${r}`));
  rig.phone.events.on('disconnect', (_p, r) => reasons.push(`phone:${r}`));
  const taps: ClassicDisconnectTapEvent[] = [];
  rig.air.events.on('disconnect', (e) => taps.push(e));
  pcEnd.write(pattern(10_000));
  const closing = phoneEnd.close();
  const opening = connection.openChannel(MAP_CHANNEL).catch((e: unknown) => e);
  const pairing = connection.pair().catch((e: unknown) => e);
  rig.clock.advance(3);
  assert.equal(rig.air.faults.dropLink(), 1);
  assert.deepEqual(reasons, ['phone:8', 'pc:8']);
  assert.deepEqual(atPc.closes, [0x08]);
  assert.deepEqual(atPhone.closes, [0x16], 'the phone had already closed its end');
  const openError = await opening;
  assert.ok(openError instanceof DisconnectedError && openError.reason === 0x08);
  assert.ok((await pairing) instanceof DisconnectedError);
  await closing;
  assert.equal(connection.connected, false);
  assert.equal(taps.length, 1);
  assert.equal(taps[0]?.clientReason, 0x08);
  assert.ok(rig.air.stats.droppedBytes > 0);
  await rig.clock.runUntilIdle();
  // A custom reason reaches both sides.
  const again = await connect(rig);
  const pcReasons: number[] = [];
  again.events.on('disconnect', (r) => pcReasons.push(r));
  assert.equal(rig.air.faults.dropLink(0x14), 1);
  assert.deepEqual(pcReasons, [0x14]);
  assert.deepEqual(reasons, ['phone:8', 'pc:8', 'phone:20']);
});

test('dropLinkAt drops at that virtual time; a cancelled plan does nothing', async () => {
  const rig = makeRig();
  const connection = await connect(rig);
  const dropped: number[] = [];
  connection.events.on('disconnect', () => dropped.push(rig.clock.now()));
  const cancelled = rig.air.faults.dropLinkAt(500);
  cancelled.cancel();
  assert.equal(cancelled.pending, false);
  const plan = rig.air.faults.dropLinkAt(1234);
  assert.equal(plan.pending, true);
  await rig.clock.runUntilIdle();
  assert.deepEqual(dropped, [1234]);
  assert.equal(plan.pending, false);
});

test('dropLinkAfterBytes(n) drops right after the frame that brings the delivered bytes to n, both directions counted', async () => {
  const rig = makeRig();
  const connection = await connect(rig);
  const { pcEnd, phoneEnd } = await openPair(rig, connection);
  const atPc = collect(pcEnd, rig.clock);
  const atPhone = collect(phoneEnd, rig.clock);
  rig.air.faults.dropLinkAfterBytes(2500);
  phoneEnd.write(pattern(1500, 1)); // 990 + 510
  rig.clock.advance(20); // both frames delivered: 1500 counted
  pcEnd.write(pattern(3000, 2));
  await rig.clock.runUntilIdle();
  // 1500 + 990 = 2490 < 2500, so the second PC frame (bringing it to 3480) is delivered, then the drop.
  assert.equal(atPc.bytes().length, 1500);
  assert.deepEqual(atPhone.bytes(), pattern(3000, 2).subarray(0, 1980));
  assert.deepEqual(atPhone.closes, [0x08]);
  assert.equal(connection.connected, false);
  assert.throws(() => rig.air.faults.dropLinkAfterBytes(0), RangeError);
});

test('a short out-of-range window pauses the stream, which resumes in order when range returns', async () => {
  const rig = makeRig();
  const { pcEnd, phoneEnd } = await openPair(rig, await connect(rig));
  const atPc = collect(pcEnd, rig.clock);
  const data = pattern(100_000);
  const start = rig.clock.now();
  const windowStart = start + 30;
  const duration = 2000;
  rig.air.faults.outOfRange(duration, windowStart);
  phoneEnd.write(data);
  await rig.clock.runUntilIdle();
  assert.deepEqual(atPc.bytes(), data);
  const times = atPc.chunks.map((c) => c.time);
  assert.ok(times.every((t) => t < windowStart || t >= windowStart + duration), 'nothing arrives inside the window');
  assert.ok(times.some((t) => t < windowStart) && times.some((t) => t >= windowStart + duration));
  // The transfer took at least its predicted time plus the window.
  const last = times[times.length - 1] ?? 0;
  assert.ok(last - start >= duration + frameAirTimeMs(rig.model, 999) * 90);
  assert.equal(pcEnd.open, true);
});

test('frames in flight when range drops wait, and arrive in order the moment it returns', async () => {
  // 50 ms latency and 5.7 ms frames: all 7 credits' worth of frames are in the air at once.
  const rig = makeRig({ model: { latencyMs: 50 } });
  const { pcEnd, phoneEnd } = await openPair(rig, await connect(rig));
  const atPc = collect(pcEnd, rig.clock);
  const data = pattern(30_000, 5);
  const windowStart = rig.clock.now() + 45;
  rig.air.faults.outOfRange(1000, windowStart);
  phoneEnd.write(data);
  await rig.clock.runUntilIdle();
  assert.deepEqual(atPc.bytes(), data);
  const held = atPc.chunks.filter((c) => c.time === windowStart + 1000);
  assert.ok(held.length >= 5, `${held.length} frames were held`);
  assert.ok(atPc.chunks.every((c) => c.time < windowStart || c.time >= windowStart + 1000));
});

test('a window longer than the supervision timeout drops the link with 0x08 on both sides at start + timeout', async () => {
  const rig = makeRig({ model: { supervisionTimeoutMs: 2000 } });
  const connection = await connect(rig);
  const { pcEnd, phoneEnd } = await openPair(rig, connection);
  const saw: string[] = [];
  connection.events.on('disconnect', (r) => saw.push(`pc:${r}@${rig.clock.now()}`));
  rig.phone.events.on('disconnect', (_p, r) => saw.push(`phone:${r}@${rig.clock.now()}`));
  pcEnd.events.on('close', (r) => saw.push(`pcChannel:${r}`));
  phoneEnd.events.on('close', (r) => saw.push(`phoneChannel:${r}`));
  const start = 500;
  rig.air.faults.outOfRange(2001, start);
  pcEnd.write(pattern(50_000));
  await rig.clock.runUntilIdle();
  assert.deepEqual(saw, ['phoneChannel:8', 'pcChannel:8', `phone:8@${start + 2000}`, `pc:8@${start + 2000}`]);
});

test('touching windows that together outlast the supervision timeout also drop the link', async () => {
  const rig = makeRig({ model: { supervisionTimeoutMs: 1000 } });
  const connection = await connect(rig);
  const dropped: number[] = [];
  connection.events.on('disconnect', () => dropped.push(rig.clock.now()));
  rig.air.faults.outOfRange(600, 200);
  rig.air.faults.outOfRange(600, 800);
  await rig.clock.runUntilIdle();
  assert.deepEqual(dropped, [1200]);
});

test('while out of range discovery and connects fail; a connect started in the window succeeds once it ends', async () => {
  const rig = makeRig();
  rig.air.faults.outOfRange(20_000);
  const lost = await rejected(rig.clock, rig.pc.discover(PHONE));
  assert.equal(code(lost.error), 'link.not-found');
  assert.equal(lost.time, rig.pc.pageTimeoutMs);
  const failed = await rejected(rig.clock, rig.pc.connect(PHONE));
  assert.equal(code(failed.error), 'link.connect-timeout');
  assert.equal(failed.time, 2 * rig.pc.pageTimeoutMs);
  // A page that overlaps the window's end finds the phone then.
  rig.clock.advance(17_000 - rig.clock.now());
  const { time } = await resolved(rig.clock, rig.pc.connect(PHONE));
  assert.equal(time, 20_000 + rig.model.connectSetupMs);
});

test('Bluetooth off on the phone: it sees 0x16 at once, the PC 0x08 after the supervision timeout', async () => {
  const rig = makeRig({ model: { supervisionTimeoutMs: 3000 } });
  const connection = await connect(rig);
  const { pcEnd, phoneEnd } = await openPair(rig, connection);
  const saw: string[] = [];
  connection.events.on('disconnect', (r) => saw.push(`pc:${r}@${rig.clock.now()}`));
  rig.phone.events.on('disconnect', (_p, r) => saw.push(`phone:${r}@${rig.clock.now()}`));
  pcEnd.events.on('close', (r) => saw.push(`pcChannel:${r}@${rig.clock.now()}`));
  phoneEnd.events.on('close', (r) => saw.push(`phoneChannel:${r}@${rig.clock.now()}`));
  const off = rig.clock.now();
  rig.phone.powerOff();
  assert.equal(rig.phone.poweredOn, false);
  assert.deepEqual(saw, [`phoneChannel:22@${off}`, `phone:22@${off}`]);
  assert.deepEqual(rig.phone.peers(), []);
  // The PC does not know yet: its writes queue, its opens wait.
  pcEnd.write(Uint8Array.of(1));
  const opening = connection.openChannel(MAP_CHANNEL).catch((e: unknown) => e);
  await rig.clock.runUntilIdle();
  assert.deepEqual(saw.slice(2), [`pcChannel:8@${off + 3000}`, `pc:8@${off + 3000}`]);
  assert.ok((await opening) instanceof DisconnectedError);
  assert.equal(code((await rejected(rig.clock, rig.pc.connect(PHONE))).error), 'link.connect-timeout');
  rig.phone.powerOn();
  await connect(rig);
});

test('faults can target one connection or one device', async () => {
  const rig = makeRig();
  const pc2 = rig.air.createClient({ address: PC2, classOfDevice: COD_AUDIO_VIDEO_HANDS_FREE });
  const a = await connect(rig);
  const b = await connect(rig, pc2);
  assert.equal(rig.air.faults.dropLink(undefined, { connectionId: b.connectionId }), 1);
  assert.equal(a.connected, true);
  assert.equal(b.connected, false);
  const b2 = await connect(rig, pc2);
  assert.equal(rig.air.faults.dropLink(undefined, { address: PC.toLowerCase() }), 1);
  assert.equal(a.connected, false);
  assert.equal(b2.connected, true);
  // A connection-only window leaves the other link alone and connects still work.
  const a2 = await connect(rig);
  const { pcEnd } = await openPair(rig, b2);
  const atPhone = collect(rig.accepted[rig.accepted.length - 1] ?? pcEnd, rig.clock);
  rig.air.faults.outOfRange(rig.model.supervisionTimeoutMs + 1, undefined, { connectionId: a2.connectionId });
  pcEnd.write(Uint8Array.of(1, 2, 3));
  await rig.clock.runUntilIdle();
  assert.deepEqual([...atPhone.bytes()], [1, 2, 3]);
  assert.equal(a2.connected, false);
  assert.equal(b2.connected, true);
  // An address window makes that phone unreachable for everyone.
  rig.air.faults.outOfRange(rig.model.supervisionTimeoutMs + 1, undefined, { address: PHONE });
  await rig.clock.runUntilIdle();
  assert.equal(b2.connected, false);
});

test('fault arguments are checked', () => {
  const rig = makeRig();
  assert.throws(() => rig.air.faults.dropLinkAfterBytes(1.5), RangeError);
  assert.throws(() => rig.air.faults.outOfRange(-1), RangeError);
  assert.throws(() => rig.air.faults.outOfRange(Number.NaN), RangeError);
  assert.throws(() => rig.air.faults.dropLink(undefined, { address: 'nonsense' }), TypeError);
});
