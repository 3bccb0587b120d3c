/**
 * Writes a report to disk: `<out>/<run-id>/compat.json`, `compat.md` and `compat.html` beside
 * the cucumber files of the run (`messages.ndjson`, `cucumber.html`,
 * `junit.xml`), then points `<out>/latest` at that directory — a relative
 * symlink, or a copy where symlinks are not allowed.
 */
import { copyFileSync, cpSync, existsSync, lstatSync, mkdirSync, readdirSync, renameSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ReportError } from './errors';
import type { ArtifactCopy } from './merge';
import { redactReport } from './redact';
import { REPORT_FILE } from './read-report';
import { HTML_FILE, renderHtml } from './render-html';
import { renderMarkdown } from './render-markdown';
import { CompatReport } from './types';

export const MARKDOWN_FILE = 'compat.md';
export const LATEST = 'latest';
/** Cucumber's files in a run directory (one cucumber run per directory). */
export const CUCUMBER_FILES = { messages: 'messages.ndjson', junit: 'junit.xml', html: 'cucumber.html' } as const;

/** `text` reduced to letters, digits and `. _ + -`, safe as one path segment. */
export function safeName(text: string): string {
  const name = text.replace(/[^A-Za-z0-9._+-]+/g, '-').replace(/^-+|-+$/g, '');
  return name === '' || name === '.' || name === '..' ? 'run' : name;
}

/** A run id like `2026-11-23T18-40-12Z-iphone-memory`; several phones or transports are joined with "+". */
export function makeRunId(date: Date, phones: readonly string[], transports: readonly string[]): string {
  const stamp = date.toISOString().replace(/\.\d+Z$/, 'Z').replace(/:/g, '-');
  const unique = (xs: readonly string[]): string => [...new Set(xs)].join('+');
  return safeName(`${stamp}-${unique(phones)}-${unique(transports)}`);
}

/** Creates `<outDir>/<runId>` (or `<runId>-2`, ... if taken) and returns it with the id used. */
export function createRunDir(outDir: string, runId: string): { dir: string; runId: string } {
  mkdirSync(outDir, { recursive: true });
  const base = safeName(runId);
  for (let n = 1; ; n++) {
    const id = n === 1 ? base : `${base}-${n}`;
    if (id === LATEST) continue;
    const dir = path.join(outDir, id);
    if (existsSync(dir)) continue;
    mkdirSync(dir);
    return { dir, runId: id };
  }
}

export type SymlinkFn = (target: string, linkPath: string) => void;

const defaultSymlink: SymlinkFn = (target, linkPath) => {
  if (process.platform === 'win32') symlinkSync(path.resolve(path.dirname(linkPath), target), linkPath, 'junction');
  else symlinkSync(target, linkPath, 'dir');
};

export interface LatestLink {
  path: string;
  kind: 'symlink' | 'copy';
}

function isSymlink(file: string): boolean {
  try {
    return lstatSync(file).isSymbolicLink();
  } catch {
    return false;
  }
}

function removeLatest(latest: string): void {
  if (isSymlink(latest)) {
    unlinkSync(latest);
    return;
  }
  if (!existsSync(latest)) return;
  // A real directory here is an earlier copy; refuse to delete anything else.
  const entries = readdirSync(latest);
  if (entries.length > 0 && !entries.includes(REPORT_FILE)) {
    throw new ReportError('report.latest-occupied', `${latest} exists and is not a report; move it away`, true);
  }
  rmSync(latest, { recursive: true, force: true });
}

/** Points `<outDir>/latest` at `<outDir>/<runDirName>`: a symlink, else a copy. */
export function pointLatest(outDir: string, runDirName: string, symlink: SymlinkFn = defaultSymlink): LatestLink {
  const latest = path.join(outDir, LATEST);
  const temp = path.join(outDir, `.${LATEST}-${process.pid}`);
  rmSync(temp, { recursive: true, force: true });
  try {
    symlink(runDirName, temp);
    // rename() replaces an old symlink in one step; an old copy has to go first.
    if (existsSync(latest) && !isSymlink(latest)) removeLatest(latest);
    renameSync(temp, latest);
    return { path: latest, kind: 'symlink' };
  } catch (err) {
    if (err instanceof ReportError) throw err;
    if (isSymlink(temp)) unlinkSync(temp);
    removeLatest(latest);
    cpSync(path.join(outDir, runDirName), latest, { recursive: true });
    return { path: latest, kind: 'copy' };
  }
}

export interface WriteReportOptions {
  /** The reports folder; the report goes to `<outDir>/<report.runId>/`. */
  outDir: string;
  report: CompatReport;
  /** Redact before writing when the report is not redacted yet. Default true. */
  redact?: boolean;
  /** Files to copy into the run directory (e.g. a merged report's source cucumber files). */
  copies?: readonly ArtifactCopy[];
  /** Point `<outDir>/latest` at the run directory. Default true. */
  updateLatest?: boolean;
  /** Replaces fs.symlinkSync (tests use it to force the copy fallback). */
  symlink?: SymlinkFn;
}

export interface WrittenReport {
  dir: string;
  json: string;
  markdown: string;
  html: string;
  report: CompatReport;
  latest?: LatestLink;
}

export function writeReport(options: WriteReportOptions): WrittenReport {
  const report = options.redact === false || options.report.redacted ? options.report : redactReport(options.report);
  const dir = path.join(options.outDir, safeName(report.runId));
  mkdirSync(dir, { recursive: true });
  for (const copy of options.copies ?? []) {
    const to = path.resolve(dir, copy.to);
    if (!to.startsWith(path.resolve(dir) + path.sep)) {
      throw new ReportError('report.bad-copy', `refusing to copy ${copy.from} outside ${dir}`);
    }
    mkdirSync(path.dirname(to), { recursive: true });
    copyFileSync(copy.from, to);
  }
  const json = path.join(dir, REPORT_FILE);
  const markdown = path.join(dir, MARKDOWN_FILE);
  writeFileSync(json, `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(markdown, renderMarkdown(report));
  const html = path.join(dir, HTML_FILE);
  writeFileSync(html, renderHtml(report, { dir }));
  const written: WrittenReport = { dir, json, markdown, html, report };
  if (options.updateLatest !== false) written.latest = pointLatest(options.outDir, path.basename(dir), options.symlink);
  return written;
}
