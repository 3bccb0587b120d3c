/**
 * Merges several compatibility reports (or the run directories holding them)
 * into one matrix: rows with the same capability id become one row, and each
 * source run becomes a column. A column key already taken (say two
 * iphone/memory runs with different seeds) gets a "#2" suffix.
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { cellKey, finishRows, uniqueCellKey } from './assemble';
import { describeCapability } from './capabilities';
import { ReportError } from './errors';
import { readRunDir } from './read-report';
import { safeName } from './write';
import { CapabilityRow, CompatReport, REPORT_SCHEMA_VERSION, RunArtifacts, RunEntry } from './types';

export interface MergeOptions {
  runId: string;
  toolVersion: string;
  /** Per source report: a folder to prefix its artifact paths with (where write.ts copies them). */
  artifactPrefixes?: ReadonlyArray<string | undefined>;
}

function prefixArtifacts(artifacts: RunArtifacts, prefix: string | undefined): RunArtifacts {
  if (prefix === undefined) return { ...artifacts };
  const out: RunArtifacts = {};
  for (const key of ['messages', 'junit', 'html'] as const) {
    const value = artifacts[key];
    if (value !== undefined) out[key] = path.posix.join(prefix, value);
  }
  return out;
}

function earliest(times: string[]): string {
  return times.reduce((a, b) => (Date.parse(b) < Date.parse(a) ? b : a));
}

function latest(times: string[]): string {
  return times.reduce((a, b) => (Date.parse(b) > Date.parse(a) ? b : a));
}

export function mergeReports(reports: readonly CompatReport[], options: MergeOptions): CompatReport {
  if (reports.length === 0) throw new ReportError('report.nothing-to-merge', 'no reports to merge', true);
  const taken = new Set<string>();
  const runs: RunEntry[] = [];
  const rows = new Map<string, CapabilityRow>();
  const warnings: string[] = [];

  reports.forEach((report, i) => {
    const rename = new Map<string, string>();
    const claim = (oldKey: string, base: string): string => {
      const fresh = uniqueCellKey(base, taken);
      taken.add(fresh);
      rename.set(oldKey, fresh);
      return fresh;
    };
    for (const run of report.runs) {
      const key = claim(run.cell, cellKey(run.phone.id, run.transport));
      runs.push({ ...run, cell: key, artifacts: prefixArtifacts(run.artifacts, options.artifactPrefixes?.[i]) });
    }
    for (const source of report.capabilities) {
      let row = rows.get(source.id);
      if (!row) {
        const d = describeCapability(source.id, source.area);
        row = d.known
          ? { id: d.id, area: d.area, title: d.title, limitation: d.limitation, cells: {} }
          : { id: source.id, area: source.area, title: source.title, limitation: false, cells: {} };
        rows.set(source.id, row);
      }
      if (source.limitation) row.limitation = true;
      for (const [oldKey, cell] of Object.entries(source.cells)) {
        const key = rename.get(oldKey) ?? claim(oldKey, oldKey.replace(/#\d+$/, ''));
        row.cells[key] = { verdict: cell.verdict, scenarios: cell.scenarios.map((s) => ({ ...s })) };
      }
    }
    for (const w of report.warnings) warnings.push(`${report.runId}: ${w}`);
  });

  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    tool: { name: 'phonebridge', version: options.toolVersion },
    runId: options.runId,
    startedAt: earliest(reports.map((r) => r.startedAt)),
    finishedAt: latest(reports.map((r) => r.finishedAt)),
    wallTimeMs: reports.reduce((sum, r) => sum + r.wallTimeMs, 0),
    redacted: reports.every((r) => r.redacted),
    runs,
    capabilities: finishRows([...rows.values()]),
    warnings,
    mergedFrom: reports.map((r) => r.runId),
  };
}

/** A file to copy into the merged report's directory (`to` is relative to it). */
export interface ArtifactCopy {
  from: string;
  to: string;
}

export interface MergedRuns {
  report: CompatReport;
  /** Each source run's cucumber files, to be copied under `<source run id>/`. */
  copies: ArtifactCopy[];
}

/** Reads `<dir>/compat.json` from each directory and merges them. */
export function mergeRunDirs(dirs: readonly string[], options: Omit<MergeOptions, 'artifactPrefixes'>): MergedRuns {
  const reports = dirs.map((dir) => readRunDir(dir));
  const usedPrefixes = new Set<string>();
  const prefixes = reports.map((r) => {
    const base = safeName(r.runId);
    let prefix = base;
    for (let n = 2; usedPrefixes.has(prefix); n++) prefix = `${base}-${n}`;
    usedPrefixes.add(prefix);
    return prefix;
  });
  const copies: ArtifactCopy[] = [];
  reports.forEach((report, i) => {
    const base = statSync(dirs[i]).isDirectory() ? dirs[i] : path.dirname(dirs[i]);
    for (const run of report.runs) {
      for (const rel of Object.values(run.artifacts)) {
        // Only plain relative paths inside the source directory are copied.
        if (typeof rel !== 'string' || path.isAbsolute(rel) || rel.split(/[\\/]/).includes('..')) continue;
        const from = path.resolve(base, rel);
        if (existsSync(from)) copies.push({ from, to: path.posix.join(prefixes[i], rel) });
      }
    }
  });
  return { report: mergeReports(reports, { ...options, artifactPrefixes: prefixes }), copies };
}
