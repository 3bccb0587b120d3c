/**
 * The sections of compat.html that list what needs attention: scenarios that
 * failed, deviated from the phone's profile or did not run (each with its
 * feature, the columns it happened in and its first failure line), the report's warnings about the
 * scenarios themselves, and every measured figure in one table.
 */
import { CapabilityRow, CompatReport, ScenarioResult, Verdict } from '../types';
import { badge } from './badge';
import { ColumnInfo, columnLabel } from './columns';
import { html, SafeHtml } from './escape';
import { figureSummary } from './evidence';
import { plural } from './format';

interface Found {
  cap: CapabilityRow;
  column: ColumnInfo;
  scenario: ScenarioResult;
}

function scenariosWhere(report: CompatReport, columns: readonly ColumnInfo[], keep: (s: ScenarioResult) => boolean): Found[] {
  const out: Found[] = [];
  for (const cap of report.capabilities) {
    for (const column of columns) {
      for (const scenario of cap.cells[column.key]?.scenarios ?? []) if (keep(scenario)) out.push({ cap, column, scenario });
    }
  }
  return out;
}

const ATTENTION: readonly Verdict[] = ['failed', 'deviation', 'not-run'];

interface Problem {
  cap: CapabilityRow;
  scenario: ScenarioResult;
  columns: ColumnInfo[];
}

/** Failed, deviating and not-run scenarios, worst first; the same scenario failing the same way in several columns is one entry. */
export function problemsOf(report: CompatReport, columns: readonly ColumnInfo[]): Problem[] {
  const out: Problem[] = [];
  const byKey = new Map<string, Problem>();
  for (const verdict of ATTENTION) {
    for (const { cap, column, scenario } of scenariosWhere(report, columns, (s) => s.verdict === verdict)) {
      const key = JSON.stringify([cap.id, scenario.name, scenario.verdict, scenario.status, scenario.message ?? null, scenario.note ?? null]);
      const seen = byKey.get(key);
      if (seen) {
        seen.columns.push(column);
        continue;
      }
      const problem = { cap, scenario, columns: [column] };
      byKey.set(key, problem);
      out.push(problem);
    }
  }
  return out;
}

/** "a", "a and b", "a, b and c". */
function inWords(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/** Failed, deviating and not-run scenarios, worst first; a reassuring line when there are none. */
export function renderProblems(report: CompatReport, columns: readonly ColumnInfo[]): SafeHtml {
  const found = problemsOf(report, columns);
  if (found.length === 0) return html`<p class="ok" id="no-problems">Every scenario that ran passed; none deviated from its phone profile.</p>`;
  const items = found.map(
    ({ cap, columns: where, scenario: s }) => html`<li class="problem" data-verdict="${s.verdict}" data-columns="${where.map((c) => c.key).join(' ')}">
${badge(s.verdict, 'small')} <strong>${cap.title}</strong> on ${inWords(where.map(columnLabel))}: <span class="scenario-name">${s.name}</span>${
      s.ids.length > 0 ? html` <span class="ids">${s.ids.map((id) => html`<code class="test-id">${id}</code>`)}</span>` : ''
    }${s.status === s.verdict ? '' : html` <span class="status">(${s.status})</span>`}
${s.message === undefined ? '' : html`<div class="message"><span class="label">Why:</span> ${s.message}</div>`}
${s.note === undefined ? '' : html`<div class="note"><span class="label">Note:</span> ${s.note}</div>`}
</li>`,
  );
  return html`<p>${plural(found.length, 'scenario')} to look at (the same result in several columns is listed once).</p><ul class="problems">${items}</ul>`;
}

/** The report's warnings, or nothing. */
export function renderWarnings(report: CompatReport): SafeHtml {
  if (report.warnings.length === 0) return html``;
  return html`<section id="warnings"><h2>Warnings about the scenarios</h2>
<ul class="warnings">${report.warnings.map((w) => html`<li>${w}</li>`)}</ul></section>`;
}

/** Every figure of the report in one table, folded away by default. */
export function renderFigureTable(report: CompatReport, columns: readonly ColumnInfo[]): SafeHtml {
  const rows: SafeHtml[] = [];
  for (const { cap, column, scenario } of scenariosWhere(report, columns, (s) => s.figures.length > 0)) {
    for (const f of scenario.figures) {
      rows.push(html`<tr><td>${cap.title}</td><td>${columnLabel(column)}</td><td>${scenario.name}</td><td>${f.name}</td><td class="num">${figureSummary(f)}</td><td>${
        f.note ?? ''
      }</td></tr>`);
    }
  }
  if (rows.length === 0) return html`<p class="empty">No scenario recorded a figure.</p>`;
  return html`<details class="all-figures"><summary>All ${rows.length} measured figures</summary>
<div class="table-wrap"><table class="data"><thead><tr><th scope="col">Feature</th><th scope="col">Column</th><th scope="col">Scenario</th><th scope="col">Figure</th><th scope="col">Value</th><th scope="col">How it is predicted</th></tr></thead>
<tbody>${rows}</tbody></table></div></details>`;
}
