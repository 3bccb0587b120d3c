/**
 * The files compat.html links to: each run's cucumber report, JUnit XML and
 * message stream, and any capture files (btsnoop, pcap) in the report folder.
 * A link is made only for a file that exists inside the folder, and always as
 * a relative URL, so the page works wherever the folder is copied.
 */
import { lstatSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { CompatReport, RunArtifacts } from '../types';
import { ColumnInfo, columnLabel } from './columns';
import { html, SafeHtml } from './escape';
import { formatDate, plural } from './format';

/** Capture files by extension. */
export const CAPTURE_FILE = /\.(btsnoop|snoop|cfa|pcap|pcapng)$/i;
/** Most capture files listed; the rest are counted. */
export const MAX_LISTED_CAPTURES = 200;
/** How deep below the report folder captures are looked for. */
const MAX_DEPTH = 3;
/** Most directory entries looked at while searching, so a huge folder cannot stall rendering. */
const MAX_ENTRIES_SCANNED = 5000;

export interface RunFiles {
  cucumberHtml?: string;
  junit?: string;
  messages?: string;
  captures: string[];
}

export interface ReportFiles {
  /** Keyed by column. */
  runs: Map<string, RunFiles>;
  /** Captures not inside any run's own folder (for a single run: none, they all belong to it). */
  otherCaptures: string[];
  /** Captures beyond MAX_LISTED_CAPTURES. */
  unlisted: number;
}

/** `rel` as a POSIX path when it names an existing file inside `dir`; undefined otherwise. */
export function existingFile(dir: string, rel: string | undefined): string | undefined {
  if (rel === undefined || rel === '' || path.isAbsolute(rel) || rel.split(/[\\/]/).includes('..')) return undefined;
  const full = path.resolve(dir, rel);
  if (!full.startsWith(path.resolve(dir) + path.sep)) return undefined;
  try {
    return statSync(full).isFile() ? rel.split(path.sep).join('/') : undefined;
  } catch {
    return undefined;
  }
}

/** Capture files under `dir` (relative POSIX paths, sorted), skipping symlinks and dot folders. */
export function findCaptures(dir: string): { files: string[]; unlisted: number } {
  const found: string[] = [];
  let scanned = 0;
  const walk = (rel: string, depth: number): void => {
    let names: string[];
    try {
      names = readdirSync(path.join(dir, rel)).sort();
    } catch {
      return;
    }
    for (const name of names) {
      if (++scanned > MAX_ENTRIES_SCANNED || name.startsWith('.')) continue;
      const child = rel === '' ? name : `${rel}/${name}`;
      let stat;
      try {
        stat = lstatSync(path.join(dir, child));
      } catch {
        continue;
      }
      if (stat.isDirectory() && depth < MAX_DEPTH) walk(child, depth + 1);
      else if (stat.isFile() && CAPTURE_FILE.test(name)) found.push(child);
    }
  };
  walk('', 0);
  found.sort();
  return { files: found.slice(0, MAX_LISTED_CAPTURES), unlisted: Math.max(0, found.length - MAX_LISTED_CAPTURES) };
}

/** The folder a run's cucumber files sit in ("" for the report folder itself). */
function runFolder(artifacts: RunArtifacts): string {
  const first = artifacts.html ?? artifacts.junit ?? artifacts.messages;
  if (first === undefined) return '';
  const folder = path.posix.dirname(first.split('\\').join('/'));
  return folder === '.' ? '' : folder;
}

/** What exists to link to; with no `dir` nothing can be checked, so nothing is linked. */
export function findReportFiles(report: CompatReport, dir: string | undefined): ReportFiles {
  const runs = new Map<string, RunFiles>();
  if (dir === undefined) return { runs, otherCaptures: [], unlisted: 0 };
  const captures = findCaptures(dir);
  const claimed = new Set<string>();
  const folders = report.runs.map((r) => runFolder(r.artifacts));
  // With several runs, a capture at the top of the folder belongs to none of them.
  const shared = report.runs.length > 1 || folders.some((f) => f !== '');
  report.runs.forEach((run, i) => {
    const folder = folders[i] ?? '';
    const files: RunFiles = { captures: [] };
    const cucumberHtml = existingFile(dir, run.artifacts.html);
    const junit = existingFile(dir, run.artifacts.junit);
    const messages = existingFile(dir, run.artifacts.messages);
    if (cucumberHtml !== undefined) files.cucumberHtml = cucumberHtml;
    if (junit !== undefined) files.junit = junit;
    if (messages !== undefined) files.messages = messages;
    for (const c of captures.files) {
      // Its own folder, or a folder of the same name elsewhere (e.g. captures/iphone-memory/).
      const dirs = c.split('/').slice(0, -1);
      const mine = folder === '' ? !shared : c.startsWith(`${folder}/`) || dirs.includes(path.posix.basename(folder));
      if (mine && !claimed.has(c)) {
        files.captures.push(c);
        claimed.add(c);
      }
    }
    runs.set(run.cell, files);
  });
  return { runs, otherCaptures: captures.files.filter((c) => !claimed.has(c)), unlisted: captures.unlisted };
}

/** A relative URL for a relative POSIX path, each segment percent-encoded. */
export function relativeHref(rel: string): string {
  return rel
    .split('/')
    .map((segment) => encodeURIComponent(segment))
    .join('/');
}

function link(rel: string, text: string, kind: string): SafeHtml {
  return html`<a class="file-link" data-kind="${kind}" href="${relativeHref(rel)}">${text}</a>`;
}

function fileLinks(files: RunFiles | undefined): SafeHtml {
  if (files === undefined) return html`<span class="muted">none found</span>`;
  const links: SafeHtml[] = [];
  if (files.cucumberHtml !== undefined) links.push(link(files.cucumberHtml, 'cucumber report', 'cucumber'));
  if (files.junit !== undefined) links.push(link(files.junit, 'JUnit XML', 'junit'));
  if (files.messages !== undefined) links.push(link(files.messages, 'message stream', 'messages'));
  const captures =
    files.captures.length === 0
      ? ''
      : html`<li><details class="captures"><summary>${plural(files.captures.length, 'capture')}</summary><ul class="files">${files.captures.map(
          (c) => html`<li>${link(c, path.posix.basename(c), 'capture')}</li>`,
        )}</ul></details></li>`;
  if (links.length === 0 && captures === '') return html`<span class="muted">none found</span>`;
  return html`<ul class="files">${links.map((l) => html`<li>${l}</li>`)}${captures}</ul>`;
}

/** The runs table (one row per column, with its seed, scenario counts and file links) and any other captures. */
export function renderRuns(report: CompatReport, columns: readonly ColumnInfo[], files: ReportFiles): SafeHtml {
  const rows = columns.map((column) => {
    const run = column.run;
    if (run === undefined) return html`<tr><th scope="row">${columnLabel(column)}</th><td colspan="4" class="muted">No run in this report describes this column.</td></tr>`;
    const c = run.counts;
    const bad = c.failed + c.ambiguous + c.undefined;
    const skipped = c.skipped + c.pending + c.unknown + c.notExecuted;
    return html`<tr data-column="${column.key}"><th scope="row">${columnLabel(column)}<br><span class="muted">profile <code>${run.phone.id}</code></span></th>
<td class="num">${run.seed}</td>
<td>${plural(c.total, 'scenario')}: ${c.passed} passed${bad > 0 ? `, ${bad} failed` : ''}${skipped > 0 ? `, ${skipped} not run` : ''}${
      run.truncated ? html` <span class="warn">(cut short)</span>` : ''
    }</td>
<td>${run.startedAt === undefined ? '—' : formatDate(run.startedAt)}${run.tags === undefined ? '' : html`<br><span class="muted">tags <code>${run.tags}</code></span>`}</td>
<td>${fileLinks(files.runs.get(run.cell))}</td></tr>`;
  });
  const other =
    files.otherCaptures.length > 0
      ? html`<details class="captures"><summary>Other captures: ${plural(files.otherCaptures.length, 'file')}</summary><ul class="files">${files.otherCaptures.map(
          (c) => html`<li>${link(c, c, 'capture')}</li>`,
        )}</ul></details>`
      : '';
  const notesByTransport = new Map<string, string[]>();
  for (const r of report.runs) if (r.transportNotes && !notesByTransport.has(r.transport)) notesByTransport.set(r.transport, r.transportNotes);
  const notes = [...notesByTransport].map(
    ([transport, lines]) => html`<div class="transport-notes" data-transport="${transport}"><p><strong>Over ${transport}:</strong></p><ul>${lines.map((l) => html`<li>${l}</li>`)}</ul></div>`,
  );
  const unlisted = files.unlisted > 0 ? html`<p class="muted">${plural(files.unlisted, 'more capture')} not listed.</p>` : '';
  return html`<div class="table-wrap"><table class="data runs">
<thead><tr><th scope="col">Column</th><th scope="col">Seed</th><th scope="col">Scenarios</th><th scope="col">Started</th><th scope="col">Files</th></tr></thead>
<tbody>${rows}</tbody></table></div>
${notes}${other}${unlisted}
<p class="muted small">Cucumber's own files and the captures are raw: unlike this page they are not redacted. Open the captures in Wireshark. The same seed replays a run exactly.</p>`;
}
