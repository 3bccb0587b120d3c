import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { generateMessages } from '@cucumber/gherkin';
import { IdGenerator, SourceMediaType, type Envelope } from '@cucumber/messages';
import { redactText } from '../../../src/harness/report/redact';
import { redactCucumberOutputs, rewriteCucumberOutputs } from '../../../src/harness/report/redact-cucumber';
import { alignRedaction, EnvelopeRedactor } from '../../../src/harness/report/redact-envelope';
import { runSuite } from '../../../src/harness/run-suite';

const FEATURE = `@ancs
Feature: Texts
  Messages arrive from "Mum" on 07700 900111.

  Background:
    Given the phone is paired

  @T/MSG/BV-01
  Scenario: A text arrives
    Given the phone receives "Lunch at noon?" from +44 7700 900123
    Then the PC shows the text:
      """
      "Lunch at noon?" Call me on 07700 900456
      """

  @T/MSG/BV-02
  Scenario Outline: Contacts sync
    Given these contacts:
      | name        | number        |
      | "Bob Jones" | +447700900789 |
    Then <who> is found

    Examples:
      | who         |
      | "Alice Ray" |

  @T/MSG/BV-03
  Scenario: Nothing to see
    Given the phone is idle
`;

/** Strings that must not survive redaction anywhere (each is in the raw files). */
const SECRETS = ['Mum', '900111', 'Lunch', '7700 900123', '900456', '447700900789', 'Bob Jones', 'Alice Ray', 'Carol Poe', '5551234567', '5550001111'];
const BASE64_SECRET = 'Dave Lee';
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x22, 0x41, 0x22]).toString('base64');

const ts = (seconds: number) => ({ seconds, nanos: 0 });

type Status = 'PASSED' | 'FAILED' | 'SKIPPED';

/** A whole run: gherkin's own source, document and pickles, then results for each pickle. */
function runEnvelopes(): Envelope[] {
  const out: Envelope[] = [{ meta: { protocolVersion: '32.2.0', implementation: { name: 'cucumber-js', version: '12.9.0' }, runtime: { name: 'node' }, os: { name: 'linux' }, cpu: { name: 'x64' } } } as Envelope];
  const gherkin = generateMessages(FEATURE, 'features/texts.feature', SourceMediaType.TEXT_X_CUCUMBER_GHERKIN_PLAIN, {
    includeSource: true,
    includeGherkinDocument: true,
    includePickles: true,
    newId: IdGenerator.incrementing(),
  });
  out.push(...gherkin);
  const pickles = gherkin.flatMap((e) => (e.pickle ? [e.pickle] : []));
  out.push({ testRunStarted: { timestamp: ts(1795457643), id: 'run' } } as Envelope);
  const statuses: Status[][] = [
    ['PASSED', 'PASSED', 'FAILED'],
    ['PASSED', 'PASSED', 'PASSED'],
    ['PASSED', 'SKIPPED'],
  ];
  pickles.forEach((pickle, i) => {
    out.push({
      testCase: {
        id: `tc${i}`,
        pickleId: pickle.id,
        testRunStartedId: 'run',
        testSteps: pickle.steps.map((step, j) => {
          const quoted = step.text.indexOf('"Lunch');
          const number = step.text.indexOf('+44');
          const args =
            quoted < 0
              ? []
              : [
                  { group: { start: quoted, value: '"Lunch at noon?"', children: [{ start: quoted + 1, value: 'Lunch at noon?', children: [] }] }, parameterTypeName: 'string' },
                  { group: { start: number, value: '+44 7700 900123', children: [] }, parameterTypeName: 'anonymous' },
                ];
          return { id: `st${i}-${j}`, pickleStepId: step.id, stepDefinitionIds: [], stepMatchArgumentsLists: [{ stepMatchArguments: args }] };
        }),
      },
    } as Envelope);
  });
  pickles.forEach((pickle, i) => {
    out.push({ testCaseStarted: { id: `tcs${i}`, testCaseId: `tc${i}`, attempt: 0, timestamp: ts(1795457644) } } as Envelope);
    pickle.steps.forEach((_step, j) => {
      const ids = { testCaseStartedId: `tcs${i}`, testStepId: `st${i}-${j}` };
      out.push({ testStepStarted: { ...ids, timestamp: ts(1795457644) } } as Envelope);
      if (i === 0 && j === 1) {
        const attach = (mediaType: string, body: string, base64 = false) =>
          out.push({ attachment: { ...ids, mediaType, body: base64 ? Buffer.from(body).toString('base64') : body, contentEncoding: base64 ? 'BASE64' : 'IDENTITY' } } as Envelope);
        attach('text/plain', 'Meet "Carol Poe" at 5551234567');
        attach('application/vnd.phonebridge.verdict+json', JSON.stringify({ verdict: 'supported', note: 'from 5550001111 said "Lunch at noon?"' }));
        attach('text/x.cucumber.log+plain', `base64 log: "${BASE64_SECRET}"`, true);
        out.push({ attachment: { ...ids, mediaType: 'image/png', body: PNG, contentEncoding: 'BASE64' } } as Envelope);
      }
      const status = statuses[i][j];
      const result: { status: Status; duration: { seconds: number; nanos: number }; message?: string; exception?: { type: string; message: string; stackTrace: string } } = {
        status,
        duration: { seconds: 0, nanos: 2_000_000 },
      };
      if (status === 'FAILED') {
        result.message = 'AssertionError: expected "Lunch at noon?" from +44 7700 900123\n    at steps.ts:10:5';
        result.exception = { type: 'AssertionError', message: 'expected "Lunch at noon?" from +44 7700 900123', stackTrace: 'AssertionError: 5551234567\n    at steps.ts:10:5' };
      }
      out.push({ testStepFinished: { ...ids, testStepResult: result, timestamp: ts(1795457644) } } as unknown as Envelope);
    });
    out.push({ testCaseFinished: { testCaseStartedId: `tcs${i}`, timestamp: ts(1795457645), willBeRetried: false } } as Envelope);
  });
  out.push({ testRunFinished: { testRunStartedId: 'run', success: false, message: 'stopped at 5551234567', timestamp: ts(1795457650) } } as Envelope);
  return out;
}

function tempDir(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pb-redact-cucumber-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function writeRun(dir: string, envelopes: readonly Envelope[]): void {
  writeFileSync(path.join(dir, 'messages.ndjson'), envelopes.map((e) => JSON.stringify(e)).join('\n') + '\n');
  writeFileSync(path.join(dir, 'cucumber.html'), 'raw html from cucumber');
  writeFileSync(path.join(dir, 'junit.xml'), 'raw junit from cucumber');
}

const read = (dir: string, file: string): string => readFileSync(path.join(dir, file), 'utf8');
const FILES = ['messages.ndjson', 'cucumber.html', 'junit.xml'];

function parseNdjson(text: string): Envelope[] {
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Envelope);
}

/** The value with every string replaced by "s" (and argument offsets by "n"): its shape. */
function skeleton(value: unknown, key = ''): unknown {
  if (typeof value === 'string') return 's';
  if (key === 'start' && typeof value === 'number') return 'n';
  if (Array.isArray(value)) return value.map((v) => skeleton(v));
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, skeleton(v, k)]));
  return value;
}

/** [test case name, verdict] for each <testcase> of a JUnit file. */
function junitCases(xml: string): Array<[string, string]> {
  return [...xml.matchAll(/<testcase [^>]*name="([^"]*)"[^>]*?(\/>|>([\s\S]*?)<\/testcase>)/g)].map((m) => {
    const body = m[3] ?? '';
    return [m[1], /<failure/.test(body) ? 'failed' : /<skipped/.test(body) ? 'skipped' : 'passed'];
  });
}

test('redacted cucumber files hold none of the secrets; shapes, ids, verdicts and names stay', async (t) => {
  const dir = tempDir(t);
  writeRun(dir, runEnvelopes());
  // First the raw files as cucumber would write them, so the secrets are really there to remove.
  await rewriteCucumberOutputs(dir, (e) => e);
  const raw = Object.fromEntries(FILES.map((f) => [f, read(dir, f)]));
  for (const f of FILES) for (const s of ['Lunch', '7700 900123', '5551234567']) assert.ok(raw[f].includes(s), `raw ${f} has ${s}`);
  for (const s of SECRETS) assert.ok(raw['messages.ndjson'].includes(s), `raw stream has ${s}`);

  const result = await redactCucumberOutputs(dir);
  assert.deepEqual(readdirSync(dir).sort(), [...FILES].sort(), 'no temporary files left');
  for (const f of FILES) {
    const text = read(dir, f);
    for (const s of SECRETS) assert.ok(!text.includes(s), `${f} still has ${s}`);
  }

  const before = parseNdjson(raw['messages.ndjson']);
  const after = parseNdjson(read(dir, 'messages.ndjson'));
  assert.equal(result.envelopes, before.length);
  assert.equal(after.length, before.length);
  for (let i = 0; i < before.length; i++) {
    // Same envelope types, same shapes: only string values changed (JSON attachment bodies are strings too).
    assert.deepEqual(skeleton(after[i]), skeleton(before[i]), `envelope ${i}`);
  }
  const pick = <K extends keyof Envelope>(list: Envelope[], key: K) => list.flatMap((e) => (e[key] !== undefined ? [e[key]] : []));
  // Pickles: names, ids, tags, uris and locations stay; only step texts and arguments change.
  const pickleIdentity = (list: Envelope[]) => pick(list, 'pickle').map((p) => ({ ...p, steps: p?.steps.map((s) => ({ id: s.id, type: s.type, astNodeIds: s.astNodeIds })) }));
  assert.deepEqual(pickleIdentity(after), pickleIdentity(before));
  assert.deepEqual(
    pick(after, 'pickle').map((p) => p?.name),
    ['A text arrives', 'Contacts sync', 'Nothing to see'],
  );
  assert.deepEqual(pick(after, 'pickle')[0]?.steps.map((s) => s.text), ['the phone is paired', 'the phone receives "…" from +## #### ######', 'the PC shows the text:']);
  assert.equal(pick(after, 'pickle')[0]?.steps[2].argument?.docString?.content, '"…" Call me on ##### ######');
  assert.deepEqual(pick(after, 'pickle')[1]?.steps[1].argument?.dataTable?.rows.map((r) => r.cells.map((c) => c.value)), [['name', 'number'], ['"…"', '+############']]);
  assert.equal(pick(after, 'pickle')[1]?.steps[2].text, '"…" is found');
  // Results: statuses and durations stay, messages are masked.
  const results = (list: Envelope[]) => pick(list, 'testStepFinished').map((f) => ({ id: f?.testStepId, status: f?.testStepResult.status, duration: f?.testStepResult.duration }));
  assert.deepEqual(results(after), results(before));
  const failed = pick(after, 'testStepFinished').find((f) => f?.testStepResult.status === 'FAILED')?.testStepResult;
  assert.equal(failed?.exception?.message, 'expected "…" from +## #### ######');
  assert.equal(failed?.exception?.stackTrace, 'AssertionError: ##########\n    at steps.ts:10:5');
  // Gherkin document: names, keywords and tags stay.
  const feature = pick(after, 'gherkinDocument')[0]?.feature;
  assert.equal(feature?.name, 'Texts');
  assert.equal(feature?.description, '  Messages arrive from "…" on ##### ######.');
  assert.deepEqual(feature?.tags.map((tag) => tag.name), ['@ancs']);
  // Test cases: ids stay, argument offsets point into the redacted step text.
  assert.deepEqual(pick(after, 'testCase').map((c) => [c?.id, c?.pickleId, c?.testSteps.map((s) => s.id)]), pick(before, 'testCase').map((c) => [c?.id, c?.pickleId, c?.testSteps.map((s) => s.id)]));
  const text = pick(after, 'pickle')[0]?.steps[1].text ?? '';
  const args = pick(after, 'testCase')[0]?.testSteps[1].stepMatchArgumentsLists?.[0].stepMatchArguments ?? [];
  assert.equal(args.length, 2);
  const child = args[0].group.children?.[0];
  assert.ok(child);
  for (const arg of [args[0].group, child, args[1].group]) {
    assert.equal(text.slice(arg.start ?? -1, (arg.start ?? 0) + (arg.value ?? '').length), arg.value);
  }
  assert.deepEqual([args[0].group.value, child.value, args[1].group.value], ['"…"', '…', '+## #### ######']);
  // Attachments: text and JSON bodies masked (JSON still JSON), base64 text decoded and masked, images untouched.
  const attachments = pick(after, 'attachment');
  assert.equal(attachments[0]?.body, 'Meet "…" at ##########');
  assert.deepEqual(JSON.parse(attachments[1]?.body ?? ''), { verdict: 'supported', note: 'from ########## said "…"' });
  assert.equal(Buffer.from(attachments[2]?.body ?? '', 'base64').toString('utf8'), 'base64 log: "…"');
  assert.equal(attachments[3]?.body, PNG);
  assert.equal(pick(after, 'testRunFinished')[0]?.message, 'stopped at ##########');

  // JUnit: the same test cases with the same verdicts.
  const cases = junitCases(read(dir, 'junit.xml'));
  assert.deepEqual(cases, junitCases(raw['junit.xml']));
  assert.deepEqual(cases, [
    ['A text arrives', 'failed'],
    ['Contacts sync - #1.1', 'passed'],
    ['Nothing to see', 'skipped'],
  ]);
  assert.match(read(dir, 'junit.xml'), /<testsuite name="Cucumber" [^>]*tests="3"[^>]*failures="1"/);
  // HTML: cucumber's page, with the redacted messages and our scenario names.
  const html = read(dir, 'cucumber.html');
  assert.match(html, /<title>Cucumber<\/title>/);
  for (const name of ['A text arrives', 'Contacts sync', 'Nothing to see']) assert.ok(html.includes(name), name);
  assert.ok(html.includes('the phone receives \\"…\\" from +## #### ######'));
});

test('redaction is idempotent on the files', async (t) => {
  const dir = tempDir(t);
  writeRun(dir, runEnvelopes());
  await redactCucumberOutputs(dir);
  const once = FILES.map((f) => read(dir, f));
  await redactCucumberOutputs(dir);
  assert.deepEqual(FILES.map((f) => read(dir, f)), once);
});

test('a bad line leaves the raw files as they were and no temporary files', async (t) => {
  const dir = tempDir(t);
  writeRun(dir, runEnvelopes());
  const ndjson = path.join(dir, 'messages.ndjson');
  const lines = read(dir, 'messages.ndjson').split('\n');
  lines.splice(5, 0, '{"pickle": 5551234567');
  writeFileSync(ndjson, lines.join('\n'));
  const before = FILES.map((f) => read(dir, f));
  await assert.rejects(redactCucumberOutputs(dir), (err: unknown) => (err as { code?: string }).code === 'report.bad-ndjson' && /line 6/.test((err as Error).message));
  assert.deepEqual(FILES.map((f) => read(dir, f)), before);
  assert.deepEqual(readdirSync(dir).sort(), [...FILES].sort());
  await assert.rejects(redactCucumberOutputs(path.join(dir, 'nowhere')), (err: unknown) => (err as { code?: string }).code === 'report.missing');
});

test('a stream cut off mid-line keeps its whole messages and a masked tail', async (t) => {
  const dir = tempDir(t);
  const envelopes = runEnvelopes().slice(0, 12);
  writeRun(dir, envelopes);
  writeFileSync(path.join(dir, 'messages.ndjson'), read(dir, 'messages.ndjson') + '{"attachment":{"body":"Hi 5551234567');
  const result = await redactCucumberOutputs(dir);
  assert.equal(result.truncated, true);
  assert.equal(result.envelopes, 12);
  const text = read(dir, 'messages.ndjson');
  assert.ok(!text.includes('5551234567'));
  assert.ok(text.endsWith('}\n…'), text.slice(-40));
  assert.equal(read(dir, 'junit.xml'), '', 'no testRunFinished, so no JUnit, as cucumber');
});

test('alignRedaction maps positions across masked quotes and digits', () => {
  const original = 'say "Hi there" to 5551234567 or \'yo\'';
  const redacted = redactText(original);
  assert.equal(redacted, 'say "…" to ########## or \'…\'');
  const map = alignRedaction(original, redacted);
  assert.ok(map);
  assert.equal(map.length, original.length + 1);
  assert.equal(map[original.indexOf('"')], redacted.indexOf('"'));
  assert.equal(map[original.indexOf('Hi')], redacted.indexOf('…'));
  assert.equal(map[original.indexOf('" to')], redacted.indexOf('" to'));
  assert.equal(map[original.indexOf('555')], redacted.indexOf('#'));
  assert.equal(map[original.length], redacted.length);
  assert.equal(alignRedaction('abc', 'abd'), undefined);
  assert.deepEqual(alignRedaction('""', '"…"'), [0, 2, 3]);
});

test('an unmatched argument is masked on its own; unchanged steps keep theirs', () => {
  const redactor = new EnvelopeRedactor();
  redactor.redact({ pickle: { id: 'p', uri: 'u', name: 'n', language: 'en', astNodeIds: [], tags: [], steps: [{ id: 's1', text: 'wait 120000 ms', astNodeIds: [] }] } } as Envelope);
  const testCase = {
    testCase: {
      id: 'tc',
      pickleId: 'p',
      testRunStartedId: 'run',
      testSteps: [
        { id: 'a', pickleStepId: 's1', stepDefinitionIds: [], stepMatchArgumentsLists: [{ stepMatchArguments: [{ group: { start: 5, value: '120000', children: [] } }] }] },
        { id: 'b', pickleStepId: 'unknown', stepDefinitionIds: [], stepMatchArgumentsLists: [{ stepMatchArguments: [{ group: { start: 3, value: '"Hi" 5551234567', children: [] } }] }] },
      ],
    },
  } as Envelope;
  redactor.redact(testCase);
  const groups = testCase.testCase?.testSteps.map((s) => s.stepMatchArgumentsLists?.[0].stepMatchArguments[0].group);
  assert.deepEqual(groups, [
    { start: 5, value: '120000', children: [] },
    { start: 3, value: '"…" ##########', children: [] },
  ]);
});

// End to end: a real cucumber run in a throwaway project, as test/harness/run-suite.test.ts does.
function throwaway(t: { after: (fn: () => void) => void }) {
  const root = tempDir(t);
  mkdirSync(path.join(root, 'phones'));
  writeFileSync(path.join(root, 'phones', 'iphone.json'), '{"name":"iPhone"}');
  mkdirSync(path.join(root, 'features'));
  writeFileSync(
    path.join(root, 'features', 'texts.feature'),
    `@ancs
Feature: Texts

  @T/NTF/BV-01 @cap:notifications.new
  Scenario: A text from a number
    Given the phone receives "Lunch at noon?" from 5559876543

  @T/PRF/BV-01 @cap:notifications.burst-timing
  Scenario: Fails with a phone number in the message
    Given it fails
`,
  );
  mkdirSync(path.join(root, 'steps'));
  writeFileSync(
    path.join(root, 'steps', 'steps.js'),
    `const { Given } = require(${JSON.stringify(require.resolve('@cucumber/cucumber'))});
Given('the phone receives {string} from {int}', function (body, number) {
  this.attach('got ' + JSON.stringify(body) + ' from ' + number, 'text/plain');
});
Given('it fails', function () { throw new Error('expected "Hi" from 5551234567'); });
`,
  );
  const sink = new Writable({ write: (_chunk, _enc, done) => done() });
  return {
    phones: ['iphone'],
    transports: ['memory'],
    outDir: path.join(root, 'reports'),
    seed: 7,
    quiet: true,
    updateLatest: false,
    featurePaths: [path.join(root, 'features', '**', '*.feature')],
    supportPaths: [path.join(root, 'steps', '*.js')],
    profilesDir: path.join(root, 'phones'),
    stdout: sink,
    stderr: sink,
  };
}

test('end to end: phonebridge run redacts cucumber files by default; --no-redact leaves what cucumber wrote', async (t) => {
  const options = throwaway(t);
  const raw = await runSuite({ ...options, redact: false });
  const rawFiles = FILES.map((f) => read(raw.dir, f));
  for (const text of rawFiles) assert.ok(text.includes('5551234567') && text.includes('Lunch'));
  // Rebuilding cucumber's files from its own stream with nothing changed gives back the same bytes:
  // the formatters are the ones cucumber used, with the same options.
  await rewriteCucumberOutputs(raw.dir, (e) => e);
  assert.deepEqual(FILES.map((f) => read(raw.dir, f)), rawFiles);

  const redacted = await runSuite(options);
  assert.equal(redacted.ok, false);
  for (const f of FILES) {
    const text = read(redacted.dir, f);
    for (const s of ['5551234567', '5559876543', 'Lunch']) assert.ok(!text.includes(s), `${f} has ${s}`);
  }
  assert.deepEqual(junitCases(read(redacted.dir, 'junit.xml')), [
    ['A text from a number', 'passed'],
    ['Fails with a phone number in the message', 'failed'],
  ]);
  assert.ok(read(redacted.dir, 'cucumber.html').includes('A text from a number'));
  assert.ok(!existsSync(path.join(redacted.dir, '.messages.ndjson.tmp')));
});
