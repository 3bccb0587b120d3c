import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VirtualClock } from '../../../src/link/virtual-clock';
import { DisconnectedError } from '../../../src/link/errors';
import { PbapClient } from '../../../src/sim-pc/pbap/pbap-client';
import {
  ChannelRefusedError,
  PbapAbortedError,
  PbapFolderUnknownError,
  PbapLimitError,
  PbapRefusedError,
  PermissionRequiredError,
  PseNotFoundError,
  isTransientPbapError,
} from '../../../src/sim-pc/pbap/errors';
import { NotConnectedError, TimeoutError } from '../../../src/sim-pc/errors';
import type { PbapClientOptions, PbapProgress, SkippedCard } from '../../../src/sim-pc/pbap/pbap-types';
import { PBAP_TARGET, PbapFormat, PbapOrder, PbapSearchProperty } from '../../../src/protocol/pbap/constants';
import { card30, FakePhone, manyCards, PHONE, type FakePhoneOptions } from './fake-pse';

function setup(phoneOptions: FakePhoneOptions = {}, clientOptions: Partial<PbapClientOptions> = {}) {
  const clock = new VirtualClock();
  const phone = new FakePhone(clock, phoneOptions);
  const client = new PbapClient({ client: phone, phoneAddress: PHONE, clock, timeoutMs: 10_000, ...clientOptions });
  return { clock, phone, client };
}

/** Runs the clock until `promise` settles; returns its outcome. */
async function settle<T>(clock: VirtualClock, promise: Promise<T>, limitMs = 3_600_000): Promise<{ ok: true; value: T } | { ok: false; error: unknown }> {
  let outcome: { ok: true; value: T } | { ok: false; error: unknown } | undefined;
  promise.then(
    (value) => (outcome = { ok: true, value }),
    (error: unknown) => (outcome = { ok: false, error }),
  );
  await clock.runUntil(() => outcome !== undefined, limitMs);
  assert.ok(outcome);
  return outcome;
}

async function value<T>(clock: VirtualClock, promise: Promise<T>): Promise<T> {
  const outcome = await settle(clock, promise);
  if (!outcome.ok) throw outcome.error;
  return outcome.value;
}

async function failure(clock: VirtualClock, promise: Promise<unknown>): Promise<unknown> {
  const outcome = await settle(clock, promise);
  assert.equal(outcome.ok, false, 'expected the operation to fail');
  return outcome.ok ? undefined : outcome.error;
}

const PB = 'telecom/pb.vcf';

test('connect: SDP, pairing, channel, OBEX Connect with the PBAP Target; PSE facts read from the record', async () => {
  const { clock, phone, client } = setup({ features: 0x3ff, attributes: { 0x0314: 0x0b } });
  const connected: unknown[] = [];
  client.events.on('connected', (pse) => connected.push(pse));
  const pse = await value(clock, client.connect());
  assert.deepEqual(pse, { channel: 19, version: 0x0102, repositories: 0x0b, features: 0x3ff, featuresPublished: true, name: 'Phonebook' });
  assert.equal(client.state, 'connected');
  assert.equal(client.pse, pse);
  assert.equal(client.folder, '/');
  assert.equal(phone.log.pairings, 1);
  assert.deepEqual([...(phone.log.connects[0]?.target ?? [])], [...PBAP_TARGET]);
  assert.equal(connected.length, 1);
  // Connecting again while up is a no-op.
  assert.equal(await value(clock, client.connect()), pse);
  assert.equal(phone.log.connects.length, 1);
  await clock.runUntilIdle();
});

test('PBAP/PCE/SSM/BV-09: our features go in Connect when the PSE record has 0x0317', async () => {
  const { clock, phone, client } = setup({ features: 0x0000_03ff }, { supportedFeatures: 0x0000_0023 });
  await value(clock, client.connect());
  assert.deepEqual(phone.log.connects[0]?.appParams, { supportedFeatures: 0x23 });
});

test('PBAP/PCE/SSM/BV-10: no AppParameters in Connect when the record lacks 0x0317', async () => {
  const { clock, phone, client } = setup({});
  const pse = await value(clock, client.connect());
  assert.equal(pse.featuresPublished, false);
  assert.equal(pse.features, 0x03);
  assert.equal(phone.log.connects[0]?.appParams, undefined);
});

test('a bonded PC does not pair again', async () => {
  const { clock, phone, client } = setup();
  phone.bonds.set(PHONE, new Uint8Array(16));
  await value(clock, client.connect());
  assert.equal(phone.log.pairings, 0);
});

test('Forbidden on Connect is PermissionRequiredError naming Sync Contacts; the client is closed and can retry', async () => {
  const { clock, phone, client } = setup({ forbidden: true });
  const err = await failure(clock, client.connect());
  assert.ok(err instanceof PermissionRequiredError, String(err));
  assert.equal(err.code, 'sim-pc.pbap-permission-required');
  assert.match(err.message, /Sync Contacts/);
  assert.equal(isTransientPbapError(err), false);
  assert.equal(client.state, 'closed');
  assert.equal(phone.channels[0]?.open, false, 'the channel is closed');
  // The user allows it; connecting again works.
  (phone.options as FakePhoneOptions).forbidden = false;
  await value(clock, client.connect());
  assert.equal(client.state, 'connected');
  await clock.runUntilIdle();
});

test('a refused channel names the Class of Device rule', async () => {
  const { clock, phone, client } = setup({ refuseChannel: true });
  phone.classOfDevice = 0x00010c; // a laptop
  const err = await failure(clock, client.connect());
  assert.ok(err instanceof ChannelRefusedError);
  assert.equal(err.handsFreeClass, false);
  assert.match(err.message, /Class of Device/);
  assert.match(err.message, /Hands-free/);
  assert.match(err.message, /0x00010C/);
  const again = setup({ refuseChannel: true });
  const err2 = await failure(again.clock, again.client.connect());
  assert.ok(err2 instanceof ChannelRefusedError);
  assert.equal(err2.handsFreeClass, true);
});

test('no PSE record is PseNotFoundError', async () => {
  const { clock, client } = setup({ noPse: true });
  const err = await failure(clock, client.connect());
  assert.ok(err instanceof PseNotFoundError);
  assert.equal(client.state, 'closed');
});

test('operations before connect reject with NotConnectedError', async () => {
  const { clock, client } = setup();
  const err = await failure(clock, client.pullPhonebook(PB));
  assert.ok(err instanceof NotConnectedError);
  assert.equal(isTransientPbapError(err), true);
});

test('pullPhonebook: cards parsed while streaming, progress per packet, parameters sent as asked', async () => {
  const cards = manyCards(40);
  const { clock, phone, client } = setup({ books: { [PB]: { cards } }, serverPacket: 512, frameSize: 100 });
  await value(clock, client.connect());
  const progress: PbapProgress[] = [];
  client.events.on('progress', (p) => progress.push(p));
  const streamed: number[] = [];
  const pull = await value(
    clock,
    client.pullPhonebook('pb', { maxListCount: 25, listStartOffset: 10, propertySelector: 0x85n, format: PbapFormat.Vcard21, onCard: (_c, i) => streamed.push(i) }),
  );
  assert.equal(pull.name, PB);
  assert.equal(pull.cards.length, 25);
  assert.equal(pull.entries, 25);
  assert.deepEqual(pull.skipped, []);
  assert.equal(pull.cards[0]?.formattedName, 'Given10 Family10');
  assert.equal(pull.cards[24]?.tel[0]?.number, '+442079400034');
  assert.deepEqual(streamed, [...Array(25).keys()]);
  assert.deepEqual(phone.log.gets[0], {
    type: 'x-bt/phonebook',
    name: PB,
    params: { maxListCount: 25, listStartOffset: 10, propertySelector: 0x85n, format: 0 },
  });
  assert.ok(progress.length > 5, `progress events: ${progress.length}`);
  for (let i = 1; i < progress.length; i++) {
    assert.ok((progress[i]?.bytes ?? 0) > (progress[i - 1]?.bytes ?? 0));
    assert.ok((progress[i]?.cards ?? 0) >= (progress[i - 1]?.cards ?? 0));
  }
  const last = progress[progress.length - 1];
  assert.equal(last?.bytes, pull.bytes);
  assert.ok((last?.cards ?? 0) >= 24, 'cards counted while the body streams');
  // Cards appear in progress before the body ends.
  assert.ok(progress.some((p) => p.cards > 0 && p.bytes < pull.bytes));
});

test('phonebookSize uses MaxListCount 0; phonebookInfo gives NewMissedCalls', async () => {
  const { clock, phone, client } = setup({ books: { [PB]: { cards: manyCards(7) }, 'telecom/mch.vcf': { cards: [], newMissedCalls: 3 } } });
  await value(clock, client.connect());
  assert.equal(await value(clock, client.phonebookSize(PB)), 7);
  assert.deepEqual(phone.log.gets[0]?.params, { maxListCount: 0 });
  assert.deepEqual(await value(clock, client.phonebookInfo('mch')), { phonebookSize: 0, newMissedCalls: 3 });
});

test('NotFound is PbapRefusedError with the response code; the client stays usable', async () => {
  const { clock, client } = setup({ books: { [PB]: { cards: [] } } });
  await value(clock, client.connect());
  const err = await failure(clock, client.phonebookSize('telecom/none.vcf'));
  assert.ok(err instanceof PbapRefusedError);
  assert.equal(err.responseCode, 0xc4);
  assert.equal(client.state, 'connected');
});

test('pullListing: SetPath to the folder, search and paging parameters, decoded entries', async () => {
  const cards = [card30('Ann', 'Lee', '+441'), card30('Bob', 'Lee', '+442'), card30('Cy', 'Ng', '+443')];
  const { clock, phone, client } = setup({ books: { [PB]: { cards }, 'telecom/ich.vcf': { cards: [card30('Dee', 'Oh', '+444')] } } });
  await value(clock, client.connect());
  const listing = await value(
    clock,
    client.pullListing('telecom/pb', { order: PbapOrder.Alphanumeric, search: { value: 'Lee' }, paging: { maxListCount: 10, listStartOffset: 0 } }),
  );
  assert.equal(listing.folder, '/telecom/pb');
  assert.deepEqual(listing.entries, [
    { handle: '0.vcf', name: 'Lee;Ann;;;' },
    { handle: '1.vcf', name: 'Lee;Bob;;;' },
  ]);
  assert.deepEqual(phone.log.setPaths, ['telecom', 'pb']);
  assert.deepEqual(phone.log.gets[0], {
    type: 'x-bt/vcard-listing',
    name: '',
    params: { order: 1, searchValue: 'Lee', searchProperty: PbapSearchProperty.Name, maxListCount: 10, listStartOffset: 0 },
  });
  // Same folder: no SetPath; the entry comes from it.
  const entry = await value(clock, client.pullEntry('/telecom/pb', '2.vcf'));
  assert.equal(entry.card.formattedName, 'Cy Ng');
  assert.deepEqual(phone.log.setPaths, ['telecom', 'pb']);
  // Sibling folder: up one, down one.
  const other = await value(clock, client.pullEntry('telecom/ich', '0.vcf', { format: PbapFormat.Vcard21, propertySelector: 0x84n }));
  assert.equal(other.card.formattedName, 'Dee Oh');
  assert.deepEqual(phone.log.setPaths, ['telecom', 'pb', '..', 'ich']);
  assert.equal(client.folder, '/telecom/ich');
  // Size only.
  const size = await value(clock, client.pullListing('telecom/pb', { paging: { maxListCount: 0 } }));
  assert.deepEqual(size.entries, []);
  assert.equal(size.params.phonebookSize, 3);
});

test('setPath: absolute and relative moves; a failed SetPath leaves the folder unknown until an absolute move', async () => {
  const { clock, phone, client } = setup({ books: {} });
  await value(clock, client.connect());
  await value(clock, client.setPath('telecom'));
  await value(clock, client.setPath('pb'));
  assert.equal(client.folder, '/telecom/pb');
  await value(clock, client.setPath('..'));
  assert.equal(client.folder, '/telecom');
  const err = await failure(clock, client.setPath('nowhere'));
  assert.ok(err instanceof PbapRefusedError);
  assert.equal(client.folder, undefined);
  const unknown = await failure(clock, client.setPath('pb'));
  assert.ok(unknown instanceof PbapFolderUnknownError);
  await value(clock, client.setPath('/telecom/mch'));
  assert.equal(client.folder, '/telecom/mch');
  assert.deepEqual(phone.log.setPaths, ['telecom', 'pb', '..', 'nowhere', '/', 'telecom', 'mch']);
});

test('malformed vCards are reported and skipped; the others arrive', async () => {
  const good = manyCards(3);
  const cards = [
    good[0] as string,
    'BEGIN:VCARD\r\nVERSION:9.9\r\nFN:Bad version\r\nEND:VCARD\r\n',
    'this is not a vcard\r\n',
    good[1] as string,
    'BEGIN:VCARD\r\nVERSION:3.0\r\nFN:No end\r\n',
    good[2] as string,
  ];
  const { clock, client } = setup({ books: { [PB]: { cards } }, frameSize: 37 });
  await value(clock, client.connect());
  const events: SkippedCard[] = [];
  client.events.on('skipped', (s) => events.push(s));
  const pull = await value(clock, client.pullPhonebook(PB));
  assert.deepEqual(pull.cards.map((c) => c.formattedName), ['Given0 Family0', 'Given1 Family1', 'Given2 Family2']);
  assert.deepEqual(pull.skipped.map((s) => s.reason), ['vcard.bad-version', 'junk', 'truncated']);
  assert.deepEqual(events, pull.skipped);
  assert.equal(pull.entries, 5, 'junk is not an entry; broken cards are');
  const body = cards.join('');
  assert.equal(pull.skipped[1]?.offset, body.indexOf('this is not'));
  assert.ok((pull.skipped[0]?.offset ?? 0) > body.indexOf('VERSION:9.9') - 20);
});

test('a slow but steady transfer longer than the timeout succeeds', async () => {
  const cards = manyCards(30);
  const { clock, client } = setup({ books: { [PB]: { cards } }, serverPacket: 300, pieceBytes: 100, pieceDelayMs: 3_000 }, { timeoutMs: 10_000 });
  await value(clock, client.connect());
  const start = clock.now();
  const pull = await value(clock, client.pullPhonebook(PB));
  assert.equal(pull.cards.length, 30);
  assert.ok(clock.now() - start > 60_000, `took ${clock.now() - start} ms`);
  assert.equal(client.state, 'connected');
  await clock.runUntilIdle();
});

test('a stalled transfer fails with TimeoutError after the inactivity limit and closes the client', async () => {
  const { clock, phone, client } = setup({ books: { [PB]: { cards: manyCards(30) } }, serverPacket: 300, pieceBytes: 100, pieceDelayMs: 1_000, stallAfterBytes: 1_000 });
  await value(clock, client.connect());
  const closed: (Error | undefined)[] = [];
  client.events.on('close', (r) => closed.push(r));
  const start = clock.now();
  const err = await failure(clock, client.pullPhonebook(PB));
  assert.ok(err instanceof TimeoutError, String(err));
  assert.equal(isTransientPbapError(err), true);
  const elapsed = clock.now() - start;
  assert.ok(elapsed >= 10_000 && elapsed < 20_000, `failed after ${elapsed} ms`);
  assert.equal(client.state, 'closed');
  assert.equal(closed.length, 1);
  assert.equal(phone.channels[0]?.open, false);
  await clock.runUntilIdle();
});

test('a drop rejects the running and the queued operations with DisconnectedError; connect works again', async () => {
  const { clock, phone, client } = setup({ books: { [PB]: { cards: manyCards(50) } }, serverPacket: 400, dropAfterBytes: 2_000 });
  await value(clock, client.connect());
  const first = settle(clock, client.pullPhonebook(PB));
  const second = client.phonebookSize(PB).then(
    () => undefined,
    (e: unknown) => e,
  );
  const outcome = await first;
  assert.equal(outcome.ok, false);
  assert.ok(!outcome.ok && outcome.error instanceof DisconnectedError, String(!outcome.ok && outcome.error));
  assert.ok((await second) instanceof DisconnectedError);
  assert.equal(client.state, 'closed');
  const third = await failure(clock, client.pullPhonebook(PB));
  assert.ok(third instanceof DisconnectedError);
  await value(clock, client.connect());
  const pull = await value(clock, client.pullPhonebook(PB));
  assert.equal(pull.cards.length, 50);
  assert.equal(phone.log.channelsOpened, 2);
});

test('the operation queue is bounded', async () => {
  const { clock, client } = setup({ books: { [PB]: { cards: manyCards(2) } } }, { maxQueuedOperations: 2 });
  await value(clock, client.connect());
  const running = [client.phonebookSize(PB), client.phonebookSize(PB), client.phonebookSize(PB)];
  await assert.rejects(client.phonebookSize(PB), PbapLimitError);
  const sizes = await value(clock, Promise.all(running));
  assert.deepEqual(sizes, [2, 2, 2]);
});

test('maxCards bounds one pull', async () => {
  const { clock, client } = setup({ books: { [PB]: { cards: manyCards(5) } } }, { maxCards: 3 });
  await value(clock, client.connect());
  const err = await failure(clock, client.pullPhonebook(PB));
  assert.ok(err instanceof PbapLimitError);
  assert.equal(client.state, 'connected', 'the session survives (Abort answered)');
  assert.equal(await value(clock, client.phonebookSize(PB)), 5);
});

test('maxCards bounds the skipped cards of one pull too: a phone sending only broken cards gets PbapLimitError', async () => {
  const bad = Array.from({ length: 5 }, (_, i) => `BEGIN:VCARD\r\nVERSION:9.9\r\nFN:Bad ${i}\r\nEND:VCARD\r\n`);
  const { clock, client } = setup({ books: { [PB]: { cards: bad } } }, { maxCards: 3 });
  await value(clock, client.connect());
  const skipped: SkippedCard[] = [];
  client.events.on('skipped', (s) => skipped.push(s));
  const err = await failure(clock, client.pullPhonebook(PB));
  assert.ok(err instanceof PbapLimitError, String(err));
  assert.equal(skipped.length, 3);
  assert.equal(client.state, 'connected', 'the session survives (Abort answered)');
});

test('disconnect sends OBEX Disconnect and closes; later operations are not connected', async () => {
  const { clock, phone, client } = setup({ books: {} });
  await value(clock, client.connect());
  const closed: (Error | undefined)[] = [];
  client.events.on('close', (r) => closed.push(r));
  await value(clock, client.disconnect());
  assert.equal(client.state, 'closed');
  assert.deepEqual(closed, [undefined]);
  assert.equal(phone.channels[0]?.open, false);
  const err = await failure(clock, client.phonebookSize(PB));
  assert.ok(err instanceof NotConnectedError);
  await value(clock, client.disconnect()); // harmless
  await clock.runUntilIdle();
});

test('abort cancels a running transfer and keeps the session', async () => {
  const { clock, client } = setup({ books: { [PB]: { cards: manyCards(30) } }, serverPacket: 300, pieceBytes: 100, pieceDelayMs: 500 });
  await value(clock, client.connect());
  const pull = settle(clock, client.pullPhonebook(PB));
  await clock.runFor(2_000);
  await client.abort();
  const outcome = await pull;
  assert.equal(outcome.ok, false);
  assert.ok(!outcome.ok && outcome.error instanceof PbapAbortedError);
  assert.equal(client.state, 'connected');
  assert.equal(await value(clock, client.phonebookSize(PB)), 30);
});
