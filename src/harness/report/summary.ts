/**
 * The few lines the CLI prints after a run or merge: each column's verdict
 * counts, then every feature that failed or deviated.
 */
import { columnsOf, columnSummary } from './render-markdown';
import { CompatReport } from './types';
import { verdictWord } from './verdict';

export function summaryLines(report: CompatReport): string[] {
  const lines = columnsOf(report).map((c) => `  ${c}: ${columnSummary(report, c)}`);
  for (const cap of report.capabilities) {
    for (const [column, cell] of Object.entries(cap.cells)) {
      if (cell.verdict === 'failed' || cell.verdict === 'deviation') {
        lines.push(`  ${verdictWord(cell.verdict)} on ${column}: ${cap.title}`);
      }
    }
  }
  return lines;
}
