/**
 * Renders a CompatReport as `compat.md` for people: a summary line, the
 * matrix (features down, phone/transport columns across, verdicts in words),
 * a section per limitation with the scenarios that show it, deviations,
 * measured figures, failures, scenarios that did not run, and warnings.
 */
import path from 'node:path';
import { CapabilityRow, CompatReport, Figure, ScenarioResult, Verdict } from './types';
import { VERDICTS_WORST_FIRST, verdictWord } from './verdict';

/** Escapes text for a Markdown table cell or list item. */
function md(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

function row(cells: readonly string[]): string {
  return `| ${cells.join(' | ')} |`;
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  return [row(header), row(header.map(() => '---')), ...rows.map(row)];
}

function num(value: number): string {
  return String(Number(value.toFixed(3)));
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/** Column keys in run order, then any cell keys no run mentions. */
export function columnsOf(report: CompatReport): string[] {
  const columns = report.runs.map((r) => r.cell);
  for (const cap of report.capabilities) {
    for (const key of Object.keys(cap.cells)) if (!columns.includes(key)) columns.push(key);
  }
  return columns;
}

/** "9 supported, 1 limited, as documented, 1 failed" for one column. */
export function columnSummary(report: CompatReport, column: string): string {
  const counts = new Map<Verdict, number>();
  let features = 0;
  for (const cap of report.capabilities) {
    const cell = cap.cells[column];
    if (!cell) continue;
    features++;
    counts.set(cell.verdict, (counts.get(cell.verdict) ?? 0) + 1);
  }
  const parts = [...VERDICTS_WORST_FIRST]
    .reverse()
    .filter((v) => (counts.get(v) ?? 0) > 0)
    .map((v) => `${counts.get(v)} ${verdictWord(v)}`);
  return `${features} feature${features === 1 ? '' : 's'}${parts.length > 0 ? `: ${parts.join('; ')}` : ''}`;
}

function scenarioLabel(s: ScenarioResult): string {
  return s.ids.length > 0 ? `"${md(s.name)}" (${s.ids.map(md).join(', ')})` : `"${md(s.name)}"`;
}

function figureText(f: Figure): string {
  return `${num(f.value)} ${md(f.unit)}`.trim();
}

function eachScenario(
  report: CompatReport,
  visit: (cap: CapabilityRow, column: string, s: ScenarioResult) => void,
): void {
  const columns = columnsOf(report);
  for (const cap of report.capabilities) {
    for (const column of columns) {
      const cell = cap.cells[column];
      if (cell) for (const s of cell.scenarios) visit(cap, column, s);
    }
  }
}

function header(report: CompatReport): string[] {
  const columns = columnsOf(report);
  const summary = columns.map((c) => `${md(c)}: ${columnSummary(report, c)}`).join('. ');
  return [
    '# PhoneBridge compatibility report',
    '',
    `Run \`${report.runId}\`, ${report.tool.name} ${report.tool.version}, from ${report.startedAt} to ${report.finishedAt} (${seconds(report.wallTimeMs)} of wall time).` +
      (report.mergedFrom ? ` Merged from ${report.mergedFrom.map((id) => `\`${id}\``).join(', ')}.` : ''),
    report.redacted
      ? 'Phone numbers and quoted text in notes and failure messages are redacted.'
      : 'This report is **not redacted**: notes and failure messages may hold phone numbers and message text.',
    '',
    `**Summary:** ${summary === '' ? 'no scenarios ran.' : `${summary}.`}`,
  ];
}

function matrix(report: CompatReport): string[] {
  const columns = columnsOf(report);
  if (report.capabilities.length === 0) return ['## Matrix', '', 'No scenarios ran.'];
  const rows = report.capabilities.map((cap) => [
    md(cap.title),
    md(cap.area),
    ...columns.map((c) => {
      const cell = cap.cells[c];
      return cell ? verdictWord(cell.verdict) : '—';
    }),
  ]);
  return ['## Matrix', '', ...table(['Feature', 'Area', ...columns.map(md)], rows), '', '"—": no scenario for that feature ran in that column.'];
}

function runs(report: CompatReport): string[] {
  if (report.runs.length === 0) return [];
  const rows = report.runs.map((r) => {
    const files = [r.artifacts.html, r.artifacts.junit, r.artifacts.messages].filter((f): f is string => f !== undefined);
    return [
      md(r.cell),
      `${md(r.phone.name)} (\`${md(r.phone.id)}\`)`,
      md(r.transport),
      String(r.seed),
      r.tags === undefined ? '' : `\`${md(r.tags)}\``,
      `${r.counts.total} (${r.counts.passed} passed, ${r.counts.failed + r.counts.ambiguous + r.counts.undefined} failed)${r.truncated ? ', cut short' : ''}`,
      files.map((f) => `[${md(path.posix.basename(f))}](${f})`).join(', '),
    ];
  });
  const notes = new Map<string, string[]>();
  for (const r of report.runs) if (r.transportNotes && !notes.has(r.transport)) notes.set(r.transport, r.transportNotes);
  const noteLines = [...notes].flatMap(([transport, lines]) => ['', `Over \`${md(transport)}\`:`, ...lines.map((l) => `- ${md(l)}`)]);
  return ['## Runs', '', ...table(['Column', 'Phone', 'Transport', 'Seed', 'Tags', 'Scenarios', 'Cucumber files'], rows), ...noteLines];
}

function limitations(report: CompatReport): string[] {
  const columns = columnsOf(report);
  const caps = report.capabilities.filter(
    (cap) => cap.limitation || Object.values(cap.cells).some((c) => c.verdict === 'limited'),
  );
  if (caps.length === 0) return [];
  const out = ['## Limitations', ''];
  for (const cap of caps) {
    out.push(`### ${md(cap.title)}`, '', `Capability \`${cap.id}\`.`, '');
    for (const column of columns) {
      const cell = cap.cells[column];
      if (!cell) continue;
      out.push(`- **${md(column)}**: ${verdictWord(cell.verdict)}`);
      for (const s of cell.scenarios) {
        const extra = [s.note ? `note: ${md(s.note)}` : '', s.message ? `${s.status}: ${md(s.message)}` : '']
          .filter((t) => t !== '')
          .join('; ');
        out.push(`  - ${scenarioLabel(s)}: ${verdictWord(s.verdict)}${extra ? `; ${extra}` : ''}`);
      }
    }
    out.push('');
  }
  return out.slice(0, -1);
}

function listOf(
  report: CompatReport,
  title: string,
  keep: (s: ScenarioResult) => boolean,
  describe: (s: ScenarioResult) => string,
): string[] {
  const items: string[] = [];
  eachScenario(report, (cap, column, s) => {
    if (keep(s)) items.push(`- **${md(cap.title)}** on ${md(column)}: ${scenarioLabel(s)} ${describe(s)}`);
  });
  return items.length === 0 ? [] : [`## ${title}`, '', ...items];
}

function figures(report: CompatReport): string[] {
  const rows: string[][] = [];
  eachScenario(report, (cap, column, s) => {
    for (const f of s.figures) {
      rows.push([
        md(cap.title),
        md(column),
        md(s.name),
        md(f.name),
        figureText(f),
        f.predicted === undefined ? '' : num(f.predicted),
        f.bound === undefined ? '' : f.lowerBound === undefined ? num(f.bound) : `${num(f.lowerBound)}–${num(f.bound)}`,
        f.note === undefined ? '' : md(f.note),
      ]);
    }
  });
  if (rows.length === 0) return [];
  return ['## Figures', '', ...table(['Feature', 'Column', 'Scenario', 'Figure', 'Value', 'Predicted', 'Bound', 'Note'], rows)];
}

function warnings(report: CompatReport): string[] {
  if (report.warnings.length === 0) return [];
  return ['## Warnings', '', ...report.warnings.map((w) => `- ${md(w)}`)];
}

/** The whole compat.md text, ending with a newline. */
export function renderMarkdown(report: CompatReport): string {
  const failed = listOf(report, 'Failures', (s) => s.verdict === 'failed', (s) => `${s.status}${s.message ? `: ${md(s.message)}` : ''}`);
  const sections = [
    header(report),
    matrix(report),
    limitations(report),
    listOf(report, 'Deviations', (s) => s.verdict === 'deviation', (s) => (s.note ? `: ${md(s.note)}` : '')),
    figures(report),
    failed.length > 0 ? failed : ['## Failures', '', 'No scenario failed.'],
    listOf(report, 'Not run', (s) => s.verdict === 'not-run', (s) => `${s.status}${s.message ? `: ${md(s.message)}` : ''}`),
    runs(report),
    warnings(report),
  ].filter((lines) => lines.length > 0);
  return `${sections.map((lines) => lines.join('\n')).join('\n\n')}\n`;
}
