import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VirtualClock } from '../../../src/link/virtual-clock';
import { AncsConsumer } from '../../../src/sim-pc/ancs/ancs-consumer';
import { NotificationCenter, NotificationChanges, ReconcileReport } from '../../../src/sim-pc/services/notification-center';
import { CapacityReachedError, NotConnectedError, NotDismissibleError, UnknownNotificationError, UnsupportedError } from '../../../src/sim-pc/errors';
import { CategoryId, EventFlag, EventId } from '../../../src/protocol/ancs';
import { SessionPhone } from '../fakes';

function setup(maxEntries?: number) {
  const clock = new VirtualClock();
  const phone = new SessionPhone(clock);
  const center = new NotificationCenter({ clock, ...(maxEntries === undefined ? {} : { maxEntries }) });
  const changes: NotificationChanges[] = [];
  const reconciled: ReconcileReport[] = [];
  center.events.on('changed', (c) => changes.push(c));
  center.events.on('reconciled', (r) => reconciled.push(r));
  const connect = async (): Promise<AncsConsumer> => {
    const connection = phone.connect();
    const consumer = new AncsConsumer({ connection, clock });
    center.attach(consumer);
    await consumer.start();
    await clock.runUntilIdle();
    return consumer;
  };
  return { clock, phone, center, changes, reconciled, connect };
}

const sms = (title: string, message: string, date: string) => ({ appId: 'com.apple.MobileSMS', title, message, date, negative: 'Clear' });

test('list is newest first; byApp and byCategory group and label', async () => {
  const { phone, center, connect } = setup();
  phone.post(sms('Anna', 'hi', '20240131T100000'));
  phone.post({ appId: 'com.apple.mobilemail', title: 'Invoice', date: '20240131T120000' }, EventFlag.NegativeAction, CategoryId.Email);
  phone.post(sms('Ben', 'yo', '20240131T110000'));
  phone.post({ appId: 'com.apple.mobilephone', title: 'Carol', positive: 'Answer', negative: 'Decline' }, EventFlag.PositiveAction | EventFlag.NegativeAction, CategoryId.IncomingCall);
  await connect();
  assert.deepEqual(
    center.list().map((e) => e.title),
    ['Carol', 'Invoice', 'Ben', 'Anna'], // the undated call sorts by when it arrived (now, 2026)
  );
  assert.deepEqual(
    center.byApp().map((g) => [g.key, g.entries.map((e) => e.title)]),
    [
      ['com.apple.mobilephone', ['Carol']],
      ['com.apple.mobilemail', ['Invoice']],
      ['com.apple.MobileSMS', ['Ben', 'Anna']],
    ],
  );
  assert.deepEqual(
    center.byCategory().map((g) => [g.key, g.label, g.entries.length]),
    [
      [CategoryId.IncomingCall, 'IncomingCall', 1],
      [CategoryId.Email, 'Email', 1],
      [CategoryId.Social, 'Social', 2],
    ],
  );
  const anna = center.list().find((e) => e.title === 'Anna');
  assert.ok(anna);
  assert.equal(center.get(anna.id), anna);
  assert.equal(anna.dismissible, true);
  assert.equal(anna.date?.getTime(), new Date(2024, 0, 31, 10, 0, 0).getTime());
  assert.equal(center.size, 4);
});

test('dismiss sends the negative action; the entry goes when the phone removes it', async () => {
  const { clock, phone, center, changes, connect } = setup();
  phone.post(sms('Anna', 'hi', '20240131T100000'));
  await connect();
  const [entry] = center.list();
  assert.ok(entry);
  const connection = phone.connection;
  assert.ok(connection);
  const dismissed = center.dismiss(entry.id);
  await clock.runUntilIdle();
  await dismissed;
  assert.equal(center.size, 0);
  assert.deepEqual(connection.gatt.writes.at(-1)?.bytes, Uint8Array.of(2, ...le32(phone.uidOf(1) ?? 1000), 1));
  assert.deepEqual(
    changes.at(-1)?.removed.map((e) => e.id),
    [entry.id],
  );
});

function le32(n: number): number[] {
  return [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, n >>> 24];
}

test('dismiss without a negative action: NotDismissibleError saying to open it on the phone', async () => {
  const { phone, center, connect } = setup();
  phone.post({ appId: 'com.apple.Health', title: 'Stand up' }, 0, CategoryId.HealthAndFitness);
  await connect();
  const [entry] = center.list();
  assert.ok(entry);
  assert.equal(entry.dismissible, false);
  await assert.rejects(center.dismiss(entry.id), (err: unknown) => {
    assert.ok(err instanceof NotDismissibleError);
    assert.equal(err.code, 'sim-pc.not-dismissible');
    assert.match(err.message, /can only be viewed/);
    assert.match(err.message, /open it on the phone/);
    return true;
  });
  await assert.rejects(center.dismiss('n999'), UnknownNotificationError);
});

test('reply always rejects with UnsupportedError', async () => {
  const { phone, center, connect } = setup();
  phone.post(sms('Anna', 'hi', '20240131T100000'));
  await connect();
  const [entry] = center.list();
  assert.ok(entry);
  await assert.rejects(center.reply(entry.id, 'on my way'), (err: unknown) => err instanceof UnsupportedError && err.code === 'sim-pc.unsupported');
  await assert.rejects(center.reply('n999', 'x'), UnsupportedError);
});

test('Modified updates the entry in place, keeping its id', async () => {
  const { clock, phone, center, changes, connect } = setup();
  const key = phone.post({ appId: 'com.apple.mobilemail', title: 'Loading…' }, EventFlag.NegativeAction, CategoryId.Email);
  await connect();
  const id = center.list()[0]?.id;
  phone.modify(key, { title: 'Invoice', message: 'Due Friday' });
  await clock.runUntilIdle();
  assert.equal(center.size, 1);
  assert.equal(center.get(id ?? '')?.title, 'Invoice');
  assert.deepEqual(
    changes.at(-1)?.updated.map((e) => e.id),
    [id],
  );
});

test('after a reconnect, replayed notifications keep their ids, gone ones are removed, new ones added', async () => {
  const { clock, phone, center, reconciled, connect } = setup();
  phone.post(sms('Anna', 'hi', '20240131T100000'));
  const gone = phone.post(sms('Ben', 'yo', '20240131T110000'));
  await connect();
  phone.post(sms('Carol', 'live one', '20240131T120000')); // arrives live in session 1
  await clock.runUntilIdle();
  const before = new Map(center.list().map((e) => [e.title, e.id]));
  assert.equal(before.size, 3);

  phone.connection?.drop(0x08);
  assert.equal(center.attached, false);
  assert.ok(center.list().every((e) => e.stale && e.uid === undefined));
  const carol = before.get('Carol') ?? '';
  await assert.rejects(center.dismiss(carol), NotConnectedError);

  // While away: Ben is cleared on the phone, Dan arrives.
  phone.remove(gone);
  phone.post(sms('Dan', 'new', '20240131T130000'));
  await connect();

  const after = center.list();
  assert.deepEqual(
    after.map((e) => e.title),
    ['Dan', 'Carol', 'Anna'],
  );
  assert.equal(after.find((e) => e.title === 'Anna')?.id, before.get('Anna'));
  assert.equal(after.find((e) => e.title === 'Carol')?.id, carol);
  assert.ok(![...before.values()].includes(after.find((e) => e.title === 'Dan')?.id ?? ''));
  assert.ok(after.every((e) => !e.stale && e.uid !== undefined && e.uid >= 2000), 'rebound to session-2 UIDs');
  assert.equal(new Set(after.map((e) => e.uid)).size, after.length);
  assert.equal(reconciled.length, 2);
  assert.deepEqual({ kept: reconciled[1]?.kept, removed: reconciled[1]?.removed }, { kept: 2, removed: 1 });

  // Dismiss works on the carried-over entry with its new UID.
  const done = center.dismiss(carol);
  await clock.runUntilIdle();
  await done;
  assert.equal(center.get(carol), undefined);
});

test('identical notifications pair up one-to-one across a reconnect (no merging, no duplicates)', async () => {
  const { phone, center, connect } = setup();
  phone.post(sms('Mom', 'call me', '20240131T100000'));
  phone.post(sms('Mom', 'call me', '20240131T100000'));
  await connect();
  const ids = center.list().map((e) => e.id).sort();
  phone.connection?.drop(0x08);
  await connect();
  assert.deepEqual(center.list().map((e) => e.id).sort(), ids);
});

test('when the phone replays nothing, every stale entry goes after the settle window', async () => {
  const { clock, phone, center, reconciled, connect } = setup();
  const key = phone.post(sms('Anna', 'hi', '20240131T100000'));
  await connect();
  phone.connection?.drop(0x08);
  phone.remove(key);
  const connection = phone.connect();
  const consumer = new AncsConsumer({ connection, clock, replaySettleMs: 1000 });
  center.attach(consumer);
  await consumer.start();
  const subscribedAt = clock.now();
  await clock.runFor(999);
  assert.equal(center.size, 1, 'still waiting for a possible replay');
  await clock.runFor(1);
  assert.equal(center.size, 0);
  assert.equal(clock.now() - subscribedAt, 1000);
  assert.equal(reconciled.at(-1)?.outcome.endedBy, 'quiet');
});

test('the list is bounded: the oldest entry is dropped with an overflow event', async () => {
  const { clock, phone, center, changes, connect } = setup(3);
  const dropped: string[] = [];
  center.events.on('overflow', (e) => dropped.push(e.title));
  await connect();
  for (const date of ['20240130T100000', '20240131T100000', '20240201T100000', '20240202T100000', '20240203T100000']) {
    phone.post(sms(date.slice(0, 8), 'x', date));
  }
  await clock.runUntilIdle();
  assert.equal(center.size, 3);
  assert.deepEqual(dropped, ['20240130', '20240131']);
  assert.ok(changes.some((c) => c.removed.length === 1 && c.added.length === 1));
  assert.deepEqual(
    center.list().map((e) => e.title),
    ['20240203', '20240202', '20240201'],
  );
});

test('a full list reports one CapacityReachedError each time it fills, not one per eviction', async () => {
  const { clock, phone, center, connect } = setup(3);
  const errors: Error[] = [];
  center.events.on('error', (e) => errors.push(e));
  await connect();
  const keys = ['20240130T100000', '20240131T100000', '20240201T100000', '20240202T100000', '20240203T100000'].map((date) =>
    phone.post(sms(date.slice(0, 8), 'x', date)),
  );
  await clock.runUntilIdle();
  assert.equal(center.evicted, 2);
  assert.equal(errors.length, 1);
  const [first] = errors;
  assert.ok(first instanceof CapacityReachedError);
  assert.equal(first.code, 'sim-pc.capacity-reached');
  assert.equal(first.limit, 3);
  assert.equal(first.limitName, 'NOTIFICATION_CENTER_MAX_ENTRIES');
  // Still full: more evictions, no more reports.
  phone.post(sms('20240204', 'x', '20240204T100000'));
  await clock.runUntilIdle();
  assert.equal(errors.length, 1);
  // Below the bound again, then full again: a second report.
  const newest = keys[keys.length - 1];
  assert.ok(newest !== undefined);
  phone.remove(newest);
  await clock.runUntilIdle();
  assert.equal(center.size, 2);
  phone.post(sms('20240205', 'x', '20240205T100000'));
  phone.post(sms('20240206', 'x', '20240206T100000'));
  await clock.runUntilIdle();
  assert.equal(center.size, 3);
  assert.equal(errors.length, 2);
  assert.equal(center.evicted, 4);
});

test('attach while attached replaces the session; detach is idempotent', async () => {
  const { clock, phone, center, connect } = setup();
  phone.post(sms('Anna', 'hi', '20240131T100000'));
  const first = await connect();
  const id = center.list()[0]?.id;
  // A second session without a disconnect in between (e.g. the supervisor restarted the consumer).
  first.close();
  center.detach();
  center.detach();
  phone.connection?.drop(0x13);
  await connect();
  assert.deepEqual(
    center.list().map((e) => e.id),
    [id],
  );
  const other = new AncsConsumer({ connection: phone.connect(), clock });
  center.attach(other);
  assert.equal(center.attached, true);
  assert.ok(center.list().every((e) => e.stale));
});

/** Sharing off on the phone: it drops an item without telling the PC (no Removed event). */
function removeSilently(phone: ReturnType<typeof setup>['phone'], key: number): void {
  const index = phone.items.findIndex((it) => it.key === key);
  assert.ok(index >= 0);
  phone.items.splice(index, 1);
}

/** Sharing back on: the phone replays what it holds, in the same session, with PreExisting. */
function replayInSession(phone: ReturnType<typeof setup>['phone']): void {
  const connection = phone.connection;
  assert.ok(connection);
  for (const item of phone.items) {
    const uid = phone.uidOf(item.key);
    assert.ok(uid !== undefined);
    connection.gatt.pushNs({ eventId: EventId.Added, eventFlags: item.flags | EventFlag.PreExisting, categoryId: item.categoryId, categoryCount: 1, notificationUid: uid });
  }
}

test('a replay inside a session (sharing turned back on) settles the list like a reconnect: removals made meanwhile go', async () => {
  const { clock, phone, center, reconciled, connect } = setup();
  phone.post(sms('Anna', 'hi', '20240131T100000'));
  const gone = phone.post(sms('Ben', 'yo', '20240131T110000'));
  await connect();
  const before = new Map(center.list().map((e) => [e.title, e.id]));
  assert.equal(before.size, 2);
  assert.equal(reconciled.length, 1);

  await clock.runFor(60_000);
  removeSilently(phone, gone);
  replayInSession(phone);
  await clock.runFor(500);
  assert.equal(center.size, 2, 'nothing dropped before the replay is over');
  await clock.runUntilIdle();

  const after = center.list();
  assert.deepEqual(
    after.map((e) => [e.title, e.id, e.stale]),
    [['Anna', before.get('Anna'), false]],
  );
  assert.equal(after[0]?.uid, phone.uidOf(1), 'keeps its UID of this session');
  assert.equal(reconciled.length, 2);
  assert.deepEqual({ kept: reconciled[1]?.kept, removed: reconciled[1]?.removed }, { kept: 1, removed: 1 });
  assert.equal(clock.pendingEvents, 0, 'no timer left running');

  // The session carries on: dismiss still works on the re-announced entry.
  const done = center.dismiss(before.get('Anna') ?? '');
  await clock.runUntilIdle();
  await done;
  assert.equal(center.size, 0);
});

test('a late PreExisting event for a new UID, with no sign the phone went silent, drops nothing', async () => {
  const { clock, phone, center, reconciled, connect } = setup();
  phone.post(sms('Anna', 'hi', '20240131T100000'));
  await connect();
  const connection = phone.connection;
  assert.ok(connection);
  // A straggler of the first replay (unknown UID, nothing answered for it): not a fresh snapshot.
  connection.gatt.pushNs({ eventId: EventId.Added, eventFlags: EventFlag.PreExisting, categoryId: 4, categoryCount: 1, notificationUid: 4242 });
  await clock.runUntilIdle();
  assert.equal(center.size, 2);
  assert.ok(center.list().some((e) => e.title === 'Anna' && !e.stale));
  assert.equal(reconciled.length, 1);
});
