/**
 * The noble-side GATT client's rediscovery and Service Changed handling,
 * against a stand-in for noble that, like noble, makes new Service and
 * Characteristic objects on every discovery and reports raw value handles
 * (`characteristicsDiscovered`) and every notification by handle
 * (`handleNotify`). The real stacks run in service-changed.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import type { Peripheral } from '@stoprocent/noble';
import { MemoryBondStore } from '../../../../src/link/ble';
import { AttError } from '../../../../src/link/errors';
import { VirtualClock } from '../../../../src/link/virtual-clock';
import { NobleConnection } from '../../../../src/link/hci/host/noble-connection';

type Callback = (error?: Error, value?: Buffer) => void;

interface CharacteristicSpec {
  uuid: string;
  properties: string[];
  valueHandle: number;
}
interface ServiceSpec {
  uuid: string;
  characteristics: CharacteristicSpec[];
}

class FakeCharacteristic extends EventEmitter {
  readonly calls: { op: string; callback: Callback }[] = [];
  constructor(
    readonly uuid: string,
    readonly properties: string[],
  ) {
    super();
  }
  read(callback: Callback): void {
    this.calls.push({ op: 'read', callback });
  }
  write(_data: Buffer, withoutResponse: boolean, callback: Callback): void {
    this.calls.push({ op: withoutResponse ? 'writeCommand' : 'write', callback });
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
    readonly spec: ServiceSpec,
    private readonly made: FakeCharacteristic[],
  ) {
    super();
  }
  get uuid(): string {
    return this.spec.uuid;
  }
  discoverCharacteristics(_uuids: string[], callback: (error: Error | undefined, c: FakeCharacteristic[]) => void): void {
    const characteristics = this.spec.characteristics.map((c) => new FakeCharacteristic(c.uuid, c.properties));
    this.made.push(...characteristics);
    queueMicrotask(() => {
      this.emit('characteristicsDiscovered', this.spec.characteristics.map((c) => ({ uuid: c.uuid, startHandle: c.valueHandle - 1, valueHandle: c.valueHandle })));
      callback(undefined, characteristics);
    });
  }
}

class FakePeripheral extends EventEmitter {
  readonly id = 'aabbccddee02';
  readonly address = 'aa:bb:cc:dd:ee:02';
  readonly made: FakeCharacteristic[] = [];
  discoveries = 0;
  constructor(public spec: ServiceSpec[]) {
    super();
  }
  discoverServices(_uuids: string[], callback: (error: Error | undefined, s: FakeService[]) => void): void {
    this.discoveries++;
    const services = this.spec.map((s) => new FakeService(s, this.made));
    queueMicrotask(() => callback(undefined, services));
  }
  disconnect(): void {}
}

const GATT: ServiceSpec = { uuid: '1801', characteristics: [{ uuid: '2a05', properties: ['indicate'], valueHandle: 8 }] };
const MAIN: ServiceSpec = {
  uuid: 'fff0',
  characteristics: [
    { uuid: 'fff1', properties: ['read', 'write'], valueHandle: 0x12 },
    { uuid: 'fff2', properties: ['notify'], valueHandle: 0x14 },
  ],
};
const OTHER: ServiceSpec = { uuid: 'eee0', characteristics: [{ uuid: 'eee1', properties: ['write'], valueHandle: 0x22 }] };

function makeRig(spec: ServiceSpec[] = [{ uuid: '1800', characteristics: [] }, GATT, MAIN, OTHER]) {
  const clock = new VirtualClock();
  const acl = new EventEmitter();
  // noble's per-connection GATT records, as noble-gatt-cache.ts trims them.
  const records = { _services: {} as Record<string, unknown>, _characteristics: {} as Record<string, unknown>, _descriptors: {} as Record<string, unknown> };
  const peripheral = new FakePeripheral(spec);
  const noble = { _bindings: { _handles: { [peripheral.id]: 64 }, _aclStreams: { 64: acl }, _gatts: { 64: records } } };
  const handlerErrors: unknown[] = [];
  const connection = new NobleConnection({
    noble,
    peripheral: peripheral as unknown as Peripheral,
    peerAddress: 'AA:BB:CC:DD:EE:02',
    clock,
    bonds: new MemoryBondStore(),
    requestTimeoutMs: 30_000,
    pairingTimeoutMs: 10_000,
    disconnectTimeoutMs: 5000,
    onEnd: () => undefined,
    onHandlerError: (error) => handlerErrors.push(error),
  });
  let changes = 0;
  connection.gatt.events.on('servicesChanged', () => changes++);
  return { clock, acl, records, peripheral, connection, gatt: connection.gatt, handlerErrors, changes: () => changes };
}
type Rig = ReturnType<typeof makeRig>;

const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

/** The next call noble got on any object for `uuid` (the newest object first). */
async function nextCall(rig: Rig, uuid: string) {
  for (let i = 0; i < 30; i++) {
    const target = [...rig.peripheral.made].reverse().find((c) => c.uuid === uuid && c.calls.length > 0);
    const call = target?.calls.shift();
    if (target && call) return { target, ...call };
    await settle();
  }
  assert.fail(`noble got no call on ${uuid}`);
}

function pendingCalls(rig: Rig): string[] {
  return rig.peripheral.made.flatMap((c) => c.calls.map((call) => `${c.uuid}:${call.op}`));
}

/** discoverServices, answering the Service Changed subscription it makes on the first run. */
async function discover(rig: Rig) {
  const discovering = rig.gatt.discoverServices();
  const call = await nextCall(rig, '2a05');
  assert.equal(call.op, 'subscribe');
  call.callback();
  return discovering;
}

function indicate(rig: Rig, handle: number, value: number[]) {
  rig.peripheral.emit('handleNotify', handle, Buffer.from(value));
}

test('the first discovery that finds GATT subscribes to Service Changed; later ones and concurrent ones do not', async () => {
  const rig = makeRig();
  assert.equal(rig.gatt.followsServiceChanged, false);
  const [first, second] = await Promise.all([discover(rig), rig.gatt.discoverServices()]);
  assert.deepEqual(first, ['1800', '1801', 'FFF0', 'EEE0']);
  assert.deepEqual(second, first);
  assert.equal(rig.gatt.followsServiceChanged, true);
  assert.deepEqual(await rig.gatt.discoverServices(), first);
  await settle();
  assert.deepEqual(pendingCalls(rig), [], 'subscribed once only');
});

test('a server without GATT service: nothing more is asked', async () => {
  const rig = makeRig([MAIN]);
  assert.deepEqual(await rig.gatt.discoverServices(), ['FFF0']);
  await settle();
  assert.deepEqual(pendingCalls(rig), []);
  assert.equal(rig.gatt.followsServiceChanged, false);
});

test('a refused Service Changed subscription does not fail discovery and is not asked again', async () => {
  const rig = makeRig();
  const discovering = rig.gatt.discoverServices();
  await nextCall(rig, '2a05');
  rig.acl.emit('data', 4, Buffer.from([0x01, 0x12, 0x09, 0x00, 0x03])); // Write Not Permitted on the CCCD
  assert.deepEqual(await discovering, ['1800', '1801', 'FFF0', 'EEE0']);
  assert.equal(rig.gatt.followsServiceChanged, false);
  await rig.gatt.discoverServices();
  await settle();
  assert.deepEqual(pendingCalls(rig), []);
});

test('notifications are routed by value handle and survive a rediscovery, which trims noble\'s records', async () => {
  const rig = makeRig();
  await discover(rig);
  const got: number[] = [];
  const subscribing = rig.gatt.subscribe('FFF0', 'FFF2', (v) => got.push(v[0] ?? -1));
  (await nextCall(rig, 'fff2')).callback();
  await subscribing;
  indicate(rig, 0x14, [1]);
  indicate(rig, 0x12, [99]); // nobody subscribed to that handle
  rig.records._services = Object.assign(rig.records._services, { fff0: {}, dead: {} });
  rig.records._characteristics['fff0'] = { fff2: {} };
  assert.deepEqual(await rig.gatt.discoverServices(), ['1800', '1801', 'FFF0', 'EEE0']);
  assert.deepEqual(Object.keys(rig.records._services), ['fff0'], 'a service noble no longer found is forgotten');
  assert.deepEqual(rig.records._characteristics, {});
  indicate(rig, 0x14, [2]);
  assert.deepEqual(got, [1, 2]);
  // A read after the rediscovery goes to noble's new object, never the replaced one.
  const reading = rig.gatt.read('FFF0', 'FFF1');
  const call = await nextCall(rig, 'fff1');
  assert.equal(call.target, rig.peripheral.made.filter((c) => c.uuid === 'fff1').at(-1));
  call.callback(undefined, Buffer.from([7]));
  assert.deepEqual(await reading, Uint8Array.of(7));
});

test('each Service Changed indication: one servicesChanged, after noble\'s handling; every handle forgotten', async () => {
  const rig = makeRig();
  await discover(rig);
  const got: number[] = [];
  const subscribing = rig.gatt.subscribe('FFF0', 'FFF2', (v) => got.push(v[0] ?? -1));
  (await nextCall(rig, 'fff2')).callback();
  await subscribing;
  rig.records._services['fff0'] = {};
  rig.records._characteristics['1801'] = { '2a05': {} };
  const discoveries = rig.peripheral.discoveries;
  indicate(rig, 8, [0x01, 0x00, 0xff, 0xff]);
  assert.equal(rig.changes(), 0, 'not from inside noble\'s handling of the PDU');
  await settle();
  assert.equal(rig.changes(), 1);
  assert.deepEqual(rig.records, { _services: {}, _characteristics: {}, _descriptors: {} });
  indicate(rig, 0x14, [3]);
  assert.deepEqual(got, [], 'subscriptions end: their handles may belong to something else now');
  indicate(rig, 8, [0x01, 0x00, 0xff, 0xff]);
  await settle();
  assert.equal(rig.changes(), 2, 'once per indication');
  // The next call discovers afresh.
  const reading = rig.gatt.read('FFF0', 'FFF1');
  const call = await nextCall(rig, 'fff1');
  assert.equal(rig.peripheral.discoveries, discoveries + 1);
  call.callback(undefined, Buffer.from([1]));
  await reading;
});

test('calls waiting when the services change: gone ends in Attribute Not Found, still served is looked up again', async () => {
  const rig = makeRig();
  await discover(rig);
  await rig.gatt.discoverCharacteristics('FFF0');
  await rig.gatt.discoverCharacteristics('EEE0');
  const inFlight = rig.gatt.read('FFF0', 'FFF1');
  const read = await nextCall(rig, 'fff1');
  const kept = rig.gatt.write('FFF0', 'FFF1', Uint8Array.of(1));
  const gone = assert.rejects(rig.gatt.write('EEE0', 'EEE1', Uint8Array.of(2)), (e: unknown) => e instanceof AttError && e.attCode === 0x0a);
  await settle();
  // The phone withdraws EEE0 and says so while the read is in flight.
  rig.peripheral.spec = [{ uuid: '1800', characteristics: [] }, GATT, MAIN];
  indicate(rig, 8, [0x01, 0x00, 0xff, 0xff]);
  read.callback(undefined, Buffer.from([5])); // noble still completes what it had sent
  assert.deepEqual(await inFlight, Uint8Array.of(5));
  const write = await nextCall(rig, 'fff1');
  assert.equal(write.op, 'write');
  assert.notEqual(write.target, read.target, 'the write went to the object of the new discovery');
  write.callback();
  await kept;
  await gone;
  assert.equal(rig.changes(), 1);
});

test('when the link ends the client stops listening to the peripheral', async () => {
  const rig = makeRig();
  await discover(rig);
  assert.equal(rig.peripheral.listenerCount('handleNotify'), 1);
  rig.connection.end(0x13);
  assert.equal(rig.peripheral.listenerCount('handleNotify'), 0);
  indicate(rig, 8, [0x01, 0x00, 0xff, 0xff]);
  await settle();
  assert.equal(rig.changes(), 0);
});
