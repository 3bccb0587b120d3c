import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { cellFromEnvelopes, parseNdjson, CellData } from '../../../src/harness/report/from-messages';
import { ReportError } from '../../../src/harness/report/errors';
import { FIGURE, messageStream, pass, ScenarioSpec, VERDICT } from './ndjson-fixture';

function cell(text: string, redact = true): CellData {
  const parsed = parseNdjson(text);
  return cellFromEnvelopes(parsed.envelopes, { redact, truncated: parsed.truncated });
}

function one(spec: ScenarioSpec, redact = true) {
  const c = cell(messageStream([spec]), redact);
  assert.equal(c.scenarios.length, 1);
  return { c, s: c.scenarios[0] };
}

// A whole stream written out by hand: one scenario, one passing step with a
// verdict and a figure attached.
const HAND_WRITTEN = [
  '{"meta":{"protocolVersion":"32.2.0","implementation":{"name":"cucumber-js","version":"12.9.0"}}}',
  '{"pickle":{"id":"p1","uri":"features/notifications/burst.feature","location":{"line":8,"column":3},"name":"A burst of 200 notifications arrives in time","language":"en","astNodeIds":["a1"],"tags":[{"name":"@ancs","astNodeId":"t1"},{"name":"@ANCS/NC/PRF/BV-01","astNodeId":"t2"},{"name":"@cap:notifications.burst-timing","astNodeId":"t3"}],"steps":[{"id":"ps1","text":"all 200 appear on the PC in time","type":"Outcome","astNodeIds":["a2"]}]}}',
  '{"testRunStarted":{"id":"r1","timestamp":{"seconds":1795457643,"nanos":0}}}',
  '{"testCase":{"id":"tc1","pickleId":"p1","testRunStartedId":"r1","testSteps":[{"id":"st1","pickleStepId":"ps1","stepDefinitionIds":["sd1"]}]}}',
  '{"testCaseStarted":{"id":"tcs1","testCaseId":"tc1","attempt":0,"timestamp":{"seconds":1795457644,"nanos":0}}}',
  '{"testStepStarted":{"testCaseStartedId":"tcs1","testStepId":"st1","timestamp":{"seconds":1795457644,"nanos":0}}}',
  '{"attachment":{"body":"{\\"name\\":\\"burst delivery\\",\\"value\\":1843.5,\\"unit\\":\\"ms\\",\\"predicted\\":1800,\\"bound\\":2700}","contentEncoding":"IDENTITY","mediaType":"application/vnd.phonebridge.figure+json","testCaseStartedId":"tcs1","testStepId":"st1"}}',
  '{"attachment":{"body":"{\\"verdict\\":\\"supported\\",\\"note\\":\\"within 3% of the model\\"}","contentEncoding":"IDENTITY","mediaType":"application/vnd.phonebridge.verdict+json","testCaseStartedId":"tcs1","testStepId":"st1"}}',
  '{"testStepFinished":{"testCaseStartedId":"tcs1","testStepId":"st1","testStepResult":{"status":"PASSED","duration":{"seconds":0,"nanos":12500000}},"timestamp":{"seconds":1795457644,"nanos":0}}}',
  '{"testCaseFinished":{"testCaseStartedId":"tcs1","timestamp":{"seconds":1795457644,"nanos":0},"willBeRetried":false}}',
  '{"testRunFinished":{"testRunStartedId":"r1","success":true,"timestamp":{"seconds":1795457645,"nanos":0}}}',
].join('\n');

test('a hand-written stream becomes one supported scenario with its figure', () => {
  const c = cell(HAND_WRITTEN);
  assert.deepEqual(c, {
    scenarios: [
      {
        name: 'A burst of 200 notifications arrives in time',
        uri: 'features/notifications/burst.feature',
        line: 8,
        ids: ['ANCS/NC/PRF/BV-01'],
        tags: ['@ancs', '@ANCS/NC/PRF/BV-01', '@cap:notifications.burst-timing'],
        status: 'passed',
        verdict: 'supported',
        durationMs: 12.5,
        figures: [{ name: 'burst delivery', value: 1843.5, unit: 'ms', predicted: 1800, bound: 2700 }],
        capability: 'notifications.burst-timing',
        area: 'ancs',
        limitation: false,
        note: 'within 3% of the model',
      },
    ],
    counts: { total: 1, passed: 1, failed: 0, ambiguous: 0, undefined: 0, pending: 0, skipped: 0, unknown: 0, notExecuted: 0 },
    startedAt: '2026-11-23T18:14:03.000Z',
    finishedAt: '2026-11-23T18:14:05.000Z',
    success: true,
    truncated: false,
    warnings: [],
  });
});

test('a failed step gives a failed verdict and the first line of its error, redacted', () => {
  const spec: ScenarioSpec = {
    name: 'dismiss',
    tags: ['@cap:notifications.dismiss-from-pc'],
    steps: [
      pass(),
      { text: 'the PC shows "Lunch?"', status: 'FAILED', exception: "expected 'Lunch at 12?' from +1 415 555 0100\nsecond line", message: 'stack...' },
      { text: 'later', status: 'SKIPPED' },
    ],
  };
  const { c, s } = one(spec);
  assert.equal(s.status, 'failed');
  assert.equal(s.verdict, 'failed');
  assert.equal(s.message, "expected '…' from +# ### ### ####");
  assert.equal(c.counts.failed, 1);
  assert.equal(one(spec, false).s.message, "expected 'Lunch at 12?' from +1 415 555 0100");
});

test('without an exception the failure line comes from the step message', () => {
  const { s } = one({ name: 'x', tags: ['@cap:a'], steps: [{ text: 't', status: 'FAILED', message: '\n  boom happened\n  at foo' }] });
  assert.equal(s.message, 'boom happened');
});

test('undefined and ambiguous steps fail; skipped and pending steps mean not run', () => {
  const cases: Array<[ScenarioSpec['steps'][number]['status'], string, string, RegExp]> = [
    ['UNDEFINED', 'undefined', 'failed', /^undefined step: the step text$/],
    ['AMBIGUOUS', 'ambiguous', 'failed', /^ambiguous at: the step text$/],
    ['SKIPPED', 'skipped', 'not-run', /^skipped at: the step text$/],
    ['PENDING', 'pending', 'not-run', /^pending step: the step text$/],
  ];
  for (const [stepStatus, status, verdict, message] of cases) {
    const { s, c } = one({ name: 'x', tags: ['@cap:a'], steps: [pass('first'), { text: 'the step text', status: stepStatus }] });
    assert.equal(s.status, status, stepStatus);
    assert.equal(s.verdict, verdict, stepStatus);
    assert.match(s.message ?? '', message);
    assert.equal(c.counts[status as 'undefined' | 'ambiguous' | 'skipped' | 'pending'], 1);
  }
});

test('a passed @limitation scenario is limited without an attachment, and takes its attachment when there is one', () => {
  const base: ScenarioSpec = { name: 'reply', tags: ['@ancs', '@limitation', '@cap:notifications.reply'], steps: [pass()] };
  assert.equal(one(base).s.verdict, 'limited');
  for (const verdict of ['supported', 'limited', 'deviation'] as const) {
    const { s } = one({ ...base, attachments: [{ mediaType: VERDICT, body: JSON.stringify({ verdict, note: 'n' }) }] });
    assert.equal(s.verdict, verdict);
    assert.equal(s.note, 'n');
  }
  assert.equal(one({ ...base, tags: ['@cap:x'] }).s.verdict, 'supported');
});

test('a failed @limitation scenario is failed whatever it attached', () => {
  const { s } = one({
    name: 'reply',
    tags: ['@limitation', '@cap:notifications.reply'],
    steps: [{ text: 't', status: 'FAILED', exception: 'no' }],
    attachments: [{ mediaType: VERDICT, body: '{"verdict":"limited"}' }],
  });
  assert.equal(s.verdict, 'failed');
});

test('several verdict attachments: the worst counts; notes are joined', () => {
  const { s } = one({
    name: 'x',
    tags: ['@cap:a'],
    steps: [pass()],
    attachments: [
      { mediaType: VERDICT, body: '{"verdict":"supported","note":"one"}' },
      { mediaType: VERDICT, body: '{"verdict":"deviation","note":"two"}', base64: true },
      { mediaType: VERDICT, body: '{"verdict":"limited"}' },
    ],
  });
  assert.equal(s.verdict, 'deviation');
  assert.equal(s.note, 'one; two');
});

test('a malformed verdict attachment fails the scenario and warns', () => {
  const { s, c } = one({ name: 'x', tags: ['@cap:a'], steps: [pass()], attachments: [{ mediaType: VERDICT, body: '{"verdict":"fine"}' }] });
  assert.equal(s.status, 'failed');
  assert.equal(s.verdict, 'failed');
  assert.match(c.warnings[0], /malformed verdict/);
});

test('figures: valid ones kept in order (base64 too), malformed ones dropped with a warning, notes redacted', () => {
  const { s, c } = one({
    name: 'x',
    tags: ['@cap:a'],
    steps: [pass()],
    attachments: [
      { mediaType: FIGURE, body: '{"name":"a","value":1,"unit":"ms"}' },
      { mediaType: FIGURE, body: '{"name":"b","value":"fast","unit":"ms"}' },
      { mediaType: FIGURE, body: 'not json' },
      { mediaType: FIGURE, body: '{"name":"c","value":2.5,"unit":"notifications/s","bound":3,"lowerBound":2,"note":"sent to 5551234567"}', base64: true },
      { mediaType: FIGURE, body: '{"name":"d","value":1,"unit":"ms","lowerBound":"low"}' },
      { mediaType: 'text/plain', body: 'ignored' },
    ],
  });
  assert.deepEqual(s.figures, [
    { name: 'a', value: 1, unit: 'ms' },
    { name: 'c', value: 2.5, unit: 'notifications/s', bound: 3, lowerBound: 2, note: 'sent to ##########' },
  ]);
  assert.equal(c.warnings.length, 3);
});

test('capability tags: none files the scenario under "untagged", two use the first; both warn', () => {
  const c = cell(
    messageStream([
      { name: 'no cap', tags: ['@map'], steps: [pass()] },
      { name: 'two caps', tags: ['@cap:first', '@cap:second'], steps: [pass()] },
    ]),
  );
  assert.deepEqual(
    c.scenarios.map((s) => [s.capability, s.area]),
    [
      ['untagged', 'map'],
      ['first', undefined],
    ],
  );
  assert.equal(c.warnings.length, 2);
});

test('test IDs are the tags with a slash', () => {
  const { s } = one({ name: 'x', tags: ['@hfp', '@HFP/HF/SLC/BV-01', '@cap:a', '@phone:iphone', '@ANCS/NC/X/BV-02'], steps: [pass()] });
  assert.deepEqual(s.ids, ['HFP/HF/SLC/BV-01', 'ANCS/NC/X/BV-02']);
});

test('a retried scenario is judged by its last attempt', () => {
  const { s, c } = one({
    name: 'flaky',
    tags: ['@cap:a'],
    earlierAttempts: [[{ text: 't', status: 'FAILED', exception: 'first try' }]],
    steps: [{ text: 't', status: 'PASSED' }],
  });
  assert.equal(s.status, 'passed');
  assert.equal(c.counts.total, 1);
});

test('a truncated stream keeps what finished and marks the rest not run', () => {
  const full = messageStream(
    [
      { name: 'done', tags: ['@cap:a'], steps: [pass()] },
      { name: 'cut', tags: ['@cap:a'], steps: [pass('one'), pass('two')], finished: false },
      { name: 'never', tags: ['@cap:b'], steps: [pass()], started: false },
    ],
    { runFinished: false },
  );
  // Cut the last line in half, as a crash mid-write would.
  const text = full.trimEnd();
  const cut = text.slice(0, text.length - 20);
  const parsed = parseNdjson(cut);
  assert.equal(parsed.truncated, true);
  const c = cellFromEnvelopes(parsed.envelopes, { truncated: parsed.truncated });
  assert.equal(c.truncated, true);
  assert.equal(c.success, false);
  assert.deepEqual(
    c.scenarios.map((s) => [s.name, s.status, s.verdict, s.message]),
    [
      ['done', 'passed', 'supported', undefined],
      ['cut', 'not-executed', 'not-run', 'did not finish: the message stream ends before this scenario does'],
      ['never', 'not-executed', 'not-run', 'did not start'],
    ],
  );
  assert.equal(c.counts.notExecuted, 2);
});

test('a stream without testRunFinished counts as truncated even when every line is whole', () => {
  const c = cell(messageStream([{ name: 'x', tags: ['@cap:a'], steps: [pass()] }], { runFinished: false }));
  assert.equal(c.truncated, true);
  assert.equal(c.success, false);
});

test('a bad line in the middle is an error with its line number', () => {
  const lines = HAND_WRITTEN.split('\n');
  lines.splice(3, 0, '{"broken":');
  assert.throws(
    () => parseNdjson(lines.join('\n')),
    (err: unknown) => err instanceof ReportError && err.code === 'report.bad-ndjson' && /line 4/.test(err.message),
  );
  assert.throws(() => parseNdjson('[1,2]\n'), (err: unknown) => err instanceof ReportError);
});

test('property: cutting a stream anywhere never throws and never invents scenarios', () => {
  const text = messageStream([
    { name: 'a', tags: ['@cap:a'], steps: [pass(), { text: 'f', status: 'FAILED', exception: 'x' }] },
    { name: 'b', tags: ['@cap:b', '@limitation'], steps: [pass()], attachments: [{ mediaType: VERDICT, body: '{"verdict":"limited"}' }] },
  ]);
  fc.assert(
    fc.property(fc.integer({ min: 0, max: text.length }), (at) => {
      const parsed = parseNdjson(text.slice(0, at));
      const c = cellFromEnvelopes(parsed.envelopes, { truncated: parsed.truncated });
      assert.ok(c.scenarios.length <= 2);
      if (at < text.length - 1) assert.equal(c.truncated, true);
      for (const s of c.scenarios) assert.ok(['supported', 'limited', 'failed', 'not-run'].includes(s.verdict));
    }),
    { numRuns: 300 },
  );
});
