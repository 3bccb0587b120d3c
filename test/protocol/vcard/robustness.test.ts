/**
 * Robustness of the parser: arbitrary text and bytes and mutations of
 * written cards give cards or a VcardError (never another exception, never
 * an offset outside the input), promptly; limits give vcard.too-large.
 * Hostile 1 MB inputs are in hostile.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { VcardError } from '../../../src/protocol/vcard/errors';
import { parseVcards } from '../../../src/protocol/vcard/parser';
import { writeVcard } from '../../../src/protocol/vcard/writer';
import { cardArb, cardsOrVcardError } from './fixtures';

const ALPHABET = ['B', 'E', 'G', 'I', 'N', 'V', 'C', 'A', 'R', 'D', ':', ';', '=', ',', '"', '\\', '\r', '\n', '\r\n', ' ', '\t', '.', '#', '\0', 'é', '😀', 'QUOTED-PRINTABLE', 'ENCODING=b', 'BEGIN:VCARD\r\n', 'END:VCARD\r\n', 'VERSION:2.1\r\n', 'CHARSET=SHIFT_JIS', '=\r\n'];

const mutationArb = fc.record({
  at: fc.nat(),
  cut: fc.nat({ max: 20 }),
  insert: fc.array(fc.constantFrom(...ALPHABET), { maxLength: 4 }).map((a) => a.join('')),
});

/** Written cards (2.1 and 3.0) with a few deletions and insertions at arbitrary places. */
const mutatedTextArb: fc.Arbitrary<string> = fc
  .tuple(cardArb, fc.constantFrom<'2.1' | '3.0'>('2.1', '3.0'), fc.array(mutationArb, { minLength: 1, maxLength: 5 }))
  .map(([card, version, mutations]) => {
    let text = writeVcard(card, version);
    for (const m of mutations) {
      const at = m.at % (text.length + 1);
      text = text.slice(0, at) + m.insert + text.slice(at + m.cut);
    }
    return text;
  });

test('property: arbitrary text and bytes give cards or a VcardError', () => {
  fc.assert(
    fc.property(
      fc.oneof(
        fc.string({ unit: 'binary', maxLength: 300 }),
        fc.array(fc.constantFrom(...ALPHABET), { maxLength: 60 }).map((a) => a.join('')),
        fc.array(fc.constantFrom(...ALPHABET), { maxLength: 60 }).map((a) => `BEGIN:VCARD\r\n${a.join('')}`),
      ),
      (text) => {
        cardsOrVcardError('text', text);
        cardsOrVcardError('bytes', Buffer.from(text, 'utf8'));
      },
    ),
    { numRuns: 1000 },
  );
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
      cardsOrVcardError('random bytes', bytes);
      cardsOrVcardError('random bytes after BEGIN', Buffer.concat([Buffer.from('BEGIN:VCARD\r\n'), bytes]));
    }),
    { numRuns: 500 },
  );
});

test('property: mutated written cards give cards or a VcardError, as text and as bytes (also bit-flipped)', () => {
  fc.assert(
    fc.property(mutatedTextArb, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { maxLength: 4 }), (text, flips) => {
      cardsOrVcardError('mutated text', text);
      const bytes = Buffer.from(text, 'utf8');
      for (const [at, mask] of flips) if (bytes.length > 0) bytes[at % bytes.length] ^= mask;
      cardsOrVcardError('mutated bytes', bytes);
    }),
    { numRuns: 600 },
  );
});

test('limits: a tighter property limit, line limit and input limit each give vcard.too-large', () => {
  const card = `BEGIN:VCARD\r\n${'X:1\r\n'.repeat(20)}END:VCARD\r\n`;
  assert.equal(parseVcards(card, { maxPropertiesPerCard: 20 })[0]?.properties.length, 20);
  const tooMany = cardsOrVcardError('properties', card);
  assert.ok(!(tooMany instanceof VcardError));
  for (const options of [{ maxPropertiesPerCard: 19 }, { maxLineLength: 2 }, { maxInputBytes: 50 }, { maxCards: 0 }]) {
    assert.throws(() => parseVcards(card, options), (err: unknown) => err instanceof VcardError && err.code === 'vcard.too-large');
  }
});
