/**
 * Handle assignment from GATT definitions, the discovery sequences a real
 * client's requests produce against it, and the timeline that holds packets
 * behind a reservation.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildGattLayout, characteristicDiscovery, findCharacteristic, serviceDiscovery } from '../../../src/link/capture/gatt-layout';
import { AttConnectionReader } from '../../../src/link/capture/att-reader';
import { ConnectionHandles, OrderedTimeline } from '../../../src/link/capture/timeline';
import type { HciPacket } from '../../../src/link/capture/hci-packets';
import {
  ANCS_CONTROL_POINT_UUID,
  ANCS_DATA_SOURCE_UUID,
  ANCS_NOTIFICATION_SOURCE_UUID,
  ANCS_SERVICE_UUID,
} from '../../../src/protocol/ancs';

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

const ANCS = {
  uuid: ANCS_SERVICE_UUID,
  characteristics: [
    { uuid: ANCS_NOTIFICATION_SOURCE_UUID, properties: ['notify' as const] },
    { uuid: ANCS_CONTROL_POINT_UUID, properties: ['write' as const] },
    { uuid: ANCS_DATA_SOURCE_UUID, properties: ['notify' as const] },
  ],
};
const BATTERY = { uuid: '180F', characteristics: [{ uuid: '2A19', properties: ['read' as const, 'notify' as const] }] };

test('handles follow the GATT service, then each service in order, CCCDs after notify values', () => {
  const layout = buildGattLayout([ANCS, BATTERY]);
  assert.equal(layout.serviceChangedHandle, 0x0003);
  assert.deepEqual(
    layout.services.map((s) => [s.uuid, s.start, s.end, s.characteristics.map((c) => [c.declarationHandle, c.valueHandle, c.cccdHandle, c.properties])]),
    [
      [ANCS_SERVICE_UUID, 5, 13, [[6, 7, 8, 0x10], [9, 10, undefined, 0x08], [11, 12, 13, 0x10]]],
      ['180F', 14, 17, [[15, 16, 17, 0x12]]],
    ],
  );
  assert.equal(findCharacteristic(layout, ANCS_DATA_SOURCE_UUID)?.valueHandle, 12);
  assert.equal(layout.lastHandle, 17);
});

test('service discovery pages by UUID size and MTU and ends with Attribute Not Found', () => {
  const layout = buildGattLayout([ANCS, BATTERY, { uuid: '180A', characteristics: [] }]);
  const pdus = serviceDiscovery(layout, 23);
  assert.deepEqual(
    pdus.map((p) => `${p.fromClient ? '>' : '<'}${hex(p.pdu)}`),
    [
      '>100100ffff0028',
      '<111405000d00d0002d121e4b0fa4994eceb531f40579',
      '>100e00ffff0028',
      '<11060e0011000f18120012000a18',
      '>101300ffff0028',
      '<011013000a',
    ],
  );
});

test('characteristic discovery walks the service range', () => {
  const layout = buildGattLayout([ANCS]);
  const service = layout.services[0];
  assert.ok(service);
  const at185 = characteristicDiscovery(service, 185).map((p) => `${p.fromClient ? '>' : '<'}${hex(p.pdu).slice(0, 14)}`);
  assert.deepEqual(at185, ['>0806000d000328', '<09150600100700', '>080c000d000328', '<01080c000a']);
  // At the default MTU one 128-bit declaration fits per response.
  const at23 = characteristicDiscovery(service, 23).filter((p) => !p.fromClient);
  assert.deepEqual(at23.map((p) => hex(p.pdu.subarray(0, 4))), ['09150600', '09150900', '09150b00', '01080c00']);
});

test('a reader that sees our discovery names every ANCS handle, CCCDs included', () => {
  const layout = buildGattLayout([ANCS]);
  const reader = new AttConnectionReader();
  const service = layout.services[0];
  assert.ok(service);
  for (const p of [...serviceDiscovery(layout, 185), ...characteristicDiscovery(service, 185)]) reader.read(p.pdu);
  const ntf = reader.read(Uint8Array.of(0x1b, 0x07, 0x00, 0, 1, 2, 3, 4, 5, 6, 7));
  assert.deepEqual([ntf.name, ntf.handle, ntf.characteristic, ntf.descriptor], ['ATT_HANDLE_VALUE_NTF', 7, ANCS_NOTIFICATION_SOURCE_UUID, undefined]);
  const cccd = reader.read(Uint8Array.of(0x12, 0x0d, 0x00, 0x01, 0x00));
  assert.deepEqual([cccd.characteristic, cccd.descriptor], [ANCS_DATA_SOURCE_UUID, '2902']);
  const error = reader.read(Uint8Array.of(0x01, 0x12, 0x0d, 0x00, 0x05));
  assert.deepEqual([error.requestOpcode, error.errorCode, error.characteristic, error.descriptor], [0x12, 0x05, ANCS_DATA_SOURCE_UUID, '2902']);
  assert.equal(reader.read(Uint8Array.of(0x12, 0x0a)).malformed, true);
  // A write of one byte just past a value handle is not taken for a CCCD.
  assert.equal(reader.read(Uint8Array.of(0x12, 0x0d, 0x00, 0x01)).descriptor, undefined);
});

const packet = (n: number): HciPacket => ({ sent: true, bytes: Uint8Array.of(n) });

test('the timeline holds everything behind a reservation until it is filled', () => {
  const out: number[] = [];
  const timeline = new OrderedTimeline((_time, p) => out.push(p.bytes[0] as number), 5);
  timeline.add(0, [packet(1)]);
  const slot = timeline.reserve(1, () => [packet(99)]);
  timeline.add(2, [packet(3)]);
  assert.deepEqual(out, [1]);
  slot.fill([packet(2)]);
  slot.fill([packet(98)]);
  assert.deepEqual(out, [1, 2, 3]);

  // Past the limit, the oldest reservation takes its fallback.
  const stuck = timeline.reserve(3, () => [packet(4)]);
  for (let i = 5; i < 12; i++) timeline.add(i, [packet(i)]);
  assert.equal(stuck.filled, true);
  assert.deepEqual(out.slice(0, 6), [1, 2, 3, 4, 5, 6]);
  const open = timeline.reserve(20, () => [packet(20)]);
  timeline.add(21, [packet(21)]);
  timeline.flushAll();
  assert.equal(open.filled, true);
  assert.deepEqual(out.slice(-2), [20, 21]);
});

test('connection handles are unique while in use and reused after release', () => {
  const handles = new ConnectionHandles();
  const a = handles.allocate();
  const b = handles.allocate();
  assert.notEqual(a, b);
  handles.release(a);
  const seen = new Set<number>([b]);
  for (let i = 0; i < 0x0eff - 1; i++) seen.add(handles.allocate());
  assert.equal(seen.size, 0x0eff);
  assert.throws(() => handles.allocate(), /in use/);
});
