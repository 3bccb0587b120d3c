/**
 * The "documented limitations" section of compat.html: every feature with a
 * cell judged "limited, as documented" (or that the catalogue marks as a
 * limitation), each column's verdict, and the evidence — scenario names, test
 * IDs and the notes the scenarios attached.
 */
import { CapabilityRow, CompatReport } from '../types';
import { badge } from './badge';
import { ColumnInfo, columnLabel } from './columns';
import { html, SafeHtml } from './escape';
import { evidenceList } from './evidence';
import { areaTitle } from './matrix';

/** Rows the section lists: a limitation row or any row with a limited cell, that has at least one cell. */
export function limitationRows(report: CompatReport): CapabilityRow[] {
  return report.capabilities.filter(
    (cap) => Object.keys(cap.cells).length > 0 && (cap.limitation || Object.values(cap.cells).some((c) => c.verdict === 'limited')),
  );
}

function limitationCard(row: CapabilityRow, columns: readonly ColumnInfo[]): SafeHtml {
  const entries = columns
    .filter((c) => row.cells[c.key] !== undefined)
    .map((c) => {
      const cell = row.cells[c.key];
      if (cell === undefined) return html``;
      return html`<li class="limitation-cell" data-column="${c.key}" data-verdict="${cell.verdict}">
<div class="limitation-col"><strong>${columnLabel(c)}</strong> ${badge(cell.verdict)}</div>
${evidenceList(cell)}
</li>`;
    });
  const absent = columns.filter((c) => row.cells[c.key] === undefined).map(columnLabel);
  return html`<article class="limitation" data-capability="${row.id}">
<h3>${row.title}</h3>
<p class="muted">${areaTitle(row.area)} · <code>${row.id}</code>${
    absent.length > 0 ? ` · not checked on ${absent.join(', ')} (no scenario applies there)` : ''
  }</p>
<ul class="limitation-cells">${entries}</ul>
</article>`;
}

/** The section, with a sentence when there is nothing to list. */
export function renderLimitations(report: CompatReport, columns: readonly ColumnInfo[]): SafeHtml {
  const rows = limitationRows(report);
  const intro = html`<p>These are things the phone does not offer, checked to behave exactly as its maker documents. The PC shows them honestly instead of failing; they are not bugs in PhoneBridge.</p>`;
  if (rows.length === 0) return html`${intro}<p class="empty">No documented limitation was checked in this report.</p>`;
  return html`${intro}<div class="limitations">${rows.map((r) => limitationCard(r, columns))}</div>`;
}
