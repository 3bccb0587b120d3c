/**
 * `phonebridge verify-captures` end to end: a recorded flow with its sent
 * log passes (exit 0); a sent log edited by one byte fails (exit 1) with a
 * line naming the frame, and shows the differing values only with
 * --no-redact; a folder with no capture, or a missing tshark, is a usage
 * error (exit 2). The tshark parts skip when tshark is missing.
 *
 * @isolated-process: it spawns the CLI.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawn, spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { sentLogFromTaps, sentLogPathFor, writeSentLog, type SentLog } from '../../src/harness/capture-oracle-sent-log';
import { recordFlow, removeTempCaptures, tempCaptureFile } from '../link/capture/capture-flows';

const BIN = path.resolve(__dirname, '..', '..', 'bin', 'phonebridge.js');
const TSHARK = process.env.TSHARK ?? 'tshark';
const available = spawnSync(TSHARK, ['--version'], { encoding: 'utf8' }).status === 0;

const emptyDir = mkdtempSync(path.join(os.tmpdir(), 'pb-verify-empty-'));
after(() => {
  removeTempCaptures();
  rmSync(emptyDir, { recursive: true, force: true });
});

/** Runs the command; runs overlap, so the test stays quick on two cores. */
function cli(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<{ status: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'verify-captures', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, out }));
  });
}

test('usage errors exit 2: no capture in the folder, or no tshark', async () => {
  const [none, missing] = await Promise.all([cli([emptyDir]), cli([emptyDir], { ...process.env, TSHARK: path.join(emptyDir, 'no-such-tshark') })]);
  if (available) {
    assert.equal(none.status, 2, none.out);
    assert.match(none.out, /no capture with a sent log/);
  }
  assert.equal(missing.status, 2, missing.out);
  assert.match(missing.out, /tshark is not available/);
});

test('a recorded flow passes; one byte changed in its sent log fails, redacted unless --no-redact', async (t) => {
  if (!available) {
    t.skip('tshark is not installed');
    return;
  }
  const flow = await recordFlow(tempCaptureFile('verify-flow'));
  const logFile = sentLogPathFor(flow.file);
  writeSentLog(logFile, sentLogFromTaps(flow.pdus, flow.frames));
  const dir = path.dirname(flow.file);

  const good = await cli([dir]);
  assert.equal(good.status, 0, good.out);
  assert.match(good.out, /^ok +.*verify-flow\.btsnoop/m);
  assert.match(good.out, /All 1 captures agree with tshark/);

  // The PBAP Get's Name 'telecom/pb.vcf' (UTF-16) becomes 'telecom/pc.vcf' in the log.
  const log = JSON.parse(readFileSync(logFile, 'utf8')) as SentLog;
  const target = Buffer.from('\0p\0b\0.\0v\0c\0f', 'latin1').toString('hex');
  const index = log.obex.findIndex((p) => p.hex.includes(target));
  assert.ok(index >= 0, 'the flow pulls telecom/pb.vcf');
  const packet = log.obex[index];
  if (!packet) return;
  log.obex[index] = { ...packet, hex: packet.hex.replace(target, Buffer.from('\0p\0c\0.\0v\0c\0f', 'latin1').toString('hex')) };
  writeFileSync(logFile, JSON.stringify(log));

  const [bad, shown] = await Promise.all([cli([dir]), cli([dir, '--no-redact'])]);
  assert.equal(bad.status, 1, bad.out);
  assert.match(bad.out, /^FAIL .*verify-flow\.btsnoop/m);
  assert.match(bad.out, /frame \d+: obex OBEX channel \d+ PC->phone packet #\d+ differs/);
  assert.doesNotMatch(bad.out, /pb\.vcf|pc\.vcf/);
  assert.match(bad.out, /0 of 1 captures agree/);

  assert.equal(shown.status, 1, shown.out);
  assert.match(shown.out, /pc\.vcf/);
  assert.match(shown.out, /pb\.vcf/);
});
