/**
 * Loads a `compat.json` written earlier (a file or a run directory) and
 * checks that it really is a schema-1 CompatReport before anything merges or
 * renders it.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { ReportError } from './errors';
import { CompatReport, REPORT_SCHEMA_VERSION } from './types';
import { isVerdict } from './verdict';

/** Largest compat.json we read. */
export const MAX_REPORT_BYTES = 64 * 1024 * 1024;

export const REPORT_FILE = 'compat.json';

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function fail(source: string, what: string): never {
  throw new ReportError('report.not-a-report', `${source} is not a PhoneBridge report: ${what}`, true);
}

/** Throws ReportError unless `value` has the structure of a schema-1 CompatReport. */
export function validateReport(value: unknown, source: string): CompatReport {
  if (!isObject(value)) fail(source, 'not a JSON object');
  if (value.schemaVersion !== REPORT_SCHEMA_VERSION) fail(source, `schemaVersion is ${String(value.schemaVersion)}, expected ${REPORT_SCHEMA_VERSION}`);
  for (const key of ['runId', 'startedAt', 'finishedAt']) {
    if (typeof value[key] !== 'string') fail(source, `${key} is not a string`);
  }
  if (typeof value.wallTimeMs !== 'number') fail(source, 'wallTimeMs is not a number');
  if (typeof value.redacted !== 'boolean') fail(source, 'redacted is not a boolean');
  if (!isObject(value.tool) || typeof value.tool.version !== 'string') fail(source, 'tool.version is missing');
  if (!Array.isArray(value.runs)) fail(source, 'runs is not a list');
  value.runs.forEach((run: unknown, i: number) => {
    if (!isObject(run) || typeof run.cell !== 'string' || typeof run.transport !== 'string') fail(source, `runs[${i}] lacks cell or transport`);
    if (!isObject(run.phone) || typeof run.phone.id !== 'string' || typeof run.phone.name !== 'string') fail(source, `runs[${i}].phone is malformed`);
    if (!isObject(run.counts) || !isObject(run.artifacts)) fail(source, `runs[${i}] lacks counts or artifacts`);
  });
  if (!Array.isArray(value.capabilities)) fail(source, 'capabilities is not a list');
  value.capabilities.forEach((row: unknown, i: number) => {
    if (!isObject(row) || typeof row.id !== 'string' || typeof row.title !== 'string' || typeof row.area !== 'string') {
      fail(source, `capabilities[${i}] lacks id, area or title`);
    }
    if (!isObject(row.cells)) fail(source, `capabilities[${i}].cells is not an object`);
    for (const [key, cell] of Object.entries(row.cells)) {
      if (!isObject(cell) || !isVerdict(cell.verdict) || !Array.isArray(cell.scenarios)) {
        fail(source, `capabilities[${i}].cells["${key}"] is malformed`);
      }
      cell.scenarios.forEach((s: unknown, j: number) => {
        if (!isObject(s) || typeof s.name !== 'string' || !isVerdict(s.verdict) || !Array.isArray(s.figures) || !Array.isArray(s.ids)) {
          fail(source, `capabilities[${i}].cells["${key}"].scenarios[${j}] is malformed`);
        }
      });
    }
  });
  if (!Array.isArray(value.warnings)) fail(source, 'warnings is not a list');
  return value as unknown as CompatReport;
}

/** Reads and validates a compat.json file. */
export function readReportFile(file: string): CompatReport {
  let size: number;
  try {
    size = statSync(file).size;
  } catch {
    throw new ReportError('report.missing', `no report at ${file}`, true);
  }
  if (size > MAX_REPORT_BYTES) throw new ReportError('report.too-large', `${file} is ${size} bytes; the limit is ${MAX_REPORT_BYTES}`, true);
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ReportError('report.not-a-report', `${file} is not JSON: ${(err as Error).message}`, true);
  }
  return validateReport(value, file);
}

/** Reads `<dir>/compat.json`; `dir` may also name the compat.json file itself. */
export function readRunDir(dir: string): CompatReport {
  if (!existsSync(dir)) throw new ReportError('report.missing', `no such run directory: ${dir}`, true);
  const file = statSync(dir).isDirectory() ? path.join(dir, REPORT_FILE) : dir;
  return readReportFile(file);
}
