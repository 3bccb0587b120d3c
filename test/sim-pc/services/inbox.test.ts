/**
 * The Inbox service on its own (no link): threads by normalised number
 * (national and E.164 forms of one number are one thread, with and without
 * a region), names from the contacts looked up when shown, no duplicates
 * by handle, open-on-phone entries kept out of threads, MAP times, the
 * bound, mark read through the attached session, and sending: refusals
 * before anything is sent, recipients by name, results and failures.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { VirtualClock } from '../../../src/link/virtual-clock';
import type { BMessage } from '../../../src/protocol/map';
import { parseVcards } from '../../../src/protocol/vcard/parser';
import { CapacityReachedError, NotConnectedError } from '../../../src/sim-pc/errors';
import {
  AmbiguousRecipientError,
  MapRefusedError,
  OpenOnPhoneError,
  SendRefusedError,
  UnknownMessageError,
  UnknownRecipientError,
} from '../../../src/sim-pc/map/errors';
import { ContactIndex, contactFromCard } from '../../../src/sim-pc/services/contact-index';
import { Inbox, parseInboxTime, type IncomingMessage, type InboxOptions, type MessageAccess } from '../../../src/sim-pc/services/inbox';

function card(name: string, ...tels: string[]): string {
  return ['BEGIN:VCARD', 'VERSION:3.0', `FN:${name}`, `N:${name.split(' ').reverse().join(';')};;;`, ...tels.map((t) => `TEL;${t}`), 'END:VCARD', ''].join('\r\n');
}

function contactIndex(cards: string[]): ContactIndex {
  const index = new ContactIndex(100, 'GB');
  index.replace(cards.map((text, i) => contactFromCard(parseVcards(text)[0] ?? assert.fail('no card'), i + 1, 'GB')));
  return index;
}

class FakeAccess implements MessageAccess {
  mms = false;
  readonly reads: string[] = [];
  readonly pushed: BMessage[] = [];
  failPush: Error | undefined;
  async setRead(handle: string): Promise<void> {
    this.reads.push(handle);
  }
  async push(message: BMessage): Promise<{ handle: string | undefined }> {
    if (this.failPush) throw this.failPush;
    this.pushed.push(message);
    return { handle: `5000000000${this.pushed.length}` };
  }
}

function setup(options: Partial<InboxOptions> = {}, cards: string[] = []) {
  const clock = new VirtualClock();
  let contacts = contactIndex(cards);
  const inbox = new Inbox({
    clock,
    defaultRegion: 'GB',
    dateZone: 'utc',
    contacts: { lookupCaller: (n) => contacts.lookupCaller(n), searchByName: (q, o) => contacts.searchByName(q, o) },
    ...options,
  });
  const access = new FakeAccess();
  return { clock, inbox, access, setContacts: (next: string[]) => (contacts = contactIndex(next)) };
}

function sms(handle: string, from: string, text: string, extra: Partial<IncomingMessage> = {}): IncomingMessage {
  return { handle, from, text, read: false, type: 'SMS_GSM', datetime: '20240102T030405', ...extra };
}

test('national and E.164 forms of one number are one thread; names come from the contacts when shown', () => {
  const { inbox, setContacts } = setup({}, [card('Ann Lee', 'TYPE=CELL:+44 7700 900123')]);
  inbox.receive(sms('1', '07700 900123', 'hi'));
  inbox.receive(sms('2', '+447700900123', 'there', { datetime: '20240102T030500' }));
  inbox.receive(sms('3', '+447700900999', 'other'));
  const threads = inbox.threads();
  assert.equal(threads.length, 2);
  const ann = inbox.threadOf('+44 7700 900123');
  assert.ok(ann);
  assert.equal(ann.id, 'tel:+447700900123');
  assert.equal(ann.messages, 2);
  assert.equal(ann.unread, 2);
  assert.equal(ann.name, 'Ann Lee');
  assert.equal(ann.lastText, 'there');
  assert.deepEqual(inbox.messages(ann.id).map((m) => [m.handle, m.name, m.direction]), [
    ['1', 'Ann Lee', 'in'],
    ['2', 'Ann Lee', 'in'],
  ]);
  assert.equal(inbox.threadOf('+447700900999')?.name, undefined);
  // A later contacts refresh renames the thread.
  setContacts([card('Ann Lee-Smith', 'TYPE=CELL:07700 900123'), card('Bob', 'TYPE=CELL:07700900999')]);
  assert.equal(inbox.threadOf('07700900123')?.name, 'Ann Lee-Smith');
  assert.equal(inbox.threadOf('07700900999')?.name, 'Bob');
});

test('without a region, national and international forms still meet on their last digits', () => {
  const { inbox } = setup({ defaultRegion: undefined });
  inbox.receive(sms('1', '07700900123', 'a'));
  inbox.receive(sms('2', '+447700900123', 'b'));
  inbox.receive(sms('3', 'Amazon', 'your parcel'));
  assert.equal(inbox.threads().length, 2);
  assert.ok(inbox.threadOf('Amazon'));
  assert.equal(inbox.threadOf('Amazon')?.id, 'addr:amazon');
});

test('property: each GB mobile number makes one thread, whichever form each message uses', () => {
  fc.assert(
    fc.property(
      fc.uniqueArray(fc.integer({ min: 0, max: 999_999 }), { minLength: 1, maxLength: 6 }),
      fc.array(fc.tuple(fc.nat(), fc.boolean()), { minLength: 1, maxLength: 20 }),
      (numbers, picks) => {
        const { inbox } = setup();
        const used = new Set<number>();
        picks.forEach(([pick, international], i) => {
          const n = numbers[pick % numbers.length] ?? 0;
          used.add(n);
          const digits = `7700${String(n).padStart(6, '0')}`;
          inbox.receive(sms(String(i + 1), international ? `+44${digits}` : `0${digits}`, `m${i}`));
        });
        assert.equal(inbox.threads().length, used.size);
        assert.equal(inbox.size, picks.length);
      },
    ),
    { numRuns: 200 },
  );
});

test('a handle is filed once, whatever its case or leading zeros', () => {
  const { inbox } = setup();
  const events: string[] = [];
  inbox.events.on('message', (e) => events.push(e.id));
  assert.ok(inbox.receive(sms('4000000000A', '+447700900123', 'a')));
  assert.equal(inbox.receive(sms('04000000000a', '+447700900123', 'again')), undefined);
  assert.equal(inbox.size, 1);
  assert.equal(events.length, 1);
  assert.ok(inbox.knows('4000000000a'));
});

test('open-on-phone entries stay out of threads and cannot be replied to', async () => {
  const { inbox, access } = setup();
  inbox.attach(access);
  const group = inbox.receive(sms('1', '+447700900123', 'party?', { openOnPhone: 'group conversation', participants: ['+447700900555'] }));
  const picture = inbox.receive(sms('2', '+447700900123', '', { openOnPhone: 'picture message', type: 'MMS' }));
  assert.equal(group?.kind, 'open-on-phone');
  assert.equal(picture?.kind, 'open-on-phone');
  assert.equal(inbox.threads().length, 0);
  assert.deepEqual(inbox.openOnPhone().map((e) => e.reason).sort(), ['group conversation', 'picture message']);
  await assert.rejects(inbox.reply(group?.id ?? '', 'yes'), OpenOnPhoneError);
  assert.equal(access.pushed.length, 0);
});

test('MAP times: zone-less as UTC or local as told, an offset wins, unreadable falls back to arrival', () => {
  assert.equal(parseInboxTime('20240102T030405', 'utc'), Date.UTC(2024, 0, 2, 3, 4, 5));
  assert.equal(parseInboxTime('20240102T030405+0100', 'utc'), Date.UTC(2024, 0, 2, 2, 4, 5));
  assert.equal(parseInboxTime('20240102T030405', 'local'), new Date(2024, 0, 2, 3, 4, 5).getTime());
  assert.equal(parseInboxTime('yesterday', 'utc'), undefined);
  const { inbox, clock } = setup();
  const entry = inbox.receive(sms('1', '+447700900123', 'a', { datetime: 'garbage' }));
  assert.equal(entry?.time.getTime(), clock.date().getTime());
  assert.equal(entry?.timeText, 'garbage');
});

test('bounded: past maxEntries the oldest is dropped, and its handle is not filed again', () => {
  const { inbox } = setup({ maxEntries: 3 });
  const full: Error[] = [];
  inbox.events.on('error', (e) => full.push(e));
  const dropped: string[] = [];
  inbox.events.on('dropped', (e) => dropped.push(e.handle ?? ''));
  inbox.receive(sms('1', '+447700900123', 'b', { datetime: '20240102T000002' }));
  inbox.receive(sms('2', '+447700900123', 'a', { datetime: '20240102T000001' }));
  inbox.receive(sms('3', '+447700900124', 'c', { datetime: '20240102T000003' }));
  inbox.receive(sms('4', '+447700900125', 'd', { datetime: '20240102T000004' }));
  assert.deepEqual(dropped, ['2']);
  assert.equal(inbox.size, 3);
  // The first eviction is one typed report; the inbox staying full adds no more.
  const errors: Error[] = [];
  inbox.events.on('error', (e) => errors.push(e));
  inbox.receive(sms('5', '+447700900126', 'e', { datetime: '20240102T000005' }));
  assert.equal(inbox.dropped, 2);
  assert.deepEqual(errors, []);
  assert.equal(inbox.receive(sms('2', '+447700900123', 'a')), undefined);
  assert.deepEqual(inbox.entries().map((e) => e.handle), ['5', '4', '3']);
  assert.equal(full.length, 1);
  assert.ok(full[0] instanceof CapacityReachedError && full[0].code === 'sim-pc.capacity-reached' && full[0].limitName === 'INBOX_MAX_ENTRIES');
});

test('mark read: on the phone first (SetMessageStatus), then here; a thread marks all its unread', async () => {
  const { inbox, access } = setup();
  const a = inbox.receive(sms('1', '+447700900123', 'a'));
  inbox.receive(sms('2', '07700900123', 'b'));
  inbox.receive(sms('3', '07700900123', 'c', { read: true }));
  await assert.rejects(inbox.markRead(a?.id ?? ''), NotConnectedError);
  await assert.rejects(inbox.markRead('nope'), UnknownMessageError);
  inbox.attach(access);
  const read: string[] = [];
  inbox.events.on('read', (e) => read.push(e.handle ?? ''));
  await inbox.markRead(a?.id ?? '');
  assert.deepEqual(access.reads, ['1']);
  await inbox.markRead('tel:+447700900123');
  assert.deepEqual(access.reads, ['1', '2']);
  assert.deepEqual(read, ['1', '2']);
  assert.equal(inbox.threadOf('07700900123')?.unread, 0);
});

test('send: a picture or two recipients are refused before anything is sent, with the user-facing reason', async () => {
  const { inbox, access } = setup({}, [card('Ann Lee', 'TYPE=CELL:07700900123')]);
  inbox.attach(access);
  const failures: string[] = [];
  inbox.events.on('send-failed', (f) => failures.push(f.error.message));
  const picture = await inbox.send('07700900123', 'look', { attachments: [{ mimeType: 'image/jpeg' }] }).catch((e: unknown) => e);
  assert.ok(picture instanceof SendRefusedError);
  assert.equal(picture.refusal, 'picture');
  assert.equal(picture.reason, 'pictures cannot be sent from the PC to an iPhone');
  const group = await inbox.send(['07700900123', { name: 'Ann Lee' }], 'hi all').catch((e: unknown) => e);
  assert.ok(group instanceof SendRefusedError);
  assert.equal(group.refusal, 'group');
  assert.equal(group.reason, 'group messages are not supported');
  await assert.rejects(inbox.send('07700900123', '   '), (e: unknown) => e instanceof SendRefusedError && e.refusal === 'empty');
  await assert.rejects(inbox.send('07700900123', 'x'.repeat(20_000)), (e: unknown) => e instanceof SendRefusedError && e.refusal === 'too-long');
  assert.equal(access.pushed.length, 0);
  assert.equal(failures.length, 4);
  access.mms = true;
  const android = await inbox.send('07700900123', 'look', { attachments: [{ mimeType: 'image/png' }] }).catch((e: unknown) => e);
  assert.ok(android instanceof SendRefusedError && /only text messages/.test(android.reason));
});

test('send by name: exact names win, unknown and ambiguous names are typed errors, the bMessage has one recipient', async () => {
  const { inbox, access } = setup({}, [
    card('Ann Lee', 'TYPE=CELL:07700 900123'),
    card('Ann Leeson', 'TYPE=CELL:07700900124'),
    card('Bob Ray', 'TYPE=CELL:07700900125', 'TYPE=CELL:07700900126'),
    card('Cy Two', 'TYPE=HOME:02079460000', 'TYPE=CELL:07700900127'),
  ]);
  await assert.rejects(inbox.send({ name: 'Ann Lee' }, 'hi'), NotConnectedError);
  inbox.attach(access);
  inbox.receive(sms('1', '+447700900123', 'are you coming?'));
  const sent = await inbox.send({ name: 'ann lee' }, 'On my way');
  assert.equal(sent.direction, 'out');
  assert.equal(sent.number, '07700 900123');
  assert.equal(sent.thread, 'tel:+447700900123');
  assert.equal(sent.handle, '50000000001');
  assert.equal(inbox.threadOf('07700900123')?.messages, 2);
  assert.equal(inbox.threadOf('07700900123')?.lastDirection, 'out');
  const pushed = access.pushed[0];
  assert.ok(pushed);
  assert.equal(pushed.type, 'SMS_GSM');
  assert.equal(pushed.status, 'READ');
  assert.equal(pushed.folder, 'telecom/msg/outbox');
  assert.deepEqual(pushed.envelope.recipients.map((r) => r.phones), [['07700 900123']]);
  assert.equal(pushed.envelope.content.kind === 'body' ? pushed.envelope.content.body.charset : '', 'UTF-8');
  await assert.rejects(inbox.send({ name: 'Ann' }, 'x'), AmbiguousRecipientError);
  await assert.rejects(inbox.send('Zed', 'x'), UnknownRecipientError);
  await assert.rejects(inbox.send('Bob Ray', 'x'), AmbiguousRecipientError);
  const cy = await inbox.send('Cy Two', 'x');
  assert.equal(cy.number, '07700900127');
});

test('send: the phone refusing is MapRefusedError with its code, reported as send-failed; reply goes to the thread number', async () => {
  const { inbox, access } = setup();
  inbox.attach(access);
  const first = inbox.receive(sms('1', '07700900123', 'hi'));
  access.failPush = new MapRefusedError('PushMessage telecom/msg/outbox', 0xc6);
  const failures: number[] = [];
  inbox.events.on('send-failed', (f) => failures.push(f.error instanceof MapRefusedError ? f.error.responseCode : -1));
  await assert.rejects(inbox.reply(first?.kind === 'message' ? first.thread : '', 'hello'), (e: unknown) => e instanceof MapRefusedError && e.responseCode === 0xc6);
  assert.deepEqual(failures, [0xc6]);
  access.failPush = undefined;
  const sent: string[] = [];
  inbox.events.on('sent', (m) => sent.push(m.text));
  await inbox.reply(first?.id ?? '', 'hello');
  assert.deepEqual(sent, ['hello']);
  assert.deepEqual(access.pushed[0]?.envelope.recipients[0]?.phones, ['07700900123']);
});
