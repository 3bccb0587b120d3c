import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { redactReport, redactText } from '../../../src/harness/report/redact';
import { CompatReport } from '../../../src/harness/report/types';

test('phone numbers in their usual spellings are masked', () => {
  const cases: Array<[string, string]> = [
    ['from +1 415 555 0100 now', 'from +# ### ### #### now'],
    ['call (415) 555-0100', 'call (###) ###-####'],
    ['+447700900123', '+############'],
    ['07700 900123', '##### ######'],
    ['12345', '#####'],
    ['id 1234 and 99', 'id 1234 and 99'],
  ];
  for (const [input, expected] of cases) assert.equal(redactText(input), expected, input);
});

test('numbers with a unit are measurements and stay', () => {
  assert.equal(redactText('condition not met within 120000 ms of virtual time'), 'condition not met within 120000 ms of virtual time');
  assert.equal(redactText('sent 65536 bytes, 5551234 to go'), 'sent 65536 bytes, ####### to go');
});

test('quoted strings are masked, apostrophes in words are not', () => {
  assert.equal(redactText('expected "Lunch at 12?" but got "Hi"'), 'expected "…" but got "…"');
  assert.equal(redactText("+ 'Hello Bob'\n- 'Hi'"), "+ '…'\n- '…'");
  assert.equal(redactText('the user’s “secret text” and ‘this’'), 'the user’s “…” and ‘…’');
  assert.equal(redactText("can't find the user's notification"), "can't find the user's notification");
});

test('property: redaction is idempotent and leaves no run of 5 digits', () => {
  const text = fc.string({ unit: fc.constantFrom('1', '5', '0', ' ', '-', '+', '(', ')', '"', "'", 'a', 'm', 's', '.', '#', '…', '“', '”', '\n'), maxLength: 60 });
  fc.assert(
    fc.property(text, (t) => {
      const once = redactText(t);
      assert.equal(redactText(once), once);
      // Any 5 digits in a row left over must be a measurement followed by a unit.
      for (const m of once.matchAll(/\d{5,}/g)) assert.match(once.slice((m.index ?? 0) + m[0].length), /^\)? ?(ms|s)(?![a-z0-9_])/);
    }),
    { numRuns: 1000 },
  );
});

test('redactReport masks notes, messages and figure notes, and keeps names', () => {
  const report: CompatReport = {
    schemaVersion: 1,
    tool: { name: 'phonebridge', version: '0.1.0' },
    runId: 'r',
    startedAt: '2026-01-01T00:00:00.000Z',
    finishedAt: '2026-01-01T00:00:01.000Z',
    wallTimeMs: 1000,
    redacted: false,
    runs: [],
    warnings: [],
    capabilities: [
      {
        id: 'a',
        area: 'ancs',
        title: 'A',
        limitation: false,
        cells: {
          'iphone/memory': {
            verdict: 'failed',
            scenarios: [
              {
                name: 'Text "Alice" at 5551234567',
                ids: [],
                tags: [],
                status: 'failed',
                verdict: 'failed',
                durationMs: 1,
                figures: [{ name: 'f', value: 1, unit: 'ms', note: 'to 5551234567' }],
                note: 'said "hi"',
                message: 'expected "Lunch"',
              },
            ],
          },
        },
      },
    ],
  };
  const out = redactReport(report);
  const s = out.capabilities[0].cells['iphone/memory'].scenarios[0];
  assert.equal(out.redacted, true);
  assert.equal(s.name, 'Text "Alice" at 5551234567');
  assert.equal(s.note, 'said "…"');
  assert.equal(s.message, 'expected "…"');
  assert.equal(s.figures[0].note, 'to ##########');
  // The input is not changed.
  assert.equal(report.capabilities[0].cells['iphone/memory'].scenarios[0].note, 'said "hi"');
});
