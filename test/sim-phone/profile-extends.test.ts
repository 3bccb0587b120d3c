/**
 * Phone profiles that start from another (`"extends"`) and the `hostile`
 * section: the built-in `hostile` profile is the iPhone plus a saboteur;
 * objects merge deeply and arrays are replaced; cycles, unknown bases and
 * bad hostile fields are ProfileErrors naming the field.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadPhoneProfile, mergeProfileJson, parsePhoneProfile } from '../../src/sim-phone/profile';
import { ProfileError } from '../../src/sim-phone/errors';
import { HostileGattHost } from '../../src/sim-phone/hostile/hostile-gatt-host';
import { Testbed } from '../../src/harness/testbed';

function dir(files: Record<string, unknown>): string {
  const d = mkdtempSync(path.join(tmpdir(), 'pb-profile-'));
  for (const [name, json] of Object.entries(files)) writeFileSync(path.join(d, name), JSON.stringify(json));
  return d;
}

const fieldError = (field: RegExp) => (err: unknown) => err instanceof ProfileError && field.test(err.field);

test('the hostile profile is the iPhone plus a hostile section', () => {
  const hostile = loadPhoneProfile('hostile');
  const iphone = loadPhoneProfile('iphone');
  assert.equal(hostile.id, 'hostile');
  assert.equal(hostile.name, 'Hostile iPhone');
  assert.deepEqual(hostile.ancs, iphone.ancs);
  assert.deepEqual(hostile.pbap, iphone.pbap);
  assert.deepEqual(hostile.map, iphone.map);
  assert.deepEqual(hostile.hfp, iphone.hfp);
  assert.deepEqual(hostile.apps, iphone.apps);
  assert.deepEqual(hostile.hostile, {
    rate: 0.05,
    seed: 7,
    profiles: ['ancs', 'pbap', 'map', 'hfp'],
    kinds: ['malformed', 'truncated', 'oversized', 'outOfOrder'],
    holdMs: 2000,
    maxRecords: 1000,
  });
  assert.equal(iphone.hostile, undefined);
});

test('a phone with the hostile profile gets a saboteur between its servers and its hosts; the iPhone does not', () => {
  const hostile = new Testbed({ phone: 'hostile', recordPdus: false });
  assert.ok(hostile.phone.saboteur);
  assert.ok(hostile.phone.host instanceof HostileGattHost);
  const iphone = new Testbed({ recordPdus: false });
  assert.equal(iphone.phone.saboteur, undefined);
  assert.equal(iphone.phone.host, iphone.peripheral);
});

test('merge: objects deep, arrays and values replaced', () => {
  const merged = mergeProfileJson({ a: { b: 1, c: [1, 2], d: { e: 1 } }, f: 'x' }, { a: { c: [3], d: { g: 2 } }, f: 'y' });
  assert.deepEqual(merged, { a: { b: 1, c: [3], d: { e: 1, g: 2 } }, f: 'y' });
});

test('extends a file by relative path, then validates the result', () => {
  const d = dir({
    'quiet.json': { extends: 'iphone', id: 'quiet', name: 'Quiet', ancs: { actions: ['negative'] } },
    'quieter.json': { extends: './quiet.json', id: 'quieter', name: 'Quieter', hostile: { rate: 0, seed: 1, profiles: [], kinds: [] } },
  });
  const p = loadPhoneProfile(path.join(d, 'quieter.json'));
  assert.equal(p.id, 'quieter');
  assert.deepEqual(p.ancs.actions, ['negative']);
  assert.equal(p.ancs.requiresBonding, true);
  assert.equal(p.hostile?.rate, 0);
});

test('a cycle is a ProfileError on extends', () => {
  const d = dir({ 'a.json': { extends: './b.json', id: 'a' }, 'b.json': { extends: './a.json', id: 'b' }, 'self.json': { extends: './self.json' } });
  assert.throws(() => loadPhoneProfile(path.join(d, 'a.json')), (err: unknown) => fieldError(/^extends$/)(err) && /cycle: a -> b -> a/.test((err as Error).message));
  assert.throws(() => loadPhoneProfile(path.join(d, 'self.json')), fieldError(/^extends$/));
});

test('an unknown base is a ProfileError on extends', () => {
  const d = dir({ 'x.json': { extends: 'no-such-phone', id: 'x' } });
  assert.throws(() => loadPhoneProfile(path.join(d, 'x.json')), (err: unknown) => fieldError(/^extends$/)(err) && /names no profile/.test((err as Error).message));
  const e = dir({ 'y.json': { extends: 42 } });
  assert.throws(() => loadPhoneProfile(path.join(e, 'y.json')), fieldError(/^extends$/));
});

test('parsePhoneProfile alone refuses an unresolved extends', () => {
  assert.throws(() => parsePhoneProfile({ extends: 'iphone' }), fieldError(/^extends$/));
});

test('the hostile section is validated field by field', () => {
  const base = { rate: 0.1, seed: 3, profiles: ['ancs'], kinds: ['malformed'] };
  const bad: [Record<string, unknown>, RegExp][] = [
    [{ ...base, rate: 2 }, /^hostile\.rate$/],
    [{ ...base, rate: 'often' }, /^hostile\.rate$/],
    [{ ...base, seed: -1 }, /^hostile\.seed$/],
    [{ ...base, profiles: ['ancs', 'ancs'] }, /^hostile\.profiles\[1\]$/],
    [{ ...base, profiles: ['obex'] }, /^hostile\.profiles\[0\]$/],
    [{ ...base, kinds: ['sneaky'] }, /^hostile\.kinds\[0\]$/],
    [{ ...base, kinds: [] }, /^hostile\.kinds$/],
    [{ ...base, holdMs: 0 }, /^hostile\.holdMs$/],
    [{ ...base, maxRecords: 1.5 }, /^hostile\.maxRecords$/],
    [{ ...base, surprise: true }, /^hostile\.surprise$/],
    [{ rate: 0.1, profiles: [], kinds: ['malformed'] }, /^hostile\.seed$/],
  ];
  for (const [hostile, field] of bad) {
    const d = dir({ 'h.json': { extends: 'iphone', id: 'h', hostile } });
    assert.throws(() => loadPhoneProfile(path.join(d, 'h.json')), fieldError(field), JSON.stringify(hostile));
  }
});
