import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Backoff, DEFAULT_BACKOFF } from '../../src/sim-pc/backoff';
import { Random } from '../../src/util/random';

test('delays double from initialMs up to maxMs, each within the jitter band', () => {
  const backoff = new Backoff(DEFAULT_BACKOFF, new Random(7));
  const nominal = [1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000, 60000];
  for (const base of nominal) {
    assert.equal(backoff.nominalDelay(), base);
    const delay = backoff.next();
    assert.ok(delay >= base * 0.8 && delay <= Math.min(60000, base * 1.2), `${delay} for ${base}`);
  }
  assert.equal(backoff.attempt, nominal.length);
  backoff.reset();
  assert.equal(backoff.attempt, 0);
  assert.equal(backoff.nominalDelay(), 1000);
});

test('the same seed gives the same delays; jitter 0 gives the nominal ones', () => {
  const run = (seed: number) => {
    const b = new Backoff(DEFAULT_BACKOFF, new Random(seed));
    return Array.from({ length: 8 }, () => b.next());
  };
  assert.deepEqual(run(3), run(3));
  assert.notDeepEqual(run(3), run(4));
  const exact = new Backoff({ initialMs: 500, factor: 3, maxMs: 10_000, jitter: 0 }, new Random(1));
  assert.deepEqual(Array.from({ length: 5 }, () => exact.next()), [500, 1500, 4500, 10000, 10000]);
});

test('property: a delay never exceeds maxMs and never goes below (1 - jitter) of nominal', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 5000 }),
      fc.double({ min: 1, max: 4, noNaN: true }),
      fc.integer({ min: 0, max: 100_000 }),
      fc.double({ min: 0, max: 1, noNaN: true }),
      fc.integer(),
      (initialMs, factor, extra, jitter, seed) => {
        const policy = { initialMs, factor, maxMs: initialMs + extra, jitter };
        const b = new Backoff(policy, new Random(seed));
        for (let i = 0; i < 40; i++) {
          const nominal = b.nominalDelay();
          const delay = b.next();
          assert.ok(delay <= policy.maxMs);
          assert.ok(delay >= Math.floor(nominal * (1 - jitter)) - 1);
        }
      },
    ),
    { numRuns: 300 },
  );
});

test('a nonsensical policy is refused', () => {
  const r = new Random(1);
  assert.throws(() => new Backoff({ ...DEFAULT_BACKOFF, initialMs: 0 }, r), RangeError);
  assert.throws(() => new Backoff({ ...DEFAULT_BACKOFF, factor: 0.5 }, r), RangeError);
  assert.throws(() => new Backoff({ ...DEFAULT_BACKOFF, maxMs: 10 }, r), RangeError);
  assert.throws(() => new Backoff({ ...DEFAULT_BACKOFF, jitter: 1.5 }, r), RangeError);
});
