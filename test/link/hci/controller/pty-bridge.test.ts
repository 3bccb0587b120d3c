/**
 * The pty bridge: socat pty pairs, a controller attached to one end, and
 * bytes crossing both ways between a host opening the other end and the
 * controller. Skips when socat is not installed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, openSync, constants as fsConstants } from 'node:fs';
import tty from 'node:tty';
import { RealClock } from '../../../../src/link/clock';
import { VirtualAir } from '../../../../src/link/hci/controller/virtual-air';
import { PtyBridgeError, attachController, openPtyPair } from '../../../../src/link/hci/controller/pty-bridge';
import { startControllerService } from '../../../../src/link/hci/controller/controller-process';
import { socatAvailable } from './socat';

const hasSocat = socatAvailable();

/** Opens the host end the way a UART host does, and collects what it reads. */
function openHostEnd(path: string): { write(hex: string): void; received(): string; close(): Promise<void> } {
  const flags = fsConstants.O_RDWR | fsConstants.O_NOCTTY | fsConstants.O_NONBLOCK;
  const input = new tty.ReadStream(openSync(path, flags));
  input.setRawMode(true);
  const output = new tty.WriteStream(openSync(path, flags));
  let got = '';
  input.on('data', (chunk: Buffer) => (got += chunk.toString('hex')));
  const close = (s: tty.ReadStream | tty.WriteStream): Promise<void> => new Promise((resolve) => {
    s.once('close', () => resolve());
    s.destroy();
  });
  return {
    write: (hex) => void output.write(Buffer.from(hex, 'hex')),
    received: () => got,
    close: async () => {
      await Promise.all([close(input), close(output)]);
    },
  };
}

async function until(predicate: () => boolean, ms = 3000): Promise<void> {
  const clock = new RealClock();
  const deadline = clock.now() + ms;
  while (!predicate()) {
    if (clock.now() > deadline) throw new Error('timed out');
    await clock.sleep(5);
  }
}

test('bytes cross the pty pair both ways: a command in, its Command Complete out; junk is reported', async (t) => {
  if (!hasSocat) return t.skip('socat is not installed (apt-get install -y socat)');
  const pair = await openPtyPair();
  const air = new VirtualAir({ clock: new RealClock() });
  const controller = air.addController('AA:BB:CC:DD:EE:10');
  const errors: string[] = [];
  controller.output.on('error', (e) => errors.push(e.code));
  const attached = await attachController(controller, pair.controllerPath);
  const host = openHostEnd(pair.hostPath);
  try {
    // Reset, then Read_BD_ADDR split in two writes, including bytes 0x0a and 0x0d that a cooked tty would mangle.
    host.write('01030c00');
    host.write('0109');
    host.write('1000');
    await until(() => host.received().length >= 2 * (7 + 13));
    assert.equal(host.received(), '040e0401030c00' + '040e0a01091000' + '10eeddccbbaa');
    host.write('ff0a0d');
    host.write('01011000');
    await until(() => host.received().length > 40);
    assert.ok(host.received().endsWith('040e0c0101100009010009ffff0100'));
    assert.deepEqual(errors, ['hci.bad-packet-type']);
    assert.equal(controller.stats.commands, 3);
  } finally {
    await host.close();
    await attached.detach();
    await pair.close();
  }
  assert.equal(existsSync(pair.hostPath), false);
  assert.equal(existsSync(pair.controllerPath), false);
});

test('openPtyPair reports a missing socat as a PtyBridgeError', async () => {
  await assert.rejects(openPtyPair({ socatPath: '/nonexistent/socat', timeoutMs: 500 }), (e: unknown) => e instanceof PtyBridgeError && e.code === 'hci.pty-failed');
});

test('startControllerService gives each host a pty whose controller answers, and close removes them', async (t) => {
  if (!hasSocat) return t.skip('socat is not installed (apt-get install -y socat)');
  const service = await startControllerService({
    hosts: [
      { name: 'phone', address: '11:22:33:44:55:66' },
      { name: 'pc', address: 'AA:BB:CC:DD:EE:01' },
    ],
  });
  const hosts = [openHostEnd(service.ports.phone ?? ''), openHostEnd(service.ports.pc ?? '')];
  try {
    for (const host of hosts) host.write('01091000');
    await until(() => hosts.every((h) => h.received().length >= 26));
    assert.equal(hosts[0]?.received(), '040e0a01091000' + '665544332211');
    assert.equal(hosts[1]?.received(), '040e0a01091000' + '01eeddccbbaa');
    assert.deepEqual(service.air.list().map((c) => c.address), ['11:22:33:44:55:66', 'AA:BB:CC:DD:EE:01']);
  } finally {
    await Promise.all(hosts.map((h) => h.close()));
    await service.close();
  }
  assert.equal(existsSync(service.ports.phone ?? ''), false);
  assert.equal(service.air.list().length, 0);
});
