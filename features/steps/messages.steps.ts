/**
 * Step definitions for the text-message scenarios (features/messages): the
 * phone's contacts send texts, iMessages, group messages and pictures; the
 * PC's Inbox shows, replies, sends and marks read over MAP. Steps that
 * depend on the phone's documented limits read the phone's profile and
 * attach the verdict it predicts: "limited" where the iPhone holds back,
 * "supported" where the android stand-in does not.
 */
import { Then, When } from '@cucumber/cucumber';
import assert from 'node:assert/strict';
import type { Contact } from '../../src/sim-phone/contact-data';
import type { MapProfile } from '../../src/sim-phone/map/map-profile';
import { MapSupervisor } from '../../src/sim-pc/map/map-supervisor';
import { SendRefusedError } from '../../src/sim-pc/map/errors';
import { Inbox, type InboxEntry, type InboxMessage } from '../../src/sim-pc/services/inbox';
import { COD_AUDIO_VIDEO_HANDS_FREE } from '../../src/link/classic';
import type { PhoneBridgeWorld } from '../../src/harness/world';
import { settle } from './support';

const seconds = (s: number): number => Math.round(s * 1000);
const SECOND_PC = 'AA:BB:CC:DD:EE:02';
/** The last nine digits identify a UK number in either written form. */
const tail = (number: string): string => number.replace(/\D/g, '').slice(-9);

function inbox(world: PhoneBridgeWorld): Inbox {
  const box = world.tb.pc.inbox;
  assert.ok(box, 'the PC has no inbox (no BR/EDR radio in this profile)');
  return box;
}

function mapProfile(world: PhoneBridgeWorld): MapProfile {
  const map = world.tb.profile.map;
  assert.ok(map, `the ${world.tb.profile.id} profile has no MAP server`);
  return map;
}

/** Contact `n` of the loaded address book (1-based, the owner card not counted). */
function contact(world: PhoneBridgeWorld, n: number): Contact {
  const found = world.tb.phone.model.contacts.all().filter((c) => c.id !== 0)[n - 1];
  assert.ok(found, `the phone has no contact ${n}`);
  return found;
}

function mobile(world: PhoneBridgeWorld, n: number): string {
  const number = contact(world, n).phones[0]?.number;
  assert.ok(number, `contact ${n} has no number`);
  return number;
}

/** The other written form of a UK number: national <-> international. */
function otherForm(number: string): string {
  const d = number.replace(/\D/g, '');
  return d.startsWith('44') ? `0${d.slice(2)}` : `+44${d.slice(1)}`;
}

function messagesWith(world: PhoneBridgeWorld, n: number): InboxMessage[] {
  const key = tail(mobile(world, n));
  return inbox(world)
    .entries()
    .filter((e): e is InboxMessage => e.kind === 'message' && tail(e.number) === key);
}

function describe(entries: readonly InboxEntry[]): string {
  if (entries.length === 0) return '(none)';
  return entries.map((e) => (e.kind === 'message' ? `${e.direction} ${JSON.stringify(e.text)}` : `open-on-phone (${e.reason})`)).join('; ');
}

function receive(world: PhoneBridgeWorld, n: number, text: string, extra: { service?: 'sms' | 'imessage'; from?: string; group?: string[]; attachment?: { mimeType: string; size: number } } = {}): number {
  const id = world.tb.phone.backchannel.receiveMessage({ from: extra.from ?? mobile(world, n), text, service: extra.service ?? 'sms', ...(extra.group ? { group: extra.group } : {}), ...(extra.attachment ? { attachment: extra.attachment } : {}) });
  world.notes.lastPhoneMessage = id;
  const arrived = (world.notes.arrived as string[] | undefined) ?? [];
  arrived.push(text);
  world.notes.arrived = arrived;
  return id;
}

// ---- setting up -------------------------------------------------------------------

When("the PC is connected to the phone's messages", async function (this: PhoneBridgeWorld) {
  await this.tb.connectPc();
  const health = () => this.tb.pc.messagesHealth();
  try {
    await this.tb.clock.runUntil(() => health()?.state === 'up' && health()?.notifications === 'connected', seconds(30));
  } catch {
    assert.fail(`messages did not connect: ${JSON.stringify(health())}`);
  }
});

When('the user revokes {string} for the PC', function (this: PhoneBridgeWorld, permission: string) {
  assert.equal(permission, 'Show Message Notifications');
  this.tb.phone.backchannel.revokeMessageNotifications(this.tb.pcAddress);
});

// ---- the phone's contacts -------------------------------------------------------------

When('contact {int} sends the text {string}', function (this: PhoneBridgeWorld, n: number, text: string) {
  receive(this, n, text);
});

When('contact {int} sends the iMessage {string}', function (this: PhoneBridgeWorld, n: number, text: string) {
  receive(this, n, text, { service: 'imessage' });
});

When('contact {int} sends the text {string} from the other form of the number', function (this: PhoneBridgeWorld, n: number, text: string) {
  receive(this, n, text, { from: otherForm(mobile(this, n)) });
});

When('contact {int} sends {string} to a group with contacts {int} and {int}', function (this: PhoneBridgeWorld, n: number, text: string, a: number, b: number) {
  receive(this, n, text, { group: [mobile(this, a), mobile(this, b)] });
  this.notes.groupText = text;
  this.notes.groupSender = n;
});

When('contact {int} sends a picture with the caption {string}', function (this: PhoneBridgeWorld, n: number, text: string) {
  receive(this, n, text, { attachment: { mimeType: 'image/jpeg', size: 240_000 } });
  this.notes.pictureText = text;
});

When('{int} messages from contacts {int} to {int} arrive in a burst', function (this: PhoneBridgeWorld, count: number, first: number, last: number) {
  const texts: string[] = [];
  for (let i = 0; i < count; i++) {
    const n = first + (i % (last - first + 1));
    const text = `Burst message ${i + 1} from contact ${n}`;
    receive(this, n, text);
    texts.push(text);
  }
  this.notes.burst = texts;
});

// ---- the PC -----------------------------------------------------------------------------

When("the user replies {string} to contact {int}'s thread on the PC", async function (this: PhoneBridgeWorld, text: string, n: number) {
  const thread = inbox(this).threadOf(mobile(this, n));
  assert.ok(thread, `the PC has no thread with contact ${n}`);
  await settle(this, inbox(this).reply(thread.id, text));
});

When('the user sends {string} to contact {int} by name on the PC', async function (this: PhoneBridgeWorld, text: string, n: number) {
  await settle(this, inbox(this).send({ name: contact(this, n).formattedName }, text));
});

When('the user reads that message on the PC', async function (this: PhoneBridgeWorld) {
  // entries() lists the newest first.
  const latest = inbox(this).entries()[0];
  assert.ok(latest, 'the PC shows no message');
  await settle(this, inbox(this).markRead(latest.id));
});

When('the user tries to send a picture to contact {int} on the PC', async function (this: PhoneBridgeWorld, n: number) {
  this.notes.sentBefore = this.tb.phone.model.messages.sent().length;
  try {
    await settle(this, inbox(this).send({ number: mobile(this, n) }, 'Here it is', { attachments: [{ mimeType: 'image/jpeg', name: 'view.jpg' }] }));
    this.notes.pictureRefusal = undefined;
  } catch (err) {
    this.notes.pictureRefusal = err;
  }
});

When('the user tries to send {string} to contacts {int} and {int} on the PC', async function (this: PhoneBridgeWorld, text: string, a: number, b: number) {
  try {
    await settle(this, inbox(this).send([{ number: mobile(this, a) }, { number: mobile(this, b) }], text));
    this.notes.groupRefusal = undefined;
  } catch (err) {
    this.notes.groupRefusal = err;
  }
});

When("a second PC tries to open the phone's messages", async function (this: PhoneBridgeWorld) {
  const tb = this.tb;
  const client = tb.classicAir.createClient({ address: SECOND_PC, classOfDevice: COD_AUDIO_VIDEO_HANDS_FREE });
  tb.phone.backchannel.allowMessageNotifications(SECOND_PC);
  const second = new MapSupervisor({ classic: client, phoneAddress: tb.profile.address, clock: tb.clock, inbox: new Inbox({ clock: tb.clock, dateZone: 'utc' }) });
  second.events.on('error', () => undefined);
  this.notes.secondPc = second;
  second.start();
  await tb.clock.runUntil(() => second.health().state === 'up' || second.health().blocked !== undefined, seconds(20));
});

// ---- checks -------------------------------------------------------------------------------

Then(
  /^within ([\d.]+) s of link time the PC shows (\d+) messages? from contact (\d+) saying "([^"]*)"$/,
  async function (this: PhoneBridgeWorld, s: string, count: string, n: string, text: string) {
    const matching = () => messagesWith(this, Number(n)).filter((m) => m.direction === 'in' && m.text === text);
    try {
      await this.tb.clock.runUntil(() => matching().length >= Number(count), seconds(Number(s)));
    } catch {
      assert.fail(`the PC shows ${describe(inbox(this).entries())}; health ${JSON.stringify(this.tb.pc.messagesHealth())}`);
    }
    await this.tb.clock.runFor(500);
    assert.equal(matching().length, Number(count), `the PC shows ${describe(inbox(this).entries())}`);
  },
);

Then(/^within ([\d.]+) s of link time the PC shows (\d+) messages from contact (\d+) in one thread$/, async function (this: PhoneBridgeWorld, s: string, count: string, n: string) {
  const incoming = () => messagesWith(this, Number(n)).filter((m) => m.direction === 'in');
  await this.tb.clock.runUntil(() => incoming().length >= Number(count), seconds(Number(s)));
  const threads = new Set(incoming().map((m) => m.thread));
  assert.equal(incoming().length, Number(count));
  assert.equal(threads.size, 1, `the messages are in ${threads.size} threads`);
  this.notes.threadMessages = incoming();
});

Then('the PC shows both as the same kind of message', function (this: PhoneBridgeWorld) {
  const messages = this.notes.threadMessages as InboxMessage[];
  const kinds = new Set(messages.map((m) => m.type));
  // iOS types both SMS and iMessage SMS_GSM; Phone Link does not tell them apart either.
  assert.equal(kinds.size, 1, `kinds shown: ${[...kinds].join(', ')}`);
});

Then('the message thread is named after contact {int}', function (this: PhoneBridgeWorld, n: number) {
  const thread = inbox(this).threadOf(mobile(this, n));
  assert.ok(thread, `no thread with contact ${n}`);
  assert.equal(thread.name, contact(this, n).formattedName);
});

Then(/^within ([\d.]+) s of link time the phone has sent "([^"]*)" to contact (\d+)$/, async function (this: PhoneBridgeWorld, s: string, text: string, n: string) {
  const key = tail(mobile(this, Number(n)));
  const sent = () => this.tb.phone.model.messages.sent().filter((m) => m.text === text && m.recipients.some((r) => tail(r) === key));
  await this.tb.clock.runUntil(() => sent().length > 0, seconds(Number(s)));
  assert.equal(sent().length, 1, 'sent more than once');
});

Then(/^the PC shows "([^"]*)" in contact (\d+)'s thread as sent$/, function (this: PhoneBridgeWorld, text: string, n: string) {
  const out = messagesWith(this, Number(n)).filter((m) => m.direction === 'out' && m.text === text);
  assert.equal(out.length, 1, `the thread holds ${describe(messagesWith(this, Number(n)))}`);
});

Then(/^within ([\d.]+) s of link time that message is read on the phone$/, async function (this: PhoneBridgeWorld, s: string) {
  const id = this.notes.lastPhoneMessage as number;
  await this.tb.clock.runUntil(() => this.tb.phone.model.messages.get(id)?.read === true, seconds(Number(s)));
});

Then(/^within ([\d.]+) s of link time the PC has lost the phone's messages$/, async function (this: PhoneBridgeWorld, s: string) {
  await this.tb.clock.runUntil(() => this.tb.pc.messagesHealth()?.state !== 'up', seconds(Number(s)));
  this.notes.awayFrom = (this.notes.arrived as string[] | undefined)?.length ?? 0;
});

Then("after the PC reconnects, messages that arrived while it was away are shown as the phone's profile predicts", async function (this: PhoneBridgeWorld) {
  const away = ((this.notes.arrived as string[] | undefined) ?? []).slice(Number(this.notes.awayFrom ?? 0));
  assert.ok(away.length > 0, 'no message arrived while the PC was away');
  const health = () => this.tb.pc.messagesHealth();
  await this.tb.clock.runUntil(() => health()?.state === 'up' && health()?.notifications === 'connected', seconds(180));
  await this.tb.clock.runFor(seconds(10));
  const shown = (text: string) => inbox(this).entries().some((e) => e.kind === 'message' && e.text === text);
  if (mapProfile(this).history) {
    for (const text of away) assert.ok(shown(text), `"${text}" arrived while the PC was away and the phone keeps history, but the PC does not show it`);
    await this.verdict('supported');
  } else {
    for (const text of away) assert.ok(!shown(text), `"${text}" arrived while the PC was away, yet the PC shows it`);
    await this.verdict('limited', 'the iPhone shows a PC only the messages that arrived while it was connected (no history)');
  }
});

Then('the PC shows {string} once', function (this: PhoneBridgeWorld, text: string) {
  const count = inbox(this).entries().filter((e) => e.kind === 'message' && e.text === text).length;
  assert.equal(count, 1, `the PC shows ${describe(inbox(this).entries())}`);
});

Then(/^within ([\d.]+) s of link time the group message is shown as the phone's profile predicts$/, async function (this: PhoneBridgeWorld, s: string) {
  const text = String(this.notes.groupText);
  const sender = Number(this.notes.groupSender);
  const box = inbox(this);
  if (mapProfile(this).groups === 'participants') {
    const group = () => box.openOnPhone().find((e) => e.reason === 'group conversation' && e.preview.includes(text));
    await this.tb.clock.runUntil(() => group() !== undefined, seconds(Number(s)));
    assert.equal(messagesWith(this, sender).filter((m) => m.text === text).length, 0, 'the group message was also filed in the sender\'s one-to-one thread');
    assert.ok((group()?.participants.length ?? 0) >= 2, 'the PC does not name the other participants');
    await this.verdict('supported');
    return;
  }
  // iOS sends a group message as a text from its sender alone: nothing in MAP says it was a group.
  await this.tb.clock.runUntil(() => messagesWith(this, sender).some((m) => m.text === text), seconds(Number(s)));
  const entry = messagesWith(this, sender).find((m) => m.text === text);
  assert.ok(entry);
  assert.equal(box.openOnPhone().length, 0);
  await this.verdict('limited', 'the iPhone sends a group message as a text from its sender alone, with no participants, so the PC shows it in the sender\'s thread');
});

Then(/^after ([\d.]+) s of link time the picture message is shown as the phone's profile predicts$/, async function (this: PhoneBridgeWorld, s: string) {
  await this.tb.clock.runFor(seconds(Number(s)));
  const text = String(this.notes.pictureText);
  const box = inbox(this);
  const asMessage = box.entries().filter((e) => e.kind === 'message' && e.text === text);
  assert.equal(asMessage.length, 0, 'a picture message was shown as a plain text');
  if (mapProfile(this).mms === 'deliver') {
    const entry = box.openOnPhone().find((e) => e.reason === 'picture message');
    assert.ok(entry, `the PC shows ${describe(box.entries())}, not "open on your phone" for the picture`);
    await this.verdict('supported');
  } else {
    assert.equal(box.entries().length, 0, `the iPhone delivers no MMS, yet the PC shows ${describe(box.entries())}`);
    await this.verdict('limited', 'the iPhone does not deliver picture messages (MMS) over MAP');
  }
});

Then('both are refused before anything is sent, each with a clear reason', function (this: PhoneBridgeWorld) {
  const picture = this.notes.pictureRefusal;
  const group = this.notes.groupRefusal;
  assert.ok(picture instanceof SendRefusedError, `the picture was not refused: ${String(picture)}`);
  assert.ok(group instanceof SendRefusedError, `the message to two people was not refused: ${String(group)}`);
  assert.equal(picture.refusal, 'picture');
  assert.equal(group.refusal, 'group');
  assert.match(picture.reason, /picture/i);
  assert.match(group.reason, /group/i);
  assert.equal(this.tb.phone.model.messages.sent().length, Number(this.notes.sentBefore ?? 0), 'something reached the phone');
});

Then("the second PC is answered as the phone's profile predicts", async function (this: PhoneBridgeWorld) {
  const second = this.notes.secondPc as MapSupervisor;
  try {
    const health = second.health();
    if (mapProfile(this).maxSessions <= 1) {
      assert.equal(health.blocked, 'in-use', `the second PC got ${JSON.stringify(health)}`);
      assert.match(health.blockedReason ?? '', /another computer/);
      await this.verdict('limited', 'the iPhone serves message access to one PC at a time');
    } else {
      assert.equal(health.state, 'up', `the second PC got ${JSON.stringify(health)}`);
      await this.verdict('supported');
    }
  } finally {
    await settle(this, second.stop());
  }
});

Then('the first PC still receives messages', async function (this: PhoneBridgeWorld) {
  receive(this, 2, 'Still there?');
  await this.tb.clock.runUntil(() => messagesWith(this, 2).some((m) => m.text === 'Still there?'), seconds(10));
});

Then(/^within (\d+) s of link time the PC shows all (\d+) messages, each once, in the order they arrived$/, async function (this: PhoneBridgeWorld, s: string, count: string) {
  const texts = this.notes.burst as string[];
  const box = inbox(this);
  // entries() lists the newest first; arrival order is its reverse.
  const shown = () =>
    box
      .entries()
      .filter((e): e is InboxMessage => e.kind === 'message' && e.text.startsWith('Burst message '))
      .reverse();
  const start = this.tb.clock.now();
  try {
    await this.tb.clock.runUntil(() => shown().length >= Number(count), seconds(Number(s)));
  } catch {
    assert.fail(`only ${shown().length} of ${count} arrived`);
  }
  await this.figure({ name: 'message burst delivery time', value: this.tb.clock.now() - start, unit: 'ms', note: `${count} messages` });
  await this.tb.clock.runFor(seconds(2));
  assert.deepEqual(shown().map((m) => m.text), texts);
});

Then(/^within ([\d.]+) s of link time the PC says message access needs "([^"]*)"$/, async function (this: PhoneBridgeWorld, s: string, toggle: string) {
  const health = () => this.tb.pc.messagesHealth();
  await this.tb.clock.runUntil(() => health()?.blocked === 'permission', seconds(Number(s)));
  assert.ok(health()?.blockedReason?.includes(toggle), `the PC says "${health()?.blockedReason}"`);
});

Then('the PC shows no messages', function (this: PhoneBridgeWorld) {
  assert.equal(inbox(this).entries().length, 0, `the PC shows ${describe(inbox(this).entries())}`);
});
