/**
 * End to end over real stacks: our BleCentral on unmodified noble and our
 * bleno server host (bleno in its child process), each on its own virtual
 * controller behind a socat pty pair, one shared virtual air. Wall time.
 * Skips when socat is not installed.
 *
 * @isolated-process: it loads noble and forks bleno, on wall time.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { GattPeer } from '../../../../src/link/ble';
import { AttError, LinkError, PairingError } from '../../../../src/link/errors';
import { RealClock } from '../../../../src/link/clock';
import { ControllerService, startControllerService } from '../../../../src/link/hci/controller/controller-process';
import { createHciCentral, createHciServerHost } from '../../../../src/link/hci';
import type { BlenoServerHost, NobleCentral, NobleConnection } from '../../../../src/link/hci';

const PHONE = '11:22:33:44:55:66';
const PC = 'AA:BB:CC:DD:EE:01';
const ANCS = '7905F431-B5CE-4E99-A40F-4B1E122D00D0';
const SERVICE = '5E1A0000-0000-4000-8000-00000000AB01';
const NOTIFY = '5E1A0001-0000-4000-8000-00000000AB01';
const DATA = '5E1A0002-0000-4000-8000-00000000AB01';
const REFUSING = '5E1A0003-0000-4000-8000-00000000AB01';
const BONDED = '5E1A0004-0000-4000-8000-00000000AB01';

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

/** Resolves with the next event's arguments, or rejects after `ms`. */
function next<T>(subscribe: (resolve: (value: T) => void) => () => void, ms = 3000): Promise<T> {
  const clock = new RealClock();
  return new Promise<T>((resolve, reject) => {
    const timer = clock.schedule(ms, () => {
      off();
      reject(new Error(`no event within ${ms} ms`));
    });
    const off = subscribe((value) => {
      timer.cancel();
      off();
      resolve(value);
    });
  });
}

test('noble central and bleno host over the virtual controller', { timeout: 60_000 }, async (t) => {
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
    const phoneLog: string[] = [];
    const written: string[] = [];
    const problems: string[] = [];
    let readValue = new Uint8Array(300).map((_, i) => i & 0xff);
    let notifyCount = 0;
    host = await createHciServerHost({ controller: `uart:${service.ports['phone']}`, deviceName: 'SimPhone', maxMtu: 185, log: (line) => phoneLog.push(line) });
    const phone = host;
    phone.hostEvents.on('problem', (e) => problems.push(`${e.code}: ${e.message}`));
    phone.addService({
      uuid: SERVICE,
      characteristics: [
        {
          uuid: NOTIFY,
          properties: ['notify'],
          security: 'open',
          onSubscribe: (peer, enabled) => {
            if (!enabled) return;
            for (let i = 0; i < notifyCount; i++) {
              const value = new Uint8Array(i % 2 === 0 ? 4 : 182).fill(i); // 182 = MTU-3: several ACL fragments
              phone.notify(peer, NOTIFY, value);
            }
          },
        },
        {
          uuid: DATA,
          properties: ['read', 'write', 'writeWithoutResponse'],
          security: 'open',
          onRead: () => readValue,
          onWrite: (_peer, value, withResponse) => written.push(`${withResponse ? 'req' : 'cmd'}:${Buffer.from(value).toString('hex')}`),
        },
        {
          uuid: REFUSING,
          properties: ['write'],
          security: 'open',
          onWrite: () => {
            throw new AttError(0xa1);
          },
        },
        { uuid: BONDED, properties: ['read'], security: 'bonded', onRead: () => Uint8Array.of(0x42) },
      ],
    });
    await phone.startAdvertisingAsync({ localName: 'SimPhone', solicitationUuids: [ANCS] });
    central = await createHciCentral({ controller: `uart:${service.ports['pc']}`, maxMtu: 517 });
    const pc = central;
    assert.equal(pc.address, PC);
    assert.equal(phone.address, PHONE);

    let connection: NobleConnection | undefined;
    await t.test('the phone is found by its ANCS solicitation, and not by a service it does not list', async () => {
      const [byAncs, byOther] = await Promise.all([pc.scan(400, { solicitationUuids: [ANCS] }), pc.scan(400, { serviceUuids: [ANCS] })]);
      assert.equal(byAncs.length, 1);
      assert.deepEqual(byAncs[0]?.address, PHONE);
      assert.deepEqual(byAncs[0]?.advertisement, { localName: 'SimPhone', solicitationUuids: [ANCS] });
      assert.deepEqual(byOther, []);
    });

    await t.test('connect failures: an address nobody advertises, and the phone while it does not advertise', async () => {
      await assert.rejects(pc.connect('00:11:22:33:44:55', { timeoutMs: 300 }), (e: unknown) => e instanceof LinkError && e.code === 'link.connect-timeout');
      phone.stopAdvertising();
      await new RealClock().sleep(150);
      await assert.rejects(pc.connect(PHONE, { timeoutMs: 400 }), (e: unknown) => e instanceof LinkError && e.code === 'link.connect-timeout');
      await assert.rejects(pc.connect('nonsense'), (e: unknown) => e instanceof LinkError && e.code === 'link.bad-argument');
      await phone.startAdvertisingAsync({ localName: 'SimPhone', solicitationUuids: [ANCS] });
    });

    let phonePeer: GattPeer | undefined;
    await t.test('connect, MTU from noble\'s own exchange, discovery', async () => {
      const mtuAtPhone = next<number>((resolve) => phone.events.on('mtuChanged', (_p, mtu) => resolve(mtu)));
      connection = await pc.connect(PHONE, { timeoutMs: 3000 });
      assert.equal(connection.tapped, true);
      assert.equal(connection.canPairOnRequest, true);
      await assert.rejects(pc.connect(PHONE), (e: unknown) => e instanceof LinkError && e.code === 'link.already-connected');
      assert.equal(await connection.gatt.exchangeMtu(517), 185);
      assert.equal(await mtuAtPhone, 185);
      phonePeer = phone.peers()[0];
      assert.equal(phonePeer?.address, PC);
      assert.equal(phonePeer?.mtu, 185);
      assert.ok((await connection.gatt.discoverServices()).includes(SERVICE));
      assert.deepEqual(await connection.gatt.discoverCharacteristics(SERVICE), [
        { uuid: NOTIFY, properties: ['notify'] },
        { uuid: DATA, properties: ['read', 'writeWithoutResponse', 'write'] },
        { uuid: REFUSING, properties: ['write'] },
        { uuid: BONDED, properties: ['read'] },
      ]);
    });

    await t.test('notifications arrive complete and in order', async () => {
      assert.ok(connection);
      notifyCount = 24;
      const got: Uint8Array[] = [];
      const all = next<void>((resolve) => {
        const timer = setInterval(() => got.length >= notifyCount && resolve(), 5);
        return () => clearInterval(timer);
      });
      await connection.gatt.subscribe(SERVICE, NOTIFY, (value) => got.push(value));
      await all;
      assert.deepEqual(
        got.map((v) => [v.length, v[0]]),
        Array.from({ length: notifyCount }, (_, i) => [i % 2 === 0 ? 4 : 182, i]),
      );
      assert.ok(phonePeer && phone.isSubscribed(phonePeer, NOTIFY));
      await connection.gatt.unsubscribe(SERVICE, NOTIFY);
      assert.ok(!phone.isSubscribed(phonePeer, NOTIFY));
    });

    await t.test('write with response, write command, and a long read', async () => {
      assert.ok(connection);
      await connection.gatt.write(SERVICE, DATA, Uint8Array.of(1, 2, 3), true);
      await connection.gatt.write(SERVICE, DATA, Uint8Array.of(4), false);
      const value = await connection.gatt.read(SERVICE, DATA);
      assert.deepEqual(value, readValue, '300 bytes: a Read and Read Blobs');
      readValue = Uint8Array.of(9);
      assert.deepEqual(await connection.gatt.read(SERVICE, DATA), Uint8Array.of(9));
      assert.deepEqual(written, ['req:010203', 'cmd:04']);
    });

    await t.test('a handler\'s ATT error reaches the PC with its code', async () => {
      assert.ok(connection);
      await assert.rejects(connection.gatt.write(SERVICE, REFUSING, Uint8Array.of(0)), (e: unknown) => e instanceof AttError && e.attCode === 0xa1);
      await assert.rejects(connection.gatt.read(SERVICE, REFUSING), (e: unknown) => e instanceof AttError && e.attCode === 0x02);
      // The link still works afterwards.
      assert.deepEqual(await connection.gatt.read(SERVICE, DATA), Uint8Array.of(9));
    });

    await t.test('a bonded characteristic: noble pairs by itself, then the read succeeds', async () => {
      assert.ok(connection && phonePeer);
      const phoneEncrypted = next<GattPeer>((resolve) => phone.events.on('encrypted', resolve));
      assert.equal(connection.encrypted, false);
      assert.deepEqual(await connection.gatt.read(SERVICE, BONDED), Uint8Array.of(0x42));
      assert.equal((await phoneEncrypted).address, PC);
      assert.equal(connection.encrypted, true);
      assert.equal(phonePeer.encrypted, true);
      assert.equal(phonePeer.bonded, true);
      await connection.pair(); // already encrypted: resolves
    });

    await t.test('disconnect from the PC: 0x16 here, 0x13 at the phone', async () => {
      assert.ok(connection);
      const atPhone = next<number>((resolve) => phone.events.on('disconnect', (_p, reason) => resolve(reason)));
      const atPc = next<number>((resolve) => connection?.events.on('disconnect', resolve) ?? (() => undefined));
      await connection.disconnect();
      assert.equal(await atPc, 0x16);
      assert.equal(await atPhone, 0x13);
      assert.equal(connection.connected, false);
      assert.deepEqual(phone.peers(), []);
      await assert.rejects(connection.gatt.read(SERVICE, DATA), (e: unknown) => e instanceof Error && (e as { code?: string }).code === 'link.disconnected');
    });

    await t.test('reconnect: encrypt with the kept bond, then the phone ends the link (0x13 at the PC)', async () => {
      assert.ok(pc.bonds.has(PHONE), 'the key the phone distributed was kept');
      const again = await pc.connect(PHONE, { timeoutMs: 3000 });
      assert.equal(again.bonded, true);
      assert.equal(again.encrypted, false);
      await again.encrypt();
      assert.equal(again.encrypted, true);
      assert.deepEqual(await again.gatt.read(SERVICE, BONDED), Uint8Array.of(0x42));
      const peer = phone.peers()[0];
      assert.ok(peer?.encrypted);
      const atPc = next<number>((resolve) => again.events.on('disconnect', resolve));
      phone.disconnect(peer);
      assert.equal(await atPc, 0x13);
      assert.equal(again.connected, false);
    });

    await t.test('pairing on request, with no bond on either side', async () => {
      pc.bonds.delete(PHONE);
      phone.forgetBond(PC);
      const third = await pc.connect(PHONE, { timeoutMs: 3000 });
      assert.equal(third.bonded, false);
      await assert.rejects(third.encrypt(), (e: unknown) => e instanceof PairingError);
      await third.pair();
      assert.equal(third.encrypted, true);
      assert.equal(third.bonded, true);
      assert.equal(phone.peers()[0]?.bonded, true);
      assert.deepEqual(await third.gatt.read(SERVICE, BONDED), Uint8Array.of(0x42));
      await third.disconnect();
    });

    await t.test('closing the host ends the bleno child process', async () => {
      const pid = phone.pid;
      assert.ok(pid !== undefined && alive(pid));
      await phone.close();
      host = undefined;
      assert.equal(alive(pid), false);
      assert.equal(phone.running, false);
    });
    assert.deepEqual(problems, []);
    t.diagnostic(`wall time ${(performance.now() - started).toFixed(0)} ms`);
  } finally {
    await central?.close();
    await host?.close();
    await service?.close();
  }
});
