import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ChartPoint, collectPoints, isBurstFigure, isReconnectFigure, MAX_CHART_POINTS } from '../../../src/harness/report/html/chart-data';
import { describeColumns } from '../../../src/harness/report/html/columns';
import { escapeText, html, joinHtml, trusted } from '../../../src/harness/report/html/escape';
import { formatDate, formatMs, formatNumber, toMilliseconds } from '../../../src/harness/report/html/format';
import { niceTicks, outOfRange, renderRangeChart } from '../../../src/harness/report/html/range-chart';
import { CompatReport, Figure } from '../../../src/harness/report/types';

const PLOT_LEFT = 230;
const PLOT_RIGHT = 900 - 110;

function reportWith(figures: Record<string, Figure[]>): CompatReport {
  return {
    schemaVersion: 1,
    tool: { name: 'phonebridge', version: '0.1.0' },
    runId: 'r',
    startedAt: '2026-11-23T18:40:12.000Z',
    finishedAt: '2026-11-23T18:40:13.000Z',
    wallTimeMs: 1000,
    redacted: true,
    runs: Object.keys(figures).map((key) => ({
      cell: key,
      phone: { id: key.split('/')[0] ?? key, name: key === 'iphone/memory' ? 'iPhone' : 'Pixel' },
      transport: key.split('/')[1] ?? '',
      seed: 1,
      success: true,
      truncated: false,
      counts: { total: 1, passed: 1, failed: 0, ambiguous: 0, undefined: 0, pending: 0, skipped: 0, unknown: 0, notExecuted: 0 },
      artifacts: {},
    })),
    capabilities: [
      {
        id: 'notifications.burst-timing',
        area: 'ancs',
        title: 'Burst',
        limitation: false,
        cells: Object.fromEntries(
          Object.entries(figures).map(([key, figs]) => [
            key,
            { verdict: 'supported', scenarios: [{ name: `burst on ${key}`, ids: [], tags: [], status: 'passed', verdict: 'supported', durationMs: 1, figures: figs }] },
          ]),
        ),
      },
    ],
    warnings: [],
  };
}

test('escapeText and the html tag escape text and keep markup', () => {
  assert.equal(escapeText(`<a href="x">'&'</a>`), '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  const inner = html`<b>${'<i>'}</b>`;
  assert.equal(html`<p>${inner}${3}${undefined}${null}${false}${['a', '&']}</p>`.value, '<p><b>&lt;i&gt;</b>3a&amp;</p>');
  assert.equal(joinHtml(['<', html`<br>`], trusted(', ')).value, '&lt;, <br>');
  fc.assert(
    fc.property(fc.string({ unit: 'binary', maxLength: 60 }), (s) => {
      const out = escapeText(s);
      assert.doesNotMatch(out, /[<>"']/);
      const back = out.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');
      assert.equal(back, s);
    }),
    { numRuns: 500 },
  );
});

test('formatting is locale-free', () => {
  assert.equal(formatNumber(13470), '13470');
  assert.equal(formatNumber(37772.023), '37772.02');
  assert.equal(formatNumber(-0.0001), '0');
  assert.equal(formatMs(850), '850 ms');
  assert.equal(formatMs(13470), '13.47 s');
  assert.equal(formatMs(125_000), '2 min 5 s');
  assert.equal(formatDate('2026-11-23T08:04:02.000Z'), '23 Nov 2026, 08:04:02 UTC');
  assert.equal(formatDate('not a date'), 'not a date');
  assert.equal(toMilliseconds(2, 's'), 2000);
  assert.equal(toMilliseconds(1500, 'us'), 1.5);
  assert.equal(toMilliseconds(3, 'frames'), undefined);
});

test('niceTicks: round steps that cover the range', () => {
  assert.deepEqual(niceTicks(0, 16203).values, [0, 5000, 10000, 15000, 20000]);
  assert.deepEqual(niceTicks(5600, 14300).values, [4000, 6000, 8000, 10000, 12000, 14000, 16000]);
  assert.deepEqual(niceTicks(5, 5).values.length > 1, true);
  fc.assert(
    fc.property(fc.double({ min: 0, max: 1e7, noNaN: true }), fc.double({ min: 0, max: 1e7, noNaN: true }), (a, b) => {
      const ticks = niceTicks(a, b);
      assert.ok(ticks.start <= Math.min(a, b) + 1e-6 && ticks.end >= Math.max(a, b) - 1e-6);
      assert.ok(ticks.end > ticks.start);
      assert.ok(ticks.values.length >= 2 && ticks.values.length <= 12, `${ticks.values.length} ticks`);
      const mantissa = ticks.step / 10 ** Math.floor(Math.log10(ticks.step));
      assert.ok([1, 2, 2.5, 5, 10].some((m) => Math.abs(m - mantissa) < 1e-9), `step ${ticks.step}`);
    }),
    { numRuns: 500 },
  );
});

test('collectPoints picks burst and reconnect figures by name, converts to ms and counts the rest', () => {
  const report = reportWith({
    'iphone/memory': [
      { name: 'burst delivery time', value: 13.47, unit: 's', predicted: 13.35, lowerBound: 12.24, bound: 13.74 },
      { name: 'reconnect time', value: 4760, unit: 'ms', bound: 15580 },
      { name: 'reconnect attempts', value: 3, unit: 'tries' },
    ],
    'pixel/memory': [{ name: 'Burst of 50', value: 2000, unit: 'ms' }],
  });
  const columns = describeColumns(report);
  const bursts = collectPoints(report, columns, isBurstFigure);
  assert.deepEqual(bursts.points, [
    { column: 'iphone/memory', label: 'iPhone · memory', scenario: 'burst on iphone/memory', figure: 'burst delivery time', value: 13470, predicted: 13350, lower: 12240, upper: 13740 },
    { column: 'pixel/memory', label: 'Pixel · memory', scenario: 'burst on pixel/memory', figure: 'Burst of 50', value: 2000 },
  ]);
  // A burst measured by a messages scenario is not notification throughput.
  const messages = { ...report, capabilities: report.capabilities.map((c) => ({ ...c, area: 'map' })) };
  assert.deepEqual(collectPoints(messages, columns, isBurstFigure).points, []);
  const reconnects = collectPoints(report, columns, isReconnectFigure);
  assert.equal(reconnects.points.length, 1);
  assert.equal(reconnects.omitted, 1, 'the figure counted in tries is not a time');
});

test('several points in one column get a second line; the chart draws at most MAX_CHART_POINTS', () => {
  const many: Figure[] = Array.from({ length: MAX_CHART_POINTS + 5 }, (_, i) => ({ name: `reconnect ${i}`, value: 100 + i, unit: 'ms' }));
  const report = reportWith({ 'iphone/memory': many });
  const data = collectPoints(report, describeColumns(report), isReconnectFigure);
  assert.equal(data.points.length, MAX_CHART_POINTS);
  assert.equal(data.omitted, 5);
  assert.equal(data.points[1]?.detail, 'reconnect 1');
});

const pointArb: fc.Arbitrary<ChartPoint> = fc
  .record({
    value: fc.double({ min: 0, max: 1e6, noNaN: true }),
    predicted: fc.option(fc.double({ min: 0, max: 1e6, noNaN: true }), { nil: undefined }),
    lower: fc.option(fc.double({ min: 0, max: 1e6, noNaN: true }), { nil: undefined }),
    upper: fc.option(fc.double({ min: 0, max: 1e6, noNaN: true }), { nil: undefined }),
    label: fc.string({ maxLength: 40 }),
  })
  .map((r) => {
    const p: ChartPoint = { column: 'c/m', label: r.label, scenario: 's', figure: 'f', value: r.value };
    if (r.predicted !== undefined) p.predicted = r.predicted;
    if (r.lower !== undefined) p.lower = r.lower;
    if (r.upper !== undefined) p.upper = r.upper;
    return p;
  });

test('property: a chart draws every point inside the plot, with finite coordinates', () => {
  fc.assert(
    fc.property(fc.array(pointArb, { minLength: 1, maxLength: 12 }), fc.constantFrom<'dot' | 'bar'>('dot', 'bar'), (points, style) => {
      const svg = renderRangeChart(points, { id: 'c', title: 'T', description: 'D', style, axisLabel: 'time' }).value;
      assert.match(svg, /^<svg class="chart" id="c" role="img" aria-labelledby="c-title c-desc"/);
      assert.match(svg, new RegExp(`data-points="${points.length}"`));
      assert.equal((svg.match(/<g class="point/g) ?? []).length, points.length);
      assert.equal((svg.match(/<g class="point out-of-range"/g) ?? []).length, points.filter(outOfRange).length);
      assert.doesNotMatch(svg, /NaN|Infinity/);
      for (const m of svg.matchAll(/<circle class="measured" cx="([-\d.]+)"/g)) {
        const cx = Number(m[1]);
        // The legend's own dot sits at 8 in its group; the plotted ones inside the plot.
        if (cx !== 8) assert.ok(cx >= PLOT_LEFT && cx <= PLOT_RIGHT, `cx ${cx}`);
      }
      for (const m of svg.matchAll(/<rect class="(?:measured|allowed)" x="([-\d.]+)" y="[-\d.]+" width="([-\d.]+)"/g)) {
        const x = Number(m[1]);
        const w = Number(m[2]);
        if (x !== 0) assert.ok(x >= PLOT_LEFT - 0.05 && x + w <= PLOT_RIGHT + 1.05, `rect ${x}+${w}`);
      }
    }),
    { numRuns: 300 },
  );
});
