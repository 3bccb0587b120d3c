import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findPse, hasFeature } from '../../../src/sim-pc/pbap/pse-record';
import type { ServiceRecord } from '../../../src/link/classic';

const pse = (attributes: Record<number, number | string>, profile = { uuid: 0x1130, version: 0x0101 }): ServiceRecord => ({
  serviceClasses: [0x112f],
  profile,
  channel: 5,
  name: 'PB',
  attributes,
});

test('findPse reads the PSE record; absent or odd attributes fall back to the defaults', () => {
  assert.equal(findPse([{ ...pse({}), serviceClasses: [0x111f] }]), undefined);
  assert.deepEqual(findPse([pse({ 0x0314: 0x03, 0x0317: 0x2ff })]), {
    channel: 5,
    version: 0x0101,
    repositories: 0x03,
    features: 0x2ff,
    featuresPublished: true,
    name: 'PB',
  });
  const odd = findPse([pse({ 0x0314: 'x', 0x0317: -1 }, { uuid: 0x1234, version: 0x0200 })]);
  assert.deepEqual(odd, { channel: 5, version: 0x0100, repositories: 0x01, features: 0x03, featuresPublished: true, name: 'PB' });
  assert.equal(findPse([pse({})])?.featuresPublished, false);
  assert.equal(hasFeature(0b101, 0), true);
  assert.equal(hasFeature(0b101, 1), false);
  assert.equal(hasFeature(0x8000_0000, 31), true);
  assert.equal(hasFeature(0xffff_ffff, 32), false);
});
