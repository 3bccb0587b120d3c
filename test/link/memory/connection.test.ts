import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AttErrorCode, DisconnectReason } from '../../../src/link/att-codes';
import { AttError, DisconnectedError, LinkError } from '../../../src/link/errors';
import { GattPeer } from '../../../src/link/ble';
import { DATA, NOTIFY, PC, PC2, PHONE, SERVICE, bytes, connect, makeRig, rejected, resolved } from './rig';

test('scan returns the in-range advertisers after the scan time', async () => {
  const rig = makeRig();
  const { value, time } = await resolved(rig.clock, rig.pc.scan(1000));
  assert.equal(time, 1000);
  assert.deepEqual(value, [
    { address: PHONE, rssi: -60, advertisement: { localName: 'Test iPhone', serviceUuids: [SERVICE] } },
  ]);
  rig.phone.stopAdvertising();
  assert.deepEqual((await resolved(rig.clock, rig.pc.scan(500))).value, []);
});

test('a peripheral that starts advertising during a scan is found', async () => {
  const rig = makeRig();
  rig.phone.stopAdvertising();
  rig.clock.schedule(300, () => rig.phone.startAdvertising({ localName: 'late' }));
  const { value } = await resolved(rig.clock, rig.pc.scan(1000));
  assert.deepEqual(value.map((r) => r.advertisement.localName), ['late']);
});

test('connect resolves after connectSetupMs; both sides see the connection', async () => {
  const rig = makeRig();
  const seen: string[] = [];
  rig.phone.events.on('connect', (peer) => seen.push(peer.address));
  const { value: connection, time } = await resolved(rig.clock, rig.pc.connect(PHONE));
  assert.equal(time, rig.model.connectSetupMs);
  assert.equal(connection.connected, true);
  assert.equal(connection.peerAddress, PHONE);
  assert.deepEqual(seen, [PC]);
  assert.deepEqual(rig.pc.connections(), [connection]);
  assert.deepEqual(rig.air.connectionIds(), [connection.connectionId]);
});

test('connect to a peripheral that does not advertise fails with link.connect-timeout after the timeout', async () => {
  const rig = makeRig();
  rig.phone.stopAdvertising();
  const def = await rejected(rig.clock, rig.pc.connect(PHONE));
  assert.ok(def.error instanceof LinkError && def.error.code === 'link.connect-timeout');
  assert.equal(def.time, 5000);
  const short = await rejected(rig.clock, rig.pc.connect('01:02:03:04:05:06', { timeoutMs: 200 }));
  assert.ok(short.error instanceof LinkError && short.error.code === 'link.connect-timeout');
  assert.equal(short.time, 5000 + 200);
  await rig.clock.runUntilIdle();
});

test('connect waits for a peripheral that starts advertising before the timeout', async () => {
  const rig = makeRig();
  rig.phone.stopAdvertising();
  rig.clock.schedule(1000, () => rig.phone.startAdvertising({}));
  const { time } = await resolved(rig.clock, rig.pc.connect(PHONE));
  assert.equal(time, 1000 + rig.model.connectSetupMs);
});

test('a second connect to the same phone from the same PC is refused', async () => {
  const rig = makeRig();
  const pending = rig.pc.connect(PHONE);
  await assert.rejects(rig.pc.connect(PHONE), (err: unknown) => err instanceof LinkError && err.code === 'link.busy');
  await resolved(rig.clock, pending);
  await assert.rejects(rig.pc.connect(PHONE), (err: unknown) => err instanceof LinkError && err.code === 'link.already-connected');
});

test('two centrals get separate connections with their own MTU and subscriptions', async () => {
  const rig = makeRig();
  const pc2 = rig.air.createCentral({ address: PC2, maxMtu: 100 });
  const a = await connect(rig);
  const b = await connect(rig, pc2);
  assert.notEqual(a.connectionId, b.connectionId);
  assert.deepEqual(rig.phone.peers().map((p) => p.address), [PC, PC2]);
  await resolved(rig.clock, a.gatt.exchangeMtu(517));
  await resolved(rig.clock, b.gatt.exchangeMtu(517));
  assert.equal(a.gatt.mtu, 185);
  assert.equal(b.gatt.mtu, 100);
  const gotA: number[] = [];
  const gotB: number[] = [];
  await resolved(rig.clock, a.gatt.subscribe(SERVICE, NOTIFY, (v) => gotA.push(v.length)));
  const [peerA, peerB] = rig.phone.peers() as [GattPeer, GattPeer];
  assert.equal(rig.phone.isSubscribed(peerA, NOTIFY), true);
  assert.equal(rig.phone.isSubscribed(peerB, NOTIFY), false);
  assert.throws(() => rig.phone.notify(peerB, NOTIFY, bytes(1)), (e: unknown) => e instanceof LinkError && e.code === 'link.not-subscribed');
  await resolved(rig.clock, b.gatt.subscribe(SERVICE, NOTIFY, (v) => gotB.push(v.length)));
  rig.phone.notify(peerA, NOTIFY, bytes(150));
  rig.phone.notify(peerB, NOTIFY, bytes(97));
  await rig.clock.runUntilIdle();
  assert.deepEqual(gotA, [150]);
  assert.deepEqual(gotB, [97]);
  // Dropping one leaves the other.
  await resolved(rig.clock, a.disconnect());
  assert.equal(b.connected, true);
  assert.deepEqual(rig.phone.peers().map((p) => p.address), [PC2]);
});

test('disconnect ends the link at the next event (0x16 here, 0x13 at the phone) and rejects in-flight calls', async () => {
  const rig = makeRig();
  const connection = await connect(rig);
  const anchor = rig.clock.now();
  const ci = rig.model.connectionIntervalMs;
  await resolved(rig.clock, connection.gatt.subscribe(SERVICE, NOTIFY, () => undefined));
  const peer = rig.phone.peers()[0];
  assert.ok(peer);
  const phoneReasons: number[] = [];
  const pcReasons: number[] = [];
  rig.phone.events.on('disconnect', (_p, reason) => phoneReasons.push(reason));
  connection.events.on('disconnect', (reason) => pcReasons.push(reason));
  for (let i = 0; i < 3; i++) rig.phone.notify(peer, NOTIFY, bytes(10));
  const write = connection.gatt.write(SERVICE, DATA, Uint8Array.of(1));
  const read = connection.gatt.read(SERVICE, DATA); // waiting behind the write
  const command = connection.gatt.write(SERVICE, DATA, Uint8Array.of(2), false);
  const pairing = connection.pair();
  const outcomes = [write, read, command, pairing].map((p) => p.then(() => 'resolved', (e: unknown) => e));
  const start = rig.clock.now();
  const { time } = await resolved(rig.clock, connection.disconnect());
  // Issued at an event time; the terminate goes at the next event, before anything queued could move.
  assert.equal(time, start + ci);
  assert.equal((time - anchor) % ci, 0);
  for (const error of await Promise.all(outcomes)) {
    assert.ok(error instanceof DisconnectedError, String(error));
    assert.equal(error.reason, DisconnectReason.LocalHostTerminated);
  }
  assert.deepEqual(phoneReasons, [DisconnectReason.RemoteUserTerminated]);
  assert.deepEqual(pcReasons, [DisconnectReason.LocalHostTerminated]);
  assert.equal(connection.connected, false);
  assert.ok(rig.air.stats.droppedPdus >= 4, `dropped ${rig.air.stats.droppedPdus}`);
  assert.equal(rig.writes.length, 0);
  // Afterwards: calls reject, the phone has no peer, notify refuses.
  await assert.rejects(connection.gatt.read(SERVICE, DATA), DisconnectedError);
  assert.deepEqual(rig.phone.peers(), []);
  assert.equal(rig.phone.isSubscribed(peer, NOTIFY), false);
  assert.throws(() => rig.phone.notify(peer, NOTIFY, bytes(1)), (e: unknown) => e instanceof LinkError && e.code === 'link.not-connected');
  await rig.clock.runUntilIdle();
  assert.equal(rig.clock.nextEventTime(), undefined);
});

test('discovery costs a round trip each and returns what is registered', async () => {
  const rig = makeRig();
  const connection = await connect(rig);
  const ci = rig.model.connectionIntervalMs;
  const start = rig.clock.now();
  const services = await resolved(rig.clock, connection.gatt.discoverServices());
  assert.deepEqual(services.value, [SERVICE]);
  assert.equal(services.time, start + 2 * ci);
  const chars = await resolved(rig.clock, connection.gatt.discoverCharacteristics(SERVICE));
  assert.equal(chars.time, start + 4 * ci);
  assert.deepEqual(chars.value.map((c) => c.uuid), ['FFF1', 'FFF2', 'FFF3', 'FFF4']);
  assert.deepEqual(chars.value[1]?.properties, ['read', 'write', 'writeWithoutResponse']);
  const unknown = await rejected(rig.clock, connection.gatt.discoverCharacteristics('ABCD'));
  assert.ok(unknown.error instanceof AttError && unknown.error.attCode === AttErrorCode.AttributeNotFound);
});

test('adding or removing a service while connected announces Service Changed one event later', async () => {
  const rig = makeRig();
  const connection = await connect(rig);
  const anchor = rig.clock.now();
  const ci = rig.model.connectionIntervalMs;
  const changes: number[] = [];
  connection.gatt.events.on('servicesChanged', () => changes.push(rig.clock.now()));
  rig.clock.advance(5);
  rig.phone.addService({ uuid: '180F', characteristics: [{ uuid: '2A19', properties: ['read'], security: 'open', onRead: () => Uint8Array.of(80) }] });
  await rig.clock.runUntilIdle();
  assert.deepEqual(changes, [anchor + ci]);
  assert.deepEqual((await resolved(rig.clock, connection.gatt.discoverServices())).value, [SERVICE, '180F']);
  assert.deepEqual([...(await resolved(rig.clock, connection.gatt.read('180f', '2a19'))).value], [80]);
  rig.phone.removeService('180F');
  rig.phone.removeService('180F'); // no-op: already gone
  await rig.clock.runUntilIdle();
  assert.equal(changes.length, 2);
  assert.deepEqual((await resolved(rig.clock, connection.gatt.discoverServices())).value, [SERVICE]);
  assert.deepEqual(
    rig.pdus.filter((p) => p.characteristic === '2A05' || p.kind === 'ATT_HANDLE_VALUE_CFM').map((p) => p.kind),
    ['ATT_HANDLE_VALUE_IND', 'ATT_HANDLE_VALUE_CFM', 'ATT_HANDLE_VALUE_IND', 'ATT_HANDLE_VALUE_CFM'],
  );
});

test('phone Bluetooth off: the phone drops links at once, the PC sees a supervision timeout; on again it advertises, bonds kept', async () => {
  const rig = makeRig();
  const connection = await connect(rig);
  await resolved(rig.clock, connection.pair());
  const phoneSaw: [number, number][] = [];
  rig.phone.events.on('disconnect', (_p, reason) => phoneSaw.push([rig.clock.now(), reason]));
  const offAt = rig.clock.now();
  rig.phone.powerOff();
  assert.deepEqual(phoneSaw, [[offAt, DisconnectReason.LocalHostTerminated]]);
  assert.deepEqual(rig.phone.peers(), []);
  assert.equal(connection.connected, true, 'the PC has not noticed yet');
  const write = connection.gatt.write(SERVICE, DATA, Uint8Array.of(1));
  const { error, time } = await rejected(rig.clock, write);
  assert.ok(error instanceof DisconnectedError);
  assert.equal(error.reason, DisconnectReason.ConnectionTimeout);
  assert.equal(time, offAt + rig.model.supervisionTimeoutMs);
  assert.equal(rig.writes.length, 0);
  assert.deepEqual((await resolved(rig.clock, rig.pc.scan(500))).value, []);
  await rejected(rig.clock, rig.pc.connect(PHONE, { timeoutMs: 300 }));
  rig.phone.powerOn();
  assert.equal((await resolved(rig.clock, rig.pc.scan(500))).value.length, 1);
  const again = await connect(rig);
  assert.equal(rig.phone.bonds.has(PC), true);
  await resolved(rig.clock, again.encrypt());
});

test('the tap reports connect and disconnect with reasons', async () => {
  const rig = makeRig();
  const log: string[] = [];
  rig.air.events.on('connect', (e) => log.push(`connect ${e.connectionId} ${e.central}->${e.peripheral} @${e.time}`));
  rig.air.events.on('disconnect', (e) => log.push(`disconnect ${e.connectionId} ${e.centralReason}/${e.peripheralReason} @${e.time}`));
  const connection = await connect(rig);
  await resolved(rig.clock, connection.disconnect());
  assert.deepEqual(log, [`connect 1 ${PC}->${PHONE} @60`, 'disconnect 1 22/19 @90']);
  assert.equal(rig.air.stats.connections, 1);
  assert.equal(rig.air.stats.disconnections, 1);
});

test('disconnect() from inside a listener stops delivery at once, even within the same event', async () => {
  const rig = makeRig({ model: { packetsPerEvent: [7, 7] } });
  const connection = await connect(rig);
  const got: number[] = [];
  await resolved(
    rig.clock,
    connection.gatt.subscribe(SERVICE, NOTIFY, (v) => {
      got.push(v[0] ?? -1);
      void connection.disconnect();
    }),
  );
  const peer = rig.phone.peers()[0];
  assert.ok(peer);
  for (const n of [1, 2, 3]) rig.phone.notify(peer, NOTIFY, Uint8Array.of(n));
  await rig.clock.runUntilIdle();
  assert.deepEqual(got, [1]);
  assert.equal(connection.connected, false);
  assert.equal(rig.air.stats.droppedPdus, 2);
});
