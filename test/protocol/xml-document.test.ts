import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  escapeAttribute,
  expandXmlEntities,
  ownString,
  isXmlChar,
  isXmlRecord,
  parseXmlText,
  xmlByteOffset,
  type XmlFail,
} from '../../src/protocol/xml-document';

/** The caller's error in these tests: message and byte offset. */
class DemoXmlError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}
const fail: XmlFail = (message, offset) => new DemoXmlError(message, offset);

function failureOf(fn: () => unknown): DemoXmlError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof DemoXmlError, `expected DemoXmlError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected a failure');
}

test('parseXmlText: attributes under the prefix, values as strings, entities left for us, array tags always arrays', () => {
  const text = '<?xml version="1.0"?>\n<list version="1.0"><item id="007" a="x&amp;y"/></list>';
  const doc = parseXmlText(text, { attributePrefix: '@_', isArrayTag: (name) => name === 'item', fail });
  assert.deepEqual(doc, { list: { '@_version': '1.0', item: [{ '@_id': '007', '@_a': 'x&amp;y' }] } });
  const bare = parseXmlText('<list a="1"><item b="2"/></list>', { attributePrefix: '', isArrayTag: () => false, fail });
  assert.deepEqual(bare, { list: { a: '1', item: { b: '2' } } });
});

test('parseXmlText: malformed XML fails through the caller with the byte offset of the fault', () => {
  const err = failureOf(() => parseXmlText('<a>\n  <b></a>', { attributePrefix: '', isArrayTag: () => false, fail }));
  assert.match(err.message, /^not well-formed XML: /);
  assert.ok(err.offset > 0 && err.offset <= 13, `offset ${err.offset}`);
  // A DOCTYPE defining an entity gains nothing: entities are not processed.
  const doc = parseXmlText('<!DOCTYPE r [<!ENTITY e "boom">]><r v="&e;"/>', { attributePrefix: '', isArrayTag: () => false, fail });
  assert.deepEqual(doc, { r: { v: '&e;' } });
});

test('expandXmlEntities: the five predefined entities and character references, others kept; bad references fail', () => {
  assert.equal(expandXmlEntities('&lt;a&gt; &amp; &quot;&apos; &#65;&#x1F600; &nbsp;', fail), '<a> & "\' A😀 &nbsp;');
  assert.equal(expandXmlEntities('&amp;lt;', fail), '&lt;', 'one pass only');
  assert.match(failureOf(() => expandXmlEntities('x&#0;', fail)).message, /names no XML character/);
  assert.equal(failureOf(() => expandXmlEntities('&#xD800;', fail)).offset, 0);
});

test('escapeAttribute: specials as entities, whitespace as references, non-XML characters as U+FFFD', () => {
  assert.equal(escapeAttribute(`<a & "b" 'c'>`), '&lt;a &amp; &quot;b&quot; &apos;c&apos;&gt;');
  assert.equal(escapeAttribute('a\tb\r\nc'), 'a&#9;b&#13;&#10;c');
  assert.equal(escapeAttribute('x\u0001y\uFFFEz\uD800'), 'x\uFFFDy\uFFFDz\uFFFD');
  assert.equal(escapeAttribute('Zoë 😀'), 'Zoë 😀');
});

test('property: escape then parse then expand gives back the text (XML characters only)', () => {
  const xmlText = fc.string({ unit: 'binary', maxLength: 30 }).map((s) =>
    [...s].map((ch) => (isXmlChar(ch.codePointAt(0) as number) ? ch : '?')).join(''),
  );
  fc.assert(
    fc.property(xmlText, (value) => {
      const doc = parseXmlText(`<r v="${escapeAttribute(value)}"/>`, { attributePrefix: '', isArrayTag: () => false, fail });
      assert.ok(isXmlRecord(doc) && isXmlRecord(doc.r));
      const raw = doc.r.v;
      assert.equal(typeof raw, 'string');
      assert.equal(expandXmlEntities(String(raw), fail), value);
    }),
    { numRuns: 300 },
  );
});

test('xmlByteOffset and isXmlRecord', () => {
  assert.equal(xmlByteOffset('ab\ncé\nd', 2, 3), 6, 'é is two bytes');
  assert.equal(xmlByteOffset('ab', 9, 9), 2, 'clamped to the end');
  assert.equal(isXmlRecord({}), true);
  assert.equal(isXmlRecord([]), false);
  assert.equal(isXmlRecord(null), false);
  assert.equal(isXmlChar(0xfffe), false);
  assert.equal(isXmlChar(0x10ffff), true);
});

test('ownString copies a value exactly (so a kept attribute does not pin its document)', () => {
  const doc = `<x a="${'y'.repeat(1000)}"/>`;
  const slice = doc.slice(6, 20);
  assert.equal(ownString(slice), slice);
  assert.equal(ownString(''), '');
  assert.equal(ownString('Zoë 😀 日本'), 'Zoë 😀 日本');
});
