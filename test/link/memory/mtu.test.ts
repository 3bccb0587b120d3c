import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ATT_DEFAULT_MTU, negotiatedMtu } from '../../../src/link/link-model';
import { LinkError } from '../../../src/link/errors';
import { GattPeer } from '../../../src/link/ble';
import { NOTIFY, PHONE, SERVICE, bytes, connect, makeRig, rejected, resolved } from './rig';

test('the ATT MTU is 23 on both ends until an exchange', async () => {
  const rig = makeRig();
  const connection = await connect(rig);
  assert.equal(connection.gatt.mtu, ATT_DEFAULT_MTU);
  const [peer] = rig.phone.peers();
  assert.equal(peer?.mtu, ATT_DEFAULT_MTU);
});

async function exchange(options: { phoneMax?: number; pcMax?: number; offer: number }) {
  const rig = makeRig({ model: options.phoneMax ? { maxMtu: options.phoneMax } : {}, pcMaxMtu: options.pcMax });
  const seen: number[] = [];
  rig.phone.events.on('mtuChanged', (_peer: GattPeer, mtu: number) => seen.push(mtu));
  const connection = await connect(rig);
  const { value, time } = await resolved(rig.clock, connection.gatt.exchangeMtu(options.offer));
  return { rig, connection, value, time, seen };
}

test('iPhone 185 against a PC offering 517 gives 185 on both ends', async () => {
  const { rig, connection, value, seen } = await exchange({ phoneMax: 185, pcMax: 517, offer: 517 });
  assert.equal(value, 185);
  assert.equal(connection.gatt.mtu, 185);
  assert.deepEqual(seen, [185]);
  assert.equal(rig.phone.peers()[0]?.mtu, 185);
});

test('a PC offering 100 gets 100', async () => {
  const { value, seen } = await exchange({ phoneMax: 185, offer: 100 });
  assert.equal(value, 100);
  assert.deepEqual(seen, [100]);
});

test('an offer below 23 still leaves the minimum MTU of 23', async () => {
  const { value, connection } = await exchange({ phoneMax: 185, offer: 10 });
  assert.equal(value, 23);
  assert.equal(connection.gatt.mtu, 23);
});

test("the central's maxMtu caps what the PC offers", async () => {
  const { value } = await exchange({ phoneMax: 247, pcMax: 150, offer: 517 });
  assert.equal(value, 150);
  assert.equal(negotiatedMtu(Math.min(517, 150), 247), 150);
});

test('the exchange costs one round trip: request at the next event, response one interval later', async () => {
  const { rig, time } = await exchange({ phoneMax: 185, offer: 517 });
  const { connectSetupMs: anchor, connectionIntervalMs: ci } = rig.model;
  // Connected at t = connectSetupMs (the anchor); the request goes at anchor + ci, the response at anchor + 2ci.
  assert.equal(time, anchor + 2 * ci);
  assert.deepEqual(
    rig.pdus.map((p) => [p.time, p.kind, p.bytes]),
    [
      [anchor + ci, 'ATT_EXCHANGE_MTU_REQ', 3],
      [anchor + 2 * ci, 'ATT_EXCHANGE_MTU_RSP', 3],
    ],
  );
});

test('a second exchange sends nothing and returns the MTU in force', async () => {
  const { rig, connection } = await exchange({ phoneMax: 185, offer: 517 });
  const before = rig.pdus.length;
  const { value } = await resolved(rig.clock, connection.gatt.exchangeMtu(50));
  assert.equal(value, 185);
  assert.equal(rig.pdus.length, before);
});

test('notify refuses a value longer than MTU-3 with link.value-too-long', async () => {
  const rig = makeRig();
  const connection = await connect(rig);
  await resolved(rig.clock, connection.gatt.subscribe(SERVICE, NOTIFY, () => undefined));
  const peer = rig.phone.peers()[0];
  assert.ok(peer);
  rig.phone.notify(peer, NOTIFY, bytes(20));
  assert.throws(
    () => rig.phone.notify(peer, NOTIFY, bytes(21)),
    (err: unknown) => err instanceof LinkError && err.code === 'link.value-too-long',
  );
  await resolved(rig.clock, connection.gatt.exchangeMtu(517));
  rig.phone.notify(peer, NOTIFY, bytes(182));
  assert.throws(() => rig.phone.notify(peer, NOTIFY, bytes(183)), /MTU-3/);
  await rig.clock.runUntilIdle();
});

test('a write longer than MTU-3 is refused locally with link.value-too-long', async () => {
  const rig = makeRig();
  const connection = await connect(rig);
  const { error } = await rejected(rig.clock, connection.gatt.write(SERVICE, 'FFF2', bytes(21)));
  assert.ok(error instanceof LinkError && error.code === 'link.value-too-long');
  const cmd = await rejected(rig.clock, connection.gatt.write(SERVICE, 'FFF2', bytes(21), false));
  assert.ok(cmd.error instanceof LinkError && cmd.error.code === 'link.value-too-long');
  assert.equal(rig.writes.length, 0);
  assert.equal(connection.peerAddress, PHONE);
});
