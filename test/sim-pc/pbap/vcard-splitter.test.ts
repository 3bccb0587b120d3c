import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { VcardSplitter, type SplitItem } from '../../../src/sim-pc/pbap/vcard-splitter';

const enc = (text: string): Uint8Array => Buffer.from(text, 'latin1');
const dec = (bytes: Uint8Array): string => Buffer.from(bytes).toString('latin1');

/** Feeds `text` cut at `cuts` and returns the items, card bytes as text. */
function split(text: string, cuts: number[] = [], maxCardBytes?: number): { kind: string; text?: string; reason?: string; offset: number }[] {
  const splitter = new VcardSplitter(maxCardBytes === undefined ? {} : { maxCardBytes });
  const bytes = enc(text);
  const points = [...new Set(cuts.filter((c) => c > 0 && c < bytes.length))].sort((a, b) => a - b);
  const items: SplitItem[] = [];
  let at = 0;
  for (const point of [...points, bytes.length]) {
    items.push(...splitter.push(bytes.subarray(at, point)));
    at = point;
  }
  items.push(...splitter.end());
  return items.map((i) => (i.kind === 'card' ? { kind: 'card', text: dec(i.bytes), offset: i.offset } : { kind: 'skipped', reason: i.reason, offset: i.offset }));
}

const A = 'BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ann\r\nEND:VCARD';
const B = 'BEGIN:VCARD\r\nVERSION:2.1\r\nN:Bo;;;\r\nEND:VCARD';

test('cuts two CRLF cards into blocks that start at BEGIN and end with END', () => {
  const items = split(`${A}\r\n${B}\r\n`);
  assert.deepEqual(items, [
    { kind: 'card', text: A, offset: 0 },
    { kind: 'card', text: B, offset: A.length + 2 },
  ]);
});

test('LF-only and CR-only line ends, lower case markers and a last line without a line end', () => {
  const lf = 'begin:vcard\nVERSION:3.0\nFN:x\nend:vcard\n';
  assert.deepEqual(split(lf).map((i) => i.kind), ['card']);
  assert.match(split(lf)[0]?.text ?? '', /^BEGIN:VCARD\nVERSION:3.0\nFN:x\nend:vcard$/);
  const cr = 'BEGIN:VCARD\rVERSION:3.0\rFN:y\rEND:VCARD';
  const items = split(cr);
  assert.equal(items.length, 1);
  assert.equal(items[0]?.text, 'BEGIN:VCARD\rVERSION:3.0\rFN:y\rEND:VCARD');
});

test('junk outside cards is reported once per run, with its offset', () => {
  const text = `garbage line\r\nmore\r\n${A}\r\n\r\n${B}\r\ntrailing`;
  const items = split(text);
  assert.deepEqual(items.map((i) => [i.kind, i.reason]), [
    ['skipped', 'junk'],
    ['card', undefined],
    ['card', undefined],
    ['skipped', 'junk'],
  ]);
  assert.equal(items[0]?.offset, 0);
  assert.equal(items[3]?.offset, text.indexOf('trailing'));
});

test('a card without END is reported when the next BEGIN comes, and the next card survives', () => {
  const text = `BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Lost\r\n${B}\r\n`;
  const items = split(text);
  assert.deepEqual(items.map((i) => [i.kind, i.reason ?? i.text]), [
    ['skipped', 'truncated'],
    ['card', B],
  ]);
  assert.equal(items[1]?.offset, text.indexOf('BEGIN:VCARD', 1));
});

test('a card cut off by the end of the body is truncated', () => {
  assert.deepEqual(split(`${A}\r\nBEGIN:VCARD\r\nFN:half`).map((i) => [i.kind, i.reason]), [
    ['card', undefined],
    ['skipped', 'truncated'],
  ]);
});

test('a 2.1 AGENT card nests inside its parent', () => {
  const text = `BEGIN:VCARD\r\nVERSION:2.1\r\nN:Boss;;;\r\nAGENT:\r\nBEGIN:VCARD\r\nVERSION:2.1\r\nN:Aide;;;\r\nEND:VCARD\r\nEND:VCARD\r\n${A}\r\n`;
  const items = split(text);
  assert.equal(items.length, 2);
  assert.match(items[0]?.text ?? '', /AGENT:\r\nBEGIN:VCARD[\s\S]*END:VCARD\r\nEND:VCARD$/);
  assert.equal(items[1]?.text, A);
});

test('a card over the size limit is skipped and the next one kept', () => {
  const big = `BEGIN:VCARD\r\nNOTE:${'x'.repeat(500)}\r\nEND:VCARD\r\n`;
  const items = split(`${big}${A}\r\n`, [7, 100, 300], 200);
  assert.deepEqual(items.map((i) => [i.kind, i.reason]), [
    ['skipped', 'too-large'],
    ['card', undefined],
  ]);
  // An oversize card that also never ends.
  assert.deepEqual(split(`BEGIN:VCARD\r\nNOTE:${'y'.repeat(300)}\r\n`, [], 100).map((i) => i.reason), ['too-large']);
});

test('offset counts bytes taken', () => {
  const splitter = new VcardSplitter();
  splitter.push(enc('abc'));
  splitter.push(enc('\r\nde'));
  assert.equal(splitter.offset, 7);
});

test('property: any chunking gives the same items as one piece', () => {
  const line = fc.constantFrom('VERSION:3.0', 'FN:A b', 'N:X;Y;;;', 'TEL;TYPE=CELL:+1 555', 'NOTE:BEGIN:VCARD', 'X-A:END:VCARD', '');
  const card = fc.array(line, { maxLength: 5 }).map((ls) => ['BEGIN:VCARD', ...ls, 'END:VCARD']);
  const junk = fc.constantFrom('junk', '', ' ', 'END:VCARD');
  const doc = fc.tuple(
    fc.array(fc.oneof(card, junk.map((j) => [j])), { maxLength: 6 }),
    fc.constantFrom('\r\n', '\n', '\r'),
  ).map(([blocks, eol]) => blocks.flat().join(eol) + eol);
  fc.assert(
    fc.property(doc, fc.array(fc.nat(400), { maxLength: 8 }), (text, cuts) => {
      const whole = split(text);
      const pieces = split(text, cuts);
      assert.deepEqual(pieces, whole);
      // Every card block parses as one card frame: BEGIN first, END last.
      for (const item of whole) {
        if (item.kind !== 'card') continue;
        assert.match(item.text ?? '', /^BEGIN:VCARD[\s\S]*END:VCARD$/i);
      }
    }),
    { numRuns: 400 },
  );
});

test('property: every card of a generated body comes out exactly once, whatever the chunking', () => {
  fc.assert(
    fc.property(fc.array(fc.stringMatching(/^[A-Za-z ]{0,12}$/), { maxLength: 12 }), fc.array(fc.nat(2000), { maxLength: 10 }), (names, cuts) => {
      const cards = names.map((n) => `BEGIN:VCARD\r\nVERSION:3.0\r\nFN:${n}\r\nEND:VCARD`);
      const items = split(cards.map((c) => `${c}\r\n`).join(''), cuts);
      assert.deepEqual(
        items.map((i) => i.text),
        cards,
      );
    }),
    { numRuns: 300 },
  );
});
