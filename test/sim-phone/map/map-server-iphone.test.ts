/**
 * The simulated iPhone's MAP server end to end over the in-memory classic
 * link, with the iOS limits: the MAS record, Forbidden until "Show Message
 * Notifications", one session per phone (a second channel refused),
 * revoking the toggle closes the session, registration makes the phone
 * connect to the PC's MNS and send NewMessage reports, only messages that
 * arrived while registered are visible, MMS dropped, groups flattened,
 * sent folder empty, conversation id 0, and PushMessage for one recipient,
 * text only, with no status events.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LinkError } from '../../../src/link/errors';
import { MapFeature, MapMime, MapUuid, party, simpleBMessage } from '../../../src/protocol/map';
import { ResponseCode } from '../../../src/protocol/obex';
import { messageHandle } from '../../../src/sim-phone/map';
import { connectPc, eventsOf, makeRig, Mce, PC2, refusal } from './map-rig';

test('the iPhone publishes its MAS record as the profile says', async () => {
  const rig = makeRig();
  const pc = await connectPc(rig);
  const info = await rig.settle(pc.client.discover(rig.profile.address));
  const record = info.records.find((r) => r.serviceClasses.includes(MapUuid.MAS));
  assert.ok(record);
  assert.deepEqual(record, {
    serviceClasses: [0x1132],
    profile: { uuid: 0x1134, version: 0x0104 },
    channel: 2,
    name: 'MAP MAS-iOS',
    attributes: { 0x0315: 0, 0x0316: 0x02, 0x0317: 0x0008021f },
  });
});

test('Connect is Forbidden until the user shows message notifications for that PC, then succeeds with Who', async () => {
  const rig = makeRig();
  const pc = await connectPc(rig);
  const mce = await Mce.open(rig, pc);
  assert.equal(await refusal(rig, mce.obex.connect(mce.connectOptions())), ResponseCode.Forbidden);
  rig.phone.backchannel.allowMessageNotifications('AA:BB:CC:DD:EE:99');
  assert.equal(await refusal(rig, mce.obex.connect(mce.connectOptions())), ResponseCode.Forbidden);
  rig.phone.backchannel.allowMessageNotifications(pc.address);
  const result = await rig.settle(mce.obex.connect(mce.connectOptions()));
  assert.equal(result.code, ResponseCode.Success);
  assert.ok(result.connectionId !== undefined);
  assert.deepEqual(result.who && Buffer.from(result.who).toString('hex'), 'bb582b40420c11dbb0de0800200c9a66');
  assert.equal(rig.phone.map?.stats.forbidden, 2);
  assert.equal(rig.phone.map?.stats.connects, 1);
});

test('a second MAS session, from another PC, has its channel refused while one is up', async () => {
  const rig = makeRig();
  rig.phone.backchannel.allowMessageNotifications();
  const pc = await connectPc(rig);
  const other = await connectPc(rig, { address: PC2 });
  const first = await Mce.connect(rig, pc);
  await assert.rejects(Mce.open(rig, other), (err: unknown) => err instanceof LinkError && err.code === 'link.channel-refused');
  // The same PC cannot even ask: the link holds one channel per server channel number.
  await assert.rejects(Mce.open(rig, pc), (err: unknown) => err instanceof LinkError && err.code === 'link.channel-busy');
  assert.equal(rig.phone.map?.stats.channelsRefused, 1);
  // Once the first session ends, another PC gets in.
  await first.disconnect();
  await first.close();
  const second = await Mce.connect(rig, other);
  assert.equal(second.obex.connected, true);
});

test('revoking Show Message Notifications closes the session', async () => {
  const rig = makeRig();
  rig.phone.backchannel.allowMessageNotifications();
  const pc = await connectPc(rig);
  const mce = await Mce.connect(rig, pc);
  const ends: string[] = [];
  rig.phone.map?.events.on('sessionClosed', (_peer, reason) => ends.push(reason));
  rig.phone.backchannel.revokeMessageNotifications(pc.address);
  await rig.advance(500);
  assert.equal(mce.closed, true);
  assert.deepEqual(ends, ['permission-revoked']);
  assert.equal(rig.phone.map?.stats.sessionsOpen, 0);
});

test('registration makes the phone connect to the MNS and report each new text; only those are visible', async () => {
  const rig = makeRig();
  const { backchannel } = rig.phone;
  backchannel.allowMessageNotifications();
  const before = backchannel.receiveMessage({ from: '+15550001', name: 'Early Bird', text: 'sent before the PC registered' });
  const pc = await connectPc(rig);
  const mce = await Mce.connect(rig, pc);
  await mce.register(true);
  await rig.advance(2_000);
  assert.equal(pc.mnsConnects, 1);
  assert.equal(rig.phone.map?.mnsState(pc.address), 'ready');

  const sms = backchannel.receiveMessage({ from: '+15550002', name: 'Ann', text: 'Lunch?' });
  const imessage = backchannel.receiveMessage({ from: 'ann@example.com', text: 'iMessage too', service: 'imessage' });
  await rig.advance(2_000);
  const handles = eventsOf(pc).map((e) => e.handle);
  assert.equal(handles.length, 2);
  assert.deepEqual(
    eventsOf(pc).map((e) => [e.type, e.folder, e.msg_type]),
    [
      ['NewMessage', 'TELECOM/MSG/INBOX', 'SMS_GSM'],
      ['NewMessage', 'TELECOM/MSG/INBOX', 'SMS_GSM'],
    ],
  );
  assert.deepEqual(pc.reports.map((r) => r.params.masInstanceId), [0, 0]);
  assert.deepEqual(pc.reports.map((r) => r.report.version), ['1.0', '1.0']);

  await mce.cd('telecom/msg');
  const { listing, params } = await mce.listing('inbox');
  assert.deepEqual(listing.messages.map((m) => m.handle), [handles[1], handles[0]], 'newest first, the early message invisible');
  assert.equal(params.messagesListingSize, 2);
  assert.equal(params.newMessage, 1);
  assert.match(params.mseTime ?? '', /^\d{8}T\d{6}[+-]\d{4}$/);
  const first = listing.messages[1];
  assert.ok(first);
  assert.equal(first.type, 'SMS_GSM');
  assert.equal(first.sender_addressing, '+15550002');
  assert.equal(first.sender_name, 'Ann');
  assert.equal(first.recipient_addressing, '+15555550100');
  assert.match(first.datetime ?? '', /^\d{8}T\d{6}$/, 'local time, no zone');
  assert.equal(listing.messages[0]?.type, 'SMS_GSM', 'an iMessage is SMS_GSM too');

  // The early message is Not Found by handle, although it exists on the phone.
  assert.equal(await refusal(rig, mce.message(messageHandle(before))), ResponseCode.NotFound);
  assert.ok(sms > before && imessage > sms);
});

test('GetMessage returns the bMessage, marks it read, and needs Attachment and Charset', async () => {
  const rig = makeRig();
  rig.phone.backchannel.allowMessageNotifications();
  const pc = await connectPc(rig);
  const mce = await Mce.connect(rig, pc);
  await mce.register(true);
  await rig.advance(1_000);
  const id = rig.phone.backchannel.receiveMessage({ from: '+15550002', name: 'Ann', text: 'Lunch at 1?\r\nOr 2' });
  await rig.advance(1_000);
  const handle = eventsOf(pc)[0]?.handle;
  assert.ok(handle);
  assert.equal(await refusal(rig, mce.get(MapMime.message, handle, { charset: 1 })), ResponseCode.BadRequest);
  assert.equal(await refusal(rig, mce.get(MapMime.message, handle, { attachment: 0 })), ResponseCode.BadRequest);
  assert.equal(rig.phone.model.messages.get(id)?.read, false);
  const message = await mce.message(handle);
  assert.equal(message.status, 'UNREAD', 'the status before this read');
  assert.equal(message.type, 'SMS_GSM');
  assert.equal(message.folder, 'telecom/msg/inbox');
  assert.deepEqual(message.originators[0]?.phones, ['+15550002']);
  assert.equal(message.originators[0]?.formattedName, 'Ann');
  assert.deepEqual(message.envelope.recipients.map((r) => r.phones), [['+15555550100']]);
  assert.equal(message.envelope.content.kind === 'body' && message.envelope.content.body.text, 'Lunch at 1?\r\nOr 2');
  assert.equal(rig.phone.model.messages.get(id)?.read, true);
  assert.equal((await mce.message(handle.toLowerCase())).status, 'READ', 'handles compare without case');
  assert.equal(await refusal(rig, mce.message('FFFFFFFFFFFF')), ResponseCode.NotFound);
  assert.equal(await refusal(rig, mce.message('not-hex')), ResponseCode.BadRequest);
});

test('MMS with a picture is dropped; a group arrives with one sender and the phone as the only recipient; conversation id 0', async () => {
  const rig = makeRig();
  rig.phone.backchannel.allowMessageNotifications();
  const pc = await connectPc(rig);
  const mce = await Mce.connect(rig, pc, MapFeature.MessagesListingFormat11 | MapFeature.MapSupportedFeaturesInConnect);
  await mce.register(true);
  await rig.advance(1_000);
  rig.phone.backchannel.receiveMessage({ from: '+15550003', text: 'look at this', attachment: { mimeType: 'image/jpeg', size: 120_000 } });
  rig.phone.backchannel.receiveMessage({ from: '+15550004', name: 'Bo', text: 'group hello', group: ['+15550005', '+15550006'] });
  await rig.advance(1_000);
  const events = eventsOf(pc);
  assert.equal(events.length, 1, 'no event for the MMS');
  const handle = events[0]?.handle;
  assert.ok(handle);
  const { listing } = await mce.listing('telecom/msg/inbox');
  assert.equal(listing.version, '1.1');
  assert.deepEqual(listing.messages.map((m) => m.handle), [handle]);
  const entry = listing.messages[0];
  assert.equal(entry?.conversation_id, '0');
  assert.equal(entry?.recipient_addressing, '+15555550100');
  assert.equal(entry?.direction, 'incoming');
  const message = await mce.message(handle);
  assert.deepEqual(message.originators.map((o) => o.phones), [['+15550004']]);
  assert.deepEqual(message.envelope.recipients.map((r) => r.phones), [['+15555550100']]);
});

test('PushMessage: one recipient, text only, answered with a handle; refusals as the profile says; no events; sent stays empty', async () => {
  const rig = makeRig();
  rig.phone.backchannel.allowMessageNotifications();
  const pc = await connectPc(rig);
  const mce = await Mce.connect(rig, pc);
  await mce.register(true);
  await rig.advance(1_000);
  await mce.cd('telecom/msg');
  const sms = simpleBMessage({ type: 'SMS_GSM', status: 'READ', folder: '', recipients: [party('+15550002')], text: 'On my way' });
  const handle = await mce.push(sms);
  assert.match(handle, /^[0-9A-F]{1,16}$/);
  const sent = rig.phone.model.messages.sent();
  assert.deepEqual(
    sent.map((m) => [m.recipients, m.text, m.type, m.sentBy]),
    [[['+15550002'], 'On my way', 'SMS_GSM', pc.address]],
  );
  // Pushing after SetPath into outbox with an empty Name works too.
  await mce.cd('telecom/msg/outbox');
  await mce.push(simpleBMessage({ type: 'SMS_GSM', folder: '', recipients: [party('+15550003')], text: 'second' }), '');
  await mce.cd('telecom/msg');

  const two = simpleBMessage({ type: 'SMS_GSM', folder: '', recipients: [party('+15550002'), party('+15550003')], text: 'both' });
  assert.equal(await refusal(rig, mce.push(two)), ResponseCode.NotAcceptable);
  const mms = simpleBMessage({ type: 'MMS', folder: '', recipients: [party('+15550002')], text: 'picture' });
  assert.equal(await refusal(rig, mce.push(mms)), ResponseCode.BadRequest);
  assert.equal(await refusal(rig, mce.push(sms, 'inbox')), ResponseCode.BadRequest, 'only into outbox');
  assert.equal(await refusal(rig, mce.push(sms, 'outbox', {})), ResponseCode.BadRequest, 'Charset is mandatory');
  assert.equal(await refusal(rig, mce.push(sms, 'outbox', { charset: 0 })), ResponseCode.NotAcceptable, 'no native PDUs');
  assert.equal(rig.phone.model.messages.sent().length, 2);

  await rig.advance(2_000);
  assert.deepEqual(eventsOf(pc), [], 'iOS reports no sending or delivery');
  const { listing } = await mce.listing('sent');
  assert.deepEqual(listing.messages, []);
  assert.equal(await refusal(rig, mce.message(handle)), ResponseCode.NotFound);
});

test('folders: listing, SetPath to unknown folders, and MaxListCount 0 sizes', async () => {
  const rig = makeRig();
  rig.phone.backchannel.allowMessageNotifications();
  const pc = await connectPc(rig);
  const mce = await Mce.connect(rig, pc);
  assert.deepEqual(await mce.folders(), ['telecom']);
  await mce.cd('telecom/msg');
  assert.deepEqual(await mce.folders(), ['inbox', 'outbox', 'sent', 'deleted']);
  assert.deepEqual(await mce.folders('inbox'), []);
  const sizes = await mce.get(MapMime.folderListing, undefined, { maxListCount: 0 });
  assert.equal(sizes.params.folderListingSize, 4);
  assert.equal(sizes.body.length, 0);
  assert.equal(await refusal(rig, rig.settle(mce.obex.setPath({ name: 'drafts' }))), ResponseCode.NotFound);
  assert.equal(await refusal(rig, rig.settle(mce.obex.setPath({ name: 'a/b' }))), ResponseCode.BadRequest);
  assert.equal(await refusal(rig, mce.listing('nowhere')), ResponseCode.NotFound);
  await rig.settle(mce.obex.setPath({ up: true }));
  assert.deepEqual(await mce.folders(), ['msg']);
});

test('a message that arrives while the PC is away stays invisible to it; earlier ones keep their handles across reconnects', async () => {
  const rig = makeRig();
  const { backchannel } = rig.phone;
  backchannel.allowMessageNotifications();
  const pc = await connectPc(rig);
  let mce = await Mce.connect(rig, pc);
  await mce.register(true);
  await rig.advance(1_000);
  backchannel.receiveMessage({ from: '+15550002', text: 'while here' });
  await rig.advance(1_000);
  const seen = eventsOf(pc).map((e) => e.handle);
  assert.equal(seen.length, 1);
  await mce.disconnect();
  await mce.close();
  await rig.advance(1_000);
  assert.equal(pc.mnsOpen(), 0, 'the MNS connection ends with the MAS session');

  const away = backchannel.receiveMessage({ from: '+15550002', text: 'while away' });
  mce = await Mce.connect(rig, pc);
  await mce.register(true);
  await rig.advance(1_000);
  const { listing } = await mce.listing('telecom/msg/inbox');
  assert.deepEqual(listing.messages.map((m) => m.handle), seen, 'same handle after reconnecting; the away message absent');
  assert.equal(await refusal(rig, mce.message(messageHandle(away))), ResponseCode.NotFound);
  assert.equal(eventsOf(pc).length, 1, 'no event for it either');
});

test('the phone runs the MAP server only with a classic host; stop withdraws the record and ends sessions, start brings it back', async () => {
  const { VirtualClock } = await import('../../../src/link/virtual-clock');
  const { SimulatedPhone } = await import('../../../src/sim-phone');
  const { FakeGattHost } = await import('../fake-gatt-host');
  const bare = new SimulatedPhone({ host: new FakeGattHost(), clock: new VirtualClock() });
  assert.equal(bare.map, undefined);

  const rig = makeRig();
  rig.phone.backchannel.allowMessageNotifications();
  const pc = await connectPc(rig);
  const mce = await Mce.connect(rig, pc);
  rig.phone.stop();
  await rig.advance(500);
  assert.equal(mce.closed, true);
  const gone = await rig.settle(pc.client.discover(rig.profile.address));
  assert.equal(gone.records.some((r) => r.serviceClasses.includes(MapUuid.MAS)), false);
  rig.phone.start();
  const back = await Mce.connect(rig, pc);
  assert.equal(back.obex.connected, true);
});
