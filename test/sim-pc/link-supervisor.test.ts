import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VirtualClock } from '../../src/link/virtual-clock';
import { AttError, LinkError } from '../../src/link/errors';
import { LinkHealth, LinkSupervisor, ProfileState } from '../../src/sim-pc/link-supervisor';
import { NotificationCenter } from '../../src/sim-pc/services/notification-center';
import { DEFAULT_BACKOFF } from '../../src/sim-pc/backoff';
import { Random } from '../../src/util/random';
import { FakeCentral, FakeConnection, SessionPhone } from './fakes';

const PHONE = 'AA:BB:CC:DD:EE:01';

function setup(seed = 1) {
  const clock = new VirtualClock();
  const central = new FakeCentral(clock);
  const phone = new SessionPhone(clock);
  central.onConnect = () => phone.connect();
  const notifications = new NotificationCenter({ clock });
  const supervisor = new LinkSupervisor({ central, phoneAddress: PHONE, clock, random: new Random(seed), backoff: DEFAULT_BACKOFF, notifications });
  const states: ProfileState[] = [];
  const events: string[] = [];
  supervisor.events.on('health', (h) => {
    if (states.at(-1) !== h.ancs.state) states.push(h.ancs.state);
  });
  supervisor.events.on('connected', () => events.push('connected'));
  supervisor.events.on('disconnected', (reason) => events.push(`disconnected:${reason}`));
  return { clock, central, phone, notifications, supervisor, states, events };
}

const failConnect = () => {
  throw new LinkError('link.not-found', 'the phone is not advertising');
};

test('start connects, offers MTU 517, starts ANCS and hands it to the notification center', async () => {
  const { clock, central, phone, notifications, supervisor, states, events } = setup();
  phone.post({ appId: 'com.apple.MobileSMS', title: 'hi' });
  supervisor.start();
  await clock.runUntilIdle();
  assert.deepEqual(states, ['connecting', 'up']);
  assert.deepEqual(events, ['connected']);
  assert.deepEqual(central.last?.gatt.mtuOffered, [517]);
  const health = supervisor.health();
  assert.equal(health.connected, true);
  assert.equal(health.mtu, 185);
  assert.equal(health.ancs.attempts, 1);
  assert.equal(health.ancs.reconnects, 0);
  assert.equal(notifications.attached, true);
  assert.equal(notifications.size, 1);
  assert.equal(supervisor.currentConsumer?.state, 'running');
  await supervisor.stop();
  assert.equal(clock.nextEventTime(), undefined);
});

test('failed connects retry with capped exponential backoff inside the jitter band', async () => {
  const { clock, central, supervisor } = setup(42);
  central.onConnect = failConnect;
  supervisor.start();
  await clock.runFor(400_000);
  const gaps = central.connectCalls.slice(1).map((t, i) => t - (central.connectCalls[i] ?? 0));
  const nominal = [1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000];
  assert.ok(gaps.length >= nominal.length, `only ${gaps.length} retries`);
  nominal.forEach((base, i) => {
    const gap = gaps[i] ?? -1;
    assert.ok(gap >= base * 0.8 && gap <= Math.min(60000, base * 1.2), `retry ${i}: ${gap} ms for nominal ${base}`);
  });
  assert.ok(gaps.every((g) => g <= 60000));
  const health = supervisor.health();
  assert.equal(health.ancs.state, 'down', 'waiting for the next attempt');
  assert.equal(health.ancs.lastError?.code, 'link.not-found');
  await supervisor.stop();
  assert.equal(clock.nextEventTime(), undefined);

  // Same seed, same schedule.
  const again = setup(42);
  again.central.onConnect = failConnect;
  again.supervisor.start();
  await again.clock.runFor(400_000);
  assert.deepEqual(again.central.connectCalls, central.connectCalls);
  await again.supervisor.stop();
});

test('a connection that lived resets the backoff; a short-lived one does not', async () => {
  const { clock, central, phone, supervisor } = setup(5);
  let failures = 3;
  central.onConnect = () => {
    if (failures-- > 0) return failConnect();
    return phone.connect();
  };
  supervisor.start();
  await clock.runFor(20_000); // 1 + 2 + 4 s of retries, then up
  assert.equal(supervisor.health().ancs.state, 'up');
  assert.equal(central.connectCalls.length, 4);

  // Lived 30 s: the next retry is back near initialMs.
  await clock.runFor(30_000);
  phone.connection?.drop(0x08);
  const dropAt = clock.now();
  failures = 1;
  await clock.runUntil(() => supervisor.health().ancs.state === 'up', 10_000);
  const firstRetry = (central.connectCalls[4] ?? 0) - dropAt;
  assert.ok(firstRetry >= 800 && firstRetry <= 1200, `first retry after ${firstRetry} ms`);
  const secondRetry = (central.connectCalls[5] ?? 0) - (central.connectCalls[4] ?? 0);
  assert.ok(secondRetry >= 1600 && secondRetry <= 2400, `second retry after ${secondRetry} ms`);
  assert.equal(supervisor.health().ancs.state, 'up');

  // Up for only 1 s (< stableAfterMs): the backoff keeps growing.
  await clock.runUntil(() => supervisor.health().ancs.state === 'up', 10_000);
  await clock.runFor(1000);
  phone.connection?.drop(0x08);
  const shortDrop = clock.now();
  await clock.runFor(10_000);
  const afterShort = (central.connectCalls[6] ?? 0) - shortDrop;
  assert.equal(central.connectCalls.length, 7);
  assert.ok(afterShort >= 3200 && afterShort <= 4800, `retry after a short-lived connection: ${afterShort} ms`);
  await supervisor.stop();
});

test('reconnect timings (drop to up) and the reconnect count are recorded', async () => {
  const { clock, central, phone, notifications, supervisor, events } = setup(9);
  central.connectDelayMs = 60;
  phone.post({ appId: 'com.apple.MobileSMS', title: 'kept', date: '20240131T100000', negative: 'Clear' });
  supervisor.start();
  await clock.runUntilIdle();
  const id = notifications.list()[0]?.id;
  phone.connection?.drop(0x08);
  assert.equal(supervisor.health().ancs.state, 'down');
  assert.equal(supervisor.health().ancs.lastError?.code, 'link.disconnected');
  assert.equal(notifications.list()[0]?.stale, true);
  const dropAt = clock.now();
  await clock.runFor(5000);
  const health = supervisor.health();
  assert.equal(health.ancs.state, 'up');
  assert.equal(health.ancs.reconnects, 1);
  assert.equal(health.ancs.attempts, 2);
  assert.equal(health.reconnectTimingsMs.length, 1);
  const retryAt = central.connectCalls[1] ?? 0;
  assert.equal(health.reconnectTimingsMs[0], retryAt + 60 - dropAt);
  assert.deepEqual(events, ['connected', 'disconnected:8', 'connected']);
  assert.deepEqual(
    notifications.list().map((e) => [e.id, e.stale]),
    [[id, false]],
  );
  await supervisor.stop();
});

test('stop leaves the clock idle: while waiting to retry, while connected, while connecting', async () => {
  const a = setup();
  a.central.onConnect = failConnect;
  a.supervisor.start();
  await a.clock.runFor(0);
  assert.ok(a.supervisor.health().nextAttemptAt !== undefined);
  await a.supervisor.stop();
  assert.equal(a.clock.nextEventTime(), undefined);
  await a.clock.runUntilIdle();
  assert.equal(a.central.connectCalls.length, 1);
  assert.equal(a.supervisor.health().running, false);

  const b = setup();
  b.phone.post({ appId: 'x', title: 'y' });
  b.supervisor.start();
  await b.clock.runUntilIdle();
  const connection = b.central.last;
  await b.supervisor.stop();
  assert.equal(connection?.connected, false);
  assert.deepEqual(b.events, ['connected', 'disconnected:22']);
  assert.equal(b.supervisor.health().ancs.state, 'down');
  assert.equal(b.notifications.attached, false);
  await b.clock.runUntilIdle();
  assert.equal(b.central.connectCalls.length, 1, 'no reconnect after stop');

  const c = setup();
  c.central.connectDelayMs = 100;
  c.supervisor.start();
  await c.clock.runFor(50);
  await c.supervisor.stop();
  await c.clock.runUntilIdle();
  assert.equal(c.central.last?.connected, false, 'the connection that arrived after stop was closed');
  assert.equal(c.notifications.attached, false);
  assert.equal(c.clock.nextEventTime(), undefined);
  await c.supervisor.stop(); // harmless twice
});

test('health shows pairing while the phone demands security', async () => {
  const { clock, central, phone, supervisor, states } = setup();
  central.onConnect = () => {
    const connection = phone.connect();
    connection.encrypted = false;
    connection.bonded = false;
    const answer = connection.gatt.onSubscribe;
    connection.gatt.onSubscribe = (uuid) => {
      if (!connection.encrypted) throw new AttError(0x05);
      answer(uuid);
    };
    return connection;
  };
  supervisor.start();
  await clock.runUntilIdle();
  assert.deepEqual(states, ['connecting', 'pairing', 'up']);
  assert.equal(central.last?.pairCalls, 1);
  await supervisor.stop();
});

test('ANCS missing: the profile is failed with the reason, the link is dropped and retried', async () => {
  const { clock, central, supervisor, states } = setup();
  central.onConnect = () => {
    const connection = new FakeConnection(clock);
    connection.gatt.services = ['1800'];
    return connection;
  };
  supervisor.start();
  await clock.runFor(0);
  const health: LinkHealth = supervisor.health();
  assert.equal(health.ancs.state, 'failed');
  assert.equal(health.ancs.lastError?.code, 'sim-pc.ancs-unavailable');
  assert.equal(central.last?.connected, false);
  assert.ok(health.nextAttemptAt !== undefined && health.nextAttemptAt >= 800 && health.nextAttemptAt <= 1200);
  await clock.runFor(1500);
  assert.equal(central.connectCalls.length, 2);
  assert.deepEqual(states.slice(0, 3), ['connecting', 'failed', 'connecting']);
  await supervisor.stop();
  assert.equal(clock.nextEventTime(), undefined);
});

test('a failed MTU exchange keeps the default MTU and carries on', async () => {
  const { clock, central, phone, supervisor } = setup();
  const errors: Error[] = [];
  supervisor.events.on('error', (e) => errors.push(e));
  central.onConnect = () => {
    const connection = phone.connect();
    connection.gatt.mtu = 23;
    connection.gatt.exchangeMtu = async () => {
      throw new AttError(0x06);
    };
    return connection;
  };
  supervisor.start();
  await clock.runUntilIdle();
  assert.equal(supervisor.health().ancs.state, 'up');
  assert.equal(supervisor.health().mtu, 23);
  assert.equal(errors.length, 1);
  await supervisor.stop();
});

test('a drop during setup is handled once: no double retry', async () => {
  const { clock, central, phone, supervisor } = setup();
  let first = true;
  central.onConnect = () => {
    const connection = phone.connect();
    if (first) {
      first = false;
      connection.gatt.onSubscribe = () => connection.drop(0x08);
    }
    return connection;
  };
  supervisor.start();
  await clock.runFor(3000);
  assert.equal(central.connectCalls.length, 2);
  assert.equal(supervisor.health().ancs.state, 'up');
  assert.equal(supervisor.health().ancs.reconnects, 0, 'never up before, so not a reconnect');
  await supervisor.stop();
});
