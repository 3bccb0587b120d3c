/**
 * Notification Source codec: hex fixtures paired with decoded events, every
 * length error with its offset, range checks on encode, and round trips.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { CategoryId, EventFlag, EventId } from '../../../src/protocol/ancs/constants';
import { decodeNotificationSource, encodeNotificationSource } from '../../../src/protocol/ancs/notification-source';
import type { NotificationSourceEvent } from '../../../src/protocol/ancs/types';
import { assertAncsError, hex, notificationSourceEventArb, toHex } from './fixtures';

const fixtures: Array<{ name: string; hex: string; event: NotificationSourceEvent }> = [
  {
    name: 'PROTOCOLS.md example: Added, Silent, Other, count 1, UID 0x43',
    hex: '00 01 00 01 43 00 00 00',
    event: { eventId: EventId.Added, eventFlags: EventFlag.Silent, categoryId: CategoryId.Other, categoryCount: 1, notificationUid: 0x43 },
  },
  {
    name: 'Added, Important|PositiveAction, Social, count 3, UID 0x12345678 (LE)',
    hex: '00 0a 04 03 78 56 34 12',
    event: { eventId: EventId.Added, eventFlags: 0x0a, categoryId: CategoryId.Social, categoryCount: 3, notificationUid: 0x12345678 },
  },
  {
    name: 'Removed, PreExisting|NegativeAction, IncomingCall',
    hex: '02 14 01 00 01 02 00 00',
    event: { eventId: EventId.Removed, eventFlags: 0x14, categoryId: CategoryId.IncomingCall, categoryCount: 0, notificationUid: 0x201 },
  },
  {
    name: 'reserved event id, reserved flag bits, unknown category, UID 0xFFFFFFFF',
    hex: 'ff e0 63 ff ff ff ff ff',
    event: { eventId: 255, eventFlags: 0xe0, categoryId: 99, categoryCount: 255, notificationUid: 0xffffffff },
  },
];

for (const f of fixtures) {
  test(`fixture: ${f.name}`, () => {
    assert.deepEqual(decodeNotificationSource(hex(f.hex)), f.event);
    assert.equal(toHex(encodeNotificationSource(f.event)), f.hex.replace(/ /g, ''));
  });
}

test('fewer than 8 bytes is ancs.truncated at the first incomplete field', () => {
  assertAncsError(() => decodeNotificationSource(new Uint8Array(0)), 'ancs.truncated', 0);
  assertAncsError(() => decodeNotificationSource(hex('00 01 00')), 'ancs.truncated', 3);
  assertAncsError(() => decodeNotificationSource(hex('00 01 00 01 43 00')), 'ancs.truncated', 4);
  assertAncsError(() => decodeNotificationSource(hex('00 01 00 01 43 00 00')), 'ancs.truncated', 4);
});

test('more than 8 bytes is ancs.too-long at byte 8', () => {
  assertAncsError(() => decodeNotificationSource(hex('00 01 00 01 43 00 00 00 00')), 'ancs.too-long', 8);
});

test('encode rejects values outside their wire range with RangeError', () => {
  const ok: NotificationSourceEvent = { eventId: 0, eventFlags: 0, categoryId: 0, categoryCount: 0, notificationUid: 0 };
  for (const bad of [
    { eventId: 256 },
    { eventId: -1 },
    { eventFlags: 1.5 },
    { categoryId: Number.NaN },
    { categoryCount: 300 },
    { notificationUid: 2 ** 32 },
    { notificationUid: -1 },
  ]) {
    assert.throws(() => encodeNotificationSource({ ...ok, ...bad }), RangeError, JSON.stringify(bad));
  }
});

test('property: decode(encode(event)) is the event', () => {
  fc.assert(
    fc.property(notificationSourceEventArb, (ev) => {
      assert.deepEqual(decodeNotificationSource(encodeNotificationSource(ev)), ev);
    }),
    { numRuns: 500 },
  );
});

test('property: any 8 bytes decode and re-encode to the same bytes', () => {
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 8, maxLength: 8 }), (bytes) => {
      assert.deepEqual(encodeNotificationSource(decodeNotificationSource(bytes)), bytes);
    }),
    { numRuns: 500 },
  );
});
