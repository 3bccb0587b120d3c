/**
 * The writer on hand-made cards: exact 2.1 and 3.0 text for a typical
 * contact (bare types vs TYPE=, quoted-printable vs backslash escapes,
 * BASE64 with its blank line vs ENCODING=b), quoted-printable soft breaks,
 * folding at 75 octets that never splits a UTF-8 sequence, parameter
 * quoting, nested cards, and vcard.unencodable for what no vCard can carry.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VcardErrorCode } from '../../../src/protocol/vcard/errors';
import { Vcard, prop } from '../../../src/protocol/vcard/model';
import { parseVcards } from '../../../src/protocol/vcard/parser';
import { writeVcard, writeVcards } from '../../../src/protocol/vcard/writer';
import { assertVcardError, plain } from './fixtures';

const PHOTO = Uint8Array.from([
  0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x4a, 0x46, 0x49, 0x46, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0, 0xff, 0xd9, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20,
  21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40,
]);

const contact = new Vcard('3.0', [
  prop('N', [['Müller'], ['Jürgen'], [''], ['Dr.'], ['']]),
  prop('FN', 'Dr. Jürgen Müller'),
  prop('TEL', '+49 30 1234567', { TYPE: ['CELL', 'PREF'] }),
  prop('TEL', '+49 30 7654321', { TYPE: ['WORK', 'VOICE'] }),
  prop('EMAIL', 'jm@example.com', { TYPE: 'INTERNET' }),
  prop('ORG', [['Acme; Inc.'], ['R\\D']]),
  prop('NOTE', 'Met at IFA, Berlin;\nlikes coffee'),
  prop('PHOTO', PHOTO, { TYPE: 'JPEG' }),
  prop('X-IRMC-CALL-DATETIME', '20240115T093000', { TYPE: 'DIALED' }),
]);

const crlf = (...lines: string[]): string => lines.map((l) => `${l}\r\n`).join('');

test('2.1: bare types, quoted-printable UTF-8 for non-ASCII and line breaks, structured escapes, BASE64 then a blank line', () => {
  assert.equal(
    writeVcard(contact, '2.1'),
    crlf(
      'BEGIN:VCARD',
      'VERSION:2.1',
      'N;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:M=C3=BCller;J=C3=BCrgen;;Dr.;',
      'FN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:Dr. J=C3=BCrgen M=C3=BCller',
      'TEL;CELL;PREF:+49 30 1234567',
      'TEL;WORK;VOICE:+49 30 7654321',
      'EMAIL;INTERNET:jm@example.com',
      'ORG:Acme\\; Inc.;R\\\\D',
      'NOTE;ENCODING=QUOTED-PRINTABLE:Met at IFA, Berlin;=0Alikes coffee',
      'PHOTO;ENCODING=BASE64;JPEG:/9j/4AAQSkZJRgABAQAAAQABAAD/2QECAwQFBgcICQoLDA0O',
      ' DxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJyg=',
      '',
      'X-IRMC-CALL-DATETIME;DIALED:20240115T093000',
      'END:VCARD',
    ),
  );
});

test('3.0: UTF-8, TYPE lists, backslash escapes, ENCODING=b folded at 75 octets', () => {
  assert.equal(
    writeVcard(contact, '3.0'),
    crlf(
      'BEGIN:VCARD',
      'VERSION:3.0',
      'N:Müller;Jürgen;;Dr.;',
      'FN:Dr. Jürgen Müller',
      'TEL;TYPE=CELL,PREF:+49 30 1234567',
      'TEL;TYPE=WORK,VOICE:+49 30 7654321',
      'EMAIL;TYPE=INTERNET:jm@example.com',
      'ORG:Acme\\; Inc.;R\\\\D',
      'NOTE:Met at IFA\\, Berlin\\;\\nlikes coffee',
      'PHOTO;ENCODING=b;TYPE=JPEG:/9j/4AAQSkZJRgABAQAAAQABAAD/2QECAwQFBgcICQoLDA0O',
      ' DxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJyg=',
      'X-IRMC-CALL-DATETIME;TYPE=DIALED:20240115T093000',
      'END:VCARD',
    ),
  );
});

test('both outputs parse back to the contact', () => {
  for (const version of ['2.1', '3.0'] as const) {
    const back = parseVcards(writeVcard(contact, version));
    assert.deepEqual(back.map(plain), [plain(new Vcard(version, contact.properties))]);
  }
});

test('quoted-printable lines: at most 76 characters with the soft-break =, no whitespace at either end of a line', () => {
  const note = `${'word '.repeat(30)}é ${'x'.repeat(80)} `;
  const text = writeVcard(new Vcard('2.1', [prop('NOTE', note)]), '2.1');
  const lines = text.split('\r\n').slice(2, -2);
  assert.ok(lines.length > 3);
  lines.forEach((line, i) => {
    assert.ok(line.length <= 76, `line ${i} has ${line.length} characters`);
    if (i < lines.length - 1) assert.ok(line.endsWith('='), `line ${i} ends with a soft break`);
    assert.ok(!/[ \t]=?$/.test(line) && !/^[ \t]/.test(line), `whitespace at an end of line ${i}: ${JSON.stringify(line)}`);
  });
  assert.ok(lines[lines.length - 1]?.endsWith('=20'), 'the trailing space of the value is encoded');
  assert.equal(parseVcards(text)[0]?.note, note);
});

test('3.0 folding: lines of at most 75 octets, never splitting a UTF-8 sequence, continuation lines start with one space', () => {
  const fn = '€'.repeat(40) + '😀'.repeat(20) + 'ab'.repeat(30);
  const bytes = Buffer.from(writeVcard(new Vcard('3.0', [prop('FN', fn)]), '3.0'), 'utf8');
  const physical: Buffer[] = [];
  for (let from = 0; from < bytes.length; ) {
    const at = bytes.indexOf('\r\n', from);
    physical.push(bytes.subarray(from, at));
    from = at + 2;
  }
  const fnLines = physical.slice(2, -1);
  assert.ok(fnLines.length >= 3);
  for (const line of fnLines) {
    assert.ok(line.length <= 75, `${line.length} octets`);
    assert.equal(Buffer.from(line.toString('utf8'), 'utf8').compare(line), 0, 'each physical line is whole UTF-8');
  }
  assert.ok(fnLines.slice(1).every((l) => l[0] === 0x20 && l[1] !== 0x20));
  assert.equal(parseVcards(bytes)[0]?.formattedName, fn);
});

test('parameters: values with ; : , are quoted; 2.1 writes TYPE=x for types that are not plain words or look like encodings', () => {
  const card = new Vcard('3.0', [prop('X-A', 'v', { 'X-LABEL': 'a:b;c,d', TYPE: ['URL', 'my type', 'CELL'] })]);
  assert.equal(writeVcard(card, '3.0'), crlf('BEGIN:VCARD', 'VERSION:3.0', 'X-A;X-LABEL="a:b;c,d";TYPE=URL,my type,CELL:v', 'END:VCARD'));
  assert.equal(writeVcard(card, '2.1'), crlf('BEGIN:VCARD', 'VERSION:2.1', 'X-A;X-LABEL="a:b;c,d";TYPE=URL;TYPE=my type;CELL:v', 'END:VCARD'));
  for (const version of ['2.1', '3.0'] as const) {
    assert.deepEqual(parseVcards(writeVcard(card, version))[0]?.properties[0]?.params, card.properties[0]?.params);
  }
});

test('ENCODING and CHARSET in the model are ignored (the writer chooses), VERSION properties are skipped, empty parameters dropped', () => {
  const card = new Vcard('2.1', [prop('VERSION', '2.1'), prop('NOTE', 'é', { CHARSET: 'SHIFT_JIS', ENCODING: 'BASE64' }), { name: 'TEL', params: [{ name: 'TYPE', values: [] }], value: '1' }]);
  assert.equal(writeVcard(card, '3.0'), crlf('BEGIN:VCARD', 'VERSION:3.0', 'NOTE:é', 'TEL:1', 'END:VCARD'));
  assert.equal(writeVcard(card), crlf('BEGIN:VCARD', 'VERSION:2.1', 'NOTE;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:=C3=A9', 'TEL:1', 'END:VCARD'));
});

test('a 4.0 card is written as 3.0 unless told; nested cards are written inside their parent; writeVcards concatenates', () => {
  const card = new Vcard('4.0', [prop('FN', 'a')], [new Vcard('4.0', [prop('FN', 'agent')])]);
  const text = writeVcard(card);
  assert.equal(text, crlf('BEGIN:VCARD', 'VERSION:3.0', 'FN:a', 'BEGIN:VCARD', 'VERSION:3.0', 'FN:agent', 'END:VCARD', 'END:VCARD'));
  assert.equal(parseVcards(text)[0]?.nested[0]?.formattedName, 'agent');
  assert.equal(writeVcards([card, card], '2.1'), writeVcard(card, '2.1').repeat(2));
});

test('2.1 carries any text through quoted-printable, NUL included; 3.0 refuses NUL (PBAP forbids it in objects)', () => {
  const card = new Vcard('2.1', [prop('NOTE', 'a\0b\r\nc')]);
  assert.equal(writeVcard(card, '2.1'), crlf('BEGIN:VCARD', 'VERSION:2.1', 'NOTE;ENCODING=QUOTED-PRINTABLE:a=00b=0D=0Ac', 'END:VCARD'));
  assert.equal(parseVcards(writeVcard(card, '2.1'))[0]?.note, 'a\0b\r\nc');
  assertVcardError(() => writeVcard(card, '3.0'), VcardErrorCode.Unencodable);
});

test('vcard.unencodable: bad property, group or parameter names, BEGIN/END properties, quotes or line breaks in parameters, commas in a TYPE', () => {
  const bad: Vcard[] = [
    new Vcard('3.0', [prop('BAD NAME', 'x')]),
    new Vcard('3.0', [prop('TEL', 'x', {}, 'item 1')]),
    new Vcard('3.0', [prop('TEL', 'x', { 'X-A B': 'y' })]),
    new Vcard('3.0', [prop('BEGIN', 'VCARD')]),
    new Vcard('3.0', [prop('END', 'VCARD')]),
    new Vcard('3.0', [prop('TEL', 'x', { 'X-L': 'say "hi"' })]),
    new Vcard('3.0', [prop('TEL', 'x', { 'X-L': 'two\nlines' })]),
    new Vcard('3.0', [prop('TEL', 'x', { TYPE: 'a,b' })]),
  ];
  for (const card of bad) {
    for (const version of ['2.1', '3.0'] as const) assertVcardError(() => writeVcard(card, version), VcardErrorCode.Unencodable);
  }
});
