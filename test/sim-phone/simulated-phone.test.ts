/**
 * The simulated iPhone end to end over the in-memory BLE link: a PC
 * central discovers it, pairs, subscribes to ANCS and talks to it, with
 * every byte crossing the link model on virtual time.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VirtualClock } from '../../src/link/virtual-clock';
import { AttError } from '../../src/link/errors';
import { MemoryAir } from '../../src/link/memory';
import {
  ANCS_CONTROL_POINT_UUID as CP,
  ANCS_DATA_SOURCE_UUID as DS,
  ANCS_NOTIFICATION_SOURCE_UUID as NS,
  ANCS_SERVICE_UUID as ANCS,
  DataSourceReassembler,
  NotificationAttributeId as A,
  attributeText,
  decodeNotificationSource,
  encodeControlPoint,
  expectedReplyFor,
} from '../../src/protocol/ancs';
import type { DataSourceReply, GetNotificationAttributesCommand, NotificationSourceEvent } from '../../src/protocol/ancs';
import path from 'node:path';
import { SimulatedPhone, fixturesDir, loadPhoneProfile, loadStimulusScript } from '../../src/sim-phone';
import { FakeGattHost } from './fake-gatt-host';

const PC = 'AA:BB:CC:DD:EE:01';

/** Runs the virtual clock until the promise settles; returns its value or rethrows. */
async function run<T>(clock: VirtualClock, promise: Promise<T>): Promise<T> {
  let outcome: { ok: true; value: T } | { ok: false; error: unknown } | undefined;
  promise.then(
    (value) => (outcome = { ok: true, value }),
    (error: unknown) => (outcome = { ok: false, error }),
  );
  await clock.runUntil(() => outcome !== undefined, 60_000);
  if (!outcome) throw new Error('promise did not settle');
  if (!outcome.ok) throw outcome.error;
  return outcome.value;
}

async function attCodeOf(clock: VirtualClock, promise: Promise<unknown>): Promise<number | undefined> {
  try {
    await run(clock, promise);
    return undefined;
  } catch (err) {
    if (err instanceof AttError) return err.attCode;
    throw err;
  }
}

test('the simulated iPhone over the in-memory link: pair, share, replay, attributes, dismiss', async () => {
  const clock = new VirtualClock();
  const air = new MemoryAir(clock, { seed: 7 });
  const profile = loadPhoneProfile('iphone');
  const host = air.createPeripheral({ address: profile.address, model: profile.ble });
  const phone = new SimulatedPhone({ host, clock, profile });
  phone.start();
  const message = 'Are you coming for lunch on Sunday? We could try the new place by the river. ☕ '.repeat(8);
  const id = phone.backchannel.postNotification({
    appId: 'com.apple.MobileSMS',
    category: 'Social',
    title: 'Mum',
    message,
    positiveActionLabel: 'Mark as Read',
    negativeActionLabel: 'Clear',
  });

  const pc = air.createCentral({ address: PC, maxMtu: 517 });
  const seen = await run(clock, pc.scan(1000));
  assert.deepEqual(seen.map((s) => s.advertisement.localName), ['iPhone']);
  const connection = await run(clock, pc.connect(phone.profile.address));
  assert.equal(await run(clock, connection.gatt.exchangeMtu(517)), 185);

  const ns: NotificationSourceEvent[] = [];
  const reassembler = new DataSourceReassembler();
  const replies: DataSourceReply[] = [];
  const fragmentSizes: number[] = [];
  // Bonding first: the iPhone answers Insufficient Authentication.
  assert.equal(await attCodeOf(clock, connection.gatt.subscribe(ANCS, NS, () => undefined)), 0x05);
  await run(clock, connection.pair());
  await run(
    clock,
    connection.gatt.subscribe(ANCS, DS, (value) => {
      fragmentSizes.push(value.length);
      replies.push(...reassembler.push(value));
    }),
  );
  await run(clock, connection.gatt.subscribe(ANCS, NS, (value) => ns.push(decodeNotificationSource(value))));
  await clock.runFor(500);
  assert.equal(ns.length, 0, 'silent until the user shares notifications');
  const ask: GetNotificationAttributesCommand = {
    commandId: 0,
    notificationUid: 0x100,
    attributes: [{ id: A.Title, maxLength: 64 }, { id: A.Message, maxLength: 0xffff }, { id: A.MessageSize }, { id: A.Date }],
  };
  assert.equal(await attCodeOf(clock, connection.gatt.write(ANCS, CP, encodeControlPoint(ask))), 0x08);

  phone.backchannel.allowShareSystemNotifications(PC);
  await clock.runUntil(() => ns.length === 1, 1000);
  assert.deepEqual(ns[0], { eventId: 0, eventFlags: 0x1c, categoryId: 4, categoryCount: 1, notificationUid: 0x100 });

  reassembler.expect(expectedReplyFor(ask));
  await run(clock, connection.gatt.write(ANCS, CP, encodeControlPoint(ask)));
  await clock.runUntil(() => replies.length === 1, 5000);
  const reply = replies[0];
  assert.ok(reply && reply.commandId === 0);
  assert.deepEqual(
    reply.attributes.map((a) => attributeText(a.value)),
    ['Mum', message, String(Buffer.byteLength(message)), '20260105T090000'],
  );
  assert.ok(fragmentSizes.length > 1);
  assert.ok(fragmentSizes.slice(0, -1).every((n) => n === 182), `fragments of MTU-3: ${fragmentSizes.join(',')}`);

  // The PC dismisses it: Removed arrives, and the phone no longer shows it.
  await run(clock, connection.gatt.write(ANCS, CP, encodeControlPoint({ commandId: 2, notificationUid: 0x100, actionId: 1 })));
  await clock.runUntil(() => ns.length === 2, 1000);
  assert.deepEqual(ns[1], { eventId: 2, eventFlags: 0x18, categoryId: 4, categoryCount: 0, notificationUid: 0x100 });
  assert.equal(phone.model.notifications.has(id), false);

  const stats = phone.ancs.stats;
  assert.equal(stats.requestsServed, 2);
  assert.deepEqual(stats.errorsByCode, { 0x08: 1 });
  assert.equal(stats.dsFragmentsSent, fragmentSizes.length);
  await clock.runUntilIdle();
});


test('start advertises the profile name and publishes ANCS; stop undoes both', () => {
  const host = new FakeGattHost();
  const phone = new SimulatedPhone({ host, clock: new VirtualClock() });
  assert.equal(phone.profile.id, 'iphone', 'the default profile');
  phone.start();
  assert.deepEqual(host.advertising, { localName: 'iPhone' });
  assert.ok(host.services.has(ANCS));
  phone.stop();
  assert.equal(host.advertising, undefined);
  assert.equal(host.services.size, 0);
  assert.equal(phone.started, false);
});

test('the morning script drives NS events through the simulated phone', async () => {
  const clock = new VirtualClock();
  const host = new FakeGattHost();
  const phone = new SimulatedPhone({ host, clock, profile: 'iphone' });
  phone.start();
  phone.backchannel.allowShareSystemNotifications();
  const peer = host.connect(PC);
  host.subscribe(peer, DS);
  host.subscribe(peer, NS);
  const steps = loadStimulusScript(path.join(fixturesDir(), 'notifications', 'morning.json'));
  phone.backchannel.runScript(steps);
  await clock.runUntilIdle();
  const kinds = host.sentTo(peer, NS).map((v) => decodeNotificationSource(v).eventId);
  const count = (k: number): number => kinds.filter((x) => x === k).length;
  assert.equal(count(0), steps.filter((s) => s.stimulus.kind === 'postNotification').length);
  assert.equal(count(1), 1);
  assert.equal(count(2), 1);
  assert.equal(phone.ancs.stats.nsEventsSent, kinds.length);
});
