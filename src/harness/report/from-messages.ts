/**
 * Reads one cucumber run's NDJSON message stream (the `message` formatter's
 * output) and turns it into the data of one report column: each executed
 * scenario with its status, verdict, capability, test IDs, figures and first
 * failure line, plus the run's counts. A stream cut off mid-line (a crashed or
 * interrupted run) is read up to its last whole message.
 */
import { readFileSync, statSync } from 'node:fs';
import type { Attachment, Envelope, Pickle, TestCase, TestStepResult, Timestamp } from '@cucumber/messages';
import { areaFromTags, UNTAGGED_CAPABILITY } from './capabilities';
import { ReportError } from './errors';
import { redactText } from './redact';
import { AttachedVerdict, Figure, ScenarioCounts, ScenarioResult, ScenarioStatus } from './types';
import { isAttachedVerdict, scenarioVerdict, worstVerdict } from './verdict';

export const VERDICT_MEDIA_TYPE = 'application/vnd.phonebridge.verdict+json';
export const FIGURE_MEDIA_TYPE = 'application/vnd.phonebridge.figure+json';

/** Largest message file we read. */
export const MAX_MESSAGES_BYTES = 256 * 1024 * 1024;
/** Figures kept per scenario; more are dropped with a warning. */
export const MAX_FIGURES_PER_SCENARIO = 100;
/** Warnings kept per stream; the rest are counted in one last warning. */
export const MAX_WARNINGS = 100;
/** Longest failure message or note kept, in characters. */
export const MAX_TEXT_CHARS = 500;

/** A scenario of one column, with the row it belongs to. */
export interface CellScenario extends ScenarioResult {
  /** The `@cap:` id, or "untagged". */
  capability: string;
  /** Area from the scenario's tags, if any. */
  area?: string;
  /** True for a `@limitation` scenario. */
  limitation: boolean;
}

/** Everything one message stream says about one phone/transport column. */
export interface CellData {
  scenarios: CellScenario[];
  counts: ScenarioCounts;
  startedAt?: string;
  finishedAt?: string;
  success: boolean;
  truncated: boolean;
  warnings: string[];
}

export interface FromMessagesOptions {
  /** Mask phone numbers and quoted text in notes and messages. Default true. */
  redact?: boolean;
}

export interface ParsedStream {
  envelopes: Envelope[];
  /** True when the last line was cut off and skipped. */
  truncated: boolean;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Splits NDJSON into envelopes; an unparsable last line without a newline is a truncation, anywhere else an error. */
export function parseNdjson(text: string): ParsedStream {
  const lines = text.split('\n');
  const envelopes: Envelope[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (err) {
      if (i === lines.length - 1) return { envelopes, truncated: true };
      throw new ReportError('report.bad-ndjson', `message stream line ${i + 1} is not JSON: ${(err as Error).message}`, true);
    }
    if (!isObject(value)) throw new ReportError('report.bad-ndjson', `message stream line ${i + 1} is not a message object`, true);
    envelopes.push(value as Envelope);
  }
  return { envelopes, truncated: false };
}

/** Reads and parses a message file (see parseNdjson). */
export function readMessagesFile(file: string): ParsedStream {
  let size: number;
  try {
    size = statSync(file).size;
  } catch {
    throw new ReportError('report.missing', `no cucumber message stream at ${file}`, true);
  }
  if (size > MAX_MESSAGES_BYTES) {
    throw new ReportError('report.too-large', `${file} is ${size} bytes; the limit is ${MAX_MESSAGES_BYTES}`, true);
  }
  return parseNdjson(readFileSync(file, 'utf8'));
}

/** Builds a column from a message file. */
export function cellFromMessagesFile(file: string, options: FromMessagesOptions = {}): CellData {
  const parsed = readMessagesFile(file);
  return cellFromEnvelopes(parsed.envelopes, { ...options, truncated: parsed.truncated });
}

// Cucumber's own order of step statuses, best to worst.
const STATUS_ORDER = ['UNKNOWN', 'PASSED', 'SKIPPED', 'PENDING', 'UNDEFINED', 'AMBIGUOUS', 'FAILED'];

function statusRank(status: unknown): number {
  const i = STATUS_ORDER.indexOf(String(status));
  return i < 0 ? 0 : i;
}

interface Attempt {
  id: string;
  attempt: number;
  finished: boolean;
  results: Map<string, TestStepResult>;
  attachments: Attachment[];
}

function isoTime(ts: Timestamp | undefined): string | undefined {
  if (!ts || typeof ts.seconds !== 'number' || typeof ts.nanos !== 'number') return undefined;
  const date = new Date(ts.seconds * 1000 + Math.floor(ts.nanos / 1e6));
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

function durationMs(result: TestStepResult): number {
  const d = result.duration;
  if (!d || typeof d.seconds !== 'number' || typeof d.nanos !== 'number') return 0;
  return d.seconds * 1000 + d.nanos / 1e6;
}

/** The first non-blank line of `text`, shortened to MAX_TEXT_CHARS. */
export function firstLine(text: string): string {
  const line = text.split('\n').find((l) => l.trim() !== '') ?? '';
  const trimmed = line.trim();
  return trimmed.length > MAX_TEXT_CHARS ? `${trimmed.slice(0, MAX_TEXT_CHARS - 1)}…` : trimmed;
}

function attachmentText(attachment: Attachment): string {
  return String(attachment.contentEncoding) === 'BASE64'
    ? Buffer.from(attachment.body, 'base64').toString('utf8')
    : attachment.body;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function optionalNumber(value: unknown): number | undefined | null {
  if (value === undefined) return undefined;
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/** A figure attachment's body as a Figure, or undefined when it is malformed. */
export function parseFigure(value: unknown): Figure | undefined {
  if (!isObject(value)) return undefined;
  const { name, value: v, unit, predicted, bound, lowerBound, note } = value;
  if (typeof name !== 'string' || name === '' || typeof unit !== 'string') return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v)) return undefined;
  const p = optionalNumber(predicted);
  const b = optionalNumber(bound);
  const lb = optionalNumber(lowerBound);
  if (p === null || b === null || lb === null) return undefined;
  if (note !== undefined && typeof note !== 'string') return undefined;
  const figure: Figure = { name, value: v, unit };
  if (p !== undefined) figure.predicted = p;
  if (b !== undefined) figure.bound = b;
  if (lb !== undefined) figure.lowerBound = lb;
  if (note !== undefined) figure.note = note;
  return figure;
}

/** A verdict attachment's body, or undefined when it is malformed. */
export function parseVerdictAttachment(value: unknown): { verdict: AttachedVerdict; note?: string } | undefined {
  if (!isObject(value) || !isAttachedVerdict(value.verdict)) return undefined;
  if (value.note !== undefined && typeof value.note !== 'string') return undefined;
  return value.note === undefined ? { verdict: value.verdict } : { verdict: value.verdict, note: value.note };
}

function emptyCounts(): ScenarioCounts {
  return { total: 0, passed: 0, failed: 0, ambiguous: 0, undefined: 0, pending: 0, skipped: 0, unknown: 0, notExecuted: 0 };
}

function countStatus(counts: ScenarioCounts, status: ScenarioStatus): void {
  counts.total++;
  if (status === 'not-executed') counts.notExecuted++;
  else counts[status]++;
}

/** Builds a column from parsed envelopes. `truncated` says the stream's last line was cut off. */
export function cellFromEnvelopes(
  envelopes: readonly Envelope[],
  options: FromMessagesOptions & { truncated?: boolean } = {},
): CellData {
  const redact = options.redact ?? true;
  const clean = (text: string): string => (redact ? redactText(text) : text);
  const pickles = new Map<string, Pickle>();
  const testCases: TestCase[] = [];
  const attemptsById = new Map<string, Attempt>();
  const latestByCase = new Map<string, Attempt>();
  const warnings: string[] = [];
  let dropped = 0;
  const warn = (text: string): void => {
    if (warnings.length < MAX_WARNINGS) warnings.push(text);
    else dropped++;
  };
  let startedAt: string | undefined;
  let finishedAt: string | undefined;
  let runFinished = false;
  let success = false;

  for (const env of envelopes) {
    if (env.pickle && typeof env.pickle.id === 'string') pickles.set(env.pickle.id, env.pickle);
    else if (env.testCase && typeof env.testCase.id === 'string') testCases.push(env.testCase);
    else if (env.testCaseStarted) {
      const s = env.testCaseStarted;
      const attempt: Attempt = { id: s.id, attempt: s.attempt ?? 0, finished: false, results: new Map(), attachments: [] };
      attemptsById.set(s.id, attempt);
      const previous = latestByCase.get(s.testCaseId);
      if (!previous || attempt.attempt >= previous.attempt) latestByCase.set(s.testCaseId, attempt);
    } else if (env.testStepFinished) {
      const f = env.testStepFinished;
      attemptsById.get(f.testCaseStartedId)?.results.set(f.testStepId, f.testStepResult);
    } else if (env.testCaseFinished) {
      const attempt = attemptsById.get(env.testCaseFinished.testCaseStartedId);
      if (attempt) attempt.finished = true;
    } else if (env.attachment && typeof env.attachment.testCaseStartedId === 'string') {
      attemptsById.get(env.attachment.testCaseStartedId)?.attachments.push(env.attachment);
    } else if (env.testRunStarted) {
      startedAt = isoTime(env.testRunStarted.timestamp);
    } else if (env.testRunFinished) {
      runFinished = true;
      success = env.testRunFinished.success === true;
      finishedAt = isoTime(env.testRunFinished.timestamp);
    }
  }

  const counts = emptyCounts();
  const scenarios: CellScenario[] = [];
  for (const testCase of testCases) {
    const pickle = pickles.get(testCase.pickleId);
    if (!pickle) {
      warn(`test case ${testCase.id} refers to a scenario missing from the message stream; left out`);
      continue;
    }
    const scenario = buildScenario(pickle, testCase, latestByCase.get(testCase.id), clean, warn);
    countStatus(counts, scenario.status);
    scenarios.push(scenario);
  }
  if (dropped > 0) warnings.push(`${dropped} more warnings left out`);
  const truncated = options.truncated === true || !runFinished;
  const cell: CellData = { scenarios, counts, success: success && !truncated, truncated, warnings };
  if (startedAt !== undefined) cell.startedAt = startedAt;
  if (finishedAt !== undefined) cell.finishedAt = finishedAt;
  return cell;
}

function stepText(pickle: Pickle, testCase: TestCase, testStepId: string): string {
  const step = testCase.testSteps.find((s) => s.id === testStepId);
  if (!step) return 'a step';
  if (step.pickleStepId === undefined) return 'a hook';
  const pickleStep = pickle.steps.find((s) => s.id === step.pickleStepId);
  return pickleStep ? pickleStep.text : 'a step';
}

function buildScenario(
  pickle: Pickle,
  testCase: TestCase,
  attempt: Attempt | undefined,
  clean: (text: string) => string,
  warn: (text: string) => void,
): CellScenario {
  const tags = pickle.tags.map((t) => t.name);
  const capTags = tags.filter((t) => t.startsWith('@cap:')).map((t) => t.slice('@cap:'.length));
  if (capTags.length === 0) warn(`scenario "${pickle.name}" has no @cap tag; listed under "${UNTAGGED_CAPABILITY}"`);
  if (capTags.length > 1) warn(`scenario "${pickle.name}" has ${capTags.length} @cap tags; listed under the first, ${capTags[0]}`);
  const limitation = tags.includes('@limitation');

  let status: ScenarioStatus = 'not-executed';
  let message: string | undefined;
  let duration = 0;
  let attached: AttachedVerdict | undefined;
  let note: string | undefined;
  const figures: Figure[] = [];

  if (attempt) {
    // The worst step result, and the first step (in scenario order) that has it.
    let worst = -1;
    let worstStep: { id: string; result: TestStepResult } | undefined;
    for (const step of testCase.testSteps) {
      const result = attempt.results.get(step.id);
      if (!result) continue;
      duration += durationMs(result);
      const rank = statusRank(result.status);
      if (rank > worst) {
        worst = rank;
        worstStep = { id: step.id, result };
      }
    }
    const worstName = worst < 0 ? 'UNKNOWN' : STATUS_ORDER[worst];
    const failedBadly = worstName === 'FAILED' || worstName === 'AMBIGUOUS' || worstName === 'UNDEFINED';
    if (attempt.finished || failedBadly) status = worstName.toLowerCase() as ScenarioStatus;
    else message = 'did not finish: the message stream ends before this scenario does';
    if (worstStep && status !== 'passed' && status !== 'not-executed') {
      const text = stepText(pickle, testCase, worstStep.id);
      const detail = worstStep.result.exception?.message ?? worstStep.result.message;
      if (status === 'undefined') message = `undefined step: ${text}`;
      else if (status === 'pending') message = `pending step: ${text}`;
      else if (status === 'skipped') message = `skipped at: ${text}`;
      else if (detail !== undefined && firstLine(detail) !== '') message = firstLine(detail);
      else message = `${status} at: ${text}`;
    }

    let malformedVerdict = false;
    const verdicts: AttachedVerdict[] = [];
    const notes: string[] = [];
    for (const attachment of attempt.attachments) {
      if (attachment.mediaType === VERDICT_MEDIA_TYPE) {
        const parsed = parseVerdictAttachment(parseJson(attachmentText(attachment)));
        if (!parsed) {
          malformedVerdict = true;
          continue;
        }
        verdicts.push(parsed.verdict);
        if (parsed.note !== undefined) notes.push(parsed.note);
      } else if (attachment.mediaType === FIGURE_MEDIA_TYPE) {
        const figure = parseFigure(parseJson(attachmentText(attachment)));
        if (!figure) warn(`scenario "${pickle.name}" attached a malformed figure; left out`);
        else if (figures.length >= MAX_FIGURES_PER_SCENARIO) warn(`scenario "${pickle.name}" attached more than ${MAX_FIGURES_PER_SCENARIO} figures; the rest are left out`);
        else figures.push(figure.note === undefined ? figure : { ...figure, note: clean(firstLine(figure.note)) });
      }
    }
    attached = worstVerdict(verdicts);
    if (notes.length > 0) note = clean(firstLine(notes.join('; ')));
    if (malformedVerdict && status === 'passed') {
      // A verdict we cannot read could hide a deviation: do not call the scenario supported.
      status = 'failed';
      message = 'the scenario attached a malformed verdict';
      warn(`scenario "${pickle.name}" attached a malformed verdict; counted as failed`);
    }
  }

  if (!attempt) message = 'did not start';
  const verdict = scenarioVerdict(status, attached, limitation);
  const scenario: CellScenario = {
    name: pickle.name,
    uri: pickle.uri,
    ids: tags.filter((t) => t.includes('/')).map((t) => (t.startsWith('@') ? t.slice(1) : t)),
    tags,
    status,
    verdict,
    durationMs: Math.round(duration * 10) / 10,
    figures,
    capability: capTags[0] ?? UNTAGGED_CAPABILITY,
    limitation,
  };
  if (pickle.location && typeof pickle.location.line === 'number') scenario.line = pickle.location.line;
  const area = areaFromTags(tags);
  if (area !== undefined) scenario.area = area;
  if (note !== undefined) scenario.note = note;
  if (message !== undefined) scenario.message = clean(message);
  return scenario;
}
