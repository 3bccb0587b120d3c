/**
 * The six PBAP client vCards of Android's Bluetooth tests
 * (../shared/corpora/android-bt-modules/pbapclient_raw), against the
 * expectations in its README: call kinds and times from
 * X-IRMC-CALL-DATETIME, empty and "Unknown" numbers, numeric TEL types, a
 * call log entry without a time, and VERSION:googol rejected. Skips when
 * ../shared is absent.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { VcardErrorCode } from '../../../src/protocol/vcard/errors';
import type { Vcard } from '../../../src/protocol/vcard/model';
import { parseVcards } from '../../../src/protocol/vcard/parser';
import { assertVcardError, corpusDir } from './fixtures';

const DIR = path.join(corpusDir('android-bt-modules'), 'pbapclient_raw');
const SKIP = `pbapclient_raw corpus not found at ${DIR}; skipping`;

const read = (file: string): Buffer => readFileSync(path.join(DIR, file));
const summary = (c: Vcard): unknown => ({ tel: c.tel, call: c.call });

test('single_missed_call.vcf: one entry, number 555-0002 (numeric type 0), RECEIVED at 20170101T010100', (t) => {
  if (!existsSync(DIR)) return t.skip(SKIP);
  assert.deepEqual(parseVcards(read('single_missed_call.vcf')).map(summary), [
    { tel: [{ number: '555-0002', types: ['0'], pref: false }], call: { kind: 'RECEIVED', time: '20170101T010100' } },
  ]);
});

test('unknown_number_call.vcf: two entries, an empty number and "Unknown", at 20170101T010200 and T010300', (t) => {
  if (!existsSync(DIR)) return t.skip(SKIP);
  assert.deepEqual(parseVcards(read('unknown_number_call.vcf')).map(summary), [
    { tel: [{ number: '', types: ['0'], pref: false }], call: { kind: 'RECEIVED', time: '20170101T010200' } },
    { tel: [{ number: 'Unknown', types: ['0'], pref: false }], call: { kind: 'RECEIVED', time: '20170101T010300' } },
  ]);
});

test('no_timestamp_call_log.vcf: one entry without a time parses (no call entry)', (t) => {
  if (!existsSync(DIR)) return t.skip(SKIP);
  const cards = parseVcards(read('no_timestamp_call_log.vcf'));
  assert.deepEqual(cards.map(summary), [{ tel: [{ number: '555-0001', types: ['0'], pref: false }], call: undefined }]);
  assert.deepEqual([cards[0]?.formattedName, cards[0]?.name?.family], ['', '']);
});

test('v30_simple.vcf: display name "Roid And" (given then family, as Android composes it), number 0300000000', (t) => {
  if (!existsSync(DIR)) return t.skip(SKIP);
  const [card] = parseVcards(read('v30_simple.vcf'));
  assert.equal(`${card?.name?.given} ${card?.name?.family}`, 'Roid And');
  assert.equal(card?.formattedName, 'And Roid');
  assert.deepEqual(card?.tel, [{ number: '0300000000', types: ['VOICE'], pref: true }]);
  assert.deepEqual(card?.org, { name: 'Open', units: ['Handset', ' Alliance'] });
});

test('v21_simple.vcf parses: 2.1 bare types, a quoted-printable address continued on an unfolded line, X-BT-UID', (t) => {
  if (!existsSync(DIR)) return t.skip(SKIP);
  const [card] = parseVcards(read('v21_simple.vcf'));
  assert.equal(card?.version, '2.1');
  assert.deepEqual([card?.formattedName, card?.name?.family, card?.name?.given], ['Jean Dupont', 'Dupont', 'Jean']);
  assert.deepEqual(card?.tel, [{ number: '+1234 56789', types: ['CELL'], pref: true }]);
  assert.deepEqual(card?.email, [{ address: 'jean.dupont@example.com', types: ['INTERNET'], pref: false }]);
  assert.deepEqual(card?.adr.map((a) => [a.extended, a.street, a.types]), [['Paris 75010', '91 Rue du Faubourg Saint-\nMartin', ['WORK']]]);
  assert.equal(card?.first('X-BT-UID')?.value, 'A1A2A3A4B1B2C1C2D1D2E1E2E3E4E5E6');
});

test('unsupported_version.vcf: VERSION:googol is rejected with vcard.bad-version at its line', (t) => {
  if (!existsSync(DIR)) return t.skip(SKIP);
  assertVcardError(() => parseVcards(read('unsupported_version.vcf')), VcardErrorCode.BadVersion, 12);
});
