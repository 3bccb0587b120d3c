import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ProfileError } from '../../src/sim-phone/errors';
import { builtInProfilePath, loadPhoneProfile, parsePhoneProfile } from '../../src/sim-phone/profile';

const iphoneJson = (): Record<string, unknown> => JSON.parse(readFileSync(builtInProfilePath('iphone'), 'utf8'));

function expectFieldError(json: unknown, field: string, matches?: RegExp): void {
  assert.throws(
    () => parsePhoneProfile(json, 'test.json'),
    (err: unknown) => {
      assert.ok(err instanceof ProfileError, `expected ProfileError, got ${String(err)}`);
      assert.equal(err.field, field);
      assert.equal(err.code, 'sim-phone.bad-profile');
      if (matches) assert.match(err.message, matches);
      return true;
    },
  );
}

test('the iphone profile loads by name with the iOS defaults', () => {
  const p = loadPhoneProfile('iphone');
  assert.equal(p.id, 'iphone');
  assert.equal(p.address, 'F0:99:B6:00:00:01');
  assert.deepEqual(p.ble, {
    connectionIntervalMs: 30,
    packetsPerEvent: [4, 7],
    llPayloadOctets: 251,
    maxMtu: 185,
    supervisionTimeoutMs: 720,
    connectSetupMs: 60,
    pairingMs: 150,
    txQueueLimit: 4096,
  });
  assert.deepEqual(p.ancs, {
    requiresBonding: true,
    requiresShareSystemNotifications: true,
    replayPreExisting: true,
    uidsPerSession: true,
    actions: ['positive', 'negative'],
    textReply: false,
    unknownAppReply: 'empty',
    whenNotShared: { notificationSource: 'silent', controlPointAttError: 0x08 },
    actionEffects: { positive: 'remove', negative: 'remove' },
  });
  assert.equal(p.apps['com.apple.MobileSMS'], 'Messages');
  assert.equal(p.apps['com.whatsapp.WhatsApp'], 'WhatsApp');
  assert.equal(p.map?.channel, 2);
  assert.equal(p.map?.requiresShowMessageNotifications, true);
});

test('the android profile loads and drops the Share System Notifications gate', () => {
  const p = loadPhoneProfile('android');
  assert.equal(p.id, 'android');
  assert.equal(p.ancs.requiresShareSystemNotifications, false);
  assert.equal(p.ancs.replayPreExisting, true);
});

test('a profile loads from a path; optional sections may be left out', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'profile-'));
  const file = path.join(dir, 'custom.json');
  const { pbap: _pbap, hfp: _hfp, map: _map, ...withoutClassicProfiles } = iphoneJson();
  writeFileSync(file, JSON.stringify({ ...withoutClassicProfiles, id: 'custom' }));
  const p = loadPhoneProfile(file);
  assert.equal(p.id, 'custom');
  assert.equal(p.map, undefined);
  assert.equal(p.hfp, undefined);
  assert.equal(p.pbap, undefined);
});

test('unreadable and non-JSON files are ProfileErrors on "(file)"', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'profile-'));
  const bad = path.join(dir, 'bad.json');
  writeFileSync(bad, '{ "id": ');
  assert.throws(() => loadPhoneProfile(bad), (e: unknown) => e instanceof ProfileError && e.field === '(file)' && /JSON/.test(e.message));
  assert.throws(() => loadPhoneProfile('no-such-phone'), (e: unknown) => e instanceof ProfileError && e.field === '(file)');
});

test('an unknown top-level key is refused, naming it', () => {
  expectFieldError({ ...iphoneJson(), colour: 'blue' }, 'colour', /not a known field/);
});

test('each bad field is named', () => {
  const base = iphoneJson();
  const ancs = base.ancs as Record<string, unknown>;
  const ble = base.ble as Record<string, unknown>;
  const without = (key: string): Record<string, unknown> => {
    const copy = { ...base };
    delete copy[key];
    return copy;
  };
  expectFieldError(null, '(root)');
  expectFieldError(without('ancs'), 'ancs', /required/);
  expectFieldError(without('address'), 'address', /required/);
  expectFieldError({ ...base, address: 'f0:99:b6:00:00:01' }, 'address');
  expectFieldError({ ...base, id: 'Has Spaces' }, 'id');
  expectFieldError({ ...base, name: '' }, 'name', /empty/);
  expectFieldError({ ...base, ble: { ...ble, maxMtu: '185' } }, 'ble.maxMtu', /number/);
  expectFieldError({ ...base, ble: { ...ble, maxMtu: 600 } }, 'ble', /max MTU/);
  expectFieldError({ ...base, ble: { ...ble, packetsPerEvent: [4] } }, 'ble.packetsPerEvent');
  expectFieldError({ ...base, ble: { ...ble, packetsPerEvent: [4, 2.5] } }, 'ble.packetsPerEvent[1]', /integer/);
  expectFieldError({ ...base, ble: { ...ble, turbo: true } }, 'ble.turbo');
  expectFieldError({ ...base, ancs: { ...ancs, requiresBonding: 'yes' } }, 'ancs.requiresBonding', /true or false/);
  expectFieldError({ ...base, ancs: { ...ancs, actions: ['positive', 'reply'] } }, 'ancs.actions[1]');
  expectFieldError({ ...base, ancs: { ...ancs, actions: ['positive', 'positive'] } }, 'ancs.actions[1]', /repeats/);
  expectFieldError({ ...base, ancs: { ...ancs, unknownAppReply: 'error' } }, 'ancs.unknownAppReply');
  expectFieldError({ ...base, ancs: { ...ancs, replay: true } }, 'ancs.replay');
  expectFieldError(
    { ...base, ancs: { ...ancs, whenNotShared: { notificationSource: 'silent', controlPointAttError: 0x100 } } },
    'ancs.whenNotShared.controlPointAttError',
  );
  expectFieldError(
    { ...base, ancs: { ...ancs, whenNotShared: { notificationSource: 'loud', controlPointAttError: 8 } } },
    'ancs.whenNotShared.notificationSource',
  );
  expectFieldError({ ...base, ancs: { ...ancs, actionEffects: { positive: 'remove' } } }, 'ancs.actionEffects.negative', /required/);
  expectFieldError({ ...base, apps: { 'com.example': 42 } }, 'apps.com.example');
  expectFieldError({ ...base, map: [] }, 'map', /object/);
});

test('the error message names the source file', () => {
  assert.throws(() => parsePhoneProfile({ ...iphoneJson(), colour: 1 }, 'phones/x.json'), /phones\/x\.json: profile field "colour"/);
});
