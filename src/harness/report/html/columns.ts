/**
 * The matrix columns of compat.html: one per phone profile × transport run,
 * in run order, with the words a person reads in the column header ("iPhone",
 * "memory", and a "#2" for a repeated column in a merged report).
 */
import { columnsOf } from '../render-markdown';
import { CompatReport, RunEntry } from '../types';

export interface ColumnInfo {
  /** The key in `capabilities[].cells`, e.g. "iphone/memory" or "iphone/memory#2". */
  key: string;
  /** The phone profile's display name, e.g. "iPhone" (the key's phone part when no run names it). */
  phoneName: string;
  phoneId: string;
  transport: string;
  /** "#2", "#3", ... for a repeated phone and transport; "" otherwise. */
  repeat: string;
  /** The run behind the column, when the report lists it. */
  run?: RunEntry;
}

/** Splits "iphone/memory#2" into its parts; a key without "/" is all phone. */
function splitKey(key: string): { phone: string; transport: string; repeat: string } {
  const hash = /#\d+$/.exec(key);
  const repeat = hash ? hash[0] : '';
  const base = hash ? key.slice(0, hash.index) : key;
  const slash = base.lastIndexOf('/');
  return slash < 0 ? { phone: base, transport: '', repeat } : { phone: base.slice(0, slash), transport: base.slice(slash + 1), repeat };
}

/** Every column of the report, runs first in their order, then any cell key no run mentions. */
export function describeColumns(report: CompatReport): ColumnInfo[] {
  return columnsOf(report).map((key) => {
    const run = report.runs.find((r) => r.cell === key);
    const parts = splitKey(key);
    if (run === undefined) return { key, phoneName: parts.phone, phoneId: parts.phone, transport: parts.transport, repeat: parts.repeat };
    return { key, phoneName: run.phone.name, phoneId: run.phone.id, transport: run.transport, repeat: parts.repeat, run };
  });
}

/** "iPhone · memory", "iPhone · memory #2": the short name of a column in charts and lists. */
export function columnLabel(column: ColumnInfo): string {
  const transport = column.transport === '' ? '' : ` · ${column.transport}`;
  return `${column.phoneName}${transport}${column.repeat === '' ? '' : ` ${column.repeat}`}`;
}
