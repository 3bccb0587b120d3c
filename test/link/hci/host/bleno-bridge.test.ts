/**
 * The bleno child's bridge against a stand-in for bleno (the real one runs
 * in the hci integration test): what it tells the parent, how it answers
 * bleno's callbacks, and the SMP listener repair.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import type { Bleno } from '@stoprocent/bleno';
import { VirtualClock } from '../../../../src/link/virtual-clock';
import { BlenoBridge } from '../../../../src/link/hci/host/bleno-bridge';
import { ChildMessage, ChildOptions } from '../../../../src/link/hci/host/bleno-protocol';

type ReadCallback = (result: number, data?: Buffer) => void;
type WriteCallback = (result: number) => void;

interface CharacteristicOptions {
  uuid: string;
  properties: string[];
  secure: string[];
  onReadRequest(handle: number, offset: number, callback: ReadCallback): void;
  onWriteRequest(handle: number, data: Buffer, offset: number, withoutResponse: boolean, callback: WriteCallback): void;
  onSubscribe(handle: number, maxValueSize: number, update: (data?: Buffer) => void): void;
  onUnsubscribe(handle: number): void;
}

const lib = {
  Characteristic: class {
    constructor(readonly options: CharacteristicOptions) {}
  },
  PrimaryService: class {
    constructor(readonly options: { uuid: string; characteristics: { options: CharacteristicOptions }[] }) {}
  },
};

class FakeSmp {
  readonly seen: unknown[][] = [];
  readonly onAclStreamDataBinded = (cid: unknown, data: unknown): void => this.onAclStreamData(cid, data);
  onAclStreamData(cid: unknown, data: unknown): void {
    this.seen.push([cid, data]);
  }
}

class FakeHci extends EventEmitter {
  readonly disconnects: number[] = [];
  disconnect(handle: number): void {
    this.disconnects.push(handle);
  }
}

class FakeBleno extends EventEmitter {
  address = '11:22:33:44:55:66';
  mtu = 23;
  services: InstanceType<typeof lib.PrimaryService>[] = [];
  advertised: string[] = [];
  /** When set, advertising callbacks wait here instead of being called at once. */
  held: ((error?: Error | null) => void)[] | undefined;
  stopped = 0;
  readonly _bindings = {
    _hci: new FakeHci(),
    _gatt: { maxMtu: 256, name: '', _connections: new Map<number, { mtu: number }>(), updateName(name: string) { this.name = name; } },
    _connections: new Map<number, { aclStream: EventEmitter & { _smp?: FakeSmp } }>(),
  };
  setServices(services: InstanceType<typeof lib.PrimaryService>[]): void {
    this.services = services;
  }
  startAdvertisingWithEIRData(adv: Buffer, scan: Buffer, callback: (error?: Error | null) => void): void {
    this.advertised.push(`${adv.toString('hex')}/${scan.toString('hex')}`);
    if (this.held) this.held.push(callback);
    else callback(null);
  }
  stopAdvertising(): void {}
  disconnect(): void {}
  stop(): void {
    this.stopped++;
  }
  /** What bleno's bindings do when a central connects. */
  accept(handle: number, address = 'aa:bb:cc:dd:ee:01'): FakeSmp {
    const stream = Object.assign(new EventEmitter(), { _smp: new FakeSmp() });
    stream.on('data', stream._smp.onAclStreamDataBinded);
    this._bindings._connections.set(handle, { aclStream: stream });
    this._bindings._gatt._connections.set(handle, { mtu: 23 });
    this.emit('accept', address, handle);
    return stream._smp;
  }
  /** HCI Disconnection Complete, then bleno's own event, in bleno's order. */
  drop(handle: number, reason: number, address = 'aa:bb:cc:dd:ee:01', whileClosing?: () => void): void {
    this._bindings._hci.emit('disconnComplete', handle, reason);
    whileClosing?.();
    this.emit('disconnect', address, handle);
  }
}

const OPTIONS: ChildOptions = {
  controller: { hciDriver: 'uart', bindParams: { uart: { port: '/dev/null', baudRate: 1_000_000 } } },
  deviceName: 'SimPhone',
  maxMtu: 185,
  requestTimeoutMs: 5000,
};

function makeRig() {
  const clock = new VirtualClock();
  const bleno = new FakeBleno();
  const sent: ChildMessage[] = [];
  const exits: number[] = [];
  const child = new BlenoBridge(OPTIONS, lib as unknown as typeof import('@stoprocent/bleno'), bleno as unknown as Bleno, (m) => sent.push(m), (c) => exits.push(c), clock);
  child.start();
  bleno.emit('stateChange', 'poweredOn');
  child.handle({
    type: 'setServices',
    services: [
      {
        uuid: 'FFF0',
        characteristics: [
          { uuid: 'FFF1', properties: ['read', 'write', 'writeWithoutResponse'], security: 'open' },
          { uuid: 'FFF2', properties: ['notify'], security: 'bonded' },
        ],
      },
    ],
  });
  const characteristic = (i: number): CharacteristicOptions => {
    const c = bleno.services[0]?.options.characteristics[i]?.options;
    assert.ok(c);
    return c;
  };
  const take = () => sent.splice(0);
  return { clock, bleno, child, sent, exits, take, data: characteristic(0), notify: characteristic(1) };
}

test('powered on: the parent hears ready with the address; bleno gets our MTU and name', () => {
  const rig = makeRig();
  assert.deepEqual(rig.take().slice(0, 2), [
    { type: 'state', state: 'poweredOn' },
    { type: 'ready', address: '11:22:33:44:55:66' },
  ]);
  assert.equal(rig.bleno._bindings._gatt.maxMtu, 185);
  assert.equal(rig.bleno._bindings._gatt.name, 'SimPhone');
});

test('services become bleno services: library-form UUIDs, secure notify unless open', () => {
  const rig = makeRig();
  assert.equal(rig.bleno.services[0]?.options.uuid, 'fff0');
  assert.deepEqual([rig.data.uuid, rig.data.secure], ['fff1', []]);
  assert.deepEqual([rig.notify.uuid, rig.notify.secure], ['fff2', ['notify']]);
});

test('advertise passes our bytes through and reports the outcome', () => {
  const rig = makeRig();
  rig.take();
  rig.child.handle({ type: 'advertise', advertisingData: '020106', scanResponse: '0309414243' });
  assert.deepEqual(rig.bleno.advertised, ['020106/0309414243']);
  assert.deepEqual(rig.take(), [{ type: 'advertising', started: true, message: '' }]);
});

test('advertising requests run one at a time, each answered; a silent bleno times out', async () => {
  const rig = makeRig();
  rig.take();
  rig.bleno.held = [];
  rig.child.handle({ type: 'advertise', advertisingData: '01', scanResponse: '' });
  rig.child.handle({ type: 'advertise', advertisingData: '02', scanResponse: '' });
  rig.child.handle({ type: 'advertise', advertisingData: '03', scanResponse: '' });
  assert.deepEqual(rig.bleno.advertised, ['01/'], 'bleno keeps one callback: the next waits');
  rig.bleno.held.shift()?.(null);
  assert.deepEqual(rig.bleno.advertised, ['01/', '02/']);
  rig.bleno.held.shift()?.(new Error('Command Disallowed'));
  assert.deepEqual(rig.bleno.advertised, ['01/', '02/', '03/']);
  await rig.clock.runFor(3000);
  assert.deepEqual(rig.take(), [
    { type: 'advertising', started: true, message: '' },
    { type: 'advertising', started: false, message: 'Command Disallowed' },
    { type: 'advertising', started: false, message: 'no answer from bleno within 3000 ms' },
  ]);
});

test('a read asks the parent once; Read Blob continues from the same value', () => {
  const rig = makeRig();
  rig.bleno.accept(0x40);
  rig.take();
  const answers: [number, string][] = [];
  const cb: ReadCallback = (result, data) => answers.push([result, data ? data.toString('hex') : '']);
  rig.data.onReadRequest(0x40, 0, cb);
  const [request] = rig.take();
  assert.deepEqual(request, { type: 'read', requestId: 1, connection: 0x40, service: 'FFF0', characteristic: 'FFF1' });
  rig.child.handle({ type: 'readReply', requestId: 1, attCode: 0, value: '000102030405' });
  rig.data.onReadRequest(0x40, 4, cb);
  rig.data.onReadRequest(0x40, 7, cb);
  assert.deepEqual(rig.take(), [], 'blob reads come from the cache');
  assert.deepEqual(answers, [
    [0, '000102030405'],
    [0, '0405'],
    [0x07, ''],
  ]);
});

test('an unanswered read gets Unlikely Error after the timeout; a late answer is dropped', async () => {
  const rig = makeRig();
  rig.bleno.accept(0x40);
  const answers: number[] = [];
  rig.data.onReadRequest(0x40, 0, (result) => answers.push(result));
  await rig.clock.runFor(5000);
  assert.deepEqual(answers, [0x0e]);
  rig.child.handle({ type: 'readReply', requestId: 1, attCode: 0, value: '01' });
  assert.deepEqual(answers, [0x0e]);
});

test('writes: requests wait for the parent, commands do not, offsets are refused', () => {
  const rig = makeRig();
  rig.bleno.accept(0x40);
  rig.take();
  const answers: number[] = [];
  rig.data.onWriteRequest(0x40, Buffer.from([1, 2]), 0, false, (r) => answers.push(r));
  rig.data.onWriteRequest(0x40, Buffer.from([3]), 0, true, (r) => answers.push(r));
  rig.data.onWriteRequest(0x40, Buffer.from([4]), 5, false, (r) => answers.push(r));
  assert.deepEqual(rig.take(), [
    { type: 'write', requestId: 1, connection: 0x40, service: 'FFF0', characteristic: 'FFF1', value: '0102', withResponse: true },
    { type: 'write', requestId: 0, connection: 0x40, service: 'FFF0', characteristic: 'FFF1', value: '03', withResponse: false },
  ]);
  rig.child.handle({ type: 'writeReply', requestId: 1, attCode: 0xa1 });
  assert.deepEqual(answers, [0x07, 0xa1]);
});

test('subscribe reports the MTU bleno offers and notify goes through the stored callback', () => {
  const rig = makeRig();
  rig.bleno.accept(0x40);
  rig.take();
  const pushed: string[] = [];
  rig.notify.onSubscribe(0x40, 182, (data) => pushed.push(data ? data.toString('hex') : ''));
  assert.deepEqual(rig.take(), [
    { type: 'mtu', connection: 0x40, mtu: 185 },
    { type: 'subscribe', connection: 0x40, service: 'FFF0', characteristic: 'FFF2', enabled: true },
  ]);
  rig.child.handle({ type: 'notify', notifyId: 9, connection: 0x40, service: 'FFF0', characteristic: 'FFF2', value: 'abcd' });
  rig.child.handle({ type: 'notify', notifyId: 10, connection: 0x40, service: 'FFF0', characteristic: 'FFF1', value: 'ab' });
  assert.deepEqual(pushed, ['abcd']);
  assert.deepEqual(rig.take(), [
    { type: 'notified', notifyId: 9, sent: true, message: '' },
    { type: 'notified', notifyId: 10, sent: false, message: 'not subscribed' },
  ]);
  rig.notify.onUnsubscribe(0x40);
  assert.deepEqual(rig.take(), [{ type: 'subscribe', connection: 0x40, service: 'FFF0', characteristic: 'FFF2', enabled: false }]);
});

test('a dropped link: the reason from HCI, no unsubscribe echo, pending answers dropped', () => {
  const rig = makeRig();
  rig.bleno.accept(0x40);
  rig.notify.onSubscribe(0x40, 20, () => undefined);
  const answers: number[] = [];
  rig.data.onReadRequest(0x40, 0, (r) => answers.push(r));
  rig.take();
  rig.bleno.drop(0x40, 0x08, 'aa:bb:cc:dd:ee:01', () => rig.notify.onUnsubscribe(0x40));
  assert.deepEqual(rig.take(), [{ type: 'disconnect', connection: 0x40, address: 'AA:BB:CC:DD:EE:01', reason: 0x08 }]);
  rig.child.handle({ type: 'readReply', requestId: 1, attCode: 0, value: '01' });
  assert.deepEqual(answers, [], 'bleno cannot answer on a link that is gone');
  rig.child.handle({ type: 'notify', notifyId: 1, connection: 0x40, service: 'FFF0', characteristic: 'FFF2', value: '01' });
  assert.deepEqual(rig.take(), [{ type: 'notified', notifyId: 1, sent: false, message: 'not connected' }]);
});

test('the SMP listener repair: SMP PDUs reach bleno\'s SMP with the right arguments', () => {
  const rig = makeRig();
  const smp = rig.bleno.accept(0x06); // a handle equal to the SMP channel id would even be misread
  const stream = rig.bleno._bindings._connections.get(0x06)?.aclStream;
  assert.ok(stream);
  stream.emit('data', 0x06, 0x06, Buffer.from([0x01, 0x03]));
  assert.deepEqual(smp.seen, [[0x06, Buffer.from([0x01, 0x03])]]);
  assert.ok(!rig.sent.some((m) => m.type === 'problem'));
});

test('shutdown drops links, waits for them, stops bleno and exits', async () => {
  const rig = makeRig();
  rig.bleno.accept(0x40);
  rig.child.handle({ type: 'shutdown' });
  assert.deepEqual(rig.bleno._bindings._hci.disconnects, [0x40]);
  assert.deepEqual(rig.exits, []);
  rig.bleno.drop(0x40, 0x16);
  await rig.clock.runFor(40);
  assert.equal(rig.bleno.stopped, 1);
  assert.deepEqual(rig.exits, [0]);
});

test('shutdown gives up waiting after a grace period', async () => {
  const rig = makeRig();
  rig.bleno.accept(0x40);
  rig.child.handle({ type: 'shutdown' });
  await rig.clock.runFor(600);
  assert.deepEqual(rig.exits, [0]);
});

/** Gives the stand-in bleno an attribute table laid out as bleno's setServices lays it out. */
function withAttributeTable(bleno: FakeBleno): { serviceChanged(): EventEmitter; cccd(valueHandle: number, connection: number): Buffer | undefined } {
  const gatt = bleno._bindings._gatt as typeof bleno._bindings._gatt & { _handles?: (Record<string, unknown> | undefined)[] };
  const build = (services: InstanceType<typeof lib.PrimaryService>[]) => {
    const rows: (Record<string, unknown> | undefined)[] = [undefined];
    const specs = [
      { uuid: '1800', characteristics: [{ uuid: '2a00', properties: ['read'] }, { uuid: '2a01', properties: ['read'] }] },
      { uuid: '1801', characteristics: [{ uuid: '2a05', properties: ['indicate'] }] },
      ...services.map((s) => ({ uuid: s.options.uuid, characteristics: s.options.characteristics.map((c) => c.options) })),
    ];
    for (const service of specs) {
      rows.push({ type: 'service', uuid: service.uuid });
      for (const c of service.characteristics) {
        const valueHandle = rows.length + 1;
        rows.push({ type: 'characteristic', uuid: c.uuid, attribute: new EventEmitter(), valueHandle });
        rows.push({ type: 'characteristicValue', handle: valueHandle });
        if (c.properties.includes('notify') || c.properties.includes('indicate')) rows.push({ type: 'descriptor', uuid: '2902', values: new Map() });
      }
    }
    gatt._handles = rows;
  };
  const setServices = bleno.setServices.bind(bleno);
  bleno.setServices = (services) => {
    setServices(services);
    build(services);
  };
  build(bleno.services);
  return {
    serviceChanged: () => {
      const row = gatt._handles?.find((r) => r?.['uuid'] === '2a05');
      assert.ok(row?.['attribute'] instanceof EventEmitter);
      return row['attribute'];
    },
    cccd: (valueHandle, connection) => (gatt._handles?.[valueHandle + 1]?.['values'] as Map<number, Buffer> | undefined)?.get(connection),
  };
}

test('a rebuild: Service Changed to the peers that asked, subscriptions kept where their handle held, ended where it moved', () => {
  const rig = makeRig();
  const table = withAttributeTable(rig.bleno);
  rig.child.serviceChanged.hook(); // as at power-on, now that the stand-in has a table
  rig.bleno.accept(0x40);
  rig.bleno.accept(0x41, 'aa:bb:cc:dd:ee:02');
  rig.notify.onSubscribe(0x40, 20, () => undefined);
  const indicated: string[] = [];
  table.serviceChanged().emit('subscribe', 0x40, 20, (data: Buffer) => indicated.push(`40:${data.toString('hex')}`));
  rig.take();
  const services = (extra: boolean) => [
    ...(extra ? [{ uuid: 'EEE0', characteristics: [{ uuid: 'EEE1', properties: ['read'] as ('read' | 'notify')[], security: 'open' as const }] }] : []),
    { uuid: 'FFF0', characteristics: [{ uuid: 'FFF1', properties: ['read'] as ('read' | 'notify')[], security: 'open' as const }, { uuid: 'FFF2', properties: ['notify'] as ('read' | 'notify')[], security: 'open' as const }] },
  ];
  // The same services again: FFF2 keeps value handle 14, its CCCD is written back; 0x40 hears Service Changed, 0x41 did not ask.
  rig.child.handle({ type: 'setServices', services: services(false) });
  assert.deepEqual(indicated, ['40:0100ffff']);
  assert.deepEqual(rig.take(), []);
  assert.deepEqual(table.cccd(14, 0x40), Buffer.from([0x01, 0x00]));
  assert.deepEqual(table.cccd(8, 0x40), Buffer.from([0x02, 0x00]), 'the Service Changed CCCD too');
  // A service in front: FFF2 moves, so its subscription ends and the parent hears so. The next indication waits for a confirmation.
  rig.child.handle({ type: 'setServices', services: services(true) });
  assert.deepEqual(rig.take(), [{ type: 'subscribe', connection: 0x40, service: 'FFF0', characteristic: 'FFF2', enabled: false }]);
  assert.deepEqual(indicated, ['40:0100ffff']);
  table.serviceChanged().emit('indicate', 0x40); // bleno raises the confirmation on the object that indicated; any hooked one counts here
  assert.deepEqual(indicated, ['40:0100ffff', '40:0100ffff']);
  rig.child.handle({ type: 'notify', notifyId: 3, connection: 0x40, service: 'FFF0', characteristic: 'FFF2', value: '01' });
  assert.deepEqual(rig.take(), [{ type: 'notified', notifyId: 3, sent: false, message: 'not subscribed' }]);
  // The link drops: no timer and no subscriber left.
  rig.bleno.drop(0x40, 0x13);
  rig.child.handle({ type: 'setServices', services: services(false) });
  assert.equal(indicated.length, 2);
  assert.deepEqual(rig.child.serviceChanged.subscribed, []);
});
