/**
 * Two controllers on one virtual air: advertising reports (duplicate
 * filtering, active scans with scan responses, range), connection set-up,
 * ACL routing by per-controller handles with Number Of Completed Packets,
 * pacing by the link model, connection procedures, and disconnection.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toHex } from '../../../../src/link/hci/controller/byte-reader';
import { ReportType } from '../../../../src/link/hci/controller/hci-constants';
import { FakeHost } from './fake-host';
import { ADV_DATA, PC, PHONE, SCAN_RSP, bringUpCentral, bringUpPeripheral, connect, createConnection, l2cap, makeRig, startScan } from './rig';

const ATT_MTU_REQ = l2cap(4, Uint8Array.of(0x02, 0xb9, 0x00));

test('passive scan without duplicate filtering: one ADV_IND report per advertising interval, no scan responses', async () => {
  const rig = makeRig();
  bringUpPeripheral(rig.phone);
  bringUpCentral(rig.pc);
  startScan(rig.pc, false, false);
  await rig.clock.runFor(1000);
  const reports = rig.pc.of('le-advertising-report').flatMap((e) => e.reports);
  assert.ok(reports.length >= 10 && reports.length <= 11, `${reports.length} reports in 1 s at 100 ms`);
  assert.ok(reports.every((r) => r.eventType === ReportType.AdvInd && toHex(r.address) === '665544332211'));
  assert.equal(toHex(reports[0]?.data ?? new Uint8Array()), ADV_DATA.slice(2, 44));
  assert.ok(reports.every((r) => r.rssi <= -38 && r.rssi >= -72));
});

test('active scan with duplicates filtered: one ADV_IND and one SCAN_RSP, then silence and an idle air', async () => {
  const rig = makeRig();
  bringUpPeripheral(rig.phone);
  bringUpCentral(rig.pc);
  startScan(rig.pc, true, true);
  await rig.clock.runFor(1000);
  const reports = rig.pc.of('le-advertising-report').flatMap((e) => e.reports);
  assert.deepEqual(reports.map((r) => r.eventType), [ReportType.AdvInd, ReportType.ScanRsp]);
  assert.equal(toHex(reports[1]?.data ?? new Uint8Array()), SCAN_RSP.slice(2, 22));
  // Both keep advertising and scanning, but nobody needs another advertising event.
  assert.equal(rig.clock.pendingEvents, 0);
  assert.equal(rig.air.activeAdvertisers, 0);
  // New advertising data is news, even with duplicates filtered.
  rig.phone.send(0x2008, '0302010a' + '00'.repeat(28));
  await rig.clock.runFor(500);
  const after = rig.pc.of('le-advertising-report').flatMap((e) => e.reports);
  assert.deepEqual(after.map((r) => r.eventType), [ReportType.AdvInd, ReportType.ScanRsp, ReportType.AdvInd]);
  assert.equal(toHex(after[2]?.data ?? new Uint8Array()), '02010a');
});

test('out of range, a scanner hears nothing; back in range it hears the advertiser again', async () => {
  const rig = makeRig();
  bringUpPeripheral(rig.phone);
  bringUpCentral(rig.pc);
  rig.air.setInRange(PHONE, PC, false);
  startScan(rig.pc, true, false);
  await rig.clock.runFor(1000);
  assert.equal(rig.pc.of('le-advertising-report').length, 0);
  assert.equal(rig.clock.pendingEvents, 0);
  rig.air.setInRange(PC, PHONE, true);
  await rig.clock.runFor(250);
  assert.ok(rig.pc.of('le-advertising-report').length >= 4);
});

test('connection: Command Status, LE Connection Complete on both sides with roles and addresses, advertising stops', async () => {
  const rig = makeRig();
  const connects: unknown[][] = [];
  rig.air.events.on('connect', (...args) => connects.push(args));
  bringUpPeripheral(rig.phone);
  bringUpCentral(rig.pc);
  createConnection(rig.pc);
  assert.equal(rig.pc.statusOf(0x200d), 0);
  await rig.clock.runFor(200);
  const [c] = rig.pc.of('le-connection-complete');
  const [p] = rig.phone.of('le-connection-complete');
  assert.ok(c && p);
  assert.deepEqual(
    { role: c.role, peer: toHex(c.peerAddress), interval: c.interval, timeout: c.supervisionTimeout },
    { role: 0, peer: '665544332211', interval: 24, timeout: 200 },
  );
  assert.deepEqual({ role: p.role, peer: toHex(p.peerAddress) }, { role: 1, peer: '01eeddccbbaa' });
  assert.deepEqual(connects, [[PC, PHONE, c.handle]]);
  assert.equal(rig.phone.controller.radio.advertisingEnabled, false);
  // Data Length Extension is in use from the start; noble's mask wants the event, bleno's does not.
  const [dl] = rig.pc.of('le-data-length-change');
  assert.deepEqual(dl && [dl.maxTxOctets, dl.maxRxOctets], [251, 251]);
  assert.equal(rig.phone.of('le-data-length-change').length, 0);
  assert.equal(rig.clock.pendingEvents, 0, 'idle once connected with nothing to send');
});

test('ACL both ways, each to the peer handle, with Number Of Completed Packets to the sender', async () => {
  const rig = makeRig();
  const { central, peripheral } = await connect(rig);
  rig.phone.clear();
  rig.pc.clear();
  rig.pc.sendAcl(central, ATT_MTU_REQ);
  await rig.clock.runFor(100);
  assert.equal(rig.phone.acl.length, 1);
  assert.deepEqual({ handle: rig.phone.acl[0]?.handle, pb: rig.phone.acl[0]?.pb }, { handle: peripheral, pb: 2 });
  assert.equal(toHex(rig.phone.acl[0]?.data ?? new Uint8Array()), toHex(ATT_MTU_REQ));
  assert.deepEqual(rig.pc.of('number-of-completed-packets').map((e) => e.entries), [[{ handle: central, count: 1 }]]);
  rig.phone.sendAcl(peripheral, l2cap(4, Uint8Array.of(0x03, 0xb9, 0x00)), 0x00);
  // A continuation fragment keeps its boundary flag.
  rig.phone.sendAcl(peripheral, Uint8Array.of(1, 2, 3), 0x01);
  await rig.clock.runFor(100);
  assert.deepEqual(rig.pc.acl.map((a) => [a.handle, a.pb]), [[central, 2], [central, 1]]);
  assert.deepEqual(rig.phone.of('number-of-completed-packets').map((e) => e.entries[0]?.count), [2]);
});

test('handles are per controller: a second link gets the next handle on each side independently', async () => {
  const rig = makeRig();
  const third = new FakeHost(rig.air.addController('AA:BB:CC:DD:EE:02'));
  bringUpPeripheral(rig.phone);
  bringUpCentral(third);
  createConnection(third);
  await rig.clock.runFor(200);
  const firstPhoneHandle = rig.phone.of('le-connection-complete')[0]?.handle;
  // bleno re-enables advertising after a connection; the PC connects as well.
  rig.phone.send(0x200a, '01');
  bringUpCentral(rig.pc);
  createConnection(rig.pc);
  await rig.clock.runFor(200);
  const central = rig.pc.of('le-connection-complete')[0]?.handle;
  const peripheral = rig.phone.of('le-connection-complete')[1]?.handle;
  assert.equal(rig.air.openLinks().length, 2);
  assert.equal(firstPhoneHandle, 0x40);
  assert.equal(central, 0x40);
  assert.equal(peripheral, 0x41);
  rig.pc.sendAcl(0x40, ATT_MTU_REQ);
  await rig.clock.runFor(100);
  assert.deepEqual(rig.phone.acl.map((a) => a.handle), [0x41]);
  assert.equal(third.acl.length, 0);
});

test('pacing: N packets take about N / packetsPerEvent connection intervals', async () => {
  for (const packetsPerEvent of [1, 3, 6]) {
    const rig = makeRig({ packetsPerEvent, connectionIntervalMs: 30 });
    const { central } = await connect(rig);
    const total = 24;
    let sent = 0;
    const pump = (): void => {
      // Honour the controller's buffer count (8), as noble does.
      const inFlight = sent - rig.pc.of('number-of-completed-packets').reduce((n, e) => n + (e.entries[0]?.count ?? 0), 0);
      for (let i = inFlight; i < 8 && sent < total; i++, sent++) rig.pc.sendAcl(central, l2cap(4, Uint8Array.of(0x52, sent, 0)));
    };
    rig.pc.controller.output.on('data', () => queueMicrotask(pump));
    const start = rig.clock.now();
    pump();
    const elapsed = await rig.clock.runUntil(() => rig.phone.acl.length === total, 10_000);
    const intervals = Math.round(elapsed / 30);
    assert.ok(
      intervals >= Math.ceil(total / packetsPerEvent) && intervals <= Math.ceil(total / packetsPerEvent) + 1,
      `${packetsPerEvent}/event: ${total} packets took ${elapsed} ms (${intervals} intervals) from ${start}`,
    );
    assert.deepEqual(rig.phone.acl.map((a) => a.data[5]), Array.from({ length: total }, (_, i) => i), 'in order');
  }
});

test('pacing counts LL PDUs: without Data Length Extension a 251-byte ACL packet costs 10 of them', async () => {
  const rig = makeRig({ packetsPerEvent: 5, llPayloadOctets: 27 });
  const { central } = await connect(rig);
  const start = rig.clock.now();
  for (let i = 0; i < 2; i++) rig.pc.sendAcl(central, new Uint8Array(251).fill(i));
  const elapsed = await rig.clock.runUntil(() => rig.phone.acl.length === 2, 5000);
  // 20 LL PDUs at 5 per event: 4 events.
  assert.equal(Math.round(elapsed / 30), 4, `took ${elapsed} ms from ${start}`);
  // noble's LE_Set_Data_Length raises its own direction to 251: one event for two packets.
  rig.pc.send(0x2022, `${central.toString(16).padStart(2, '0')}00fb004808`);
  await rig.clock.runFor(60);
  rig.pc.sendAcl(central, new Uint8Array(251));
  rig.pc.sendAcl(central, new Uint8Array(251));
  const fast = await rig.clock.runUntil(() => rig.phone.acl.length === 4, 5000);
  assert.ok(fast <= 30, `took ${fast} ms`);
});

test('latency delays delivery, not the completion report', async () => {
  const rig = makeRig({ latencyMs: 7 });
  const { central } = await connect(rig);
  rig.pc.sendAcl(central, ATT_MTU_REQ);
  await rig.clock.runUntil(() => rig.pc.of('number-of-completed-packets').length === 1, 100);
  const completedAt = rig.clock.now();
  assert.equal(rig.phone.acl.length, 0);
  await rig.clock.runUntil(() => rig.phone.acl.length === 1, 100);
  assert.equal(rig.clock.now() - completedAt, 7);
});

test('Disconnect: Command Status, then Disconnection Complete on both sides at the next event; the air goes idle', async () => {
  const rig = makeRig();
  const disconnects: [number, number][] = [];
  rig.air.events.on('disconnect', (h, r) => disconnects.push([h, r]));
  const { central, peripheral } = await connect(rig);
  rig.pc.send(0x0406, `${central.toString(16)}0013`);
  assert.equal(rig.pc.statusOf(0x0406), 0);
  assert.equal(rig.pc.of('disconnection-complete').length, 0);
  await rig.clock.runFor(40);
  assert.deepEqual(rig.pc.of('disconnection-complete').map((e) => [e.handle, e.reason]), [[central, 0x16]]);
  assert.deepEqual(rig.phone.of('disconnection-complete').map((e) => [e.handle, e.reason]), [[peripheral, 0x13]]);
  assert.deepEqual(disconnects, [[central, 0x13]]);
  assert.equal(rig.air.openLinks().length, 0);
  assert.equal(rig.clock.pendingEvents, 0);
  // The handle is gone: ACL to it is refused, a second Disconnect too.
  rig.pc.send(0x0406, `${central.toString(16)}0013`);
  assert.equal(rig.pc.statusOf(0x0406), 0x02);
});

test('LE_Connection_Update: Command Status, Update Complete on both sides, the new interval paces the link', async () => {
  const rig = makeRig({ connectionIntervalMs: 30 });
  const { central } = await connect(rig);
  // Ask for 45..60 ms; the model's 30 ms is outside, so the nearest bound (45 ms = 36 units) is chosen.
  rig.pc.send(0x2013, `${central.toString(16)}00` + '2400' + '3000' + '0000' + '6400' + '0000' + '0000');
  assert.equal(rig.pc.statusOf(0x2013), 0);
  await rig.clock.runFor(60);
  const [cu] = rig.pc.of('le-connection-update-complete');
  const [pu] = rig.phone.of('le-connection-update-complete');
  assert.deepEqual(cu && [cu.interval, cu.supervisionTimeout], [36, 100]);
  assert.deepEqual(pu && [pu.interval, pu.supervisionTimeout], [36, 100]);
  // 7 packets at 6 per event: two events, one new interval apart.
  const completions: number[] = [];
  rig.pc.controller.output.on('data', (bytes) => {
    if (bytes[0] === 0x04 && bytes[1] === 0x13) completions.push(rig.clock.now());
  });
  for (let i = 0; i < 7; i++) rig.pc.sendAcl(central, ATT_MTU_REQ);
  await rig.clock.runUntil(() => completions.length === 2, 500);
  assert.equal((completions[1] ?? 0) - (completions[0] ?? 0), 45);
});

test('Read_RSSI and LE_Read_Remote_Features on a live link', async () => {
  const rig = makeRig();
  const { central } = await connect(rig);
  rig.pc.send(0x1405, `${central.toString(16)}00`);
  const rssi = rig.pc.of('command-complete').at(-1);
  assert.ok(rssi && rssi.opcode === 0x1405 && rssi.returnParams[0] === 0);
  const value = (rssi.returnParams[3] ?? 0) - 256;
  assert.ok(value >= -72 && value <= -38, `rssi ${value}`);
  rig.pc.send(0x2016, `${central.toString(16)}00`);
  assert.equal(rig.pc.statusOf(0x2016), 0);
  await rig.clock.runFor(40);
  const [features] = rig.pc.of('le-read-remote-features-complete');
  assert.deepEqual(features && [features.status, features.handle, toHex(features.features)], [0, central, '2100000000000000']);
});
