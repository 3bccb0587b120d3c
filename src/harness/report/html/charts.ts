/**
 * The charts section of compat.html: notification throughput (how long a
 * burst of notifications took against the link model's prediction and the
 * scenario's bounds) and reconnect times, each a figure with a caption, the
 * SVG, and its numbers in a small table for anyone who prefers them.
 */
import { CompatReport } from '../types';
import { ChartData, ChartPoint, collectPoints, isBurstFigure, isReconnectFigure } from './chart-data';
import { ColumnInfo } from './columns';
import { html, SafeHtml } from './escape';
import { formatMs, plural } from './format';
import { outOfRange, RangeChartOptions, renderRangeChart } from './range-chart';

function describe(points: readonly ChartPoint[]): string {
  return points
    .map((p) => {
      const parts = [`${p.label}${p.detail === undefined ? '' : ` (${p.detail})`}: ${formatMs(p.value)}`];
      if (p.predicted !== undefined) parts.push(`predicted ${formatMs(p.predicted)}`);
      if (p.upper !== undefined) parts.push(`limit ${formatMs(p.upper)}`);
      return parts.join(', ');
    })
    .join('; ');
}

function dataTable(points: readonly ChartPoint[]): SafeHtml {
  const rows = points.map(
    (p) => html`<tr${outOfRange(p) ? html` class="out-of-range"` : ''}><td>${p.label}</td><td>${p.scenario}</td><td>${p.figure}</td><td class="num">${formatMs(p.value)}</td><td class="num">${
      p.predicted === undefined ? '—' : formatMs(p.predicted)
    }</td><td class="num">${p.lower === undefined ? '—' : formatMs(p.lower)}</td><td class="num">${p.upper === undefined ? '—' : formatMs(p.upper)}</td><td>${p.note ?? ''}</td></tr>`,
  );
  return html`<details class="chart-data"><summary>The numbers</summary><div class="table-wrap"><table class="data">
<thead><tr><th scope="col">Column</th><th scope="col">Scenario</th><th scope="col">Figure</th><th scope="col">Measured</th><th scope="col">Predicted</th><th scope="col">Lower bound</th><th scope="col">Upper bound</th><th scope="col">How it is predicted</th></tr></thead>
<tbody>${rows}</tbody></table></div></details>`;
}

function chartFigure(data: ChartData, options: RangeChartOptions & { caption: SafeHtml; emptyText: string }): SafeHtml {
  if (data.points.length === 0) {
    return html`<figure class="chart-box" data-chart="${options.id}"><figcaption><strong>${options.title}.</strong></figcaption><p class="empty">${options.emptyText}</p></figure>`;
  }
  const omitted = data.omitted > 0 ? html`<p class="muted">${plural(data.omitted, 'more figure')} not drawn (too many, or not a time).</p>` : '';
  const late = data.points.filter(outOfRange).length;
  const warning = late > 0 ? html`<p class="warn">⚠ ${plural(late, 'measurement')} fell outside the range its scenario allows.</p>` : '';
  return html`<figure class="chart-box" data-chart="${options.id}">
<figcaption><strong>${options.title}.</strong> ${options.caption}</figcaption>
${renderRangeChart(data.points, options)}
${warning}${omitted}${dataTable(data.points)}
</figure>`;
}

/** Both charts, each with an explanation, or a sentence where a report holds no such figure. */
export function renderCharts(report: CompatReport, columns: readonly ColumnInfo[]): SafeHtml {
  const burst = collectPoints(report, columns, isBurstFigure);
  const reconnect = collectPoints(report, columns, isReconnectFigure);
  return html`<div class="charts">
${chartFigure(burst, {
  id: 'chart-throughput',
  title: 'Notification throughput',
  description: `Time to deliver a burst of notifications in link time, against the link model's prediction and the allowed range. ${describe(burst.points)}`,
  style: 'dot',
  axisLabel: 'time to deliver the whole burst, link time',
  caption: html`How long a burst of notifications took to reach the PC, in simulated link time. The upright stroke is what the link model predicts from the connection interval, packets per event and MTU; the band is the range the scenario accepts. A dot inside the band means the PC keeps up with what the link allows; further left is faster.`,
  emptyText: 'No scenario in this report measured a notification burst.',
})}
${chartFigure(reconnect, {
  id: 'chart-reconnect',
  title: 'Reconnect times',
  description: `Time from the phone coming back in range to the PC being reconnected, in link time. ${describe(reconnect.points)}`,
  style: 'bar',
  axisLabel: 'time to reconnect, link time',
  caption: html`How long the PC took to reconnect after the phone came back in range, in simulated link time. The band ends at the longest wait the reconnect backoff allows.`,
  emptyText: 'No scenario in this report measured a reconnect.',
})}
</div>`;
}
