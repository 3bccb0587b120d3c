/**
 * Codec-level HFP property for the `calls` fuzz campaign: every HF command
 * and every AG result kind survives encode -> decode, and a stream of them
 * cut at random byte positions comes out of the line splitters as the same
 * lines, which decode to the same values.
 */
import fc from 'fast-check';
import { commandText, decodeCommand, encodeCommand, type HfCommand } from '../../protocol/hfp/commands';
import { decodeResult, encodeResult, resultText, type AgResult } from '../../protocol/hfp/results';
import { CommandLineSplitter, ResultLineSplitter, type SplitterEvent } from '../../protocol/hfp/splitter';
import { anyCommand, anyResult, chunkAt, concatBytes } from './hfp-arbitraries';

export class AtRoundTripMismatch extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AtRoundTripMismatch';
  }
}

/** Stable text for a decoded value: key order does not matter, undefined fields do not count. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined);
      return Object.fromEntries(entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    }
    return v;
  });
}

/** The property's comparison: equal after dropping undefined fields and ordering keys. */
export function same(what: string, got: unknown, want: unknown): void {
  const g = canonical(got);
  const w = canonical(want);
  if (g !== w) throw new AtRoundTripMismatch(`${what}\n   got ${g}\n  want ${w}`);
}

function feed(splitter: ResultLineSplitter | CommandLineSplitter, chunks: readonly Uint8Array[]): SplitterEvent[] {
  return chunks.flatMap((c) => splitter.push(c));
}

function linesOf(events: readonly SplitterEvent[], what: string): string[] {
  return events.map((e) => {
    if (e.kind === 'error') throw new AtRoundTripMismatch(`${what}: splitter error ${e.error.code} at ${e.error.offset} on clean input`);
    return e.text;
  });
}

/** A value-level comparison, swappable so a test can prove the property fails on a wrong codec. */
export type Compare = (what: string, got: unknown, want: unknown) => void;

/** Commands and results, each encoded, decoded and sent through its splitter cut at `cuts`. */
export function checkAtRoundTrip(
  commands: readonly HfCommand[],
  results: readonly AgResult[],
  cuts: readonly number[],
  compare: Compare = same,
): void {
  for (const c of commands) compare(`command ${commandText(c)}`, decodeCommand(commandText(c)), c);
  for (const r of results) compare(`result ${resultText(r)}`, decodeResult(resultText(r)), r);
  if (commands.length > 0) {
    const bytes = concatBytes(commands.map(encodeCommand));
    const lines = linesOf(feed(new CommandLineSplitter(), chunkAt(bytes, cuts)), 'commands');
    compare('command lines', lines, commands.map(commandText));
    compare('commands through the splitter', lines.map(decodeCommand), commands);
  }
  if (results.length > 0) {
    const bytes = concatBytes(results.map(encodeResult));
    const lines = linesOf(feed(new ResultLineSplitter(), chunkAt(bytes, cuts)), 'results');
    compare('result lines', lines, results.map(resultText));
    compare('results through the splitter', lines.map(decodeResult), results);
  }
}

export const atRoundTripProperty = (compare: Compare = same) => (tick: () => void) =>
  fc.property(
    fc.array(anyCommand, { maxLength: 8 }),
    fc.array(anyResult, { maxLength: 8 }),
    fc.array(fc.nat(), { maxLength: 16 }),
    (commands, results, cuts) => {
      tick();
      checkAtRoundTrip(commands, results, cuts, compare);
    },
  );
