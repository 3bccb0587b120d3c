/**
 * The ANCS burst prediction: the formula's value for a worked example, its
 * bounds, and the real-stack turnaround allowance in the upper bound only.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_BLE_MODEL, llPacketsForAttPdu } from '../../src/link/link-model';
import { predictAncsBurst } from '../../src/harness/predict';

const model = { ...DEFAULT_BLE_MODEL, connectionIntervalMs: 30, packetsPerEvent: [4, 7] as [number, number] };

test('a worked example: 10 notifications, 10 requests, one-fragment replies', () => {
  const pNs = llPacketsForAttPdu(model, 11);
  const pFrag = llPacketsForAttPdu(model, 185);
  const p = predictAncsBurst(model, 185, 10, 10, 100);
  const at = (q: number): number => 30 * (Math.ceil((10 * pNs) / q) + 10 * (1 + Math.ceil((pFrag + 1) / q)));
  assert.equal(p.expectedMs, at(5.5));
  assert.equal(p.upperMs, at(4));
  assert.equal(p.lowerMs, 10 * 2 * 30);
  assert.ok(p.lowerMs <= p.expectedMs && p.expectedMs <= p.upperMs);
  assert.match(p.formula, /CI=30 ms, N=10, R=10, F=1/);
});

test('the host turnaround allowance widens only the upper bound, by R*H*CI', () => {
  const plain = predictAncsBurst(model, 185, 200, 210, 120);
  const real = predictAncsBurst(model, 185, 200, 210, 120, 1);
  assert.equal(real.upperMs - plain.upperMs, 210 * 30);
  assert.equal(real.expectedMs, plain.expectedMs);
  assert.equal(real.lowerMs, plain.lowerMs);
  assert.match(real.formula, /real host stacks/);
  assert.doesNotMatch(plain.formula, /real host stacks/);
});
