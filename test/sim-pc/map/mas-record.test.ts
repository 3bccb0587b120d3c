/**
 * Reading the phone's MAS records (the SMS instance first; defaults for a
 * MAP 1.0 record without features) and the PC's own MNS record.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ServiceRecord } from '../../../src/link/classic';
import { DEFAULT_MCE_FEATURES, findMas, masInstances, mnsServiceRecord, supportsMms } from '../../../src/sim-pc/map/mas-record';

const email: ServiceRecord = { serviceClasses: [0x1132], profile: { uuid: 0x1134, version: 0x0102 }, channel: 5, name: 'Email', attributes: { 0x0315: 1, 0x0316: 0x01, 0x0317: 0x7f } };
const sms: ServiceRecord = { serviceClasses: [0x1132], profile: { uuid: 0x1134, version: 0x0104 }, channel: 4, name: 'SMS/MMS', attributes: { 0x0315: 0, 0x0316: 0x0a } };
const ag: ServiceRecord = { serviceClasses: [0x111f, 0x1203], profile: { uuid: 0x111e, version: 0x0108 }, channel: 8, name: 'Voice Gateway', attributes: {} };

test('findMas picks the instance that lists SMS, read with its facts', () => {
  assert.equal(masInstances([ag, email, sms]).length, 2);
  assert.deepEqual(findMas([ag, email, sms]), {
    channel: 4,
    version: 0x0104,
    instanceId: 0,
    messageTypes: 0x0a,
    features: 0x1f,
    featuresPublished: false,
    name: 'SMS/MMS',
  });
  assert.equal(supportsMms(findMas([sms]) ?? assert.fail()), true);
  assert.equal(findMas([email])?.channel, 5);
  assert.equal(findMas([ag]), undefined);
});

test('attributes of the wrong kind are ignored, not trusted', () => {
  const odd: ServiceRecord = { ...sms, attributes: { 0x0315: 'x', 0x0316: -1, 0x0317: 2 ** 33 } };
  const mas = findMas([odd]);
  assert.equal(mas?.instanceId, 0);
  assert.equal(mas?.messageTypes, 0);
  assert.equal(mas?.features, 0x1f);
  assert.equal(mas?.featuresPublished, true);
});

test('the MNS record the PC publishes', () => {
  assert.deepEqual(mnsServiceRecord(17, DEFAULT_MCE_FEATURES), {
    serviceClasses: [0x1133],
    profile: { uuid: 0x1134, version: 0x0104 },
    channel: 17,
    name: 'MAP MNS',
    attributes: { 0x0317: 0x0008024f },
  });
});
