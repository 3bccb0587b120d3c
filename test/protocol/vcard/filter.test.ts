/**
 * PBAP PropertySelector: the bit table from PROTOCOLS.md section 3, masks
 * to names and back, the mandatory properties of each version, and what a
 * PSE returns for a mask (written out in 2.1 and 3.0).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  PropertySelectorBit,
  applyPropertySelector,
  isSelected,
  mandatoryProperties,
  propertySelector,
  propertySelectorBit,
  selectedProperties,
  withMandatoryProperties,
} from '../../../src/protocol/vcard/filter';
import { VcardErrorCode } from '../../../src/protocol/vcard/errors';
import { Vcard, prop } from '../../../src/protocol/vcard/model';
import { writeVcard } from '../../../src/protocol/vcard/writer';
import { assertVcardError } from './fixtures';

const crlf = (...lines: string[]): string => lines.map((l) => `${l}\r\n`).join('');

test('bit numbers are those of PROTOCOLS.md section 3 (bluez filter_list), 0 through 31', () => {
  const table =
    'VERSION FN N PHOTO BDAY ADR LABEL TEL EMAIL MAILER TZ GEO TITLE ROLE LOGO AGENT ORG NOTE REV SOUND URL UID KEY NICKNAME CATEGORIES PROID CLASS SORT-STRING X-IRMC-CALL-DATETIME X-BT-SPEEDDIALKEY X-BT-UCI X-BT-UID';
  assert.deepEqual(Object.entries(PropertySelectorBit), table.split(' ').map((name, bit) => [name, bit]));
  assert.equal(propertySelectorBit('prodid'), 25);
  assert.equal(propertySelectorBit('x-irmc-call-datetime'), 28);
  assert.equal(propertySelectorBit('X-ANDROID-CUSTOM'), undefined);
});

test('masks from names and back; bits above 31 are ignored; an unknown name is vcard.unencodable', () => {
  const mask = propertySelector(['N', 'TEL', 'EMAIL', 'X-BT-UID']);
  assert.equal(mask, 0x8000_0184n);
  assert.deepEqual(selectedProperties(mask | (1n << 39n) | (1n << 63n)), ['N', 'TEL', 'EMAIL', 'X-BT-UID']);
  assert.deepEqual(selectedProperties(0xffff_ffffn).length, 32);
  assertVcardError(() => propertySelector(['X-NOPE']), VcardErrorCode.Unencodable);
});

test('mandatory properties: VERSION, N, TEL in 2.1; FN as well in 3.0', () => {
  assert.deepEqual(mandatoryProperties('2.1'), ['VERSION', 'N', 'TEL']);
  assert.deepEqual(mandatoryProperties('3.0'), ['VERSION', 'N', 'FN', 'TEL']);
  assert.equal(isSelected('FN', propertySelector(['EMAIL']), '2.1'), false);
  assert.equal(isSelected('FN', propertySelector(['EMAIL']), '3.0'), true);
  assert.equal(isSelected('NOTE', 0n, '2.1'), true, 'an all-zero mask selects everything');
});

const contact = new Vcard(
  '3.0',
  [
    prop('FN', 'Ann Lee'),
    prop('N', [['Lee'], ['Ann'], [''], [''], ['']]),
    prop('TEL', '1', { TYPE: 'CELL' }),
    prop('EMAIL', 'ann@example.com'),
    prop('NOTE', 'private'),
    prop('PHOTO', new Uint8Array([1, 2, 3]), { TYPE: 'JPEG' }),
    prop('X-ANDROID-CUSTOM', [['vnd.android.cursor.item/nickname'], ['Annie']]),
    prop('X-IRMC-CALL-DATETIME', '20240101T080000', { TYPE: 'MISSED' }),
  ],
  [new Vcard('3.0', [prop('FN', 'assistant')])],
);

test('a mask keeps the selected and the mandatory properties, drops the rest (X- without a bit too); AGENT decides nested cards', () => {
  const mask = propertySelector(['EMAIL', 'X-IRMC-CALL-DATETIME']);
  assert.equal(
    writeVcard(applyPropertySelector(contact, mask, '2.1'), '2.1'),
    crlf('BEGIN:VCARD', 'VERSION:2.1', 'N:Lee;Ann;;;', 'TEL;CELL:1', 'EMAIL:ann@example.com', 'X-IRMC-CALL-DATETIME;MISSED:20240101T080000', 'END:VCARD'),
  );
  assert.equal(
    writeVcard(applyPropertySelector(contact, mask, '3.0'), '3.0'),
    crlf('BEGIN:VCARD', 'VERSION:3.0', 'FN:Ann Lee', 'N:Lee;Ann;;;', 'TEL;TYPE=CELL:1', 'EMAIL:ann@example.com', 'X-IRMC-CALL-DATETIME;TYPE=MISSED:20240101T080000', 'END:VCARD'),
  );
  assert.equal(applyPropertySelector(contact, 0n).properties.length, contact.properties.length);
  assert.equal(applyPropertySelector(contact, 0n).nested.length, 1);
  assert.equal(applyPropertySelector(contact, mask).nested.length, 0);
  assert.equal(applyPropertySelector(contact, mask | propertySelector(['AGENT'])).nested.length, 1);
});

test('missing mandatory properties are added empty when asked (as PSEs write them)', () => {
  const bare = new Vcard('3.0', [prop('EMAIL', 'x@example.com')]);
  assert.equal(applyPropertySelector(bare, propertySelector(['EMAIL']), '3.0').properties.length, 1);
  const filled = applyPropertySelector(bare, propertySelector(['EMAIL']), '3.0', { fillMandatory: true });
  assert.equal(writeVcard(filled, '3.0'), crlf('BEGIN:VCARD', 'VERSION:3.0', 'EMAIL:x@example.com', 'N:', 'FN:', 'TEL:', 'END:VCARD'));
  assert.deepEqual(withMandatoryProperties(bare, '2.1').properties.map((p) => p.name), ['EMAIL', 'N', 'TEL']);
  assert.equal(withMandatoryProperties(contact), contact);
});
