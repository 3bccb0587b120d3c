import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { normalizeUuid } from '../../../../src/link/ble';
import { LinkError } from '../../../../src/link/errors';
import { UuidFormError, fromLibraryUuid, sameUuid, toLibraryUuid, tryFromLibraryUuid } from '../../../../src/link/hci/host/uuid-form';

const ANCS = '7905F431-B5CE-4E99-A40F-4B1E122D00D0';

test('our canonical form becomes the libraries\' lower-case undashed form', () => {
  const table: [string, string][] = [
    ['2A05', '2a05'],
    ['fff0', 'fff0'],
    [ANCS, '7905f431b5ce4e99a40f4b1e122d00d0'],
    ['7905f431b5ce4e99a40f4b1e122d00d0', '7905f431b5ce4e99a40f4b1e122d00d0'],
  ];
  for (const [ours, theirs] of table) assert.equal(toLibraryUuid(ours), theirs, ours);
});

test('the libraries\' forms become our canonical form, unpadded 16-bit and 32-bit included', () => {
  const table: [string, string][] = [
    ['2a05', '2A05'],
    ['fff', '0FFF'], // noble prints 0x0FFF with toString(16)
    ['a', '000A'],
    ['7905f431b5ce4e99a40f4b1e122d00d0', ANCS],
    [ANCS.toLowerCase(), ANCS],
    ['0000180d', '0000180D-0000-1000-8000-00805F9B34FB'],
  ];
  for (const [theirs, ours] of table) assert.equal(fromLibraryUuid(theirs), ours, theirs);
});

test('malformed UUIDs are a typed error with code link.bad-uuid', () => {
  for (const bad of ['', 'xyz1', '12345', '7905f431b5ce4e99a40f4b1e122d00d', '7905f431-b5ce-4e99-a40f-4b1e122d00d0ff', 'g000']) {
    assert.throws(() => fromLibraryUuid(bad), (e: unknown) => e instanceof UuidFormError && e instanceof LinkError && e.code === 'link.bad-uuid', bad);
    assert.equal(tryFromLibraryUuid(bad), undefined);
  }
  for (const bad of ['abc', '12345', 'not-a-uuid']) assert.throws(() => toLibraryUuid(bad), UuidFormError);
});

test('sameUuid compares spellings, not strings', () => {
  assert.ok(sameUuid('2a05', '2A05'));
  assert.ok(sameUuid('fff', '0FFF'));
  assert.ok(sameUuid(ANCS, ANCS.replace(/-/g, '').toLowerCase()));
  assert.ok(!sameUuid('2a05', '2a06'));
  assert.ok(!sameUuid('nope', 'nope'));
});

test('property: canonical -> library -> canonical is the identity, and agrees with normalizeUuid', () => {
  const hex = (n: number) => fc.array(fc.constantFrom(...'0123456789abcdefABCDEF'), { minLength: n, maxLength: n }).map((a) => a.join(''));
  fc.assert(
    fc.property(fc.oneof(hex(4), hex(32)), (raw) => {
      const canonical = normalizeUuid(raw);
      const library = toLibraryUuid(canonical);
      assert.match(library, /^[0-9a-f]+$/);
      assert.equal(fromLibraryUuid(library), canonical);
      assert.equal(fromLibraryUuid(raw), canonical);
    }),
    { numRuns: 500 },
  );
});
