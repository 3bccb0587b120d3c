/**
 * The compatibility matrix of compat.html: features down, grouped by area
 * (notifications, contacts, calls, messages, then any other), one column per
 * phone × transport run. Each cell is a verdict badge that opens (a plain
 * <details>, no script) onto the scenarios and figures behind it; an empty
 * cell says that no scenario for the feature ran in that column.
 */
import { CapabilityRow, CompatReport, Verdict } from '../types';
import { verdictWord } from '../verdict';
import { badge, LEGEND_ORDER, verdictClass } from './badge';
import { ColumnInfo } from './columns';
import { html, SafeHtml } from './escape';
import { cellTooltip, evidenceList } from './evidence';
import { plural } from './format';

/** Areas in the order a person thinks of them, with their names. */
export const AREA_GROUPS: ReadonlyArray<{ area: string; title: string }> = [
  { area: 'ancs', title: 'Notifications' },
  { area: 'pbap', title: 'Contacts' },
  { area: 'hfp', title: 'Calls' },
  { area: 'map', title: 'Messages' },
  { area: 'link', title: 'Connection' },
];

/** The heading of an area: its name, or the area id capitalised for areas outside AREA_GROUPS. */
export function areaTitle(area: string): string {
  const known = AREA_GROUPS.find((g) => g.area === area);
  if (known) return known.title;
  return area === '' ? 'Other' : area.charAt(0).toUpperCase() + area.slice(1);
}

export interface AreaGroup {
  area: string;
  title: string;
  rows: CapabilityRow[];
}

/** The report's rows by area, areas in AREA_GROUPS order then the rest by name; rows keep report order. */
export function groupByArea(rows: readonly CapabilityRow[]): AreaGroup[] {
  const groups = new Map<string, CapabilityRow[]>();
  for (const row of rows) {
    const list = groups.get(row.area) ?? [];
    list.push(row);
    groups.set(row.area, list);
  }
  const rank = (area: string): number => {
    const i = AREA_GROUPS.findIndex((g) => g.area === area);
    return i < 0 ? AREA_GROUPS.length : i;
  };
  return [...groups.entries()]
    .sort(([a], [b]) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0))
    .map(([area, list]) => ({ area, title: areaTitle(area), rows: list }));
}

/** How many features of a column have each verdict. */
export function verdictCounts(report: CompatReport, column: string): Map<Verdict, number> {
  const counts = new Map<Verdict, number>();
  for (const cap of report.capabilities) {
    const cell = cap.cells[column];
    if (cell) counts.set(cell.verdict, (counts.get(cell.verdict) ?? 0) + 1);
  }
  return counts;
}

function columnHeader(column: ColumnInfo): SafeHtml {
  return html`<th scope="col" class="col-head" data-column="${column.key}"><span class="phone">${column.phoneName}</span>${
    column.repeat === '' ? '' : html` <span class="repeat">${column.repeat}</span>`
  }<span class="transport">${column.transport === '' ? 'transport unknown' : `over ${column.transport}`}</span></th>`;
}

function cell(row: CapabilityRow, column: ColumnInfo): SafeHtml {
  const c = row.cells[column.key];
  if (c === undefined) {
    return html`<td class="cell cell-empty" data-column="${column.key}" title="No scenario for this feature ran in this column"><span aria-label="no scenario ran">—</span></td>`;
  }
  return html`<td class="cell ${verdictClass(c.verdict)}" data-column="${column.key}" data-verdict="${c.verdict}" title="${cellTooltip(c)}">
<details><summary>${badge(c.verdict)}<span class="count">${plural(c.scenarios.length, 'scenario')}</span></summary>
<div class="cell-detail">${evidenceList(c)}</div></details></td>`;
}

function featureRow(row: CapabilityRow, columns: readonly ColumnInfo[]): SafeHtml {
  const limitation = row.limitation ? html` <span class="chip" title="This feature checks a limitation the phone documents">documented limitation</span>` : '';
  return html`<tr class="feature" data-capability="${row.id}">
<th scope="row" class="feature-title">${row.title}${limitation}${row.title === row.id ? '' : html`<code class="cap-id">${row.id}</code>`}</th>
${columns.map((c) => cell(row, c))}
</tr>`;
}

/** One line per column: its name and how many features got each verdict. */
export function columnSummaries(report: CompatReport, columns: readonly ColumnInfo[]): SafeHtml {
  if (columns.length === 0) return html``;
  const items = columns.map((column) => {
    const counts = verdictCounts(report, column.key);
    const total = [...counts.values()].reduce((a, b) => a + b, 0);
    const parts = LEGEND_ORDER.filter((v) => (counts.get(v) ?? 0) > 0).map(
      (v) => html`<span class="tally" title="${`${counts.get(v) ?? 0} ${verdictWord(v)}`}">${counts.get(v) ?? 0} ${badge(v, 'small')}</span>`,
    );
    return html`<li data-column="${column.key}"><strong>${column.phoneName}</strong> over ${column.transport === '' ? '?' : column.transport}${
      column.repeat === '' ? '' : ` ${column.repeat}`
    }: ${plural(total, 'feature')} ${parts}</li>`;
  });
  return html`<ul class="summary">${items}</ul>`;
}

/** The matrix table, or a sentence when no scenario ran. */
export function renderMatrix(report: CompatReport, columns: readonly ColumnInfo[]): SafeHtml {
  if (report.capabilities.length === 0 || columns.length === 0) {
    return html`<p class="empty" id="matrix-empty">No scenarios ran, so there is nothing to show.</p>`;
  }
  const span = columns.length + 1;
  const groups = groupByArea(report.capabilities).map(
    (g) => html`<tbody class="area" data-area="${g.area}">
<tr class="area-head"><th colspan="${span}" scope="colgroup">${g.title} <span class="muted">(${plural(g.rows.length, 'feature')})</span></th></tr>
${g.rows.map((r) => featureRow(r, columns))}
</tbody>`,
  );
  return html`<div class="table-wrap"><table class="matrix" id="matrix">
<caption>Features (rows) against phone and transport (columns). Open a verdict to see the scenarios and figures behind it.</caption>
<thead><tr><th scope="col" class="feature-col">Feature</th>${columns.map(columnHeader)}</tr></thead>
${groups}
</table></div>`;
}
