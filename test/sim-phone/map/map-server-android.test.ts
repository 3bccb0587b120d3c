/**
 * The android profile's MAP server over the in-memory classic link, where
 * the iOS limits do not apply: no permission gate, several sessions (more
 * are answered Service Unavailable), history visible without registering,
 * MMS typed MMS with its attachment size, groups with every participant,
 * a sent folder, SendingSuccess and DeliverySuccess after a push, date-times
 * with the zone, per-thread conversation ids and event reports 1.1.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MapFeature, MapMime, party, simpleBMessage } from '../../../src/protocol/map';
import { ResponseCode } from '../../../src/protocol/obex';
import { connectPc, eventsOf, makeRig, Mce, PC2, refusal } from './map-rig';

const FEATURES_11 = MapFeature.MessagesListingFormat11 | MapFeature.ExtendedEventReport11 | MapFeature.MapSupportedFeaturesInConnect;

test('android: history is visible without registering, MMS and groups come whole, dates carry the zone', async () => {
  const rig = makeRig({ profile: 'android' });
  const { backchannel } = rig.phone;
  const text = backchannel.receiveMessage({ from: '+15550002', name: 'Ann', text: 'old news', date: '2026-03-01T10:00:00Z' });
  const mms = backchannel.receiveMessage({ from: '+15550003', text: 'a photo', attachment: { mimeType: 'image/jpeg', size: 120_000 }, date: '2026-03-01T11:00:00Z' });
  const group = backchannel.receiveMessage({ from: '+15550004', text: 'group', group: ['+15550005', '+15550006'], date: '2026-03-01T12:00:00Z' });
  const pc = await connectPc(rig);
  const mce = await Mce.connect(rig, pc, FEATURES_11);
  const { listing, params } = await mce.listing('telecom/msg/inbox');
  assert.equal(params.messagesListingSize, 3);
  assert.equal(listing.version, '1.1');
  const [g, m, t] = listing.messages;
  assert.ok(g && m && t);
  assert.equal(t.datetime, '20260301T120000+0200', 'local time at +02:00, zone written');
  assert.equal(m.type, 'MMS');
  assert.equal(m.attachment_size, 120_000);
  assert.equal(m.attachment_mime_types, 'image/jpeg');
  assert.equal(g.recipient_addressing, '+15555550111;+15550005;+15550006');
  assert.notEqual(g.conversation_id, t.conversation_id);
  assert.match(t.conversation_id ?? '', /^[0-9A-F]{16}$/);
  const photo = await mce.message(m.handle, { attachment: 1, charset: 1 });
  assert.equal(photo.type, 'MMS');
  assert.equal(photo.envelope.content.kind === 'body' && photo.envelope.content.body.text, 'a photo');
  const chat = await mce.message(g.handle);
  assert.deepEqual(chat.envelope.recipients.map((r) => r.phones[0]), ['+15555550111', '+15550005', '+15550006']);
  assert.ok(text < mms && mms < group);
});

test('android: push goes to sent, followed by SendingSuccess then DeliverySuccess (report 1.1)', async () => {
  const rig = makeRig({ profile: 'android' });
  const pc = await connectPc(rig);
  const mce = await Mce.connect(rig, pc, FEATURES_11);
  await mce.register(true);
  await rig.advance(1_000);
  await mce.cd('telecom/msg');
  const handle = await mce.push(simpleBMessage({ type: 'SMS_GSM', folder: '', recipients: [party('+15550002'), party('+15550003')], text: 'to both' }));
  await rig.advance(2_000);
  assert.deepEqual(
    eventsOf(pc).map((e) => [e.type, e.handle, e.folder]),
    [
      ['SendingSuccess', handle, 'TELECOM/MSG/SENT'],
      ['DeliverySuccess', handle, 'TELECOM/MSG/SENT'],
    ],
  );
  assert.deepEqual(pc.reports.map((r) => r.report.version), ['1.1', '1.1']);
  const { listing } = await mce.listing('sent');
  assert.deepEqual(listing.messages.map((m) => [m.handle, m.recipient_addressing, m.sent, m.direction]), [[handle, '+15550002;+15550003', 'yes', 'outgoing']]);
  const message = await mce.message(handle);
  assert.equal(message.status, 'READ');
  assert.deepEqual(message.originators[0]?.phones, ['+15555550111']);

  rig.phone.backchannel.receiveMessage({ from: '+15550009', name: 'Cy', text: 'new one' });
  await rig.advance(1_000);
  const last = eventsOf(pc).at(-1);
  assert.equal(last?.type, 'NewMessage');
  assert.equal(last?.sender_name, 'Cy', 'report 1.1 carries the sender name');
  assert.match(last?.datetime ?? '', /^\d{8}T\d{6}\+0200$/);
  const mms = simpleBMessage({ type: 'MMS', folder: '', recipients: [party('+15550002')], text: 'mms text' });
  await mce.push(mms);
  const email = simpleBMessage({ type: 'EMAIL', folder: '', recipients: [party('+15550002')], text: 'mail' });
  assert.equal(await refusal(rig, mce.push(email)), ResponseCode.BadRequest);
});

test('android: no permission gate; several sessions; past the limit Connect is Service Unavailable', async () => {
  const rig = makeRig({ profile: 'android' });
  const pcs = [await connectPc(rig), await connectPc(rig, { address: PC2 })];
  for (let i = 3; i <= 5; i++) pcs.push(await connectPc(rig, { address: `AA:BB:CC:DD:EE:0${i}` }));
  const sessions: Mce[] = [];
  for (const pc of pcs.slice(0, 4)) sessions.push(await Mce.connect(rig, pc));
  const fifth = pcs[4];
  assert.ok(fifth);
  const extra = await Mce.open(rig, fifth);
  assert.equal(await refusal(rig, extra.obex.connect(extra.connectOptions())), ResponseCode.ServiceUnavailable);
  await sessions[0]?.disconnect();
  const again = await rig.settle(extra.obex.connect(extra.connectOptions()));
  assert.equal(again.code, ResponseCode.Success);
});

test('android: SetMessageStatus read/unread, delete to deleted, undelete, delete for good', async () => {
  const rig = makeRig({ profile: 'android' });
  const id = rig.phone.backchannel.receiveMessage({ from: '+15550002', text: 'status me' });
  const pc = await connectPc(rig);
  const mce = await Mce.connect(rig, pc);
  await mce.cd('telecom/msg');
  const handle = (await mce.listing('inbox')).listing.messages[0]?.handle;
  assert.ok(handle);
  const store = rig.phone.model.messages;
  await mce.setStatus(handle, 0, 1);
  assert.equal(store.get(id)?.read, true);
  assert.equal((await mce.listing('inbox', { filterReadStatus: 1 })).listing.messages.length, 0);
  await mce.setStatus(handle, 0, 0);
  assert.equal(store.get(id)?.read, false);
  await mce.setStatus(handle, 1, 1);
  assert.equal(store.get(id)?.folder, 'deleted');
  assert.deepEqual((await mce.listing('deleted')).listing.messages.map((m) => m.handle), [handle]);
  await mce.setStatus(handle, 1, 0);
  assert.equal(store.get(id)?.folder, 'inbox');
  await mce.setStatus(handle, 1, 1);
  await mce.setStatus(handle, 1, 1);
  assert.equal(store.get(id), undefined, 'deleting from deleted removes it');
  assert.equal(await refusal(rig, mce.setStatus(handle, 0, 1)), ResponseCode.NotFound);
  assert.equal(await refusal(rig, mce.setStatus(handle, 7, 1)), ResponseCode.NotImplemented);
  assert.equal(await refusal(rig, mce.setStatus(handle, 0, 9)), ResponseCode.BadRequest);
  await mce.put(MapMime.messageUpdate, undefined, {}, Uint8Array.of(0x30));
});

test('android: listing filters and paging', async () => {
  const rig = makeRig({ profile: 'android' });
  const { backchannel } = rig.phone;
  for (let i = 0; i < 12; i++) {
    backchannel.receiveMessage({ from: i % 2 === 0 ? '+15550100' : '+15550200', name: i % 2 === 0 ? 'Even' : 'Odd', text: `n${i}`, date: `2026-03-01T10:${String(i).padStart(2, '0')}:00Z` });
  }
  backchannel.receiveMessage({ from: '+15550300', text: 'pic', attachment: { mimeType: 'image/png', size: 10 }, date: '2026-03-01T11:00:00Z' });
  const pc = await connectPc(rig);
  const mce = await Mce.connect(rig, pc);
  await mce.cd('telecom/msg/inbox');
  const subjects = async (params: Parameters<Mce['listing']>[1]): Promise<string[]> => (await mce.listing('', params)).listing.messages.map((m) => m.subject ?? '');
  assert.deepEqual(await subjects({ maxListCount: 3, listStartOffset: 2 }), ['n10', 'n9', 'n8']);
  assert.deepEqual(await subjects({ filterMessageType: 0x01 }), ['pic'], 'a set bit filters SMS_GSM out');
  assert.equal((await subjects({ filterMessageType: 0x08 })).length, 12);
  assert.deepEqual(await subjects({ filterOriginator: 'odd', maxListCount: 2 }), ['n11', 'n9']);
  assert.deepEqual(await subjects({ filterOriginator: '*0200' }), ['n11', 'n9', 'n7', 'n5', 'n3', 'n1']);
  // Local time at +02:00: 12:03 local is 10:03 UTC.
  assert.deepEqual(await subjects({ filterPeriodBegin: '20260301T120300', filterPeriodEnd: '20260301T120600' }), ['n5', 'n4', 'n3']);
  assert.deepEqual(await subjects({ filterPeriodBegin: '20260301T100300+0000' }), ['pic', 'n11', 'n10', 'n9', 'n8', 'n7', 'n6', 'n5', 'n4', 'n3']);
  assert.deepEqual(await subjects({ filterPriority: 1 }), []);
  const sizes = await mce.listing('', { maxListCount: 0, filterReadStatus: 1 });
  assert.equal(sizes.params.messagesListingSize, 13);
  assert.equal(sizes.params.newMessage, 1);
  assert.equal(sizes.params.mseTime, undefined);
  assert.deepEqual(sizes.listing.messages, []);
  const masked = (await mce.listing('', { maxListCount: 1, parameterMask: 0x1000 })).listing.messages[0];
  assert.ok(masked);
  assert.equal(masked.read, 'no');
  assert.equal(masked.sender_name, undefined, 'sender_name masked out');
  assert.equal(masked.subject, 'pic', 'mandatory attributes stay');
  assert.equal(await refusal(rig, mce.listing('', { filterPeriodBegin: '2026-03-01' })), ResponseCode.BadRequest);
  assert.equal(await refusal(rig, mce.listing('', { filterReadStatus: 3 })), ResponseCode.BadRequest);
  assert.deepEqual(await subjects({ subjectLength: 1, maxListCount: 1 }), ['p']);
});
