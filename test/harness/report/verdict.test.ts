import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ScenarioStatus, Verdict } from '../../../src/harness/report/types';
import { scenarioVerdict, verdictRank, verdictWord, VERDICTS_WORST_FIRST, worstVerdict } from '../../../src/harness/report/verdict';

test('precedence: failed > deviation > not run > limited > supported', () => {
  assert.deepEqual(VERDICTS_WORST_FIRST, ['failed', 'deviation', 'not-run', 'limited', 'supported']);
  assert.equal(worstVerdict(['supported', 'limited']), 'limited');
  assert.equal(worstVerdict(['limited', 'not-run', 'supported']), 'not-run');
  assert.equal(worstVerdict(['not-run', 'deviation']), 'deviation');
  assert.equal(worstVerdict(['deviation', 'failed', 'supported']), 'failed');
  assert.equal(worstVerdict([]), undefined);
});

test('property: the worst verdict is one of the inputs and none is worse', () => {
  const verdict = fc.constantFrom<Verdict>(...VERDICTS_WORST_FIRST);
  fc.assert(
    fc.property(fc.array(verdict, { minLength: 1, maxLength: 20 }), (vs) => {
      const worst = worstVerdict(vs);
      assert.ok(worst !== undefined && vs.includes(worst));
      for (const v of vs) assert.ok(verdictRank(v) >= verdictRank(worst));
      assert.equal(worstVerdict([...vs].reverse()), worst);
    }),
    { numRuns: 300 },
  );
});

test('scenario verdict from status, attachment and @limitation', () => {
  const table: Array<[ScenarioStatus, Verdict | undefined, boolean, Verdict]> = [
    ['passed', undefined, false, 'supported'],
    ['passed', undefined, true, 'limited'],
    ['passed', 'deviation', false, 'deviation'],
    ['passed', 'supported', true, 'supported'],
    ['failed', 'supported', false, 'failed'],
    ['ambiguous', undefined, false, 'failed'],
    ['undefined', undefined, true, 'failed'],
    ['skipped', undefined, false, 'not-run'],
    ['pending', undefined, false, 'not-run'],
    ['unknown', undefined, false, 'not-run'],
    ['not-executed', undefined, true, 'not-run'],
  ];
  for (const [status, attached, limitation, expected] of table) {
    const a = attached === 'supported' || attached === 'limited' || attached === 'deviation' ? attached : undefined;
    assert.equal(scenarioVerdict(status, a, limitation), expected, `${status}/${attached}/${limitation}`);
  }
});

test('verdict words for prose', () => {
  assert.deepEqual(
    VERDICTS_WORST_FIRST.map(verdictWord),
    ['failed', 'deviation', 'not run', 'limited, as documented', 'supported'],
  );
});
