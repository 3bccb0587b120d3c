/**
 * Round trips: for arbitrary cards (non-ASCII names, several TEL and EMAIL
 * with types, photos of random bytes, notes full of commas, semicolons, line
 * breaks and backslashes) parse(write(card, v)) gives the card back in 2.1
 * and 3.0, as text and as bytes; and it still does after the written lines
 * are folded, soft-broken or given other line ends at awkward places.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseVcards } from '../../../src/protocol/vcard/parser';
import { writeVcard, writeVcards, type VcardWriteVersion } from '../../../src/protocol/vcard/writer';
import { Vcard } from '../../../src/protocol/vcard/model';
import { cardArb, normalCard, plain } from './fixtures';

const versionArb = fc.constantFrom<VcardWriteVersion>('2.1', '3.0');

test('property: parse(write(card, v)) equals the card, for v = 2.1 and 3.0, from text and from bytes', () => {
  fc.assert(
    fc.property(cardArb, versionArb, (card, version) => {
      const text = writeVcard(card, version);
      const expected = plain(normalCard(card, version));
      const fromText = parseVcards(text);
      assert.equal(fromText.length, 1);
      assert.deepEqual(plain(fromText[0] as Vcard), expected);
      const fromBytes = parseVcards(Buffer.from(text, 'utf8'));
      assert.deepEqual(plain(fromBytes[0] as Vcard), expected);
    }),
    { numRuns: 400 },
  );
});

test('property: writing is stable: write(parse(write(card))) is the same text', () => {
  fc.assert(
    fc.property(cardArb, versionArb, (card, version) => {
      const text = writeVcard(card, version);
      assert.equal(writeVcard(parseVcards(text)[0] as Vcard, version), text);
    }),
    { numRuns: 200 },
  );
});

test('property: a stream of several cards comes back card by card', () => {
  fc.assert(
    fc.property(fc.array(cardArb, { maxLength: 4 }), versionArb, (cards, version) => {
      const back = parseVcards(writeVcards(cards, version));
      assert.deepEqual(back.map(plain), cards.map((c) => plain(normalCard(c, version))));
    }),
    { numRuns: 100 },
  );
});

test('property: written lines keep to the limits: 3.0 at most 75 octets, 2.1 quoted-printable at most 76 characters', () => {
  fc.assert(
    fc.property(cardArb, versionArb, (card, version) => {
      const text = writeVcard(card, version);
      assert.ok(text.endsWith('\r\n'));
      assert.ok(!/\r(?!\n)|(?<!\r)\n/.test(text), 'only CRLF line ends');
      const lines = text.split('\r\n');
      let inQp = false;
      for (const line of lines) {
        const octets = Buffer.byteLength(line, 'utf8');
        if (version === '3.0') assert.ok(octets <= 75, `3.0 line of ${octets} octets: ${line}`);
        const qpStart = /ENCODING=QUOTED-PRINTABLE:/.test(line);
        if (qpStart || inQp) {
          // The head of a 2.1 line cannot be broken, so only the value part is held to the limit.
          const limit = qpStart ? Math.max(76, line.indexOf(':') + 2) : 76;
          assert.ok(line.length <= limit, `quoted-printable line of ${line.length}: ${line}`);
          assert.ok(!/[ \t]$/.test(line), 'no whitespace at the end of a quoted-printable line');
          assert.ok(/^[\t\x20-\x7e]*$/.test(line.slice(qpStart ? line.indexOf(':') + 1 : 0)), 'quoted-printable text is printable ASCII');
        }
        inQp = (qpStart || inQp) && line.endsWith('=');
      }
    }),
    { numRuns: 300 },
  );
});

/** The logical lines of written 3.0 text (folds removed). */
function logicalLines(text: string): string[] {
  return text
    .replace(/\r\n[ \t]/g, '')
    .split('\r\n')
    .filter((l) => l !== '');
}

/** Written 2.1 lines with the soft breaks of quoted-printable values joined. */
function joinSoftBreaks(text: string): string[] {
  const out: string[] = [];
  let open = false;
  for (const line of text.split('\r\n')) {
    if (open) out[out.length - 1] = (out[out.length - 1] as string).slice(0, -1) + line;
    else out.push(line);
    const current = out[out.length - 1] as string;
    open = /^[^:]*ENCODING=QUOTED-PRINTABLE:/.test(current) && current.endsWith('=');
  }
  return out;
}

test('property: 3.0 lines folded at arbitrary places (inside names, escapes, UTF-16 pairs) parse the same, as text', () => {
  fc.assert(
    fc.property(cardArb, fc.array(fc.nat(), { minLength: 1, maxLength: 12 }), (card, cuts) => {
      const text = writeVcard(card, '3.0');
      const refolded = logicalLines(text)
        .map((line) => {
          const points = [...new Set(cuts.map((c) => 1 + (c % Math.max(1, line.length - 1))))].filter((p) => p < line.length).sort((a, b) => a - b);
          let out = '';
          let from = 0;
          for (const p of points) {
            out += `${line.slice(from, p)}\r\n `;
            from = p;
          }
          return out + line.slice(from);
        })
        .join('\r\n');
      assert.deepEqual(plain(parseVcards(refolded)[0] as Vcard), plain(normalCard(card, '3.0')));
    }),
    { numRuns: 300 },
  );
});

test('property: 3.0 lines folded at arbitrary byte positions (inside UTF-8 sequences) parse the same, as bytes', () => {
  fc.assert(
    fc.property(cardArb, fc.array(fc.nat(), { minLength: 1, maxLength: 12 }), (card, cuts) => {
      const text = writeVcard(card, '3.0');
      const chunks: Buffer[] = [];
      for (const line of logicalLines(text)) {
        const bytes = Buffer.from(line, 'utf8');
        const points = [...new Set(cuts.map((c) => 1 + (c % Math.max(1, bytes.length - 1))))].filter((p) => p < bytes.length).sort((a, b) => a - b);
        let from = 0;
        for (const p of points) {
          chunks.push(bytes.subarray(from, p), Buffer.from('\r\n\t'));
          from = p;
        }
        chunks.push(bytes.subarray(from), Buffer.from('\r\n'));
      }
      assert.deepEqual(plain(parseVcards(Buffer.concat(chunks))[0] as Vcard), plain(normalCard(card, '3.0')));
    }),
    { numRuns: 300 },
  );
});

test('property: 2.1 quoted-printable values soft-broken at arbitrary places (even inside =XX) parse the same', () => {
  fc.assert(
    fc.property(cardArb, fc.array(fc.nat(), { minLength: 1, maxLength: 12 }), (card, cuts) => {
      const text = writeVcard(card, '2.1');
      const lines = joinSoftBreaks(text).map((line) => {
        if (!/^[^:]*ENCODING=QUOTED-PRINTABLE:/.test(line)) return line;
        const start = line.indexOf(':') + 1;
        const span = line.length - start;
        if (span <= 0) return line;
        const points = [...new Set(cuts.map((c) => start + (c % span)))].sort((a, b) => a - b);
        let out = '';
        let from = 0;
        for (const p of points) {
          out += `${line.slice(from, p)}=\r\n`;
          from = p;
        }
        return out + line.slice(from);
      });
      assert.deepEqual(plain(parseVcards(lines.join('\r\n'))[0] as Vcard), plain(normalCard(card, '2.1')));
    }),
    { numRuns: 300 },
  );
});

test('property: LF, CR, CR CR LF and mixed line ends parse like CRLF', () => {
  fc.assert(
    fc.property(cardArb, versionArb, fc.array(fc.constantFrom('\n', '\r', '\r\r\n', '\r\n'), { minLength: 1, maxLength: 5 }), (card, version, ends) => {
      const text = writeVcard(card, version);
      let k = 0;
      const changed = text.replace(/\r\n/g, () => ends[k++ % ends.length] as string);
      assert.deepEqual(plain(parseVcards(changed)[0] as Vcard), plain(normalCard(card, version)));
    }),
    { numRuns: 300 },
  );
});
