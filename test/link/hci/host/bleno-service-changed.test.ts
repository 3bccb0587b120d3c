/**
 * Service Changed in the bleno child, against a stand-in for bleno's
 * attribute table (the real one runs in service-changed.test.ts): who is
 * indicated, with what, one at a time per connection, what a missing
 * confirmation or a vanished peer does, and which subscriptions survive a
 * rebuild.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { VirtualClock } from '../../../../src/link/virtual-clock';
import {
  CCCD_INDICATE,
  CCCD_NOTIFY,
  DEFAULT_CONFIRM_TIMEOUT_MS,
  SERVICE_CHANGED_VALUE,
  ServiceChangedAnnouncer,
  carrySubscriptions,
} from '../../../../src/link/hci/host/bleno-service-changed';
import { blenoServiceChanged, blenoValueHandles } from '../../../../src/link/hci/host/bleno-internals';
import type { WireService } from '../../../../src/link/hci/host/bleno-protocol';

type Row = Record<string, unknown> | undefined;

/** bleno's table layout: 1800 (2a00, 2a01), 1801 (2a05 + CCCD), then `extra` services with one notify characteristic each. */
function table(extra: { service: string; characteristic: string }[] = []): { rows: Row[]; serviceChanged: EventEmitter } {
  const serviceChanged = new EventEmitter();
  const rows: Row[] = [undefined];
  const add = (row: Record<string, unknown>) => rows.push(row);
  add({ type: 'service', uuid: '1800' });
  add({ type: 'characteristic', uuid: '2a00', attribute: new EventEmitter(), valueHandle: 3 });
  add({ type: 'characteristicValue', handle: 3 });
  add({ type: 'characteristic', uuid: '2a01', attribute: new EventEmitter(), valueHandle: 5 });
  add({ type: 'characteristicValue', handle: 5 });
  add({ type: 'service', uuid: '1801' });
  add({ type: 'characteristic', uuid: '2a05', attribute: serviceChanged, valueHandle: 8 });
  add({ type: 'characteristicValue', handle: 8 });
  add({ type: 'descriptor', uuid: '2902', values: new Map() });
  for (const { service, characteristic } of extra) {
    add({ type: 'service', uuid: service });
    const valueHandle = rows.length + 1;
    add({ type: 'characteristic', uuid: characteristic, attribute: new EventEmitter(), valueHandle });
    add({ type: 'characteristicValue', handle: valueHandle });
    add({ type: 'descriptor', uuid: '2902', values: new Map() });
  }
  return { rows, serviceChanged };
}

function makeRig() {
  const clock = new VirtualClock();
  const bleno = { _bindings: { _gatt: { _handles: table().rows } } };
  const open = new Set<number>([1, 2]);
  const problems: string[] = [];
  const announcer = new ServiceChangedAnnouncer(bleno, { clock, isOpen: (c) => open.has(c), problem: (code) => problems.push(code) });
  /** What bleno's `subscribe` event hands out: a sender that records what it would indicate. */
  const sent: string[] = [];
  const sender = (connection: number, fail = false) => (data: Buffer) => {
    if (fail) throw new TypeError("Cannot destructure property 'mtu' of undefined");
    sent.push(`${connection}:${data.toString('hex')}`);
  };
  const current = (): EventEmitter => {
    const found = blenoServiceChanged(bleno);
    assert.ok(found);
    return found.characteristic;
  };
  /** bleno's setServices: a new table with a new 2a05 object and empty CCCDs. */
  const rebuild = (extra: { service: string; characteristic: string }[] = []) => {
    bleno._bindings._gatt._handles = table(extra).rows;
    announcer.rebuilt();
  };
  const cccd = (connection: number, handle = 9) => (bleno._bindings._gatt._handles[handle]?.['values'] as Map<number, Buffer>).get(connection);
  return { clock, bleno, open, problems, announcer, sent, sender, current, rebuild, cccd };
}

test('the Service Changed value is the whole handle range, little-endian', () => {
  assert.equal(Buffer.from(SERVICE_CHANGED_VALUE).toString('hex'), '0100ffff');
  assert.equal(Buffer.from(CCCD_NOTIFY).toString('hex'), '0100');
  assert.equal(Buffer.from(CCCD_INDICATE).toString('hex'), '0200');
});

test('only the peers that enabled indications are told, once per rebuild, and their CCCD is written back', () => {
  const rig = makeRig();
  assert.equal(rig.announcer.hook(), true);
  rig.current().emit('subscribe', 1, 182, rig.sender(1));
  assert.deepEqual(rig.announcer.subscribed, [1]);
  rig.rebuild();
  assert.deepEqual(rig.sent, ['1:0100ffff'], 'connection 2 never asked');
  assert.deepEqual(rig.cccd(1), Buffer.from([0x02, 0x00]));
  assert.equal(rig.cccd(2), undefined);
  assert.deepEqual(rig.announcer.counts, { sent: 1, confirmed: 0, timedOut: 0 });
});

test('one indication at a time: a change before the confirmation goes out after it, and only once', () => {
  const rig = makeRig();
  rig.announcer.hook();
  const first = rig.current();
  first.emit('subscribe', 1, 20, rig.sender(1));
  rig.rebuild();
  rig.rebuild();
  rig.rebuild();
  assert.equal(rig.sent.length, 1);
  // bleno raises the confirmation on the object that sent the indication, from an older table.
  first.emit('indicate', 1);
  assert.equal(rig.sent.length, 2);
  first.emit('indicate', 1);
  assert.equal(rig.sent.length, 2, 'nothing else was pending');
  first.emit('indicate', 1); // a stray confirmation
  assert.deepEqual(rig.announcer.counts, { sent: 2, confirmed: 2, timedOut: 0 });
  assert.equal(rig.clock.pendingEvents, 0, 'no timer left once confirmed');
});

test('no confirmation: reported after the ATT timeout, and a pending change is still sent', () => {
  const rig = makeRig();
  rig.announcer.hook();
  rig.current().emit('subscribe', 1, 20, rig.sender(1));
  rig.rebuild();
  rig.rebuild();
  rig.clock.advance(DEFAULT_CONFIRM_TIMEOUT_MS - 1);
  assert.deepEqual(rig.problems, []);
  rig.clock.advance(1);
  assert.deepEqual(rig.problems, ['link.indication-timeout']);
  assert.equal(rig.sent.length, 2);
});

test('a peer that is gone or closing is dropped, and a sender that throws is reported, not fatal', () => {
  const rig = makeRig();
  rig.announcer.hook();
  rig.current().emit('subscribe', 1, 20, rig.sender(1, true));
  rig.current().emit('subscribe', 2, 20, rig.sender(2));
  rig.open.delete(2);
  assert.doesNotThrow(() => rig.rebuild());
  assert.deepEqual(rig.problems, ['link.indication-failed']);
  assert.deepEqual(rig.sent, []);
  assert.deepEqual(rig.announcer.subscribed, []);
  assert.equal(rig.clock.pendingEvents, 0);
});

test('indications turned off, a dropped link, and close() all end the subscription and its timer', () => {
  const rig = makeRig();
  rig.announcer.hook();
  rig.current().emit('subscribe', 1, 20, rig.sender(1));
  rig.current().emit('subscribe', 2, 20, rig.sender(2));
  rig.current().emit('unsubscribe', 1);
  rig.rebuild();
  assert.deepEqual(rig.sent, ['2:0100ffff']);
  rig.announcer.drop(2);
  assert.equal(rig.clock.pendingEvents, 0);
  rig.current().emit('subscribe', 1, 20, rig.sender(1));
  rig.rebuild();
  rig.announcer.close();
  assert.equal(rig.clock.pendingEvents, 0);
  assert.deepEqual(rig.announcer.subscribed, []);
});

test('without bleno\'s table nothing is hooked and a rebuild does nothing', () => {
  const clock = new VirtualClock();
  const problems: string[] = [];
  const announcer = new ServiceChangedAnnouncer({ _bindings: {} }, { clock, isOpen: () => true, problem: (c) => problems.push(c) });
  assert.equal(announcer.hook(), false);
  announcer.rebuilt();
  assert.deepEqual(problems, []);
  assert.equal(blenoValueHandles({}), undefined);
});

test('value handles are read per service and characteristic', () => {
  const bleno = { _bindings: { _gatt: { _handles: table([{ service: 'aaaa', characteristic: 'aaa1' }, { service: 'bbbb', characteristic: 'bbb1' }]).rows } } };
  assert.deepEqual([...(blenoValueHandles(bleno) ?? [])], [
    ['1800|2a00', 3],
    ['1800|2a01', 5],
    ['1801|2a05', 8],
    ['aaaa|aaa1', 12],
    ['bbbb|bbb1', 16],
  ]);
});

test('a rebuild keeps subscriptions whose characteristic kept its handle (CCCD written back), and ends the others', () => {
  const services: WireService[] = [
    { uuid: 'AAAA', characteristics: [{ uuid: 'AAA1', properties: ['notify'], security: 'open' }] },
    { uuid: 'CCCC', characteristics: [{ uuid: 'CCC1', properties: ['indicate'], security: 'open' }] },
  ];
  const bleno = { _bindings: { _gatt: { _handles: table([{ service: 'aaaa', characteristic: 'aaa1' }, { service: 'bbbb', characteristic: 'bbb1' }, { service: 'cccc', characteristic: 'ccc1' }]).rows } } };
  const before = blenoValueHandles(bleno);
  // bbbb withdrawn: aaaa stays at 12, cccc moves from 20 to 16.
  bleno._bindings._gatt._handles = table([{ service: 'aaaa', characteristic: 'aaa1' }, { service: 'cccc', characteristic: 'ccc1' }]).rows;
  const carried = carrySubscriptions(bleno, services, ['7|AAAA|AAA1', '7|BBBB|BBB1', '7|CCCC|CCC1'], before);
  assert.deepEqual(
    carried.map((c) => [c.key, c.connection, c.service, c.characteristic, c.outcome]),
    [
      ['7|AAAA|AAA1', 7, 'AAAA', 'AAA1', 'kept'],
      ['7|BBBB|BBB1', 7, 'BBBB', 'BBB1', 'gone'],
      ['7|CCCC|CCC1', 7, 'CCCC', 'CCC1', 'moved'],
    ],
  );
  const cccdOf = (handle: number) => (bleno._bindings._gatt._handles[handle]?.['values'] as Map<number, Buffer>).get(7);
  assert.deepEqual(cccdOf(13), Buffer.from([0x01, 0x00]), 'notify CCCD restored for the kept one');
  assert.equal(cccdOf(17), undefined, 'not for the moved one');
  assert.deepEqual(carrySubscriptions(bleno, services, ['7|AAAA|AAA1'], undefined), [], 'no table before: nothing known, nothing ended');
});
