/**
 * Hostile inputs of about 1 MB, each aimed at a place where a careless
 * parser goes quadratic, deep or out of memory: long lines of separators,
 * escapes and quotes, endless soft breaks, folds and continuation lines,
 * nesting, tiny properties and cards, CR runs, bad base64. Each gives cards
 * or a VcardError, as text and as bytes, well within a generous budget.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VcardError } from '../../../src/protocol/vcard/errors';
import { cardsOrVcardError } from './fixtures';

const MB = 1024 * 1024;
const BIG_BUDGET_MS = 5000;

const HOSTILE: Record<string, () => string> = {
  'one long line of semicolons in a structured value': () => `BEGIN:VCARD\r\nN:${';'.repeat(MB)}\r\nEND:VCARD\r\n`,
  'one long line of escapes': () => `BEGIN:VCARD\r\nVERSION:3.0\r\nNOTE:${'\\,\\n\\'.repeat(MB / 5)}\r\nEND:VCARD\r\n`,
  'parameters full of quotes': () => `BEGIN:VCARD\r\nTEL;${'TYPE="a;b:c",'.repeat(MB / 14)}X:1\r\nEND:VCARD\r\n`,
  'an unclosed quote': () => `BEGIN:VCARD\r\nTEL;TYPE="${'x'.repeat(MB)}:1\r\nEND:VCARD\r\n`,
  'quoted-printable soft breaks only': () => `BEGIN:VCARD\r\nNOTE;ENCODING=QUOTED-PRINTABLE:${'=\r\n'.repeat(MB / 3)}x\r\nEND:VCARD\r\n`,
  'quoted-printable soft break at the end': () => `BEGIN:VCARD\r\nNOTE;ENCODING=QUOTED-PRINTABLE:${'=41'.repeat(MB / 3)}=`,
  'folds only': () => `BEGIN:VCARD\r\nNOTE:${'\r\n '.repeat(MB / 3)}\r\nEND:VCARD\r\n`,
  'a head folded over many lines': () => `BEGIN:VCARD\r\nX${'\r\n x'.repeat(MB / 4)}:1\r\nEND:VCARD\r\n`,
  'continuation lines without colons': () => `BEGIN:VCARD\r\nNOTE:a\r\n${'b\r\n'.repeat(MB / 3)}END:VCARD\r\n`,
  'lines that peek many folds ahead': () => `BEGIN:VCARD\r\nNOTE:a\r\n${'b\r\n x\r\n'.repeat(MB / 7)}END:VCARD\r\n`,
  'nested BEGIN lines': () => 'BEGIN:VCARD\r\n'.repeat(MB / 13),
  'many tiny properties': () => `BEGIN:VCARD\r\n${'X:\r\n'.repeat(MB / 4)}END:VCARD\r\n`,
  'many tiny cards': () => 'BEGIN:VCARD\r\nEND:VCARD\r\n'.repeat(MB / 22),
  'blank lines': () => `BEGIN:VCARD\r\n${'\r\n'.repeat(MB / 2)}END:VCARD\r\n`,
  'lone CRs': () => `BEGIN:VCARD\r\nNOTE:${'\r'.repeat(MB)}END:VCARD\r\n`,
  'CR runs before LF': () => `BEGIN:VCARD\r\nNOTE:a${'\r'.repeat(MB)}\nEND:VCARD\r\n`,
  'LF-only file with one CR at the end': () => `BEGIN:VCARD\n${'NOTE:x\n'.repeat(MB / 7)}END:VCARD\r`,
  'base64 garbage': () => `BEGIN:VCARD\r\nPHOTO;ENCODING=b:${'A!'.repeat(MB / 2)}\r\nEND:VCARD\r\n`,
  'a valid 1 MB base64 photo': () => `BEGIN:VCARD\r\nVERSION:3.0\r\nPHOTO;ENCODING=b:${Buffer.alloc((MB / 4) * 3, 7).toString('base64')}\r\nEND:VCARD\r\n`,
  'a long X- name': () => `BEGIN:VCARD\r\nX-${'A'.repeat(MB)}:1\r\nEND:VCARD\r\n`,
  'comment lines': () => `BEGIN:VCARD\r\n${'# c\r\n'.repeat(MB / 5)}END:VCARD\r\n`,
  'group dots': () => `BEGIN:VCARD\r\n${'a.'.repeat(MB / 2)}TEL:1\r\nEND:VCARD\r\n`,
  'NULs': () => `BEGIN:VCARD\r\nNOTE:${'\0'.repeat(MB)}\r\nEND:VCARD\r\n${'\0'.repeat(1000)}`,
};

for (const [name, make] of Object.entries(HOSTILE)) {
  test(`hostile 1 MB input gives cards or a VcardError promptly: ${name}`, () => {
    const text = make();
    assert.ok(text.length >= MB / 2, `input of ${text.length} characters`);
    cardsOrVcardError(`${name} (text)`, text, BIG_BUDGET_MS);
    cardsOrVcardError(`${name} (bytes)`, Buffer.from(text, 'utf8'), BIG_BUDGET_MS);
  });
}

test('hostile inputs are rejected with the expected codes where rejection is right', () => {
  const codeOf = (name: string): string | undefined => {
    const make = HOSTILE[name];
    assert.ok(make !== undefined, name);
    const result = cardsOrVcardError(name, make(), BIG_BUDGET_MS);
    return result instanceof VcardError ? result.code : undefined;
  };
  assert.equal(codeOf('quoted-printable soft break at the end'), 'vcard.bad-encoding');
  assert.equal(codeOf('nested BEGIN lines'), 'vcard.too-deep');
  assert.equal(codeOf('many tiny properties'), 'vcard.too-large');
  assert.equal(codeOf('base64 garbage'), 'vcard.bad-encoding');
  assert.equal(codeOf('LF-only file with one CR at the end'), 'vcard.too-large');
  assert.equal(codeOf('a valid 1 MB base64 photo'), undefined);
});
