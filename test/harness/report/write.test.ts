import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ReportError } from '../../../src/harness/report/errors';
import { readRunDir } from '../../../src/harness/report/read-report';
import { createRunDir, makeRunId, pointLatest, writeReport } from '../../../src/harness/report/write';
import { IPHONE_SCENARIOS, reportFrom } from './report-fixture';

function tempDir(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pb-write-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const eperm: (target: string, link: string) => void = () => {
  throw Object.assign(new Error('operation not permitted'), { code: 'EPERM' });
};

test('run ids read like 2026-11-23T18-40-12Z-iphone-memory', () => {
  const date = new Date('2026-11-23T18:40:12.345Z');
  assert.equal(makeRunId(date, ['iphone'], ['memory']), '2026-11-23T18-40-12Z-iphone-memory');
  assert.equal(makeRunId(date, ['iphone', 'android', 'iphone'], ['memory']), '2026-11-23T18-40-12Z-iphone+android-memory');
  assert.equal(makeRunId(date, ['../evil phone'], ['memory']), '2026-11-23T18-40-12Z-..-evil-phone-memory');
});

test('createRunDir never reuses a directory', (t) => {
  const out = tempDir(t);
  const a = createRunDir(out, 'r');
  const b = createRunDir(out, 'r');
  assert.deepEqual([a.runId, b.runId], ['r', 'r-2']);
  assert.ok(existsSync(b.dir));
});

test('writeReport writes compat.json and compat.md and links latest to the run', (t) => {
  const out = tempDir(t);
  const report = reportFrom([{ phone: 'iphone', scenarios: IPHONE_SCENARIOS }], '2026-11-23T18-40-12Z-iphone-memory');
  writeFileSync(path.join(out, 'keep.txt'), '');
  mkdirSync(path.join(out, report.runId));
  writeFileSync(path.join(out, report.runId, 'junit.xml'), '<testsuite/>');
  const written = writeReport({ outDir: out, report });
  assert.deepEqual(readRunDir(written.dir), report);
  assert.match(readFileSync(written.markdown, 'utf8'), /^# PhoneBridge compatibility report/);
  assert.ok(existsSync(path.join(written.dir, 'junit.xml')), 'cucumber files already there are kept');
  assert.deepEqual(written.latest, { path: path.join(out, 'latest'), kind: 'symlink' });
  assert.ok(lstatSync(path.join(out, 'latest')).isSymbolicLink());
  assert.equal(readlinkSync(path.join(out, 'latest')), report.runId);

  // A newer run takes latest over.
  const next = writeReport({ outDir: out, report: { ...report, runId: 'next' } });
  assert.equal(readlinkSync(path.join(out, 'latest')), 'next');
  assert.equal(readRunDir(path.join(out, 'latest')).runId, 'next');
  assert.equal(next.latest?.kind, 'symlink');
});

test('where symlinks fail, latest is a copy, and a later symlink replaces the copy', (t) => {
  const out = tempDir(t);
  const report = reportFrom([{ phone: 'iphone', scenarios: IPHONE_SCENARIOS }], 'one');
  const written = writeReport({ outDir: out, report, symlink: eperm });
  assert.equal(written.latest?.kind, 'copy');
  const latest = path.join(out, 'latest');
  assert.ok(!lstatSync(latest).isSymbolicLink());
  assert.equal(readRunDir(latest).runId, 'one');
  assert.ok(existsSync(path.join(latest, 'compat.md')));

  writeReport({ outDir: out, report: { ...report, runId: 'two' }, symlink: eperm });
  assert.equal(readRunDir(latest).runId, 'two');
  assert.equal(writeReport({ outDir: out, report: { ...report, runId: 'three' } }).latest?.kind, 'symlink');
  assert.equal(readRunDir(latest).runId, 'three');
});

test('latest that is not a report is left alone', (t) => {
  const out = tempDir(t);
  mkdirSync(path.join(out, 'latest'));
  writeFileSync(path.join(out, 'latest', 'precious.txt'), 'x');
  mkdirSync(path.join(out, 'r'));
  assert.throws(() => pointLatest(out, 'r'), (err: unknown) => err instanceof ReportError && err.code === 'report.latest-occupied');
  assert.ok(existsSync(path.join(out, 'latest', 'precious.txt')));
});

test('an unredacted report is redacted on write unless redact is false', (t) => {
  const out = tempDir(t);
  const raw = reportFrom([{ phone: 'iphone', scenarios: IPHONE_SCENARIOS }], 'raw', false);
  const json = readFileSync(writeReport({ outDir: out, report: raw, updateLatest: false }).json, 'utf8');
  assert.doesNotMatch(json, /5551234567|Hi Bob/);
  assert.match(json, /"redacted": true/);
  const kept = readFileSync(writeReport({ outDir: out, report: { ...raw, runId: 'raw2' }, redact: false, updateLatest: false }).json, 'utf8');
  assert.match(kept, /5551234567/);
  assert.match(kept, /"redacted": false/);
});

test('copies land inside the run directory and nowhere else', (t) => {
  const out = tempDir(t);
  const src = path.join(out, 'src.xml');
  writeFileSync(src, '<x/>');
  const report = reportFrom([{ phone: 'iphone', scenarios: [] }], 'r');
  const written = writeReport({ outDir: out, report, copies: [{ from: src, to: 'old/junit.xml' }], updateLatest: false });
  assert.equal(readFileSync(path.join(written.dir, 'old', 'junit.xml'), 'utf8'), '<x/>');
  assert.throws(() => writeReport({ outDir: out, report, copies: [{ from: src, to: '../escape.xml' }], updateLatest: false }), ReportError);
});
