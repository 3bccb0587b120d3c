/**
 * The phone's contact book: add / edit / remove with events and stable ids,
 * validation and limits, lookup by number, each contact as PBAP vCard text
 * (2.1 and 3.0, PropertySelector, photos), and loading a book from a JSON
 * fixture and from a .vcf file.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { PropertyBit, selectorOf } from '../../src/protocol/pbap';
import { parseVcard } from '../../src/protocol/vcard';
import { ContactBook, digitsOf } from '../../src/sim-phone/contact-book';
import { ContactBookFullError, ContactDataError, UnknownContactError } from '../../src/sim-phone/phonebook-errors';

const FIXTURES = path.join(__dirname, 'fixtures');

test('add, edit and remove keep ids stable and emit events', () => {
  const book = new ContactBook();
  const seen: string[] = [];
  book.events.on('added', (c) => seen.push(`added ${c.id}`));
  book.events.on('changed', (c, before) => seen.push(`changed ${c.id} ${before.formattedName} -> ${c.formattedName}`));
  book.events.on('removed', (c) => seen.push(`removed ${c.id}`));
  const a = book.add({ name: { family: 'Doe', given: 'Jane' } });
  const b = book.add({ organisation: 'Acme' });
  const c = book.add({ phones: [{ number: '555 1234', type: 'home' }] });
  assert.deepEqual([a.id, b.id, c.id], [1, 2, 3]);
  assert.equal(a.formattedName, 'Jane Doe');
  assert.equal(b.formattedName, 'Acme');
  assert.equal(c.formattedName, '555 1234');
  book.edit(1, { name: { given: 'Janet' }, organisation: 'Acme' });
  assert.equal(book.get(1)?.formattedName, 'Janet Doe');
  assert.equal(book.get(1)?.organisation, 'Acme');
  book.edit(1, { organisation: null, formattedName: 'JD' });
  assert.equal(book.get(1)?.organisation, undefined);
  assert.equal(book.get(1)?.formattedName, 'JD');
  book.remove(2);
  assert.deepEqual(book.all().map((x) => x.id), [1, 3]);
  assert.equal(book.add({ name: { given: 'New' } }).id, 4);
  book.edit(0, { name: { given: 'Me' } });
  assert.equal(book.owner.formattedName, 'Me');
  assert.deepEqual(seen, [
    'added 1',
    'added 2',
    'added 3',
    'changed 1 Jane Doe -> Janet Doe',
    'changed 1 Janet Doe -> JD',
    'removed 2',
    'added 4',
    'changed 0  -> Me',
  ]);
  assert.throws(() => book.remove(2), UnknownContactError);
  assert.throws(() => book.edit(99, { note: 'x' }), UnknownContactError);
  assert.ok(book.generation >= 8);
});

test('bad contact data is a ContactDataError naming the field; the book is bounded', () => {
  const book = new ContactBook(2);
  const field = (fn: () => unknown): string => {
    try {
      fn();
    } catch (err) {
      assert.ok(err instanceof ContactDataError, String(err));
      return err.field;
    }
    throw new Error('no error');
  };
  assert.equal(field(() => book.add({ name: { family: 'a\0b' } })), 'name.family');
  assert.equal(field(() => book.add({ phones: [{ number: '', type: 'mobile' }] })), 'phones[0].number');
  assert.equal(field(() => book.add({ phones: [{ number: '1', type: 'fax' as 'mobile' }] })), 'phones[0].type');
  assert.equal(field(() => book.add({ birthday: '24/12/1985' })), 'birthday');
  assert.equal(field(() => book.add({ photo: { bytes: new Uint8Array(0), type: 'JPEG' } })), 'photo.bytes');
  assert.equal(field(() => book.add({ note: 'x'.repeat(20_000) })), 'note');
  assert.equal(field(() => book.add({ phones: Array.from({ length: 40 }, () => ({ number: '1', type: 'home' as const })) })), 'phones');
  assert.equal(book.size, 0);
  book.add({});
  book.add({});
  assert.throws(() => book.add({}), (e: unknown) => e instanceof ContactBookFullError && e.code === 'sim-phone.contacts-full');
  assert.throws(() => book.replaceAll([{}, {}, {}]), ContactBookFullError);
  assert.throws(() => book.replaceAll([{}, { birthday: 'soon' }]), (e: unknown) => e instanceof ContactDataError && e.field === 'contacts[1].birthday');
  assert.equal(book.size, 2);
});

test('lookup by number ignores punctuation and matches national against international forms', () => {
  const book = new ContactBook();
  const jane = book.add({ name: { given: 'Jane' }, phones: [{ number: '+44 (20) 7946-0018', type: 'work' }] });
  assert.equal(digitsOf('+44 (20) 7946-0018'), '442079460018');
  assert.equal(book.findByNumber('442079460018'), jane);
  assert.equal(book.findByNumber('020 7946 0018'), jane);
  assert.equal(book.findByNumber('7946 0018'), undefined);
  assert.equal(book.findByNumber(''), undefined);
});

test('vcardFor writes 2.1 and 3.0 through the PropertySelector, with or without the photo', () => {
  const book = new ContactBook();
  const jane = book.add({
    name: { family: 'Doe', given: 'Jane' },
    phones: [{ number: '+1 555', type: 'main' }],
    emails: [{ address: 'j@example.com', type: 'home' }],
    photo: { bytes: Uint8Array.from([1, 2, 3]), type: 'png' },
  });
  assert.equal(
    book.vcardFor(jane, '3.0', 0n, { photo: false }),
    'BEGIN:VCARD\r\nVERSION:3.0\r\nN:Doe;Jane;;;\r\nFN:Jane Doe\r\nTEL;TYPE=MAIN:+1 555\r\nEMAIL;TYPE=INTERNET,HOME:j@example.com\r\nEND:VCARD\r\n',
  );
  assert.equal(
    book.vcardFor(jane, '2.1', selectorOf([PropertyBit.Tel])),
    'BEGIN:VCARD\r\nVERSION:2.1\r\nN:Doe;Jane;;;\r\nTEL;MAIN:+1 555\r\nEND:VCARD\r\n',
  );
  const withPhoto = parseVcard(book.vcardFor(jane, '3.0'));
  assert.deepEqual(withPhoto.photo, { bytes: Uint8Array.from([1, 2, 3]), type: 'PNG' });
  // The owner card with nothing in it still has the mandatory properties.
  assert.equal(book.vcardFor(book.owner, '3.0'), 'BEGIN:VCARD\r\nVERSION:3.0\r\nN:;;;;\r\nFN:\r\nTEL:\r\nEND:VCARD\r\n');
});

test('a JSON fixture loads the owner and the contacts', () => {
  const book = new ContactBook();
  let resets = 0;
  book.events.on('reset', () => resets++);
  assert.equal(book.load(path.join(FIXTURES, 'contacts.json')), 3);
  assert.equal(resets, 1);
  assert.equal(book.owner.formattedName, 'Jo Appleseed');
  const [jane, pizza, jurgen] = book.all();
  assert.equal(jane?.formattedName, 'Dr. Jane Doe');
  assert.deepEqual(jane?.photo?.bytes, Uint8Array.from(Buffer.from('/9j/4AAQSkZJRg==', 'base64')));
  assert.equal(jane?.birthday, '1985-12-24');
  assert.equal(pizza?.formattedName, 'Pizza Place');
  assert.deepEqual(pizza?.phones, [{ number: '020 7946 0000', type: 'main' }]);
  assert.deepEqual(jurgen?.phones, [{ number: '+49 30 123456', type: 'mobile' }]);
});

test('a .vcf file loads every card as a contact', () => {
  const book = new ContactBook();
  book.add({ name: { given: 'Old' } });
  assert.equal(book.load(path.join(FIXTURES, 'contacts.vcf')), 2);
  const [jane, jurgen] = book.all();
  assert.deepEqual(jane?.name, { family: 'Doe', given: 'Jane', additional: '', prefix: 'Dr.', suffix: '' });
  assert.deepEqual(jane?.phones, [
    { number: '+1 555 010 2030', type: 'mobile' },
    { number: '+1 555 010 9999', type: 'work' },
  ]);
  assert.deepEqual(jane?.emails, [{ address: 'jane@home.example', type: 'home' }]);
  assert.equal(jane?.organisation, 'Example Ltd');
  assert.equal(jane?.birthday, '1985-12-24');
  assert.equal(jane?.note, 'Two\nlines');
  assert.equal(jurgen?.formattedName, 'Jürgen Müller');
  assert.deepEqual(jurgen?.phones.map((p) => p.type), ['home', 'other']);
});

test('unusable files are ContactDataErrors and leave the book as it was', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'contacts-'));
  const book = new ContactBook();
  book.add({ name: { given: 'Keep' } });
  const cases: [string, string, string][] = [
    ['bad.json', '{ "contacts": [', '(file)'],
    ['stray.json', '{ "people": [] }', 'people'],
    ['shape.json', '{ "contacts": [{ "phones": [{ "number": 5 }] }] }', 'contacts[0].phones[0].number'],
    ['value.json', '[{ "birthday": "x" }]', 'contacts[0].birthday'],
    ['bad.vcf', 'BEGIN:VCARD\r\nVERSION:9.9\r\nEND:VCARD\r\n', '(file)'],
  ];
  for (const [name, text, field] of cases) {
    const file = path.join(dir, name);
    writeFileSync(file, text);
    assert.throws(() => book.load(file), (e: unknown) => e instanceof ContactDataError && e.field === field, name);
  }
  assert.throws(() => book.load(path.join(dir, 'missing.json')), (e: unknown) => e instanceof ContactDataError && e.field === '(file)');
  assert.equal(book.all()[0]?.formattedName, 'Keep');
});

test('property: any contact renders in both versions and parses back to the same names and numbers', () => {
  const text = fc.string({ unit: 'grapheme', maxLength: 12 }).filter((s) => !s.includes('\0'));
  const phone = fc.record({ number: fc.stringMatching(/^\+?[0-9 ()-]{1,15}$/), type: fc.constantFrom('mobile', 'home', 'work', 'main', 'other' as const) }, { noNullPrototype: true });
  fc.assert(
    fc.property(text, text, fc.array(phone, { maxLength: 3 }), fc.constantFrom('2.1' as const, '3.0' as const), (family, given, phones, version) => {
      const book = new ContactBook();
      const contact = book.add({ name: { family, given }, phones });
      const card = parseVcard(book.vcardFor(contact, version));
      assert.equal(card.name?.family, family);
      assert.equal(card.name?.given, given);
      const numbers = card.tel.map((t) => t.number).filter((n) => n !== '');
      assert.deepEqual(numbers, phones.map((p) => p.number));
    }),
    { numRuns: 300 },
  );
});
