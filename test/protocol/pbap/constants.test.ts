/**
 * PBAP tables and helpers: the Target UUID bytes, phone book object names,
 * PropertySelector bits and the property each one names.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  isCallHistory,
  isPbapTarget,
  parsePhonebookObject,
  PBAP_TARGET,
  phonebookObjectName,
  PROPERTY_BIT_NAMES,
  PropertyBit,
  propertyBitOf,
  selectedPropertyNames,
  selectorHas,
  selectorOf,
} from '../../../src/protocol/pbap';

test('PBAP Target is 79 61 35 F0 F0 C5 11 D8 09 66 08 00 20 0C 9A 66', () => {
  const bytes = Uint8Array.from([0x79, 0x61, 0x35, 0xf0, 0xf0, 0xc5, 0x11, 0xd8, 0x09, 0x66, 0x08, 0x00, 0x20, 0x0c, 0x9a, 0x66]);
  assert.deepEqual(Uint8Array.from(PBAP_TARGET), bytes);
  assert.ok(isPbapTarget(bytes));
  assert.ok(!isPbapTarget(bytes.subarray(1)));
  assert.ok(!isPbapTarget(Uint8Array.from([...bytes.subarray(0, 15), 0x67])));
  assert.ok(!isPbapTarget(undefined));
});

test('phone book object names both ways', () => {
  assert.equal(phonebookObjectName('pb'), 'telecom/pb.vcf');
  assert.equal(phonebookObjectName('mch', true), 'SIM1/telecom/mch.vcf');
  assert.deepEqual(parsePhonebookObject('telecom/cch.vcf'), { sim: false, book: 'cch' });
  assert.deepEqual(parsePhonebookObject('/telecom/pb.vcf'), { sim: false, book: 'pb' });
  assert.deepEqual(parsePhonebookObject('SIM1/telecom/ich.vcf'), { sim: true, book: 'ich' });
  for (const bad of ['pb.vcf', 'telecom/pb', 'telecom/../pb.vcf', 'SIM2/telecom/pb.vcf', 'telecom/pb.vcf/x', '']) {
    assert.equal(parsePhonebookObject(bad), undefined, bad);
  }
  assert.ok(isCallHistory('mch') && isCallHistory('cch') && !isCallHistory('pb') && !isCallHistory('fav'));
});

test('PropertySelector bits and names', () => {
  assert.equal(PROPERTY_BIT_NAMES.length, 32);
  assert.equal(PROPERTY_BIT_NAMES[PropertyBit.Tel], 'TEL');
  assert.equal(PROPERTY_BIT_NAMES[PropertyBit.CallDateTime], 'X-IRMC-CALL-DATETIME');
  assert.equal(propertyBitOf('photo'), 3);
  assert.equal(propertyBitOf('X-FOO'), undefined);
  const selector = selectorOf([PropertyBit.Version, PropertyBit.N, PropertyBit.Tel, 40]);
  assert.equal(selector, 0x10000000085n);
  assert.ok(selectorHas(selector, 7) && !selectorHas(selector, 1));
  assert.deepEqual(selectedPropertyNames(selector), ['VERSION', 'N', 'TEL']);
  assert.throws(() => selectorOf([64]), RangeError);
});
