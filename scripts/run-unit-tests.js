#!/usr/bin/env node
// Runs every test/**/*.test.ts file with Node's test runner, compiled on the fly by ts-node
// (transpile-only: `npm run typecheck` does the type checking). Extra arguments narrow the
// files by substring: `node scripts/run-unit-tests.js ancs clock`.
'use strict';
const { spawnSync } = require('node:child_process');
const { readdirSync, statSync } = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const args = process.argv.slice(2).filter((a) => a !== '--coverage');

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
const result = spawnSync(
  process.execPath,
  ['--require', 'ts-node/register/transpile-only', '--test', '--test-concurrency=2', ...files.map((f) => path.relative(root, f))],
  { cwd: root, stdio: 'inherit', env: { ...process.env, TS_NODE_PROJECT: path.join(root, 'tsconfig.json') } },
);
process.exit(result.status ?? 1);
