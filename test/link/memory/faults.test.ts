import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DisconnectReason } from '../../../src/link/att-codes';
import { DisconnectedError, LinkError } from '../../../src/link/errors';
import { DATA, NOTIFY, PC, PC2, PHONE, SERVICE, bytes, connect, makeRig, nextEvent, rejected, resolved } from './rig';

test('dropLink() drops every link now; both sides see the reason and pending calls reject', async () => {
  const rig = makeRig();
  const connection = await connect(rig);
  const phoneReasons: number[] = [];
  rig.phone.events.on('disconnect', (_p, reason) => phoneReasons.push(reason));
  const write = connection.gatt.write(SERVICE, DATA, Uint8Array.of(1)).catch((e: unknown) => e);
  rig.clock.advance(5);
  assert.equal(rig.air.faults.dropLink(), 1);
  assert.equal(connection.connected, false);
  assert.deepEqual(phoneReasons, [DisconnectReason.ConnectionTimeout]);
  const error = await write;
  assert.ok(error instanceof DisconnectedError);
  assert.equal(error.reason, DisconnectReason.ConnectionTimeout);
  assert.equal(rig.writes.length, 0);
  // A custom reason reaches both sides.
  const again = await connect(rig);
  const pcReasons: number[] = [];
  again.events.on('disconnect', (r) => pcReasons.push(r));
  rig.air.faults.dropLink(DisconnectReason.RemoteLowResources);
  assert.deepEqual(pcReasons, [0x14]);
  assert.deepEqual(phoneReasons, [0x08, 0x14]);
  await rig.clock.runUntilIdle();
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

test('dropLinkAfterPackets(n) drops right after the n-th ATT PDU is delivered, counting both directions', async () => {
  const rig = makeRig();
  const connection = await connect(rig);
  rig.air.faults.dropLinkAfterPackets(3);
  const commands = [1, 2, 3, 4, 5].map((i) => connection.gatt.write(SERVICE, DATA, Uint8Array.of(i), false).then(() => i, () => -i));
  await rig.clock.runUntilIdle();
  assert.deepEqual(await Promise.all(commands), [1, 2, 3, -4, -5]);
  assert.deepEqual(rig.writes.map((w) => w.value[0]), [1, 2, 3]);
  assert.equal(connection.connected, false);
  // Both directions count: request + response = 2 PDUs.
  const second = await connect(rig);
  rig.air.faults.dropLinkAfterPackets(2, DisconnectReason.ConnectionTimeout, { connectionId: second.connectionId });
  const write = await settleWrite(rig, second);
  assert.equal(write, 'resolved', 'the response (2nd PDU) is delivered before the drop');
  assert.equal(second.connected, false);
});

async function settleWrite(rig: ReturnType<typeof makeRig>, connection: Awaited<ReturnType<typeof connect>>): Promise<string> {
  const p = connection.gatt.write(SERVICE, DATA, Uint8Array.of(9)).then(() => 'resolved', () => 'rejected');
  await rig.clock.runUntilIdle();
  return p;
}

test('a short out-of-range window stalls traffic, which resumes at the first event after it', async () => {
  const rig = makeRig();
  const connection = await connect(rig);
  const anchor = rig.clock.now();
  const ci = rig.model.connectionIntervalMs;
  const times: number[] = [];
  await resolved(rig.clock, connection.gatt.subscribe(SERVICE, NOTIFY, () => times.push(rig.clock.now())));
  const peer = rig.phone.peers()[0];
  assert.ok(peer);
  const start = rig.clock.now() + 10;
  const duration = 500; // < supervision timeout (720)
  rig.air.faults.outOfRange(duration, start);
  rig.clock.advance(20); // inside the window now
  for (let i = 0; i < 3; i++) rig.phone.notify(peer, NOTIFY, bytes(5));
  await rig.clock.runUntilIdle();
  const resume = nextEvent(anchor, ci, start + duration - 1e-9);
  assert.ok(resume >= start + duration);
  assert.deepEqual(times, [resume, resume, resume]);
  assert.equal(connection.connected, true);
});

test('an out-of-range window longer than the supervision timeout drops the link with 0x08 at start + timeout', async () => {
  const rig = makeRig();
  const connection = await connect(rig);
  const phoneSaw: [number, number][] = [];
  const pcSaw: [number, number][] = [];
  rig.phone.events.on('disconnect', (_p, r) => phoneSaw.push([rig.clock.now(), r]));
  connection.events.on('disconnect', (r) => pcSaw.push([rig.clock.now(), r]));
  const start = 200;
  rig.air.faults.outOfRange(rig.model.supervisionTimeoutMs + 1, start);
  rig.clock.advance(start + 50 - rig.clock.now()); // into the window
  const pending = connection.gatt.read(SERVICE, DATA).catch((e: unknown) => e);
  await rig.clock.runUntilIdle();
  const expected: [number, number][] = [[start + rig.model.supervisionTimeoutMs, DisconnectReason.ConnectionTimeout]];
  assert.deepEqual(phoneSaw, expected);
  assert.deepEqual(pcSaw, expected);
  assert.ok((await pending) instanceof DisconnectedError);
});

test('touching windows that together outlast the supervision timeout also drop the link', async () => {
  const rig = makeRig();
  const connection = await connect(rig);
  const dropped: number[] = [];
  connection.events.on('disconnect', () => dropped.push(rig.clock.now()));
  rig.air.faults.outOfRange(400, 100);
  rig.air.faults.outOfRange(400, 500);
  await rig.clock.runUntilIdle();
  assert.deepEqual(dropped, [100 + rig.model.supervisionTimeoutMs]);
});

test('while out of range connects fail and scans see nothing; afterwards both work', async () => {
  const rig = makeRig();
  rig.air.faults.outOfRange(3000);
  const failed = await rejected(rig.clock, rig.pc.connect(PHONE, { timeoutMs: 1000 }));
  assert.ok(failed.error instanceof LinkError && failed.error.code === 'link.connect-timeout');
  assert.deepEqual((await resolved(rig.clock, rig.pc.scan(500))).value, []);
  // A connect started in the window succeeds once it ends (t = 3000) plus setup time.
  const { time } = await resolved(rig.clock, rig.pc.connect(PHONE));
  assert.equal(time, 3000 + rig.model.connectSetupMs);
});

test('faults can target one connection or one device', async () => {
  const rig = makeRig();
  const pc2 = rig.air.createCentral({ address: PC2 });
  const a = await connect(rig);
  const b = await connect(rig, pc2);
  assert.equal(rig.air.faults.dropLink(undefined, { connectionId: b.connectionId }), 1);
  assert.equal(a.connected, true);
  assert.equal(b.connected, false);
  const b2 = await connect(rig, pc2);
  assert.equal(rig.air.faults.dropLink(undefined, { address: PC.toLowerCase() }), 1);
  assert.equal(a.connected, false);
  assert.equal(b2.connected, true);
  // A connection-only window leaves the other link alone, and connects still work.
  const a2 = await connect(rig);
  rig.air.faults.outOfRange(2000, undefined, { connectionId: a2.connectionId });
  const healthy = await resolved(rig.clock, b2.gatt.read(SERVICE, DATA));
  assert.deepEqual([...healthy.value], [1, 2, 3]);
  await rig.clock.runUntilIdle();
  assert.equal(a2.connected, false);
  assert.equal(b2.connected, true);
  // An address window makes that phone unreachable for everyone.
  rig.air.faults.outOfRange(2000, undefined, { address: PHONE });
  await rig.clock.runUntilIdle();
  assert.equal(b2.connected, false);
});

test('fault arguments are checked', () => {
  const rig = makeRig();
  assert.throws(() => rig.air.faults.dropLinkAfterPackets(0), RangeError);
  assert.throws(() => rig.air.faults.outOfRange(-1), RangeError);
  assert.throws(() => rig.air.faults.dropLink(undefined, { address: 'nonsense' }), TypeError);
});
