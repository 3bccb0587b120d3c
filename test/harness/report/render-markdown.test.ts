import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderMarkdown } from '../../../src/harness/report/render-markdown';
import { pass } from './ndjson-fixture';
import { IPHONE_SCENARIOS, reportFrom } from './report-fixture';

function section(md: string, title: string): string {
  const start = md.indexOf(`\n## ${title}\n`);
  assert.ok(start >= 0, `no section ${title}`);
  const end = md.indexOf('\n## ', start + 1);
  return md.slice(start, end < 0 ? undefined : end);
}

const twoPhones = () =>
  reportFrom([
    { phone: 'iphone', scenarios: IPHONE_SCENARIOS },
    {
      phone: 'android',
      scenarios: [
        { name: 'A new notification appears', tags: ['@ancs', '@cap:notifications.new'], steps: [pass()] },
        { name: 'The PC can reply', tags: ['@ancs', '@cap:notifications.reply'], steps: [pass()] },
      ],
    },
  ]);

test('the matrix has features down and phone/transport columns across, with verdict words', () => {
  const md = renderMarkdown(twoPhones());
  const lines = section(md, 'Matrix').split('\n').filter((l) => l.startsWith('|'));
  assert.deepEqual(lines.slice(0, 2), ['| Feature | Area | iphone/memory | android/memory |', '| --- | --- | --- | --- |']);
  assert.deepEqual(lines.slice(2), [
    '| New notifications appear with app, title, message and date | ancs | supported | supported |',
    '| A burst of notifications arrives within the time the link allows | ancs | failed | — |',
    '| Replying to a notification from the PC (the iPhone allows view and dismiss only) | ancs | limited, as documented | supported |',
    '| contacts.sync | pbap | not run | — |',
  ]);
});

test('the summary line counts verdicts per column', () => {
  const md = renderMarkdown(twoPhones());
  assert.match(
    md,
    /^\*\*Summary:\*\* iphone\/memory: 4 features: 1 supported; 1 limited, as documented; 1 not run; 1 failed\. android\/memory: 2 features: 2 supported\.$/m,
  );
});

test('each limitation has a section with its evidence per column', () => {
  const md = renderMarkdown(twoPhones());
  const lim = section(md, 'Limitations');
  assert.match(lim, /### Replying to a notification from the PC \(the iPhone allows view and dismiss only\)/);
  assert.match(lim, /- \*\*iphone\/memory\*\*: limited, as documented/);
  assert.match(lim, /"The PC cannot reply \\\| not even once" \(ANCS\/NC\/ACT\/BI-02\): limited, as documented; note: view and dismiss only/);
  assert.match(lim, /- \*\*android\/memory\*\*: supported\n  - "The PC can reply": supported/);
  assert.doesNotMatch(lim, /burst/i);
});

test('figures, failures and not-run scenarios are listed, with redacted messages', () => {
  const md = renderMarkdown(twoPhones());
  assert.match(section(md, 'Figures'), /\| A burst of notifications arrives within the time the link allows \| iphone\/memory \| A burst arrives in time \| burst delivery \| 2900 ms \| 1800 \| 1500–2700 \|/);
  const failures = section(md, 'Failures');
  assert.match(failures, /\*\*A burst of notifications arrives within the time the link allows\*\* on iphone\/memory: "A burst arrives in time" \(ANCS\/NC\/PRF\/BV-01\) failed: took 2900 ms, bound 2700 ms; first was "…" from ##########/);
  assert.doesNotMatch(md, /Hi Bob|5551234567/);
  assert.match(section(md, 'Not run'), /contacts\.sync\*\* on iphone\/memory: "Phonebook syncs" skipped: skipped at: skip me/);
  assert.match(md, /Phone numbers and quoted text in notes and failure messages are redacted\./);
});

test('a clean run says no scenario failed and has no limitation section', () => {
  const md = renderMarkdown(reportFrom([{ phone: 'iphone', scenarios: [IPHONE_SCENARIOS[0]] }]));
  assert.match(section(md, 'Failures'), /No scenario failed\./);
  assert.doesNotMatch(md, /## Limitations|## Figures|## Not run|## Warnings/);
  assert.ok(md.endsWith('\n'));
});

test('warnings are listed', () => {
  const md = renderMarkdown(reportFrom([{ phone: 'iphone', scenarios: [{ name: 'lost', tags: [], steps: [pass()] }] }]));
  assert.match(section(md, 'Warnings'), /iphone\/memory: scenario "lost" has no @cap tag/);
  assert.match(section(md, 'Matrix'), /\| Scenarios without a @cap tag \| other \| supported \|/);
});
