/**
 * Verdict badges for compat.html: each verdict has a word, a symbol and a
 * colour (Okabe–Ito, safe for colour-blind readers), so no verdict is told
 * apart by colour alone. Also the badge legend the page opens with.
 */
import { Verdict } from '../types';
import { VERDICTS_WORST_FIRST, verdictWord } from '../verdict';
import { html, SafeHtml } from './escape';

interface VerdictLook {
  /** A shape that differs per verdict, shown before the word. */
  symbol: string;
  /** One sentence for the legend. */
  meaning: string;
}

const LOOKS: Record<Verdict, VerdictLook> = {
  supported: { symbol: '✓', meaning: 'the scenarios passed and the phone behaved as the PC needs.' },
  limited: {
    symbol: 'i',
    meaning: 'the phone has a documented limitation here and it held exactly as documented. This is not a failure.',
  },
  deviation: { symbol: '≠', meaning: 'the scenarios passed, but the phone behaved differently from what its profile documents.' },
  failed: { symbol: '✗', meaning: 'a step failed, so the PC cannot rely on this feature with this phone.' },
  'not-run': { symbol: '–', meaning: 'the scenarios were skipped, pending, or the run stopped before they finished.' },
};

/** Legend order: best first, the way a reader scans the matrix. */
export const LEGEND_ORDER: readonly Verdict[] = [...VERDICTS_WORST_FIRST].reverse();

/** The CSS class of a verdict's badge and cell, e.g. "v-not-run". */
export function verdictClass(verdict: Verdict): string {
  return `v-${verdict}`;
}

/** `<span class="badge v-…">` with the symbol (hidden from screen readers) and the verdict in words. */
export function badge(verdict: Verdict, size: 'normal' | 'small' = 'normal'): SafeHtml {
  const look = LOOKS[verdict];
  const cls = `badge ${verdictClass(verdict)}${size === 'small' ? ' badge-small' : ''}`;
  return html`<span class="${cls}" data-verdict="${verdict}"><span class="sym" aria-hidden="true">${look.symbol}</span>${verdictWord(verdict)}</span>`;
}

/** The legend: every verdict's badge and what it means. */
export function verdictLegend(): SafeHtml {
  const items = LEGEND_ORDER.map((v) => html`<li>${badge(v)} <span class="meaning">${LOOKS[v].meaning}</span></li>`);
  return html`<ul class="legend" aria-label="What the verdicts mean">${items}</ul>`;
}
