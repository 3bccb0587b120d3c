/**
 * Safe HTML building for compat.html: the `html` template tag escapes every
 * interpolated value unless it is already `SafeHtml` (the output of another
 * `html` call, or a constant wrapped with `trusted`). Text from the report —
 * names, notes, failure messages, file names — can therefore only ever reach
 * the page as text, never as markup.
 */

/** A fragment of markup that has been built by `html` (or is a trusted constant). */
export class SafeHtml {
  constructor(readonly value: string) {}

  toString(): string {
    return this.value;
  }
}

/** Anything `html` accepts: text and numbers are escaped; nothing, null and false render as nothing. */
export type HtmlValue = SafeHtml | string | number | null | undefined | false | readonly HtmlValue[];

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for use in element content and in quoted attribute values. */
export function escapeText(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => ENTITIES[ch] ?? ch);
}

function render(value: HtmlValue): string {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof SafeHtml) return value.value;
  if (typeof value === 'number') return escapeText(String(value));
  if (typeof value === 'string') return escapeText(value);
  return value.map(render).join('');
}

/** Tagged template: the literal parts are markup, every `${value}` is escaped unless it is SafeHtml. */
export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): SafeHtml {
  let out = strings[0] ?? '';
  values.forEach((value, i) => {
    out += render(value) + (strings[i + 1] ?? '');
  });
  return new SafeHtml(out);
}

/** Marks a constant written in this code base (the style sheet, a fixed symbol) as markup. Never pass report text. */
export function trusted(markup: string): SafeHtml {
  return new SafeHtml(markup);
}

/** Joins fragments with an optional separator (itself markup). */
export function joinHtml(parts: readonly HtmlValue[], separator: SafeHtml = trusted('')): SafeHtml {
  return new SafeHtml(parts.map(render).join(separator.value));
}
