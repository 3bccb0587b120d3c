/**
 * Assembles a CompatReport from the columns of one suite run: files every
 * scenario under its capability row and column, judges each cell by its
 * worst scenario, and orders the rows by the catalogue.
 */
import { compareCapabilities, describeCapability } from './capabilities';
import { CellData, CellScenario } from './from-messages';
import { CapabilityRow, CompatReport, REPORT_SCHEMA_VERSION, RunArtifacts, RunEntry, ScenarioResult } from './types';
import { worstVerdict } from './verdict';

/** A run's identity, as the suite runner knows it. */
export interface RunDescription {
  phone: { id: string; name: string };
  transport: string;
  seed: number;
  tags?: string;
  artifacts: RunArtifacts;
  transportNotes?: string[];
}

export interface AssembleInput {
  runId: string;
  toolVersion: string;
  startedAt: string;
  finishedAt: string;
  wallTimeMs: number;
  /** Whether the cells were built with redaction on. */
  redacted: boolean;
  runs: Array<{ run: RunDescription; cell: CellData }>;
}

/** The column key for a phone and transport: "<phone>/<transport>". */
export function cellKey(phone: string, transport: string): string {
  return `${phone}/${transport}`;
}

/** `base`, or `base#2`, `base#3`, ... whichever is not in `taken`. */
export function uniqueCellKey(base: string, taken: ReadonlySet<string>): string {
  if (!taken.has(base)) return base;
  for (let n = 2; ; n++) {
    const key = `${base}#${n}`;
    if (!taken.has(key)) return key;
  }
}

function toResult(scenario: CellScenario): ScenarioResult {
  // Drop the fields that only served to file the scenario.
  const { capability: _capability, area: _area, limitation: _limitation, ...result } = scenario;
  return result;
}

/** Re-judges every cell of `rows` from its scenarios and sorts the rows; mutates and returns `rows`. */
export function finishRows(rows: CapabilityRow[]): CapabilityRow[] {
  for (const row of rows) {
    for (const cell of Object.values(row.cells)) {
      cell.verdict = worstVerdict(cell.scenarios.map((s) => s.verdict)) ?? 'not-run';
    }
  }
  return rows.sort(compareCapabilities);
}

export function assembleReport(input: AssembleInput): CompatReport {
  const rows = new Map<string, CapabilityRow>();
  const runs: RunEntry[] = [];
  const warnings: string[] = [];
  const taken = new Set<string>();

  for (const { run, cell } of input.runs) {
    const key = uniqueCellKey(cellKey(run.phone.id, run.transport), taken);
    taken.add(key);
    const entry: RunEntry = {
      cell: key,
      phone: { ...run.phone },
      transport: run.transport,
      seed: run.seed,
      success: cell.success,
      truncated: cell.truncated,
      counts: { ...cell.counts },
      artifacts: { ...run.artifacts },
    };
    if (run.tags !== undefined && run.tags !== '') entry.tags = run.tags;
    if (run.transportNotes !== undefined && run.transportNotes.length > 0) entry.transportNotes = [...run.transportNotes];
    if (cell.startedAt !== undefined) entry.startedAt = cell.startedAt;
    if (cell.finishedAt !== undefined) entry.finishedAt = cell.finishedAt;
    runs.push(entry);
    for (const w of cell.warnings) warnings.push(`${key}: ${w}`);
    if (cell.truncated) warnings.push(`${key}: the cucumber message stream ends before the run does; later scenarios are missing`);

    for (const scenario of cell.scenarios) {
      let row = rows.get(scenario.capability);
      if (!row) {
        const d = describeCapability(scenario.capability, scenario.area);
        row = { id: d.id, area: d.area, title: d.title, limitation: d.limitation, cells: {} };
        rows.set(scenario.capability, row);
      }
      if (scenario.limitation) row.limitation = true;
      const target = row.cells[key] ?? (row.cells[key] = { verdict: 'not-run', scenarios: [] });
      target.scenarios.push(toResult(scenario));
    }
  }

  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    tool: { name: 'phonebridge', version: input.toolVersion },
    runId: input.runId,
    startedAt: input.startedAt,
    finishedAt: input.finishedAt,
    wallTimeMs: input.wallTimeMs,
    redacted: input.redacted,
    runs,
    capabilities: finishRows([...rows.values()]),
    warnings,
  };
}
