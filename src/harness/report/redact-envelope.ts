/**
 * Redacts the free text of cucumber messages, one envelope at a time, with
 * `redactText`: step texts, doc strings, table cells, descriptions and
 * comments of gherkin documents and pickles, the feature source, text and
 * JSON attachments, failure messages and stack traces. Names, keywords, tags,
 * ids and step definition patterns are ours and stay. Only string values
 * change, so every envelope keeps its @cucumber/messages shape; the argument
 * offsets of a test step are moved to match its redacted step text, so
 * cucumber's HTML report still highlights the arguments.
 */
import type { Envelope } from '@cucumber/messages';
import { DIGIT_MASK, MASK, redactText } from './redact';

/** Pickle step texts remembered for moving argument offsets; beyond this, arguments are just masked. */
export const MAX_TRACKED_STEPS = 200_000;
/** Deepest JSON attachment redacted value by value; deeper ones are redacted as plain text. */
export const MAX_JSON_DEPTH = 64;

type Json = unknown;
type Path = readonly string[];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Replaces, through `redactText`, every string found at `path` ("*" walks an array). */
function redactAt(node: unknown, path: Path, from = 0): void {
  const key = path[from];
  if (key === undefined) return;
  if (key === '*') {
    if (Array.isArray(node)) for (const item of node) redactAt(item, path, from + 1);
    return;
  }
  if (!isRecord(node)) return;
  if (from === path.length - 1) {
    const value = node[key];
    if (typeof value === 'string') node[key] = redactText(value);
    return;
  }
  redactAt(node[key], path, from + 1);
}

function paths(prefix: string, suffixes: readonly string[]): string[] {
  return suffixes.map((s) => (prefix === '' ? s : `${prefix}.${s}`));
}

// The texts of a gherkin Step; its keyword stays.
const STEP = ['text', 'docString.content', 'dataTable.rows.*.cells.*.value'];
const STEPS = paths('steps.*', STEP);
const SCENARIO = ['description', ...STEPS, 'examples.*.description', 'examples.*.tableHeader.cells.*.value', 'examples.*.tableBody.*.cells.*.value'];
const BACKGROUND = ['description', ...STEPS];
const CHILD = [...paths('background', BACKGROUND), ...paths('scenario', SCENARIO)];
const FEATURE = ['description', ...paths('children.*', CHILD), 'children.*.rule.description', ...paths('children.*.rule.children.*', CHILD)];
const RESULT = ['message', 'exception.message', 'exception.stackTrace'];

/** Per envelope type, the paths of the strings that can hold personal data. */
const FIELDS: Readonly<Record<string, readonly Path[]>> = Object.fromEntries(
  Object.entries({
    source: ['data'],
    gherkinDocument: [...paths('feature', FEATURE), 'comments.*.text'],
    pickle: paths('steps.*', ['text', 'argument.docString.content', 'argument.dataTable.rows.*.cells.*.value']),
    testStepFinished: paths('testStepResult', RESULT),
    testRunHookFinished: paths('result', RESULT),
    testRunFinished: RESULT,
    parseError: ['message'],
  }).map(([type, list]) => [type, list.map((p) => p.split('.'))]),
);

/** True for media types whose body is text: text/*, JSON and XML. */
export function isTextMediaType(mediaType: string): boolean {
  const type = mediaType.split(';')[0].trim().toLowerCase();
  return type.startsWith('text/') || type === 'application/json' || type.endsWith('+json') || type === 'application/xml' || type.endsWith('+xml');
}

function isJsonMediaType(mediaType: string): boolean {
  const type = mediaType.split(';')[0].trim().toLowerCase();
  return type === 'application/json' || type.endsWith('+json');
}

class TooDeep extends Error {}

function redactJson(value: Json, depth: number): Json {
  if (depth > MAX_JSON_DEPTH) throw new TooDeep();
  if (typeof value === 'string') return redactText(value);
  if (Array.isArray(value)) return value.map((v) => redactJson(v, depth + 1));
  if (isRecord(value)) {
    const out: Record<string, Json> = {};
    for (const [k, v] of Object.entries(value)) out[redactText(k)] = redactJson(v, depth + 1);
    return out;
  }
  return value;
}

/** A text body redacted; JSON stays JSON (keys and string values redacted), anything else as plain text. */
export function redactBody(body: string, mediaType: string): string {
  if (isJsonMediaType(mediaType)) {
    try {
      return JSON.stringify(redactJson(JSON.parse(body) as Json, 0));
    } catch {
      // Not JSON after all, or nested too deep: plain text it is.
    }
  }
  return redactText(body);
}

function redactAttachment(attachment: unknown): void {
  if (!isRecord(attachment)) return;
  const { body, mediaType, contentEncoding } = attachment;
  if (typeof body !== 'string' || typeof mediaType !== 'string' || !isTextMediaType(mediaType)) return;
  if (contentEncoding !== 'BASE64') {
    attachment.body = redactBody(body, mediaType);
    return;
  }
  const bytes = Buffer.from(body, 'base64');
  const text = bytes.toString('utf8');
  // Bytes that are not UTF-8 are not the text the media type claims; they stay as they are.
  if (!Buffer.from(text, 'utf8').equals(bytes)) return;
  attachment.body = Buffer.from(redactBody(text, mediaType), 'utf8').toString('base64');
}

const CLOSING_QUOTE: Readonly<Record<string, string>> = { '"': '"', '“': '”', '‘': '’', "'": "'" };

function isDigit(ch: string | undefined): boolean {
  return ch !== undefined && ch >= '0' && ch <= '9';
}

/**
 * Where each position of `original` (0..length) went in `redacted`, its
 * redaction: digits masked one for one, quoted text collapsed to one mask
 * character. Undefined when the two do not line up that way.
 */
export function alignRedaction(original: string, redacted: string): number[] | undefined {
  const map: number[] = new Array<number>(original.length + 1);
  let i = 0;
  let j = 0;
  while (i < original.length) {
    const r = redacted[j];
    if (r === undefined) return undefined;
    if (r === MASK && i > 0 && j > 0 && original[i - 1] === redacted[j - 1]) {
      const close = CLOSING_QUOTE[redacted[j - 1]];
      const end = close === undefined ? -1 : original.indexOf(close, i);
      if (close !== undefined && end >= 0 && redacted[j + 1] === close) {
        for (let k = i; k < end; k++) map[k] = j;
        i = end;
        j++;
        continue;
      }
    }
    if (original[i] !== r && !(r === DIGIT_MASK && isDigit(original[i]))) return undefined;
    map[i++] = j++;
  }
  if (j !== redacted.length) return undefined;
  map[original.length] = j;
  return map;
}

interface StepText {
  original: string;
  redacted: string;
  /** Computed on first use; null when the texts do not line up. */
  map?: number[] | null;
}

/**
 * Redacts envelopes in stream order, in place. It remembers pickle step
 * texts (up to MAX_TRACKED_STEPS) to move the argument offsets of the test
 * cases that follow them.
 */
export class EnvelopeRedactor {
  private readonly steps = new Map<string, StepText>();

  /** Redacts `envelope` in place and returns it. */
  redact(envelope: Envelope): Envelope {
    const record: unknown = envelope;
    if (!isRecord(record)) return envelope;
    for (const [type, body] of Object.entries(record)) {
      if (type === 'pickle') this.rememberSteps(body);
      if (type === 'attachment') redactAttachment(body);
      else if (type === 'testCase') this.redactArguments(body);
      for (const path of FIELDS[type] ?? []) redactAt(body, path);
    }
    return envelope;
  }

  private rememberSteps(pickle: unknown): void {
    if (!isRecord(pickle) || !Array.isArray(pickle.steps)) return;
    for (const step of pickle.steps) {
      if (!isRecord(step) || typeof step.id !== 'string' || typeof step.text !== 'string') continue;
      if (this.steps.size >= MAX_TRACKED_STEPS) return;
      this.steps.set(step.id, { original: step.text, redacted: redactText(step.text) });
    }
  }

  private redactArguments(testCase: unknown): void {
    if (!isRecord(testCase) || !Array.isArray(testCase.testSteps)) return;
    for (const testStep of testCase.testSteps) {
      if (!isRecord(testStep) || !Array.isArray(testStep.stepMatchArgumentsLists)) continue;
      const text = typeof testStep.pickleStepId === 'string' ? this.steps.get(testStep.pickleStepId) : undefined;
      if (text !== undefined && text.original === text.redacted) continue;
      let map: number[] | undefined;
      if (text !== undefined) {
        if (text.map === undefined) text.map = alignRedaction(text.original, text.redacted) ?? null;
        map = text.map ?? undefined;
      }
      for (const list of testStep.stepMatchArgumentsLists) {
        if (!isRecord(list) || !Array.isArray(list.stepMatchArguments)) continue;
        for (const argument of list.stepMatchArguments) {
          if (isRecord(argument)) redactGroup(argument.group, text, map, 0);
        }
      }
    }
  }
}

/** Moves a matched group (and its children) onto the redacted step text, or masks its value when that cannot be done. */
function redactGroup(group: unknown, text: StepText | undefined, map: number[] | undefined, depth: number): void {
  if (!isRecord(group) || depth > MAX_JSON_DEPTH) return;
  const { start, value } = group;
  if (typeof value === 'string') {
    const fits = typeof start === 'number' && Number.isInteger(start) && start >= 0 && text?.original.slice(start, start + value.length) === value;
    if (text !== undefined && map !== undefined && fits) {
      const from = map[start];
      const to = map[start + value.length];
      group.start = from;
      group.value = text.redacted.slice(from, to);
    } else {
      group.value = redactText(value);
    }
  }
  if (Array.isArray(group.children)) for (const child of group.children) redactGroup(child, text, map, depth + 1);
}
