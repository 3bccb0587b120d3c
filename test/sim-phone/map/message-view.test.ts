/**
 * How messages look over MAP, without a link: handles (a round trip for
 * every id, hostile texts rejected), listing entries under ParameterMask,
 * date-times in the phone's local time with or without the zone, bMessages
 * for groups under both policies, event reports 1.0 and 1.1, and the
 * listing filters (read status partitions, order kept, a hostile
 * originator pattern matched in linear time).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeBMessage, encodeBMessage } from '../../../src/protocol/map';
import { addressMatcher, filterMessages, MessageStore, MessageView, messageHandle, messageIdOf, subjectOf, type MapProfile } from '../../../src/sim-phone/map';
import { loadPhoneProfile } from '../../../src/sim-phone/profile';

function mapOf(id: string, changes: Partial<MapProfile> = {}): MapProfile {
  const map = loadPhoneProfile(id).map;
  assert.ok(map);
  return { ...map, ...changes };
}

const DATE = new Date('2026-03-01T23:30:05.678Z');

test('handles: hex, stable, and every id comes back; hostile texts name nothing', () => {
  assert.equal(messageHandle(1), '40000000001');
  assert.equal(messageIdOf('40000000001'), 1);
  assert.equal(messageIdOf('0000040000000001'), 1);
  assert.equal(messageIdOf('4000000000a'), 10);
  fc.assert(
    fc.property(fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER - 0x40000000000 }), (id) => {
      const handle = messageHandle(id);
      assert.match(handle, /^[0-9A-F]{1,16}$/);
      assert.equal(messageIdOf(handle), id);
      assert.equal(messageIdOf(handle.toLowerCase()), id);
    }),
    { numRuns: 500 },
  );
  for (const bad of ['', 'xyz', '40000000000', '1', '12345678901234567', '-1', ' 40000000001']) assert.equal(messageIdOf(bad), undefined, bad);
});

test('date-times: iPhone local time without zone at its offset; android with +HHMM; MSETime always with the zone', () => {
  assert.equal(new MessageView(mapOf('iphone')).dateTime(DATE), '20260301T233005');
  assert.equal(new MessageView(mapOf('iphone', { utcOffsetMinutes: -300 })).dateTime(DATE), '20260301T183005');
  assert.equal(new MessageView(mapOf('android')).dateTime(DATE), '20260302T013005+0200');
  assert.equal(new MessageView(mapOf('iphone', { utcOffsetMinutes: -330 })).mseTime(DATE), '20260301T180005-0530');
});

test('listing entries honour ParameterMask and keep the mandatory attributes', () => {
  const store = new MessageStore();
  const view = new MessageView(mapOf('android'));
  const message = store.receive({ from: '+15550002', name: 'Ann', text: 'héllo\r\nthere', group: ['+15550003'], date: DATE });
  const all = view.listingEntry(message, { parameterMask: 0, subjectLength: 255, format11: false });
  assert.deepEqual(all, {
    handle: messageHandle(message.id),
    subject: 'héllo there',
    datetime: '20260302T013005+0200',
    sender_name: 'Ann',
    sender_addressing: '+15550002',
    recipient_name: '',
    recipient_addressing: '+15555550111;+15550003',
    type: 'SMS_GSM',
    size: 13,
    reception_status: 'complete',
    text: 'yes',
    attachment_size: 0,
    priority: 'no',
    read: 'no',
    sent: 'no',
    protected: 'no',
  });
  const masked = view.listingEntry(message, { parameterMask: 0x0004, subjectLength: 3, format11: true });
  assert.deepEqual(Object.keys(masked).sort(), ['attachment_size', 'datetime', 'handle', 'reception_status', 'recipient_addressing', 'sender_name', 'size', 'subject', 'type']);
  assert.equal(masked.subject, 'hél');
  const eleven = view.listingEntry(message, { parameterMask: 0, subjectLength: 255, format11: true });
  assert.equal(eleven.direction, 'incoming');
  assert.equal(eleven.delivery_status, 'delivered');
  assert.match(eleven.conversation_id ?? '', /^[0-9A-F]{16}$/);
  // The same participants, written differently, make the same conversation.
  const again = store.receive({ from: '+1 555 0002', text: 'x', group: ['+1-555-0003'], date: DATE });
  assert.equal(view.listingEntry(again, { parameterMask: 0, subjectLength: 255, format11: true }).conversation_id, eleven.conversation_id);
  assert.equal(new MessageView(mapOf('iphone')).listingEntry(message, { parameterMask: 0, subjectLength: 255, format11: true }).conversation_id, '0');
});

test('subjects never split a surrogate pair and stay on one line', () => {
  assert.equal(subjectOf('😀😀😀', 2), '😀😀');
  assert.equal(subjectOf('a\nb', 10), 'a b');
});

test('bMessages: a group flattened (iPhone) or with every participant (android); they encode and decode', () => {
  const store = new MessageStore();
  const message = store.receive({ from: '+15550004', name: 'Bo', text: 'group hello', group: ['+15550005'], date: DATE });
  const flat = new MessageView(mapOf('iphone')).bMessage(message);
  const whole = new MessageView(mapOf('android')).bMessage(message);
  assert.deepEqual(flat.envelope.recipients.map((r) => r.phones), [['+15555550100']]);
  assert.deepEqual(whole.envelope.recipients.map((r) => r.phones), [['+15555550111'], ['+15550005']]);
  for (const bmsg of [flat, whole]) {
    const back = decodeBMessage(encodeBMessage(bmsg));
    assert.deepEqual(back.originators.map((o) => o.phones), [['+15550004']]);
    assert.equal(back.status, 'UNREAD');
    assert.equal(back.folder, 'telecom/msg/inbox');
  }
});

test('events: 1.0 carries type, handle, folder and msg_type; 1.1 adds datetime, subject, sender_name, priority', () => {
  const store = new MessageStore();
  const view = new MessageView(mapOf('android'));
  const message = store.receive({ from: '+15550004', name: 'Bo', text: 'ping', date: DATE, attachment: { mimeType: 'image/png', size: 5 } });
  assert.deepEqual(view.event('NewMessage', message, false), { type: 'NewMessage', handle: messageHandle(message.id), folder: 'TELECOM/MSG/INBOX', msg_type: 'MMS' });
  assert.deepEqual(view.event('NewMessage', message, true), {
    type: 'NewMessage',
    handle: messageHandle(message.id),
    folder: 'TELECOM/MSG/INBOX',
    msg_type: 'MMS',
    datetime: '20260302T013005+0200',
    subject: 'ping',
    sender_name: 'Bo',
    priority: 'no',
  });
});

test('visibility: iPhone sees only what was shown to the PC, never a dropped MMS, never sent; android sees all', () => {
  const store = new MessageStore();
  const iphone = new MessageView(mapOf('iphone'));
  const android = new MessageView(mapOf('android'));
  const text = store.receive({ from: '1', text: 'a', date: DATE });
  const mms = store.receive({ from: '1', text: 'b', date: DATE, attachment: { mimeType: 'image/png', size: 1 } });
  const sent = store.recordSent({ recipients: ['2'], text: 'c', type: 'SMS_GSM', sentBy: 'PC', date: DATE });
  for (const m of [text, mms, sent]) store.markShown(m.id, 'AA:BB:CC:DD:EE:01');
  const pc = 'aa:bb:cc:dd:ee:01';
  assert.deepEqual([text, mms, sent].map((m) => iphone.visibleTo(m, pc)), [true, false, false]);
  assert.deepEqual([text, mms, sent].map((m) => iphone.visibleTo(m, 'AA:BB:CC:DD:EE:02')), [false, false, false]);
  assert.deepEqual([text, mms, sent].map((m) => android.visibleTo(m, 'AA:BB:CC:DD:EE:02')), [true, true, true]);
});

test('property: read filters partition a folder and keep its order', () => {
  const map = mapOf('android');
  const view = new MessageView(map);
  fc.assert(
    fc.property(fc.array(fc.boolean(), { maxLength: 30 }), (reads) => {
      const store = new MessageStore();
      for (const read of reads) {
        const m = store.receive({ from: '1', text: 't', date: DATE });
        if (read) store.setRead(m.id, true);
      }
      const all = store.all();
      const unread = filterMessages(all, { filterReadStatus: 1 }, view, map);
      const read = filterMessages(all, { filterReadStatus: 2 }, view, map);
      const none = filterMessages(all, {}, view, map);
      assert.ok(unread.ok && read.ok && none.ok);
      assert.equal(unread.messages.length + read.messages.length, all.length);
      assert.deepEqual(none.messages, all);
      const ids = unread.messages.map((m) => m.id);
      assert.deepEqual(ids, [...ids].sort((a, b) => a - b));
    }),
    { numRuns: 300 },
  );
});

test('originator patterns: stars match runs, case is ignored, and a hostile pattern stays fast', () => {
  const match = addressMatcher('*ANN*');
  assert.equal(match('Joanne'), true);
  assert.equal(match('Bob'), false);
  assert.equal(addressMatcher('+1*0100')('+15555550100'), true);
  assert.equal(addressMatcher('0100*+1')('+15555550100'), false);
  const hostile = addressMatcher(`${'*a'.repeat(120)}*b`);
  const started = performance.now();
  for (let i = 0; i < 200; i++) assert.equal(hostile('a'.repeat(64)), false);
  assert.ok(performance.now() - started < 500, 'linear, not backtracking');
});
