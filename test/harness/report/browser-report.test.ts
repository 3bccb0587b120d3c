/**
 * Opens the compat.html of a real `phonebridge run` (iphone + android over
 * memory) and of a merge of it in headless Chromium (Debian's, driven by
 * playwright-core): the matrix has the report's rows and columns, every
 * verdict cell renders, the charts have a size, nothing is fetched and
 * nothing logs an error. Saves a screenshot as compat.png in the run folder
 * and copies it to <tmp>/phonebridge-report-screenshot/compat.png.
 *
 * @isolated-process: it drives Chromium and spawns the CLI.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { groupByArea } from '../../../src/harness/report/html/matrix';
import { CompatReport } from '../../../src/harness/report/types';

/** Debian's Chromium; PHONEBRIDGE_CHROMIUM points elsewhere (or at nothing, to see the skip). */
const CHROMIUM = process.env.PHONEBRIDGE_CHROMIUM ?? '/usr/bin/chromium';
const ROOT = path.resolve(__dirname, '..', '..', '..');
const CLI = path.join(ROOT, 'bin', 'phonebridge.js');
const SCREENSHOT_COPY = path.join(os.tmpdir(), 'phonebridge-report-screenshot', 'compat.png');
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

type Playwright = typeof import('playwright-core');

function loadPlaywright(): Playwright | undefined {
  try {
    return require('playwright-core') as Playwright;
  } catch {
    return undefined;
  }
}

/** The run folder `phonebridge` wrote under `out` (the one entry that is not "latest"). */
function runDirIn(out: string): string {
  const dirs = readdirSync(out).filter((d) => d !== 'latest' && !d.startsWith('.'));
  assert.equal(dirs.length, 1, `one run folder in ${out}: ${dirs.join(', ')}`);
  return path.join(out, dirs[0] ?? '');
}

function cli(args: string[]): void {
  const result = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 180_000 });
  // Exit 1 only says a scenario failed; the report is written all the same.
  assert.ok(result.status === 0 || result.status === 1, `phonebridge ${args[0]} exited ${result.status}: ${result.stderr}`);
}

function figuresNamed(report: CompatReport, pattern: RegExp, area?: string): number {
  let n = 0;
  for (const cap of report.capabilities) {
    if (area !== undefined && cap.area !== area) continue;
    for (const cell of Object.values(cap.cells)) for (const s of cell.scenarios) n += s.figures.filter((f) => pattern.test(f.name)).length;
  }
  return n;
}

interface PageFacts {
  columns: string[];
  rows: Array<{ id: string; cells: Array<{ column: string; verdict: string | null; badgeWidth: number; empty: boolean }> }>;
  charts: Array<{ id: string; width: number; height: number; points: number; title: string }>;
  links: string[];
}

// Runs in the page; a string so the test needs no DOM typings.
const READ_PAGE = `(() => {
  const columns = [...document.querySelectorAll('#matrix thead th.col-head')].map((th) => th.getAttribute('data-column'));
  const rows = [...document.querySelectorAll('#matrix tr.feature')].map((tr) => ({
    id: tr.getAttribute('data-capability'),
    cells: [...tr.querySelectorAll('td.cell')].map((td) => {
      const badge = td.querySelector('.badge');
      return {
        column: td.getAttribute('data-column'),
        verdict: td.getAttribute('data-verdict'),
        badgeWidth: badge ? badge.getBoundingClientRect().width : 0,
        empty: td.classList.contains('cell-empty'),
      };
    }),
  }));
  const charts = [...document.querySelectorAll('svg.chart')].map((svg) => {
    const box = svg.getBoundingClientRect();
    const title = svg.querySelector('title');
    return { id: svg.id, width: box.width, height: box.height, points: svg.querySelectorAll('g.point').length, title: title ? title.textContent : '' };
  });
  const links = [...document.querySelectorAll('a.file-link')].map((a) => a.href);
  return { columns, rows, charts, links };
})()`;

async function checkPage(
  pw: Playwright,
  userDataDir: string,
  file: string,
  report: CompatReport,
  screenshot: string | undefined,
  diagnostic: (msg: string) => void,
): Promise<void> {
  const context = await pw.chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1280, height: 900 },
    offline: true,
  });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    const problems: string[] = [];
    const requests: string[] = [];
    page.on('console', (msg) => {
      if (msg.type() === 'error' || msg.type() === 'warning') problems.push(`console ${msg.type()}: ${msg.text()}`);
    });
    page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
    context.on('request', (req) => requests.push(req.url()));
    await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });

    const facts = (await page.evaluate(READ_PAGE)) as PageFacts;
    const columns = report.runs.map((r) => r.cell);
    assert.deepEqual(facts.columns, columns);
    // Every feature once, grouped by area: notifications, contacts, calls, messages, then the rest.
    assert.deepEqual(
      facts.rows.map((r) => r.id),
      groupByArea(report.capabilities).flatMap((g) => g.rows.map((r) => r.id)),
    );
    assert.equal(facts.rows.length, report.capabilities.length);
    for (const cap of report.capabilities) {
      const row = facts.rows.find((r) => r.id === cap.id);
      assert.ok(row, `row ${cap.id}`);
      assert.deepEqual(row.cells.map((c) => c.column), columns);
      for (const c of row.cells) {
        const expected = cap.cells[c.column];
        if (expected === undefined) {
          assert.ok(c.empty, `${cap.id} on ${c.column} is empty`);
        } else {
          assert.equal(c.verdict, expected.verdict, `${cap.id} on ${c.column}`);
          assert.ok(c.badgeWidth > 20, `the badge of ${cap.id} on ${c.column} renders`);
        }
      }
    }

    const expectedPoints: Record<string, number> = {
      'chart-throughput': figuresNamed(report, /burst/i, 'ancs'),
      'chart-reconnect': figuresNamed(report, /reconnect/i),
    };
    for (const chart of facts.charts) {
      assert.ok(chart.width > 300 && chart.height > 80, `${chart.id} is ${chart.width}×${chart.height}`);
      assert.equal(chart.points, expectedPoints[chart.id], `${chart.id} points`);
      assert.ok(chart.title !== '', `${chart.id} has a title`);
    }
    assert.deepEqual(
      facts.charts.map((c) => c.id),
      Object.keys(expectedPoints).filter((id) => (expectedPoints[id] ?? 0) > 0),
    );

    // Links point at files that exist beside the page.
    assert.ok(facts.links.length >= report.runs.length, 'each run links its cucumber report');
    for (const href of facts.links) {
      assert.ok(href.startsWith('file://'), href);
      assert.ok(existsSync(new URL(href)), `${href} exists`);
    }

    // A verdict opens onto its evidence without any script.
    const firstCell = page.locator('#matrix td.cell details').first();
    await firstCell.locator('summary').click();
    assert.ok(await firstCell.locator('.cell-detail').isVisible());

    if (screenshot !== undefined) {
      await firstCell.locator('summary').click();
      await page.screenshot({ path: screenshot, fullPage: true });
      mkdirSync(path.dirname(SCREENSHOT_COPY), { recursive: true });
      copyFileSync(screenshot, SCREENSHOT_COPY);
      diagnostic(`screenshot: ${screenshot} (copy kept at ${SCREENSHOT_COPY})`);
    }

    assert.deepEqual(problems, []);
    assert.deepEqual(
      requests.filter((u) => !u.startsWith('file://')),
      [],
      'no request other than file://',
    );
  } finally {
    await context.close();
  }
}

test('compat.html of a real run renders in headless Chromium: matrix, verdicts, charts, no network', { timeout: 300_000 }, async (t) => {
  const pw = loadPlaywright();
  if (pw === undefined) {
    t.skip('playwright-core is not installed (npm install --save-dev playwright-core@1)');
    return;
  }
  if (!existsSync(CHROMIUM)) {
    t.skip(`${CHROMIUM} is missing (apt-get install -y chromium)`);
    return;
  }
  const work = mkdtempSync(path.join(os.tmpdir(), 'pb-browser-'));
  t.after(() => rmSync(work, { recursive: true, force: true }));

  const out = path.join(work, 'reports');
  cli(['run', '--transport', 'memory', '--phone', 'iphone,android', '--out', out, '--quiet']);
  const runDir = runDirIn(out);
  const html = path.join(runDir, 'compat.html');
  assert.ok(existsSync(html), 'phonebridge run wrote compat.html');
  const report = JSON.parse(readFileSync(path.join(runDir, 'compat.json'), 'utf8')) as CompatReport;
  assert.deepEqual(report.runs.map((r) => r.cell), ['iphone/memory', 'android/memory']);

  await checkPage(pw, mkdtempSync(path.join(work, 'profile-')), html, report, path.join(runDir, 'compat.png'), (m) => t.diagnostic(m));
  assert.ok(existsSync(path.join(runDir, 'compat.png')));

  // The same run merged with itself: four columns, two of them "#2", cucumber files copied and linked.
  const mergedOut = path.join(work, 'merged');
  cli(['report', runDir, runDir, '--out', mergedOut]);
  const mergedDir = runDirIn(mergedOut);
  const merged = JSON.parse(readFileSync(path.join(mergedDir, 'compat.json'), 'utf8')) as CompatReport;
  assert.deepEqual(merged.runs.map((r) => r.cell), ['iphone/memory', 'android/memory', 'iphone/memory#2', 'android/memory#2']);
  await checkPage(pw, mkdtempSync(path.join(work, 'profile-')), path.join(mergedDir, 'compat.html'), merged, undefined, (m) => t.diagnostic(m));
});
