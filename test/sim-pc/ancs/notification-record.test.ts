import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { attributeTexts, buildNotification, offersAction, parseAncsDate, parseMessageSize, requestedAttributes } from '../../../src/sim-pc/ancs/notification-record';
import { EventFlag, EventId, NotificationAttributeId } from '../../../src/protocol/ancs';

test('parseAncsDate reads yyyyMMddTHHmmss as local wall time', () => {
  assert.equal(parseAncsDate('20240131T154500')?.getTime(), new Date(2024, 0, 31, 15, 45, 0).getTime());
  assert.equal(parseAncsDate('20150615T161837')?.getTime(), new Date(2015, 5, 15, 16, 18, 37).getTime());
  assert.equal(parseAncsDate('20240229T000000')?.getDate(), 29);
});

test('parseAncsDate rejects empty, malformed and impossible dates', () => {
  for (const bad of ['', '20240131', '20240131T1545', '20240131T154500Z', '2024-01-31T15:45:00', '20240230T000000', '20230229T120000', '20241301T000000', '20240100T000000', '20240131T240000', '20240131T156000', '20240131T154560', '２０２４0131T154500']) {
    assert.equal(parseAncsDate(bad), undefined, bad);
  }
});

test('property: every valid calendar time survives format then parse', () => {
  fc.assert(
    fc.property(fc.date({ min: new Date(1971, 0, 1), max: new Date(2099, 11, 31), noInvalidDate: true }), (d) => {
      const local = new Date(d.getFullYear(), d.getMonth(), d.getDate(), d.getHours(), d.getMinutes(), d.getSeconds());
      const p = (n: number, w = 2) => String(n).padStart(w, '0');
      const text = `${p(local.getFullYear(), 4)}${p(local.getMonth() + 1)}${p(local.getDate())}T${p(local.getHours())}${p(local.getMinutes())}${p(local.getSeconds())}`;
      const parsed = parseAncsDate(text);
      // A wall time skipped by a DST change reads as a nearby instant; the fields still agree.
      assert.ok(parsed);
      assert.equal(parsed.getFullYear(), local.getFullYear());
      assert.equal(parsed.getMonth(), local.getMonth());
      assert.equal(parsed.getDate(), local.getDate());
    }),
    { numRuns: 500 },
  );
});

test('parseMessageSize takes decimal digits only', () => {
  assert.equal(parseMessageSize('42'), 42);
  assert.equal(parseMessageSize('0'), 0);
  assert.equal(parseMessageSize(''), undefined);
  assert.equal(parseMessageSize('-1'), undefined);
  assert.equal(parseMessageSize('12a'), undefined);
  assert.equal(parseMessageSize('1e3'), undefined);
});

test('requested attributes: all eight, MaxLen on Title, Subtitle and Message only', () => {
  assert.deepEqual(requestedAttributes(300), [
    { id: 0 },
    { id: 1, maxLength: 300 },
    { id: 2, maxLength: 300 },
    { id: 3, maxLength: 300 },
    { id: 4 },
    { id: 5 },
    { id: 6 },
    { id: 7 },
  ]);
});

test('buildNotification: texts, first tuple wins, app id as the fallback name, flags', () => {
  const enc = (s: string) => new TextEncoder().encode(s);
  const texts = attributeTexts([
    { id: NotificationAttributeId.AppIdentifier, value: enc('com.example.app') },
    { id: NotificationAttributeId.Title, value: enc('First') },
    { id: NotificationAttributeId.Title, value: enc('Second') },
    { id: NotificationAttributeId.Message, value: Uint8Array.of(0x68, 0xc3) }, // cut inside a UTF-8 sequence
    { id: NotificationAttributeId.Date, value: enc('garbage') },
  ]);
  const record = buildNotification(
    { eventId: EventId.Added, eventFlags: EventFlag.PreExisting | EventFlag.PositiveAction, categoryId: 200, categoryCount: 3, notificationUid: 5 },
    texts,
    '',
  );
  assert.equal(record.appName, 'com.example.app');
  assert.equal(record.title, 'First');
  assert.equal(record.message, 'h\ufffd');
  assert.equal(record.subtitle, '');
  assert.equal(record.date, undefined);
  assert.equal(record.dateRaw, 'garbage');
  assert.equal(record.messageSize, undefined);
  assert.equal(record.categoryId, 200, 'unknown categories pass through');
  assert.equal(record.preExisting, true);
  assert.equal(offersAction(record.flags, 'positive'), true);
  assert.equal(offersAction(record.flags, 'negative'), false);
});
