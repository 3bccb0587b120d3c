import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { buildParser, commandName, EXIT_USAGE, isUsageError, loadCommands, reportError } from '../../src/cli/main';
import { writeReport } from '../../src/harness/report/write';
import { IPHONE_SCENARIOS, reportFrom } from '../harness/report/report-fixture';

const root = path.resolve(__dirname, '..', '..');
const bin = path.join(root, 'bin', 'phonebridge.js');

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

// Spawns the real entry point as a user's shell would. Each spawn loads
// TypeScript through ts-node, so the tests keep to a few.
function phonebridge(args: string[]): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd: root });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function nonEmptyLines(text: string): string[] {
  return text.split('\n').filter((l) => l !== '');
}

/** Parses a command line in this process and returns what the CLI would print and exit with. */
async function usage(argv: string[]): Promise<{ code: number; line: string }> {
  let text = '';
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      text += chunk.toString();
      done();
    },
  });
  try {
    // Only the run and report modules: the others are slow to load and not under test here.
    await buildParser(argv, loadCommands(undefined, argv[0] === 'report' ? 'report' : 'run')).parseAsync();
  } catch (err) {
    assert.ok(isUsageError(err), `expected a usage error, got ${String(err)}`);
    const code = reportError(err, false, sink);
    const lines = nonEmptyLines(text);
    assert.equal(lines.length, 1);
    return { code, line: lines[0] };
  }
  assert.fail(`no error for ${argv.join(' ')}`);
}

test('a bad flag: one line on stderr and exit code 2 (spawned)', async () => {
  const result = await phonebridge(['run', '--bogus']);
  assert.equal(result.code, 2);
  assert.deepEqual(nonEmptyLines(result.stderr), ['phonebridge: Unknown argument: bogus (see phonebridge --help)']);
  assert.equal(result.stdout, '');
});

test('other usage errors are one line with exit code 2', async () => {
  const cases: Array<[string[], RegExp]> = [
    [['run', '--transport', 'memory,radio'], /^phonebridge: unknown transport "radio" \(available: memory, hci\)/],
    [['run', '--seed', 'soon'], /^phonebridge: --seed must be a whole number >= 0/],
    [['run', '--seed', '-3'], /^phonebridge: --seed must be a whole number >= 0/],
    [['run', '--tags', ''], /^phonebridge: --tags needs a tag expression/],
    [['report'], /^phonebridge: Not enough non-option arguments/],
    [[], /^phonebridge: name a command/],
  ];
  for (const [argv, expected] of cases) {
    const { code, line } = await usage(argv);
    assert.equal(code, EXIT_USAGE, argv.join(' '));
    assert.match(line, expected);
  }
});

test('every module in the commands folder is registered; a broken one fails only when used', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pb-commands-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(path.join(dir, 'hello.js'), "exports.default = { command: 'hello', describe: 'd', handler: () => {} };");
  writeFileSync(path.join(dir, 'broken.js'), "throw new Error('half written');");
  writeFileSync(path.join(dir, 'helper.js'), 'exports.x = 1;');
  writeFileSync(path.join(dir, 'notes.txt'), '');
  assert.deepEqual(loadCommands(dir).map((c) => c.command), ['broken', 'hello']);
  assert.deepEqual(loadCommands(dir, 'hello').map((c) => c.command), ['hello']);
  assert.deepEqual(loadCommands(path.join(root, 'no-such-dir')), []);
  await assert.rejects(async () => buildParser(['broken'], loadCommands(dir, 'broken')).parseAsync(), /the broken command could not be loaded: half written/);
  const own = readdirSync(path.join(root, 'src', 'cli', 'commands'));
  for (const name of ['run.ts', 'report.ts']) assert.ok(own.includes(name));
  assert.equal(commandName(['--verbose', 'run', '--phone', 'x']), 'run');
  assert.equal(commandName(['--help']), undefined);
});

test('report merges earlier runs; an unexpected error is one line and exit 1, with the stack under --verbose (spawned)', async (t) => {
  const out = mkdtempSync(path.join(os.tmpdir(), 'pb-cli-'));
  t.after(() => rmSync(out, { recursive: true, force: true }));
  const a = writeReport({ outDir: out, report: reportFrom([{ phone: 'iphone', scenarios: IPHONE_SCENARIOS }], 'run-a'), updateLatest: false });
  const b = writeReport({ outDir: out, report: reportFrom([{ phone: 'android', scenarios: IPHONE_SCENARIOS.slice(0, 2) }], 'run-b'), updateLatest: false });
  writeFileSync(path.join(out, 'not-a-dir'), '');

  const [merged, crash] = await Promise.all([
    phonebridge(['report', a.dir, b.dir, '--out', path.join(out, 'merged')]),
    phonebridge(['report', a.dir, '--out', path.join(out, 'not-a-dir', 'x'), '--verbose']),
  ]);
  assert.equal(merged.code, 0, merged.stderr);
  assert.match(merged.stdout, /iphone\/memory: 4 features/);
  assert.match(merged.stdout, /android\/memory: 2 features/);
  const md = readFileSync(path.join(out, 'merged', 'latest', 'compat.md'), 'utf8');
  assert.match(md, /\| Feature \| Area \| iphone\/memory \| android\/memory \|/);

  assert.equal(crash.code, 1);
  const lines = nonEmptyLines(crash.stderr);
  assert.match(lines[0], /^phonebridge: .*(ENOTDIR|not a directory)/);
  assert.ok(lines.slice(1).some((l) => /^\s+at /.test(l)), crash.stderr);
});
