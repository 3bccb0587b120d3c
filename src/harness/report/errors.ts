/**
 * Errors from reading, merging and writing reports, each with a stable
 * `code` (e.g. `report.bad-ndjson`). `usage` is true when the cause is the
 * caller's input (a missing run directory, a file that is not a report), so
 * the CLI can answer with a usage error instead of a crash.
 */
export class ReportError extends Error {
  readonly code: string;
  readonly usage: boolean;

  constructor(code: string, message: string, usage = false) {
    super(message);
    this.name = 'ReportError';
    this.code = code;
    this.usage = usage;
  }
}
