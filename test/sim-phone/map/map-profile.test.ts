/**
 * The `map` section of the phone profiles: both built-in profiles load
 * with the documented iOS limits and their android counterparts, the MAS
 * record follows the profile, and every bad field is named.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ProfileError } from '../../../src/sim-phone/errors';
import { builtInProfilePath, loadPhoneProfile, parsePhoneProfile } from '../../../src/sim-phone/profile';
import { parseMapProfile } from '../../../src/sim-phone/map';

const json = (id: string): Record<string, unknown> => JSON.parse(readFileSync(builtInProfilePath(id), 'utf8'));

test('the iphone map section: the iOS limits', () => {
  const map = loadPhoneProfile('iphone').map;
  assert.deepEqual(map, {
    channel: 2,
    version: 0x0104,
    serviceName: 'MAP MAS-iOS',
    masInstanceId: 0,
    supportedMessageTypes: 0x02,
    supportedFeatures: 0x0008021f,
    requiresShowMessageNotifications: true,
    maxSessions: 1,
    secondSession: 'refuse-channel',
    history: false,
    sentFolder: false,
    mms: 'drop',
    groups: 'sender-only',
    conversationIds: 'zero',
    utcOffsetMinutes: 0,
    writeUtcOffset: false,
    markReadOnGet: true,
    ownNumber: '+15555550100',
    push: { types: ['SMS_GSM'], maxRecipients: 1, tooManyRecipients: 0xc6, notText: 0xc0, statusEvents: false },
  });
});

test('the android map section flips the message limits', () => {
  const map = loadPhoneProfile('android').map;
  assert.ok(map);
  assert.equal(map.supportedMessageTypes, 0x0a);
  assert.equal(map.requiresShowMessageNotifications, false);
  assert.equal(map.secondSession, 'service-unavailable');
  assert.equal(map.history, true);
  assert.equal(map.sentFolder, true);
  assert.equal(map.mms, 'deliver');
  assert.equal(map.groups, 'participants');
  assert.equal(map.writeUtcOffset, true);
  assert.deepEqual(map.push.types, ['SMS_GSM', 'MMS']);
  assert.equal(map.push.statusEvents, true);
});

function expectMapError(change: (map: Record<string, unknown>) => void, field: string, matches?: RegExp): void {
  const base = json('iphone');
  const map = { ...(base.map as Record<string, unknown>), push: { ...((base.map as Record<string, unknown>).push as Record<string, unknown>) } };
  change(map);
  assert.throws(
    () => parsePhoneProfile({ ...base, map }, 'x.json'),
    (err: unknown) => {
      assert.ok(err instanceof ProfileError, String(err));
      assert.equal(err.field, field);
      if (matches) assert.match(err.message, matches);
      return true;
    },
  );
}

test('each bad map field is named', () => {
  expectMapError((m) => (m.channel = 31), 'map.channel');
  expectMapError((m) => delete m.serviceName, 'map.serviceName', /required/);
  expectMapError((m) => (m.secondSession = 'drop-it'), 'map.secondSession');
  expectMapError((m) => (m.mms = 'maybe'), 'map.mms');
  expectMapError((m) => (m.groups = 'all'), 'map.groups');
  expectMapError((m) => (m.utcOffsetMinutes = 15 * 60), 'map.utcOffsetMinutes');
  expectMapError((m) => (m.ownNumber = 'me'), 'map.ownNumber');
  expectMapError((m) => (m.supportedFeatures = '0xZZ'), 'map.supportedFeatures', /hex/);
  expectMapError((m) => (m.maxSessions = 0), 'map.maxSessions');
  expectMapError((m) => (m.sessions = 1), 'map.sessions', /not a known field/);
  expectMapError((m) => ((m.push as Record<string, unknown>).notText = '0xA0'), 'map.push.notText', /error response code/);
  expectMapError((m) => ((m.push as Record<string, unknown>).types = ['SMS_GSM', 'SMS_GSM']), 'map.push.types[1]', /repeats/);
  expectMapError((m) => ((m.push as Record<string, unknown>).types = ['sms']), 'map.push.types[0]');
  expectMapError((m) => ((m.push as Record<string, unknown>).maxRecipients = 0), 'map.push.maxRecipients');
});

test('parseMapProfile reports through the given fail callback', () => {
  const fields: string[] = [];
  assert.throws(() =>
    parseMapProfile([], (field, problem) => {
      fields.push(field);
      throw new Error(problem);
    }),
  );
  assert.deepEqual(fields, ['map']);
});
