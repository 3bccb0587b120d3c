/**
 * The evidence behind a verdict in compat.html: each scenario of a cell with
 * its test IDs, verdict, status, figures, note and failure message. Used in
 * the matrix cells' details and in the limitations section. Also the plain
 * text a cell shows as its tooltip.
 */
import { Cell, Figure, ScenarioResult, Verdict } from '../types';
import { verdictWord } from '../verdict';
import { badge } from './badge';
import { html, SafeHtml } from './escape';
import { formatMs, formatNumber, formatValue, plural } from './format';

/** "13470 ms (predicted 13350, allowed 12240–13740)". */
export function figureSummary(f: Figure): string {
  const extra: string[] = [];
  if (f.predicted !== undefined) extra.push(`predicted ${formatNumber(f.predicted)}`);
  if (f.bound !== undefined && f.lowerBound !== undefined) extra.push(`allowed ${formatNumber(f.lowerBound)}–${formatNumber(f.bound)}`);
  else if (f.bound !== undefined) extra.push(`at most ${formatNumber(f.bound)}`);
  else if (f.lowerBound !== undefined) extra.push(`at least ${formatNumber(f.lowerBound)}`);
  return `${formatValue(f.value, f.unit)}${extra.length > 0 ? ` (${extra.join(', ')})` : ''}`;
}

function ids(s: ScenarioResult): SafeHtml {
  if (s.ids.length === 0) return html``;
  return html` <span class="ids">${s.ids.map((id) => html`<code class="test-id">${id}</code>`)}</span>`;
}

function figures(s: ScenarioResult): SafeHtml {
  if (s.figures.length === 0) return html``;
  const items = s.figures.map(
    (f) =>
      html`<li><span class="fig-name">${f.name}</span>: <span class="fig-value">${figureSummary(f)}</span>${
        f.note === undefined ? '' : html` <span class="fig-note">${f.note}</span>`
      }</li>`,
  );
  return html`<ul class="figures">${items}</ul>`;
}

function place(s: ScenarioResult): string {
  if (s.uri === undefined) return '';
  return s.line === undefined ? s.uri : `${s.uri}:${s.line}`;
}

/**
 * One scenario as a list item: name, IDs, verdict (left out when it is the
 * verdict of the cell around it, `shown`), and whatever it recorded.
 */
export function scenarioItem(s: ScenarioResult, shown?: Verdict): SafeHtml {
  const where = place(s);
  const status = s.status === 'passed' ? '' : html` <span class="status">(${s.status})</span>`;
  return html`<li class="scenario">
<div class="scenario-head">${s.verdict === shown ? '' : html`${badge(s.verdict, 'small')} `}<span class="scenario-name">${s.name}</span>${ids(s)}${status}</div>
${s.note === undefined ? '' : html`<div class="note"><span class="label">Note:</span> ${s.note}</div>`}
${s.message === undefined ? '' : html`<div class="message"><span class="label">Why:</span> ${s.message}</div>`}
${figures(s)}
<div class="meta">${where === '' ? '' : html`<code>${where}</code> · `}${formatMs(s.durationMs)} of wall time</div>
</li>`;
}

/** The scenarios of a cell as a list. */
export function evidenceList(cell: Cell): SafeHtml {
  if (cell.scenarios.length === 0) return html`<p class="muted">No scenario recorded.</p>`;
  return html`<ul class="evidence">${cell.scenarios.map((s) => scenarioItem(s, cell.verdict))}</ul>`;
}

/** Plain text for a cell's title attribute: verdict, then each scenario with its IDs and figures. */
export function cellTooltip(cell: Cell): string {
  const lines = [`${verdictWord(cell.verdict)} (${plural(cell.scenarios.length, 'scenario')})`];
  for (const s of cell.scenarios) {
    const tag = s.ids.length > 0 ? ` [${s.ids.join(', ')}]` : '';
    lines.push(`• ${s.name}${tag}: ${verdictWord(s.verdict)}`);
    for (const f of s.figures) lines.push(`   ${f.name}: ${figureSummary(f)}`);
  }
  return lines.join('\n');
}
