#!/usr/bin/env node
// Runs every test/**/*.test.ts file with Node's test runner, compiled on the fly by ts-node
// (transpile-only: `npm run typecheck` does the type checking). Extra arguments narrow the
// files by substring: `node scripts/run-unit-tests.js ancs clock`.
//
// Most files load into two shard processes (scripts/test-shard.js), one per core, so ts-node
// compiles each module once per shard instead of once per file: that is most of the cost.
// A file whose header contains the marker "@isolated-process" (it checks what is loaded, or
// drives child processes and real timers) runs in a process of its own under `node --test`.
'use strict';
const { spawn } = require('node:child_process');
const { readdirSync, readFileSync, statSync } = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const args = process.argv.slice(2).filter((a) => a !== '--coverage');
const SHARDS = 2;
const MARKER = '@isolated-process';

function find(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) out.push(...find(full));
    else if (name.endsWith('.test.ts')) out.push(full);
  }
  return out;
}

const files = find(path.join(root, 'test'))
  .filter((f) => args.length === 0 || args.some((a) => f.includes(a)))
  .sort();
if (files.length === 0) {
  console.error('run-unit-tests: no test files matched');
  process.exit(1);
}

const isolated = files.filter((f) => readFileSync(f, 'utf8').slice(0, 2000).includes(MARKER));
const shared = files.filter((f) => !isolated.includes(f));
// Deal the shared files out by size, largest first, to the lighter shard: a rough balance of work.
const shards = Array.from({ length: SHARDS }, () => ({ files: [], bytes: 0 }));
for (const f of [...shared].sort((a, b) => statSync(b).size - statSync(a).size)) {
  const lightest = shards.reduce((a, b) => (b.bytes < a.bytes ? b : a));
  lightest.files.push(path.relative(root, f));
  lightest.bytes += statSync(f).size;
}

const env = { ...process.env, TS_NODE_PROJECT: path.join(root, 'tsconfig.json') };
const jobs = [];
for (const shard of shards) {
  if (shard.files.length === 0) continue;
  jobs.push({
    name: `shard of ${shard.files.length} files`,
    argv: ['--require', 'ts-node/register/transpile-only', '--test-reporter=tap', path.join(__dirname, 'test-shard.js'), ...shard.files],
  });
}
if (isolated.length > 0) {
  jobs.push({
    name: `${isolated.length} isolated files`,
    argv: ['--require', 'ts-node/register/transpile-only', '--test', '--test-concurrency=1', '--test-reporter=tap', ...isolated.map((f) => path.relative(root, f))],
  });
}

/** Runs a job with its output buffered, so the jobs' reports do not interleave. */
function run(job) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, job.argv, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks = [];
    child.stdout.on('data', (c) => chunks.push(c));
    child.stderr.on('data', (c) => chunks.push(c));
    child.on('close', (code, signal) => resolve({ job, code: code ?? (signal ? 1 : 0), output: Buffer.concat(chunks).toString('utf8') }));
  });
}

(async () => {
  const results = await Promise.all(jobs.map(run));
  const totals = { tests: 0, pass: 0, fail: 0, skipped: 0, todo: 0 };
  for (const r of results) {
    process.stdout.write(`\n# ---- ${r.job.name} ----\n${r.output}`);
    for (const key of Object.keys(totals)) {
      const m = new RegExp(`^# ${key} (\\d+)$`, 'm').exec(r.output);
      if (m) totals[key] += Number(m[1]);
    }
  }
  process.stdout.write(`\n# all: ${totals.tests} tests, ${totals.pass} passed, ${totals.fail} failed, ${totals.skipped} skipped, ${totals.todo} todo\n`);
  const failed = results.filter((r) => r.code !== 0);
  for (const r of failed) process.stdout.write(`# FAILED: ${r.job.name} exited with ${r.code}\n`);
  process.exit(failed.length > 0 ? 1 : 0);
})();
