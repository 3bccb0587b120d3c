import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { VirtualClock } from '../../../src/link/virtual-clock';
import { AttError, DisconnectedError, PairingError, QueueFullError } from '../../../src/link/errors';
import { AncsConsumer, AncsConsumerOptions } from '../../../src/sim-pc/ancs/ancs-consumer';
import type { AncsNotification } from '../../../src/sim-pc/ancs/notification-record';
import {
  ActionNotOfferedError,
  AncsUnavailableError,
  SessionEndedError,
  TimeoutError,
  UnexpectedReplyError,
  UnknownNotificationError,
} from '../../../src/sim-pc/errors';
import { AncsError, CommandId, EventFlag, EventId } from '../../../src/protocol/ancs';
import type { NotificationSourceEvent } from '../../../src/protocol/ancs';
import { DS, FakeAncsPhone, FakeConnection, hex, NS } from '../fakes';

function setup(options: Partial<AncsConsumerOptions> = {}) {
  const clock = new VirtualClock();
  const connection = new FakeConnection(clock);
  connection.encrypted = true;
  connection.bonded = true;
  const gatt = connection.gatt;
  gatt.mtu = 23; // 20-byte fragments: every reply is cut several times
  const phone = new FakeAncsPhone(clock, gatt);
  phone.appNames.set('com.apple.MobileSMS', 'Messages');
  phone.appNames.set('com.apple.mobilemail', 'Mail');
  const consumer = new AncsConsumer({ connection, clock, ...options });
  const records: AncsNotification[] = [];
  const removed: number[] = [];
  const errors: Error[] = [];
  consumer.events.on('notification', (r) => records.push(r));
  consumer.events.on('removed', (uid) => removed.push(uid));
  consumer.events.on('error', (err) => errors.push(err));
  return { clock, connection, gatt, phone, consumer, records, removed, errors };
}

function added(uid: number, flags = 0, categoryId = 4): NotificationSourceEvent {
  return { eventId: EventId.Added, eventFlags: flags, categoryId, categoryCount: 1, notificationUid: uid };
}

function commandsOf(gatt: FakeConnection['gatt']): string[] {
  return gatt.writes.map((w) => {
    const c = w.command;
    if (!c) return '?';
    if (c.commandId === CommandId.GetNotificationAttributes) return `N${c.notificationUid}`;
    if (c.commandId === CommandId.GetAppAttributes) return `A:${c.appIdentifier}`;
    return `P${c.notificationUid}/${c.actionId}`;
  });
}

test('start subscribes Data Source before Notification Source', async () => {
  const { consumer, gatt } = setup();
  let started = false;
  consumer.events.on('started', () => (started = true));
  await consumer.start();
  assert.deepEqual(gatt.subscribeLog, [DS, NS]);
  assert.equal(consumer.state, 'running');
  assert.equal(started, true);
  await assert.rejects(consumer.start(), SessionEndedError);
});

test('ANCS missing, or missing a characteristic, is a typed error and ends the session', async () => {
  const a = setup();
  a.gatt.services = ['1800', '180F'];
  await assert.rejects(a.consumer.start(), AncsUnavailableError);
  assert.equal(a.consumer.state, 'ended');

  const b = setup();
  b.gatt.characteristics = [NS, DS];
  await assert.rejects(b.consumer.start(), (err: unknown) => err instanceof AncsUnavailableError && /Control Point/.test(err.message));

  const c = setup();
  c.connection.connected = false;
  await assert.rejects(c.consumer.start(), DisconnectedError);
});

test('Insufficient Authentication on subscribe: pair, then retry once', async () => {
  const { consumer, connection, gatt } = setup();
  connection.encrypted = false;
  connection.bonded = false;
  gatt.onSubscribe = () => {
    if (!connection.encrypted) throw new AttError(0x05);
  };
  let pairingEvents = 0;
  consumer.events.on('pairing', () => pairingEvents++);
  await consumer.start();
  assert.equal(connection.pairCalls, 1);
  assert.equal(connection.encryptCalls, 0);
  assert.equal(pairingEvents, 1);
  assert.deepEqual(gatt.subscribeLog, [DS, DS, NS]);
});

test('Insufficient Encryption with a bond: encrypt, falling back to pairing when the bond is gone', async () => {
  const a = setup();
  a.connection.encrypted = false;
  a.gatt.onSubscribe = () => {
    if (!a.connection.encrypted) throw new AttError(0x0f);
  };
  await a.consumer.start();
  assert.deepEqual([a.connection.encryptCalls, a.connection.pairCalls], [1, 0]);

  const b = setup();
  b.connection.encrypted = false;
  b.connection.encryptFails = true;
  b.gatt.onSubscribe = () => {
    if (!b.connection.encrypted) throw new AttError(0x0f);
  };
  await b.consumer.start();
  assert.deepEqual([b.connection.encryptCalls, b.connection.pairCalls], [1, 1]);
});

test('security is retried only once, and a failed pairing or another ATT error fails start', async () => {
  const a = setup();
  a.gatt.onSubscribe = () => {
    throw new AttError(0x05);
  };
  await assert.rejects(a.consumer.start(), (err: unknown) => err instanceof AttError && err.attCode === 0x05);
  assert.equal(a.gatt.subscribeLog.length, 2);

  const b = setup();
  b.connection.bonded = false;
  b.connection.pairingFails = true;
  b.gatt.onSubscribe = () => {
    throw new AttError(0x05);
  };
  await assert.rejects(b.consumer.start(), PairingError);

  const c = setup();
  c.gatt.onSubscribe = () => {
    throw new AttError(0x03);
  };
  await assert.rejects(c.consumer.start(), AttError);
  assert.equal(c.connection.pairCalls + c.connection.encryptCalls, 0);
});

test('Added: GetNotificationAttributes then GetAppAttributes on the wire, then the full record', async () => {
  const { clock, consumer, gatt, phone, records } = setup();
  phone.notifications.set(0x43, {
    appId: 'com.apple.MobileSMS',
    title: 'Anna',
    subtitle: '',
    message: 'Lunch at 12?',
    date: '20240131T154500',
    positive: '',
    negative: 'Clear',
  });
  await consumer.start();
  gatt.pushNs(hex('00 10 04 01 43 00 00 00')); // Added, NegativeAction, Social, count 1, UID 0x43
  await clock.runUntilIdle();
  // AppIdentifier, Title/Subtitle/Message with MaxLen 512 (0x0200 LE), MessageSize, Date, both labels.
  assert.deepEqual(gatt.writes[0]?.bytes, hex('00 43000000 00 010002 020002 030002 04 05 06 07'));
  assert.deepEqual(gatt.writes[1]?.bytes, hex('01 636f6d2e6170706c652e4d6f62696c65534d53 00 00')); // "com.apple.MobileSMS"
  assert.equal(records.length, 1);
  const record = records[0] as AncsNotification;
  assert.deepEqual(
    { ...record, date: record.date?.getTime() },
    {
      uid: 0x43,
      appId: 'com.apple.MobileSMS',
      appName: 'Messages',
      categoryId: 4,
      categoryCount: 1,
      eventId: EventId.Added,
      flags: EventFlag.NegativeAction,
      title: 'Anna',
      subtitle: '',
      message: 'Lunch at 12?',
      messageSize: 12,
      date: new Date(2024, 0, 31, 15, 45, 0).getTime(),
      dateRaw: '20240131T154500',
      preExisting: false,
      positiveActionLabel: '',
      negativeActionLabel: 'Clear',
    },
  );
});

test('exactly one Control Point request is in flight at a time', async () => {
  const { clock, consumer, gatt, phone, records } = setup();
  for (let uid = 1; uid <= 6; uid++) phone.notifications.set(uid, { appId: uid % 2 ? 'com.apple.MobileSMS' : 'com.apple.mobilemail', title: `t${uid}`, message: 'x'.repeat(60) });
  await consumer.start();
  for (let uid = 1; uid <= 6; uid++) gatt.pushNs(added(uid));
  await clock.runUntilIdle();
  assert.equal(records.length, 6);
  assert.equal(phone.maxSending, 1);
  // App names jump ahead of queued fetches.
  assert.deepEqual(commandsOf(gatt), ['N1', 'A:com.apple.MobileSMS', 'N2', 'A:com.apple.mobilemail', 'N3', 'N4', 'N5', 'N6']);
});

test('app display names are asked once per app per session', async () => {
  const { clock, consumer, gatt, phone, records } = setup();
  for (let uid = 1; uid <= 4; uid++) phone.notifications.set(uid, { appId: 'com.apple.MobileSMS', title: `m${uid}` });
  phone.notifications.set(9, { appId: 'com.example.unknown', title: 'who' });
  await consumer.start();
  for (const uid of [1, 2, 3, 9, 4]) gatt.pushNs(added(uid));
  await clock.runUntilIdle();
  const appRequests = commandsOf(gatt).filter((c) => c.startsWith('A:'));
  assert.deepEqual(appRequests, ['A:com.apple.MobileSMS', 'A:com.example.unknown']);
  assert.deepEqual(
    records.map((r) => r.appName),
    ['Messages', 'Messages', 'Messages', 'com.example.unknown', 'Messages'],
  );
});

test('a request that times out fails with TimeoutError, and the next one follows after the drain', async () => {
  const { clock, consumer, gatt, phone, records, errors } = setup({ requestTimeoutMs: 15_000, drainMs: 500 });
  phone.notifications.set(1, { appId: 'com.apple.MobileSMS', title: 'lost' });
  phone.notifications.set(2, { appId: 'com.apple.MobileSMS', title: 'kept' });
  await consumer.start();
  phone.silent = true;
  gatt.pushNs(added(1));
  gatt.pushNs(added(2));
  await clock.runFor(14_999);
  assert.deepEqual(commandsOf(gatt), ['N1']);
  phone.silent = false;
  await clock.runUntilIdle();
  assert.equal(errors.length, 1);
  assert.ok(errors[0] instanceof TimeoutError);
  assert.equal((errors[0] as TimeoutError).code, 'sim-pc.timeout');
  assert.equal(gatt.writes[1]?.at, 15_500);
  assert.deepEqual(
    records.map((r) => r.title),
    ['kept'],
  );
  assert.equal(consumer.stats.timeouts, 1);
});

test('a late reply after a timeout is drained silently, not taken for the next reply', async () => {
  const { clock, consumer, gatt, phone, records, errors } = setup({ requestTimeoutMs: 1000, drainMs: 200 });
  phone.notifications.set(1, { appId: 'com.apple.MobileSMS', title: 'slow' });
  phone.notifications.set(2, { appId: 'com.apple.MobileSMS', title: 'fast' });
  await consumer.start();
  phone.replyDelayMs = 990; // the first fragment arrives in time, the rest after the timeout
  gatt.pushNs(added(1));
  gatt.pushNs(added(2));
  await clock.runFor(5);
  phone.replyDelayMs = 30;
  await clock.runUntilIdle();
  assert.equal(errors.filter((e) => e instanceof TimeoutError).length, 1, String(errors));
  assert.equal(errors.length, 1, String(errors));
  assert.ok(consumer.stats.discardedFragments > 0);
  assert.deepEqual(
    records.map((r) => r.title),
    ['fast'],
  );
});

test('the queue is bounded: a burst waits in the backlog, every notification still arrives, actions past the limit are refused', async () => {
  const { clock, consumer, gatt, phone, records, errors } = setup({ queueLimit: 12 });
  for (let uid = 1; uid <= 40; uid++) phone.notifications.set(uid, { appId: 'com.apple.MobileSMS', title: `t${uid}` });
  await consumer.start();
  phone.silent = true;
  for (let uid = 1; uid <= 40; uid++) gatt.pushNs(added(uid, EventFlag.PositiveAction));
  await clock.runFor(10);
  // Fetches hold at most queueLimit - 8 places (one of them in flight); the rest wait in the backlog.
  assert.equal(consumer.stats.queued, 3);
  assert.equal(errors.filter((e) => e instanceof QueueFullError).length, 0);
  // The reserved places take actions; past the queue limit an action is refused at once.
  const actions = Array.from({ length: 10 }, (_, i) => consumer.performAction(i + 1, 'positive').then(() => 'done', (err: unknown) => err));
  await clock.runFor(10);
  assert.equal(consumer.stats.queued, 12);
  assert.ok((await actions[9]) instanceof QueueFullError);
  consumer.close();
  await clock.runUntilIdle();
  // Closing the session rejects what was queued, the nine accepted actions included.
  for (const outcome of await Promise.all(actions.slice(0, 9))) assert.notEqual(outcome, 'done');
  assert.equal(records.length, 0);
});

test('a burst larger than the queue is fetched in full, in order', async () => {
  const { clock, consumer, gatt, phone, records, errors } = setup({ queueLimit: 12 });
  for (let uid = 1; uid <= 100; uid++) phone.notifications.set(uid, { appId: 'com.apple.MobileSMS', title: `t${uid}` });
  await consumer.start();
  for (let uid = 1; uid <= 100; uid++) gatt.pushNs(added(uid, EventFlag.NegativeAction));
  await clock.runUntilIdle();
  assert.deepEqual(errors, []);
  assert.deepEqual(records.map((r) => r.uid), Array.from({ length: 100 }, (_, i) => i + 1));
});

test('the UIDs tracked are bounded: the oldest is forgotten and reported', async () => {
  const { clock, consumer, gatt, phone, records, errors } = setup({ maxNotifications: 3 });
  for (let uid = 1; uid <= 5; uid++) phone.notifications.set(uid, { appId: 'com.apple.MobileSMS', title: `t${uid}` });
  await consumer.start();
  for (let uid = 1; uid <= 5; uid++) gatt.pushNs(added(uid, EventFlag.NegativeAction));
  await clock.runUntilIdle();
  assert.equal(consumer.stats.live, 3);
  assert.equal(errors.filter((e) => e instanceof QueueFullError).length, 2);
  assert.deepEqual(
    records.map((r) => r.uid),
    [3, 4, 5],
  );
  await assert.rejects(consumer.performAction(1, 'negative'), UnknownNotificationError);
});

test('duplicate fetches of a queued UID coalesce; a Modified during the fetch refetches once', async () => {
  const { clock, consumer, gatt, phone, records } = setup();
  phone.notifications.set(1, { appId: 'com.apple.MobileSMS', title: 'one' });
  phone.notifications.set(2, { appId: 'com.apple.MobileSMS', title: 'two' });
  await consumer.start();
  gatt.pushNs(added(1));
  gatt.pushNs(added(2));
  gatt.pushNs({ ...added(2), eventId: EventId.Modified });
  gatt.pushNs({ ...added(2), eventId: EventId.Modified });
  await clock.runFor(5);
  gatt.pushNs({ ...added(1), eventId: EventId.Modified }); // N1 is in flight: fetch again after it
  await clock.runUntilIdle();
  assert.deepEqual(commandsOf(gatt), ['N1', 'A:com.apple.MobileSMS', 'N2', 'N1']);
  // Each record carries the newest NS event for its UID at the time it is reported.
  assert.deepEqual(
    records.map((r) => [r.uid, r.eventId]),
    [
      [1, EventId.Modified],
      [2, EventId.Modified],
      [1, EventId.Modified],
    ],
  );
});

test('Modified refetches and reports the new content', async () => {
  const { clock, consumer, gatt, phone, records } = setup();
  phone.notifications.set(7, { appId: 'com.apple.mobilemail', title: 'Loading…' });
  await consumer.start();
  gatt.pushNs(added(7, 0, 6));
  await clock.runUntilIdle();
  phone.notifications.set(7, { appId: 'com.apple.mobilemail', title: 'Invoice', message: 'Due Friday' });
  gatt.pushNs({ ...added(7, 0, 6), eventId: EventId.Modified });
  await clock.runUntilIdle();
  assert.deepEqual(
    records.map((r) => [r.title, r.message, r.eventId]),
    [
      ['Loading…', '', EventId.Added],
      ['Invoice', 'Due Friday', EventId.Modified],
    ],
  );
  assert.equal(commandsOf(gatt).filter((c) => c === 'N7').length, 2);
});

test('Removed: reported, cancels the queued fetch, and drops the in-flight one', async () => {
  const { clock, consumer, gatt, phone, records, removed } = setup();
  for (const uid of [1, 2, 3]) phone.notifications.set(uid, { appId: 'com.apple.MobileSMS', title: `t${uid}` });
  await consumer.start();
  gatt.pushNs(added(1));
  gatt.pushNs(added(2));
  gatt.pushNs(added(3));
  await clock.runFor(5); // N1 in flight, N2 and N3 queued
  gatt.pushNs({ ...added(1), eventId: EventId.Removed });
  gatt.pushNs({ ...added(2), eventId: EventId.Removed });
  gatt.pushNs({ ...added(99), eventId: EventId.Removed }); // never seen: nothing to report
  await clock.runUntilIdle();
  assert.deepEqual(removed, [1, 2]);
  assert.deepEqual(commandsOf(gatt), ['N1', 'N3', 'A:com.apple.MobileSMS']);
  assert.deepEqual(
    records.map((r) => r.uid),
    [3],
  );
});

test('performAction is gated on the flags and writes PerformNotificationAction', async () => {
  const { clock, consumer, gatt, phone } = setup();
  phone.notifications.set(5, { appId: 'com.apple.MobileSMS', title: 'x', negative: 'Clear' });
  phone.notifications.set(6, { appId: 'com.apple.mobilephone', title: 'Call', positive: 'Answer', negative: 'Decline' });
  await consumer.start();
  gatt.pushNs(added(5, EventFlag.NegativeAction));
  gatt.pushNs(added(6, EventFlag.PositiveAction | EventFlag.NegativeAction, 1));
  await clock.runUntilIdle();
  await assert.rejects(consumer.performAction(5, 'positive'), ActionNotOfferedError);
  await assert.rejects(consumer.performAction(77, 'negative'), UnknownNotificationError);
  const done = consumer.performAction(5, 'negative');
  await clock.runUntilIdle();
  await done;
  const positive = consumer.performAction(6, 'positive');
  await clock.runUntilIdle();
  await positive;
  assert.deepEqual(gatt.writes.at(-2)?.bytes, hex('02 05000000 01'));
  assert.deepEqual(gatt.writes.at(-1)?.bytes, hex('02 06000000 00'));
  assert.deepEqual(phone.actions, [
    { uid: 5, actionId: 1 },
    { uid: 6, actionId: 0 },
  ]);
});

test('an action the phone refuses rejects with its AttError; the queue moves on', async () => {
  const { clock, consumer, gatt, phone, records } = setup();
  phone.notifications.set(5, { appId: 'com.apple.MobileSMS', title: 'x' });
  await consumer.start();
  gatt.pushNs(added(5, EventFlag.NegativeAction));
  await clock.runUntilIdle();
  const answer = gatt.onWrite;
  gatt.onWrite = (w) => {
    if (w.command?.commandId === CommandId.PerformNotificationAction) throw new AttError(0xa3);
    answer(w);
  };
  const action = consumer.performAction(5, 'negative');
  action.catch(() => undefined);
  phone.notifications.set(8, { appId: 'com.apple.MobileSMS', title: 'after' });
  gatt.pushNs(added(8));
  await clock.runUntilIdle();
  await assert.rejects(action, (err: unknown) => err instanceof AttError && err.attCode === 0xa3);
  assert.deepEqual(
    records.map((r) => r.title),
    ['x', 'after'],
  );
});

test('a fetch refused with an ATT error is reported and the next request goes at once', async () => {
  const { clock, consumer, gatt, phone, records, errors } = setup();
  phone.notifications.set(2, { appId: 'com.apple.MobileSMS', title: 'ok' });
  await consumer.start();
  const answer = gatt.onWrite;
  gatt.onWrite = (w) => {
    if (w.command?.commandId === CommandId.GetNotificationAttributes && w.command.notificationUid === 1) throw new AttError(0xa2);
    answer(w);
  };
  gatt.pushNs(added(1));
  gatt.pushNs(added(2));
  await clock.runUntilIdle();
  assert.equal(errors.length, 1);
  assert.ok(errors[0] instanceof AttError);
  assert.equal(gatt.writes[1]?.at, 0);
  assert.deepEqual(
    records.map((r) => r.title),
    ['ok'],
  );
});

test('a reply that overtakes its write response is held until the write completes', async () => {
  const { clock, consumer, gatt, phone, records } = setup();
  gatt.writeDelayMs = 400;
  phone.replyDelayMs = 0;
  phone.fragmentGapMs = 10;
  phone.notifications.set(1, { appId: 'com.apple.MobileSMS', title: 'early' });
  phone.notifications.set(2, { appId: 'com.apple.MobileSMS', title: 'next' });
  // The phone answers when the write arrives, before the write response goes back.
  const answer = gatt.onWrite;
  gatt.onWrite = () => undefined;
  const write = gatt.write.bind(gatt);
  gatt.write = async (service, characteristic, value) => {
    const p = write(service, characteristic, value);
    const last = gatt.writes.at(-1);
    if (last) answer(last);
    return p;
  };
  await consumer.start();
  gatt.pushNs(added(1));
  gatt.pushNs(added(2));
  await clock.runUntilIdle();
  assert.deepEqual(
    records.map((r) => r.title),
    ['early', 'next'],
  );
  assert.equal(phone.maxSending, 1);
  assert.deepEqual(
    gatt.writes.map((w) => w.at),
    [0, 400, 800],
  );
});

test('a malformed Notification Source value is reported once and the consumer carries on', async () => {
  const { clock, consumer, gatt, phone, records, errors } = setup();
  phone.notifications.set(1, { appId: 'com.apple.MobileSMS', title: 'fine' });
  await consumer.start();
  gatt.pushNs(hex('00 00 04 01 01 00 00')); // 7 bytes
  gatt.pushNs({ eventId: 9, eventFlags: 0, categoryId: 0, categoryCount: 0, notificationUid: 1 }); // reserved EventID: ignored
  gatt.pushNs(added(1));
  await clock.runUntilIdle();
  assert.equal(errors.length, 1);
  assert.ok(errors[0] instanceof AncsError);
  assert.equal((errors[0] as AncsError).code, 'ancs.truncated');
  assert.equal(records.length, 1);
});

test('a malformed Data Source reply is reported once, fails its request, and the queue recovers', async () => {
  const { clock, consumer, gatt, phone, records, errors } = setup({ drainMs: 300 });
  phone.notifications.set(2, { appId: 'com.apple.MobileSMS', title: 'recovered' });
  await consumer.start();
  const answer = gatt.onWrite;
  gatt.onWrite = (w) => {
    if (w.command?.commandId === CommandId.GetNotificationAttributes && w.command.notificationUid === 1) {
      // A reply for the wrong UID, in three fragments.
      phone.send(hex('00 02000000 00 0400 41414141 01 0000 02 0000 03 0000 04 0000 05 0000 06 0000 07 0000'));
      return;
    }
    answer(w);
  };
  gatt.pushNs(added(1));
  gatt.pushNs(added(2));
  await clock.runUntilIdle();
  assert.equal(errors.length, 1, String(errors));
  assert.equal((errors[0] as AncsError).code, 'ancs.reply-mismatch');
  assert.deepEqual(
    records.map((r) => r.title),
    ['recovered'],
  );
  assert.equal(consumer.stats.dataSourceErrors, 1);
});

test('Data Source bytes nobody asked for are reported once per burst', async () => {
  const { clock, consumer, gatt, phone, records, errors } = setup({ drainMs: 100 });
  phone.notifications.set(1, { appId: 'com.apple.MobileSMS', title: 'after' });
  await consumer.start();
  gatt.pushDs(hex('00 01 02 03'));
  gatt.pushDs(hex('04 05 06 07'));
  gatt.pushDs(hex('08 09'));
  gatt.pushNs(added(1)); // waits for the drain to end
  await clock.runUntilIdle();
  assert.equal(errors.length, 1);
  assert.ok(errors[0] instanceof UnexpectedReplyError);
  assert.equal(gatt.writes[0]?.at, 100);
  assert.equal(records.length, 1);
});

test('a complete reply followed by junk in the same fragment keeps the reply, reports the junk', async () => {
  const { clock, consumer, gatt, phone, records, errors } = setup();
  await consumer.start();
  phone.appNames.set('a', 'App A');
  const answer = gatt.onWrite;
  gatt.onWrite = (w) => {
    if (w.command?.commandId === CommandId.GetNotificationAttributes) {
      gatt.mtu = 200;
      phone.send(hex('00 01000000 00 0100 61 01 0200 4869 02 0000 03 0000 04 0000 05 0000 06 0000 07 0000 ff ff'));
      return;
    }
    answer(w);
  };
  gatt.pushNs(added(1));
  await clock.runUntilIdle();
  assert.equal(errors.length, 1);
  assert.equal((errors[0] as AncsError).code, 'ancs.unexpected-data');
  assert.deepEqual(
    records.map((r) => [r.appName, r.title]),
    [['App A', 'Hi']],
  );
});

test('disconnect ends the session: pending requests rejected, state cleared, clock idle', async () => {
  const { clock, connection, consumer, gatt, phone, errors } = setup();
  phone.notifications.set(1, { appId: 'com.apple.MobileSMS', title: 'x', negative: 'Clear' });
  await consumer.start();
  gatt.pushNs(added(1, EventFlag.NegativeAction));
  await clock.runUntilIdle();
  phone.silent = true;
  gatt.pushNs(added(2));
  gatt.pushNs(added(3));
  const action = consumer.performAction(1, 'negative');
  let ended: Error | undefined;
  consumer.events.on('ended', (err) => (ended = err));
  await clock.runFor(5);
  connection.drop(0x08);
  await assert.rejects(action, DisconnectedError);
  assert.ok(ended instanceof DisconnectedError);
  assert.equal(consumer.state, 'ended');
  assert.equal(consumer.stats.live, 0);
  assert.equal(errors.length, 0, 'the fetches that died with the session are not reported');
  assert.equal(clock.nextEventTime(), undefined);
  await assert.rejects(consumer.performAction(1, 'negative'), SessionEndedError);
  gatt.pushNs(added(4)); // a stray value after the end changes nothing
  assert.equal(consumer.stats.live, 0);
});

test('a disconnect while starting rejects start', async () => {
  const { connection, consumer, gatt } = setup();
  gatt.onSubscribe = (uuid) => {
    if (uuid === DS) connection.drop(0x13);
  };
  await assert.rejects(consumer.start(), (err: unknown) => err instanceof DisconnectedError || err instanceof SessionEndedError);
  assert.equal(consumer.state, 'ended');
});

test('replayComplete fires after the quiet window once every replayed notification is reported', async () => {
  const { clock, consumer, gatt, phone, records } = setup({ replaySettleMs: 1000 });
  for (const uid of [1, 2, 3]) phone.notifications.set(uid, { appId: 'com.apple.MobileSMS', title: `old${uid}` });
  let outcome: { uids: number[]; endedBy: string; nsEndedAt: number } | undefined;
  let recordsAtComplete = -1;
  consumer.events.on('replayComplete', (o) => {
    outcome = o;
    recordsAtComplete = records.length;
  });
  gatt.onSubscribe = (uuid) => {
    if (uuid !== NS) return;
    // iOS replays straight after the NS subscription.
    clock.schedule(0, () => {
      for (const uid of [1, 2, 3]) gatt.pushNs(added(uid, EventFlag.PreExisting));
    });
  };
  await consumer.start();
  assert.equal(consumer.replaying, true);
  await clock.runUntilIdle();
  assert.deepEqual(outcome, { uids: [1, 2, 3], endedBy: 'quiet', nsEndedAt: 1000 });
  assert.equal(recordsAtComplete, 3);
  assert.equal(consumer.replaying, false);
  assert.ok(records.every((r) => r.preExisting));
});

/** A consumer whose first replay (UIDs 1 and 2) is over; counts resync and replayComplete events. */
async function afterFirstReplay() {
  const rig = setup({ replaySettleMs: 1000 });
  const { clock, consumer, gatt, phone } = rig;
  for (const uid of [1, 2]) phone.notifications.set(uid, { appId: 'com.apple.MobileSMS', title: `old${uid}`, negative: 'Clear' });
  const outcomes: number[][] = [];
  let resyncs = 0;
  consumer.events.on('replayComplete', (o) => outcomes.push(o.uids));
  consumer.events.on('resync', () => resyncs++);
  await consumer.start();
  for (const uid of [1, 2]) gatt.pushNs(added(uid, EventFlag.PreExisting | EventFlag.NegativeAction));
  await clock.runUntilIdle();
  assert.deepEqual(outcomes, [[1, 2]]);
  return { ...rig, outcomes, resyncs: () => resyncs };
}

test('a later replay re-announcing a live UID is a resync: UIDs not re-announced are forgotten when it completes', async () => {
  const { clock, consumer, gatt, phone, records, removed, outcomes, resyncs } = await afterFirstReplay();
  // Sharing was off: the phone dropped 2 without a word, then replays 1 and a newcomer, 9.
  phone.notifications.delete(2);
  phone.notifications.set(9, { appId: 'com.apple.MobileSMS', title: 'new9' });
  gatt.pushNs(added(1, EventFlag.PreExisting | EventFlag.NegativeAction));
  gatt.pushNs(added(9, EventFlag.PreExisting));
  assert.equal(resyncs(), 1);
  assert.equal(consumer.replaying, true);
  await clock.runUntilIdle();
  assert.equal(resyncs(), 1);
  assert.deepEqual(outcomes, [[1, 2], [1, 9]]);
  assert.deepEqual(
    records.slice(2).map((r) => [r.uid, r.title]),
    [[1, 'old1'], [9, 'new9']],
  );
  assert.deepEqual(removed, [], 'the phone said nothing, so neither does the consumer');
  assert.equal(consumer.sourceEvent(2), undefined);
  assert.ok(consumer.sourceEvent(1));
  await assert.rejects(consumer.performAction(2, 'negative'), UnknownNotificationError);
  assert.equal(clock.pendingEvents, 0);
});

test('after a Control Point write refused with Insufficient Authorization, a later replay of new UIDs is a resync', async () => {
  const { clock, consumer, gatt, phone, outcomes, resyncs } = await afterFirstReplay();
  const answer = gatt.onWrite;
  gatt.onWrite = () => {
    throw new AttError(0x08);
  };
  const action = consumer.performAction(1, 'negative');
  await assert.rejects(action, (err: unknown) => err instanceof AttError && err.attCode === 0x08);
  gatt.onWrite = answer;
  // Sharing back on: 1 and 2 are gone, only 7 is replayed.
  phone.notifications.set(7, { appId: 'com.apple.MobileSMS', title: 'new7' });
  gatt.pushNs(added(7, EventFlag.PreExisting));
  assert.equal(resyncs(), 1);
  await clock.runUntilIdle();
  assert.deepEqual(outcomes, [[1, 2], [7]]);
  assert.equal(consumer.sourceEvent(1), undefined);
  assert.equal(consumer.sourceEvent(2), undefined);
  assert.ok(consumer.sourceEvent(7));
});

test('a late PreExisting event for a new UID with no sign of silence is no resync and forgets nothing', async () => {
  const { clock, consumer, gatt, phone, records, outcomes, resyncs } = await afterFirstReplay();
  phone.notifications.set(5, { appId: 'com.apple.MobileSMS', title: 'late5' });
  gatt.pushNs(added(5, EventFlag.PreExisting));
  await clock.runUntilIdle();
  assert.equal(resyncs(), 0);
  assert.deepEqual(outcomes, [[1, 2]]);
  assert.equal(records.at(-1)?.title, 'late5');
  for (const uid of [1, 2, 5]) assert.ok(consumer.sourceEvent(uid), `UID ${uid} still live`);
  assert.equal(clock.pendingEvents, 0);
});

test('property: arbitrary Notification/Data Source bytes never throw out and never wedge the queue', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.tuple(fc.boolean(), fc.uint8Array({ maxLength: 24 })), { maxLength: 12 }),
      async (junk) => {
        const { clock, consumer, gatt, phone, records } = setup({ requestTimeoutMs: 2000, drainMs: 100 });
        phone.notifications.set(0xabcdef, { appId: 'com.apple.MobileSMS', title: 'survivor' });
        await consumer.start();
        for (const [toNs, bytes] of junk) {
          if (toNs) gatt.pushNs(bytes);
          else gatt.pushDs(bytes);
        }
        await clock.runUntilIdle();
        const before = records.length;
        gatt.pushNs(added(0xabcdef));
        await clock.runUntilIdle();
        assert.equal(records.at(-1)?.title, 'survivor');
        assert.ok(records.length > before);
        assert.equal(clock.nextEventTime(), undefined);
      },
    ),
    { numRuns: 150 },
  );
});
