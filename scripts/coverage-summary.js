#!/usr/bin/env node
// Prints line coverage per area of src/ from nyc's json-summary, and fails when an area with a
// stated floor falls below it (src/protocol and src/sim-pc must stay at 90 % of lines or more).
'use strict';
const { readFileSync } = require('node:fs');
const path = require('node:path');

const FLOORS = { 'src/protocol': 90, 'src/sim-pc': 90 };
const root = path.resolve(__dirname, '..');
const summary = JSON.parse(readFileSync(path.join(root, 'coverage', 'coverage-summary.json'), 'utf8'));

const areas = new Map();
for (const [file, data] of Object.entries(summary)) {
  if (file === 'total') continue;
  const rel = path.relative(root, file).split(path.sep).join('/');
  const parts = rel.split('/');
  const area = parts[0] === 'src' && parts.length > 2 ? `src/${parts[1]}` : parts.slice(0, -1).join('/');
  const a = areas.get(area) ?? { covered: 0, total: 0 };
  a.covered += data.lines.covered;
  a.total += data.lines.total;
  areas.set(area, a);
}

let failed = false;
console.log('\nLine coverage by area:');
for (const [area, a] of [...areas].sort()) {
  const pct = a.total === 0 ? 100 : (100 * a.covered) / a.total;
  const floor = FLOORS[area];
  const mark = floor === undefined ? '' : pct >= floor ? `  (floor ${floor} %: ok)` : `  (floor ${floor} %: BELOW)`;
  if (floor !== undefined && pct < floor) failed = true;
  console.log(`  ${area.padEnd(18)} ${pct.toFixed(1).padStart(5)} %  ${String(a.covered).padStart(6)}/${a.total}${mark}`);
}
process.exit(failed ? 1 : 0);
