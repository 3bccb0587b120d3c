import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GattPeer, GattServiceDefinition } from '../../../../src/link/ble';
import { AttError, LinkError, QueueFullError } from '../../../../src/link/errors';
import { Emitter } from '../../../../src/util/emitter';
import { BlenoChannel, BlenoProcessEvents } from '../../../../src/link/hci/host/bleno-process';
import { BlenoProtocolError, ChildMessage, ParentMessage } from '../../../../src/link/hci/host/bleno-protocol';
import { BlenoServerHost } from '../../../../src/link/hci/host/bleno-server-host';

const SERVICE = 'FFF0';
const OPEN = 'FFF1';
const BONDED = 'FFF2';
const ENCRYPTED = 'FFF3';
const NOTIFY = 'FFF4';
const PC = 'AA:BB:CC:DD:EE:01';

/** Stands in for the bleno child: records what the host sends, lets the test speak for the child. */
class FakeChannel implements BlenoChannel {
  readonly events = new Emitter<BlenoProcessEvents>();
  readonly sent: ParentMessage[] = [];
  running = true;
  readonly pid = 4242;
  send(message: ParentMessage): boolean {
    if (!this.running) return false;
    this.sent.push(JSON.parse(JSON.stringify(message)) as ParentMessage);
    return true;
  }
  async close(): Promise<void> {
    this.exit(0);
  }
  child(message: ChildMessage): void {
    this.events.emit('message', message);
  }
  exit(code: number): void {
    if (!this.running) return;
    this.running = false;
    this.events.emit('exit', code, null);
  }
  take(): ParentMessage[] {
    return this.sent.splice(0);
  }
}

interface Rig {
  channel: FakeChannel;
  host: BlenoServerHost;
  writes: { characteristic: string; value: string; withResponse: boolean }[];
  problems: LinkError[];
  handlerErrors: unknown[];
  onWrite: { current: (peer: GattPeer, value: Uint8Array) => void };
  onSubscribe: { current: (peer: GattPeer, enabled: boolean) => void };
}

function makeRig(notifyQueueLimit = 8): Rig {
  const channel = new FakeChannel();
  const host = new BlenoServerHost(channel, '11:22:33:44:55:66', { notifyQueueLimit });
  const rig: Rig = {
    channel,
    host,
    writes: [],
    problems: [],
    handlerErrors: [],
    onWrite: { current: () => undefined },
    onSubscribe: { current: () => undefined },
  };
  host.hostEvents.on('problem', (e) => rig.problems.push(e));
  host.hostEvents.on('handlerError', (e) => rig.handlerErrors.push(e));
  const record = (characteristic: string) => (peer: GattPeer, value: Uint8Array, withResponse: boolean) => {
    rig.writes.push({ characteristic, value: Buffer.from(value).toString('hex'), withResponse });
    rig.onWrite.current(peer, value);
  };
  const service: GattServiceDefinition = {
    uuid: SERVICE.toLowerCase(),
    characteristics: [
      { uuid: OPEN, properties: ['read', 'write', 'writeWithoutResponse'], security: 'open', onRead: () => Uint8Array.of(1, 2, 3), onWrite: record(OPEN) },
      { uuid: BONDED, properties: ['read', 'write'], security: 'bonded', onRead: () => Uint8Array.of(4), onWrite: record(BONDED) },
      { uuid: ENCRYPTED, properties: ['read'], security: 'encrypted', onRead: () => Uint8Array.of(5) },
      { uuid: NOTIFY, properties: ['notify'], security: 'open', onSubscribe: (peer, enabled) => rig.onSubscribe.current(peer, enabled) },
    ],
  };
  host.addService(service);
  return rig;
}

function connect(rig: Rig, connection = 0x40, mtu = 185): GattPeer {
  rig.channel.child({ type: 'connect', connection, address: PC });
  if (mtu !== 23) rig.channel.child({ type: 'mtu', connection, mtu });
  const peer = rig.host.peers().find((p) => p.address === PC);
  assert.ok(peer);
  rig.channel.take();
  return peer;
}

function read(rig: Rig, characteristic: string, requestId = 1, connection = 0x40): ParentMessage[] {
  rig.channel.child({ type: 'read', requestId, connection, service: SERVICE, characteristic });
  return rig.channel.take();
}

test('addService sends the whole table with canonical UUIDs', () => {
  const rig = makeRig();
  const [message] = rig.channel.take();
  assert.equal(message?.type, 'setServices');
  assert.deepEqual(message.type === 'setServices' && message.services[0]?.characteristics.map((c) => [c.uuid, c.security]), [
    [OPEN, 'open'],
    [BONDED, 'bonded'],
    [ENCRYPTED, 'encrypted'],
    [NOTIFY, 'open'],
  ]);
  rig.host.removeService(SERVICE);
  assert.deepEqual(rig.channel.take(), [{ type: 'setServices', services: [] }]);
});

test('connect and MTU messages become peers and events', () => {
  const rig = makeRig();
  const seen: string[] = [];
  rig.host.events.on('connect', (p) => seen.push(`connect ${p.address} ${p.mtu}`));
  rig.host.events.on('mtuChanged', (p, mtu) => seen.push(`mtu ${mtu} ${p.mtu}`));
  const peer = connect(rig);
  assert.deepEqual(seen, [`connect ${PC} 23`, 'mtu 185 185']);
  assert.equal(peer.mtu, 185);
  assert.equal(peer.encrypted, false);
  assert.equal(peer.bonded, false);
});

test('reads answer with the handler\'s value; security answers 0x05 and 0x0F as the in-memory host does', () => {
  const rig = makeRig();
  connect(rig);
  assert.deepEqual(read(rig, OPEN, 1), [{ type: 'readReply', requestId: 1, attCode: 0, value: '010203' }]);
  assert.deepEqual(read(rig, BONDED, 2), [{ type: 'readReply', requestId: 2, attCode: 0x05, value: '' }]);
  assert.deepEqual(read(rig, ENCRYPTED, 3), [{ type: 'readReply', requestId: 3, attCode: 0x0f, value: '' }]);
  assert.deepEqual(read(rig, NOTIFY, 4), [{ type: 'readReply', requestId: 4, attCode: 0x02, value: '' }]);
  assert.deepEqual(read(rig, 'FFFF', 5), [{ type: 'readReply', requestId: 5, attCode: 0x0a, value: '' }]);
});

test('encryption after pairing: the policy decides the bond, `encrypted` fires either way', () => {
  for (const accept of [true, false]) {
    const rig = makeRig();
    rig.host.setPairingPolicy(() => accept);
    const encrypted: GattPeer[] = [];
    rig.host.events.on('encrypted', (p) => encrypted.push(p));
    const peer = connect(rig);
    rig.channel.child({ type: 'encryption', connection: 0x40, encrypted: true });
    assert.deepEqual(encrypted, [peer]);
    assert.equal(peer.encrypted, true);
    assert.equal(peer.bonded, accept);
    assert.deepEqual(read(rig, ENCRYPTED, 1), [{ type: 'readReply', requestId: 1, attCode: 0, value: '05' }]);
    assert.deepEqual(read(rig, BONDED, 2), [{ type: 'readReply', requestId: 2, attCode: accept ? 0 : 0x05, value: accept ? '04' : '' }]);
  }
});

test('a bonded peer that comes back unencrypted gets Insufficient Encryption', () => {
  const rig = makeRig();
  connect(rig);
  rig.channel.child({ type: 'encryption', connection: 0x40, encrypted: true });
  rig.channel.child({ type: 'disconnect', connection: 0x40, address: PC, reason: 0x13 });
  connect(rig, 0x41);
  assert.deepEqual(read(rig, BONDED, 1, 0x41), [{ type: 'readReply', requestId: 1, attCode: 0x0f, value: '' }]);
  rig.host.forgetBond(PC);
  assert.deepEqual(read(rig, BONDED, 2, 0x41), [{ type: 'readReply', requestId: 2, attCode: 0x05, value: '' }]);
});

test('writes: AttError codes pass through, other throws answer Unlikely Error and are reported', () => {
  const rig = makeRig();
  connect(rig);
  rig.channel.child({ type: 'write', requestId: 1, connection: 0x40, service: SERVICE, characteristic: OPEN, value: '0a0b', withResponse: true });
  assert.deepEqual(rig.channel.take(), [{ type: 'writeReply', requestId: 1, attCode: 0 }]);
  rig.onWrite.current = () => {
    throw new AttError(0xa1);
  };
  rig.channel.child({ type: 'write', requestId: 2, connection: 0x40, service: SERVICE, characteristic: OPEN, value: '01', withResponse: true });
  assert.deepEqual(rig.channel.take(), [{ type: 'writeReply', requestId: 2, attCode: 0xa1 }]);
  rig.onWrite.current = () => {
    throw new Error('bug');
  };
  rig.channel.child({ type: 'write', requestId: 3, connection: 0x40, service: SERVICE, characteristic: OPEN, value: '01', withResponse: true });
  assert.deepEqual(rig.channel.take(), [{ type: 'writeReply', requestId: 3, attCode: 0x0e }]);
  assert.equal(rig.handlerErrors.length, 1);
  // A write command gets no reply, whatever happens.
  rig.channel.child({ type: 'write', requestId: 0, connection: 0x40, service: SERVICE, characteristic: OPEN, value: '02', withResponse: false });
  assert.deepEqual(rig.channel.take(), []);
  assert.deepEqual(rig.writes.map((w) => [w.value, w.withResponse]), [
    ['0a0b', true],
    ['01', true],
    ['01', true],
    ['02', false],
  ]);
});

test('a write longer than MTU-3 is refused with Invalid Attribute Value Length', () => {
  const rig = makeRig();
  connect(rig, 0x40, 23);
  rig.channel.child({ type: 'write', requestId: 1, connection: 0x40, service: SERVICE, characteristic: OPEN, value: '00'.repeat(21), withResponse: true });
  assert.deepEqual(rig.channel.take(), [{ type: 'writeReply', requestId: 1, attCode: 0x0d }]);
  assert.equal(rig.writes.length, 0);
});

test('subscribe, notify, and the errors notify gives', () => {
  const rig = makeRig();
  const peer = connect(rig);
  const subscribed: boolean[] = [];
  rig.onSubscribe.current = (_p, enabled) => subscribed.push(enabled);
  assert.throws(() => rig.host.notify(peer, NOTIFY, Uint8Array.of(1)), (e: unknown) => e instanceof LinkError && e.code === 'link.not-subscribed');
  rig.channel.child({ type: 'subscribe', connection: 0x40, service: SERVICE, characteristic: NOTIFY, enabled: true });
  assert.ok(rig.host.isSubscribed(peer, NOTIFY.toLowerCase()));
  rig.host.notify(peer, NOTIFY, Uint8Array.of(9, 8));
  assert.deepEqual(rig.channel.take(), [{ type: 'notify', notifyId: 1, connection: 0x40, service: SERVICE, characteristic: NOTIFY, value: '0908' }]);
  assert.throws(() => rig.host.notify(peer, NOTIFY, new Uint8Array(183)), (e: unknown) => e instanceof LinkError && e.code === 'link.value-too-long');
  rig.host.notify(peer, NOTIFY, new Uint8Array(182));
  rig.channel.child({ type: 'subscribe', connection: 0x40, service: SERVICE, characteristic: NOTIFY, enabled: false });
  assert.equal(rig.host.isSubscribed(peer, NOTIFY), false);
  assert.deepEqual(subscribed, [true, false]);
  const stranger: GattPeer = { address: PC, mtu: 185, encrypted: false, bonded: false };
  assert.throws(() => rig.host.notify(stranger, NOTIFY, Uint8Array.of(1)), (e: unknown) => e instanceof LinkError && e.code === 'link.not-connected');
});

test('notifications raised while answering a write go out after the write response', () => {
  const rig = makeRig();
  const peer = connect(rig);
  rig.channel.child({ type: 'subscribe', connection: 0x40, service: SERVICE, characteristic: NOTIFY, enabled: true });
  rig.onWrite.current = () => {
    rig.host.notify(peer, NOTIFY, Uint8Array.of(1));
    rig.host.notify(peer, NOTIFY, Uint8Array.of(2));
  };
  rig.channel.child({ type: 'write', requestId: 7, connection: 0x40, service: SERVICE, characteristic: OPEN, value: '00', withResponse: true });
  assert.deepEqual(rig.channel.take().map((m) => (m.type === 'notify' ? `notify ${m.value}` : m.type)), ['writeReply', 'notify 01', 'notify 02']);
});

test('the notification queue is bounded until the child confirms', () => {
  const rig = makeRig(3);
  const peer = connect(rig);
  rig.channel.child({ type: 'subscribe', connection: 0x40, service: SERVICE, characteristic: NOTIFY, enabled: true });
  for (let i = 0; i < 3; i++) rig.host.notify(peer, NOTIFY, Uint8Array.of(i));
  assert.throws(() => rig.host.notify(peer, NOTIFY, Uint8Array.of(3)), QueueFullError);
  rig.channel.child({ type: 'notified', notifyId: 1, sent: true, message: '' });
  rig.host.notify(peer, NOTIFY, Uint8Array.of(3));
  rig.channel.child({ type: 'notified', notifyId: 2, sent: false, message: 'not subscribed' });
  assert.deepEqual(rig.problems.map((p) => p.code), ['link.notification-lost']);
});

test('a subscription the host would refuse is ignored and reported (bleno cannot refuse it)', () => {
  const rig = makeRig();
  const peer = connect(rig);
  rig.onSubscribe.current = () => {
    throw new AttError(0xa0);
  };
  rig.channel.child({ type: 'subscribe', connection: 0x40, service: SERVICE, characteristic: NOTIFY, enabled: true });
  assert.deepEqual(rig.problems.map((p) => p.code), ['link.subscription-refused']);
  assert.ok(rig.host.isSubscribed(peer, NOTIFY), 'the client was told yes, so it stays subscribed');
});

test('disconnect and child exit end peers with their reasons', () => {
  const rig = makeRig();
  const ends: [string, number][] = [];
  rig.host.events.on('disconnect', (p, reason) => ends.push([p.address, reason]));
  const peer = connect(rig, 0x40);
  rig.channel.child({ type: 'disconnect', connection: 0x40, address: PC, reason: 0x13 });
  assert.deepEqual(ends, [[PC, 0x13]]);
  assert.equal(rig.host.peers().length, 0);
  assert.throws(() => rig.host.notify(peer, NOTIFY, Uint8Array.of(1)), (e: unknown) => e instanceof LinkError && e.code === 'link.not-connected');
  connect(rig, 0x41);
  const exits: (number | null)[] = [];
  rig.host.hostEvents.on('exit', (code) => exits.push(code));
  rig.channel.exit(1);
  assert.deepEqual(ends, [
    [PC, 0x13],
    [PC, 0x16],
  ]);
  assert.deepEqual(exits, [1]);
});

test('the phone can end a link itself', () => {
  const rig = makeRig();
  const peer = connect(rig, 0x41);
  rig.host.disconnect(peer);
  assert.deepEqual(rig.channel.take(), [{ type: 'disconnect', connection: 0x41 }]);
});

test('advertising sends our own AD bytes and settles on the child\'s answer', async () => {
  const rig = makeRig();
  rig.channel.take();
  const started = rig.host.startAdvertisingAsync({ localName: 'SimPhone', solicitationUuids: ['7905F431-B5CE-4E99-A40F-4B1E122D00D0'] });
  assert.deepEqual(rig.channel.take(), [
    { type: 'advertise', advertisingData: '0201061115d0002d121e4b0fa4994eceb531f40579090953696d50686f6e65', scanResponse: '' },
  ]);
  rig.channel.child({ type: 'advertising', started: true, message: '' });
  await started;
  const refused = rig.host.startAdvertisingAsync({ localName: 'x' });
  rig.channel.child({ type: 'advertising', started: false, message: 'Command Disallowed' });
  await assert.rejects(refused, (e: unknown) => e instanceof LinkError && e.code === 'link.advertising-failed');
  await assert.rejects(
    rig.host.startAdvertisingAsync({ serviceUuids: ['7905F431-B5CE-4E99-A40F-4B1E122D00D0', '9FBF120D-6301-42D9-8C58-25E699A21DBD'] }),
    (e: unknown) => e instanceof LinkError && e.code === 'link.advertising-too-long',
  );
});

test('invalid messages from the child are reported, not thrown', () => {
  const rig = makeRig();
  rig.channel.events.emit('invalid', new BlenoProtocolError('message.type', 'unknown'));
  assert.deepEqual(rig.problems.map((p) => p.code), ['link.bleno-protocol']);
  // Messages about connections the host never saw are ignored.
  rig.channel.child({ type: 'read', requestId: 1, connection: 0x99, service: SERVICE, characteristic: OPEN });
  assert.deepEqual(rig.channel.take().slice(-1), [{ type: 'readReply', requestId: 1, attCode: 0x0e, value: '' }]);
});
