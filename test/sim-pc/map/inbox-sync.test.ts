/**
 * InboxSync against a scripted message source (no link) that lists newest
 * first, as phones do: which events it acts on, full passes in pages with
 * fetches oldest first, catch-up passes that read only as far as the
 * announced handles (and fetch the unlisted ones directly), a burst sharing
 * one pass that also finds unannounced messages, a full set of announced
 * handles giving way to a full pass, a badly answered message given up
 * after its attempts, and a dropped session emptying the queue.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VirtualClock } from '../../../src/link/virtual-clock';
import { DisconnectedError } from '../../../src/link/errors';
import type { MapEvent, MessageListingEntry } from '../../../src/protocol/map';
import { Inbox } from '../../../src/sim-pc/services/inbox';
import { MapProtocolError } from '../../../src/sim-pc/map/errors';
import { InboxSync, isInboxFolder, oldestFirst, type MessageSource } from '../../../src/sim-pc/map/inbox-sync';
import type { ListMessagesOptions, MessageFetch, MessagesListingPage } from '../../../src/sim-pc/map/map-types';
import { bMessageOf, type FakeMessage } from './fake-mse';

class ScriptedSource implements MessageSource {
  readonly calls: string[] = [];
  failing = new Set<string>();
  dropOn: string | undefined;
  constructor(public messages: FakeMessage[]) {}

  async listMessages(folder: string, options: ListMessagesOptions = {}): Promise<MessagesListingPage> {
    const start = options.listStartOffset ?? 0;
    this.calls.push(`list ${start}`);
    const listed = this.messages.filter((m) => m.listed !== false).reverse();
    const page = listed.slice(start, start + (options.maxListCount ?? 1024));
    const messages: MessageListingEntry[] = page.map((m) => ({ handle: m.handle, datetime: m.datetime ?? '20240101T000000', type: m.type ?? 'SMS_GSM', ...m.listing }));
    return { folder, messages, size: listed.length, newMessage: undefined, mseTime: undefined, params: {} };
  }

  async getMessage(handle: string): Promise<MessageFetch> {
    this.calls.push(`get ${handle}`);
    if (this.dropOn === handle) throw new DisconnectedError(0x08);
    if (this.failing.has(handle)) throw new MapProtocolError(`GetMessage ${handle}`, 'garbage', 'map.bad-bmessage');
    const message = this.messages.find((m) => m.handle === handle);
    if (message === undefined) throw new MapProtocolError(`GetMessage ${handle}`, 'gone', undefined);
    return { handle, message: bMessageOf(message), bytes: 1 };
  }
}

function setup(messages: FakeMessage[], options: { pageSize?: number; maxPendingHandles?: number } = {}) {
  const clock = new VirtualClock();
  const inbox = new Inbox({ clock, defaultRegion: 'GB', dateZone: 'utc' });
  const source = new ScriptedSource(messages);
  const sync = new InboxSync({ inbox, ...options });
  const errors: Error[] = [];
  sync.events.on('error', (e) => errors.push(e));
  sync.attach(source);
  return { clock, inbox, source, sync, errors };
}

async function idle(clock: VirtualClock, sync: InboxSync): Promise<void> {
  await clock.runUntil(() => !sync.busy, 10_000);
}

const msg = (n: number, extra: Partial<FakeMessage> = {}): FakeMessage => ({ handle: String(n), from: '+447700900123', text: `t${n}`, ...extra });
const event = (handle: string, extra: Partial<MapEvent> = {}): MapEvent => ({ type: 'NewMessage', handle, folder: 'TELECOM/MSG/INBOX', msg_type: 'SMS_GSM', ...extra });

test('inbox folders in every spelling; other folders and events are ignored', async () => {
  assert.ok(isInboxFolder('TELECOM/MSG/INBOX'));
  assert.ok(isInboxFolder('/telecom/msg/inbox/'));
  assert.ok(isInboxFolder('msg/inbox'));
  assert.ok(isInboxFolder('inbox'));
  assert.ok(!isInboxFolder('telecom/msg/sent'));
  assert.ok(!isInboxFolder(undefined));
  const { clock, sync, source, inbox, errors } = setup([msg(1), msg(2)]);
  sync.onEvent(event('1', { folder: 'telecom/msg/sent' }));
  sync.onEvent(event('1', { type: 'SendingSuccess' }));
  sync.onEvent(event('zz'));
  sync.onEvent(event('2', { type: 'MessageShift', folder: 'telecom/msg/inbox', old_folder: 'telecom/msg/outbox' }));
  await idle(clock, sync);
  // The catch-up files what it finds missing on the page, announced or not, oldest first.
  assert.deepEqual(source.calls, ['list 0', 'get 1', 'get 2']);
  assert.equal(inbox.size, 2);
  assert.equal(errors.length, 1);
});

test('a full pass pages and fetches what is missing, oldest first; a catch-up fetches an unlisted handle directly', async () => {
  const messages = [msg(2, { datetime: '20240102T000000' }), msg(3, { datetime: '20240104T000000' }), msg(4, { datetime: '20240104T000000' }), msg(5, { datetime: '20240105T000000' }), msg(9, { listed: false })];
  const { clock, sync, source, inbox } = setup(messages, { pageSize: 3 });
  inbox.receive({ handle: '4', from: '+447700900123', text: 't4', read: false, type: 'SMS_GSM' });
  const passes: number[] = [];
  sync.events.on('listed', (p) => passes.push(p.fetched));
  sync.requestListing();
  await idle(clock, sync);
  assert.deepEqual(source.calls, ['list 0', 'list 3', 'get 2', 'get 3', 'get 5']);
  assert.deepEqual(passes, [3]);
  // Message 9 is announced but never listed: the catch-up reads to the end, then fetches it; a full pass follows.
  sync.onEvent(event('9'));
  sync.requestListing();
  sync.requestListing();
  await idle(clock, sync);
  assert.deepEqual(source.calls.slice(5), ['list 0', 'list 3', 'get 9', 'list 0', 'list 3']);
  assert.deepEqual(passes, [3, 1, 0]);
});

test('oldestFirst: newest-first listings are reversed on equal times; without times the listing order decides', () => {
  const e = (handle: string, datetime?: string): MessageListingEntry => ({ handle, ...(datetime ? { datetime } : {}) });
  assert.deepEqual(oldestFirst([e('c', '20240101T000001'), e('b', '20240101T000001'), e('a', '20240101T000000')]).map((x) => x.handle), ['a', 'b', 'c']);
  assert.deepEqual(oldestFirst([e('a', '20240101T000000'), e('b', '20240101T000000'), e('c', '20240101T000001')]).map((x) => x.handle), ['a', 'b', 'c']);
  assert.deepEqual(oldestFirst([e('c'), e('b', '20240101T000000'), e('a')]).map((x) => x.handle), ['a', 'b', 'c']);
});

test('a burst of events shares one pass, which also finds what the phone never announced', async () => {
  // All within one second: only the listing order says which came first.
  const messages = Array.from({ length: 30 }, (_, i) => msg(i + 1));
  const { clock, sync, source, inbox } = setup(messages);
  // The phone announced only the first 20.
  for (let i = 1; i <= 20; i++) sync.onEvent(event(String(i)));
  await idle(clock, sync);
  assert.equal(inbox.size, 30);
  assert.equal(source.calls.filter((c) => c.startsWith('list')).length, 1);
  assert.equal(source.calls.filter((c) => c.startsWith('get')).length, 30);
  assert.deepEqual(
    source.calls.filter((c) => c.startsWith('get')),
    Array.from({ length: 30 }, (_, i) => `get ${i + 1}`),
  );
});

test('past maxPendingHandles, announcements give way to a full pass instead of growing', async () => {
  const messages = Array.from({ length: 10 }, (_, i) => msg(i + 1));
  const { clock, sync, inbox, source } = setup(messages, { maxPendingHandles: 3, pageSize: 4 });
  for (let i = 1; i <= 10; i++) sync.onEvent(event(String(i)));
  await idle(clock, sync);
  assert.equal(inbox.size, 10);
  assert.equal(source.calls.filter((c) => c.startsWith('get')).length, 10);
  // The catch-up read every page (handle 1 was listed last), then the full pass once more.
  assert.deepEqual(source.calls.filter((c) => c.startsWith('list')), ['list 0', 'list 4', 'list 8', 'list 0', 'list 4', 'list 8']);
});

test('an MMS event is looked up in the listing first and filed as a picture message', async () => {
  const { clock, sync, source, inbox } = setup([msg(1, { type: 'MMS', listing: { attachment_size: 1000, reception_status: 'complete' } })]);
  sync.onEvent(event('1', { msg_type: 'MMS' }));
  await idle(clock, sync);
  assert.deepEqual(source.calls, ['list 0', 'get 1']);
  assert.equal(inbox.openOnPhone()[0]?.reason, 'picture message');
});

test('a message the phone keeps answering badly is tried maxFetchAttempts times, then left alone', async () => {
  const { clock, sync, source, inbox, errors } = setup([msg(1), msg(2)]);
  source.failing.add('1');
  for (let pass = 0; pass < 3; pass++) {
    sync.requestListing();
    await idle(clock, sync);
  }
  assert.equal(source.calls.filter((c) => c === 'get 1').length, 2);
  assert.equal(inbox.size, 1);
  assert.equal(errors.length, 2);
});

test('a dropped session ends the pass and empties the queue; attach() starts afresh', async () => {
  const { clock, sync, source, inbox, errors } = setup([msg(1), msg(2), msg(3)]);
  source.dropOn = '2';
  sync.onEvent(event('1'));
  sync.onEvent(event('2'));
  sync.onEvent(event('3'));
  await idle(clock, sync);
  assert.deepEqual(source.calls, ['list 0', 'get 1', 'get 2']);
  assert.ok(errors[0] instanceof DisconnectedError);
  source.dropOn = undefined;
  sync.attach(source);
  sync.requestListing();
  await idle(clock, sync);
  assert.equal(inbox.size, 3);
});

// Found by `phonebridge fuzz messages` (hostile-mse): an event report whose NewMessage had no handle
// (or a handle that is no hex) was reported as a plain Error, with no `code` to tell it by.
test('an event that names no usable handle is reported as a typed MapProtocolError and fetches nothing', async () => {
  const { clock, sync, source, inbox, errors } = setup([msg(1)]);
  sync.onEvent({ type: 'NewMessage', folder: 'TELECOM/MSG/INBOX' });
  sync.onEvent(event('not-hex'));
  await idle(clock, sync);
  assert.equal(errors.length, 2);
  for (const err of errors) {
    assert.ok(err instanceof MapProtocolError, String(err));
    assert.equal(err.code, 'sim-pc.map-protocol');
    assert.match(err.message, /names no usable handle/);
  }
  assert.deepEqual(source.calls, []);
  assert.equal(inbox.size, 0);
});
