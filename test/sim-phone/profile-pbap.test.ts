/**
 * The `pbap` and `classic` sections of phone profiles: what the built-in
 * iphone and android profiles say, hex strings for numbers, and strict
 * validation that names the bad field.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { DEFAULT_CLASSIC_MODEL } from '../../src/link/classic-model';
import { ProfileError } from '../../src/sim-phone/errors';
import { builtInProfilePath, loadPhoneProfile, parsePhoneProfile } from '../../src/sim-phone/profile';

const iphoneJson = (): Record<string, unknown> => JSON.parse(readFileSync(builtInProfilePath('iphone'), 'utf8'));

function fieldOf(json: unknown): string {
  try {
    parsePhoneProfile(json, 'test.json');
  } catch (err) {
    assert.ok(err instanceof ProfileError, String(err));
    return err.field;
  }
  throw new Error('no error');
}

function withPbap(changes: Record<string, unknown>): Record<string, unknown> {
  const json = iphoneJson();
  return { ...json, pbap: { ...(json.pbap as Record<string, unknown>), ...changes } };
}

function withClassic(changes: Record<string, unknown>, link: Record<string, unknown> = {}): Record<string, unknown> {
  const json = iphoneJson();
  const classic = json.classic as Record<string, unknown>;
  return { ...json, classic: { ...classic, ...changes, link: { ...(classic.link as Record<string, unknown>), ...link } } };
}

test('the iphone profile: PBAP gated by Sync Contacts and the Hands-free class, no SupportedFeatures', () => {
  const p = loadPhoneProfile('iphone');
  assert.deepEqual(p.pbap, {
    channel: 13,
    version: 0x0102,
    supportedRepositories: 0x01,
    formats: ['2.1', '3.0'],
    requiresSyncContacts: true,
    requiresHandsFreeClass: true,
    photos: true,
  });
  assert.equal(p.classic?.name, 'iPhone');
  assert.equal(p.classic?.classOfDevice, 0x7a020c);
  assert.deepEqual(p.classic?.link, DEFAULT_CLASSIC_MODEL);
});

test('the android profile: no gates, SupportedFeatures present', () => {
  const p = loadPhoneProfile('android');
  assert.equal(p.pbap?.requiresSyncContacts, false);
  assert.equal(p.pbap?.requiresHandsFreeClass, false);
  assert.equal(p.pbap?.supportedFeatures, 0x23);
  assert.equal(p.classic?.classOfDevice, 0x5a020c);
});

test('numbers may be JSON numbers or "0x" strings', () => {
  const p = parsePhoneProfile(withPbap({ version: 257, supportedFeatures: '0x3FF' }));
  assert.equal(p.pbap?.version, 0x0101);
  assert.equal(p.pbap?.supportedFeatures, 0x3ff);
  assert.equal(parsePhoneProfile(withClassic({ classOfDevice: 0x7c0408 })).classic?.classOfDevice, 0x7c0408);
});

test('each bad pbap or classic field is named', () => {
  assert.equal(fieldOf(withPbap({ channel: 0 })), 'pbap.channel');
  assert.equal(fieldOf(withPbap({ channel: 31 })), 'pbap.channel');
  assert.equal(fieldOf(withPbap({ version: '0x10000' })), 'pbap.version');
  assert.equal(fieldOf(withPbap({ version: '258' })), 'pbap.version');
  assert.equal(fieldOf(withPbap({ supportedRepositories: 256 })), 'pbap.supportedRepositories');
  assert.equal(fieldOf(withPbap({ supportedFeatures: -1 })), 'pbap.supportedFeatures');
  assert.equal(fieldOf(withPbap({ formats: [] })), 'pbap.formats');
  assert.equal(fieldOf(withPbap({ formats: ['3.0', '3.0'] })), 'pbap.formats[1]');
  assert.equal(fieldOf(withPbap({ formats: ['4.0'] })), 'pbap.formats[0]');
  assert.equal(fieldOf(withPbap({ photos: 'yes' })), 'pbap.photos');
  assert.equal(fieldOf(withPbap({ sim: true })), 'pbap.sim');
  const noGate = withPbap({});
  delete (noGate.pbap as Record<string, unknown>).requiresSyncContacts;
  assert.equal(fieldOf(noGate), 'pbap.requiresSyncContacts');
  assert.equal(fieldOf(withClassic({ name: '' })), 'classic.name');
  assert.equal(fieldOf(withClassic({ classOfDevice: '0x1000000' })), 'classic.classOfDevice');
  assert.equal(fieldOf(withClassic({ colour: 1 })), 'classic.colour');
  assert.equal(fieldOf(withClassic({}, { bitrate: 10 })), 'classic.link');
  assert.equal(fieldOf(withClassic({}, { creditReturnThreshold: 99 })), 'classic.link');
  assert.equal(fieldOf(withClassic({}, { latencyMs: 'fast' })), 'classic.link.latencyMs');
  assert.equal(fieldOf(withClassic({}, { extra: 1 })), 'classic.link.extra');
});
