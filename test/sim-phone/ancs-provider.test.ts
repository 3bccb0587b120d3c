import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VirtualClock } from '../../src/link/virtual-clock';
import {
  ANCS_CONTROL_POINT_UUID as CP,
  ANCS_DATA_SOURCE_UUID as DS,
  ANCS_NOTIFICATION_SOURCE_UUID as NS,
  ANCS_SERVICE_UUID,
  NotificationAttributeId as A,
  attributeText,
  decodeDataSourceReply,
  decodeNotificationSource,
  encodeControlPoint,
  encodeDataSourceReply,
} from '../../src/protocol/ancs';
import type { NotificationSourceEvent } from '../../src/protocol/ancs';
import { AncsProvider } from '../../src/sim-phone/ancs-provider';
import { Backchannel } from '../../src/sim-phone/backchannel';
import { PhoneModel } from '../../src/sim-phone/phone-model';
import { AncsProfile, PhoneProfile, loadPhoneProfile } from '../../src/sim-phone/profile';
import { NotificationSpec } from '../../src/sim-phone/stimulus';
import { FakeGattHost, FakePeer, fromHex, hex } from './fake-gatt-host';

const PC = 'AA:BB:CC:00:00:01';
const PC2 = 'AA:BB:CC:00:00:02';

interface Rig {
  clock: VirtualClock;
  host: FakeGattHost;
  model: PhoneModel;
  bc: Backchannel;
  provider: AncsProvider;
  profile: PhoneProfile;
}

function rig(ancs: Partial<AncsProfile> = {}, options: { queueLimit?: number; share?: boolean } = {}): Rig {
  const clock = new VirtualClock();
  const base = loadPhoneProfile('iphone');
  const profile: PhoneProfile = { ...base, ancs: { ...base.ancs, ...ancs } };
  const host = new FakeGattHost();
  const model = new PhoneModel(profile, clock);
  const bc = new Backchannel(model);
  if (options.share ?? true) bc.allowShareSystemNotifications();
  const provider = new AncsProvider({ host, model, profile, clock, ...(options.queueLimit ? { queueLimit: options.queueLimit } : {}) });
  provider.start();
  return { clock, host, model, bc, provider, profile };
}

/** Connects a PC that subscribes Data Source, then Notification Source (as ancs4linux does). */
function connect(r: Rig, address = PC, mtu = 185): FakePeer {
  const peer = r.host.connect(address, mtu);
  assert.equal(r.host.subscribe(peer, DS), undefined);
  assert.equal(r.host.subscribe(peer, NS), undefined);
  r.clock.advance(0);
  return peer;
}

const sms: NotificationSpec = {
  appId: 'com.apple.MobileSMS',
  category: 'Social',
  title: 'Mum',
  message: 'Lunch on Sunday?',
  date: '2026-01-05T08:59:00Z',
  positiveActionLabel: 'Mark as Read',
  negativeActionLabel: 'Clear',
};
const mail: NotificationSpec = { appId: 'com.apple.mobilemail', category: 'Email', title: 'Jordan', message: 'Figures', silent: true };

function events(r: Rig, peer: FakePeer): NotificationSourceEvent[] {
  return r.host.sentTo(peer, NS).map(decodeNotificationSource);
}

const getAll = (uid: number): Uint8Array =>
  encodeControlPoint({
    commandId: 0,
    notificationUid: uid,
    attributes: [
      { id: A.AppIdentifier },
      { id: A.Title, maxLength: 0xffff },
      { id: A.Message, maxLength: 0xffff },
      { id: A.Date },
    ],
  });

test('start publishes ANCS: NS notify, CP write, DS notify, all bonded', () => {
  const r = rig();
  const service = r.host.services.get(ANCS_SERVICE_UUID);
  assert.ok(service);
  assert.deepEqual(
    service.characteristics.map((c) => [c.uuid, c.properties, c.security]),
    [
      [NS, ['notify'], 'bonded'],
      [CP, ['write'], 'bonded'],
      [DS, ['notify'], 'bonded'],
    ],
  );
  // The host refuses an unbonded peer before the provider sees anything.
  const stranger = r.host.connect(PC2, 185, false);
  assert.equal(r.host.subscribe(stranger, NS), 0x05);
  r.provider.stop();
  assert.equal(r.host.services.size, 0);
  assert.equal(rig({ requiresBonding: false }).host.characteristic(NS)?.security, 'open');
});

test('Added, Modified and Removed on NS, byte for byte', () => {
  const r = rig();
  const peer = connect(r);
  assert.equal(r.host.sentTo(peer, NS).length, 0);
  const id = r.bc.postNotification(sms);
  r.clock.advance(0);
  r.bc.modifyNotification(id, { message: 'Lunch on Saturday?' });
  r.clock.advance(0);
  r.bc.removeNotification(id);
  r.clock.advance(0);
  // Social (4), count 1 then 0; flags PositiveAction|NegativeAction (0x18); first session's base UID 0x100.
  assert.deepEqual(r.host.sentTo(peer, NS).map(hex), ['0018040100010000', '0118040100010000', '0218040000010000']);
  assert.equal(r.provider.stats.nsEventsSent, 3);
  assert.equal(r.provider.stats.bytesSent, 24);
});

test('CategoryCount counts the category, and flags show silent and important', () => {
  const r = rig();
  const peer = connect(r);
  r.bc.postNotification(sms);
  r.bc.postNotification({ ...sms, important: true });
  r.bc.postNotification(mail);
  r.clock.advance(0);
  assert.deepEqual(
    events(r, peer).map((e) => [e.eventId, e.eventFlags, e.categoryId, e.categoryCount]),
    [
      [0, 0x18, 4, 1],
      [0, 0x1a, 4, 2],
      [0, 0x01, 6, 1],
    ],
  );
});

test('every subscription replays existing notifications as PreExisting, with fresh UIDs', () => {
  const r = rig();
  r.bc.postNotification(sms);
  r.bc.postNotification(mail);
  const peer = connect(r);
  const first = events(r, peer);
  assert.deepEqual(
    first.map((e) => [e.eventId, e.eventFlags, e.categoryCount, e.notificationUid]),
    [
      [0, 0x1c, 1, 0x100],
      [0, 0x05, 1, 0x101],
    ],
  );
  // Unsubscribe and subscribe again: a new session.
  r.host.subscribe(peer, NS, false);
  r.host.subscribe(peer, NS, true);
  r.host.clearSent();
  r.clock.advance(0);
  const second = events(r, peer);
  assert.deepEqual(second.map((e) => e.eventFlags & 0x04), [0x04, 0x04]);
  const oldUids = first.map((e) => e.notificationUid);
  const newUids = second.map((e) => e.notificationUid);
  assert.deepEqual(newUids, [0x200, 0x201]);
  assert.equal(r.provider.sessionOf(PC), 2);
  assert.equal(r.provider.stats.sessionsStarted, 2);
  // A UID from the first session names nothing now.
  for (const uid of oldUids) assert.equal(r.host.write(peer, CP, getAll(uid)), 0xa2);
  assert.equal(r.host.write(peer, CP, getAll(newUids[0] ?? -1)), undefined);
});

test('without per-session UIDs the UID is the store id, across sessions', () => {
  const r = rig({ uidsPerSession: false });
  const id = r.bc.postNotification(sms);
  const peer = connect(r);
  r.host.subscribe(peer, NS, false);
  r.host.subscribe(peer, NS, true);
  r.clock.advance(0);
  assert.deepEqual(events(r, peer).map((e) => e.notificationUid), [id, id]);
});

test('replayPreExisting false: a subscription announces nothing old', () => {
  const r = rig({ replayPreExisting: false });
  r.bc.postNotification(sms);
  const peer = connect(r);
  assert.equal(r.host.sentTo(peer, NS).length, 0);
  assert.equal(r.host.write(peer, CP, getAll(0x100)), 0xa2);
});

test('GetNotificationAttributes: DS fragments of MTU-3 reassemble to the encoded reply', () => {
  for (const mtu of [23, 64, 185]) {
    const r = rig();
    const id = r.bc.postNotification({ ...sms, message: 'Lunch on Sunday? '.repeat(20) });
    const peer = connect(r, PC, mtu);
    const uid = events(r, peer)[0]?.notificationUid ?? -1;
    const cmd = getAll(uid);
    assert.equal(r.host.write(peer, CP, cmd), undefined);
    assert.equal(r.host.sentTo(peer, DS).length, 0, 'the reply follows the write response');
    r.clock.advance(0);
    const fragments = r.host.sentTo(peer, DS);
    assert.ok(fragments.length > 1);
    fragments.slice(0, -1).forEach((f) => assert.equal(f.length, mtu - 3));
    assert.ok((fragments[fragments.length - 1]?.length ?? 0) <= mtu - 3);
    const joined = Buffer.concat(fragments);
    const n = r.model.notifications.get(id);
    assert.ok(n);
    const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
    const expected = encodeDataSourceReply({
      commandId: 0,
      notificationUid: uid,
      attributes: [
        { id: A.AppIdentifier, value: utf8('com.apple.MobileSMS') },
        { id: A.Title, value: utf8('Mum') },
        { id: A.Message, value: utf8(n.message) },
        { id: A.Date, value: utf8('20260105T085900') },
      ],
    });
    assert.equal(hex(joined), hex(expected));
    const decoded = decodeDataSourceReply(joined, { commandId: 0, attributeCount: 4, notificationUid: uid });
    assert.deepEqual(decoded.attributes.map((a) => attributeText(a.value)).slice(0, 2), ['com.apple.MobileSMS', 'Mum']);
    assert.equal(r.provider.stats.dsFragmentsSent, fragments.length);
    assert.equal(r.provider.stats.requestsServed, 1);
  }
});

test('a small reply is one DS notification with the exact bytes', () => {
  const r = rig();
  r.bc.postNotification(sms);
  const peer = connect(r);
  // Title (MaxLen 2) and MessageSize for UID 0x100.
  assert.equal(r.host.write(peer, CP, fromHex('00 00010000 01 0200 04')), undefined);
  r.clock.advance(0);
  // 00 | UID | Title "Mu" | MessageSize "16"
  assert.deepEqual(r.host.sentTo(peer, DS).map(hex), ['00' + '00010000' + '010200' + '4d75' + '040200' + '3136']);
});

test('Title, Subtitle and Message are cut at MaxLen on a UTF-8 boundary', () => {
  const r = rig();
  r.bc.postNotification({ ...sms, title: 'Zoë', subtitle: '🧗🧗', message: 'Café ☕' });
  const peer = connect(r);
  const cmd = encodeControlPoint({
    commandId: 0,
    notificationUid: 0x100,
    attributes: [
      { id: A.Title, maxLength: 3 },
      { id: A.Subtitle, maxLength: 7 },
      { id: A.Message, maxLength: 8 },
      { id: A.MessageSize },
    ],
  });
  assert.equal(r.host.write(peer, CP, cmd), undefined);
  r.clock.advance(0);
  const reply = decodeDataSourceReply(Buffer.concat(r.host.sentTo(peer, DS)), { commandId: 0, attributeCount: 4 });
  assert.deepEqual(
    reply.attributes.map((a) => hex(a.value)),
    [
      hex(Buffer.from('Zo')), // "ë" (2 bytes) would end at byte 4
      'f09fa797', // one climber; the second would end at byte 8
      hex(Buffer.from('Café ')), // "☕" would end at byte 9
      hex(Buffer.from('9')), // the full message is 9 bytes
    ],
  );
});

test('GetAppAttributes: installed app, newly installed app, unknown app', () => {
  const r = rig();
  const peer = connect(r);
  const ask = (appIdentifier: string): string => {
    r.host.clearSent();
    assert.equal(r.host.write(peer, CP, encodeControlPoint({ commandId: 1, appIdentifier, attributes: [0] })), undefined);
    r.clock.advance(0);
    return hex(Buffer.concat(r.host.sentTo(peer, DS)));
  };
  assert.equal(ask('com.apple.MobileSMS'), hex(Buffer.from('\x01com.apple.MobileSMS\x00\x00\x08\x00Messages', 'latin1')));
  r.bc.installApp('com.example.todo', 'Todo');
  assert.equal(ask('com.example.todo'), hex(Buffer.from('\x01com.example.todo\x00\x00\x04\x00Todo', 'latin1')));
  // iOS answers an unknown app with no attribute tuples at all.
  assert.equal(ask('com.example.gone'), hex(Buffer.from('\x01com.example.gone\x00', 'latin1')));

  const strict = rig({ unknownAppReply: 'invalidParameter' });
  const p2 = connect(strict);
  assert.equal(strict.host.write(p2, CP, encodeControlPoint({ commandId: 1, appIdentifier: 'com.example.gone', attributes: [0] })), 0xa2);
});

test('each Control Point error answers its ATT code', () => {
  const r = rig();
  r.bc.postNotification({ ...sms, positiveActionLabel: undefined });
  const peer = connect(r);
  const codes: Array<[string, number | undefined]> = [
    ['unknown command', r.host.write(peer, CP, fromHex('05 00010000'))],
    ['empty write', r.host.write(peer, CP, new Uint8Array(0))],
    ['UID cut short', r.host.write(peer, CP, fromHex('00 0001'))],
    ['MaxLen missing', r.host.write(peer, CP, fromHex('00 00010000 01'))],
    ['app id without NUL', r.host.write(peer, CP, fromHex('01 61 62'))],
    ['action write too long', r.host.write(peer, CP, fromHex('02 00010000 01 00'))],
    ['big-endian UID', r.host.write(peer, CP, fromHex('00 00000100 00'))],
    ['never-issued UID', r.host.write(peer, CP, fromHex('00 78560000 00'))],
    ['positive action not offered', r.host.write(peer, CP, fromHex('02 00010000 00'))],
    ['unknown action id', r.host.write(peer, CP, fromHex('02 00010000 07'))],
    ['action on unknown UID', r.host.write(peer, CP, fromHex('02 78560000 01'))],
  ];
  assert.deepEqual(codes, [
    ['unknown command', 0xa0],
    ['empty write', 0xa1],
    ['UID cut short', 0xa1],
    ['MaxLen missing', 0xa1],
    ['app id without NUL', 0xa1],
    ['action write too long', 0xa1],
    ['big-endian UID', 0xa2],
    ['never-issued UID', 0xa2],
    ['positive action not offered', 0xa3],
    ['unknown action id', 0xa3],
    ['action on unknown UID', 0xa2],
  ]);
  const stats = r.provider.stats;
  assert.equal(stats.errorsAnswered, codes.length);
  assert.deepEqual(stats.errorsByCode, { 0xa0: 1, 0xa1: 5, 0xa2: 3, 0xa3: 2 });
  assert.equal(stats.requestsServed, 0);
  assert.equal(r.model.notifications.size, 1, 'no failed action touched the phone');
});

test('a reply with Data Source notifications off is refused with 0xFD', () => {
  const r = rig();
  r.bc.postNotification(sms);
  const peer = r.host.connect(PC);
  r.host.subscribe(peer, NS);
  assert.equal(r.host.write(peer, CP, getAll(0x100)), 0xfd);
});

test('a reply that does not fit the per-peer queue is refused whole with 0x11', () => {
  const r = rig({}, { queueLimit: 4 });
  r.bc.postNotification({ ...sms, message: 'x'.repeat(200) });
  const peer = connect(r, PC, 23);
  assert.equal(r.host.write(peer, CP, getAll(0x100)), 0x11);
  r.clock.advance(0);
  assert.equal(r.host.sentTo(peer, DS).length, 0);
});

test('replies are serialised per peer, whole reply before the next', () => {
  const r = rig();
  r.bc.postNotification({ ...sms, message: 'a'.repeat(100) });
  r.bc.postNotification({ ...sms, message: 'b'.repeat(100) });
  const peer = connect(r, PC, 23);
  assert.equal(r.host.write(peer, CP, getAll(0x100)), undefined);
  assert.equal(r.host.write(peer, CP, getAll(0x101)), undefined);
  r.clock.advance(0);
  const joined = Buffer.concat(r.host.sentTo(peer, DS));
  // Both replies have the same shape and size, so interleaved fragments would break these decodes.
  assert.equal(joined.length % 2, 0);
  const half = joined.length / 2;
  const first = decodeDataSourceReply(joined.subarray(0, half), { commandId: 0, attributeCount: 4, notificationUid: 0x100 });
  const second = decodeDataSourceReply(joined.subarray(half), { commandId: 0, attributeCount: 4, notificationUid: 0x101 });
  assert.equal(attributeText(first.attributes[2]?.value ?? new Uint8Array()), 'a'.repeat(100));
  assert.equal(attributeText(second.attributes[2]?.value ?? new Uint8Array()), 'b'.repeat(100));
});

test('a full link queue delays fragments on the clock, never drops them', () => {
  const r = rig();
  r.bc.postNotification({ ...sms, message: 'z'.repeat(300) });
  const peer = connect(r, PC, 23);
  r.host.refuseNext = 3;
  assert.equal(r.host.write(peer, CP, getAll(0x100)), undefined);
  r.clock.advance(0);
  assert.equal(r.host.sentTo(peer, DS).length, 0);
  r.clock.advance(r.profile.ble.connectionIntervalMs * 3);
  const joined = Buffer.concat(r.host.sentTo(peer, DS));
  const reply = decodeDataSourceReply(joined, { commandId: 0, attributeCount: 4, notificationUid: 0x100 });
  assert.equal(attributeText(reply.attributes[2]?.value ?? new Uint8Array()), 'z'.repeat(300));
  assert.equal(r.provider.stats.backPressureRetries, 3);
  assert.equal(r.provider.stats.notificationsDropped, 0);
  assert.equal(r.clock.nextEventTime(), undefined, 'no timer left when idle');
});

test('a negative action dismisses the notification: Removed to every session', () => {
  const r = rig();
  r.bc.postNotification(sms);
  const a = connect(r, PC);
  const b = connect(r, PC2);
  const performed: string[] = [];
  r.provider.events.on('actionPerformed', (peer, n, action) => performed.push(`${peer.address}:${n.title}:${action}`));
  const uidA = events(r, a)[0]?.notificationUid ?? -1;
  const uidB = events(r, b)[0]?.notificationUid ?? -1;
  assert.notEqual(uidA, uidB);
  r.host.clearSent();
  assert.equal(r.host.write(a, CP, encodeControlPoint({ commandId: 2, notificationUid: uidA, actionId: 1 })), undefined);
  assert.equal(r.host.sentTo(a, NS).length, 0, 'Removed follows the write response');
  r.clock.advance(0);
  assert.equal(r.model.notifications.size, 0);
  assert.deepEqual(events(r, a).map((e) => [e.eventId, e.categoryCount, e.notificationUid]), [[2, 0, uidA]]);
  assert.deepEqual(events(r, b).map((e) => [e.eventId, e.categoryCount, e.notificationUid]), [[2, 0, uidB]]);
  assert.deepEqual(performed, [`${PC}:Mum:negative`]);
  assert.equal(r.host.write(a, CP, getAll(uidA)), 0xa2, 'its UID is gone');
});

test('a positive action removes it too by default; actionEffects "none" keeps it', () => {
  const r = rig();
  r.bc.postNotification(sms);
  const peer = connect(r);
  assert.equal(r.host.write(peer, CP, fromHex('02 00010000 00')), undefined);
  assert.equal(r.model.notifications.size, 0);

  const keep = rig({ actionEffects: { positive: 'none', negative: 'remove' } });
  keep.bc.postNotification(sms);
  const p = connect(keep);
  keep.host.clearSent();
  assert.equal(keep.host.write(p, CP, fromHex('02 00010000 00')), undefined);
  keep.clock.advance(0);
  assert.equal(keep.model.notifications.size, 1);
  assert.equal(keep.host.sentTo(p, NS).length, 0);
  assert.equal(keep.provider.stats.actionsPerformed, 1);
});

test('an action the profile does not offer is not flagged and fails with 0xA3', () => {
  const r = rig({ actions: ['negative'] });
  r.bc.postNotification(sms);
  const peer = connect(r);
  assert.equal(events(r, peer)[0]?.eventFlags, 0x14);
  assert.equal(r.host.write(peer, CP, fromHex('02 00010000 00')), 0xa3);
  assert.equal(r.host.write(peer, CP, fromHex('02 00010000 01')), undefined);
});

test('until Share System Notifications is allowed: NS silent, CP answers 0x08; a grant replays', () => {
  const r = rig({}, { share: false });
  r.bc.postNotification(sms);
  const peer = connect(r);
  r.bc.postNotification(mail);
  r.clock.advance(0);
  assert.equal(r.host.sentTo(peer, NS).length, 0);
  assert.equal(r.host.write(peer, CP, getAll(0x100)), 0x08);
  assert.equal(r.host.write(peer, CP, encodeControlPoint({ commandId: 1, appIdentifier: 'com.apple.MobileSMS', attributes: [0] })), 0x08);
  assert.equal(r.host.write(peer, CP, fromHex('07')), 0x08, 'permission is checked before decoding');

  r.bc.allowShareSystemNotifications(PC);
  r.clock.advance(0);
  assert.deepEqual(
    events(r, peer).map((e) => [e.eventId, e.eventFlags & 0x04, e.categoryId]),
    [
      [0, 0x04, 4],
      [0, 0x04, 6],
    ],
  );
  assert.equal(r.host.write(peer, CP, getAll(0x100)), undefined);
});

test('revoked mid-session: NS goes silent; granted again: everything replays as PreExisting', () => {
  const r = rig();
  const peer = connect(r);
  const first = r.bc.postNotification(sms);
  r.clock.advance(0);
  r.bc.revokeShareSystemNotifications(PC);
  r.host.clearSent();
  r.bc.postNotification(mail);
  r.bc.modifyNotification(first, { message: 'changed' });
  r.clock.advance(0);
  assert.equal(r.host.sentTo(peer, NS).length, 0);
  assert.equal(r.host.write(peer, CP, getAll(0x100)), 0x08);

  r.bc.allowShareSystemNotifications();
  r.clock.advance(0);
  assert.deepEqual(
    events(r, peer).map((e) => [e.eventId, e.eventFlags & 0x04, e.notificationUid]),
    [
      [0, 0x04, 0x100], // same session: the UID it already had
      [0, 0x04, 0x101],
    ],
  );
});

test('permission is per PC', () => {
  const r = rig({}, { share: false });
  r.bc.allowShareSystemNotifications(PC);
  const a = connect(r, PC);
  const b = connect(r, PC2);
  r.bc.postNotification(sms);
  r.clock.advance(0);
  assert.equal(r.host.sentTo(a, NS).length, 1);
  assert.equal(r.host.sentTo(b, NS).length, 0);
  assert.equal(r.host.write(b, CP, fromHex('01 6100 00')), 0x08);
});

test('a profile without the gate shares with everyone; "deliver" keeps NS flowing when not shared', () => {
  const android = rig({ requiresShareSystemNotifications: false }, { share: false });
  const p = connect(android);
  android.bc.postNotification(sms);
  android.clock.advance(0);
  assert.equal(android.host.sentTo(p, NS).length, 1);
  assert.equal(android.host.write(p, CP, getAll(0x100)), undefined);

  const leaky = rig({ whenNotShared: { notificationSource: 'deliver', controlPointAttError: 0x05 } }, { share: false });
  const q = connect(leaky);
  leaky.bc.postNotification(sms);
  leaky.clock.advance(0);
  assert.equal(leaky.host.sentTo(q, NS).length, 1);
  assert.equal(leaky.host.write(q, CP, getAll(0x100)), 0x05);
});

test('disconnect ends the session; a reconnect starts over with new UIDs', () => {
  const r = rig();
  r.bc.postNotification(sms);
  const peer = connect(r);
  r.host.disconnect(peer);
  assert.equal(r.provider.sessionOf(PC), undefined);
  r.bc.postNotification(mail);
  r.clock.advance(0);
  const again = connect(r);
  assert.deepEqual(events(r, again).map((e) => e.notificationUid), [0x100, 0x200, 0x201]);
  assert.equal(r.host.write(again, CP, getAll(0x100)), 0xa2);
});

test('a Modified for a notification the session never announced is not sent', () => {
  const r = rig({ replayPreExisting: false });
  const id = r.bc.postNotification(sms);
  const peer = connect(r);
  r.bc.modifyNotification(id, { title: 'Mum (2)' });
  r.bc.removeNotification(id);
  r.clock.advance(0);
  assert.equal(r.host.sentTo(peer, NS).length, 0);
});
