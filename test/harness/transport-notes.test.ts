/**
 * Transport notes: the hci column says what noble and bleno do themselves
 * and what the harness supplies, in compat.json, compat.md and compat.html.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assembleReport } from '../../src/harness/report/assemble';
import { renderMarkdown } from '../../src/harness/report/render-markdown';
import { renderHtml } from '../../src/harness/report/render-html';
import { transportNotes } from '../../src/harness/transport-notes';

const counts = { total: 0, passed: 0, failed: 0, ambiguous: 0, undefined: 0, pending: 0, skipped: 0, unknown: 0, notExecuted: 0 };
const cell = { scenarios: [], counts, success: true, truncated: false, warnings: [] };

test('an hci run carries notes on pairing; they reach the markdown and the HTML', () => {
  assert.ok(transportNotes('hci').some((n) => /Just Works/.test(n) && /LTK/.test(n)));
  assert.deepEqual(transportNotes('carrier-pigeon'), []);
  const report = assembleReport({
    runId: 'r',
    toolVersion: '0',
    startedAt: '2026-11-23T00:00:00Z',
    finishedAt: '2026-11-23T00:01:00Z',
    wallTimeMs: 60_000,
    redacted: true,
    runs: [
      { run: { phone: { id: 'iphone', name: 'iPhone' }, transport: 'memory', seed: 1, artifacts: {}, transportNotes: transportNotes('memory') }, cell },
      { run: { phone: { id: 'iphone', name: 'iPhone' }, transport: 'hci', seed: 1, artifacts: {}, transportNotes: transportNotes('hci') }, cell },
    ],
  });
  assert.deepEqual(report.runs[1]?.transportNotes, transportNotes('hci'));
  const md = renderMarkdown(report);
  assert.match(md, /Over `hci`:/);
  assert.match(md, /bleno 0\.12\.4 drops SMP requests/);
  const page = renderHtml(report);
  assert.match(page, /data-transport="hci"/);
  assert.match(page, /the virtual controller answers them/);
});
