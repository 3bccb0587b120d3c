import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { CallSetupValue, IndicatorName } from '../../../src/protocol/hfp/constants';
import { HfpError } from '../../../src/protocol/hfp/errors';
import { IndicatorMap } from '../../../src/protocol/hfp/indicators';
import { decodeResult } from '../../../src/protocol/hfp/results';

const IPHONE_CIND =
  '+CIND: ("service",(0-1)),("call",(0-1)),("callsetup",(0-3)),("battchg",(0-5)),("signal",(0-5)),("roam",(0-1)),("callheld",(0-2))';
/** An Android-style order: call first. */
const ANDROID_CIND =
  '+CIND: ("call",(0,1)),("callsetup",(0-3)),("service",(0-1)),("signal",(0-5)),("roam",(0,1)),("battchg",(0-5)),("callheld",(0-2))';

function mapFrom(line: string): IndicatorMap {
  const result = decodeResult(line);
  assert.ok(result.kind === 'cindTest');
  return IndicatorMap.fromCindTest(result);
}

test('iPhone: +CIEV indexes resolve to service, call, callsetup, battchg, signal, roam, callheld', () => {
  const map = mapFrom(IPHONE_CIND);
  assert.deepEqual(
    [1, 2, 3, 4, 5, 6, 7].map((i) => map.nameOf(i)),
    ['service', 'call', 'callsetup', 'battchg', 'signal', 'roam', 'callheld'],
  );
  // The incoming-call sequence from PROTOCOLS.md: +CIEV: 3,1 ... +CIEV: 2,1, +CIEV: 3,0.
  const seq = ['+CIEV: 3,1', '+CIEV: 2,1', '+CIEV: 3,0', '+CIEV: 7,1'].map((line) => {
    const ciev = decodeResult(line);
    assert.ok(ciev.kind === 'ciev');
    const v = map.interpretCiev(ciev);
    return `${v.name}=${v.value}`;
  });
  assert.deepEqual(seq, ['callsetup=1', 'call=1', 'callsetup=0', 'callheld=1']);
});

test('the same +CIEV index means different indicators on an iPhone and on Android', () => {
  const iphone = mapFrom(IPHONE_CIND);
  const android = mapFrom(ANDROID_CIND);
  assert.equal(iphone.nameOf(1), IndicatorName.Service);
  assert.equal(android.nameOf(1), IndicatorName.Call);
  // Mapping by name gives each phone's own index.
  assert.deepEqual(iphone.cievFor('callsetup', CallSetupValue.Incoming), { kind: 'ciev', index: 3, value: 1 });
  assert.deepEqual(android.cievFor('callsetup', CallSetupValue.Incoming), { kind: 'ciev', index: 2, value: 1 });
});

test('+CIND read values are interpreted by name, with range checks', () => {
  const map = mapFrom(IPHONE_CIND);
  const read = decodeResult('+CIND: 1,0,0,5,3,0,0');
  assert.ok(read.kind === 'cindRead');
  const byName = Object.fromEntries(map.interpretCind(read.values).map((v) => [v.name, v.value]));
  assert.deepEqual(byName, { service: 1, call: 0, callsetup: 0, battchg: 5, signal: 3, roam: 0, callheld: 0 });
  assert.equal(map.interpretCiev({ index: 5, value: 9 }).inRange, false);
  assert.equal(map.interpretCiev({ index: 5, value: 5 }).inRange, true);
  // Discrete lists like (0,1) are checked value by value.
  const bluez = mapFrom('+CIND: ("roam",(0,1)),("x",(1,3))');
  assert.equal(bluez.allows('x', 2), false);
  assert.equal(bluez.allows('x', 3), true);
});

test('unknown indexes and names throw hfp.unknown-indicator; names match case-insensitively', () => {
  const map = mapFrom(IPHONE_CIND);
  const isUnknown = (e: unknown): boolean => e instanceof HfpError && e.code === 'hfp.unknown-indicator';
  assert.throws(() => map.interpretCiev({ index: 8, value: 1 }), isUnknown);
  assert.throws(() => map.interpretCiev({ index: 0, value: 1 }), isUnknown);
  assert.throws(() => map.indexOf('message'), isUnknown);
  assert.throws(() => map.interpretCind([1, 0, 0, 5, 3, 0, 0, 1]), isUnknown);
  assert.equal(map.interpretCind([1, 0]).length, 2);
  assert.equal(map.indexOf('CallSetup'), 3);
  assert.equal(map.has('SIGNAL'), true);
});

test('a +CIND list naming an indicator twice is refused', () => {
  assert.throws(
    () => mapFrom('+CIND: ("call",(0,1)),("Call",(0,1))'),
    (e: unknown) => e instanceof HfpError && e.code === 'hfp.duplicate-indicator',
  );
});

test('property: for any order of the seven indicators, every index maps to its name and back', () => {
  const names = Object.values(IndicatorName);
  fc.assert(
    fc.property(fc.shuffledSubarray(names, { minLength: 1 }), (order) => {
      const map = IndicatorMap.fromCindTest(order.map((name) => ({ name, ranges: [{ min: 0, max: 5 }] })));
      order.forEach((name, i) => {
        assert.equal(map.nameOf(i + 1), name);
        assert.equal(map.indexOf(name), i + 1);
      });
      assert.deepEqual(IndicatorMap.fromCindTest(map.toCindTest()).indicators, map.indicators);
    }),
    { numRuns: 200 },
  );
});
