/**
 * Draws a horizontal chart of timings as inline SVG: one row per point, the
 * measured value (a dot, or a bar from zero), the link model's prediction (a
 * vertical stroke) and the range the scenario allowed (a shaded band), on a labelled
 * time axis with grid lines and a legend. The SVG is an accessible image
 * (role="img" with <title> and <desc>) and each point carries its own <title>.
 */
import { ChartPoint } from './chart-data';
import { html, SafeHtml } from './escape';
import { formatMs, formatNumber } from './format';

export interface RangeChartOptions {
  /** Unique on the page; prefixes the ids of <title> and <desc>. */
  id: string;
  title: string;
  /** What the chart shows, in a sentence, for screen readers. */
  description: string;
  /** "dot" for values compared on a zoomed axis, "bar" for values measured from zero. */
  style: 'dot' | 'bar';
  /** Axis caption before the unit, e.g. "link time". */
  axisLabel: string;
}

export interface Ticks {
  start: number;
  end: number;
  step: number;
  values: number[];
}

/** Round tick values (1, 2, 2.5 or 5 × 10^k apart) covering [min, max] in about `target` steps. */
export function niceTicks(min: number, max: number, target = 5): Ticks {
  let lo = Math.min(min, max);
  let hi = Math.max(min, max);
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) {
    lo = 0;
    hi = 1;
  }
  // A range too narrow to divide (equal values, or a difference lost in rounding) gets some room.
  if (!(hi - lo > Math.max(Math.abs(hi), 1) * 1e-9)) {
    const pad = Math.abs(hi) >= 1e-6 ? Math.abs(hi) * 0.1 : 1;
    lo = lo >= 0 && lo - pad < 0 ? 0 : lo - pad;
    hi += pad;
  }
  const rough = (hi - lo) / Math.max(1, target);
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = ([1, 2, 2.5, 5, 10].find((m) => m * power >= rough) ?? 10) * power;
  const start = Math.floor(lo / step + 1e-9) * step;
  const end = Math.ceil(hi / step - 1e-9) * step;
  const values: number[] = [];
  for (let i = 0; start + i * step <= end + step * 1e-9 && i < 100; i++) values.push(Number((start + i * step).toPrecision(12)));
  return { start, end: end > start ? end : start + step, step, values };
}

const WIDTH = 900;
const PLOT_LEFT = 230;
const PLOT_RIGHT = WIDTH - 110;
const TOP = 14;

function n(value: number): string {
  return formatNumber(value, 1);
}

/** Cuts text to `max` characters with an ellipsis (the full text stays in the point's <title>). */
function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function pointTitle(p: ChartPoint): string {
  const parts = [`measured ${formatMs(p.value)}`];
  if (p.predicted !== undefined) parts.push(`predicted ${formatMs(p.predicted)}`);
  if (p.lower !== undefined && p.upper !== undefined) parts.push(`allowed ${formatMs(p.lower)} to ${formatMs(p.upper)}`);
  else if (p.upper !== undefined) parts.push(`allowed up to ${formatMs(p.upper)}`);
  else if (p.lower !== undefined) parts.push(`allowed from ${formatMs(p.lower)}`);
  return `${p.label} — ${p.scenario} (${p.figure}): ${parts.join(', ')}`;
}

/** True when the measured value lies outside the range the scenario allowed. */
export function outOfRange(p: ChartPoint): boolean {
  return (p.upper !== undefined && p.value > p.upper) || (p.lower !== undefined && p.value < p.lower);
}

function domain(points: readonly ChartPoint[], style: RangeChartOptions['style']): Ticks {
  const xs = points.flatMap((p) => [p.value, p.predicted, p.lower, p.upper]).filter((v): v is number => v !== undefined);
  const max = Math.max(...xs);
  if (style === 'bar') return niceTicks(Math.min(0, ...xs), max * 1.04);
  const min = Math.min(...xs);
  const pad = (max - min) * 0.08;
  return niceTicks(Math.max(0, min - pad), max + pad);
}

function legendItems(points: readonly ChartPoint[], style: RangeChartOptions['style'], y: number): SafeHtml {
  const items: Array<{ mark: SafeHtml; text: string }> = [
    {
      mark:
        style === 'bar'
          ? html`<rect class="measured" x="0" y="-5" width="16" height="10" rx="2"/>`
          : html`<circle class="measured" cx="8" cy="0" r="6"/>`,
      text: 'measured',
    },
  ];
  if (points.some((p) => p.predicted !== undefined)) {
    items.push({ mark: html`<line class="predicted" x1="8" y1="-9" x2="8" y2="9"/>`, text: 'link-model prediction' });
  }
  if (points.some((p) => p.upper !== undefined || p.lower !== undefined)) {
    items.push({ mark: html`<rect class="allowed" x="0" y="-7" width="16" height="14"/>`, text: 'range the scenario allows' });
  }
  let x = PLOT_LEFT;
  const parts = items.map((item) => {
    const g = html`<g transform="translate(${n(x)} ${n(y)})">${item.mark}<text x="22" y="4">${item.text}</text></g>`;
    x += 44 + item.text.length * 6.4;
    return g;
  });
  return html`<g class="chart-legend">${parts}</g>`;
}

/** The chart as an <svg> element; `points` must not be empty. */
export function renderRangeChart(points: readonly ChartPoint[], options: RangeChartOptions): SafeHtml {
  const ticks = domain(points, options.style);
  const inSeconds = ticks.end >= 10_000;
  const unit = inSeconds ? 's' : 'ms';
  const tickText = (v: number): string => (inSeconds ? formatNumber(v / 1000, 2) : formatNumber(v, 1));
  const rowHeight = points.some((p) => p.detail !== undefined || p.predicted !== undefined) ? 44 : 34;
  const x = (v: number): number => PLOT_LEFT + ((Math.min(Math.max(v, ticks.start), ticks.end) - ticks.start) / (ticks.end - ticks.start)) * (PLOT_RIGHT - PLOT_LEFT);
  const axisY = TOP + points.length * rowHeight + 6;
  const height = axisY + 76;

  const grid = ticks.values.map(
    (v) => html`<line class="grid" x1="${n(x(v))}" y1="${TOP}" x2="${n(x(v))}" y2="${n(axisY)}"/><text class="tick" x="${n(x(v))}" y="${n(axisY + 18)}" text-anchor="middle">${tickText(v)}</text>`,
  );

  const rows = points.map((p, i) => {
    const cy = TOP + i * rowHeight + rowHeight / 2;
    const labelY = p.detail === undefined ? cy + 4 : cy - 3;
    const bandFrom = p.lower ?? (options.style === 'bar' ? 0 : ticks.start);
    const band =
      p.upper !== undefined || p.lower !== undefined
        ? html`<rect class="allowed" x="${n(x(bandFrom))}" y="${n(cy - 9)}" width="${n(Math.max(1, x(p.upper ?? ticks.end) - x(bandFrom)))}" height="18"/>`
        : '';
    const measured =
      options.style === 'bar'
        ? html`<rect class="measured" x="${n(x(Math.min(0, p.value)))}" y="${n(cy - 5)}" width="${n(Math.max(1, Math.abs(x(p.value) - x(0))))}" height="10" rx="2"/>`
        : html`<circle class="measured" cx="${n(x(p.value))}" cy="${n(cy)}" r="5.5"/>`;
    const predicted =
      p.predicted === undefined
        ? ''
        : html`<line class="predicted" x1="${n(x(p.predicted))}" y1="${n(cy - 12)}" x2="${n(x(p.predicted))}" y2="${n(cy + 12)}"/>`;
    const bad = outOfRange(p);
    return html`<g class="point${bad ? ' out-of-range' : ''}" data-column="${p.column}" data-value="${formatNumber(p.value, 3)}"><title>${pointTitle(p)}</title>
<text class="row-label" x="${PLOT_LEFT - 12}" y="${n(labelY)}" text-anchor="end">${clip(p.label, 28)}</text>${
      p.detail === undefined ? '' : html`<text class="row-detail" x="${PLOT_LEFT - 12}" y="${n(cy + 12)}" text-anchor="end">${clip(p.detail, 32)}</text>`
    }
${band}${predicted}${measured}
<text class="row-value" x="${WIDTH - 8}" y="${n(p.predicted === undefined ? cy + 4 : cy - 2)}" text-anchor="end">${formatMs(p.value)}${bad ? ' ⚠' : ''}</text>${
      p.predicted === undefined ? '' : html`<text class="row-detail" x="${WIDTH - 8}" y="${n(cy + 12)}" text-anchor="end">model ${formatMs(p.predicted)}</text>`
    }</g>`;
  });

  const titleId = `${options.id}-title`;
  const descId = `${options.id}-desc`;
  return html`<svg class="chart" id="${options.id}" role="img" aria-labelledby="${titleId} ${descId}" viewBox="0 0 ${WIDTH} ${n(height)}" width="${WIDTH}" height="${n(height)}" data-points="${points.length}">
<title id="${titleId}">${options.title}</title>
<desc id="${descId}">${options.description}</desc>
${grid}
<line class="axis" x1="${PLOT_LEFT}" y1="${n(axisY)}" x2="${PLOT_RIGHT}" y2="${n(axisY)}"/>
<text class="axis-label" x="${n((PLOT_LEFT + PLOT_RIGHT) / 2)}" y="${n(axisY + 38)}" text-anchor="middle">${options.axisLabel} (${unit})</text>
${rows}
${legendItems(points, options.style, axisY + 62)}
</svg>`;
}
