import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  BlenoProtocolError,
  ChildMessage,
  ChildOptions,
  MAX_VALUE_BYTES,
  ParentMessage,
  fromHex,
  parseChildMessage,
  parseChildOptions,
  parseParentMessage,
  toHex,
} from '../../../../src/link/hci/host/bleno-protocol';

const ANCS = '7905F431-B5CE-4E99-A40F-4B1E122D00D0';
const NS = '9FBF120D-6301-42D9-8C58-25E699A21DBD';

const parentMessages: ParentMessage[] = [
  { type: 'setServices', services: [] },
  {
    type: 'setServices',
    services: [{ uuid: ANCS, characteristics: [{ uuid: NS, properties: ['notify'], security: 'bonded' }, { uuid: '2A05', properties: ['read', 'write', 'writeWithoutResponse', 'indicate'], security: 'open' }] }],
  },
  { type: 'advertise', advertisingData: '020106', scanResponse: '' },
  { type: 'stopAdvertising' },
  { type: 'readReply', requestId: 7, attCode: 0, value: '0102ff' },
  { type: 'readReply', requestId: 8, attCode: 0x0e, value: '' },
  { type: 'writeReply', requestId: 9, attCode: 0xa1 },
  { type: 'notify', notifyId: 1, connection: 0x40, service: ANCS, characteristic: NS, value: '0000010101000000' },
  { type: 'disconnect', connection: 0 },
  { type: 'shutdown' },
];

const childMessages: ChildMessage[] = [
  { type: 'ready', address: '11:22:33:44:55:66' },
  { type: 'state', state: 'poweredOn' },
  { type: 'problem', code: 'link.controller-lost', message: 'gone', fatal: false },
  { type: 'advertising', started: true, message: '' },
  { type: 'connect', connection: 0x40, address: 'AA:BB:CC:DD:EE:01' },
  { type: 'disconnect', connection: 0x40, address: 'AA:BB:CC:DD:EE:01', reason: 0x13 },
  { type: 'mtu', connection: 0x40, mtu: 185 },
  { type: 'encryption', connection: 0x40, encrypted: true },
  { type: 'read', requestId: 3, connection: 0x40, service: ANCS, characteristic: NS },
  { type: 'write', requestId: 0, connection: 0x40, service: ANCS, characteristic: NS, value: 'ab', withResponse: false },
  { type: 'subscribe', connection: 0x40, service: ANCS, characteristic: NS, enabled: true },
  { type: 'notified', notifyId: 5, sent: false, message: 'not subscribed' },
];

test('every parent message survives validation unchanged (as JSON, as IPC carries it)', () => {
  for (const m of parentMessages) assert.deepEqual(parseParentMessage(JSON.parse(JSON.stringify(m))), m);
});

test('every child message survives validation unchanged', () => {
  for (const m of childMessages) assert.deepEqual(parseChildMessage(JSON.parse(JSON.stringify(m))), m);
});

test('validation normalises spellings: library-form UUIDs, lower-case addresses and hex', () => {
  assert.deepEqual(parseChildMessage({ type: 'subscribe', connection: 1, service: '7905f431b5ce4e99a40f4b1e122d00d0', characteristic: '2a05', enabled: false }), {
    type: 'subscribe',
    connection: 1,
    service: ANCS,
    characteristic: '2A05',
    enabled: false,
  });
  assert.deepEqual(parseChildMessage({ type: 'connect', connection: 1, address: 'aa:bb:cc:dd:ee:01' }), { type: 'connect', connection: 1, address: 'AA:BB:CC:DD:EE:01' });
  assert.equal((parseParentMessage({ type: 'readReply', requestId: 1, attCode: 0, value: 'ABCD' }) as { value: string }).value, 'abcd');
});

const badParent: [raw: unknown, path: RegExp][] = [
  [null, /^message$/],
  [[], /^message$/],
  ['shutdown', /^message$/],
  [{}, /message\.type/],
  [{ type: 'explode' }, /message\.type/],
  [{ type: { toString: false } }, /message\.type/], // found by the property below: describing it must not call it
  [{ type: 'readReply', requestId: -1, attCode: 0, value: '' }, /requestId/],
  [{ type: 'readReply', requestId: 1.5, attCode: 0, value: '' }, /requestId/],
  [{ type: 'readReply', requestId: 1, attCode: 256, value: '' }, /attCode/],
  [{ type: 'readReply', requestId: 1, attCode: 0, value: 'abc' }, /value/],
  [{ type: 'readReply', requestId: 1, attCode: 0, value: 'zz' }, /value/],
  [{ type: 'readReply', requestId: 1, attCode: 0, value: '00'.repeat(MAX_VALUE_BYTES + 1) }, /value/],
  [{ type: 'notify', notifyId: 1, connection: 0x0f00, service: ANCS, characteristic: NS, value: '' }, /connection/],
  [{ type: 'notify', notifyId: 1, connection: 1, service: 'nope', characteristic: NS, value: '' }, /service/],
  [{ type: 'advertise', advertisingData: '00'.repeat(32), scanResponse: '' }, /advertisingData/],
  [{ type: 'setServices', services: {} }, /services/],
  [{ type: 'setServices', services: [{ uuid: ANCS, characteristics: [{ uuid: NS, properties: ['fly'], security: 'open' }] }] }, /properties\[0\]/],
  [{ type: 'setServices', services: [{ uuid: ANCS, characteristics: [{ uuid: NS, properties: [], security: 'secret' }] }] }, /security/],
  [{ type: 'disconnect' }, /connection/],
];

for (const [raw, path] of badParent) {
  test(`a bad parent message is a typed error: ${JSON.stringify(raw)?.slice(0, 70)}`, () => {
    assert.throws(() => parseParentMessage(raw), (e: unknown) => e instanceof BlenoProtocolError && e.code === 'link.bleno-protocol' && path.test(e.path));
  });
}

const badChild: [raw: unknown, path: RegExp][] = [
  [{ type: 'ready', address: 'not an address' }, /address/],
  [{ type: 'mtu', connection: 1, mtu: 22 }, /mtu/],
  [{ type: 'mtu', connection: 1, mtu: 518 }, /mtu/],
  [{ type: 'disconnect', connection: 1, address: 'AA:BB:CC:DD:EE:01', reason: '0x13' }, /reason/],
  [{ type: 'encryption', connection: 1, encrypted: 1 }, /encrypted/],
  [{ type: 'write', requestId: 1, connection: 1, service: ANCS, characteristic: NS, value: 'ab' }, /withResponse/],
  [{ type: 'problem', code: 'x', message: 'y'.repeat(2001), fatal: true }, /message/],
];

for (const [raw, path] of badChild) {
  test(`a bad child message is a typed error: ${JSON.stringify(raw).slice(0, 70)}`, () => {
    assert.throws(() => parseChildMessage(raw), (e: unknown) => e instanceof BlenoProtocolError && path.test(e.path));
  });
}

/** Only BlenoProtocolError may come out of a validator. */
function validatesSafely(parse: (raw: unknown) => unknown, raw: unknown): void {
  try {
    parse(raw);
  } catch (e) {
    assert.ok(e instanceof BlenoProtocolError, `unexpected ${String(e)}`);
  }
}

test('property: anything at all is either a message or a BlenoProtocolError', () => {
  fc.assert(
    fc.property(fc.anything(), (raw) => {
      validatesSafely(parseParentMessage, raw);
      validatesSafely(parseChildMessage, raw);
    }),
    { numRuns: 1000 },
  );
});

test('property: a valid message with one field replaced still validates safely', () => {
  const all: Record<string, unknown>[] = [...parentMessages, ...childMessages].map((m) => ({ ...m }));
  fc.assert(
    fc.property(fc.constantFrom(...all), fc.jsonValue(), fc.nat(), (message, value, pick) => {
      const keys = Object.keys(message);
      const key = keys[pick % keys.length] ?? 'type';
      const mutated = { ...message, [key]: value };
      validatesSafely(parseParentMessage, mutated);
      validatesSafely(parseChildMessage, mutated);
    }),
    { numRuns: 1000 },
  );
});

test('hex round trip, and fromHex refuses odd, foreign and oversized input', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: MAX_VALUE_BYTES }), (bytes) => {
      assert.deepEqual(fromHex(toHex(bytes)), bytes);
    }),
    { numRuns: 300 },
  );
  for (const bad of ['0', 'xx', '0x00', '00'.repeat(MAX_VALUE_BYTES + 1)]) assert.throws(() => fromHex(bad), BlenoProtocolError);
});

test('child start options are validated too', () => {
  const options: ChildOptions = {
    controller: { hciDriver: 'uart', bindParams: { uart: { port: '/dev/pts/3', baudRate: 1000000 } } },
    deviceName: 'SimPhone',
    maxMtu: 185,
    requestTimeoutMs: 5000,
  };
  assert.deepEqual(parseChildOptions(JSON.stringify(options)), options);
  const usb = { ...options, controller: { hciDriver: 'usb', bindParams: { usb: { vid: 0x0a12, pid: 1, bus: 1, address: 4 } } } };
  assert.deepEqual(parseChildOptions(JSON.stringify(usb)), usb);
  const native = { ...options, controller: { hciDriver: 'native', deviceId: 1 } };
  assert.deepEqual(parseChildOptions(JSON.stringify(native)), native);
  for (const bad of ['', '{', '[]', JSON.stringify({ ...options, maxMtu: 10 }), JSON.stringify({ ...options, controller: { hciDriver: 'serial' } })]) {
    assert.throws(() => parseChildOptions(bad), BlenoProtocolError, bad);
  }
});
