import { test } from 'node:test';
import assert from 'node:assert/strict';
import { llPacketsForAttPdu } from '../../../src/link/link-model';
import { QueueFullError } from '../../../src/link/errors';
import { DATA, NOTIFY, SERVICE, bytes, connect, makeRig, nextEvent, resolved } from './rig';

test('a write with response is answered and costs at least one interval', async () => {
  const rig = makeRig();
  const connection = await connect(rig);
  const anchor = rig.clock.now();
  const ci = rig.model.connectionIntervalMs;
  rig.clock.advance(10); // issue it mid-interval
  const start = rig.clock.now();
  const { time } = await resolved(rig.clock, connection.gatt.write(SERVICE, DATA, Uint8Array.of(7, 8)));
  // Request at the first event after `start`, response queued there and sent one event later.
  const requestAt = nextEvent(anchor, ci, start);
  assert.equal(rig.writes.length, 1);
  assert.deepEqual([...(rig.writes[0]?.value ?? [])], [7, 8]);
  assert.equal(rig.writes[0]?.time, requestAt);
  assert.equal(time, requestAt + ci);
  assert.ok(time - start >= ci);
  assert.deepEqual(
    rig.pdus.map((p) => [p.kind, p.bytes, p.direction]),
    [
      ['ATT_WRITE_REQ', 5, 'toPeripheral'],
      ['ATT_WRITE_RSP', 1, 'toCentral'],
    ],
  );
});

test('queued requests go one at a time (ATT allows one outstanding request)', async () => {
  const rig = makeRig();
  const connection = await connect(rig);
  const anchor = rig.clock.now();
  const ci = rig.model.connectionIntervalMs;
  const a = connection.gatt.write(SERVICE, DATA, Uint8Array.of(1));
  const b = connection.gatt.write(SERVICE, DATA, Uint8Array.of(2));
  const [ra, rb] = await Promise.all([resolved(rig.clock, a), resolved(rig.clock, b)]);
  assert.equal(ra.time, anchor + 2 * ci);
  // The second request leaves only after the first response, at the event after it.
  assert.equal(rb.time, anchor + 4 * ci);
});

/**
 * Subscribes at MTU 185, then queues 100 notifications of 180 bytes at once
 * and returns the arrival time of each.
 */
async function notificationBurst(llPayloadOctets: number) {
  const rig = makeRig({ model: { packetsPerEvent: [4, 4], llPayloadOctets, txQueueLimit: 4096 } });
  const connection = await connect(rig);
  const arrivals: { time: number; first: number }[] = [];
  await resolved(rig.clock, connection.gatt.exchangeMtu(517));
  const { time: subscribedAt } = await resolved(
    rig.clock,
    connection.gatt.subscribe(SERVICE, NOTIFY, (value) => arrivals.push({ time: rig.clock.now(), first: value[0] ?? -1 })),
  );
  const peer = rig.phone.peers()[0];
  assert.ok(peer);
  for (let i = 0; i < 100; i++) rig.phone.notify(peer, NOTIFY, bytes(180, i));
  await rig.clock.runUntilIdle();
  return { rig, arrivals, subscribedAt, ci: rig.model.connectionIntervalMs };
}

test('100 notifications of 180 bytes at 4 packets per event with DLE (251-byte LL payload) take 25 events', async () => {
  const { rig, arrivals, subscribedAt, ci } = await notificationBurst(251);
  // Each PDU is 3 + 180 = 183 bytes; with the 4-byte L2CAP header 187 <= 251, so 1 LL packet.
  assert.equal(llPacketsForAttPdu(rig.model, 183), 1);
  // 4 packets per event -> 4 notifications per event -> 100 / 4 = 25 events,
  // the first one interval after they were queued (at `subscribedAt`, itself an event).
  assert.equal(arrivals.length, 100);
  arrivals.forEach((a, i) => {
    assert.equal(a.first, i, 'in order');
    assert.equal(a.time, subscribedAt + (Math.floor(i / 4) + 1) * ci, `notification ${i}`);
  });
  assert.equal(arrivals[99]?.time, subscribedAt + 25 * ci);
  assert.equal(rig.air.stats.toCentral.attPdus, 100 + 2); // plus the MTU and CCCD responses
});

test('the same burst without DLE (27-byte LL payload) takes ceil(100 * 7 / 4) = 175 events', async () => {
  const { rig, arrivals, subscribedAt, ci } = await notificationBurst(27);
  // 187 bytes over 27-byte LL payloads is ceil(187 / 27) = 7 packets per notification;
  // notification i (1-based) completes with packet 7i, in event ceil(7i / 4).
  assert.equal(llPacketsForAttPdu(rig.model, 183), 7);
  assert.equal(arrivals.length, 100);
  arrivals.forEach((a, index) => {
    const i = index + 1;
    assert.equal(a.time, subscribedAt + Math.ceil((7 * i) / 4) * ci, `notification ${i}`);
  });
  assert.equal(arrivals[99]?.time, subscribedAt + 175 * ci);
  const ntf = rig.pdus.find((p) => p.kind === 'ATT_HANDLE_VALUE_NTF');
  assert.equal(ntf?.llPackets, 7);
});

test('packets per event are drawn from the seeded range, so the same seed gives the same timing', async () => {
  const run = async (seed: number) => {
    const rig = makeRig({ seed, model: { packetsPerEvent: [1, 7] } });
    const connection = await connect(rig);
    const times: number[] = [];
    await resolved(rig.clock, connection.gatt.subscribe(SERVICE, NOTIFY, () => times.push(rig.clock.now())));
    const peer = rig.phone.peers()[0];
    assert.ok(peer);
    for (let i = 0; i < 60; i++) rig.phone.notify(peer, NOTIFY, bytes(10));
    await rig.clock.runUntilIdle();
    return times;
  };
  const a = await run(5);
  assert.deepEqual(await run(5), a);
  // 60 one-packet PDUs at 1..7 per event need between ceil(60/7) = 9 and 60 events.
  const events = new Set(a).size;
  assert.ok(events >= 9 && events <= 60, `${events} events`);
  assert.notDeepEqual(await run(6), a);
});

test('the link schedules nothing while idle', async () => {
  const rig = makeRig();
  const connection = await connect(rig);
  await resolved(rig.clock, connection.gatt.write(SERVICE, DATA, Uint8Array.of(1)));
  await rig.clock.runUntilIdle();
  assert.equal(rig.clock.nextEventTime(), undefined);
  assert.equal(connection.connected, true);
});

test('a read longer than MTU-1 continues with Read Blob requests', async () => {
  const rig = makeRig();
  const value = Uint8Array.from({ length: 300 }, (_, i) => i & 0xff);
  rig.readValue.current = value;
  const connection = await connect(rig);
  await resolved(rig.clock, connection.gatt.exchangeMtu(517)); // MTU 185: chunks of 184
  const { value: read } = await resolved(rig.clock, connection.gatt.read(SERVICE, DATA));
  assert.deepEqual([...read], [...value]);
  const kinds = rig.pdus.filter((p) => p.kind.startsWith('ATT_READ')).map((p) => [p.kind, p.bytes]);
  assert.deepEqual(kinds, [
    ['ATT_READ_REQ', 3],
    ['ATT_READ_RSP', 185],
    ['ATT_READ_BLOB_REQ', 5],
    ['ATT_READ_BLOB_RSP', 1 + 300 - 184],
  ]);
});

test('the transmit queue is bounded by txQueueLimit, on both sides', async () => {
  const rig = makeRig({ model: { txQueueLimit: 10 } });
  const connection = await connect(rig);
  await resolved(rig.clock, connection.gatt.subscribe(SERVICE, NOTIFY, () => undefined));
  const peer = rig.phone.peers()[0];
  assert.ok(peer);
  for (let i = 0; i < 10; i++) rig.phone.notify(peer, NOTIFY, bytes(4));
  assert.throws(() => rig.phone.notify(peer, NOTIFY, bytes(4)), (err: unknown) => err instanceof QueueFullError && err.code === 'link.queue-full');
  const commands = Array.from({ length: 10 }, () => connection.gatt.write(SERVICE, DATA, bytes(2), false));
  const overflow = connection.gatt.write(SERVICE, DATA, bytes(2), false);
  await assert.rejects(overflow, QueueFullError);
  await rig.clock.runUntilIdle();
  await Promise.all(commands);
  assert.equal(rig.writes.filter((w) => !w.withResponse).length, 10);
  // Drained: room again.
  rig.phone.notify(peer, NOTIFY, bytes(4));
  await rig.clock.runUntilIdle();
});

test('a notification raised while a request is handled goes out after its response', async () => {
  const rig = makeRig({
    extra: [
      {
        uuid: 'FFF9',
        properties: ['notify'],
        security: 'open',
        onSubscribe: (peer, enabled) => {
          if (enabled) rig.phone.notify(peer, 'FFF9', Uint8Array.of(0x42));
        },
      },
    ],
  });
  const connection = await connect(rig);
  const got: number[] = [];
  const { time } = await resolved(rig.clock, connection.gatt.subscribe(SERVICE, 'FFF9', (v) => got.push(v[0] ?? -1)));
  await rig.clock.runUntilIdle();
  assert.deepEqual(got, [0x42]);
  const toCentral = rig.pdus.filter((p) => p.direction === 'toCentral').map((p) => [p.kind, p.time]);
  assert.deepEqual(toCentral, [
    ['ATT_WRITE_RSP', time],
    ['ATT_HANDLE_VALUE_NTF', time],
  ]);
});
