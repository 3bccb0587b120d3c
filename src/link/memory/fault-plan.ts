/**
 * What the BLE and classic fault planners share: how a fault names its
 * target (a connection, a device, or everything), the handle a planned
 * fault returns, and the merging of out-of-range windows into one span of
 * silence (windows that overlap or touch count as one, which is what a
 * supervision timeout sees).
 */
import { normalizeAddress } from '../ble';
import { MAX_PLANNED_FAULTS as LIMIT_MAX_PLANNED_FAULTS } from '../../limits';

export interface FaultTarget {
  connectionId?: number;
  address?: string;
}

/** A planned fault; `cancel` withdraws it if it has not happened yet. */
export interface FaultHandle {
  cancel(): void;
  readonly pending: boolean;
}

/** Planned faults of each kind an air holds at once. */
export const MAX_PLANNED_FAULTS = LIMIT_MAX_PLANNED_FAULTS;

/** A target in normalised form. */
export interface Matcher {
  connectionId: number | undefined;
  address: string | undefined;
}

export function toMatcher(target: FaultTarget | undefined): Matcher {
  return {
    connectionId: target?.connectionId,
    address: target?.address === undefined ? undefined : normalizeAddress(target.address),
  };
}

/** True when the target names either device of the pair, or no device at all. */
export function matchesPair(m: Matcher, a: string, b: string): boolean {
  return m.address === undefined || m.address === a || m.address === b;
}

/** True when the target covers connection `id` between devices `a` and `b`. */
export function matchesConnection(m: Matcher, id: number, a: string, b: string): boolean {
  if (m.connectionId !== undefined && m.connectionId !== id) return false;
  return matchesPair(m, a, b);
}

export interface SilenceWindow {
  matcher: Matcher;
  start: number;
  end: number;
}

/** The merged out-of-range span covering `time` among the windows that apply, if any. */
export function silenceAt(
  windows: Iterable<SilenceWindow>,
  time: number,
  applies: (m: Matcher) => boolean,
): { start: number; end: number } | undefined {
  const relevant = [...windows].filter((w) => applies(w.matcher) && w.end > w.start);
  const covering = relevant.find((w) => w.start <= time && time < w.end);
  if (!covering) return undefined;
  let { start, end } = covering;
  // Grow the span until no other window overlaps or touches it.
  for (let grown = true; grown; ) {
    grown = false;
    for (const w of relevant) {
      if (w.start <= end && w.end >= start && (w.start < start || w.end > end)) {
        start = Math.min(start, w.start);
        end = Math.max(end, w.end);
        grown = true;
      }
    }
  }
  return { start, end };
}
