/**
 * `phonebridge controller` and `phonebridge phone` end to end: the
 * controller command prints a UART per host, the phone command brings the
 * simulated iPhone up on one of them, and noble on the other finds it
 * advertising its name, connects and discovers ANCS. Wall
 * time; skips without socat.
 *
 * @isolated-process: it spawns the CLI and loads noble.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createHciCentral } from '../../src/link/hci';
import { ANCS_SERVICE_UUID } from '../../src/protocol/ancs/constants';

const BIN = path.resolve(__dirname, '..', '..', 'bin', 'phonebridge.js');

function start(args: string[]): { child: ChildProcess; lines: string[]; waitFor(re: RegExp, ms: number): Promise<string> } {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  let buffer = '';
  const waiters: { re: RegExp; resolve: (line: string) => void }[] = [];
  const onText = (chunk: Buffer): void => {
    buffer += chunk.toString('utf8');
    for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n')) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      lines.push(line);
      for (const w of [...waiters]) if (w.re.test(line)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(line);
      }
    }
  };
  child.stdout?.on('data', onText);
  child.stderr?.on('data', onText);
  const waitFor = (re: RegExp, ms: number): Promise<string> => {
    const seen = lines.find((l) => re.test(l));
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no line matching ${re} within ${ms} ms; got:\n${lines.join('\n')}`)), ms);
      waiters.push({ re, resolve: (line) => (clearTimeout(timer), resolve(line)) });
    });
  };
  return { child, lines, waitFor };
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => (clearTimeout(timer), resolve()));
    child.kill('SIGTERM');
  });
}

test('controller + phone commands: noble finds the simulated iPhone and its ANCS service', { timeout: 300_000 }, async (t) => {
  if (spawnSync('socat', ['-V'], { stdio: 'ignore' }).error !== undefined) {
    t.skip('socat is not installed (apt-get install socat)');
    return;
  }
  const controller = start(['controller', '--ltk', 'phone', '--seconds', '280']);
  let phone: ReturnType<typeof start> | undefined;
  let central: Awaited<ReturnType<typeof createHciCentral>> | undefined;
  try {
    await controller.waitFor(/^ready$/, 90_000);
    const portOf = (name: string): string => {
      const line = controller.lines.find((l) => l.startsWith(`${name} `));
      assert.ok(line, `no ${name} line`);
      return line.split(' ')[2] as string;
    };
    phone = start(['phone', '--hci', `uart:${portOf('phone')}`, '--seconds', '270']);
    await phone.waitFor(/advertising as F0:99:B6:00:00:01/, 90_000);
    central = await createHciCentral({ controller: `uart:${portOf('pc')}` });
    const found = await central.scan(3_000);
    const iphone = found.find((r) => r.address === 'F0:99:B6:00:00:01');
    assert.ok(iphone, `scan found ${JSON.stringify(found.map((r) => r.address))}`);
    assert.equal(iphone.advertisement.localName, 'iPhone');
    const connection = await central.connect('F0:99:B6:00:00:01');
    const services = await connection.gatt.discoverServices();
    assert.ok(services.includes(ANCS_SERVICE_UUID), `services: ${services.join(', ')}`);
    await phone.waitFor(/^connected AA:BB:CC:DD:EE:01/, 10_000);
    await connection.disconnect();
  } finally {
    await central?.close();
    if (phone) await stop(phone.child);
    await stop(controller.child);
  }
  assert.ok(controller.lines.includes('stopped'), controller.lines.join('\n'));
});

test('phone without --hci and controller with a bad host are usage errors (exit code 2)', () => {
  const phone = spawnSync(process.execPath, [BIN, 'phone'], { encoding: 'utf8' });
  assert.equal(phone.status, 2);
  assert.match(phone.stderr, /--hci is required/);
  const controller = spawnSync(process.execPath, [BIN, 'controller', '--host', 'pc=nonsense'], { encoding: 'utf8' });
  assert.equal(controller.status, 2);
  assert.match(controller.stderr, /--host must be name=AA:BB:CC:DD:EE:FF/);
});
