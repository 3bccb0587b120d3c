/**
 * Number, duration and date formatting for compat.html. Everything here is
 * locale-free and time-zone-free (UTC), so the same report renders the same
 * bytes on every machine.
 */

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** A number with at most `decimals` decimals and no trailing zeros: 13470, 37772.02, 0.5. */
export function formatNumber(value: number, decimals = 2): string {
  if (!Number.isFinite(value)) return String(value);
  const fixed = value.toFixed(decimals);
  const trimmed = fixed.includes('.') ? fixed.replace(/\.?0+$/, '') : fixed;
  return trimmed === '-0' ? '0' : trimmed;
}

/** A value with its unit, "13470 ms"; a unit-less figure is just the number. */
export function formatValue(value: number, unit: string): string {
  return unit === '' ? formatNumber(value) : `${formatNumber(value)} ${unit}`;
}

/** Milliseconds for people: "850 ms", "13.47 s", "2 min 5 s". */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  const abs = Math.abs(ms);
  if (abs < 1000) return `${formatNumber(ms, 1)} ms`;
  if (abs < 120_000) return `${formatNumber(ms / 1000, 2)} s`;
  const minutes = Math.floor(abs / 60_000);
  const seconds = Math.round((abs - minutes * 60_000) / 1000);
  return `${ms < 0 ? '-' : ''}${minutes} min ${seconds} s`;
}

function two(n: number): string {
  return String(n).padStart(2, '0');
}

/** "23 Nov 2026, 18:40:12 UTC"; the input itself when it is not a date. */
export function formatDate(iso: string): string {
  const t = Date.parse(iso);
  if (!Number.isFinite(t)) return iso;
  const d = new Date(t);
  return `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}, ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} UTC`;
}

/** "1 scenario", "3 scenarios". */
export function plural(count: number, word: string, many = `${word}s`): string {
  return `${count} ${count === 1 ? word : many}`;
}

/** Milliseconds for a time figure in ms, s, us/µs or min; undefined for any other unit. */
export function toMilliseconds(value: number, unit: string): number | undefined {
  switch (unit.trim().toLowerCase()) {
    case 'ms':
      return value;
    case 's':
    case 'sec':
      return value * 1000;
    case 'us':
    case 'µs':
      return value / 1000;
    case 'min':
      return value * 60_000;
    default:
      return undefined;
  }
}
