import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AttErrorCode } from '../../../src/link/att-codes';
import { AttError, PairingError } from '../../../src/link/errors';
import { BONDED, DATA, ENCRYPTED, PC, PHONE, SERVICE, connect, makeRig, rejected, resolved } from './rig';

const attCode = (err: unknown): number | undefined => (err instanceof AttError ? err.attCode : undefined);

test('before pairing a bonded characteristic answers Insufficient Authentication to reads, writes and CCCD writes', async () => {
  const rig = makeRig();
  const connection = await connect(rig);
  const read = await rejected(rig.clock, connection.gatt.read(SERVICE, BONDED));
  assert.equal(attCode(read.error), AttErrorCode.InsufficientAuthentication);
  const write = await rejected(rig.clock, connection.gatt.write(SERVICE, BONDED, Uint8Array.of(1)));
  assert.equal(attCode(write.error), AttErrorCode.InsufficientAuthentication);
  const sub = await rejected(rig.clock, connection.gatt.subscribe(SERVICE, BONDED, () => undefined));
  assert.equal(attCode(sub.error), AttErrorCode.InsufficientAuthentication);
  assert.equal(rig.writes.length, 0, 'the handler never ran');
  const peer = rig.phone.peers()[0];
  assert.ok(peer);
  assert.equal(rig.phone.isSubscribed(peer, BONDED), false);
  // An encrypted-only characteristic asks for encryption instead.
  const enc = await rejected(rig.clock, connection.gatt.read(SERVICE, ENCRYPTED));
  assert.equal(attCode(enc.error), AttErrorCode.InsufficientEncryption);
  // Open characteristics work regardless.
  await resolved(rig.clock, connection.gatt.read(SERVICE, DATA));
  const errors = rig.pdus.filter((p) => p.kind === 'ATT_ERROR_RSP').map((p) => p.attCode);
  assert.deepEqual(errors, [0x05, 0x05, 0x05, 0x0f]);
});

test('pairing takes pairingMs, stores the same fresh 16-byte key on both sides and encrypts the link', async () => {
  const rig = makeRig();
  const connection = await connect(rig);
  const events: string[] = [];
  rig.phone.events.on('encrypted', (peer) => events.push(`phone:${peer.address}:${peer.encrypted}:${peer.bonded}`));
  connection.events.on('encrypted', () => events.push('pc'));
  const start = rig.clock.now();
  const { time } = await resolved(rig.clock, connection.pair());
  assert.equal(time, start + rig.model.pairingMs);
  assert.deepEqual(events, [`phone:${PC}:true:true`, 'pc']);
  const phoneKey = rig.phone.bonds.get(PC);
  const pcKey = rig.pc.bonds.get(PHONE);
  assert.equal(phoneKey?.length, 16);
  assert.deepEqual(phoneKey, pcKey);
  assert.equal(connection.encrypted, true);
  assert.equal(connection.bonded, true);
  // Now the bonded characteristic answers.
  const { value } = await resolved(rig.clock, connection.gatt.read(SERVICE, BONDED));
  assert.deepEqual([...value], [1, 2, 3]);
  await resolved(rig.clock, connection.gatt.write(SERVICE, ENCRYPTED, Uint8Array.of(9)));
  await resolved(rig.clock, connection.gatt.subscribe(SERVICE, BONDED, () => undefined));
});

test('on reconnect the link is bonded but not encrypted until encrypt(), which costs a round trip', async () => {
  const rig = makeRig();
  let connection = await connect(rig);
  await resolved(rig.clock, connection.pair());
  await resolved(rig.clock, connection.disconnect());
  connection = await connect(rig);
  assert.equal(connection.bonded, true);
  assert.equal(connection.encrypted, false);
  const before = await rejected(rig.clock, connection.gatt.read(SERVICE, BONDED));
  assert.equal(attCode(before.error), AttErrorCode.InsufficientEncryption);
  const ci = rig.model.connectionIntervalMs;
  const start = rig.clock.now();
  const { time } = await resolved(rig.clock, connection.encrypt());
  // Start is an event time (the error response arrived then): LL_ENC_REQ one interval later, the answer one more.
  assert.equal(time, start + 2 * ci);
  assert.equal(connection.encrypted, true);
  assert.equal(rig.phone.peers()[0]?.encrypted, true);
  await resolved(rig.clock, connection.gatt.read(SERVICE, BONDED));
  const control = rig.pdus.filter((p) => p.kind.startsWith('LL_')).map((p) => p.kind);
  assert.deepEqual(control, ['LL_ENC_REQ', 'LL_START_ENC_RSP']);
});

test('after the phone forgets the bond, encrypt() fails with PairingError and reads need authentication', async () => {
  const rig = makeRig();
  let connection = await connect(rig);
  await resolved(rig.clock, connection.pair());
  await resolved(rig.clock, connection.disconnect());
  rig.phone.forgetBond(PC);
  connection = await connect(rig);
  const { error } = await rejected(rig.clock, connection.encrypt());
  assert.ok(error instanceof PairingError);
  assert.equal(error.code, 'link.pairing-failed');
  assert.equal(connection.encrypted, false);
  assert.equal(connection.connected, true);
  const read = await rejected(rig.clock, connection.gatt.read(SERVICE, BONDED));
  assert.equal(attCode(read.error), AttErrorCode.InsufficientAuthentication);
  // Pairing again repairs it.
  await resolved(rig.clock, connection.pair());
  await resolved(rig.clock, connection.gatt.read(SERVICE, BONDED));
});

test('encrypt() without a bond on the PC fails at once with PairingError', async () => {
  const rig = makeRig();
  const connection = await connect(rig);
  const start = rig.clock.now();
  const { error, time } = await rejected(rig.clock, connection.encrypt());
  assert.ok(error instanceof PairingError);
  assert.equal(time, start);
});

test('a refusing pairing policy rejects pair() with PairingError and leaves the link up, unencrypted', async () => {
  const rig = makeRig();
  const asked: string[] = [];
  rig.phone.setPairingPolicy((peer) => {
    asked.push(peer.address);
    return false;
  });
  const connection = await connect(rig);
  const { error } = await rejected(rig.clock, connection.pair());
  assert.ok(error instanceof PairingError);
  assert.deepEqual(asked, [PC]);
  assert.equal(connection.connected, true);
  assert.equal(connection.encrypted, false);
  assert.equal(rig.phone.bonds.has(PC), false);
  assert.equal(rig.pc.bonds.has(PHONE), false);
});

test('re-pairing replaces the key on both sides', async () => {
  const rig = makeRig();
  const connection = await connect(rig);
  await resolved(rig.clock, connection.pair());
  const first = rig.pc.bonds.get(PHONE);
  await resolved(rig.clock, connection.pair());
  const second = rig.pc.bonds.get(PHONE);
  assert.ok(first && second);
  assert.notDeepEqual(second, first);
  assert.deepEqual(rig.phone.bonds.get(PC), second);
});

test('a second pair() while one is running is refused', async () => {
  const rig = makeRig();
  const connection = await connect(rig);
  const first = connection.pair();
  await assert.rejects(connection.pair(), PairingError);
  await resolved(rig.clock, first);
});
