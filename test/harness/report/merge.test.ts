import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ReportError } from '../../../src/harness/report/errors';
import { mergeReports, mergeRunDirs } from '../../../src/harness/report/merge';
import { writeReport } from '../../../src/harness/report/write';
import { pass } from './ndjson-fixture';
import { IPHONE_SCENARIOS, reportFrom } from './report-fixture';

const android = () =>
  reportFrom(
    [
      {
        phone: 'android',
        scenarios: [
          { name: 'A new notification appears', tags: ['@cap:notifications.new'], steps: [pass()] },
          { name: 'Calls ring', tags: ['@hfp', '@cap:calls.ring'], steps: [pass()] },
        ],
      },
    ],
    'run-2',
  );

test('merging puts each run in its own column and shares rows by capability', () => {
  const merged = mergeReports([reportFrom([{ phone: 'iphone', scenarios: IPHONE_SCENARIOS }]), android()], { runId: 'm', toolVersion: '9.9.9' });
  assert.deepEqual(merged.runs.map((r) => r.cell), ['iphone/memory', 'android/memory']);
  assert.deepEqual(
    merged.capabilities.map((c) => [c.id, Object.keys(c.cells)]),
    [
      ['notifications.new', ['iphone/memory', 'android/memory']],
      ['notifications.burst-timing', ['iphone/memory']],
      ['notifications.reply', ['iphone/memory']],
      ['contacts.sync', ['iphone/memory']],
      ['calls.ring', ['android/memory']],
    ],
  );
  assert.equal(merged.capabilities[0].cells['android/memory'].verdict, 'supported');
  assert.equal(merged.capabilities[1].cells['iphone/memory'].verdict, 'failed');
  assert.deepEqual(merged.mergedFrom, ['run-1', 'run-2']);
  assert.equal(merged.tool.version, '9.9.9');
  assert.equal(merged.wallTimeMs, 5000);
  assert.equal(merged.redacted, true);
});

test('a repeated column gets a #2 suffix, and its cells follow it', () => {
  const a = reportFrom([{ phone: 'iphone', scenarios: [IPHONE_SCENARIOS[0]], seed: 1 }], 'a');
  const b = reportFrom([{ phone: 'iphone', scenarios: [{ ...IPHONE_SCENARIOS[0], steps: [{ text: 'x', status: 'FAILED' }] }], seed: 2 }], 'b');
  const merged = mergeReports([a, b], { runId: 'm', toolVersion: '0.1.0' });
  assert.deepEqual(merged.runs.map((r) => [r.cell, r.seed]), [
    ['iphone/memory', 1],
    ['iphone/memory#2', 2],
  ]);
  const cells = merged.capabilities[0].cells;
  assert.equal(cells['iphone/memory'].verdict, 'supported');
  assert.equal(cells['iphone/memory#2'].verdict, 'failed');
});

test('an unredacted source makes the merge unredacted; merging nothing is an error', () => {
  const merged = mergeReports([reportFrom([{ phone: 'iphone', scenarios: [] }], 'x', false), android()], { runId: 'm', toolVersion: '0' });
  assert.equal(merged.redacted, false);
  assert.throws(() => mergeReports([], { runId: 'm', toolVersion: '0' }), ReportError);
});

test('mergeRunDirs reads compat.json from run directories and lists their cucumber files to copy', (t) => {
  const out = mkdtempSync(path.join(os.tmpdir(), 'pb-merge-'));
  t.after(() => rmSync(out, { recursive: true, force: true }));
  const first = writeReport({ outDir: out, report: reportFrom([{ phone: 'iphone', scenarios: IPHONE_SCENARIOS }], 'run-1'), updateLatest: false });
  const second = writeReport({ outDir: out, report: android(), updateLatest: false });
  writeFileSync(path.join(first.dir, 'junit.xml'), '<testsuite/>');
  const { report, copies } = mergeRunDirs([first.dir, second.json], { runId: 'merged', toolVersion: '0.1.0' });
  assert.deepEqual(report.runs.map((r) => r.cell), ['iphone/memory', 'android/memory']);
  assert.deepEqual(report.runs[0].artifacts, { messages: 'run-1/messages.ndjson', junit: 'run-1/junit.xml', html: 'run-1/cucumber.html' });
  assert.deepEqual(copies, [{ from: path.join(first.dir, 'junit.xml'), to: 'run-1/junit.xml' }]);
  assert.throws(
    () => mergeRunDirs([path.join(out, 'nope')], { runId: 'm', toolVersion: '0' }),
    (err: unknown) => err instanceof ReportError && err.usage && err.code === 'report.missing',
  );
  writeFileSync(path.join(out, 'bad.json'), '{"schemaVersion":2}');
  assert.throws(
    () => mergeRunDirs([path.join(out, 'bad.json')], { runId: 'm', toolVersion: '0' }),
    (err: unknown) => err instanceof ReportError && err.code === 'report.not-a-report' && /schemaVersion is 2/.test(err.message),
  );
});
