/**
 * Renders a CompatReport as `compat.html`: one self-contained page (inline
 * CSS and SVG, no script, nothing fetched; a Content-Security-Policy forbids
 * it) that a newcomer can read — what was run, how to read it, the matrix,
 * the documented limitations with their evidence, what needs attention, the
 * throughput and reconnect charts, and links to the run's own files. Every
 * text from the report is escaped; the page shows only what the (already
 * redacted, unless --no-redact) report holds, plus the names of files it links.
 */
import { CompatReport } from './types';
import { findReportFiles, renderRuns } from './html/artifacts';
import { verdictLegend } from './html/badge';
import { renderCharts } from './html/charts';
import { ColumnInfo, describeColumns } from './html/columns';
import { html, SafeHtml } from './html/escape';
import { formatDate, formatMs, plural } from './html/format';
import { renderLimitations } from './html/limitations';
import { columnSummaries, renderMatrix } from './html/matrix';
import { renderFigureTable, renderProblems, renderWarnings } from './html/problems';
import { styleElement } from './html/style';

export const HTML_FILE = 'compat.html';

/** Nothing may be loaded: no script, font, image or request; inline styles only. */
export const CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

export interface RenderHtmlOptions {
  /** The report's folder; files are linked only when they exist in it. Without it nothing is linked. */
  dir?: string;
}

function distinct(values: readonly string[]): string[] {
  return [...new Set(values)];
}

function seeds(report: CompatReport): string {
  const all = distinct(report.runs.map((r) => String(r.seed)));
  if (all.length <= 1) return all[0] ?? '—';
  return report.runs.map((r) => `${r.cell}: ${r.seed}`).join(', ');
}

function phones(report: CompatReport): string {
  const named = distinct(report.runs.map((r) => (r.phone.name === r.phone.id ? r.phone.id : `${r.phone.name} (${r.phone.id})`)));
  return named.length === 0 ? '—' : named.join(', ');
}

function facts(report: CompatReport): SafeHtml {
  const items: Array<[string, string]> = [
    ['Run', report.runId],
    ['Date', formatDate(report.startedAt)],
    ['Tool', `${report.tool.name} ${report.tool.version}`],
    [distinct(report.runs.map((r) => String(r.seed))).length > 1 ? 'Seeds' : 'Seed', seeds(report)],
    ['Phones', phones(report)],
    ['Transports', distinct(report.runs.map((r) => r.transport)).join(', ') || '—'],
    ['Wall time', formatMs(report.wallTimeMs)],
    ['Redaction', report.redacted ? 'phone numbers and quoted text masked' : 'off (--no-redact)'],
  ];
  if (report.mergedFrom !== undefined) items.push(['Merged from', report.mergedFrom.join(', ')]);
  return html`<dl class="facts" id="facts">${items.map(([k, v]) => html`<div><dt>${k}</dt><dd>${v}</dd></div>`)}</dl>`;
}

function intro(report: CompatReport, columns: readonly ColumnInfo[]): SafeHtml {
  const unredacted = report.redacted
    ? ''
    : html`<p class="banner unredacted" id="unredacted"><strong>Not redacted.</strong> This report was made with --no-redact: notes and failure messages may contain phone numbers, names and message text. Do not share it.</p>`;
  return html`${unredacted}
<p class="how" id="how-to-read"><strong>How to read this:</strong> each row is something a person does with their phone on the PC; each column is one phone profile connected over one transport. A cell shows the worst verdict of the test scenarios behind it — click it to see them and what they measured; “—” means no scenario for that feature applies to that phone. Times in the charts are simulated link time, so they are the same on any computer.</p>
${verdictLegend()}
<p>${plural(report.capabilities.length, 'feature')} checked on ${plural(columns.length, 'column')}:</p>
${columnSummaries(report, columns)}`;
}

function section(id: string, title: string, body: SafeHtml): SafeHtml {
  return html`<section id="${id}"><h2>${title}</h2>
${body}
</section>`;
}

/** The whole page. */
export function renderHtml(report: CompatReport, options: RenderHtmlOptions = {}): string {
  const columns = describeColumns(report);
  const files = findReportFiles(report, options.dir);
  const page = html`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CONTENT_SECURITY_POLICY}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="${`${report.tool.name} ${report.tool.version}`}">
<title>${`Compatibility report ${report.runId}`}</title>
${styleElement()}
</head>
<body>
<main>
<header>
<h1>PhoneBridge compatibility report</h1>
<p class="subtitle">Which phone features work on the PC, checked by automated scenarios against simulated phones.</p>
${facts(report)}
</header>
<nav class="small muted" aria-label="Sections"><a href="#matrix-section">Matrix</a> · <a href="#limitations">Documented limitations</a> · <a href="#attention">Needs attention</a> · <a href="#charts">Charts</a> · <a href="#runs">Runs and files</a></nav>
${intro(report, columns)}
${section('matrix-section', 'Matrix', renderMatrix(report, columns))}
${section('limitations', 'Documented limitations', renderLimitations(report, columns))}
${section('attention', 'Needs attention', renderProblems(report, columns))}
${section('charts', 'Charts', renderCharts(report, columns))}
${section('runs', 'Runs and files', html`${renderRuns(report, columns, files)}${renderFigureTable(report, columns)}`)}
${renderWarnings(report)}
<footer>Made by ${report.tool.name} ${report.tool.version} from compat.json (schema ${report.schemaVersion}), run ${report.runId}, ${formatDate(report.startedAt)} to ${formatDate(report.finishedAt)}.</footer>
</main>
</body>
</html>
`;
  return page.value;
}
