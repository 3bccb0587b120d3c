/**
 * The Vcard accessors on parsed cards: names, numbers (types, PREF in its
 * 2.1, 3.0 and 4.0 forms, `tel:` URIs), emails, addresses, organisation,
 * photo (base64 or a 4.0 data: URI), call-history kind and time, X- props.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CallKind, Vcard, component, paramValues, prop, valueShape, valueText } from '../../../src/protocol/vcard/model';
import { parseVcards } from '../../../src/protocol/vcard/parser';

const crlf = (...lines: string[]): string => lines.map((l) => `${l}\r\n`).join('');

function card(...lines: string[]): Vcard {
  const cards = parseVcards(crlf('BEGIN:VCARD', ...lines, 'END:VCARD'));
  assert.equal(cards.length, 1);
  return cards[0] as Vcard;
}

test('names: FN as written, N parts (list values joined with commas), absent ones undefined', () => {
  const c = card('VERSION:3.0', 'FN:Mr. John Q. Public\\, Esq.', 'N:Stevenson;John;Philip,Paul;Dr.;Jr.,M.D.');
  assert.equal(c.formattedName, 'Mr. John Q. Public, Esq.');
  assert.deepEqual(c.name, { family: 'Stevenson', given: 'John', additional: 'Philip,Paul', prefixes: 'Dr.', suffixes: 'Jr.,M.D.' });
  const empty = card('VERSION:2.1', 'N:Solo');
  assert.deepEqual(empty.name, { family: 'Solo', given: '', additional: '', prefixes: '', suffixes: '' });
  assert.equal(empty.formattedName, undefined);
  assert.equal(card().name, undefined);
});

test('tel and email: upper-case types without PREF, pref from a PREF type or a PREF parameter, tel: URIs unwrapped', () => {
  const c = card(
    'VERSION:4.0',
    'TEL;TYPE=cell,voice;PREF=1:tel:+1-555-0100',
    'TEL;TYPE="work,pref":+1 555 0101',
    'TEL:0300000000',
    'EMAIL;TYPE=INTERNET;TYPE=HOME:a@example.com',
    'EMAIL;PREF=1:b@example.com',
  );
  assert.deepEqual(c.tel, [
    { number: '+1-555-0100', types: ['CELL', 'VOICE'], pref: true },
    { number: '+1 555 0101', types: ['WORK'], pref: true },
    { number: '0300000000', types: [], pref: false },
  ]);
  assert.deepEqual(c.email, [
    { address: 'a@example.com', types: ['INTERNET', 'HOME'], pref: false },
    { address: 'b@example.com', types: [], pref: true },
  ]);
  assert.deepEqual(card('VERSION:2.1', 'TEL;CELL;PREF:1').tel, [{ number: '1', types: ['CELL'], pref: true }]);
});

test('addresses, organisation, title, note, uid, bday', () => {
  const c = card('VERSION:3.0', 'ADR;TYPE=home:;;123 Main St;Town;CA;91921;USA', 'ORG:ABC\\, Inc.;Sales;East', 'TITLE:Boss', 'NOTE:n1', 'NOTE:n2', 'UID:u-1', 'BDAY:1996-04-15');
  assert.deepEqual(c.adr, [{ poBox: '', extended: '', street: '123 Main St', locality: 'Town', region: 'CA', postalCode: '91921', country: 'USA', types: ['HOME'], pref: false }]);
  assert.deepEqual(c.org, { name: 'ABC, Inc.', units: ['Sales', 'East'] });
  assert.deepEqual([c.title, c.note, c.uid, c.bday], ['Boss', 'n1', 'u-1', '1996-04-15']);
  assert.deepEqual(card('ORG:Solo').org, { name: 'Solo', units: [] });
});

test('photo: the first inline one, from base64 or a 4.0 data: URI; URLs are not photos', () => {
  const c = card('VERSION:3.0', 'PHOTO;VALUE=uri:http://example.com/p.jpg', 'PHOTO;ENCODING=b;TYPE=JPEG:/9j/4A==');
  assert.deepEqual(c.photo && { bytes: Array.from(c.photo.bytes), type: c.photo.type }, { bytes: [0xff, 0xd8, 0xff, 0xe0], type: 'JPEG' });
  const uri = card('VERSION:4.0', 'PHOTO:data:image/png;base64,iVBORw==');
  assert.deepEqual(uri.photo && { bytes: Array.from(uri.photo.bytes), type: uri.photo.type }, { bytes: [0x89, 0x50, 0x4e, 0x47], type: 'image/png' });
  assert.equal(card('VERSION:3.0', 'PHOTO;VALUE=uri:http://example.com/p.jpg').photo, undefined);
});

test('call history: kind from the 2.1 bare or 3.0 TYPE form, other kinds kept, no kind, no entry', () => {
  assert.deepEqual(card('VERSION:2.1', 'X-IRMC-CALL-DATETIME;MISSED:20050320T100000').call, { kind: CallKind.Missed, time: '20050320T100000' });
  assert.deepEqual(card('VERSION:3.0', 'X-IRMC-CALL-DATETIME;TYPE=received:20170101T010100').call, { kind: 'RECEIVED', time: '20170101T010100' });
  assert.deepEqual(card('VERSION:3.0', 'X-IRMC-CALL-DATETIME;TYPE=REJECTED:20170101T010100').call, { kind: 'REJECTED', time: '20170101T010100' });
  assert.deepEqual(card('VERSION:3.0', 'X-IRMC-CALL-DATETIME:20170101T010100').call, { kind: undefined, time: '20170101T010100' });
  assert.equal(card('VERSION:3.0').call, undefined);
});

test('unknown X- properties are kept in order; all() and first() look names up in any case', () => {
  const c = card('VERSION:3.0', 'X-GNO:0', 'FN:x', 'item1.X-ABLabel:_$!<Mobile>!$_', 'X-GN:group0');
  assert.deepEqual(c.extensions.map((p) => [p.group, p.name, p.value]), [[undefined, 'X-GNO', '0'], ['item1', 'X-ABLABEL', '_$!<Mobile>!$_'], [undefined, 'X-GN', 'group0']]);
  assert.equal(c.first('x-gn')?.value, 'group0');
  assert.equal(c.all('fn').length, 1);
});

test('helpers: prop(), paramValues(), valueText(), component(), valueShape()', () => {
  const p = prop('tel', '1', { type: ['CELL', 'PREF'] }, 'item1');
  assert.deepEqual(p, { name: 'TEL', params: [{ name: 'TYPE', values: ['CELL', 'PREF'] }], value: '1', group: 'item1' });
  assert.deepEqual(paramValues(p, 'TYPE'), ['CELL', 'PREF']);
  assert.deepEqual(paramValues(p, 'X'), []);
  assert.equal(valueText([['a', 'b'], ['c']]), 'a,b;c');
  assert.equal(valueText(new Uint8Array([1])), '');
  assert.equal(component([['a'], ['b', 'c']], 1), 'b,c');
  assert.equal(component('text', 0), 'text');
  assert.equal(component('text', 1), '');
  assert.deepEqual(['N', 'ADR', 'ORG', 'NICKNAME', 'CATEGORIES', 'NOTE', 'TEL'].map(valueShape), ['structured', 'structured', 'structured', 'list', 'list', 'text', 'text']);
});
