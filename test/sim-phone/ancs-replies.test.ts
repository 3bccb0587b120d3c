import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { EventFlag, NotificationAttributeId as A } from '../../src/protocol/ancs/constants';
import {
  appAttributesReply,
  eventFlagsFor,
  formatAncsDate,
  notificationAttributesReply,
  offersAction,
  truncateUtf8,
} from '../../src/sim-phone/ancs-replies';
import { PhoneNotification } from '../../src/sim-phone/notification-store';
import { AncsProfile, loadPhoneProfile } from '../../src/sim-phone/profile';

const ancs: AncsProfile = loadPhoneProfile('iphone').ancs;
const text = (b: Uint8Array): string => new TextDecoder('utf-8', { fatal: true }).decode(b);
const strict = new TextDecoder('utf-8', { fatal: true });

const sms: PhoneNotification = {
  id: 7,
  appId: 'com.apple.MobileSMS',
  categoryId: 4,
  title: 'Zoë',
  subtitle: '',
  message: 'Café at 10? ☕',
  date: new Date('2026-01-05T09:03:07Z'),
  silent: false,
  important: true,
  positiveActionLabel: 'Mark as Read',
  negativeActionLabel: 'Clear',
};

test('truncateUtf8 never splits a character', () => {
  // "é" is 2 bytes (c3 a9), "☕" is 3 (e2 98 95), "🧗" is 4 (f0 9f a7 97).
  assert.deepEqual([...truncateUtf8('héllo', 2)], [0x68]);
  assert.deepEqual([...truncateUtf8('héllo', 3)], [0x68, 0xc3, 0xa9]);
  assert.equal(text(truncateUtf8('a☕b', 3)), 'a');
  assert.equal(text(truncateUtf8('a☕b', 4)), 'a☕');
  assert.equal(text(truncateUtf8('🧗x', 3)), '');
  assert.equal(text(truncateUtf8('🧗x', 4)), '🧗');
  assert.equal(text(truncateUtf8('abc', 0)), '');
  assert.equal(text(truncateUtf8('abc', 10)), 'abc');
});

test('property: truncation is the longest whole-character prefix within MaxLen', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'grapheme', maxLength: 40 }), fc.integer({ min: 0, max: 200 }), (s, max) => {
      const full = new TextEncoder().encode(s);
      const cut = truncateUtf8(s, max);
      assert.ok(cut.length <= max);
      assert.deepEqual(cut, full.slice(0, cut.length));
      const decoded = strict.decode(cut); // throws on a split character
      assert.ok(s.startsWith(decoded));
      if (cut.length < full.length) {
        // The next whole character would not have fitted.
        const nextChar = String.fromCodePoint(s.slice(decoded.length).codePointAt(0) ?? 0);
        assert.ok(cut.length + new TextEncoder().encode(nextChar).length > max);
      }
    }),
    { numRuns: 500 },
  );
});

test('the Date attribute is yyyyMMddTHHmmss in UTC', () => {
  assert.equal(formatAncsDate(new Date('2026-01-05T09:03:07Z')), '20260105T090307');
  // The same shape as a real iOS capture's "20150615T161837".
  assert.equal(formatAncsDate(new Date(Date.UTC(2015, 5, 15, 16, 18, 37))), '20150615T161837');
  assert.equal(formatAncsDate(new Date('0999-12-31T23:59:59Z')), '09991231T235959');
});

test('event flags follow the notification and the profile', () => {
  assert.equal(eventFlagsFor(ancs, sms, false), EventFlag.Important | EventFlag.PositiveAction | EventFlag.NegativeAction);
  assert.equal(eventFlagsFor(ancs, sms, true), 0x1e);
  const quiet = { ...sms, silent: true, important: false, positiveActionLabel: undefined };
  assert.equal(eventFlagsFor(ancs, quiet, false), EventFlag.Silent | EventFlag.NegativeAction);
  const negativeOnly: AncsProfile = { ...ancs, actions: ['negative'] };
  assert.equal(offersAction(negativeOnly, sms, 'positive'), false);
  assert.equal(eventFlagsFor(negativeOnly, sms, false), EventFlag.Important | EventFlag.NegativeAction);
});

test('notification attributes come in request order with MaxLen, MessageSize, Date and labels', () => {
  const reply = notificationAttributesReply(ancs, 0x1234, sms, [
    { id: A.Date },
    { id: A.Message, maxLength: 4 },
    { id: A.MessageSize },
    { id: A.Title, maxLength: 3 },
    { id: A.Subtitle, maxLength: 100 },
    { id: A.AppIdentifier },
    { id: A.NegativeActionLabel },
    { id: A.PositiveActionLabel },
    { id: 42 },
  ]);
  assert.equal(reply.notificationUid, 0x1234);
  assert.deepEqual(
    reply.attributes.map((a) => [a.id, text(a.value)]),
    [
      [A.Date, '20260105T090307'],
      [A.Message, 'Caf'], // "é" would straddle byte 4
      [A.MessageSize, '16'], // UTF-8 bytes: "Caf" 3 + "é" 2 + " at 10? " 8 + "☕" 3
      [A.Title, 'Zo'],
      [A.Subtitle, ''],
      [A.AppIdentifier, 'com.apple.MobileSMS'],
      [A.NegativeActionLabel, 'Clear'],
      [A.PositiveActionLabel, 'Mark as Read'],
      [42, ''],
    ],
  );
  const noLabels = notificationAttributesReply(ancs, 1, { ...sms, positiveActionLabel: undefined }, [{ id: A.PositiveActionLabel }]);
  assert.equal(noLabels.attributes[0]?.value.length, 0);
});

test('app attributes: display name, and each unknown-app policy', () => {
  assert.deepEqual(
    appAttributesReply(ancs, 'com.apple.MobileSMS', 'Messages', [0])?.attributes.map((a) => [a.id, text(a.value)]),
    [[0, 'Messages']],
  );
  assert.deepEqual(appAttributesReply(ancs, 'gone', undefined, [0]), { commandId: 1, appIdentifier: 'gone', attributes: [] });
  assert.deepEqual(
    appAttributesReply({ ...ancs, unknownAppReply: 'emptyValues' }, 'gone', undefined, [0, 9])?.attributes.map((a) => [a.id, a.value.length]),
    [
      [0, 0],
      [9, 0],
    ],
  );
  assert.equal(appAttributesReply({ ...ancs, unknownAppReply: 'invalidParameter' }, 'gone', undefined, [0]), undefined);
});
