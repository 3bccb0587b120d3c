/**
 * Faults on the virtual air: a host that vanishes mid-connection, a Reset
 * during a connection, links out of range, malformed H4 and hosts that
 * overrun their buffers. None of them hangs the other host; each gives the
 * events a real controller would.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fromHex } from '../../../../src/link/hci/controller/byte-reader';
import { PC, PHONE, bringUpPeripheral, connect, createConnection, l2cap, makeRig } from './rig';

const PING = l2cap(4, Uint8Array.of(0x02, 0xb9, 0x00));

test('a host that vanishes mid-connection: the peer gets Disconnection Complete 0x08 after the supervision timeout', async () => {
  const rig = makeRig({ supervisionTimeoutMs: 500 });
  const { central } = await connect(rig);
  const gone = rig.clock.now();
  rig.air.removeController(rig.phone.controller);
  // The PC keeps sending; nothing is carried, nothing completes, nothing hangs.
  rig.pc.sendAcl(central, PING);
  await rig.clock.runUntil(() => rig.pc.of('disconnection-complete').length === 1, 2000);
  assert.equal(rig.clock.now() - gone, 500);
  assert.deepEqual(rig.pc.of('disconnection-complete').map((e) => [e.handle, e.reason]), [[central, 0x08]]);
  assert.equal(rig.pc.of('number-of-completed-packets').length, 0);
  assert.equal(rig.phone.acl.length, 0);
  assert.equal(rig.clock.pendingEvents, 0);
  // The vanished host's bytes are ignored from now on.
  const before = rig.phone.raw.length;
  rig.phone.send(0x0c03);
  assert.equal(rig.phone.raw.length, before);
  // The PC is still usable: its controller answers and can scan.
  rig.pc.send(0x200c, '0101');
  assert.equal(rig.pc.statusOf(0x200c), 0);
});

test('a controller removed with a reason ends its links at once with that reason', async () => {
  const rig = makeRig();
  const { central } = await connect(rig);
  rig.air.removeController(rig.phone.controller, 0x13);
  assert.deepEqual(rig.pc.of('disconnection-complete').map((e) => [e.handle, e.reason]), [[central, 0x13]]);
  assert.equal(rig.clock.pendingEvents, 0);
});

test('a Reset during a connection: the resetting host gets only Command Complete, the peer a timeout, and they can reconnect', async () => {
  const rig = makeRig({ supervisionTimeoutMs: 300 });
  const { central } = await connect(rig);
  rig.phone.clear();
  rig.phone.send(0x0c03);
  assert.deepEqual(rig.phone.rawHex(), ['040e0401030c00']);
  await rig.clock.runFor(299);
  assert.equal(rig.pc.of('disconnection-complete').length, 0);
  await rig.clock.runFor(1);
  assert.deepEqual(rig.pc.of('disconnection-complete').map((e) => [e.handle, e.reason]), [[central, 0x08]]);
  assert.equal(rig.phone.of('disconnection-complete').length, 0);
  // The phone comes back (bleno restarted) and the PC connects again.
  rig.pc.clear();
  bringUpPeripheral(rig.phone);
  createConnection(rig.pc);
  await rig.clock.runUntil(() => rig.pc.of('le-connection-complete').length === 1, 1000);
  const handle = rig.pc.of('le-connection-complete')[0]?.handle ?? -1;
  rig.pc.sendAcl(handle, PING);
  await rig.clock.runUntil(() => rig.phone.acl.length === 1, 200);
});

test('repeated Resets with nothing connected are all answered and leave no timers', () => {
  const rig = makeRig();
  for (let i = 0; i < 5; i++) rig.pc.send(0x0c03);
  assert.deepEqual(rig.pc.rawHex(), Array(5).fill('040e0401030c00'));
  assert.equal(rig.pc.controller.stats.resets, 5);
  assert.equal(rig.clock.pendingEvents, 0);
});

test('out of range: the link falls silent and both sides get 0x08 after the supervision timeout', async () => {
  const rig = makeRig({ supervisionTimeoutMs: 400 });
  const { central, peripheral } = await connect(rig);
  rig.air.setInRange(PHONE, PC, false);
  rig.pc.sendAcl(central, PING);
  await rig.clock.runFor(400);
  assert.equal(rig.phone.acl.length, 0);
  assert.deepEqual(rig.pc.of('disconnection-complete').map((e) => [e.handle, e.reason]), [[central, 0x08]]);
  assert.deepEqual(rig.phone.of('disconnection-complete').map((e) => [e.handle, e.reason]), [[peripheral, 0x08]]);
  assert.equal(rig.clock.pendingEvents, 0);
});

test('back in range before the timeout: the link survives and queued data flows', async () => {
  const rig = makeRig({ supervisionTimeoutMs: 400 });
  const { central } = await connect(rig);
  rig.air.setInRange(PHONE, PC, false);
  rig.pc.sendAcl(central, PING);
  await rig.clock.runFor(300);
  assert.equal(rig.phone.acl.length, 0);
  rig.air.setInRange(PHONE, PC, true);
  await rig.clock.runFor(200);
  assert.equal(rig.phone.acl.length, 1);
  assert.equal(rig.pc.of('disconnection-complete').length, 0);
  assert.equal(rig.air.openLinks().length, 1);
});

test('a Disconnect on a silent link ends with the supervision timeout', async () => {
  const rig = makeRig({ supervisionTimeoutMs: 200 });
  const { central } = await connect(rig);
  rig.air.setInRange(PHONE, PC, false);
  rig.pc.send(0x0406, `${central.toString(16)}0013`);
  assert.equal(rig.pc.statusOf(0x0406), 0);
  await rig.clock.runFor(250);
  assert.deepEqual(rig.pc.of('disconnection-complete').map((e) => e.reason), [0x08]);
});

test('dropConnections ends every link of an address now, with the given reason on both sides', async () => {
  const rig = makeRig();
  await connect(rig);
  rig.air.dropConnections(PHONE, 0x3d);
  assert.deepEqual(rig.pc.of('disconnection-complete').map((e) => e.reason), [0x3d]);
  assert.deepEqual(rig.phone.of('disconnection-complete').map((e) => e.reason), [0x3d]);
});

test('malformed H4 mid-connection: a typed error, the stream resynchronises, the other host is unaffected', async () => {
  const rig = makeRig();
  const { central, peripheral } = await connect(rig);
  rig.pc.clear();
  // Junk, then an ACL header that announces 0x0fff bytes, then a good ACL packet split in two.
  const good = fromHex(`02${central.toString(16)}00${'0700'}0300040002b900`);
  rig.pc.controller.receive(fromHex('ee77'));
  rig.pc.controller.receive(fromHex('024000ff0f'));
  rig.pc.controller.receive(good.subarray(0, 4));
  rig.pc.controller.receive(good.subarray(4));
  assert.deepEqual(rig.pc.errors.map((e) => e.code), ['hci.bad-packet-type', 'hci.bad-length', 'hci.bad-packet-type']);
  rig.phone.sendAcl(peripheral, PING);
  await rig.clock.runFor(100);
  assert.equal(rig.phone.acl.length, 1, 'the good packet after the junk was carried');
  assert.equal(rig.pc.acl.length, 1, 'the phone was not disturbed');
  rig.pc.send(0x1001);
  assert.equal(rig.pc.statusOf(0x1001), 0);
});

test('a host overrunning its buffers: the packet beyond the count and an oversize packet are refused with hci.overflow', async () => {
  const rig = makeRig();
  const { central } = await connect(rig);
  for (let i = 0; i < 9; i++) rig.pc.sendAcl(central, PING);
  rig.pc.sendAcl(central, new Uint8Array(252));
  assert.deepEqual(rig.pc.errors.map((e) => e.code), ['hci.overflow', 'hci.overflow']);
  assert.equal(rig.pc.controller.stats.droppedAcl, 2);
  await rig.clock.runFor(100);
  assert.equal(rig.phone.acl.length, 8);
  // Completions free the buffers again.
  rig.pc.sendAcl(central, PING);
  await rig.clock.runFor(100);
  assert.equal(rig.phone.acl.length, 9);
});
