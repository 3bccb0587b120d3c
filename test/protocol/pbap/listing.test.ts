/**
 * vCard-listing XML: encoding with escaping, decoding what PSEs send
 * (declaration, DOCTYPE, whitespace, `name = "..."`), round trips by
 * fast-check, and garbage or hostile input ending only in PbapError.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  decodeVcardListing,
  encodeVcardListing,
  escapeAttribute,
  isPbapError,
  PbapErrorCode,
  VCARD_LISTING_HEAD,
  VCARD_LISTING_TAIL,
  vcardListingCardLine,
  type VcardListingCard,
} from '../../../src/protocol/pbap';

test('encodes a listing with the head, one line per card and the tail', () => {
  const text = encodeVcardListing([
    { handle: '0.vcf', name: 'Doe;John' },
    { handle: '1.vcf', name: 'Smith & Sons <Ltd>;"Q" \'R\'' },
  ]);
  assert.equal(
    text,
    '<?xml version="1.0"?>\r\n' +
      '<!DOCTYPE vcard-listing SYSTEM "vcard-listing.dtd">\r\n' +
      '<vCard-listing version="1.0">\r\n' +
      '<card handle="0.vcf" name="Doe;John"/>\r\n' +
      '<card handle="1.vcf" name="Smith &amp; Sons &lt;Ltd&gt;;&quot;Q&quot; &apos;R&apos;"/>\r\n' +
      '</vCard-listing>\r\n',
  );
  assert.equal(text, VCARD_LISTING_HEAD + vcardListingCardLine({ handle: '0.vcf', name: 'Doe;John' }) + vcardListingCardLine({ handle: '1.vcf', name: 'Smith & Sons <Ltd>;"Q" \'R\'' }) + VCARD_LISTING_TAIL);
  assert.deepEqual(decodeVcardListing(text).cards[1], { handle: '1.vcf', name: 'Smith & Sons <Ltd>;"Q" \'R\'' });
});

test('escaping: tab/CR/LF as references, unrepresentable characters as U+FFFD', () => {
  assert.equal(escapeAttribute('a\tb\r\nc'), 'a&#9;b&#13;&#10;c');
  assert.equal(escapeAttribute('x\u0001y\uFFFEz'), 'x\uFFFDy\uFFFDz');
  assert.equal(escapeAttribute('\uD800'), '\uFFFD');
  assert.equal(escapeAttribute('Zoë 😀'), 'Zoë 😀');
  assert.deepEqual(decodeVcardListing(encodeVcardListing([{ handle: '3.vcf', name: 'two\nlines\t!' }])).cards, [
    { handle: '3.vcf', name: 'two\nlines\t!' },
  ]);
});

test('decodes the bluez style (spaces around =, LF lines) and character references', () => {
  const text =
    '<?xml version="1.0"?>\n<!DOCTYPE vcard-listing SYSTEM "vcard-listing.dtd">\n' +
    '<vCard-listing version="1.0">\n' +
    '  <card handle = "0.vcf" name = "Owner;Me"/>\n' +
    '  <card handle="12.vcf" name="Ren&#xE9;e &#38; Co"/>\n' +
    '  <card handle="13.vcf"/>\n' +
    '</vCard-listing>\n';
  assert.deepEqual(decodeVcardListing(new TextEncoder().encode(text)), {
    version: '1.0',
    cards: [
      { handle: '0.vcf', name: 'Owner;Me' },
      { handle: '12.vcf', name: 'Renée & Co' },
      { handle: '13.vcf', name: '' },
    ],
  });
});

test('empty listings in both spellings; a BOM is fine', () => {
  assert.deepEqual(decodeVcardListing('<vCard-listing version="1.0"></vCard-listing>'), { version: '1.0', cards: [] });
  assert.deepEqual(decodeVcardListing('<vCard-listing/>'), { version: '1.0', cards: [] });
  assert.deepEqual(decodeVcardListing('\uFEFF<vCard-listing version="1.1"/>').version, '1.1');
  assert.deepEqual(decodeVcardListing(Uint8Array.from([0xef, 0xbb, 0xbf, ...new TextEncoder().encode('<vCard-listing/>')])).cards, []);
});

test('garbage is PbapError bad-listing, with an offset', () => {
  for (const text of ['garbage', '<vCard-listing><card handle="1.vcf"></vCard-listing>', '<a/>', '<vCard-listing><card name="x"/></vCard-listing>', '']) {
    assert.throws(
      () => decodeVcardListing(text),
      (e: unknown) => isPbapError(e, PbapErrorCode.BadListing) && typeof e.offset === 'number',
      JSON.stringify(text),
    );
  }
  assert.throws(() => decodeVcardListing('<vCard-listing>\n<card handle="1" name="&#0;"/></vCard-listing>'), (e: unknown) => isPbapError(e, PbapErrorCode.BadListing));
  assert.throws(() => decodeVcardListing(Uint8Array.from([0x3c, 0xff, 0x3e])), (e: unknown) => isPbapError(e, PbapErrorCode.BadText));
});

test('a DOCTYPE cannot define entities that get expanded', () => {
  const text = '<!DOCTYPE vCard-listing [<!ENTITY a "AAAAAAAAAA">]><vCard-listing><card handle="&a;&a;" name="x"/></vCard-listing>';
  try {
    assert.equal(decodeVcardListing(text).cards[0]?.handle, '&a;&a;');
  } catch (err) {
    assert.ok(isPbapError(err), String(err));
  }
});

test('limits: bytes and cards', () => {
  const many = encodeVcardListing(Array.from({ length: 11 }, (_, i) => ({ handle: `${i}.vcf`, name: 'n' })));
  assert.throws(() => decodeVcardListing(many, { maxCards: 10 }), (e: unknown) => isPbapError(e, PbapErrorCode.TooLarge));
  assert.throws(() => decodeVcardListing(many, { maxBytes: 100 }), (e: unknown) => isPbapError(e, PbapErrorCode.TooLarge));
  assert.equal(decodeVcardListing(many, { maxCards: 11 }).cards.length, 11);
});

const cardArb: fc.Arbitrary<VcardListingCard> = fc.record(
  { handle: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 12 }), name: fc.string({ unit: 'grapheme', maxLength: 30 }) },
  { noNullPrototype: true },
);

/** What survives XML: characters outside XML 1.0 are replaced by U+FFFD. */
function xmlSafe(text: string): string {
  return Array.from(text, (ch) => {
    const c = ch.codePointAt(0) as number;
    const ok = c === 9 || c === 10 || c === 13 || (c >= 0x20 && c <= 0xd7ff) || (c >= 0xe000 && c <= 0xfffd) || c >= 0x10000;
    return ok ? ch : '\uFFFD';
  }).join('');
}

test('property: cards -> XML -> the same cards', () => {
  fc.assert(
    fc.property(fc.array(cardArb, { maxLength: 8 }), (cards) => {
      const back = decodeVcardListing(encodeVcardListing(cards));
      assert.deepEqual(back.cards, cards.map((c) => ({ handle: xmlSafe(c.handle), name: xmlSafe(c.name) })));
    }),
    { numRuns: 500 },
  );
});

test('property: hostile text and bytes only ever throw PbapError', () => {
  const pieces = fc.constantFrom('<vCard-listing', '>', '</vCard-listing>', '<card', ' handle="', ' name=\'', '"', '/>', '&amp;', '&#', ';', '<!DOCTYPE x [', ']>', '<?xml', '?>', '<![CDATA[', ']]>', '<!--', '-->', '=', ' ', '\n', 'x', '&');
  fc.assert(
    fc.property(fc.oneof(fc.array(pieces, { maxLength: 30 }).map((p) => p.join('')), fc.string({ maxLength: 80 })), (text) => {
      try {
        decodeVcardListing(text);
      } catch (err) {
        assert.ok(isPbapError(err), `escaped: ${String(err)}`);
      }
    }),
    { numRuns: 1000 },
  );
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 80 }), (bytes) => {
      try {
        decodeVcardListing(bytes);
      } catch (err) {
        assert.ok(isPbapError(err), `escaped: ${String(err)}`);
      }
    }),
    { numRuns: 500 },
  );
});
