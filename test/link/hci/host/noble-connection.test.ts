/**
 * The noble-side client and connection against a stand-in for noble's
 * objects: what noble does with ATT errors and pairing is replayed by hand
 * (an Error Response reaches the tap first, then noble's own handling), so
 * these tests pin down how each case maps onto the seam's errors.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import type { Peripheral } from '@stoprocent/noble';
import { MemoryBondStore } from '../../../../src/link/ble';
import { AttError, DisconnectedError, LinkError, PairingError, QueueFullError } from '../../../../src/link/errors';
import { VirtualClock } from '../../../../src/link/virtual-clock';
import { NobleConnection, disconnectReasonOf } from '../../../../src/link/hci/host/noble-connection';
import { MAX_QUEUED_CALLS } from '../../../../src/link/hci/host/noble-gatt-client';
import { parseErrorResponse } from '../../../../src/link/hci/host/noble-att-tap';
import { decodeBondKey, encodeBondKey } from '../../../../src/link/hci/host/noble-security';

const SERVICE = 'fff0';
const DATA = 'fff1';
const NOTIFY = 'fff2';

type Callback = (error?: Error, value?: Buffer) => void;

class FakeCharacteristic extends EventEmitter {
  readonly calls: { op: string; data?: Buffer; callback: Callback }[] = [];
  constructor(
    readonly uuid: string,
    readonly properties: string[],
  ) {
    super();
  }
  read(callback: Callback): void {
    this.calls.push({ op: 'read', callback });
  }
  write(data: Buffer, withoutResponse: boolean, callback: Callback): void {
    this.calls.push({ op: withoutResponse ? 'writeCommand' : 'write', data, callback });
  }
  subscribe(callback: Callback): void {
    this.calls.push({ op: 'subscribe', callback });
  }
  unsubscribe(callback: Callback): void {
    this.calls.push({ op: 'unsubscribe', callback });
  }
}

class FakeService extends EventEmitter {
  constructor(
    readonly uuid: string,
    readonly characteristics: FakeCharacteristic[],
  ) {
    super();
  }
  discoverCharacteristics(_uuids: string[], callback: (error: Error | undefined, c: FakeCharacteristic[]) => void): void {
    queueMicrotask(() => callback(undefined, this.characteristics));
  }
}

class FakePeripheral extends EventEmitter {
  readonly id = 'aabbccddee02';
  readonly address = 'aa:bb:cc:dd:ee:02';
  mtu: number | null = 517; // left over from an earlier connection
  disconnects = 0;
  constructor(readonly services: FakeService[]) {
    super();
  }
  discoverServices(_uuids: string[], callback: (error: Error | undefined, s: FakeService[]) => void): void {
    queueMicrotask(() => callback(undefined, this.services));
  }
  disconnect(): void {
    this.disconnects++;
  }
}

/** noble's private per-connection objects, as far as the tap and the security code reach. */
class FakeAclStream extends EventEmitter {
  readonly _smp = new EventEmitter();
  pairingRequests = 0;
  encrypt(): void {
    this.pairingRequests++;
  }
}

class FakeGatt {
  _currentCommand: object | null = null;
  _security = 'low';
  repeated = 0;
  readonly onAclStreamEncryptBinded = (encrypt: unknown): void => {
    if (!encrypt) return;
    this._security = 'medium';
    if (this._currentCommand === null) throw new TypeError("Cannot read properties of null (reading 'buffer')"); // what noble 2.8 does
    this.repeated++;
  };
}

class FakeHci {
  readonly encryptions: string[] = [];
  startLeEncryption(handle: number, random: Buffer, diversifier: Buffer, key: Buffer): void {
    this.encryptions.push(`${handle}:${random.toString('hex')}:${diversifier.toString('hex')}:${key.toString('hex')}`);
  }
}

interface Rig {
  clock: VirtualClock;
  acl: FakeAclStream;
  gattInternals: FakeGatt;
  hci: FakeHci;
  bonds: MemoryBondStore;
  peripheral: FakePeripheral;
  data: FakeCharacteristic;
  notify: FakeCharacteristic;
  connection: NobleConnection;
  ended: NobleConnection[];
  handlerErrors: unknown[];
}

function makeRig(options: { tapped?: boolean; bonds?: MemoryBondStore } = {}): Rig {
  const clock = new VirtualClock();
  const acl = new FakeAclStream();
  const gattInternals = new FakeGatt();
  acl.on('encrypt', gattInternals.onAclStreamEncryptBinded);
  const hci = new FakeHci();
  const bonds = options.bonds ?? new MemoryBondStore();
  const data = new FakeCharacteristic(DATA, ['read', 'write', 'writeWithoutResponse']);
  const notify = new FakeCharacteristic(NOTIFY, ['notify', 'broadcast']);
  const peripheral = new FakePeripheral([new FakeService('1800', []), new FakeService(SERVICE, [data, notify])]);
  const noble = options.tapped === false ? {} : { _bindings: { _handles: { [peripheral.id]: 64 }, _aclStreams: { 64: acl }, _gatts: { 64: gattInternals }, _hci: hci } };
  const ended: NobleConnection[] = [];
  const handlerErrors: unknown[] = [];
  const connection = new NobleConnection({
    noble,
    peripheral: peripheral as unknown as Peripheral,
    peerAddress: 'AA:BB:CC:DD:EE:02',
    clock,
    bonds,
    requestTimeoutMs: 30_000,
    pairingTimeoutMs: 10_000,
    disconnectTimeoutMs: 5000,
    onEnd: (c) => ended.push(c),
    onHandlerError: (error) => handlerErrors.push(error),
  });
  return { clock, acl, gattInternals, hci, bonds, peripheral, data, notify, connection, ended, handlerErrors };
}

/** An ATT Error Response as noble's ACL stream delivers it. */
function attError(rig: Rig, requestOpcode: number, code: number): void {
  rig.acl.emit('data', 4, Buffer.from([0x01, requestOpcode, 0x03, 0x00, code]));
}

/** Lets queued microtasks (noble's fake callbacks, our pump) run. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

async function nextCall(c: FakeCharacteristic) {
  for (let i = 0; i < 20 && c.calls.length === 0; i++) await settle();
  const call = c.calls.shift();
  assert.ok(call, 'noble was called');
  return call;
}

test('parseErrorResponse reads [0x01, request, handle LE, code] and nothing shorter', () => {
  assert.deepEqual(parseErrorResponse(Uint8Array.of(0x01, 0x12, 0x34, 0x12, 0xa1)), { requestOpcode: 0x12, handle: 0x1234, attCode: 0xa1 });
  assert.equal(parseErrorResponse(Uint8Array.of(0x01, 0x12, 0x34, 0x12)), undefined);
  assert.equal(parseErrorResponse(Uint8Array.of(0x13)), undefined);
});

test('the MTU is 23 until this connection\'s exchange, whatever the Peripheral object remembers', async () => {
  const rig = makeRig();
  assert.equal(rig.connection.gatt.mtu, 23);
  const exchanged = rig.connection.gatt.exchangeMtu(517);
  rig.peripheral.emit('mtu', 185);
  assert.equal(await exchanged, 185);
  assert.equal(rig.connection.gatt.mtu, 185);
  assert.equal(await rig.connection.gatt.exchangeMtu(23), 185, 'the offer cannot change it afterwards');
});

test('discovery maps noble\'s UUIDs and properties onto ours', async () => {
  const rig = makeRig();
  assert.deepEqual(await rig.connection.gatt.discoverServices(), ['1800', 'FFF0']);
  assert.deepEqual(await rig.connection.gatt.discoverCharacteristics('FFF0'), [
    { uuid: 'FFF1', properties: ['read', 'write', 'writeWithoutResponse'] },
    { uuid: 'FFF2', properties: ['notify'] },
  ]);
  await assert.rejects(rig.connection.gatt.discoverCharacteristics('ABCD'), (e: unknown) => e instanceof AttError && e.attCode === 0x0a);
});

test('a read discovers lazily and returns a copy of the value', async () => {
  const rig = makeRig();
  const reading = rig.connection.gatt.read('FFF0', 'FFF1');
  const call = await nextCall(rig.data);
  call.callback(undefined, Buffer.from([1, 2, 3]));
  assert.deepEqual(await reading, Uint8Array.of(1, 2, 3));
  await assert.rejects(rig.connection.gatt.read('FFF0', 'FFF9'), (e: unknown) => e instanceof AttError && e.attCode === 0x0a);
});

test('a refused read rejects with the server\'s ATT code, not with empty data', async () => {
  const rig = makeRig();
  const reading = rig.connection.gatt.read('FFF0', 'FFF1');
  const call = await nextCall(rig.data);
  attError(rig, 0x0a, 0x80);
  call.callback(undefined, Buffer.alloc(0)); // noble's own handling of the same PDU
  await assert.rejects(reading, (e: unknown) => e instanceof AttError && e.attCode === 0x80);
});

test('a refused write rejects with the ATT code although noble never calls back', async () => {
  const rig = makeRig();
  const writing = rig.connection.gatt.write('FFF0', 'FFF1', Uint8Array.of(9));
  const call = await nextCall(rig.data);
  assert.deepEqual(call.data, Buffer.from([9]));
  attError(rig, 0x12, 0xa1);
  await assert.rejects(writing, (e: unknown) => e instanceof AttError && e.attCode === 0xa1);
  // The queue moves on.
  const next = rig.connection.gatt.write('FFF0', 'FFF1', Uint8Array.of(1), false);
  const command = await nextCall(rig.data);
  assert.equal(command.op, 'writeCommand');
  command.callback();
  await next;
});

test('an Error Response for another kind of request is not pinned on the call in progress', async () => {
  const rig = makeRig();
  const writing = rig.connection.gatt.write('FFF0', 'FFF1', Uint8Array.of(9));
  const call = await nextCall(rig.data);
  attError(rig, 0x0a, 0x02); // a Read error cannot belong to a Write
  call.callback();
  await writing;
});

test('writes longer than MTU-3 are refused before noble sees them', async () => {
  const rig = makeRig();
  await assert.rejects(rig.connection.gatt.write('FFF0', 'FFF1', new Uint8Array(21)), (e: unknown) => e instanceof LinkError && e.code === 'link.value-too-long');
});

test('subscribe delivers notifications only, in order, and unsubscribe stops them', async () => {
  const rig = makeRig();
  const got: number[] = [];
  const subscribing = rig.connection.gatt.subscribe('FFF0', 'FFF2', (v) => got.push(v[0] ?? -1));
  (await nextCall(rig.notify)).callback();
  await subscribing;
  for (const n of [1, 2, 3]) rig.notify.emit('data', Buffer.from([n]), true);
  rig.notify.emit('data', Buffer.from([99]), false); // a read answer, not a notification
  assert.deepEqual(got, [1, 2, 3]);
  const unsubscribing = rig.connection.gatt.unsubscribe('FFF0', 'FFF2');
  (await nextCall(rig.notify)).callback();
  await unsubscribing;
  rig.notify.emit('data', Buffer.from([4]), true);
  assert.deepEqual(got, [1, 2, 3]);
});

test('a throwing notification listener is reported and the next notification still arrives', async () => {
  const rig = makeRig();
  const got: number[] = [];
  const subscribing = rig.connection.gatt.subscribe('FFF0', 'FFF2', (v) => {
    if (v[0] === 1) throw new Error('listener bug');
    got.push(v[0] ?? -1);
  });
  (await nextCall(rig.notify)).callback();
  await subscribing;
  rig.notify.emit('data', Buffer.from([1]), true);
  rig.notify.emit('data', Buffer.from([2]), true);
  assert.deepEqual(got, [2]);
  assert.equal(rig.handlerErrors.length, 1);
});

test('a refused subscription rejects with the code and drops the listener', async () => {
  const rig = makeRig();
  const got: number[] = [];
  const subscribing = rig.connection.gatt.subscribe('FFF0', 'FFF2', (v) => got.push(v[0] ?? -1));
  await nextCall(rig.notify);
  attError(rig, 0x08, 0x0a);
  await assert.rejects(subscribing, (e: unknown) => e instanceof AttError && e.attCode === 0x0a);
  rig.notify.emit('data', Buffer.from([1]), true);
  assert.deepEqual(got, []);
});

test('Insufficient Authentication on an unencrypted link: noble pairs, the call then succeeds, pair() waits for it', async () => {
  const rig = makeRig();
  const events: string[] = [];
  rig.connection.events.on('encrypted', () => events.push('encrypted'));
  const subscribing = rig.connection.gatt.subscribe('FFF0', 'FFF2', () => undefined);
  const call = await nextCall(rig.notify);
  rig.gattInternals._currentCommand = {};
  attError(rig, 0x08, 0x05);
  const paired = rig.connection.pair();
  await settle();
  assert.equal(rig.acl.pairingRequests, 0, 'noble pairs by itself here; nothing more is sent');
  rig.acl.emit('encrypt', 1);
  await paired;
  assert.equal(rig.gattInternals.repeated, 1, 'noble repeats the refused request');
  call.callback();
  await subscribing;
  assert.equal(rig.connection.encrypted, true);
  assert.deepEqual(events, ['encrypted']);
  await rig.connection.encrypt(); // already encrypted
});

test('pair() on request: calls wait, noble\'s SMP starts, the distributed key becomes the bond', async () => {
  const rig = makeRig();
  rig.peripheral.emit('mtu', 185);
  const pairing = rig.connection.pair();
  const reading = rig.connection.gatt.read('FFF0', 'FFF1');
  await settle();
  assert.equal(rig.acl.pairingRequests, 1);
  assert.equal(rig.data.calls.length, 0, 'GATT calls wait for the pairing');
  // Encryption completes with no request in flight: noble alone would throw here.
  rig.acl.emit('encrypt', 1);
  assert.equal(rig.gattInternals._security, 'medium');
  rig.acl._smp.emit('ltk', Buffer.alloc(16, 0xaa));
  rig.acl._smp.emit('masterIdent', Buffer.from([0, 0]), Buffer.alloc(8));
  await pairing;
  assert.equal(rig.connection.bonded, true);
  const stored = rig.bonds.get('AA:BB:CC:DD:EE:02');
  assert.ok(stored);
  assert.deepEqual(decodeBondKey(stored)?.ltk, new Uint8Array(16).fill(0xaa));
  (await nextCall(rig.data)).callback(undefined, Buffer.from([1]));
  assert.deepEqual(await reading, Uint8Array.of(1));
});

test('pair() resolves without a bond when the phone distributes no key in time', async () => {
  const rig = makeRig();
  rig.peripheral.emit('mtu', 185);
  const pairing = rig.connection.pair();
  await settle();
  rig.acl.emit('encrypt', 1);
  await rig.clock.runFor(1000);
  await pairing;
  assert.equal(rig.connection.bonded, false);
});

test('a refused pairing on request is a PairingError and the link stays up', async () => {
  const rig = makeRig();
  rig.peripheral.emit('mtu', 185);
  const pairing = rig.connection.pair();
  await settle();
  rig.acl.emit('encryptFail');
  await assert.rejects(pairing, (e: unknown) => e instanceof PairingError);
  assert.equal(rig.connection.connected, true);
  assert.equal(rig.peripheral.disconnects, 0);
  const reading = rig.connection.gatt.read('FFF0', 'FFF1');
  (await nextCall(rig.data)).callback(undefined, Buffer.from([2]));
  assert.deepEqual(await reading, Uint8Array.of(2), 'calls flow again');
});

test('encrypt() uses the stored key; without one, or when the phone lacks it, PairingError', async () => {
  const bonds = new MemoryBondStore();
  const rig = makeRig({ bonds });
  rig.peripheral.emit('mtu', 185);
  await assert.rejects(rig.connection.encrypt(), (e: unknown) => e instanceof PairingError && /no bond/.test(e.message));
  const key = { ltk: new Uint8Array(16).fill(1), ediv: Uint8Array.of(2, 3), rand: new Uint8Array(8).fill(4) };
  bonds.set('AA:BB:CC:DD:EE:02', encodeBondKey(key));
  assert.equal(rig.connection.bonded, true);
  const refused = rig.connection.encrypt();
  await settle();
  assert.deepEqual(rig.hci.encryptions, [`64:${'04'.repeat(8)}:0203:${'01'.repeat(16)}`]);
  rig.acl.emit('encrypt', 0); // Encryption Change with a failure status
  await assert.rejects(refused, (e: unknown) => e instanceof PairingError && /key missing/.test(e.message));
  const accepted = rig.connection.encrypt();
  await settle();
  rig.acl.emit('encrypt', 1);
  await accepted;
  assert.equal(rig.connection.encrypted, true);
});

test('without noble\'s internals pair() is refused, and encryption state is unknown', async () => {
  const rig = makeRig({ tapped: false });
  assert.equal(rig.connection.canPairOnRequest, false);
  await assert.rejects(rig.connection.pair(), (e: unknown) => e instanceof PairingError && /cannot pair on request/.test(e.message));
});

test('when noble\'s pairing fails the call rejects with the server\'s code and the link is dropped', async () => {
  const rig = makeRig();
  const writing = rig.connection.gatt.write('FFF0', 'FFF1', Uint8Array.of(1));
  await nextCall(rig.data);
  attError(rig, 0x12, 0x0f);
  const paired = rig.connection.pair();
  rig.acl.emit('encryptFail');
  await assert.rejects(writing, (e: unknown) => e instanceof AttError && e.attCode === 0x0f);
  await assert.rejects(paired, PairingError);
  assert.equal(rig.peripheral.disconnects, 1);
});

test('pairing that never finishes times out the same way', async () => {
  const rig = makeRig();
  const reading = rig.connection.gatt.read('FFF0', 'FFF1');
  await nextCall(rig.data);
  attError(rig, 0x0a, 0x05);
  const failed = assert.rejects(reading, (e: unknown) => e instanceof AttError && e.attCode === 0x05);
  await rig.clock.runFor(10_000);
  await failed;
  assert.equal(rig.peripheral.disconnects, 1);
});

test('an unanswered request times out after the ATT transaction timeout and drops the link', async () => {
  const rig = makeRig();
  const reading = rig.connection.gatt.read('FFF0', 'FFF1');
  await nextCall(rig.data);
  const failed = assert.rejects(reading, (e: unknown) => e instanceof LinkError && e.code === 'link.att-timeout');
  await rig.clock.runFor(30_000);
  await failed;
  assert.equal(rig.peripheral.disconnects, 1);
});

test('without the tap a refused write can only time out', async () => {
  const rig = makeRig({ tapped: false });
  assert.equal(rig.connection.tapped, false);
  const writing = rig.connection.gatt.write('FFF0', 'FFF1', Uint8Array.of(1));
  await nextCall(rig.data);
  attError(rig, 0x12, 0xa1); // nobody listens
  const failed = assert.rejects(writing, (e: unknown) => e instanceof LinkError && e.code === 'link.att-timeout');
  await rig.clock.runFor(30_000);
  await failed;
});

test('calls queue behind each other, up to a bound', async () => {
  const rig = makeRig();
  await rig.connection.gatt.discoverCharacteristics('FFF0');
  const first = rig.connection.gatt.read('FFF0', 'FFF1');
  const waiting = Array.from({ length: MAX_QUEUED_CALLS }, () => rig.connection.gatt.read('FFF0', 'FFF1').catch((e: unknown) => e));
  await settle();
  await assert.rejects(rig.connection.gatt.read('FFF0', 'FFF1'), QueueFullError);
  assert.equal(rig.data.calls.length, 1, 'one call at a time');
  rig.data.calls.shift()?.callback(undefined, Buffer.from([7]));
  assert.deepEqual(await first, Uint8Array.of(7));
  rig.peripheral.emit('disconnect', 0x08);
  for (const result of await Promise.all(waiting)) assert.ok(result instanceof DisconnectedError && result.reason === 0x08);
});

test('a disconnect rejects everything pending with the controller\'s reason and ends once', async () => {
  const rig = makeRig();
  const reasons: number[] = [];
  rig.connection.events.on('disconnect', (r) => reasons.push(r));
  const reading = rig.connection.gatt.read('FFF0', 'FFF1');
  const mtu = rig.connection.gatt.exchangeMtu(185);
  await nextCall(rig.data);
  rig.peripheral.emit('disconnect', 0x13);
  rig.peripheral.emit('disconnect', 0x13);
  await assert.rejects(reading, (e: unknown) => e instanceof DisconnectedError && e.reason === 0x13);
  await assert.rejects(mtu, DisconnectedError);
  await assert.rejects(rig.connection.gatt.read('FFF0', 'FFF1'), (e: unknown) => e instanceof DisconnectedError && e.reason === 0x13);
  await assert.rejects(rig.connection.pair(), DisconnectedError);
  assert.deepEqual(reasons, [0x13]);
  assert.deepEqual(rig.ended, [rig.connection]);
  assert.equal(rig.connection.connected, false);
  assert.equal(rig.acl.listenerCount('data'), 0, 'the tap is gone');
});

test('disconnect() resolves on the controller\'s answer, or ends locally after its timeout', async () => {
  const rig = makeRig();
  const down = rig.connection.disconnect();
  assert.equal(rig.peripheral.disconnects, 1);
  rig.peripheral.emit('disconnect', 0x16);
  await down;
  const other = makeRig();
  const reasons: number[] = [];
  other.connection.events.on('disconnect', (r) => reasons.push(r));
  const silent = other.connection.disconnect();
  await other.clock.runFor(5000);
  await silent;
  assert.deepEqual(reasons, [0x16]);
});

test('disconnect reasons: numbers pass, strings with a code are read, others are local', () => {
  assert.equal(disconnectReasonOf(0x13), 0x13);
  assert.equal(disconnectReasonOf('Connection Timeout (0x08)'), 0x08);
  assert.equal(disconnectReasonOf('cleanup'), 0x16);
  assert.equal(disconnectReasonOf(undefined), 0x16);
  assert.equal(disconnectReasonOf(300), 0x16);
});
