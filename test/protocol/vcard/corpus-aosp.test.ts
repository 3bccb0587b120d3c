/**
 * The 35 real-world vCards of Android's importer tests
 * (../shared/corpora/aosp-vcard/raw). Every file parses, except those listed
 * in REJECTED with the reason; for most files a hand-written expectation
 * (transcribed from VCardImporterTests.java where it has one, our own reading
 * otherwise, noted) checks names, numbers with types, emails, photo length
 * and digest, and charset-decoded text. Skips when ../shared is absent.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isUtf8 } from 'node:buffer';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { VcardError } from '../../../src/protocol/vcard/errors';
import { paramValues, type Vcard } from '../../../src/protocol/vcard/model';
import { parseVcards } from '../../../src/protocol/vcard/parser';
import { corpusDir, plain } from './fixtures';

const DIR = path.join(corpusDir('aosp-vcard'), 'raw');
const SKIP = `aosp-vcard corpus not found at ${DIR}; skipping`;

/** Files we reject, with the code and the reason. */
const REJECTED: Record<string, { code: string; reason: string }> = {
  'v21_malformed_photo.vcf': {
    code: 'vcard.bad-encoding',
    reason: 'its BASE64 PHOTO holds a ":" — invalid base64; Android\'s testMalformedBase64PhotoThrowsVCardException expects a failure too',
  },
};

function load(file: string): Vcard[] {
  return parseVcards(readFileSync(path.join(DIR, file)));
}

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');
/** Digests of the photos, from an independent decode (`base64 -d` of the folded lines). */
const JPEG_COMPLICATED = { length: 3888, sha256: '764284cee9b51280b3ce349d8100e95bcc5ec5e38627daf50d03c12106ccfa4d' };
const PNG_BLACKBERRY = { length: 2056, sha256: '74cdd3328a520c68cfe4f69495f8b2429b0ee4355a9d8b25ff96ac0b3121f753' };
const JPEG_IOS = { length: 5165, sha256: '074e4d23d4b5d97bb2b63b800e8bae99096b0f4069c7e44f8b73cd7884b27c7d' };

function photoOf(card: Vcard): { length: number; sha256: string; type: string | undefined } | undefined {
  const photo = card.photo;
  return photo && { length: photo.bytes.length, sha256: sha256(photo.bytes), type: photo.type };
}

const tels = (card: Vcard): [string, string[], boolean][] => card.tel.map((t) => [t.number, t.types, t.pref]);
const values = (card: Vcard, name: string): unknown[] => card.all(name).map((p) => p.value);

const EXPECTED: Record<string, (cards: Vcard[]) => void> = {
  'v21_simple_1.vcf': ([c]) => {
    assert.equal(c?.version, '2.1', 'no VERSION line: read as 2.1');
    assert.deepEqual(values(c as Vcard, 'N'), [[['Ando'], ['Roid'], ['']]]);
  },
  'v21_simple_3.vcf': ([c]) => {
    assert.deepEqual([c?.name?.family, c?.name?.given, c?.formattedName], ['Ando', 'Roid', 'Ando Roid']);
  },
  'v21_backslash.vcf': ([c]) => {
    // testV21BackslashCase_Parsing: in 2.1 structured values a backslash protects the next character; FN stays as written.
    assert.deepEqual(values(c as Vcard, 'N'), [[[''], ['A;B\\'], ['C\\;'], ['D'], [':E'], ['\\\\'], ['']]]);
    assert.equal(c?.formattedName, 'A;B\\C\\;D:E\\\\');
  },
  'v21_complicated.vcf': ([c]) => {
    const card = c as Vcard;
    assert.deepEqual(values(card, 'N'), [[['Gump'], ['Forrest'], ['Hoge'], ['Pos'], ['Tao']]]);
    assert.equal(card.formattedName, 'Joe Due');
    assert.deepEqual(values(card, 'ORG'), [[['Gump Shrimp Co.'], ['Sales Dept.;Manager'], ['Fish keeper']]]);
    assert.deepEqual([card.first('ROLE')?.value, card.title, card.first('X-CLASS')?.value], ['Fish Cake Keeper!', 'Shrimp Man', 'PUBLIC']);
    assert.deepEqual(tels(card), [
      ['(111) 555-1212', ['WORK', 'VOICE'], false],
      ['(404) 555-1212', ['HOME', 'VOICE'], false],
      ['0311111111', ['CELL'], false],
      ['0322222222', ['VIDEO'], false],
      ['0333333333', ['VOICE'], false],
    ]);
    assert.deepEqual(
      card.adr.map((a) => [a.street, a.locality, a.region, a.postalCode, a.country, a.types]),
      [
        ['100 Waters Edge', 'Baytown', 'LA', '30314', 'United States of America', ['WORK']],
        ['42 Plantation St.', 'Baytown', 'LA', '30314', 'United States of America', ['HOME']],
      ],
    );
    assert.deepEqual(values(card, 'LABEL'), [
      '100 Waters Edge\r\nBaytown, LA 30314\r\nUnited  States of America',
      '42 Plantation St.\r\nBaytown, LA 30314\r\nUnited  States of America',
    ]);
    assert.deepEqual(card.email, [
      { address: 'forrestgump@walladalla.com', types: ['INTERNET'], pref: true },
      { address: 'cell@example.com', types: ['CELL'], pref: false },
    ]);
    assert.deepEqual(values(card, 'NOTE'), ['The following note is the example from RFC 2045.', "Now's the time for all folk to come to the aid of their country."]);
    assert.deepEqual(photoOf(card), { ...JPEG_COMPLICATED, type: 'JPEG' });
    assert.deepEqual(
      ['X-ATTRIBUTE', 'BDAY', 'GEO', 'URL', 'REV'].map((n) => card.first(n)?.value),
      ['Some String', '19800101', '35.6563854,139.6994233', 'http://www.example.com/', '20080424T195243Z'],
    );
  },
  'v21_base64_no_2_crlf.vcf': ([c]) => {
    // testBase64Without2CrLf_Parse: the same photo as v21_complicated, though no blank line follows it.
    assert.deepEqual([values(c as Vcard, 'N'), c?.formattedName], [[[['name']]], 'fullname']);
    assert.deepEqual(photoOf(c as Vcard), { ...JPEG_COMPLICATED, type: 'JPEG' });
  },
  'v21_blackberry_photo.vcf': ([c]) => {
    const card = c as Vcard;
    assert.deepEqual(photoOf(card), { ...PNG_BLACKBERRY, type: undefined });
    assert.deepEqual(Array.from(card.photo?.bytes.subarray(0, 4) ?? []), [0x89, 0x50, 0x4e, 0x47]);
    assert.deepEqual(tels(card), [
      ['+5555555', ['WORK'], false],
      ['+5555556', ['CELL'], false],
    ]);
    assert.deepEqual(card.email, [{ address: 'forrestgump@walladalla.com', types: ['INTERNET'], pref: false }]);
  },
  'v21_x_android_custom_after_photo.vcf': ([c]) => {
    const card = c as Vcard;
    assert.deepEqual(photoOf(card), { ...PNG_BLACKBERRY, type: undefined });
    assert.deepEqual(values(card, 'X-ANDROID-CUSTOM'), [[['vnd.android.cursor.item/contact_event'], ['1999-07-10'], ['1'], ...Array.from({ length: 13 }, () => [''])]]);
    assert.equal(card.bday, '1975-08-20');
  },
  'v21_japanese_1.vcf': ([c]) => {
    // testV21Japanese1_Parsing (Shift_JIS).
    const card = c as Vcard;
    assert.deepEqual(values(card, 'N'), [[['\u5B89\u85E4\u30ED\u30A4\u30C9'], [''], [''], [''], ['']]]);
    assert.deepEqual(values(card, 'SOUND'), ['\uFF71\uFF9D\uFF84\uFF9E\uFF73\uFF9B\uFF72\uFF84\uFF9E;;;;']);
    assert.deepEqual(paramValues(card.first('SOUND') ?? { name: '', params: [], value: '' }, 'TYPE'), ['X-IRMC-N']);
    assert.deepEqual(tels(card), [['0300000000', ['VOICE'], true]]);
  },
  'v21_japanese_2.vcf': ([c]) => {
    // testV21Japanese2_Parsing: quoted-printable Shift_JIS address, split after decoding.
    const card = c as Vcard;
    assert.equal(card.formattedName, '\u5B89\u85E4\u0020\u30ED\u30A4\u30C9\u0020\u0031');
    assert.deepEqual(values(card, 'N'), [[['\u5B89\u85E4'], ['\u30ED\u30A4\u30C9\u0031'], [''], [''], ['']]]);
    assert.deepEqual(values(card, 'ADR'), [[[''], ['東京都渋谷区桜丘町26-1セルリアンタワー6階'], [''], [''], [''], ['150-8512'], ['']]]);
    assert.equal(card.note, '\u30E1\u30E2');
  },
  'v21_japanese_3.vcf': ([c]) => {
    // Shift_JIS whose second bytes are 0x5C (a backslash in ASCII); text checked with Node's own Shift_JIS decoder.
    assert.equal(c?.formattedName, new TextDecoder('shift_jis').decode(Buffer.from('88c9945c208c5c88ea2088c9975c', 'hex')));
    assert.equal(c?.formattedName, '伊能 圭一 伊予');
    assert.deepEqual(values(c as Vcard, 'N'), [[['伊能'], ['圭一'], ['伊予'], [''], ['']]]);
  },
  'v30_japanese.vcf': ([c]) => {
    assert.equal(c?.version, '3.0');
    assert.equal(c?.formattedName, '伊能 圭一 伊予');
    assert.deepEqual(values(c as Vcard, 'N'), [[['伊能'], ['圭一'], ['伊予'], [''], ['']]]);
  },
  'v21_multiple_entry.vcf': (cards) => {
    // testV21MultipleEntryCase_Parse: three cards, blank lines between them.
    assert.equal(cards.length, 3);
    assert.deepEqual(
      cards.map((c) => [c.name?.family, tels(c).map(([n, t]) => `${n}:${t.join('+')}`)]),
      [
        ['安藤ロイド3', ['9:X-NEC-SECRET', '10:X-NEC-HOTEL', '11:X-NEC-SCHOOL', '12:HOME+FAX']],
        ['安藤ロイド4', ['13:MODEM', '14:PAGER', '15:X-NEC-FAMILY', '16:X-NEC-GIRL']],
        ['安藤ロイド5', ['17:X-NEC-BOY', '18:X-NEC-FRIEND', '19:X-NEC-PHS', '20:X-NEC-RESTAURANT']],
      ],
    );
  },
  'v21_pref_handling.vcf': ([c]) => {
    const card = c as Vcard;
    assert.deepEqual(tels(card), [
      ['1', ['HOME'], false],
      ['2', ['WORK'], true],
      ['3', ['ISDN'], false],
    ]);
    assert.deepEqual(card.email.map((e) => [e.address, e.types, e.pref]), [
      ['test@example.com', ['HOME'], true],
      ['test2@examination.com', ['CELL'], true],
    ]);
    assert.deepEqual(card.properties.filter((p) => p.name === 'ORG' || p.name === 'TITLE').map((p) => `${p.name}=${JSON.stringify(p.value)}`), [
      'ORG=[["Company"]]',
      'TITLE="Engineer"',
      'ORG=[["Mystery"]]',
      'TITLE="Blogger"',
      'ORG=[["Poetry"]]',
      'TITLE="Poet"',
    ]);
  },
  'v21_invalid_comment_line.vcf': ([c]) => {
    // testTolerateInvalidCommentLikeLineV21: '#' lines are skipped, except inside a quoted-printable value.
    const card = c as Vcard;
    assert.deepEqual([card.uid, card.name?.given, card.formattedName], ['357', 'Conference Call', 'Conference Call']);
    assert.equal(card.note, 'This is an (sharp ->#<- sharp) example. This message must NOT be ignored.');
  },
  'v21_invalid_multiple_line.vcf': ([c]) => {
    // testInvalidMultipleLineV21: the folded email keeps one of its two spaces.
    assert.deepEqual(c?.email, [{ address: '"Omega" <omega@example.com>', types: ['INTERNET'], pref: false }]);
    assert.deepEqual([c?.name?.given, c?.formattedName], ['Omega', 'Omega']);
  },
  'v21_adr_multiple_line.vcf': ([c]) => {
    // Our reading (Android's mirror has no expectation): lines without a colon continue the address after a line
    // feed, and each trailing backslash protects that line feed.
    assert.deepEqual(c?.adr.map((a) => [a.street, a.locality, a.postalCode, a.country, a.types]), [
      ['Grindelberg 999', 'Hamburg', '99999', 'Deutschland', ['HOME']],
      ['Hermann v. Brevern\n9999999\nPackstation 999', 'Hamburg', '99999', 'Deutschland', ['HOME']],
    ]);
    assert.equal(c?.bday, '20081203');
  },
  'v21_winmo_65.vcf': ([c]) => {
    // testIgnoreAgentV21_Parse: AGENT with a text value is an ordinary property here.
    const card = c as Vcard;
    assert.deepEqual(
      card.properties.map((p) => [p.name, p.value]),
      [
        ['N', [['Example'], [''], [''], [''], ['']]],
        ['FN', 'Example'],
        ['ANNIVERSARY', '20091010'],
        ['AGENT', 'Invalid line which must be handled correctly.'],
        ['X-CLASS', 'PUBLIC'],
        ['X-REDUCTION', ''],
        ['X-NO', ''],
      ],
    );
    assert.deepEqual(card.first('ANNIVERSARY')?.params, [{ name: 'VALUE', values: ['DATE'] }]);
  },
  'v21_nest.vcf': ([c]) => {
    const card = c as Vcard;
    assert.deepEqual(card.properties.map((p) => [p.name, p.value]), [
      ['N', [['parent']]],
      ['TEL', '1'],
    ]);
    assert.deepEqual(card.nested.map((n) => n.name?.family), ['nest1', 'nest2']);
  },
  'v21_x_param.vcf': ([c]) => {
    // testCustomPropertyV21_Parse: unknown types survive with their case.
    const card = c as Vcard;
    assert.deepEqual(
      card.properties.map((p) => [p.name, paramValues(p, 'TYPE'), p.value]),
      [
        ['N', [], [['Ando'], ['Roid'], ['']]],
        ['ADR', ['X-custom'], [['pobox'], ['street']]],
        ['TEL', ['X-CuStoMpRop'], '1'],
        ['TEL', ['custompropertywithoutx'], '2'],
        ['EMAIL', ['X-cUstomPrOperty'], 'email@example.com'],
        ['EMAIL', ['CUSTOMPROPERTYWITHOUTX'], 'email2@example.com'],
      ],
    );
  },
  'v21_im.vcf': ([c]) => {
    // testIMV21_Parse.
    assert.deepEqual(values(c as Vcard, 'X-ANDROID-CUSTOM'), [[['vnd.android.cursor.item/nickname'], ['Nick'], ['1'], ...Array.from({ length: 13 }, () => [''])]]);
    assert.deepEqual(values(c as Vcard, 'X-GOOGLE-TALK'), ['hhh@gmail.com']);
  },
  'v21_android_custom_prop.vcf': ([c]) => {
    const custom = values(c as Vcard, 'X-ANDROID-CUSTOM') as string[][][];
    assert.deepEqual(custom.map((v) => v.length), [16, 17, 1, 2]);
    assert.deepEqual(custom[3], [['custom_mime4'], ['z']]);
  },
  'v21_sip.vcf': ([c]) => {
    assert.deepEqual(values(c as Vcard, 'X-SIP'), ['888', 'sip:90-180-360']);
  },
  'v21_title_before_org.vcf': ([c]) => {
    assert.deepEqual([c?.title, c?.org], ['Cool Title', { name: 'Marverous', units: ['Perfect', 'Great', 'Good', 'Bad', 'Poor'] }]);
  },
  'v30_simple.vcf': ([c]) => {
    // testV30Simple_Parsing.
    const card = c as Vcard;
    assert.deepEqual(values(card, 'ORG'), [[['Open'], ['Handset'], [' Alliance']]]);
    assert.deepEqual(tels(card), [['0300000000', ['VOICE'], true]]);
    assert.deepEqual(['SORT-STRING', 'CLASS', 'X-GNO', 'X-GN', 'X-REDUCTION', 'REV'].map((n) => card.first(n)?.value), ['android', 'PUBLIC', '0', 'group0', '0', '20081031T065854Z']);
  },
  'v30_comma_separated.vcf': ([c]) => {
    // Deliberate difference from Android (which keeps "COMMA,SEPARATED:INSIDE.DQUOTE" as one type): we split a quoted
    // TYPE list on commas, as RFC 6350's own TYPE="work,voice" examples and ical.js do.
    const card = c as Vcard;
    assert.deepEqual(paramValues(card.first('N') ?? { name: '', params: [], value: '' }, 'TYPE'), ['PREF', 'HOME']);
    assert.deepEqual(tels(card), [['1', ['COMMA', 'SEPARATED:INSIDE.DQUOTE'], true]]);
  },
  'v30_multibyte_param.vcf': ([c]) => {
    assert.deepEqual(tels(c as Vcard), [['1', ['\u8D39'], false]]);
  },
  'v30_pager.vcf': ([c]) => {
    assert.deepEqual(tels(c as Vcard), [['6101231234@pagersample.com', ['PAGER', 'WORK', 'MSG'], false]]);
  },
  'v30_pause_wait.vcf': ([c]) => {
    assert.deepEqual(tels(c as Vcard), [['p1234p5678w9', [], false]]);
  },
  'v30_ios_613_multiline.vcf': ([c]) => {
    // iOS 6.1.3 export with CR CR LF line ends and a folded JPEG.
    const card = c as Vcard;
    assert.deepEqual([card.name?.family, card.name?.given, card.formattedName], ['Smith', 'Bob', 'Bob Smith']);
    assert.deepEqual(values(card, 'ORG'), [[['Smith Auto Repair'], ['']]]);
    assert.deepEqual(card.email, [{ address: 'bob@smithauto.com', types: ['INTERNET'], pref: true }]);
    assert.equal(card.first('EMAIL')?.group, 'item1');
    assert.deepEqual(tels(card), [['(650) 555-1212', ['CELL', 'VOICE'], true]]);
    assert.deepEqual(card.all('X-ABLABEL').map((p) => [p.group, p.value]), [['item2', '_$!<HomePage>!$_']]);
    assert.deepEqual(photoOf(card), { ...JPEG_IOS, type: 'JPEG' });
  },
  'v30_sip.vcf': ([c]) => {
    assert.deepEqual(c?.all('IMPP').map((p) => [paramValues(p, 'TYPE'), p.value]), [[['personal'], 'sip:android@android.example.com']]);
  },
  'v40_sip.vcf': ([c]) => {
    assert.equal(c?.version, '4.0');
    assert.deepEqual([c?.formattedName, c?.name?.family, c?.name?.given], ['安藤 ロイド', '安藤', 'ロイド']);
    assert.deepEqual(tels(c as Vcard), [
      ['1', ['HOME'], false],
      ['sip:example@example.com', ['HOME'], false],
    ]);
  },
  'v40_sort_as.vcf': ([c]) => {
    // testSortAsV40_Parse: quoted SORT-AS values hold a ';'.
    const card = c as Vcard;
    assert.deepEqual(card.first('N')?.params, [{ name: 'SORT-AS', values: ['\u3042\u3093\u3069\u3046;\u308D\u3044\u3069'] }]);
    assert.deepEqual(card.first('ORG')?.params, [
      { name: 'TYPE', values: ['WORK'] },
      { name: 'SORT-AS', values: ['\u3050\u30FC\u3050\u308B;\u3051\u3093\u3055\u304F\u3076\u3082\u3093'] },
    ]);
    assert.deepEqual(card.org, { name: '\u30B0\u30FC\u30B0\u30EB', units: ['\u691C\u7D22\u90E8\u9580'] });
  },
};

test('every aosp-vcard file parses, or is rejected for the reason listed', (t) => {
  if (!existsSync(DIR)) {
    t.skip(SKIP);
    return;
  }
  const files = readdirSync(DIR).filter((f) => f.endsWith('.vcf')).sort();
  assert.equal(files.length, 35);
  for (const file of files) {
    const rejected = REJECTED[file];
    if (rejected === undefined) {
      assert.ok(load(file).length >= 1, file);
      continue;
    }
    assert.throws(() => load(file), (err: unknown) => err instanceof VcardError && err.code === rejected.code, `${file}: ${rejected.reason}`);
  }
});

test('hand-written expectations for the aosp-vcard files (at least 15 of them)', (t) => {
  if (!existsSync(DIR)) {
    t.skip(SKIP);
    return;
  }
  assert.ok(Object.keys(EXPECTED).length >= 15);
  for (const [file, check] of Object.entries(EXPECTED)) {
    check(load(file));
  }
});

test('files that are UTF-8 give the same cards read as text and as bytes', (t) => {
  if (!existsSync(DIR)) {
    t.skip(SKIP);
    return;
  }
  let compared = 0;
  for (const file of readdirSync(DIR).filter((f) => f.endsWith('.vcf'))) {
    const bytes = readFileSync(path.join(DIR, file));
    if (REJECTED[file] !== undefined || !isUtf8(bytes)) continue;
    assert.deepEqual(parseVcards(bytes.toString('utf8')).map(plain), load(file).map(plain), file);
    compared++;
  }
  assert.ok(compared >= 25, `${compared} files compared`);
});
