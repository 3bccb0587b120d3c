/**
 * The parser on hand-made inputs: structure (markers in any case, several
 * cards, nesting, missing VERSION or END), line handling (line ends, BOM,
 * folds, comments, sloppy continuation lines), parameters (2.1 bare types,
 * TYPE lists, quotes), escapes by version, transfer encodings and charsets
 * from text and from bytes (hex fixtures), and each error code with its
 * byte offset.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VcardErrorCode } from '../../../src/protocol/vcard/errors';
import { parseVcard, parseVcards } from '../../../src/protocol/vcard/parser';
import { Vcard } from '../../../src/protocol/vcard/model';
import { assertVcardError, plain } from './fixtures';

const crlf = (...lines: string[]): string => lines.map((l) => `${l}\r\n`).join('');
const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

function only(input: string | Uint8Array): Vcard {
  const cards = parseVcards(input);
  assert.equal(cards.length, 1);
  return cards[0] as Vcard;
}

test('a minimal 3.0 card: version, ordered properties with upper-case names, groups as written', () => {
  const card = only(crlf('BEGIN:VCARD', 'VERSION:3.0', 'FN:Ann Lee', 'N:Lee;Ann;;;', 'item1.TEL;TYPE=CELL:+1 555 0100', 'item1.X-ABLabel:mobile', 'END:VCARD'));
  assert.deepEqual(plain(card), {
    version: '3.0',
    properties: [
      { group: undefined, name: 'FN', params: [], value: 'Ann Lee' },
      { group: undefined, name: 'N', params: [], value: [['Lee'], ['Ann'], [''], [''], ['']] },
      { group: 'item1', name: 'TEL', params: [{ name: 'TYPE', values: ['CELL'] }], value: '+1 555 0100' },
      { group: 'item1', name: 'X-ABLABEL', params: [], value: 'mobile' },
    ],
    nested: [],
  });
});

test('markers and names in any case, stray spaces around marker parts, several cards, blank lines between', () => {
  const cards = parseVcards('\r\n begin:vcard\r\nversion:2.1\r\ntel;cell:1\r\nEnd : vCard \r\n\r\n\r\nBEGIN:VCARD\nFN:b\nEND:VCARD');
  assert.equal(cards.length, 2);
  assert.deepEqual(cards[0]?.properties, [{ name: 'TEL', params: [{ name: 'TYPE', values: ['cell'] }], value: '1' }]);
  assert.equal(cards[1]?.formattedName, 'b');
});

test('empty and whitespace-only input has no cards; a UTF-8 BOM and trailing NULs are ignored', () => {
  assert.deepEqual(parseVcards(''), []);
  assert.deepEqual(parseVcards(' \r\n\t\r\n'), []);
  assert.deepEqual(parseVcards(new Uint8Array(0)), []);
  const body = crlf('BEGIN:VCARD', 'VERSION:3.0', 'FN:x', 'END:VCARD');
  assert.equal(only(`\uFEFF${body}\0\0`).formattedName, 'x');
  assert.equal(only(Buffer.concat([hex('efbbbf'), Buffer.from(body), hex('0000')])).formattedName, 'x');
});

test('a card without VERSION is read as 2.1; a second, different VERSION is an error', () => {
  assert.equal(only(crlf('BEGIN:VCARD', 'N:a;b', 'END:VCARD')).version, '2.1');
  assert.equal(only(crlf('BEGIN:VCARD', 'VERSION: 4.0 ', 'END:VCARD')).version, '4.0');
  assert.equal(only(crlf('BEGIN:VCARD', 'VERSION:3.0', 'VERSION:3.0', 'END:VCARD')).version, '3.0');
  assertVcardError(() => parseVcards(crlf('BEGIN:VCARD', 'VERSION:3.0', 'VERSION:2.1', 'END:VCARD')), VcardErrorCode.BadVersion, 26);
});

test('the version decides escapes even when VERSION comes after the properties', () => {
  const card = only(crlf('BEGIN:VCARD', 'NOTE:a\\,b', 'VERSION:3.0', 'END:VCARD'));
  assert.equal(card.note, 'a,b');
});

test('errors carry stable codes and the UTF-8 byte offset of the offending line', () => {
  assertVcardError(() => parseVcards('FN:x\r\n'), VcardErrorCode.NoBegin, 0);
  assertVcardError(() => parseVcards(crlf('BEGIN:VCARD', 'END:VCARD', 'garbage')), VcardErrorCode.NoBegin, 24);
  assertVcardError(() => parseVcards(crlf('BEGIN:VCARD', 'VERSION:googol', 'END:VCARD')), VcardErrorCode.BadVersion, 13);
  // "é" is two bytes in UTF-8: the offset counts bytes, not characters.
  assertVcardError(() => parseVcards(crlf('BEGIN:VCARD', 'FN:é', 'VERSION:9', 'END:VCARD')), VcardErrorCode.BadVersion, 20);
  assertVcardError(() => parseVcards(crlf('BEGIN:VCARD', 'FN:x')), VcardErrorCode.NoEnd, 19);
  assertVcardError(() => parseVcards(crlf('BEGIN:VCARD', 'END:VCALENDAR')), VcardErrorCode.NoEnd, 13);
  assertVcardError(() => parseVcards(crlf('BEGIN:VCARD', 'BEGIN:VCALENDAR', 'END:VCARD')), VcardErrorCode.BadLine, 13);
  assertVcardError(() => parseVcards(crlf('BEGIN:VCARD', 'no colon here', 'END:VCARD')), VcardErrorCode.BadLine, 13);
  assertVcardError(() => parseVcards(crlf('BEGIN:VCARD', 'bad name:x', 'END:VCARD')), VcardErrorCode.BadLine, 13);
  assertVcardError(() => parseVcards(crlf('BEGIN:VCARD', 'PHOTO;ENCODING=b:AB!C', 'END:VCARD')), VcardErrorCode.BadEncoding, 13);
  assertVcardError(() => parseVcards(crlf('BEGIN:VCARD', 'NOTE;ENCODING=X-ROT13:abc', 'END:VCARD')), VcardErrorCode.BadEncoding, 13);
  assertVcardError(() => parseVcards(crlf('BEGIN:VCARD', 'NOTE;CHARSET=X-NOPE;ENCODING=QUOTED-PRINTABLE:=E9', 'END:VCARD')), VcardErrorCode.BadCharset, 13);
  assertVcardError(() => parseVcards('BEGIN:VCARD\r\nNOTE;QUOTED-PRINTABLE:abc='), VcardErrorCode.BadEncoding, 13);
  assertVcardError(() => parseVcards(Buffer.from(crlf('BEGIN:VCARD', 'FN:x', 'VERSION:1.0', 'END:VCARD'))), VcardErrorCode.BadVersion, 19);
});

test('parseVcard takes exactly one card', () => {
  assert.equal(parseVcard(crlf('BEGIN:VCARD', 'FN:x', 'END:VCARD')).formattedName, 'x');
  assertVcardError(() => parseVcard(''), VcardErrorCode.NoBegin, 0);
  assertVcardError(() => parseVcard(crlf('BEGIN:VCARD', 'END:VCARD', 'BEGIN:VCARD', 'END:VCARD')), VcardErrorCode.BadLine);
});

test('a card cut off by the end of the input is vcard.no-end unless allowMissingEnd', () => {
  const cut = crlf('BEGIN:VCARD', 'VERSION:3.0', 'FN:x', 'BEGIN:VCARD', 'FN:inner');
  assertVcardError(() => parseVcards(cut), VcardErrorCode.NoEnd);
  const card = parseVcards(cut, { allowMissingEnd: true })[0];
  assert.equal(card?.formattedName, 'x');
  assert.equal(card?.nested[0]?.formattedName, 'inner');
});

test('nested cards (2.1 AGENT) are kept in order under their parent; nesting is bounded', () => {
  const card = only(crlf('BEGIN:VCARD', 'VERSION:2.1', 'N:parent', 'AGENT:', 'BEGIN:VCARD', 'N:agent', 'END:VCARD', 'TEL:1', 'END:VCARD'));
  assert.deepEqual(card.properties.map((p) => p.name), ['N', 'AGENT', 'TEL']);
  assert.equal(card.nested.length, 1);
  assert.deepEqual(card.nested[0]?.name?.family, 'agent');
  const deep = `${'BEGIN:VCARD\r\n'.repeat(3)}${'END:VCARD\r\n'.repeat(3)}`;
  assert.equal(parseVcards(deep, { maxDepth: 3 }).length, 1);
  assertVcardError(() => parseVcards(deep, { maxDepth: 2 }), VcardErrorCode.TooDeep, 26);
});

test('line ends: CRLF, LF, lone CR and CR CR LF (iOS 6 exports) all end a line', () => {
  for (const eol of ['\r\n', '\n', '\r', '\r\r\n']) {
    const card = only(['BEGIN:VCARD', 'VERSION:3.0', 'FN:x', 'NOTE:a', ' b', 'END:VCARD'].join(eol));
    assert.equal(card.note, 'ab', JSON.stringify(eol));
  }
});

test('folding removes the line break and one space or tab; a fold may split the name or a parameter', () => {
  const card = only(crlf('BEGIN:VCARD', 'VERSION:3.0', 'NO', ' TE;TY', '\tPE=HO', ' ME:one', '  two', 'END:VCARD'));
  assert.deepEqual(card.properties, [{ name: 'NOTE', params: [{ name: 'TYPE', values: ['HOME'] }], value: 'one two' }]);
  assert.equal(only(crlf('BEGIN:V', ' CARD', 'FN:x', 'END:VC', ' ARD')).formattedName, 'x');
});

test('comment lines are skipped; lines without a colon continue the value before them (sloppy 2.1 writers)', () => {
  const card = only(crlf('BEGIN:VCARD', '# a comment', 'ADR;HOME:;;Street 1\\', 'Floor 2;Town;;;', '# another', 'NOTE:one', 'two', '', 'END:VCARD'));
  assert.deepEqual(card.properties, [
    { name: 'ADR', params: [{ name: 'TYPE', values: ['HOME'] }], value: [[''], [''], ['Street 1\nFloor 2'], ['Town'], [''], [''], ['']] },
    { name: 'NOTE', params: [], value: 'one\ntwo' },
  ]);
  // After a blank line a line without a colon belongs to nothing.
  assertVcardError(() => parseVcards(crlf('BEGIN:VCARD', 'NOTE:one', '', 'two', 'END:VCARD')), VcardErrorCode.BadLine, 25);
});

test('2.1 parameters: bare types, bare encodings and value types, named ones, repeats merged in order', () => {
  const card = only(crlf('BEGIN:VCARD', 'VERSION:2.1', 'TEL;WORK;VOICE;PREF:1', 'TEL;TYPE=HOME;FAX;X-CUSTOM=a;X-CUSTOM=b:2', 'PHOTO;URL:http://x/p.jpg', 'NOTE;QUOTED-PRINTABLE;CHARSET=UTF-8:=C3=A9', 'END:VCARD'));
  assert.deepEqual(
    card.properties.map((p) => [p.name, p.params]),
    [
      ['TEL', [{ name: 'TYPE', values: ['WORK', 'VOICE', 'PREF'] }]],
      ['TEL', [{ name: 'TYPE', values: ['HOME', 'FAX'] }, { name: 'X-CUSTOM', values: ['a', 'b'] }]],
      ['PHOTO', [{ name: 'VALUE', values: ['URL'] }]],
      ['NOTE', []],
    ],
  );
  assert.equal(card.note, 'é');
});

test('3.0 and 4.0 parameters: TYPE lists, quoted values holding ; : , (a quoted TYPE list still splits), empty values', () => {
  const card = only(
    crlf(
      'BEGIN:VCARD',
      'VERSION:4.0',
      'TEL;TYPE=work,voice;TYPE="home,cell";PREF=1:1',
      'N;SORT-AS="Lee;Ann":Lee;Ann;;;',
      'X-A;X-LABEL="a:b,c";X-EMPTY=:v',
      'END:VCARD',
    ),
  );
  assert.deepEqual(
    card.properties.map((p) => p.params),
    [
      [{ name: 'TYPE', values: ['work', 'voice', 'home', 'cell'] }, { name: 'PREF', values: ['1'] }],
      [{ name: 'SORT-AS', values: ['Lee;Ann'] }],
      [{ name: 'X-LABEL', values: ['a:b,c'] }, { name: 'X-EMPTY', values: [''] }],
    ],
  );
  // An unclosed quote falls back to reading the quote as an ordinary character.
  assert.deepEqual(only(crlf('BEGIN:VCARD', 'TEL;TYPE="CELL:1', 'END:VCARD')).properties[0]?.params, [{ name: 'TYPE', values: ['"CELL'] }]);
});

test('3.0 escapes: \\\\ \\n \\N \\, \\; (and \\:) in text, separators only where unescaped; unknown escapes kept', () => {
  const card = only(
    crlf(
      'BEGIN:VCARD',
      'VERSION:3.0',
      'NOTE:a\\,b\\;c\\nd\\Ne\\\\f\\:g\\qh\\',
      'N:Lee\\;Jr;Ann,Bo\\,b;;;',
      'ORG:ABC\\, Inc.;Unit, One',
      'CATEGORIES:a,b\\,c',
      'TEL:205246\\;\\;\\,\\;',
      'END:VCARD',
    ),
  );
  assert.deepEqual(
    card.properties.map((p) => p.value),
    ['a,b;c\nd\ne\\f:g\\qh\\', [['Lee;Jr'], ['Ann', 'Bo,b'], [''], [''], ['']], [['ABC, Inc.'], ['Unit, One']], [['a', 'b,c']], '205246;;,;'],
  );
});

test('2.1 escapes: text is kept as written; in structured values a backslash protects the next character', () => {
  const card = only(crlf('BEGIN:VCARD', 'VERSION:2.1', 'N:;A\\;B\\\\;C\\\\\\;;D;\\:E;\\\\\\\\;', 'FN:A;B\\C\\;D:E\\\\', 'CATEGORIES:a,b', 'END:VCARD'));
  assert.deepEqual(card.properties.map((p) => p.value), [[[''], ['A;B\\'], ['C\\;'], ['D'], [':E'], ['\\\\'], ['']], 'A;B\\C\\;D:E\\\\', [['a,b']]]);
});

test('quoted-printable: soft breaks (the next line as it is, leading space kept), =0D=0A, lower-case hex, a stray = kept', () => {
  const card = only(crlf('BEGIN:VCARD', 'VERSION:2.1', 'NOTE;ENCODING=QUOTED-PRINTABLE:a=0D=0Ab=', ' c=3d=', '', 'LABEL;QUOTED-PRINTABLE:x=ZZ=4', 'END:VCARD'));
  assert.deepEqual(card.properties.map((p) => p.value), ['a\r\nb c=', 'x=ZZ=4']);
});

test('charsets from bytes (hex fixtures): UTF-8 default, declared SHIFT_JIS and ISO-8859-1, undeclared non-UTF-8 read as Windows-1252', () => {
  const input = Buffer.concat([
    Buffer.from('BEGIN:VCARD\r\nVERSION:2.1\r\nN;CHARSET=SHIFT_JIS:'),
    hex('88c0 93a1 838d 8343 8368'), // 安藤ロイド
    Buffer.from(';;;;\r\nFN:'),
    hex('e5ae89 e897a4'), // 安藤 in UTF-8, no CHARSET
    Buffer.from('\r\nNOTE;CHARSET=ISO-8859-1:caf'),
    hex('e9'),
    Buffer.from('\r\nTITLE:'),
    hex('80 20 e9'), // not UTF-8: Windows-1252 euro sign, space, e-acute
    Buffer.from('\r\nTEL;TYPE="'),
    hex('e8b4b9'), // 费 in a quoted parameter
    Buffer.from('":1\r\nEND:VCARD\r\n'),
  ]);
  const card = only(input);
  assert.deepEqual(card.name?.family, '安藤ロイド');
  assert.equal(card.formattedName, '安藤');
  assert.equal(card.note, 'café');
  assert.equal(card.title, '€ é');
  assert.deepEqual(card.properties[4]?.params, [{ name: 'TYPE', values: ['费'] }]);
});

test('Shift_JIS bytes whose second byte is a backslash are decoded before escapes are read', () => {
  // 能 is 0x94 0x5C in Shift_JIS: the 0x5C must not escape the following ';'.
  const input = Buffer.concat([Buffer.from('BEGIN:VCARD\r\nVERSION:3.0\r\nN;CHARSET=SHIFT_JIS:'), hex('88c9 945c'), Buffer.from(';x;;;\r\nEND:VCARD\r\n')]);
  assert.deepEqual(only(input).properties[0]?.value, [['伊能'], ['x'], [''], [''], ['']]);
});

test('from text input, CHARSET applies to quoted-printable bytes only (the rest is already text)', () => {
  const card = only(crlf('BEGIN:VCARD', 'VERSION:2.1', 'NOTE;CHARSET=SHIFT_JIS;ENCODING=QUOTED-PRINTABLE:=83=81=83=82', 'FN;CHARSET=SHIFT_JIS:名前', 'TITLE;ENCODING=QUOTED-PRINTABLE:=E2=82=AC', 'END:VCARD'));
  assert.deepEqual([card.note, card.formattedName, card.title], ['メモ', '名前', '€']);
});

test('base64: 2.1 with and without the blank line after it, lines with or without indentation; 3.0 ENCODING=b', () => {
  const bytes = [0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46];
  const b64 = Buffer.from(bytes).toString('base64'); // /9j/4AAQSkZJRg==
  const forms = [
    crlf('BEGIN:VCARD', 'VERSION:2.1', `PHOTO;ENCODING=BASE64;TYPE=JPEG:${b64}`, '', 'END:VCARD'),
    crlf('BEGIN:VCARD', 'VERSION:2.1', 'PHOTO;ENCODING=BASE64;TYPE=JPEG:', ` ${b64.slice(0, 5)}`, ` ${b64.slice(5)}`, 'END:VCARD'),
    crlf('BEGIN:VCARD', 'VERSION:2.1', 'PHOTO;BASE64;JPEG:', b64.slice(0, 8), b64.slice(8), '', 'END:VCARD'),
    crlf('BEGIN:VCARD', 'VERSION:3.0', `PHOTO;ENCODING=b;TYPE=JPEG:${b64.slice(0, 6)}`, ` ${b64.slice(6)}`, 'END:VCARD'),
    crlf('BEGIN:VCARD', 'VERSION:3.0', `PHOTO;ENCODING=b;TYPE=JPEG:${b64.replace(/=+$/, '')}`, 'END:VCARD'),
  ];
  for (const form of forms) {
    const photo = only(form).photo;
    assert.deepEqual(photo && { bytes: Array.from(photo.bytes), type: photo.type }, { bytes, type: 'JPEG' }, form);
  }
  for (const bad of ['AB:C', 'A', 'AB=C', 'AB===', '****']) {
    assertVcardError(() => parseVcards(crlf('BEGIN:VCARD', `PHOTO;ENCODING=b:${bad}`, 'END:VCARD')), VcardErrorCode.BadEncoding, 13);
  }
});

test('Android PSE quirks: numeric TEL types, empty values, empty N and FN', () => {
  const card = only(crlf('BEGIN:VCARD', 'VERSION:3.0', 'FN:', 'N:', 'TEL;TYPE=0:', 'END:VCARD'));
  assert.deepEqual(card.properties.map((p) => p.value), ['', [['']], '']);
  assert.deepEqual(card.tel, [{ number: '', types: ['0'], pref: false }]);
});
