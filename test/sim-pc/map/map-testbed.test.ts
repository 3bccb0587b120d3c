/**
 * Messages end to end through the Testbed: the real SimulatedPhone (its
 * MAP server and MNS client) and the PC's PhoneLink (MapSupervisor, MNS
 * server, Inbox) on the in-memory classic link, for both phone profiles.
 * iphone: Forbidden until "Show Message Notifications", no history, MMS
 * not delivered, a group message indistinguishable from a one-to-one one
 * (the documented limit), one recipient and text only. android: history
 * listed on connect, groups and MMS as open-on-phone. Both: replies and
 * mark read reach the phone, a link drop loses nothing and files nothing twice.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Testbed } from '../../../src/harness/testbed';
import { SendRefusedError, SHOW_MESSAGE_NOTIFICATIONS_REASON } from '../../../src/sim-pc/map/errors';
import type { Inbox } from '../../../src/sim-pc/services/inbox';
import type { MapHealth } from '../../../src/sim-pc/map/map-supervisor';

const ANN = '+447700900123';
const BACKOFF = { initialMs: 1_000, factor: 2, maxMs: 5_000, jitter: 0 };

async function bed(phone: 'iphone' | 'android'): Promise<{ tb: Testbed; inbox: Inbox; health: () => MapHealth }> {
  const tb = new Testbed({ phone, seed: 11, backoff: BACKOFF });
  await tb.pair();
  const inbox = tb.pc.inbox;
  assert.ok(inbox, 'the PC has an inbox');
  const health = (): MapHealth => tb.pc.messagesHealth() ?? assert.fail('no MAP health');
  return { tb, inbox, health };
}

async function messagesUp(tb: Testbed, health: () => MapHealth): Promise<void> {
  tb.startPc();
  await tb.clock.runUntil(() => health().state === 'up' && health().notifications === 'connected', 60_000);
  await tb.clock.runFor(2_000);
}

async function run<T>(tb: Testbed, promise: Promise<T>): Promise<T> {
  let outcome: { ok: true; value: T } | { ok: false; error: unknown } | undefined;
  promise.then(
    (value) => (outcome = { ok: true, value }),
    (error: unknown) => (outcome = { ok: false, error }),
  );
  await tb.clock.runUntil(() => outcome !== undefined, 60_000);
  if (outcome === undefined) assert.fail('never settled');
  if (!outcome.ok) throw outcome.error;
  return outcome.value;
}

test('iphone: Forbidden until Show Message Notifications; then new texts arrive, a reply and mark read reach the phone', async () => {
  const { tb, inbox, health } = await bed('iphone');
  // A text from before the PC registered stays invisible (no history on iOS).
  tb.phone.backchannel.receiveMessage({ from: ANN, name: 'Ann', text: 'before you connected' });
  tb.startPc();
  await tb.clock.runUntil(() => health().blocked === 'permission', 30_000);
  assert.equal(health().blockedReason, SHOW_MESSAGE_NOTIFICATIONS_REASON);
  tb.phone.backchannel.allowMessageNotifications();
  tb.pc.retryMessages();
  await tb.clock.runUntil(() => health().state === 'up' && health().notifications === 'connected', 30_000);
  await tb.clock.runFor(2_000);
  assert.equal(inbox.size, 0);

  tb.phone.backchannel.receiveMessage({ from: '07700 900123', name: 'Ann', text: 'Are you coming?' });
  tb.phone.backchannel.receiveMessage({ from: ANN, name: 'Ann', text: 'iMessage too', service: 'imessage' });
  await tb.clock.runUntil(() => inbox.size === 2, 30_000);
  const thread = inbox.threadOf(ANN);
  assert.ok(thread);
  assert.equal(thread.messages, 2);
  assert.deepEqual(inbox.messages(thread.id).map((m) => [m.text, m.type]), [
    ['Are you coming?', 'SMS_GSM'],
    ['iMessage too', 'SMS_GSM'],
  ]);

  const sent = await run(tb, inbox.reply(thread.id, 'On my way'));
  assert.equal(sent.direction, 'out');
  const onPhone = tb.phone.model.messages.all().filter((m) => m.direction === 'sent');
  assert.equal(onPhone.length, 1);
  assert.equal(onPhone[0]?.text, 'On my way');

  await assert.rejects(inbox.send([ANN, '+447700900124'], 'hi both'), SendRefusedError);
  await assert.rejects(inbox.send(ANN, 'look', { attachments: [{ mimeType: 'image/jpeg' }] }), (e: unknown) => e instanceof SendRefusedError && e.reason === 'pictures cannot be sent from the PC to an iPhone');
  assert.equal(tb.phone.model.messages.all().filter((m) => m.direction === 'sent').length, 1);

  // An MMS is never shown over MAP by iOS; a group arrives as from its sender alone.
  // (A second later: the phone's times have whole seconds, the PC's own sends milliseconds.)
  await tb.clock.runFor(1_000);
  tb.phone.backchannel.receiveMessage({ from: ANN, text: 'photo', attachment: { mimeType: 'image/jpeg', size: 40_000 } });
  tb.phone.backchannel.receiveMessage({ from: ANN, text: 'group hello', group: ['+447700900555'] });
  await tb.clock.runUntil(() => inbox.size === 4, 30_000);
  assert.equal(inbox.openOnPhone().length, 0);
  assert.equal(inbox.threadOf(ANN)?.lastText, 'group hello');
  await tb.shutdown();
});

test('android: history on connect, group and MMS as open-on-phone, no duplicates after a link drop', async () => {
  const { tb, inbox, health } = await bed('android');
  tb.phone.backchannel.receiveMessage({ from: ANN, name: 'Ann', text: 'old one', date: new Date(tb.clock.date().getTime() - 3_600_000) });
  tb.phone.backchannel.receiveMessage({ from: ANN, text: 'team?', group: ['+447700900555'] });
  tb.phone.backchannel.receiveMessage({ from: ANN, text: 'see this', attachment: { mimeType: 'image/jpeg', size: 40_000 } });
  await messagesUp(tb, health);
  assert.equal(inbox.size, 3);
  assert.equal(inbox.threadOf(ANN)?.lastText, 'old one');
  assert.deepEqual(inbox.openOnPhone().map((e) => e.reason).sort(), ['group conversation', 'picture message']);
  const first = inbox.entries().find((e) => e.kind === 'message');
  assert.ok(first);
  await run(tb, inbox.markRead(first.id));
  assert.equal(tb.phone.model.messages.all().find((m) => m.text === 'old one')?.read, true);

  tb.dropLinks();
  await tb.clock.runUntil(() => health().state === 'down', 60_000);
  tb.phone.backchannel.receiveMessage({ from: ANN, text: 'while you were away' });
  await tb.clock.runUntil(() => health().state === 'up' && inbox.size === 4, 120_000);
  await tb.clock.runFor(5_000);
  assert.equal(inbox.size, 4);
  assert.equal(inbox.threadOf(ANN)?.lastText, 'while you were away');
  assert.equal(health().reconnects, 1);
  tb.phone.backchannel.receiveMessage({ from: ANN, text: 'and now' });
  await tb.clock.runUntil(() => inbox.size === 5, 30_000);
  await tb.shutdown();
});

test('iphone: 500 messages in a burst all arrive once, in the order they arrived', async () => {
  const { tb, inbox, health } = await bed('iphone');
  tb.phone.backchannel.allowMessageNotifications();
  await messagesUp(tb, health);
  const senders = Array.from({ length: 10 }, (_, i) => `+4477009001${String(i).padStart(2, '0')}`);
  for (let i = 0; i < 500; i++) tb.phone.backchannel.receiveMessage({ from: senders[i % 10] ?? '', text: `burst ${i}` });
  await tb.clock.runUntil(() => inbox.size === 500, 300_000);
  await tb.clock.runFor(10_000);
  assert.equal(inbox.size, 500);
  assert.equal(inbox.threads().length, 10);
  const texts = inbox.entries().reverse().map((e) => (e.kind === 'message' ? e.text : ''));
  assert.deepEqual(texts, Array.from({ length: 500 }, (_, i) => `burst ${i}`));
  await tb.shutdown();
});
