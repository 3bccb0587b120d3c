import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ByteChannel, ClassicPeer } from '../../../../src/link/classic';
import { LinkError, PairingError } from '../../../../src/link/errors';
import { ClassicEncryptedTapEvent } from '../../../../src/link/memory/classic';
import { PC, PHONE, connect, makeRig, rejected, resolved } from './rig';

test('pairing takes pairingMs, stores the same fresh 16-byte key on both sides and encrypts both ends', async () => {
  const rig = makeRig();
  const taps: ClassicEncryptedTapEvent[] = [];
  rig.air.events.on('encrypted', (e) => taps.push(e));
  const connection = await connect(rig);
  const peer = rig.phone.peers()[0];
  assert.ok(peer);
  assert.equal(peer.encrypted, false);
  const start = rig.clock.now();
  const { time } = await resolved(rig.clock, connection.pair());
  assert.equal(time, start + rig.model.pairingMs);
  const phoneKey = rig.phone.bonds.get(PC);
  assert.equal(phoneKey?.length, 16);
  assert.deepEqual(rig.pc.bonds.get(PHONE), phoneKey);
  assert.notEqual(rig.pc.bonds.get(PHONE), phoneKey, 'each side holds its own copy');
  assert.equal(connection.encrypted, true);
  assert.equal(connection.bonded, true);
  assert.equal(peer.encrypted, true);
  assert.equal(peer.bonded, true);
  assert.deepEqual(taps, [{ time, connectionId: connection.connectionId, paired: true }]);
  // Already encrypted: nothing to do.
  assert.equal((await resolved(rig.clock, connection.pair())).time, time);
});

test('on reconnect the link is bonded but not encrypted until pair() authenticates in one round trip', async () => {
  const rig = makeRig();
  let connection = await connect(rig);
  await resolved(rig.clock, connection.pair());
  const key = rig.pc.bonds.get(PHONE);
  await resolved(rig.clock, connection.disconnect());
  connection = await connect(rig);
  assert.equal(connection.bonded, true);
  assert.equal(connection.encrypted, false);
  assert.equal(rig.phone.peers()[0]?.encrypted, false);
  const taps: ClassicEncryptedTapEvent[] = [];
  rig.air.events.on('encrypted', (e) => taps.push(e));
  const start = rig.clock.now();
  const { time } = await resolved(rig.clock, connection.pair());
  assert.equal(time, start + 2 * rig.model.latencyMs);
  assert.equal(connection.encrypted, true);
  assert.equal(rig.phone.peers()[0]?.encrypted, true);
  assert.deepEqual(rig.pc.bonds.get(PHONE), key, 'the key is kept');
  assert.deepEqual(taps.map((t) => t.paired), [false]);
});

test('a refusing pairing policy rejects with PairingError and leaves the link up, unencrypted, unbonded', async () => {
  const rig = makeRig();
  const asked: { address: string; cod: number }[] = [];
  rig.phone.setPairingPolicy((peer) => {
    asked.push({ address: peer.address, cod: peer.classOfDevice });
    return false;
  });
  const connection = await connect(rig);
  const { error } = await rejected(rig.clock, connection.pair());
  assert.ok(error instanceof PairingError);
  assert.equal(error.code, 'link.pairing-failed');
  assert.deepEqual(asked, [{ address: PC, cod: rig.pc.classOfDevice }]);
  assert.equal(connection.connected, true);
  assert.equal(connection.encrypted, false);
  assert.equal(rig.phone.bonds.has(PC), false);
  assert.equal(rig.pc.bonds.has(PHONE), false);
  // A throwing policy refuses too, and is reported.
  const errors: unknown[] = [];
  rig.air.events.on('handlerError', (e) => errors.push(e.error));
  rig.phone.setPairingPolicy(() => {
    throw new Error('policy bug');
  });
  assert.ok((await rejected(rig.clock, connection.pair())).error instanceof PairingError);
  assert.equal(errors.length, 1);
});

test('after the phone forgets the bond, pair() fails (key missing), drops the stale key, and the next pair() pairs afresh', async () => {
  const rig = makeRig();
  let connection = await connect(rig);
  await resolved(rig.clock, connection.pair());
  const oldKey = rig.pc.bonds.get(PHONE);
  await resolved(rig.clock, connection.disconnect());
  rig.phone.forgetBond(PC.toLowerCase());
  connection = await connect(rig);
  const start = rig.clock.now();
  const { error, time } = await rejected(rig.clock, connection.pair());
  assert.ok(error instanceof PairingError);
  assert.equal(time, start + 2 * rig.model.latencyMs);
  assert.equal(connection.bonded, false);
  assert.equal(connection.encrypted, false);
  assert.equal(connection.connected, true);
  const again = await resolved(rig.clock, connection.pair());
  assert.equal(again.time, time + rig.model.pairingMs);
  assert.notDeepEqual(rig.pc.bonds.get(PHONE), oldKey);
  assert.deepEqual(rig.phone.bonds.get(PC), rig.pc.bonds.get(PHONE));
});

test('a second pair() while one runs is refused; pairing out of range waits for range', async () => {
  const rig = makeRig();
  const connection = await connect(rig);
  const first = connection.pair();
  await assert.rejects(connection.pair(), PairingError);
  const start = rig.clock.now();
  rig.air.faults.outOfRange(1000, start + 50);
  const { time } = await resolved(rig.clock, first);
  assert.equal(time, start + 50 + 1000);
});

test('an acceptor can insist on encryption, as iOS does for PBAP and MAP', async () => {
  const rig = makeRig();
  const seen: { encrypted: boolean; cod: number }[] = [];
  rig.phone.listen(9, (peer: ClassicPeer, _channel: ByteChannel) => {
    seen.push({ encrypted: peer.encrypted, cod: peer.classOfDevice });
    return peer.encrypted;
  });
  const connection = await connect(rig);
  const refused = await rejected(rig.clock, connection.openChannel(9));
  assert.ok(refused.error instanceof LinkError && refused.error.code === 'link.channel-refused');
  await resolved(rig.clock, connection.pair());
  await resolved(rig.clock, connection.openChannel(9));
  assert.deepEqual(seen.map((s) => s.encrypted), [false, true]);
  assert.equal(seen[0]?.cod, rig.pc.classOfDevice);
});
