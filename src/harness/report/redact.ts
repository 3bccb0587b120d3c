/**
 * Masks what could be personal data in free text that goes into a report:
 * phone-number-like digit runs (5 or more digits, allowing the usual
 * separators such as "+1 (415) 555-0100"; a number followed by a unit such
 * as "120000 ms" is left alone) and quoted strings, which is how
 * steps and assertions quote message bodies, names and numbers. Scenario names
 * and tags are ours and are never passed through here.
 *
 * Redaction is idempotent: redacting redacted text changes nothing.
 */
import { CompatReport, Figure, ScenarioResult } from './types';

/** What a masked quoted string reads as. */
export const MASK = '…';
/** What each masked digit reads as. */
export const DIGIT_MASK = '#';

// A digit, then more digits each preceded by at most two separators; an
// optional leading "+" or "(" and trailing ")".
const NUMBER_RUN = /[+(]?\d(?:[ .\-()]{0,2}\d)*\)?/g;
const DOUBLE_QUOTED = /"[^"\n]*"/g;
const CURLY_QUOTED = /“[^”\n]*”/g;
const CURLY_SINGLE_QUOTED = /‘[^’\n]*’/g;
// Single quotes only around whole words, so "can't" and "user's" survive
// (and not next to a quote or a mask, which keeps redaction idempotent).
const SINGLE_QUOTED = /(^|[^\p{L}\p{N}_'…#])'[^'\n]*'(?![\p{L}\p{N}_'…#])/gu;
// A number followed by a unit ("120000 ms") is a measurement, not a phone number.
const UNIT_AFTER = /^ ?(?:ms|s|us|µs|ns|bytes|B|kB|KiB|MB|MiB|Hz|kHz|bps|kbps|%)(?![\p{L}\p{N}_])/u;

function countDigits(text: string): number {
  let n = 0;
  for (const ch of text) if (ch >= '0' && ch <= '9') n++;
  return n;
}

/** Masks quoted strings and phone-number-like digit runs in `text`. */
export function redactText(text: string): string {
  return text
    .replace(DOUBLE_QUOTED, `"${MASK}"`)
    .replace(CURLY_QUOTED, `“${MASK}”`)
    .replace(CURLY_SINGLE_QUOTED, `‘${MASK}’`)
    .replace(SINGLE_QUOTED, (_m, before: string) => `${before}'${MASK}'`)
    .replace(NUMBER_RUN, (run: string, offset: number, whole: string) =>
      countDigits(run) < 5 || UNIT_AFTER.test(whole.slice(offset + run.length, offset + run.length + 8)) ? run : run.replace(/\d/g, DIGIT_MASK),
    );
}

function redactOptional(text: string | undefined): string | undefined {
  return text === undefined ? undefined : redactText(text);
}

export function redactFigure(figure: Figure): Figure {
  if (figure.note === undefined) return figure;
  return { ...figure, note: redactText(figure.note) };
}

/** A copy of `scenario` with its note, failure message and figure notes redacted. */
export function redactScenario(scenario: ScenarioResult): ScenarioResult {
  const out: ScenarioResult = { ...scenario, figures: scenario.figures.map(redactFigure) };
  const note = redactOptional(scenario.note);
  const message = redactOptional(scenario.message);
  if (note !== undefined) out.note = note;
  if (message !== undefined) out.message = message;
  return out;
}

/** A redacted copy of a whole report, marked `redacted: true`. */
export function redactReport(report: CompatReport): CompatReport {
  return {
    ...report,
    redacted: true,
    capabilities: report.capabilities.map((row) => ({
      ...row,
      cells: Object.fromEntries(
        Object.entries(row.cells).map(([key, cell]) => [key, { ...cell, scenarios: cell.scenarios.map(redactScenario) }]),
      ),
    })),
  };
}
