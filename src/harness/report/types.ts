/**
 * The shape of a compatibility report (`compat.json`, schema version 1): which
 * capabilities a phone profile offers over a transport, judged from cucumber
 * scenario results. docs/report-schema.md documents every field.
 */

/** A judgement on a scenario or a capability; "not-run" is written with a dash in JSON. */
export type Verdict = 'supported' | 'limited' | 'deviation' | 'failed' | 'not-run';

/** The verdicts a scenario may attach itself (the World's verdict attachment). */
export type AttachedVerdict = 'supported' | 'limited' | 'deviation';

/** Cucumber's scenario status in lower case, plus "not-executed" for a scenario that never finished. */
export type ScenarioStatus =
  | 'passed'
  | 'failed'
  | 'ambiguous'
  | 'undefined'
  | 'pending'
  | 'skipped'
  | 'unknown'
  | 'not-executed';

/** A measured figure a scenario attached, e.g. burst delivery time in ms of link time. */
export interface Figure {
  name: string;
  value: number;
  unit: string;
  /** What the link model predicted for `value`, when it predicts one. */
  predicted?: number;
  /** The (upper) limit the scenario held `value` to, when it has one. */
  bound?: number;
  /** The lower limit, for figures held to a range (e.g. no faster than the link allows). */
  lowerBound?: number;
  /** Free text from the scenario; redacted unless the report is unredacted. */
  note?: string;
}

/** One scenario's result within one cell. */
export interface ScenarioResult {
  /** Scenario name (written by us, never redacted). */
  name: string;
  /** Feature file, relative to the directory cucumber ran in. */
  uri?: string;
  /** Line of the scenario in `uri`. */
  line?: number;
  /** Test IDs from the tags, without "@", e.g. "ANCS/NC/NTF/BV-01". */
  ids: string[];
  /** Every tag on the scenario, with "@". */
  tags: string[];
  status: ScenarioStatus;
  verdict: Verdict;
  /** Sum of the step durations, in ms of wall time. */
  durationMs: number;
  figures: Figure[];
  /** The note of the scenario's verdict attachment (redacted). */
  note?: string;
  /** First line of the failure, for a scenario that did not pass (redacted). */
  message?: string;
}

/** One capability on one phone/transport column. */
export interface Cell {
  verdict: Verdict;
  scenarios: ScenarioResult[];
}

/** One row of the matrix. */
export interface CapabilityRow {
  /** Catalogue id from the scenario's `@cap:<id>` tag. */
  id: string;
  /** Area such as "ancs"; "other" when neither the catalogue nor the tags say. */
  area: string;
  /** User-language title; the id itself for ids not in the catalogue. */
  title: string;
  /** True for capabilities that exist to check a documented iOS limitation. */
  limitation: boolean;
  /** Keyed by column, "<phone>/<transport>" (a "#n" suffix tells apart repeated columns). */
  cells: Record<string, Cell>;
}

/** Scenario counts for one cucumber run, by status. */
export interface ScenarioCounts {
  total: number;
  passed: number;
  failed: number;
  ambiguous: number;
  undefined: number;
  pending: number;
  skipped: number;
  unknown: number;
  notExecuted: number;
}

/** Files cucumber wrote for a run, relative to the report directory. */
export interface RunArtifacts {
  messages?: string;
  junit?: string;
  html?: string;
}

/** One cucumber run: one phone profile over one transport. */
export interface RunEntry {
  /** The column key of this run in `capabilities[].cells`. */
  cell: string;
  phone: { id: string; name: string };
  transport: string;
  seed: number;
  /** The tag expression cucumber filtered with, when there was one. */
  tags?: string;
  startedAt?: string;
  finishedAt?: string;
  /** Cucumber's own verdict on the run; false also when its message stream ended early. */
  success: boolean;
  /** True when the message stream ended before the run finished. */
  truncated: boolean;
  counts: ScenarioCounts;
  artifacts: RunArtifacts;
  /** What the transport can and cannot exercise (src/harness/transport-notes.ts). */
  transportNotes?: string[];
}

export const REPORT_SCHEMA_VERSION = 1;

export interface CompatReport {
  schemaVersion: typeof REPORT_SCHEMA_VERSION;
  tool: { name: string; version: string };
  /** Also the report's directory name, e.g. "2026-11-23T18-40-12Z-iphone-memory". */
  runId: string;
  /** ISO 8601 wall time. */
  startedAt: string;
  finishedAt: string;
  wallTimeMs: number;
  /** True when phone numbers and quoted text were masked in notes and messages. */
  redacted: boolean;
  runs: RunEntry[];
  capabilities: CapabilityRow[];
  /** Problems with the scenarios themselves (missing @cap tag, malformed attachments). */
  warnings: string[];
  /** Run ids of the reports this one was merged from. */
  mergedFrom?: string[];
}
