/**
 * The PC's MAP client against the fake MSE over the in-memory classic link:
 * Connect (MAS Target, features only when the MSE publishes its own),
 * Forbidden and a refused channel as typed errors with the user's reason,
 * registration, paged listing, GetMessage parameters, SetMessageStatus,
 * PushMessage, and hostile answers (bad listing XML, malformed bMessage,
 * wrong LENGTH, error codes, a stalled GET) that fail one operation with a
 * typed error and leave the client usable, or closed after a timeout.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeMapParams, isMasTarget, party, simpleBMessage } from '../../../src/protocol/map';
import { ResponseCode } from '../../../src/protocol/obex/constants';
import { MapClient } from '../../../src/sim-pc/map/map-client';
import {
  MapInUseError,
  MapPermissionRequiredError,
  MapProtocolError,
  MapRefusedError,
  MasNotFoundError,
  SHOW_MESSAGE_NOTIFICATIONS_REASON,
  MAP_IN_USE_REASON,
} from '../../../src/sim-pc/map/errors';
import { DEFAULT_MCE_FEATURES } from '../../../src/sim-pc/map/mas-record';
import { TimeoutError } from '../../../src/sim-pc/errors';
import { FakeMse, mapRig, PHONE, PC, settle, type FakeMseOptions } from './fake-mse';
import { COD_AUDIO_VIDEO_HANDS_FREE } from '../../../src/link/classic';

const INBOX = 'telecom/msg/inbox';

function clientRig(options: FakeMseOptions = {}) {
  const rig = mapRig(options);
  const client = new MapClient({ client: rig.pc, phoneAddress: PHONE, clock: rig.clock, timeoutMs: 5_000 });
  return { ...rig, client };
}

async function connected(options: FakeMseOptions = {}) {
  const rig = clientRig(options);
  const outcome = await settle(rig.clock, rig.client.connect());
  assert.ok(outcome.ok, String(!outcome.ok && outcome.error));
  return rig;
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

test('connect: MAS Target, no features in Connect when the MSE record has none, pairing done', async () => {
  const { mse, client, pc } = await connected();
  assert.equal(client.state, 'connected');
  assert.equal(mse.log.connects.length, 1);
  const connect = mse.log.connects[0];
  assert.ok(connect && isMasTarget(connect.target));
  assert.equal(hex(connect.target ?? new Uint8Array()), 'bb582b40420c11dbb0de0800200c9a66');
  assert.equal(connect.params.mapSupportedFeatures, undefined);
  assert.equal(client.mas?.channel, 4);
  assert.ok(pc.bonds.has(PHONE));
});

test('connect: MapSupportedFeatures (0x29) goes in Connect when the MSE record publishes 0x0317', async () => {
  const { mse, client } = await connected({ features: 0x0077_ffff });
  assert.equal(mse.log.connects[0]?.params.mapSupportedFeatures, DEFAULT_MCE_FEATURES);
  assert.equal(client.mas?.featuresPublished, true);
});

test('connect: Forbidden is MapPermissionRequiredError with the Show Message Notifications reason; allowed later, it connects', async () => {
  const { mse, client, clock } = clientRig({ forbidden: true });
  const outcome = await settle(clock, client.connect());
  assert.equal(outcome.ok, false);
  const error = !outcome.ok ? outcome.error : undefined;
  assert.ok(error instanceof MapPermissionRequiredError, String(error));
  assert.equal(error.code, 'sim-pc.map-permission-required');
  assert.equal(error.reason, SHOW_MESSAGE_NOTIFICATIONS_REASON);
  assert.match(error.message, /Show Message Notifications/);
  assert.equal(client.state, 'closed');
  mse.allow();
  const again = await settle(clock, client.connect());
  assert.ok(again.ok);
  assert.equal(client.state, 'connected');
});

test('connect: a refused channel while another computer holds the only session is MapInUseError', async () => {
  const { mse, client, clock, air } = clientRig();
  const other = air.createClient({ address: 'AA:BB:CC:DD:EE:02', classOfDevice: COD_AUDIO_VIDEO_HANDS_FREE });
  const first = new MapClient({ client: other, phoneAddress: PHONE, clock });
  assert.ok((await settle(clock, first.connect())).ok);
  assert.equal(mse.sessions.size, 1);
  const outcome = await settle(clock, client.connect());
  const error = !outcome.ok ? outcome.error : undefined;
  assert.ok(error instanceof MapInUseError, String(error));
  assert.equal(error.code, 'sim-pc.map-in-use');
  assert.equal(error.reason, MAP_IN_USE_REASON);
  assert.match(error.message, /in use by another computer/);
});

test('connect: no MAS record is MasNotFoundError', async () => {
  const { mse, client, clock } = clientRig();
  mse.host.removeServiceRecord(4);
  const outcome = await settle(clock, client.connect());
  assert.ok(!outcome.ok && outcome.error instanceof MasNotFoundError);
});

test('SetNotificationRegistration: PUT x-bt/MAP-NotificationRegistration, NotificationStatus 1, body 0x30', async () => {
  const { mse, client, clock } = await connected({ connectMns: false });
  assert.ok((await settle(clock, client.setNotificationRegistration(true))).ok);
  const put = mse.log.puts[0];
  assert.equal(put?.type, 'x-bt/MAP-NotificationRegistration');
  assert.equal(put?.params.notificationStatus, 1);
  assert.equal(hex(put?.body ?? new Uint8Array()), '30');
  assert.equal(put?.name, undefined);
});

test('GetMessagesListing: pages with MaxListCount and ListStartOffset from telecom/msg/inbox', async () => {
  const messages = Array.from({ length: 5 }, (_, i) => ({ handle: `4000000000${i + 1}`, from: '+447700900123', text: `hi ${i}` }));
  const { mse, client, clock } = await connected({ messages });
  const page = await settle(clock, client.listMessages(INBOX, { maxListCount: 2, listStartOffset: 2 }));
  assert.ok(page.ok);
  assert.deepEqual(
    page.value.messages.map((m) => m.handle),
    ['40000000003', '40000000004'],
  );
  assert.equal(page.value.size, 5);
  assert.equal(page.value.folder, INBOX);
  assert.deepEqual(mse.log.setPaths, ['telecom', 'msg', 'inbox']);
  const get = mse.log.gets[0];
  assert.equal(get?.type, 'x-bt/MAP-msg-listing');
  assert.equal(get?.name, '');
  assert.equal(get?.folder, INBOX);
  assert.deepEqual([get?.params.maxListCount, get?.params.listStartOffset], [2, 2]);
  assert.equal(client.folder, '/telecom/msg/inbox');
});

test('GetMessage: Name = handle in the inbox, Attachment 0 and Charset 1; the bMessage decoded', async () => {
  const { mse, client, clock } = await connected({ messages: [{ handle: '40000000001', from: '07700 900123', name: 'Ann', text: 'Hello from Linux' }] });
  const got = await settle(clock, client.getMessage('40000000001', INBOX));
  assert.ok(got.ok, String(!got.ok && got.error));
  assert.equal(got.value.message.originators[0]?.phones[0], '07700 900123');
  const get = mse.log.gets.at(-1);
  assert.equal(get?.type, 'x-bt/message');
  assert.equal(get?.name, '40000000001');
  assert.equal(get?.folder, INBOX);
  assert.deepEqual([get?.params.attachment, get?.params.charset], [0, 1]);
});

test('SetMessageStatus: PUT x-bt/messageStatus, Name handle, StatusIndicator 0, StatusValue 1, body 0x30', async () => {
  const { mse, client, clock } = await connected({ messages: [{ handle: '40000000001', from: '+447700900123', text: 'x' }] });
  assert.ok((await settle(clock, client.setMessageStatus('40000000001', 0, 1))).ok);
  const put = mse.log.puts.at(-1);
  assert.equal(put?.type, 'x-bt/messageStatus');
  assert.equal(put?.name, '40000000001');
  assert.deepEqual([put?.params.statusIndicator, put?.params.statusValue], [0, 1]);
  assert.equal(hex(put?.body ?? new Uint8Array()), '30');
  assert.equal(mse.messages[0]?.read, true);
});

test('PushMessage: Name "outbox" from telecom/msg, Charset 1, Transparent 0, Retry 1; the reply Name is the handle', async () => {
  const { mse, client, clock } = await connected();
  const message = simpleBMessage({ type: 'SMS_GSM', status: 'READ', folder: 'telecom/msg/outbox', recipients: [party('+447700900123')], text: 'On my way' });
  const pushed = await settle(clock, client.pushMessage('telecom/msg/outbox', message));
  assert.ok(pushed.ok, String(!pushed.ok && pushed.error));
  assert.equal(pushed.value.handle, '4000000000A');
  const put = mse.log.puts.at(-1);
  assert.equal(put?.type, 'x-bt/message');
  assert.equal(put?.name, 'outbox');
  assert.equal(put?.folder, 'telecom/msg');
  assert.deepEqual([put?.params.charset, put?.params.transparent, put?.params.retry], [1, 0, 1]);
  assert.equal(mse.log.pushed[0]?.envelope.recipients[0]?.phones[0], '+447700900123');
});

test('hostile: a listing that is not XML fails with MapProtocolError (map.bad-listing); the client stays usable', async () => {
  const { client, clock } = await connected({
    rawListing: new TextEncoder().encode('<MAP-msg-listing version="1.0"><msg handle="1"'),
    messages: [{ handle: '40000000001', from: '+447700900123', text: 'still here' }],
  });
  const listed = await settle(clock, client.listMessages(INBOX));
  const error = !listed.ok ? listed.error : undefined;
  assert.ok(error instanceof MapProtocolError, String(error));
  assert.equal(error.causeCode, 'map.bad-listing');
  assert.equal(client.state, 'connected');
  const got = await settle(clock, client.getMessage('40000000001', INBOX));
  assert.ok(got.ok);
});

test('hostile: a malformed bMessage and a wrong LENGTH fail with MapProtocolError and their codec codes', async () => {
  const good = 'BEGIN:BMSG\r\nVERSION:1.0\r\nSTATUS:UNREAD\r\nTYPE:SMS_GSM\r\nFOLDER:telecom/msg/inbox\r\nBEGIN:BENV\r\nBEGIN:BBODY\r\nCHARSET:UTF-8\r\n';
  const wrongLength = `${good}LENGTH:99\r\nBEGIN:MSG\r\nHello\r\nEND:MSG\r\nEND:BBODY\r\nEND:BENV\r\nEND:BMSG\r\n`;
  const { client, clock } = await connected({
    messages: [
      { handle: '1', from: '+1', text: '', raw: new TextEncoder().encode('BEGIN:VCARD\r\nEND:VCARD\r\n') },
      { handle: '2', from: '+1', text: '', raw: new TextEncoder().encode(wrongLength) },
    ],
  });
  const bad = await settle(clock, client.getMessage('1', INBOX));
  assert.ok(!bad.ok && bad.error instanceof MapProtocolError);
  assert.equal(bad.error.causeCode, 'map.bad-bmessage');
  const length = await settle(clock, client.getMessage('2', INBOX));
  assert.ok(!length.ok && length.error instanceof MapProtocolError, String(!length.ok && length.error));
  assert.equal(length.error.causeCode, 'map.bad-length');
  assert.equal(client.state, 'connected');
});

test('hostile: an error code is MapRefusedError with the code; the session goes on', async () => {
  const { client, clock } = await connected({
    answer: (op) => (op === 'message' ? ResponseCode.NotFound : op === 'push' ? ResponseCode.NotAcceptable : undefined),
  });
  const got = await settle(clock, client.getMessage('40000000001', INBOX));
  assert.ok(!got.ok && got.error instanceof MapRefusedError);
  assert.equal(got.error.responseCode, ResponseCode.NotFound);
  assert.equal(got.error.code, 'sim-pc.map-refused');
  const message = simpleBMessage({ type: 'SMS_GSM', folder: 'telecom/msg/outbox', recipients: [party('+1')], text: 'x' });
  const pushed = await settle(clock, client.pushMessage('telecom/msg/outbox', message));
  assert.ok(!pushed.ok && pushed.error instanceof MapRefusedError);
  assert.equal(pushed.error.responseCode, ResponseCode.NotAcceptable);
  assert.equal(client.state, 'connected');
});

test('hostile: a GET the phone never answers times out (TimeoutError) and closes the session; connect works again', async () => {
  const { client, clock, mse } = await connected({ stall: (op) => op === 'listing' });
  const start = clock.now();
  const listed = await settle(clock, client.listMessages(INBOX));
  assert.ok(!listed.ok && listed.error instanceof TimeoutError, String(!listed.ok && listed.error));
  assert.ok(clock.now() - start >= 5_000 && clock.now() - start < 6_000);
  assert.equal(client.state, 'closed');
  const later = await settle(clock, client.getMessage('1', INBOX));
  assert.ok(!later.ok && later.error instanceof TimeoutError);
  await clock.runFor(100);
  assert.equal(mse.sessions.size, 0);
  assert.ok((await settle(clock, client.connect())).ok);
});

test('a handle that is not hex is refused before anything is sent', async () => {
  const { client, clock, mse } = await connected();
  const got = await settle(clock, client.getMessage('../etc', INBOX));
  assert.ok(!got.ok && got.error instanceof MapProtocolError);
  assert.equal(mse.log.gets.length, 0);
});

test('the fake phone names the PC by its address (sanity of the rig)', () => {
  assert.equal(PC, 'AA:BB:CC:DD:EE:01');
  assert.ok(FakeMse);
  assert.deepEqual(decodeMapParams(new Uint8Array()), {});
});
