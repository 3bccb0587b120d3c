/**
 * Real stacks against the virtual controller: unmodified @stoprocent/bleno
 * (peripheral) and @stoprocent/noble (central), each in its own process on
 * the UART driver, attached through socat pty pairs to a controller service
 * in this process. Scan, connect, discover, subscribe, notification, write,
 * disconnect; and LE pairing plus encryption once bleno's SMP argument bug
 * is adapted in the fixture. Skips when socat is missing.
 *
 * @isolated-process: real stacks in child processes, on wall time.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { startControllerService } from '../../../../src/link/hci/controller/controller-process';
import { HciTraceEntry } from '../../../../src/link/hci/controller/hci-trace';
import { socatAvailable } from './socat';

const repoRoot = path.resolve(__dirname, '..', '..', '..', '..');
const fixtures = path.join(__dirname, 'fixtures');
const hasSocat = socatAvailable();

interface Line {
  event: string;
  [key: string]: unknown;
}

interface Child {
  process: ChildProcess;
  lines: Line[];
  exited: Promise<number | null>;
}

function run(script: string, port: string, env: Record<string, string>): Child {
  const child = spawn(process.execPath, [path.join(fixtures, script), port], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, FIXTURE_TIMEOUT_MS: '12000', ...env },
  });
  const lines: Line[] = [];
  let buffered = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    let nl: number;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const text = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      try {
        lines.push(JSON.parse(text) as Line);
      } catch {
        lines.push({ event: 'output', text });
      }
    }
  });
  child.stderr?.on('data', () => undefined);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { process: child, lines, exited };
}

async function stop(child: Child): Promise<void> {
  if (child.process.exitCode === null && child.process.signalCode === null) child.process.kill('SIGTERM');
  await child.exited;
}

async function session(options: { pair: boolean }): Promise<{ noble: Line[]; bleno: Line[]; nobleExit: number | null; trace: HciTraceEntry[]; ms: number }> {
  const started = performance.now();
  const trace: HciTraceEntry[] = [];
  const service = await startControllerService({
    hosts: [
      { name: 'phone', address: '11:22:33:44:55:66', answerLtkRequests: options.pair },
      { name: 'pc', address: 'AA:BB:CC:DD:EE:01' },
    ],
    log: (entry) => {
      if (entry.kind === 'event' || entry.kind === 'air' || entry.kind === 'error') trace.push(entry);
    },
  });
  const env: Record<string, string> = options.pair ? { BLENO_SMP_FIX: '1', PAIR: '1' } : {};
  const bleno = run('bleno-peripheral.js', service.ports.phone ?? '', env);
  const noble = run('noble-central.js', service.ports.pc ?? '', env);
  try {
    const nobleExit = await noble.exited;
    await Promise.race([bleno.exited, new Promise((resolve) => setTimeout(resolve, 1000))]);
    return { noble: noble.lines, bleno: bleno.lines, nobleExit, trace, ms: performance.now() - started };
  } finally {
    await stop(noble);
    await stop(bleno);
    await service.close();
  }
}

const events = (lines: Line[]): string[] => lines.map((l) => l.event);

test('noble and bleno: scan, connect, discover, subscribe, notification, write, disconnect', async (t) => {
  if (!hasSocat) return t.skip('socat is not installed (apt-get install -y socat)');
  const result = await session({ pair: false });
  t.diagnostic(`noble/bleno session wall time ${result.ms.toFixed(0)} ms`);
  assert.equal(result.nobleExit, 0, JSON.stringify(result.noble));
  assert.deepEqual(events(result.noble), ['powered-on', 'discovered', 'connected', 'discovered-characteristics', 'notification', 'written', 'disconnected']);
  const discovered = result.noble.find((l) => l.event === 'discovered');
  assert.equal(discovered?.address, '11:22:33:44:55:66');
  assert.equal(discovered?.name, 'PBTest');
  assert.equal(result.noble.find((l) => l.event === 'notification')?.data, 'hello from bleno');
  assert.deepEqual(
    events(result.bleno).filter((e) => e !== 'state'),
    ['advertising', 'accept', 'subscribed', 'write', 'disconnect'],
  );
  assert.equal(result.bleno.find((l) => l.event === 'write')?.data, 'c0ffee');
  const names = result.trace.map((e) => {
    if (e.kind === 'event') return e.name;
    if (e.kind === 'air') return `air:${e.what}`;
    return e.kind === 'error' ? `error:${e.code}` : e.kind;
  });
  assert.ok(names.includes('Number_Of_Completed_Packets'));
  assert.ok(names.includes('air:connect') && names.includes('air:disconnect'));
  assert.deepEqual(names.filter((n) => n.startsWith('error:')), [], 'no malformed input from the real stacks');
});

test('with bleno SMP adapted: noble pairs (legacy Just Works), the controller answers the LTK request, a secure read succeeds', async (t) => {
  if (!hasSocat) return t.skip('socat is not installed (apt-get install -y socat)');
  const result = await session({ pair: true });
  t.diagnostic(`pairing session wall time ${result.ms.toFixed(0)} ms`);
  assert.equal(result.nobleExit, 0, JSON.stringify(result.noble));
  assert.equal(result.noble.find((l) => l.event === 'secure-read')?.data, 'bonded');
  const changes = result.trace.filter((e) => e.kind === 'event' && e.name === 'Encryption_Change');
  assert.equal(changes.length, 2);
  assert.ok(changes.every((e) => e.kind === 'event' && e.params.startsWith('00') && e.params.endsWith('01')), JSON.stringify(changes));
});
