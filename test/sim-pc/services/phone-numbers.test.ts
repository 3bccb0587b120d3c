import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { matchScore, numberKey, suffixBucket, toE164 } from '../../../src/sim-pc/services/phone-numbers';

test('toE164: national forms with a region, international forms without', () => {
  assert.equal(toE164('020 7946 0018', 'GB'), '+442079460018');
  assert.equal(toE164('+44 (0)20 7946 0018', undefined), '+442079460018');
  assert.equal(toE164('0044 20 7946 0018', 'GB'), '+442079460018');
  assert.equal(toE164('(202) 555-0143', 'US'), '+12025550143');
  assert.equal(toE164('020 7946 0018', undefined), undefined);
  assert.equal(toE164('12345', 'GB'), undefined);
  assert.equal(toE164('no digits', 'GB'), undefined);
  assert.equal(toE164('1'.repeat(80), 'GB'), undefined);
});

test('numberKey and suffixBucket', () => {
  assert.deepEqual(numberKey('+44 20-7946-0018', 'GB'), { raw: '+44 20-7946-0018', e164: '+442079460018', digits: '442079460018' });
  assert.equal(suffixBucket(numberKey('+44 20 7946 0018', 'GB')), '79460018');
  assert.equal(suffixBucket(numberKey('112', 'GB')), undefined);
});

test('matchScore: equal E.164 best, different E.164 never, else 8+ shared trailing digits, short codes exactly', () => {
  const k = (n: string) => numberKey(n, 'GB');
  assert.equal(matchScore(k('+442079460018'), k('020 7946 0018')), 100);
  assert.equal(matchScore(k('+44 1 23 45 67 89'), k('+33 1 23 45 67 89')), 0);
  assert.equal(matchScore(k('00 999 1234 5678'), k('1234 5678')), 8);
  assert.equal(matchScore(k('00 999 1234 5678'), k('999 1234 5678')), 11);
  assert.equal(matchScore(k('00 999 1234 5678'), k('0234 5678')), 0);
  assert.equal(matchScore(k('12345'), k('12345')), 50);
  assert.equal(matchScore(k('12345'), k('2345')), 0);
  assert.equal(matchScore(k(''), k('')), 0);
});

test('property: matching is symmetric, and a number matches its own national and international forms', () => {
  const digits = fc.stringMatching(/^[0-9]{3,14}$/);
  fc.assert(
    fc.property(digits, digits, (a, b) => {
      const ka = numberKey(a, 'GB');
      const kb = numberKey(b, 'GB');
      assert.equal(matchScore(ka, kb), matchScore(kb, ka));
      assert.ok(matchScore(ka, ka) > 0 || ka.digits.length === 0);
    }),
    { numRuns: 300 },
  );
  fc.assert(
    fc.property(fc.stringMatching(/^7[0-9]{9}$/), (national) => {
      // GB mobile numbers: 07xxx xxxxxx at home, +44 7xxx xxxxxx abroad.
      assert.equal(matchScore(numberKey(`0${national}`, 'GB'), numberKey(`+44 ${national}`, 'GB')), 100);
    }),
    { numRuns: 200 },
  );
});
