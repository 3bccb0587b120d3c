/**
 * Picks the figures compat.html charts out of a report: notification burst
 * delivery times (figures of notification rows whose name mentions "burst", with the link model's
 * prediction and the bounds the scenario held them to) and reconnect times
 * (figures whose name mentions "reconnect"). Values are converted to
 * milliseconds; figures in other units are left out and counted.
 */
import { CapabilityRow, CompatReport, Figure } from '../types';
import { ColumnInfo, columnLabel } from './columns';
import { toMilliseconds } from './format';

/** Most points one chart draws; the rest are counted in `omitted`. */
export const MAX_CHART_POINTS = 48;

export interface ChartPoint {
  /** Column key, e.g. "iphone/memory". */
  column: string;
  /** What the row is called: the column's label. */
  label: string;
  /** A second line telling apart several points of one column (figure or scenario name). */
  detail?: string;
  scenario: string;
  figure: string;
  /** Measured, in ms. */
  value: number;
  predicted?: number;
  lower?: number;
  upper?: number;
  note?: string;
}

export interface ChartData {
  points: ChartPoint[];
  /** Matching figures not drawn: beyond MAX_CHART_POINTS, or not in a unit of time. */
  omitted: number;
}

/** Figures that belong in the notification throughput chart: a burst measured by a notification (ANCS) scenario. */
export function isBurstFigure(f: Figure, row: CapabilityRow): boolean {
  return row.area === 'ancs' && /burst/i.test(f.name);
}

/** Figures that belong in the reconnect chart, from any area. */
export function isReconnectFigure(f: Figure): boolean {
  return /reconnect/i.test(f.name);
}

function convert(value: number | undefined, unit: string): number | undefined {
  if (value === undefined) return undefined;
  const ms = toMilliseconds(value, unit);
  return ms === undefined || !Number.isFinite(ms) ? undefined : ms;
}

/** The matching figures, column by column, each converted to ms. */
export function collectPoints(report: CompatReport, columns: readonly ColumnInfo[], match: (f: Figure, row: CapabilityRow) => boolean): ChartData {
  const raw: Array<Omit<ChartPoint, 'detail'>> = [];
  let omitted = 0;
  for (const column of columns) {
    for (const cap of report.capabilities) {
      for (const s of cap.cells[column.key]?.scenarios ?? []) {
        for (const f of s.figures) {
          if (!match(f, cap)) continue;
          const value = convert(f.value, f.unit);
          if (value === undefined || raw.length >= MAX_CHART_POINTS) {
            omitted++;
            continue;
          }
          const point: Omit<ChartPoint, 'detail'> = { column: column.key, label: columnLabel(column), scenario: s.name, figure: f.name, value };
          const predicted = convert(f.predicted, f.unit);
          const lower = convert(f.lowerBound, f.unit);
          const upper = convert(f.bound, f.unit);
          if (predicted !== undefined) point.predicted = predicted;
          if (lower !== undefined) point.lower = lower;
          if (upper !== undefined) point.upper = upper;
          if (f.note !== undefined) point.note = f.note;
          raw.push(point);
        }
      }
    }
  }
  // A second line is only needed when a column has several points.
  const perColumn = new Map<string, number>();
  for (const p of raw) perColumn.set(p.column, (perColumn.get(p.column) ?? 0) + 1);
  const crowded = [...perColumn.values()].some((n) => n > 1);
  const oneFigureName = new Set(raw.map((p) => p.figure)).size <= 1;
  const points = raw.map((p): ChartPoint => (crowded ? { ...p, detail: oneFigureName ? p.scenario : p.figure } : { ...p }));
  return { points, omitted };
}
