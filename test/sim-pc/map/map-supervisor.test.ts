/**
 * The PC's messages stack end to end against the fake MSE over the
 * in-memory classic link: MapSupervisor (MAS session, registration, MNS
 * server, reconnect with backoff), InboxSync and the Inbox. New messages
 * by event, listing on every connect with nothing filed twice across
 * reconnects, Forbidden and "in use" as health the user can act on, group
 * and MMS as open-on-phone, mark read and send through the session, and a
 * hostile phone (garbage events, a malformed bMessage, error codes, a
 * stalled GET) that never costs the Inbox its state.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { COD_AUDIO_VIDEO_HANDS_FREE } from '../../../src/link/classic';
import { ResponseCode } from '../../../src/protocol/obex/constants';
import { Inbox } from '../../../src/sim-pc/services/inbox';
import { MapClient } from '../../../src/sim-pc/map/map-client';
import { MapSupervisor } from '../../../src/sim-pc/map/map-supervisor';
import { MapProtocolError, SendRefusedError, SHOW_MESSAGE_NOTIFICATIONS_REASON } from '../../../src/sim-pc/map/errors';
import { mapRig, OWN_NUMBER, PHONE, settle, type FakeMessage, type FakeMseOptions } from './fake-mse';

const BACKOFF = { initialMs: 1_000, factor: 2, maxMs: 8_000, jitter: 0 };

function stack(options: FakeMseOptions = {}, own: string[] = []) {
  const rig = mapRig(options);
  const inbox = new Inbox({ clock: rig.clock, defaultRegion: 'GB', dateZone: 'utc', ownNumbers: () => own });
  const supervisor = new MapSupervisor({
    classic: rig.pc,
    phoneAddress: PHONE,
    clock: rig.clock,
    inbox,
    backoff: BACKOFF,
    client: { timeoutMs: 4_000 },
    sync: { pageSize: 2 },
  });
  const errors: Error[] = [];
  supervisor.events.on('error', (err) => errors.push(err));
  return { ...rig, inbox, supervisor, errors };
}

async function up(s: ReturnType<typeof stack>): Promise<void> {
  s.supervisor.start();
  await s.clock.runUntil(() => s.supervisor.health().state === 'up' && s.supervisor.health().notifications === 'connected' && s.mse.mnsConnected && !s.supervisor.sync.busy, 60_000);
}

async function quiet(s: ReturnType<typeof stack>, ms = 2_000): Promise<void> {
  await s.clock.runFor(ms);
}

function text(n: number, extra: Partial<FakeMessage> = {}): FakeMessage {
  return { handle: `4000000000${n.toString(16).toUpperCase()}`, from: '+447700900123', name: 'Ann', text: `message ${n}`, datetime: `2024010${n % 9}T120000`, ...extra };
}

test('connect, register, MNS back: a new message arrives by event and is fetched into its thread', async () => {
  const s = stack();
  await up(s);
  assert.deepEqual(s.mse.log.registrations, [1]);
  assert.equal(s.inbox.connected, true);
  const code = await settle(s.clock, s.mse.receive(text(1, { from: '07700 900123' })));
  assert.ok(code.ok);
  assert.equal(code.value, ResponseCode.Success);
  await s.clock.runUntil(() => s.inbox.size === 1, 10_000);
  const thread = s.inbox.threadOf('+447700900123');
  assert.equal(thread?.lastText, 'message 1');
  const gets = s.mse.log.gets.filter((g) => g.type === 'x-bt/message');
  assert.deepEqual(gets.map((g) => [g.name, g.folder, g.params.attachment, g.params.charset]), [['40000000001', 'telecom/msg/inbox', 0, 1]]);
  assert.deepEqual(s.errors, []);
});

test('every connect lists the inbox in pages; nothing is fetched or filed twice across reconnects', async () => {
  const s = stack({ messages: [text(1), text(2), text(3)] });
  await up(s);
  assert.equal(s.inbox.size, 3);
  const listingOffsets = s.mse.log.gets.filter((g) => g.type === 'x-bt/MAP-msg-listing').map((g) => g.params.listStartOffset);
  assert.deepEqual(listingOffsets, [0, 2]);
  // The link drops; meanwhile a message arrives that the phone lists (android-like).
  s.air.faults.dropLink();
  await s.clock.runUntil(() => s.supervisor.health().state === 'down', 30_000);
  assert.equal(s.inbox.connected, false);
  s.mse.messages.push(text(4));
  await s.clock.runUntil(() => s.supervisor.health().state === 'up' && s.inbox.size === 4, 60_000);
  await quiet(s);
  assert.equal(s.inbox.size, 4);
  const fetched = s.mse.log.gets.filter((g) => g.type === 'x-bt/message').map((g) => g.name);
  assert.deepEqual(fetched, ['40000000001', '40000000002', '40000000003', '40000000004']);
  assert.equal(s.supervisor.health().reconnects, 1);
  // An event for a message already filed is not fetched again.
  await settle(s.clock, s.mse.sendEvents([{ type: 'NewMessage', handle: '40000000004', folder: 'telecom/msg/inbox', msg_type: 'SMS_GSM' }]));
  await quiet(s);
  assert.equal(s.mse.log.gets.filter((g) => g.type === 'x-bt/message').length, 4);
});

test('Forbidden: health says what to turn on, retries on the backoff schedule, and retryNow() connects once allowed', async () => {
  const s = stack({ forbidden: true });
  s.supervisor.start();
  await s.clock.runUntil(() => s.mse.log.connects.length >= 2 && s.supervisor.health().state === 'down', 10_000);
  const health = s.supervisor.health();
  assert.equal(health.state, 'down');
  assert.equal(health.blocked, 'permission');
  assert.equal(health.blockedReason, SHOW_MESSAGE_NOTIFICATIONS_REASON);
  assert.equal(health.lastError?.code, 'sim-pc.map-permission-required');
  assert.ok(health.nextAttemptAt !== undefined);
  s.mse.allow();
  s.supervisor.retryNow();
  await s.clock.runUntil(() => s.supervisor.health().state === 'up', 5_000);
  assert.equal(s.supervisor.health().blocked, undefined);
});

test('another computer holds the phone\'s MAP session: blocked "in-use" with its reason', async () => {
  const s = stack();
  const other = s.air.createClient({ address: 'AA:BB:CC:DD:EE:02', classOfDevice: COD_AUDIO_VIDEO_HANDS_FREE });
  const first = new MapClient({ client: other, phoneAddress: PHONE, clock: s.clock });
  assert.ok((await settle(s.clock, first.connect())).ok);
  s.supervisor.start();
  await s.clock.runUntil(() => s.supervisor.health().lastError !== undefined, 10_000);
  assert.equal(s.supervisor.health().blocked, 'in-use');
  assert.match(s.supervisor.health().blockedReason ?? '', /in use by another computer/);
  // The other computer lets go: the next scheduled attempt gets it.
  await settle(s.clock, first.disconnect());
  await s.clock.runUntil(() => s.supervisor.health().state === 'up', 30_000);
});

test('group and partial MMS become open-on-phone, never a one-to-one thread', async () => {
  const s = stack();
  await up(s);
  const before = s.mse.log.gets.length;
  await settle(s.clock, s.mse.receive(text(1, { recipients: [OWN_NUMBER, '+447700900555'] })));
  const mms: FakeMessage = text(2, { type: 'MMS', text: '', listing: { attachment_size: 48_000 } });
  await settle(s.clock, s.mse.receive(mms));
  await s.clock.runUntil(() => s.inbox.size === 2, 10_000);
  assert.equal(s.inbox.threads().length, 0);
  assert.deepEqual(s.inbox.openOnPhone().map((e) => [e.handle, e.reason]).sort(), [
    ['40000000001', 'group conversation'],
    ['40000000002', 'picture message'],
  ]);
  // Both were looked up in the listing (which says what a message holds) before they were fetched.
  const order = s.mse.log.gets.slice(before).map((g) => g.type);
  assert.equal(order[0], 'x-bt/MAP-msg-listing');
  assert.equal(order.filter((t) => t === 'x-bt/message').length, 2);
});

test('mark read and send go through the session; refused sends never reach the phone', async () => {
  const s = stack({ messages: [text(1)] });
  await up(s);
  const entry = s.inbox.entries()[0];
  assert.ok(entry && !entry.read);
  await settle(s.clock, s.inbox.markRead(entry.id));
  assert.equal(s.mse.messages[0]?.read, true);
  assert.equal(s.inbox.get(entry.id)?.read, true);
  const sent = await settle(s.clock, s.inbox.send('07700 900123', 'On my way'));
  assert.ok(sent.ok, String(!sent.ok && sent.error));
  assert.equal(sent.value.thread, 'tel:+447700900123');
  assert.equal(s.mse.log.pushed.length, 1);
  const refused = await settle(s.clock, s.inbox.send(['07700900123', '07700900124'], 'hi all'));
  assert.ok(!refused.ok && refused.error instanceof SendRefusedError);
  const picture = await settle(s.clock, s.inbox.send('07700900123', 'look', { attachments: [{ mimeType: 'image/jpeg' }] }));
  assert.ok(!picture.ok && picture.error instanceof SendRefusedError);
  assert.equal(s.mse.log.pushed.length, 1);
  assert.equal(s.mse.log.puts.filter((p) => p.type === 'x-bt/message').length, 1);
});

test('hostile: garbage events and a malformed bMessage are reported; the session and the Inbox carry on', async () => {
  const bad: FakeMessage = text(2, { raw: new TextEncoder().encode('BEGIN:BMSG\r\nVERSION:1.0\r\n') });
  const s = stack({ messages: [text(1)] });
  await up(s);
  const garbage = await settle(s.clock, s.mse.sendEvents(new TextEncoder().encode('\u0000\u0001not xml')));
  assert.ok(garbage.ok);
  assert.equal(garbage.value, ResponseCode.BadRequest);
  await settle(s.clock, s.mse.receive(bad));
  await settle(s.clock, s.mse.receive(text(3)));
  await s.clock.runUntil(() => s.inbox.size === 2, 10_000);
  await quiet(s);
  assert.deepEqual(s.inbox.entries().map((e) => e.handle).sort(), ['40000000001', '40000000003']);
  const codes = s.errors.map((e) => (e instanceof MapProtocolError ? e.causeCode : e.message));
  // The malformed message is tried twice (maxFetchAttempts), then left alone.
  assert.equal(codes.length, 3);
  assert.equal(codes[0], 'map.bad-event-report');
  assert.match(String(codes[1]), /^map\.(truncated|bad-bmessage)$/);
  assert.equal(codes[2], codes[1]);
  s.supervisor.sync.requestListing();
  await quiet(s);
  assert.equal(s.errors.length, 3);
  assert.ok(s.errors.every((e) => e instanceof MapProtocolError));
  assert.equal(s.supervisor.health().state, 'up');
  assert.equal(s.supervisor.health().notifications, 'connected');
});

test('hostile: a listing that is not XML is reported; announced messages are still fetched directly', async () => {
  const s = stack({ rawListing: new TextEncoder().encode('<MAP-msg-listing version="1.0"><msg handle="1"') });
  await up(s);
  assert.equal(s.errors.length, 1);
  await settle(s.clock, s.mse.receive(text(1)));
  await s.clock.runUntil(() => s.inbox.size === 1, 10_000);
  assert.equal(s.inbox.threadOf('+447700900123')?.lastText, 'message 1');
  assert.deepEqual(
    s.errors.map((e) => (e instanceof MapProtocolError ? e.causeCode : e.message)),
    ['map.bad-listing', 'map.bad-listing'],
  );
  assert.equal(s.supervisor.health().state, 'up');
});

test('hostile: an error code for one message is reported and the others are filed', async () => {
  const s = stack({ messages: [text(1), text(2), text(3)], answer: (op, name) => (op === 'message' && name === '40000000002' ? ResponseCode.InternalServerError : undefined) });
  await up(s);
  assert.deepEqual(s.inbox.entries().map((e) => e.handle).sort(), ['40000000001', '40000000003']);
  assert.equal(s.errors.length, 1);
  assert.equal((s.errors[0] as { responseCode?: number }).responseCode, ResponseCode.InternalServerError);
  assert.equal(s.supervisor.health().state, 'up');
});

test('hostile: a stalled GET times out, the session is rebuilt, and the message is fetched from the listing', async () => {
  let stalls = 1;
  const s = stack({ stall: (op) => op === 'message' && stalls-- > 0 });
  await up(s);
  s.inbox.receive({ handle: '1', from: '+447700900999', text: 'kept', read: false, type: 'SMS_GSM' });
  await settle(s.clock, s.mse.receive(text(5)));
  await s.clock.runUntil(() => s.supervisor.health().state === 'down', 20_000);
  assert.equal(s.supervisor.health().lastError?.code, 'sim-pc.timeout');
  await s.clock.runUntil(() => s.supervisor.health().state === 'up' && s.inbox.knows('40000000005'), 60_000);
  assert.equal(s.inbox.size, 2);
  assert.equal(s.inbox.threadOf('+447700900999')?.lastText, 'kept');
});

test('stop(): registration off, OBEX Disconnect, record withdrawn, no timer left', async () => {
  const s = stack();
  await up(s);
  const stopping = s.supervisor.stop();
  await s.clock.runUntilIdle({ until: s.clock.now() + 600_000 });
  await stopping;
  assert.deepEqual(s.mse.log.registrations, [1, 0]);
  assert.equal(s.mse.sessions.size, 0);
  assert.equal(s.supervisor.health().state, 'down');
  assert.equal(s.supervisor.health().notifications, 'stopped');
  assert.equal(s.inbox.connected, false);
});

// Found by `phonebridge fuzz messages` (hostile-mse): a phone that refused SetNotificationRegistration once
// left the session up without notifications for good: no new-message events, and an iPhone shows the PC
// only what arrives while it is registered. The supervisor now asks again with backoff while the session lasts.
test('a refused registration is asked again with backoff; new messages then arrive by event', async () => {
  let refusals = 2;
  const s = stack({ answer: (operation) => (operation === 'registration' && refusals-- > 0 ? ResponseCode.ServiceUnavailable : undefined) });
  s.supervisor.start();
  await s.clock.runUntil(() => s.supervisor.health().state === 'up', 30_000);
  const first = s.clock.now();
  await s.clock.runUntil(() => s.supervisor.health().notifications === 'connected' && s.mse.mnsConnected, 30_000);
  // Two refusals: asked again after 1 s, then after 2 s more (the backoff policy's schedule).
  assert.deepEqual(s.mse.log.puts.filter((p) => p.type === 'x-bt/MAP-NotificationRegistration').length, 3);
  assert.ok(s.clock.now() - first >= 3_000, `registered after ${s.clock.now() - first} ms`);
  assert.equal(s.supervisor.health().state, 'up');
  assert.equal(s.supervisor.health().lastError?.code, 'sim-pc.map-refused');
  await settle(s.clock, s.mse.receive(text(1)));
  await s.clock.runUntil(() => s.inbox.size === 1, 10_000);
  const stopping = s.supervisor.stop();
  await s.clock.runUntilIdle({ until: s.clock.now() + 600_000 });
  await stopping;
});

test('a registration refused as Not Implemented is not asked again; the session stays up for listing and sending', async () => {
  const s = stack({ answer: (operation) => (operation === 'registration' ? ResponseCode.NotImplemented : undefined), messages: [text(1)] });
  s.supervisor.start();
  await s.clock.runUntil(() => s.supervisor.health().state === 'up' && s.inbox.size === 1, 30_000);
  await s.clock.runFor(60_000);
  assert.equal(s.mse.log.puts.filter((p) => p.type === 'x-bt/MAP-NotificationRegistration').length, 1);
  assert.equal(s.supervisor.health().state, 'up');
  assert.equal(s.supervisor.health().notifications, 'listening');
});
