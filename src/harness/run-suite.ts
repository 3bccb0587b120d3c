/**
 * Runs the conformance suite: cucumber once per phone profile × transport,
 * in this process, each run writing its message stream, JUnit XML and HTML
 * into the report directory; then builds the compatibility report from the
 * message streams, writes it, and points `reports/latest` at it.
 */
import { transportNotes } from './transport-notes';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { Writable } from 'node:stream';
import type { IConfiguration, IRunOptions, ISupportCodeLibrary } from '@cucumber/cucumber/api';
import { Clock, RealClock } from '../link/clock';
import { assembleReport, RunDescription } from './report/assemble';
import { CellData, cellFromMessagesFile } from './report/from-messages';
import { redactCucumberOutputs } from './report/redact-cucumber';
import { projectRoot, toolVersion } from './report/tool-info';
import { CompatReport } from './report/types';
import { createRunDir, CUCUMBER_FILES, makeRunId, safeName, writeReport } from './report/write';

/** Transports a suite can run over; the one place that lists them ("hci" comes later). */
export { TRANSPORTS } from './testbed';
import { TRANSPORTS as KNOWN_TRANSPORTS } from './testbed';
export const DEFAULT_TRANSPORT = 'memory';
export const DEFAULT_PHONE = 'iphone';
/** Relative to the project root. */
export const DEFAULT_FEATURE_PATHS: readonly string[] = ['features/**/*.feature'];
export const DEFAULT_SUPPORT_PATHS: readonly string[] = ['src/harness/world.ts', 'features/steps/**/*.ts'];
export const DEFAULT_PROFILES_DIR = 'fixtures/phones';

/** A problem with what the suite was asked to run; `usage` is true when the caller's input is at fault. */
export class SuiteError extends Error {
  readonly code: string;
  readonly usage: boolean;

  constructor(code: string, message: string, usage: boolean) {
    super(message);
    this.name = 'SuiteError';
    this.code = code;
    this.usage = usage;
  }
}

export interface RunSuiteOptions {
  /** Profile names (fixtures/phones/<name>.json) or paths to profile files. */
  phones: readonly string[];
  transports: readonly string[];
  /** A cucumber tag expression selecting scenarios. */
  tags?: string;
  /** The reports folder; the run goes to `<outDir>/<run-id>/`. */
  outDir: string;
  /** Print cucumber's summary only, not its progress dots. */
  quiet?: boolean;
  seed: number;
  /** Mask phone numbers and quoted text in compat.json/compat.md and in cucumber's files. Default true. */
  redact?: boolean;
  /** Point `<outDir>/latest` at this run. Default true. */
  updateLatest?: boolean;
  /** Overrides for tests: feature files, support code and profiles to use, and where cucumber runs. */
  featurePaths?: readonly string[];
  supportPaths?: readonly string[];
  profilesDir?: string;
  cwd?: string;
  stdout?: Writable;
  stderr?: Writable;
  /** Wall clock for the report's times. */
  clock?: Clock;
  /** Write one btsnoop capture per scenario into this folder (a sub-folder per phone × transport when there are several). */
  capture?: string;
}

export interface RunSuiteResult {
  report: CompatReport;
  dir: string;
  /** True when no scenario failed. */
  ok: boolean;
}

export interface PhoneTarget {
  id: string;
  name: string;
  /** What the World receives as `phone`: the profile name, or the absolute path of a profile file. */
  worldValue: string;
}

const TAG_SAFE = /^[A-Za-z0-9_.+-]+$/;

/** Profile names in a profiles directory (its *.json files), sorted. */
export function knownPhoneProfiles(profilesDir: string): string[] {
  if (!existsSync(profilesDir)) return [];
  return readdirSync(profilesDir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -'.json'.length))
    .filter((name) => TAG_SAFE.test(name))
    .sort();
}

function profileName(file: string, fallback: string): string {
  try {
    const value: unknown = JSON.parse(readFileSync(file, 'utf8'));
    if (typeof value === 'object' && value !== null) {
      const { name, displayName } = value as { name?: unknown; displayName?: unknown };
      if (typeof name === 'string' && name !== '') return name;
      if (typeof displayName === 'string' && displayName !== '') return displayName;
    }
  } catch {
    // The World reports a broken profile; the report just uses the id.
  }
  return fallback;
}

/** Resolves `--phone` input: a profile name from `profilesDir`, or a path to a profile file. */
export function resolvePhone(spec: string, profilesDir: string): PhoneTarget {
  if (spec.includes('/') || spec.includes('\\') || spec.endsWith('.json')) {
    const file = path.resolve(spec);
    if (!existsSync(file)) throw new SuiteError('suite.unknown-phone', `no phone profile file at ${spec}`, true);
    const id = safeName(path.basename(file, '.json'));
    return { id, name: profileName(file, id), worldValue: file };
  }
  const known = knownPhoneProfiles(profilesDir);
  if (!known.includes(spec)) {
    const list = known.length > 0 ? known.join(', ') : 'none yet';
    throw new SuiteError('suite.unknown-phone', `unknown phone profile "${spec}" (known: ${list}; or give a path to a profile file)`, true);
  }
  return { id: spec, name: profileName(path.join(profilesDir, `${spec}.json`), spec), worldValue: spec };
}

/** Throws a usage SuiteError for a transport not in TRANSPORTS. */
export function checkTransport(transport: string): void {
  if (!(KNOWN_TRANSPORTS as readonly string[]).includes(transport)) {
    throw new SuiteError('suite.unknown-transport', `unknown transport "${transport}" (available: ${KNOWN_TRANSPORTS.join(', ')})`, true);
  }
}

/** The user's tag expression AND "not @phone:<p>" for every other profile AND "not @transport:<t>" for every other transport. */
export function suiteTagExpression(options: {
  tags?: string;
  phone: string;
  transport: string;
  knownPhones: readonly string[];
  knownTransports: readonly string[];
}): string {
  const parts: string[] = [];
  if (options.tags !== undefined && options.tags.trim() !== '') parts.push(`(${options.tags.trim()})`);
  for (const p of options.knownPhones) if (p !== options.phone) parts.push(`not @phone:${p}`);
  for (const t of options.knownTransports) if (t !== options.transport) parts.push(`not @transport:${t}`);
  return parts.join(' and ');
}

function tsNodeRegistered(): boolean {
  return (process as unknown as Record<symbol, unknown>)[Symbol.for('ts-node.register.instance')] !== undefined;
}

// Cucumber registers step definitions as their files are first required, so a
// second run in the same process must reuse the library the first one built.
const supportLibraries = new Map<string, ISupportCodeLibrary>();

function errorMessage(err: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = err; e instanceof Error && parts.length < 4; e = e.cause) parts.push(e.message);
  return parts.length > 0 ? parts.join(': ') : String(err);
}

interface CellRun {
  cwd: string;
  featurePaths: string[];
  supportPaths: string[];
  tagExpression: string;
  worldParameters: { phone: string; transport: string; seed: number; capture?: string };
  dir: string;
  quiet: boolean;
  stdout?: Writable;
  stderr?: Writable;
}

async function runCucumberOnce(run: CellRun): Promise<void> {
  const formats: IConfiguration['format'] = [
    run.quiet ? 'summary' : 'progress',
    ['message', path.join(run.dir, CUCUMBER_FILES.messages)],
    ['junit', path.join(run.dir, CUCUMBER_FILES.junit)],
    ['html', path.join(run.dir, CUCUMBER_FILES.html)],
  ];
  const requireModule = tsNodeRegistered() ? [] : ['ts-node/register/transpile-only'];
  const environment = { cwd: run.cwd, ...(run.stdout ? { stdout: run.stdout } : {}), ...(run.stderr ? { stderr: run.stderr } : {}) };
  try {
    // Loaded here, not at the top: cucumber is slow to load and the CLI imports this file for every command line.
    const { loadConfiguration, runCucumber } = await import('@cucumber/cucumber/api');
    const { runConfiguration } = await loadConfiguration(
      {
        file: false,
        provided: {
          paths: run.featurePaths,
          require: run.supportPaths,
          requireModule,
          tags: run.tagExpression,
          worldParameters: run.worldParameters,
          format: formats,
        },
      },
      environment,
    );
    const key = JSON.stringify([run.cwd, run.supportPaths, requireModule]);
    const runOptions: IRunOptions = { ...runConfiguration, support: supportLibraries.get(key) ?? runConfiguration.support };
    const result = await runCucumber(runOptions, environment);
    supportLibraries.set(key, result.support);
  } catch (err) {
    const message = errorMessage(err);
    if (/Tag expression .* could not be parsed/.test(message)) {
      throw new SuiteError('suite.bad-tags', message.replace(/^.*?(Tag expression)/, '$1'), true);
    }
    throw new SuiteError('suite.cucumber', `cucumber failed: ${message}`, false);
  }
}

/** Redacts a cell's cucumber files; a failure leaves them raw and fails the run. */
async function redactCellOutputs(cellDir: string): Promise<void> {
  try {
    await redactCucumberOutputs(cellDir);
  } catch (err) {
    throw new SuiteError('suite.redact', `could not redact the cucumber files in ${cellDir}: ${errorMessage(err)}`, false);
  }
}

function checkOptions(options: RunSuiteOptions): void {
  if (options.phones.length === 0) throw new SuiteError('suite.no-phone', 'no phone profile given', true);
  if (options.transports.length === 0) throw new SuiteError('suite.no-transport', 'no transport given', true);
  if (!Number.isSafeInteger(options.seed) || options.seed < 0) {
    throw new SuiteError('suite.bad-seed', `the seed must be a whole number >= 0, not ${options.seed}`, true);
  }
  for (const t of options.transports) checkTransport(t);
}

export async function runSuite(options: RunSuiteOptions): Promise<RunSuiteResult> {
  checkOptions(options);
  const root = projectRoot();
  const cwd = options.cwd ?? root;
  const profilesDir = path.resolve(root, options.profilesDir ?? DEFAULT_PROFILES_DIR);
  const phones = [...new Set(options.phones)].map((p) => resolvePhone(p, profilesDir));
  const transports = [...new Set(options.transports)];
  const knownPhones = knownPhoneProfiles(profilesDir);
  const featurePaths = (options.featurePaths ?? DEFAULT_FEATURE_PATHS).map((p) => path.resolve(root, p));
  // Literal paths that do not exist yet are left out; globs that match nothing are harmless.
  const supportPaths = (options.supportPaths ?? DEFAULT_SUPPORT_PATHS)
    .map((p) => path.resolve(root, p))
    .filter((p) => /[*?{[]/.test(p) || existsSync(p));
  const redact = options.redact ?? true;
  const clock = options.clock ?? new RealClock();
  const startedAt = clock.date();
  const t0 = clock.now();

  const outDir = path.resolve(options.outDir);
  const { dir, runId } = createRunDir(outDir, makeRunId(startedAt, phones.map((p) => p.id), transports));
  const single = phones.length * transports.length === 1;
  const runs: Array<{ run: RunDescription; cell: CellData }> = [];

  try {
    for (const phone of phones) {
      for (const transport of transports) {
        const sub = single ? '' : safeName(`${phone.id}-${transport}`);
        const cellDir = path.join(dir, sub);
        mkdirSync(cellDir, { recursive: true });
        const tagExpression = suiteTagExpression({ tags: options.tags, phone: phone.id, transport, knownPhones, knownTransports: KNOWN_TRANSPORTS });
        if (!options.quiet || !single) (options.stdout ?? process.stdout).write(`\n${phone.name} (${phone.id}) over ${transport}, seed ${options.seed}\n`);
        await runCucumberOnce({
          cwd,
          featurePaths,
          supportPaths,
          tagExpression,
          worldParameters: {
            phone: phone.worldValue,
            transport,
            seed: options.seed,
            ...(options.capture !== undefined ? { capture: path.resolve(options.capture, sub) } : {}),
          },
          dir: cellDir,
          quiet: options.quiet === true,
          ...(options.stdout ? { stdout: options.stdout } : {}),
          ...(options.stderr ? { stderr: options.stderr } : {}),
        });
        const rel = (file: string): string => (sub === '' ? file : path.posix.join(sub, file));
        const run: RunDescription = {
          phone: { id: phone.id, name: phone.name },
          transport,
          seed: options.seed,
          artifacts: { messages: rel(CUCUMBER_FILES.messages), junit: rel(CUCUMBER_FILES.junit), html: rel(CUCUMBER_FILES.html) },
          transportNotes: transportNotes(transport),
        };
        if (tagExpression !== '') run.tags = tagExpression;
        runs.push({ run, cell: cellFromMessagesFile(path.join(cellDir, CUCUMBER_FILES.messages), { redact }) });
        if (redact) await redactCellOutputs(cellDir);
      }
    }
  } catch (err) {
    // A run refused for bad input leaves no directory behind; after a crash
    // the cucumber files stay for whoever debugs it.
    if (err instanceof SuiteError && err.usage) rmSync(dir, { recursive: true, force: true });
    throw err;
  }

  const report = assembleReport({
    runId,
    toolVersion: toolVersion(),
    startedAt: startedAt.toISOString(),
    finishedAt: clock.date().toISOString(),
    wallTimeMs: Math.round(clock.now() - t0),
    redacted: redact,
    runs,
  });
  writeReport({ outDir, report, redact, updateLatest: options.updateLatest !== false });
  const ok = report.runs.every((r) => r.counts.failed + r.counts.ambiguous + r.counts.undefined === 0 && !r.truncated);
  return { report, dir, ok };
}
