import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VirtualClock } from '../../../src/link/virtual-clock';
import { DisconnectedError } from '../../../src/link/errors';
import { PbapClient } from '../../../src/sim-pc/pbap/pbap-client';
import { PbapLimitError, PermissionRequiredError } from '../../../src/sim-pc/pbap/errors';
import { Contacts, type ContactsOptions, type ContactsProgress, type SyncResult } from '../../../src/sim-pc/services/contacts';
import { ContactIndex, contactFromCard, foldText } from '../../../src/sim-pc/services/contact-index';
import { parseVcards } from '../../../src/protocol/vcard/parser';
import { card30, FakePhone, manyCards, PHONE, type Book, type FakePhoneOptions } from '../pbap/fake-pse';

const PB = 'telecom/pb.vcf';

function setup(cards: string[], phoneOptions: FakePhoneOptions = {}, contactOptions: Partial<ContactsOptions> = {}) {
  const clock = new VirtualClock();
  const book: Book = { cards };
  const phone = new FakePhone(clock, { books: { [PB]: book }, ...phoneOptions });
  const client = new PbapClient({ client: phone, phoneAddress: PHONE, clock, timeoutMs: 10_000 });
  let opens = 0;
  const open = async () => {
    opens++;
    if (client.state !== 'connected') await client.connect();
    return client;
  };
  const contacts = new Contacts({ clock, open, defaultRegion: 'GB', ...contactOptions });
  const progress: ContactsProgress[] = [];
  contacts.events.on('progress', (p) => progress.push(p));
  return { clock, phone, client, contacts, progress, book, opens: () => opens };
}

async function run<T>(clock: VirtualClock, promise: Promise<T>): Promise<T> {
  let outcome: { ok: true; value: T } | { ok: false; error: unknown } | undefined;
  promise.then(
    (value) => (outcome = { ok: true, value }),
    (error: unknown) => (outcome = { ok: false, error }),
  );
  await clock.runUntil(() => outcome !== undefined, 24 * 3_600_000);
  assert.ok(outcome);
  if (!outcome.ok) throw outcome.error;
  return outcome.value;
}

function pageRequests(phone: FakePhone): [number | undefined, number | undefined][] {
  return phone.log.gets
    .filter((g) => g.name === PB && g.params.maxListCount !== 0)
    .map((g) => [g.params.listStartOffset, g.params.maxListCount]);
}

test('sync pulls pb.vcf in pages of 250 with progress against PhonebookSize', async () => {
  const { clock, phone, contacts, progress } = setup(manyCards(600));
  const result = await run(clock, contacts.sync());
  assert.deepEqual(result, { count: 600, total: 600, limited: false, skipped: [], pages: 3, resumes: 0 });
  assert.deepEqual(pageRequests(phone), [
    [0, 250],
    [250, 250],
    [500, 100],
  ]);
  assert.equal(contacts.size, 600);
  assert.deepEqual(contacts.list().map((c) => c.handle), [...Array(600).keys()]);
  assert.deepEqual(progress[0], { received: 0, total: 600, percent: 0 });
  assert.deepEqual(progress[progress.length - 1], { received: 600, total: 600, percent: 100 });
  for (let i = 1; i < progress.length; i++) assert.ok((progress[i]?.received ?? 0) >= (progress[i - 1]?.received ?? 0));
  assert.ok(progress.some((p) => p.received > 0 && p.received % 250 !== 0), 'progress within a page, card by card');
  assert.equal(contacts.lastResult, result);
});

test('a drop mid-sync resumes from the last complete page: no duplicates, no gaps', async () => {
  const cards = manyCards(700);
  // Each card is ~110 bytes: the drop lands inside the second page.
  const { clock, phone, contacts, opens } = setup(cards, { dropAfterBytes: 40_000 }, { retryDelayMs: 3_000 });
  const interruptions: [Error, number][] = [];
  contacts.events.on('interrupted', (err, received) => interruptions.push([err, received]));
  const result = await run(clock, contacts.sync());
  assert.equal(interruptions.length, 1);
  assert.ok(interruptions[0]?.[0] instanceof DisconnectedError);
  assert.equal(interruptions[0]?.[1], 250);
  assert.equal(result.count, 700);
  assert.equal(result.resumes, 1);
  assert.equal(opens(), 2);
  assert.deepEqual(pageRequests(phone), [
    [0, 250],
    [250, 250],
    [250, 250],
    [500, 200],
  ]);
  const handles = contacts.list().map((c) => c.handle);
  assert.deepEqual(handles, [...Array(700).keys()]);
  const names = new Set(contacts.list().map((c) => c.name));
  assert.equal(names.size, 700);
  assert.equal(contacts.list()[300]?.name, 'Given300 Family300');
});

test('if the phone book changed while disconnected, sync starts over', async () => {
  const { clock, phone, contacts, book } = setup(manyCards(600), { dropAfterBytes: 40_000 }, { retryDelayMs: 1_000 });
  let restarted = 0;
  contacts.events.on('restarted', () => restarted++);
  contacts.events.on('interrupted', () => book.cards.push(card30('New', 'Person', '+447700900999')));
  const result = await run(clock, contacts.sync());
  assert.equal(restarted, 1);
  assert.equal(result.count, 601);
  assert.deepEqual(pageRequests(phone).slice(2), [
    [0, 250],
    [250, 250],
    [500, 101],
  ]);
  assert.equal(contacts.searchByName('new person')[0]?.handle, 600);
});

test('sync gives up after maxAttempts; the next sync() resumes where it stopped', async () => {
  const { clock, phone, client, contacts } = setup(manyCards(400), { dropAfterBytes: 40_000 }, { maxAttempts: 1 });
  await assert.rejects(run(clock, contacts.sync()), DisconnectedError);
  assert.equal(contacts.size, 0, 'nothing replaces the copy until a sync finishes');
  assert.equal(contacts.resumable, true);
  assert.equal(client.state, 'closed');
  const result = await run(clock, contacts.sync());
  assert.equal(result.count, 400);
  assert.deepEqual(pageRequests(phone), [
    [0, 250],
    [250, 150],
    [250, 150],
  ]);
  assert.equal(contacts.resumable, false);
});

test('Forbidden is not retried', async () => {
  const { clock, contacts, opens } = setup(manyCards(3), { forbidden: true });
  await assert.rejects(run(clock, contacts.sync()), PermissionRequiredError);
  assert.equal(opens(), 1);
});

test('two sync() calls share one run', async () => {
  const { clock, contacts, phone } = setup(manyCards(10));
  const a = contacts.sync();
  const b = contacts.sync();
  assert.equal(a, b);
  await run(clock, a);
  assert.equal(pageRequests(phone).length, 1);
});

test('malformed cards are skipped and counted as entries; the offset moves past them', async () => {
  const cards = manyCards(6);
  cards[2] = 'BEGIN:VCARD\r\nVERSION:3.0\r\nFN:x\r\nEND:VCARD\r\n'.replace('VERSION:3.0', 'VERSION:5');
  const { clock, contacts, phone } = setup(cards, {}, { pageSize: 3 });
  const result = await run(clock, contacts.sync());
  assert.equal(result.count, 5);
  assert.deepEqual(result.skipped.map((s) => s.reason), ['vcard.bad-version']);
  assert.deepEqual(pageRequests(phone), [
    [0, 3],
    [3, 3],
  ]);
  assert.deepEqual(contacts.list().map((c) => c.handle), [0, 1, 3, 4, 5]);
});

test('a phone that sends fewer cards than PhonebookSize ends the sync without looping', async () => {
  const { clock, contacts, book } = setup(manyCards(4), {}, { pageSize: 2 });
  const original = book.cards;
  // Size says 6, but only 4 cards are there.
  book.cards = new Proxy(original, { get: (t, k) => (k === 'length' ? 6 : Reflect.get(t, k)) });
  const result = await run(clock, contacts.sync());
  assert.equal(result.count, 4);
  assert.equal(result.total, 6);
});

test('maxContacts bounds the copy', async () => {
  const { clock, contacts, phone } = setup(manyCards(30), {}, { maxContacts: 20, pageSize: 8 });
  const result = await run(clock, contacts.sync());
  assert.equal(result.count, 20);
  assert.equal(result.limited, true);
  assert.deepEqual(pageRequests(phone).map((r) => r[1]), [8, 8, 4]);
  assert.throws(() => new ContactIndex(2, undefined).replace(contacts.list().slice(0, 3)), PbapLimitError);
});

test('search by name: case- and accent-insensitive, name prefix before word prefix before substring', async () => {
  const cards = [
    card30('José', 'Álvarez', '+34600000001'),
    card30('Zoë', 'Brontë', '+44 7700 900001'),
    card30('Alvaro', 'Smith', '+44 7700 900002'),
    card30('Dan', 'Salvador', '+44 7700 900003'),
    card30('Łukasz', 'Øster', '+48 600 000 004'),
    'BEGIN:VCARD\r\nVERSION:3.0\r\nFN:\r\nN:;;;;\r\nORG:Acme Plumbing\r\nTEL:+44 20 7946 0000\r\nEND:VCARD\r\n',
  ];
  const { clock, contacts } = setup(cards);
  await run(clock, contacts.sync());
  const names = (q: string) => contacts.searchByName(q).map((c) => c.name);
  assert.deepEqual(names('jose'), ['José Álvarez']);
  assert.deepEqual(names('ZOE BRONTE'), ['Zoë Brontë']);
  assert.deepEqual(names('alv'), ['Alvaro Smith', 'José Álvarez', 'Dan Salvador']);
  assert.deepEqual(names('ÁLV'), names('alv'));
  assert.deepEqual(names('lukasz oster'), ['Łukasz Øster']);
  assert.deepEqual(names('plumb'), ['Acme Plumbing'], 'organisation, used as the name when there is none');
  assert.deepEqual(names('   '), []);
  assert.deepEqual(names('nobody'), []);
  assert.equal(contacts.searchByName('a', { limit: 2 }).length, 2);
  assert.equal(foldText('  Émile-Zola  '), 'emile zola');
});

test('search by number and caller lookup match national and international forms', async () => {
  const cards = [
    card30('Intl', 'Form', '+44 20 7946 0018'),
    card30('National', 'Form', '020 7946 0019'),
    card30('Odd', 'Number', '00 999 1234 5678'),
    card30('Paris', 'Office', '+33 1 23 45 67 89'),
    card30('Short', 'Code', '12345'),
    card30('Two', 'Numbers', '+1 202 555 0143', 'TEL;TYPE=HOME:07700 900123\r\n'),
  ];
  const { clock, contacts } = setup(cards);
  await run(clock, contacts.sync());
  const name = (n: string) => contacts.lookupCaller(n)?.name;
  assert.equal(name('020 7946 0018'), 'Intl Form');
  assert.equal(name('+442079460018'), 'Intl Form');
  assert.equal(name('+44 20 7946 0019'), 'National Form');
  assert.equal(name('0044 20 7946 0019'), 'National Form');
  assert.equal(name('+44 7700 900123'), 'Two Numbers');
  assert.equal(name('(202) 555-0143'), undefined, 'a US number in national form is not a GB number');
  assert.equal(name('+12025550143'), 'Two Numbers');
  // Unparseable: the last 8 digits decide.
  assert.equal(name('12345678'), 'Odd Number');
  assert.equal(name('+999 1234 5678'), 'Odd Number');
  // Same last digits, different countries: no match.
  assert.equal(name('+44 1 23 45 67 89'), undefined);
  assert.equal(name('+33123456789'), 'Paris Office');
  // Short codes match digit for digit only.
  assert.equal(name('12345'), 'Short Code');
  assert.equal(name('2345'), undefined);
  assert.equal(name(''), undefined);
  // Partial number search.
  assert.deepEqual(contacts.searchByNumber('7946').map((c) => c.name), ['Intl Form', 'National Form']);
  assert.deepEqual(contacts.searchByNumber('020 7946 0018').map((c) => c.name), ['Intl Form']);
  assert.deepEqual(contacts.searchByNumber('abc'), []);
});

test('contactFromCard: display name falls back from FN to N to ORG to the number', () => {
  const [a, b, c] = parseVcards(
    'BEGIN:VCARD\r\nVERSION:3.0\r\nN:Doe;John;Q;Dr;Jr\r\nEND:VCARD\r\n' +
      'BEGIN:VCARD\r\nVERSION:3.0\r\nTEL:+447700900123\r\nEMAIL:a@b.c\r\nEND:VCARD\r\n' +
      'BEGIN:VCARD\r\nVERSION:3.0\r\nEND:VCARD\r\n',
  );
  assert.ok(a && b && c);
  assert.equal(contactFromCard(a, 1, 'GB').name, 'Dr John Q Doe Jr');
  const bb = contactFromCard(b, 2, 'GB');
  assert.equal(bb.name, '+447700900123');
  assert.deepEqual(bb.numbers, [{ number: '+447700900123', types: [], e164: '+447700900123' }]);
  assert.deepEqual(bb.emails, ['a@b.c']);
  assert.equal(contactFromCard(c, 3, undefined).name, '');
});

test('page size is checked', () => {
  const clock = new VirtualClock();
  assert.throws(() => new Contacts({ clock, open: () => Promise.reject(new Error('unused')), pageSize: 0 }), RangeError);
});

test('a result with a sync', async () => {
  const { clock, contacts } = setup([]);
  const synced: SyncResult[] = [];
  contacts.events.on('synced', (r) => synced.push(r));
  const result = await run(clock, contacts.sync());
  assert.deepEqual(result, { count: 0, total: 0, limited: false, skipped: [], pages: 0, resumes: 0 });
  assert.deepEqual(synced, [result]);
});
