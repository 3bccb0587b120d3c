import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VirtualClock } from '../../src/link/virtual-clock';
import { PhoneLink } from '../../src/sim-pc/phone-link';
import { FakeCentral, SessionPhone } from './fakes';

test('PhoneLink composes the supervisor and the notification center and forwards their events', async () => {
  const clock = new VirtualClock();
  const central = new FakeCentral(clock);
  const phone = new SessionPhone(clock);
  central.onConnect = () => phone.connect();
  const link = new PhoneLink({ central, phoneAddress: 'AA:BB:CC:DD:EE:01', clock, maxNotifications: 2, ancs: { requestTimeoutMs: 1000 } });
  const seen: string[] = [];
  link.events.on('connected', () => seen.push('connected'));
  link.events.on('disconnected', (r) => seen.push(`disconnected:${r}`));
  link.events.on('error', (e) => seen.push(`error:${(e as { code?: string }).code}`));
  let healthEvents = 0;
  link.events.on('health', () => healthEvents++);
  for (const title of ['a', 'b', 'c']) phone.post({ appId: 'com.apple.MobileSMS', title });

  link.start();
  link.start(); // a second start is a no-op
  await clock.runUntilIdle();
  assert.equal(link.health().ancs.state, 'up');
  assert.equal(link.notifications.size, 2, 'maxNotifications reaches the center');

  // The consumer's settings reach the session: a silent phone times out after 1000 ms.
  const gatt = phone.connection?.gatt;
  assert.ok(gatt);
  gatt.onWrite = () => undefined;
  phone.post({ appId: 'com.apple.MobileSMS', title: 'd' });
  await clock.runFor(1000);
  assert.ok(seen.includes('error:sim-pc.timeout'));

  phone.connection?.drop(0x13);
  await clock.runFor(100);
  assert.ok(seen.includes('disconnected:19'));
  const stopped = link.stop();
  await clock.runUntilIdle();
  await stopped;
  assert.equal(seen[0], 'connected');
  assert.ok(healthEvents >= 3);
  assert.equal(clock.nextEventTime(), undefined);
  assert.equal(link.health().running, false);
});

test('the sim-pc entry point exports the facade, its parts and its errors', async () => {
  const simPc = await import('../../src/sim-pc');
  for (const name of ['PhoneLink', 'LinkSupervisor', 'NotificationCenter', 'AncsConsumer', 'Backoff', 'TimeoutError', 'NotDismissibleError', 'UnsupportedError', 'AncsUnavailableError', 'parseAncsDate']) {
    assert.equal(typeof (simPc as Record<string, unknown>)[name], 'function', name);
  }
  const err = new simPc.UnsupportedError('x', 'y');
  assert.ok(err instanceof simPc.SimPcError);
  assert.equal(err.name, 'UnsupportedError');
  assert.deepEqual(simPc.describeError('plain'), { code: 'unknown', message: 'plain' });
  assert.deepEqual(simPc.describeError(new RangeError('r')), { code: 'RangeError', message: 'r' });
});
