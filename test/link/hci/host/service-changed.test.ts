/**
 * Service Changed end to end over real stacks: the phone's bleno host
 * withdraws and re-publishes a service while the PC's noble client is
 * connected and subscribed; the PC hears `servicesChanged`, rediscovers, and
 * never uses a stale handle. Each side on its own virtual controller behind
 * a socat pty pair; wall time. Skips when socat is not installed.
 *
 * @isolated-process: it loads noble and forks bleno, on wall time.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { GattServiceDefinition } from '../../../../src/link/ble';
import { AttError } from '../../../../src/link/errors';
import { RealClock } from '../../../../src/link/clock';
import { ControllerService, startControllerService } from '../../../../src/link/hci/controller/controller-process';
import { createHciCentral, createHciServerHost } from '../../../../src/link/hci';
import type { BlenoServerHost, NobleCentral, NobleConnection } from '../../../../src/link/hci';

const PHONE = '11:22:33:44:55:66';
const PC = 'AA:BB:CC:DD:EE:01';
const KEPT = '5E1A0000-0000-4000-8000-0000000000B0';
const KEPT_NOTIFY = '5E1A0001-0000-4000-8000-0000000000B0';
const WITHDRAWN = '5E1A0000-0000-4000-8000-0000000000A0';
const NOTIFY = '5E1A0001-0000-4000-8000-0000000000A0';
const DATA = '5E1A0002-0000-4000-8000-0000000000A0';

const clock = new RealClock();

function socatMissing(): boolean {
  return spawnSync('socat', ['-V'], { stdio: 'ignore' }).error !== undefined;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Polls `condition` every 5 ms; rejects after `ms`. */
async function until(condition: () => boolean, ms: number, what: string): Promise<number> {
  const start = performance.now();
  while (!condition()) {
    if (performance.now() - start > ms) throw new Error(`${what}: not within ${ms} ms`);
    await clock.sleep(5);
  }
  return performance.now() - start;
}

function serviceA(writes: string[]): GattServiceDefinition {
  return {
    uuid: WITHDRAWN,
    characteristics: [
      { uuid: NOTIFY, properties: ['notify'], security: 'open' },
      { uuid: DATA, properties: ['read', 'write'], security: 'open', onRead: () => Uint8Array.of(0xda), onWrite: (_p, v) => writes.push(Buffer.from(v).toString('hex')) },
    ],
  };
}

test('Service Changed over bleno and noble: withdraw, re-publish, rediscover', { timeout: 60_000 }, async (t) => {
  if (socatMissing()) {
    t.skip('socat is not installed (apt-get install -y socat)');
    return;
  }
  const started = performance.now();
  let service: ControllerService | undefined;
  let host: BlenoServerHost | undefined;
  let central: NobleCentral | undefined;
  try {
    service = await startControllerService({
      hosts: [
        { name: 'phone', address: PHONE, answerLtkRequests: true },
        { name: 'pc', address: PC },
      ],
    });
    const problems: string[] = [];
    const writes: string[] = [];
    const subscribeEvents: string[] = [];
    host = await createHciServerHost({ controller: `uart:${service.ports['phone']}`, deviceName: 'SimPhone' });
    const phone = host;
    phone.hostEvents.on('problem', (e) => problems.push(`${e.code}: ${e.message}`));
    // Published first, so withdrawing the other one leaves its handles where they were.
    phone.addService({
      uuid: KEPT,
      characteristics: [{ uuid: KEPT_NOTIFY, properties: ['notify'], security: 'open', onSubscribe: (_p, on) => subscribeEvents.push(`kept:${on}`) }],
    });
    phone.addService(serviceA(writes));
    await phone.startAdvertisingAsync({ localName: 'SimPhone' });
    central = await createHciCentral({ controller: `uart:${service.ports['pc']}` });
    const pc = central;

    let connection: NobleConnection | undefined;
    let changes = 0;
    const fromA: number[] = [];
    const fromKept: number[] = [];
    const peer = () => {
      const p = phone.peers()[0];
      assert.ok(p, 'the PC is connected');
      return p;
    };

    await t.test('the first discovery subscribes to Service Changed', async () => {
      connection = await pc.connect(PHONE, { timeoutMs: 3000 });
      connection.gatt.events.on('servicesChanged', () => changes++);
      assert.equal(connection.gatt.followsServiceChanged, false);
      const services = await connection.gatt.discoverServices();
      assert.deepEqual(services, ['1800', '1801', KEPT, WITHDRAWN]);
      assert.equal(connection.gatt.followsServiceChanged, true);
    });

    await t.test('subscriptions survive a plain rediscovery (no Service Changed)', async () => {
      assert.ok(connection);
      await connection.gatt.subscribe(WITHDRAWN, NOTIFY, (v) => fromA.push(v[0] ?? -1));
      await connection.gatt.subscribe(KEPT, KEPT_NOTIFY, (v) => fromKept.push(v[0] ?? -1));
      phone.notify(peer(), NOTIFY, Uint8Array.of(1));
      await until(() => fromA.length === 1, 1000, 'first notification');
      assert.deepEqual(await connection.gatt.discoverServices(), ['1800', '1801', KEPT, WITHDRAWN]);
      phone.notify(peer(), NOTIFY, Uint8Array.of(2));
      phone.notify(peer(), KEPT_NOTIFY, Uint8Array.of(3));
      await until(() => fromA.length === 2 && fromKept.length === 1, 1000, 'notifications after rediscovery');
      assert.deepEqual(fromA, [1, 2]);
      assert.deepEqual(await connection.gatt.read(WITHDRAWN, DATA), Uint8Array.of(0xda), 'a read after rediscovery completes');
      assert.equal(changes, 0);
    });

    await t.test('withdrawn: servicesChanged within 1 s, then the service and its characteristics are gone', async () => {
      assert.ok(connection);
      phone.removeService(WITHDRAWN);
      const took = await until(() => changes === 1, 1000, 'servicesChanged after removeService');
      t.diagnostic(`servicesChanged ${took.toFixed(0)} ms after removeService`);
      assert.ok(!phone.isSubscribed(peer(), NOTIFY));
      assert.ok(phone.isSubscribed(peer(), KEPT_NOTIFY), 'the kept service stayed at its handles, so its subscription stays');
      assert.deepEqual(await connection.gatt.discoverServices(), ['1800', '1801', KEPT]);
      const notFound = (e: unknown) => e instanceof AttError && e.attCode === 0x0a;
      await assert.rejects(connection.gatt.write(WITHDRAWN, DATA, Uint8Array.of(1)), notFound);
      await assert.rejects(connection.gatt.read(WITHDRAWN, DATA), notFound);
      await assert.rejects(connection.gatt.subscribe(WITHDRAWN, NOTIFY, () => undefined), notFound);
      await assert.rejects(connection.gatt.discoverCharacteristics(WITHDRAWN), notFound);
      assert.deepEqual(writes, []);
      await clock.sleep(100);
      assert.equal(changes, 1, 'one servicesChanged per indication');
    });

    await t.test('re-published: servicesChanged again, rediscovery finds it, a new subscription delivers', async () => {
      assert.ok(connection);
      phone.addService(serviceA(writes));
      await until(() => changes === 2, 1000, 'servicesChanged after addService');
      assert.deepEqual(await connection.gatt.discoverServices(), ['1800', '1801', KEPT, WITHDRAWN]);
      assert.deepEqual(
        (await connection.gatt.discoverCharacteristics(WITHDRAWN)).map((c) => c.uuid),
        [NOTIFY, DATA],
      );
      const again: number[] = [];
      await connection.gatt.subscribe(WITHDRAWN, NOTIFY, (v) => again.push(v[0] ?? -1));
      for (const n of [7, 8, 9]) phone.notify(peer(), NOTIFY, Uint8Array.of(n));
      await until(() => again.length === 3, 1000, 'notifications after re-subscribing');
      assert.deepEqual(again, [7, 8, 9]);
      assert.deepEqual(fromA, [1, 2], 'the subscription from before Service Changed got nothing more');
      await connection.gatt.write(WITHDRAWN, DATA, Uint8Array.of(0x55));
      assert.deepEqual(writes, ['55']);
    });

    await t.test('two changes before the first confirmation: both indicated, one after the other', async () => {
      assert.ok(connection);
      phone.removeService(WITHDRAWN);
      phone.addService(serviceA(writes));
      await until(() => changes === 4, 1000, 'two more servicesChanged');
      await clock.sleep(150);
      assert.equal(changes, 4);
      assert.deepEqual(await connection.gatt.discoverServices(), ['1800', '1801', KEPT, WITHDRAWN]);
    });

    await t.test('disconnect and close: nothing hangs, the child exits', async () => {
      assert.ok(connection);
      await connection.disconnect();
      assert.equal(connection.connected, false);
      // A change with nobody connected is not indicated anywhere, and does not fail.
      phone.removeService(WITHDRAWN);
      await clock.sleep(50);
      const pid = phone.pid;
      assert.ok(pid !== undefined && alive(pid));
      await phone.close();
      host = undefined;
      assert.equal(alive(pid), false);
    });
    assert.deepEqual(subscribeEvents, ['kept:true']);
    assert.deepEqual(problems, []);
    t.diagnostic(`wall time ${(performance.now() - started).toFixed(0)} ms`);
  } finally {
    await central?.close();
    await host?.close();
    await service?.close();
  }
});
