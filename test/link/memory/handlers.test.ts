import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AttErrorCode } from '../../../src/link/att-codes';
import { AttError } from '../../../src/link/errors';
import { HandlerErrorEvent } from '../../../src/link/memory';
import { DATA, NOTIFY, SERVICE, bytes, connect, makeRig, rejected, resolved } from './rig';

const CP = 'FFF5';
const BROKEN = 'FFF6';
const PICKY = 'FFF7';

function handlerRig() {
  const boom = new TypeError('handler bug');
  const rig = makeRig({
    extra: [
      {
        uuid: CP,
        properties: ['write'],
        security: 'open',
        onWrite: (_peer, value) => {
          if (value[0] !== 0x00) throw new AttError(0xa1);
        },
      },
      {
        uuid: BROKEN,
        properties: ['read', 'write', 'writeWithoutResponse'],
        security: 'open',
        onRead: () => {
          throw boom;
        },
        onWrite: () => {
          throw boom;
        },
      },
      {
        uuid: PICKY,
        properties: ['notify'],
        security: 'open',
        onSubscribe: () => {
          throw new AttError(AttErrorCode.CccdImproperlyConfigured);
        },
      },
    ],
  });
  const reported: HandlerErrorEvent[] = [];
  rig.air.events.on('handlerError', (e) => reported.push(e));
  return { rig, boom, reported };
}

test('a handler throwing AttError answers with that code', async () => {
  const { rig, reported } = handlerRig();
  const connection = await connect(rig);
  const { error } = await rejected(rig.clock, connection.gatt.write(SERVICE, CP, Uint8Array.of(0x07)));
  assert.ok(error instanceof AttError);
  assert.equal(error.attCode, 0xa1);
  await resolved(rig.clock, connection.gatt.write(SERVICE, CP, Uint8Array.of(0x00)));
  assert.deepEqual(reported, [], 'an AttError is an answer, not a fault');
  const sub = await rejected(rig.clock, connection.gatt.subscribe(SERVICE, PICKY, () => undefined));
  assert.ok(sub.error instanceof AttError && sub.error.attCode === 0xfd);
  const peer = rig.phone.peers()[0];
  assert.ok(peer);
  assert.equal(rig.phone.isSubscribed(peer, PICKY), false, 'a refused CCCD write leaves no subscription');
});

test('any other exception answers Unlikely Error, is reported, and the link carries on', async () => {
  const { rig, boom, reported } = handlerRig();
  const connection = await connect(rig);
  const read = await rejected(rig.clock, connection.gatt.read(SERVICE, BROKEN));
  assert.ok(read.error instanceof AttError && read.error.attCode === AttErrorCode.UnlikelyError);
  const write = await rejected(rig.clock, connection.gatt.write(SERVICE, BROKEN, Uint8Array.of(1)));
  assert.ok(write.error instanceof AttError && write.error.attCode === AttErrorCode.UnlikelyError);
  // A Write Command has no response: the failure is only reported.
  await resolved(rig.clock, connection.gatt.write(SERVICE, BROKEN, Uint8Array.of(1), false));
  await rig.clock.runUntilIdle();
  assert.equal(reported.length, 3);
  for (const e of reported) {
    assert.equal(e.error, boom);
    assert.equal(e.side, 'peripheral');
    assert.equal(e.characteristic, BROKEN);
    assert.equal(e.connectionId, connection.connectionId);
  }
  assert.equal(connection.connected, true);
  await resolved(rig.clock, connection.gatt.read(SERVICE, DATA));
});

test('an onRead returning something other than a short Uint8Array answers Unlikely Error', async () => {
  const { rig, reported } = handlerRig();
  rig.readValue.current = bytes(513);
  const connection = await connect(rig);
  const { error } = await rejected(rig.clock, connection.gatt.read(SERVICE, DATA));
  assert.ok(error instanceof AttError && error.attCode === AttErrorCode.UnlikelyError);
  assert.ok(reported[0]?.error instanceof RangeError);
});

test('requests the characteristic does not allow get the matching ATT error', async () => {
  const { rig } = handlerRig();
  const connection = await connect(rig);
  const cases: [Promise<unknown>, number][] = [
    [connection.gatt.read(SERVICE, CP), AttErrorCode.ReadNotPermitted],
    [connection.gatt.write(SERVICE, NOTIFY, Uint8Array.of(1)), AttErrorCode.WriteNotPermitted],
    [connection.gatt.subscribe(SERVICE, DATA, () => undefined), AttErrorCode.AttributeNotFound],
    [connection.gatt.read(SERVICE, 'ABCD'), AttErrorCode.AttributeNotFound],
    [connection.gatt.read('1234', DATA), AttErrorCode.AttributeNotFound],
  ];
  for (const [promise, code] of cases) {
    const { error } = await rejected(rig.clock, promise);
    assert.ok(error instanceof AttError, String(error));
    assert.equal(error.attCode, code);
  }
  // A Write Command to a characteristic without writeWithoutResponse is dropped silently.
  await resolved(rig.clock, connection.gatt.write(SERVICE, CP, Uint8Array.of(0), false));
  assert.equal(rig.writes.length, 0);
});

test('a throwing notification listener or event listener is reported, not fatal', async () => {
  const { rig, reported } = handlerRig();
  const connection = await connect(rig);
  const oops = new Error('listener bug');
  rig.phone.events.on('mtuChanged', () => {
    throw oops;
  });
  await resolved(rig.clock, connection.gatt.exchangeMtu(517));
  const got: number[] = [];
  await resolved(
    rig.clock,
    connection.gatt.subscribe(SERVICE, NOTIFY, (v) => {
      got.push(v[0] ?? -1);
      if (v[0] === 1) throw oops;
    }),
  );
  const peer = rig.phone.peers()[0];
  assert.ok(peer);
  for (const n of [1, 2]) rig.phone.notify(peer, NOTIFY, Uint8Array.of(n));
  await rig.clock.runUntilIdle();
  assert.deepEqual(got, [1, 2]);
  assert.deepEqual(
    reported.map((e) => [e.side, e.error]),
    [
      ['peripheral', oops],
      ['central', oops],
    ],
  );
});

test('a throwing pairing policy refuses pairing and is reported', async () => {
  const { rig, reported } = handlerRig();
  rig.phone.setPairingPolicy(() => {
    throw new Error('policy bug');
  });
  const connection = await connect(rig);
  await rejected(rig.clock, connection.pair());
  assert.equal(reported.length, 1);
  assert.equal(connection.encrypted, false);
});
