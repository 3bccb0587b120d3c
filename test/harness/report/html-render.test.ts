import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { mergeReports } from '../../../src/harness/report/merge';
import { CONTENT_SECURITY_POLICY, HTML_FILE, renderHtml } from '../../../src/harness/report/render-html';
import { CapabilityRow, Cell, CompatReport, Figure, RunEntry, ScenarioResult, Verdict } from '../../../src/harness/report/types';
import { writeReport } from '../../../src/harness/report/write';
import { IPHONE_SCENARIOS, reportFrom } from './report-fixture';

const EVIL = '<script>alert("pwned")</script>';

function scenario(name: string, verdict: Verdict, extra: Partial<ScenarioResult> = {}): ScenarioResult {
  const failed = verdict === 'failed';
  return {
    name,
    ids: [],
    tags: [],
    status: failed ? 'failed' : verdict === 'not-run' ? 'skipped' : 'passed',
    verdict,
    durationMs: 12.5,
    figures: [],
    uri: 'features/x.feature',
    line: 3,
    ...extra,
  };
}

function cell(verdict: Verdict, scenarios: ScenarioResult[]): Cell {
  return { verdict, scenarios };
}

function run(cellKey: string, phone: { id: string; name: string }, transport: string, artifacts: RunEntry['artifacts'], seed = 7): RunEntry {
  return {
    cell: cellKey,
    phone,
    transport,
    seed,
    success: true,
    truncated: false,
    counts: { total: 3, passed: 2, failed: 1, ambiguous: 0, undefined: 0, pending: 0, skipped: 0, unknown: 0, notExecuted: 0 },
    artifacts,
    startedAt: '2026-11-23T18:40:12.000Z',
  };
}

const burst = (value: number, predicted: number): Figure => ({
  name: 'burst delivery time',
  value,
  unit: 'ms',
  predicted,
  lowerBound: predicted - 500,
  bound: predicted + 400,
  note: 'T = CI*(...) with CI=30 ms',
});
const reconnect = (value: number, unit = 'ms'): Figure => ({ name: 'reconnect time', value, unit, bound: 15580 });

/** Three columns (iphone/memory, android/memory, iphone/hci), five areas, every verdict, charts' figures. */
function syntheticReport(): CompatReport {
  const rows: CapabilityRow[] = [
    {
      id: 'notifications.new',
      area: 'ancs',
      title: 'New notifications appear',
      limitation: false,
      cells: {
        'iphone/memory': cell('supported', [scenario('A new notification appears', 'supported', { ids: ['ANCS/NC/NTF/BV-01'] })]),
        'android/memory': cell('failed', [scenario('A new notification appears', 'failed', { message: `expected 1 got 0 ${EVIL}` })]),
        'iphone/hci': cell('not-run', [scenario('A new notification appears', 'not-run', { message: 'skipped at: hci' })]),
      },
    },
    {
      id: 'notifications.burst-timing',
      area: 'ancs',
      title: 'A burst arrives in time',
      limitation: false,
      cells: {
        'iphone/memory': cell('supported', [scenario('A burst of 200', 'supported', { figures: [burst(13470, 13350)] })]),
        'android/memory': cell('supported', [scenario('A burst of 200', 'supported', { figures: [burst(6735, 6675)] })]),
      },
    },
    {
      id: 'notifications.reply',
      area: 'ancs',
      title: 'Replying to a notification',
      limitation: true,
      cells: {
        'iphone/memory': cell('limited', [
          scenario('The PC cannot reply', 'limited', { ids: ['ANCS/NC/ACT/BI-02'], note: `view and dismiss only ${EVIL}` }),
        ]),
        'android/memory': cell('supported', [scenario('The PC cannot reply', 'supported')]),
      },
    },
    {
      id: 'notifications.reconnect',
      area: 'ancs',
      title: 'Reconnects',
      limitation: false,
      cells: {
        'iphone/memory': cell('supported', [scenario('Back in range', 'supported', { figures: [reconnect(4760)] })]),
        'android/memory': cell('supported', [scenario('Back in range', 'supported', { figures: [reconnect(4.55, 's'), reconnect(3, 'frames')] })]),
        'iphone/hci': cell('supported', [scenario('Back in range', 'supported', { figures: [reconnect(5000)] })]),
      },
    },
    {
      id: 'contacts.pull',
      area: 'pbap',
      title: 'The PC copies the address book',
      limitation: false,
      cells: { 'iphone/memory': cell('deviation', [scenario('Pull all', 'deviation', { note: 'vCard 2.1 only' })]) },
    },
    {
      id: 'calls.slc',
      area: 'hfp',
      title: 'Hands-free connection',
      limitation: false,
      cells: { 'android/memory': cell('supported', [scenario('SLC', 'supported', { ids: ['HFP/HF/SLC/BV-01'] })]) },
    },
    {
      id: 'messages.inbox',
      area: 'map',
      title: 'messages.inbox',
      limitation: false,
      cells: { 'iphone/memory': cell('limited', [scenario('No history', 'limited', { note: 'only new messages' })]) },
    },
    {
      id: 'zz.custom',
      area: 'other',
      title: `Custom & <b>bold</b> "row"`,
      limitation: false,
      cells: { 'iphone/hci': cell('supported', [scenario(`Name with ${EVIL}`, 'supported')]) },
    },
  ];
  return {
    schemaVersion: 1,
    tool: { name: 'phonebridge', version: '0.1.0' },
    runId: '2026-11-23T18-40-12Z-iphone+android-memory+hci',
    startedAt: '2026-11-23T18:40:12.000Z',
    finishedAt: '2026-11-23T18:40:20.000Z',
    wallTimeMs: 8000,
    redacted: true,
    runs: [
      run('iphone/memory', { id: 'iphone', name: 'iPhone' }, 'memory', { html: 'iphone-memory/cucumber.html', junit: 'iphone-memory/junit.xml' }),
      run('android/memory', { id: 'android', name: `Android ${EVIL}` }, 'memory', { html: 'android-memory/cucumber.html', junit: 'android-memory/junit.xml' }),
      run('iphone/hci', { id: 'iphone', name: 'iPhone' }, 'hci', { html: '../escape/cucumber.html', messages: '/etc/passwd' }),
    ],
    capabilities: rows,
    warnings: [`iphone/hci: scenario "x" has no @cap tag ${EVIL}`],
  };
}

/** The markup of `<tr class="feature" data-capability="id">…</tr>`. */
function featureRow(page: string, id: string): string {
  const start = page.indexOf(`<tr class="feature" data-capability="${id}">`);
  assert.ok(start >= 0, `row ${id} is in the matrix`);
  return page.slice(start, page.indexOf('</tr>', start));
}

/** `<svg … id="chart-…">…</svg>`, or undefined. */
function chartSvg(page: string, id: string): string | undefined {
  const start = page.indexOf(`<svg class="chart" id="${id}"`);
  return start < 0 ? undefined : page.slice(start, page.indexOf('</svg>', start));
}

function count(text: string, pattern: RegExp): number {
  return (text.match(pattern) ?? []).length;
}

function tempDir(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pb-html-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('the page is self-contained: no script, no external resource, a CSP that forbids loading', () => {
  const page = renderHtml(syntheticReport());
  assert.match(page, /^<!DOCTYPE html>\n<html lang="en">/);
  assert.ok(page.includes(`<meta http-equiv="Content-Security-Policy" content="${CONTENT_SECURITY_POLICY.replace(/'/g, '&#39;')}">`));
  assert.match(CONTENT_SECURITY_POLICY, /default-src 'none'/);
  assert.equal(count(page, /<script/gi), 0);
  assert.equal(count(page, /<style>/g), 1);
  for (const banned of [/<link\b/i, /<img\b/i, /<iframe\b/i, /\bsrc=/i, /url\(/i, /@import/i, /https?:/i]) {
    assert.doesNotMatch(page, banned);
  }
});

test('the header names the run, date, tool, seed, phones and transports; the page says how to read it', () => {
  const page = renderHtml(syntheticReport());
  const facts = page.slice(page.indexOf('<dl class="facts"'), page.indexOf('</dl>'));
  for (const text of ['2026-11-23T18-40-12Z-iphone+android-memory+hci', '23 Nov 2026, 18:40:12 UTC', 'phonebridge 0.1.0', 'memory, hci']) {
    assert.ok(facts.includes(text), text);
  }
  assert.ok(facts.includes('<dt>Seed</dt><dd>7</dd>'));
  assert.ok(facts.includes('iPhone (iphone), Android &lt;script&gt;'));
  assert.match(page, /id="how-to-read"><strong>How to read this:/);
  assert.doesNotMatch(page, /id="unredacted"/);
  assert.match(renderHtml({ ...syntheticReport(), redacted: false }), /id="unredacted"/);
});

test('the matrix has a row per feature, grouped by area, and a verdict cell per column', () => {
  const report = syntheticReport();
  const page = renderHtml(report);
  const heads = [...page.matchAll(/<th scope="col" class="col-head" data-column="([^"]+)">/g)].map((m) => m[1]);
  assert.deepEqual(heads, ['iphone/memory', 'android/memory', 'iphone/hci']);
  assert.equal(count(page, /<tr class="feature" /g), report.capabilities.length);
  // Notifications, contacts, calls, messages, then the rest.
  assert.deepEqual([...page.matchAll(/<tbody class="area" data-area="([^"]+)">/g)].map((m) => m[1]), ['ancs', 'pbap', 'hfp', 'map', 'other']);
  assert.match(page, /data-area="ancs">\n<tr class="area-head"><th colspan="4" scope="colgroup">Notifications /);
  for (const cap of report.capabilities) {
    const row = featureRow(page, cap.id);
    assert.equal(count(row, /<td class="cell /g), 3, `${cap.id} has three cells`);
    for (const key of heads) {
      const c = cap.cells[key];
      if (c === undefined) {
        assert.match(row, new RegExp(`<td class="cell cell-empty" data-column="${key}"`));
      } else {
        assert.match(row, new RegExp(`<td class="cell v-${c.verdict}" data-column="${key}" data-verdict="${c.verdict}"`));
      }
    }
  }
  const first = featureRow(page, 'notifications.new');
  assert.match(first, /<span class="badge v-failed" data-verdict="failed"><span class="sym" aria-hidden="true">✗<\/span>failed<\/span>/);
  assert.match(first, /<span class="badge v-not-run" data-verdict="not-run">.*not run<\/span>/);
  assert.match(first, /<details><summary>.*1 scenario<\/span><\/summary>/);
  assert.match(first, /<code class="test-id">ANCS\/NC\/NTF\/BV-01<\/code>/);
  assert.match(featureRow(page, 'notifications.reply'), /documented limitation/);
  // The tooltip lists the scenarios and figures.
  assert.match(featureRow(page, 'notifications.burst-timing'), /title="supported \(1 scenario\)\n• A burst of 200: supported\n {3}burst delivery time: 13470 ms \(predicted 13350, allowed 12850–13750\)"/);
});

test('the limitations section lists each limited cell with scenario names, test IDs and notes', () => {
  const page = renderHtml(syntheticReport());
  const section = page.slice(page.indexOf('<section id="limitations">'), page.indexOf('<section id="attention">'));
  const cards = [...section.matchAll(/<article class="limitation" data-capability="([^"]+)">/g)].map((m) => m[1]);
  assert.deepEqual(cards, ['notifications.reply', 'messages.inbox']);
  assert.match(section, /<li class="limitation-cell" data-column="iphone\/memory" data-verdict="limited">/);
  assert.match(section, /<li class="limitation-cell" data-column="android\/memory" data-verdict="supported">/);
  assert.match(section, /The PC cannot reply<\/span> <span class="ids"><code class="test-id">ANCS\/NC\/ACT\/BI-02<\/code>/);
  assert.ok(section.includes('view and dismiss only &lt;script&gt;'));
  assert.ok(section.includes('only new messages'));
  assert.ok(section.includes('not checked on iPhone · hci'));

  const none = renderHtml({ ...syntheticReport(), capabilities: syntheticReport().capabilities.filter((c) => !['notifications.reply', 'messages.inbox'].includes(c.id)) });
  assert.match(none, /No documented limitation was checked in this report/);
});

test('failures, deviations and not-run scenarios are listed with their messages', () => {
  const page = renderHtml(syntheticReport());
  const section = page.slice(page.indexOf('<section id="attention">'), page.indexOf('<section id="charts">'));
  assert.deepEqual([...section.matchAll(/<li class="problem" data-verdict="([^"]+)" data-columns="([^"]+)">/g)].map((m) => [m[1], m[2]]), [
    ['failed', 'android/memory'],
    ['deviation', 'iphone/memory'],
    ['not-run', 'iphone/hci'],
  ]);
  assert.ok(section.includes('expected 1 got 0 &lt;script&gt;'));

  // The same scenario failing the same way in two columns is one entry naming both.
  const twice = syntheticReport();
  const row = twice.capabilities[0];
  const failing = row?.cells['android/memory'];
  assert.ok(row && failing);
  row.cells['iphone/memory'] = { verdict: 'failed', scenarios: failing.scenarios.map((x) => ({ ...x })) };
  const again = renderHtml(twice);
  assert.match(again, /<li class="problem" data-verdict="failed" data-columns="iphone\/memory android\/memory">/);
  assert.match(again, /New notifications appear<\/strong> on iPhone · memory and Android &lt;script&gt;/);
  const clean = syntheticReport();
  clean.capabilities = clean.capabilities.filter((c) => !['notifications.new', 'contacts.pull'].includes(c.id));
  assert.match(renderHtml(clean), /id="no-problems"/);
});

test('the throughput chart has a point per burst figure, with prediction and allowed range', () => {
  const page = renderHtml(syntheticReport());
  const svg = chartSvg(page, 'chart-throughput');
  assert.ok(svg !== undefined);
  assert.match(svg, /role="img" aria-labelledby="chart-throughput-title chart-throughput-desc"/);
  assert.match(svg, /<title id="chart-throughput-title">Notification throughput<\/title>/);
  assert.match(svg, /data-points="2"/);
  assert.equal(count(svg, /<g class="point/g), 2);
  // Each point's marks, plus one of each in the legend.
  assert.equal(count(svg, /<circle class="measured"/g), 2 + 1);
  assert.equal(count(svg, /<line class="predicted"/g), 2 + 1);
  assert.equal(count(svg, /<rect class="allowed"/g), 2 + 1, 'two bands and the legend swatch');
  assert.deepEqual([...svg.matchAll(/<g class="point" data-column="([^"]+)" data-value="([^"]+)"/g)].map((m) => [m[1], m[2]]), [
    ['iphone/memory', '13470'],
    ['android/memory', '6735'],
  ]);
  assert.match(svg, /class="axis-label"[^>]*>time to deliver the whole burst, link time \(s\)<\/text>/);
  assert.match(svg, /<g class="chart-legend">.*measured.*link-model prediction.*range the scenario allows/s);
});

test('the reconnect chart has a bar per reconnect figure in a time unit, seconds converted', () => {
  const page = renderHtml(syntheticReport());
  const svg = chartSvg(page, 'chart-reconnect');
  assert.ok(svg !== undefined);
  assert.match(svg, /data-points="3"/);
  assert.equal(count(svg, /<rect class="measured"/g), 3 + 1, 'three bars and the legend swatch');
  assert.deepEqual([...svg.matchAll(/data-column="([^"]+)" data-value="([^"]+)"/g)].map((m) => [m[1], m[2]]), [
    ['iphone/memory', '4760'],
    ['android/memory', '4550'],
    ['iphone/hci', '5000'],
  ]);
  assert.match(page, /1 more figure not drawn/);
});

test('without figures the charts say so instead of drawing empty axes', () => {
  const report = syntheticReport();
  for (const row of report.capabilities) for (const c of Object.values(row.cells)) for (const s of c.scenarios) s.figures = [];
  const page = renderHtml(report);
  assert.equal(chartSvg(page, 'chart-throughput'), undefined);
  assert.equal(chartSvg(page, 'chart-reconnect'), undefined);
  assert.match(page, /No scenario in this report measured a notification burst\./);
  assert.match(page, /No scenario in this report measured a reconnect\./);
});

test('text from the report is escaped everywhere: a <script> in a note or name stays text', () => {
  const page = renderHtml(syntheticReport());
  assert.ok(!page.includes(EVIL));
  assert.ok(!page.includes('<b>bold</b>'));
  assert.ok(page.includes('Custom &amp; &lt;b&gt;bold&lt;/b&gt; &quot;row&quot;'));
  assert.ok(page.includes('&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt;'));
});

test('property: the markup does not depend on the text in names, notes and messages', () => {
  const tagsOf = (page: string): string[] => page.match(/<\/?[a-zA-Z][a-zA-Z0-9-]*/g) ?? [];
  const withText = (texts: string[]): CompatReport => {
    // Each text gets a unique suffix: equal texts could legitimately merge problem entries, and a
    // title equal to its id hides the id, which changes the markup on purpose.
    let i = 0;
    const next = (): string => `${texts[i % texts.length] ?? ''}#${i++}`;
    const report = syntheticReport();
    report.runs.forEach((r) => (r.phone.name = next()));
    report.warnings = [next()];
    for (const row of report.capabilities) {
      row.title = next();
      for (const c of Object.values(row.cells)) {
        for (const s of c.scenarios) {
          s.name = next();
          if (s.note !== undefined) s.note = next();
          if (s.message !== undefined) s.message = next();
          for (const f of s.figures) if (f.note !== undefined) f.note = next();
        }
      }
    }
    return report;
  };
  const expected = tagsOf(renderHtml(withText(['x'])));
  assert.ok(expected.length > 100);
  fc.assert(
    fc.property(fc.array(fc.string({ unit: 'binary', maxLength: 40 }), { minLength: 1, maxLength: 8 }), (texts) => {
      const page = renderHtml(withText(texts));
      assert.deepEqual(tagsOf(page), expected);
    }),
    { numRuns: 200 },
  );
});

test('links go only to files that exist inside the report folder, as relative URLs, captures included', (t) => {
  const dir = tempDir(t);
  mkdirSync(path.join(dir, 'iphone-memory'));
  mkdirSync(path.join(dir, 'android-memory'));
  writeFileSync(path.join(dir, 'iphone-memory', 'cucumber.html'), '<html></html>');
  writeFileSync(path.join(dir, 'iphone-memory', 'junit.xml'), '<testsuite/>');
  writeFileSync(path.join(dir, 'iphone-memory', 'link 1.btsnoop'), 'btsnoop\0');
  writeFileSync(path.join(dir, 'android-memory', 'cucumber.html'), '<html></html>');
  writeFileSync(path.join(dir, 'extra.pcapng'), '');
  mkdirSync(path.join(dir, 'captures', 'android-memory'), { recursive: true });
  writeFileSync(path.join(dir, 'captures', 'android-memory', 'burst.btsnoop'), '');
  writeFileSync(path.join(dir, 'notes.txt'), '');
  mkdirSync(path.join(dir, 'escape'));
  writeFileSync(path.join(dir, 'escape', 'cucumber.html'), '');
  const page = renderHtml(syntheticReport(), { dir });
  const links = [...page.matchAll(/<a class="file-link" data-kind="([^"]+)" href="([^"]+)">/g)].map((m) => [m[1], m[2]]);
  assert.deepEqual(links, [
    ['cucumber', 'iphone-memory/cucumber.html'],
    ['junit', 'iphone-memory/junit.xml'],
    ['capture', 'iphone-memory/link%201.btsnoop'],
    ['cucumber', 'android-memory/cucumber.html'],
    ['capture', 'captures/android-memory/burst.btsnoop'],
    ['capture', 'extra.pcapng'],
  ]);
  assert.doesNotMatch(page, /passwd|\.\.\/escape/);
  // Without a folder to check against nothing is linked.
  assert.doesNotMatch(renderHtml(syntheticReport()), /class="file-link"/);
});

test('a single run owns the captures at the top of its folder', (t) => {
  const dir = tempDir(t);
  writeFileSync(path.join(dir, 'cucumber.html'), '');
  writeFileSync(path.join(dir, 'ancs.btsnoop'), '');
  const report = reportFrom([{ phone: 'iphone', scenarios: IPHONE_SCENARIOS }]);
  const page = renderHtml(report, { dir });
  const runs = page.slice(page.indexOf('<tr data-column="iphone/memory">'));
  assert.match(runs, /<a class="file-link" data-kind="cucumber" href="cucumber.html">cucumber report<\/a>/);
  assert.match(runs, /<summary>1 capture<\/summary><ul class="files"><li><a class="file-link" data-kind="capture" href="ancs.btsnoop">ancs.btsnoop<\/a>/);
  assert.doesNotMatch(page, /Other captures/);
});

test('a merged report shows every source column, repeated ones with #2, and where it came from', () => {
  const a = reportFrom([{ phone: 'iphone', scenarios: IPHONE_SCENARIOS }], 'run-a');
  const b = reportFrom([{ phone: 'iphone', scenarios: IPHONE_SCENARIOS, seed: 9 }, { phone: 'android', scenarios: IPHONE_SCENARIOS.slice(0, 2) }], 'run-b');
  const merged = mergeReports([a, b], { runId: 'merged', toolVersion: '0.1.0' });
  const page = renderHtml(merged);
  const heads = [...page.matchAll(/class="col-head" data-column="([^"]+)"/g)].map((m) => m[1]);
  assert.deepEqual(heads, ['iphone/memory', 'iphone/memory#2', 'android/memory']);
  assert.match(page, /<span class="phone">iPhone<\/span> <span class="repeat">#2<\/span>/);
  assert.match(page, /<dt>Merged from<\/dt><dd>run-a, run-b<\/dd>/);
  assert.match(page, /<dt>Seeds<\/dt><dd>iphone\/memory: 1, iphone\/memory#2: 9, android\/memory: 1<\/dd>/);
  // android ran only two of the scenarios: the other rows have an empty cell there.
  assert.match(featureRow(page, 'contacts.sync'), /<td class="cell cell-empty" data-column="android\/memory"/);
  assert.equal(count(page, /<td class="cell /g), merged.capabilities.length * 3);
});

test('a report with no runs and no scenarios still renders', () => {
  const report: CompatReport = { ...syntheticReport(), runs: [], capabilities: [], warnings: [] };
  const page = renderHtml(report);
  assert.match(page, /id="matrix-empty">No scenarios ran/);
  assert.doesNotMatch(page, /<svg/);
});

test('writeReport writes compat.html beside compat.md, redacted, with links to the run files', (t) => {
  const out = tempDir(t);
  const report = reportFrom([{ phone: 'iphone', scenarios: IPHONE_SCENARIOS }], 'r1', false);
  mkdirSync(path.join(out, 'r1'));
  writeFileSync(path.join(out, 'r1', 'cucumber.html'), '');
  const written = writeReport({ outDir: out, report, updateLatest: false });
  assert.equal(written.html, path.join(out, 'r1', HTML_FILE));
  const page = readFileSync(written.html, 'utf8');
  assert.match(page, /PhoneBridge compatibility report/);
  // The unredacted source held a phone number and a quoted message body.
  assert.ok(JSON.stringify(report).includes('5551234567'));
  assert.ok(!page.includes('5551234567') && !page.includes('Hi Bob'));
  assert.ok(page.includes('##########'));
  assert.match(page, /href="cucumber.html"/);
  assert.doesNotMatch(page, /href="junit.xml"/, 'junit.xml does not exist, so it is not linked');
});
