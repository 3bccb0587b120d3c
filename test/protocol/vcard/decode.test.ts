/**
 * Transfer encodings and charsets on their own, with hex fixtures:
 * quoted-printable (bytes and text input), strict base64, and charset
 * decoding with its defaults and fallbacks.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeBase64, decodeCharset, decodeParamText, decodeQuotedPrintable, decodeStoredValue } from '../../../src/protocol/vcard/decode';
import { VcardErrorCode } from '../../../src/protocol/vcard/errors';
import { assertVcardError } from './fixtures';

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

test('quoted-printable: =XX in either case, literal = when no two hex digits follow, text input stored as UTF-8', () => {
  assert.equal(toHex(decodeQuotedPrintable('a=0D=0ab=3d', false)), toHex(hex('61 0d 0a 62 3d')));
  assert.equal(toHex(decodeQuotedPrintable('=G1=4', false)), toHex(Buffer.from('=G1=4')));
  assert.equal(toHex(decodeQuotedPrintable('é€😀', false)), toHex(hex('c3a9 e282ac f09f9880')));
  // From bytes, each char is one byte.
  assert.equal(toHex(decodeQuotedPrintable('\u00e9=E9', true)), 'e9e9');
});

test('base64: the alphabet, whitespace anywhere, padding optional but only at the end; anything else is invalid', () => {
  const ok: [string, string][] = [
    ['', ''],
    ['/9j/', 'ffd8ff'],
    ['/9j/4A==', 'ffd8ffe0'],
    ['/9j/4A', 'ffd8ffe0'],
    [' /9 j/\r\n\t4A =\n=', 'ffd8ffe0'],
    ['QUJD', '414243'],
  ];
  for (const [text, bytes] of ok) assert.equal(toHex(decodeBase64(text) ?? hex('00')), bytes, JSON.stringify(text));
  for (const bad of ['A', 'AB=C', 'QUJD=', 'A===', 'QU:J', 'QU-_', 'QUJDé', 'Q=UJ']) {
    assert.equal(decodeBase64(bad), undefined, JSON.stringify(bad));
  }
});

test('charsets: UTF-8 by default, Windows-1252 when undeclared bytes are not UTF-8, any iconv-lite charset by name', () => {
  assert.equal(decodeCharset(hex('e5ae89 e897a4'), undefined), '安藤');
  assert.equal(decodeCharset(hex('80 e9'), undefined), '€é');
  assert.equal(decodeCharset(hex('80 e9'), 'UTF-8'), '\ufffd\ufffd');
  assert.equal(decodeCharset(hex('88c0 93a1'), 'Shift_JIS'), '安藤');
  assert.equal(decodeCharset(hex('e9'), 'ISO-8859-1'), 'é');
  assert.equal(decodeCharset(hex('e9'), 'iso-8859-15'), 'é');
  assert.equal(decodeCharset(hex('c1e1'), 'windows-1251'), 'Бб');
  assert.equal(decodeCharset(hex('e9'), 'X-NOT-A-CHARSET'), undefined);
  assert.equal(decodeParamText('\u00e8\u00b4\u00b9', true), '费');
  assert.equal(decodeParamText('\u00e8', false), 'è');
});

test('decodeStoredValue: bytes for B and BASE64, text otherwise; errors carry the given offset', () => {
  assert.equal(toHex(decodeStoredValue('QUJD', 'B', undefined, false, () => 0) as Uint8Array), '414243');
  assert.equal(decodeStoredValue('=E9', 'QUOTED-PRINTABLE', 'ISO-8859-1', false, () => 0), 'é');
  assert.equal(decodeStoredValue('caf\u00c3\u00a9', '8BIT', undefined, true, () => 0), 'café');
  assert.equal(decodeStoredValue('café', undefined, 'SHIFT_JIS', false, () => 0), 'café');
  assertVcardError(() => decodeStoredValue('QU!D', 'BASE64', undefined, false, () => 42), VcardErrorCode.BadEncoding, 42);
  assertVcardError(() => decodeStoredValue('x', 'X-UUENCODE', undefined, false, () => 7), VcardErrorCode.BadEncoding, 7);
  assertVcardError(() => decodeStoredValue('=41', 'QUOTED-PRINTABLE', 'KLINGON', false, () => 9), VcardErrorCode.BadCharset, 9);
});
