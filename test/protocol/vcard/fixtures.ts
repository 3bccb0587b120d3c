/**
 * Shared pieces of the vCard tests: arbitrary cards for property tests, the
 * normal form a card takes after a trip through a given version, error
 * assertions (including "cards or a VcardError, promptly"), and where the
 * shared corpora live.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import fc from 'fast-check';
import { ProtocolError } from '../../../src/protocol/errors';
import { VcardError, type VcardErrorCodeValue } from '../../../src/protocol/vcard/errors';
import { Vcard, valueShape, type VcardProperty, type VcardValue } from '../../../src/protocol/vcard/model';
import { parseVcards } from '../../../src/protocol/vcard/parser';
import type { VcardWriteVersion } from '../../../src/protocol/vcard/writer';

/** `../shared/corpora/<name>` beside the repository. */
export function corpusDir(name: string): string {
  return path.resolve(__dirname, '..', '..', '..', '..', 'shared', 'corpora', name);
}

/** Asserts that `fn` throws a VcardError with `code` (and, when given, that offset). */
export function assertVcardError(fn: () => unknown, code: VcardErrorCodeValue, offset?: number): VcardError {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof VcardError, `expected VcardError ${code}, got ${String(caught)}`);
  assert.equal(caught.code, code, caught.message);
  if (offset !== undefined) assert.equal(caught.offset, offset, caught.message);
  return caught;
}

/** Characters that stress escaping, folding, quoted-printable and charsets. */
const TRICKY = ['a', 'Z', '0', ' ', ',', ';', ':', '\\', '\n', '\r\n', '\r', '\t', '=', '"', '#', 'é', 'ß', '名', '😀', '=0D', '\\n', 'END:VCARD'];

/** Text without NUL (3.0 cannot carry it; see the writer tests). */
export const textArb: fc.Arbitrary<string> = fc
  .oneof(
    fc.string({ maxLength: 30 }),
    fc.string({ unit: 'binary', maxLength: 30 }),
    fc.array(fc.constantFrom(...TRICKY), { maxLength: 25 }).map((parts) => parts.join('')),
    fc.string({ minLength: 60, maxLength: 200 }),
  )
  .map((s) => s.replace(/\0/g, '0'));

const typeArb = fc.constantFrom('CELL', 'HOME', 'WORK', 'VOICE', 'PREF', 'INTERNET', 'X-CUSTOM', '0', 'pref', 'x-Mixed', 'MSG');
const groupArb = fc.option(fc.constantFrom('item1', 'ITEM2', 'a-b'), { nil: undefined });

function withGroup(property: VcardProperty, group: string | undefined): VcardProperty {
  if (group !== undefined) property.group = group;
  return property;
}

const typedTextProperty = (name: string): fc.Arbitrary<VcardProperty> =>
  fc
    .tuple(textArb, fc.array(typeArb, { maxLength: 3 }), groupArb)
    .map(([value, types, group]) => withGroup({ name, params: types.length > 0 ? [{ name: 'TYPE', values: types }] : [], value }, group));

const componentValuesArb = fc.array(textArb, { minLength: 1, maxLength: 3 });
const singleValueArb = textArb.map((t) => [t]);

const structuredProperty = (name: string, count: number, lists: boolean): fc.Arbitrary<VcardProperty> =>
  fc
    .tuple(fc.array(lists ? componentValuesArb : singleValueArb, { minLength: 1, maxLength: count }), groupArb)
    .map(([value, group]) => withGroup({ name, params: [], value }, group));

const quotedParamArb = fc.constantFrom('plain', 'with:colon', 'semi;colon', 'comma,value', 'spa ce', '名前');

/** An arbitrary property of a phone book card: names, numbers, notes, photos, X- extensions. */
export const propertyArb: fc.Arbitrary<VcardProperty> = fc.oneof(
  textArb.map((value): VcardProperty => ({ name: 'FN', params: [], value })),
  structuredProperty('N', 5, true),
  structuredProperty('ADR', 7, true),
  structuredProperty('ORG', 3, false),
  typedTextProperty('TEL'),
  typedTextProperty('EMAIL'),
  typedTextProperty('NOTE'),
  typedTextProperty('X-FOO-BAR'),
  fc.tuple(fc.array(textArb, { minLength: 1, maxLength: 3 }), groupArb).map(([values, group]) => withGroup({ name: 'CATEGORIES', params: [], value: [values] }, group)),
  fc.uint8Array({ maxLength: 300 }).map((bytes): VcardProperty => ({ name: 'PHOTO', params: [{ name: 'TYPE', values: ['JPEG'] }], value: bytes })),
  fc.tuple(fc.constantFrom('MISSED', 'RECEIVED', 'DIALED'), fc.constantFrom('20170101T010100', '20240229T235959Z')).map(
    ([kind, time]): VcardProperty => ({ name: 'X-IRMC-CALL-DATETIME', params: [{ name: 'TYPE', values: [kind] }], value: time }),
  ),
  fc.tuple(textArb, quotedParamArb).map(([value, label]): VcardProperty => ({ name: 'X-LABELLED', params: [{ name: 'X-LABEL', values: [label] }], value })),
);

export const cardArb: fc.Arbitrary<Vcard> = fc.array(propertyArb, { maxLength: 8 }).map((properties) => new Vcard('3.0', properties));

function normalText(text: string, version: VcardWriteVersion): string {
  return version === '2.1' ? text : text.replace(/\r\n|\r/g, '\n');
}

/**
 * The value a property has after a trip through `version`: 3.0 writes every
 * line break as `\n`; 2.1 has no value lists, so list values come back
 * joined by commas.
 */
function normalValue(name: string, value: VcardValue, version: VcardWriteVersion): VcardValue {
  if (value instanceof Uint8Array) return value;
  if (typeof value === 'string') return normalText(value, version);
  const components = value.map((values) => values.map((v) => normalText(v, version)));
  if (version === '3.0') return components;
  if (valueShape(name) === 'list') return [[components.map((values) => values.join(',')).join(',')]];
  return components.map((values) => [values.join(',')]);
}

/** What `parseVcards(writeVcard(card, version))[0]` should equal. */
export function normalCard(card: Vcard, version: VcardWriteVersion): Vcard {
  const properties = card.properties.map((p): VcardProperty => {
    const out: VcardProperty = { name: p.name, params: p.params.map((q) => ({ name: q.name, values: [...q.values] })), value: normalValue(p.name, p.value, version) };
    if (p.group !== undefined) out.group = p.group;
    return out;
  });
  return new Vcard(version, properties, card.nested.map((n) => normalCard(n, version)));
}

/** A card as plain data for deepEqual, bytes as arrays. */
export function plain(card: Vcard): unknown {
  return {
    version: card.version,
    properties: card.properties.map((p) => ({
      group: p.group,
      name: p.name,
      params: p.params,
      value: p.value instanceof Uint8Array ? { bytes: Array.from(p.value) } : p.value,
    })),
    nested: card.nested.map(plain),
  };
}

/** Generous: the parser is linear, so even a slow machine is far below these. */
export const BUDGET_MS = 250;

/** Parses `input`; anything thrown must be a VcardError with an offset inside the input, and the call must be quick. */
export function cardsOrVcardError(what: string, input: string | Uint8Array, budgetMs = BUDGET_MS): Vcard[] | VcardError {
  const size = typeof input === 'string' ? Buffer.byteLength(input, 'utf8') : input.length;
  const started = performance.now();
  let result: Vcard[] | VcardError;
  try {
    result = parseVcards(input);
    assert.ok(result.every((c) => c instanceof Vcard));
  } catch (err) {
    assert.ok(err instanceof VcardError && err instanceof ProtocolError, `${what} threw ${String(err)}`);
    assert.ok(err.code.startsWith('vcard.'), err.code);
    assert.ok(err.offset === undefined || (err.offset >= 0 && err.offset <= size), `${what}: offset ${err.offset} outside 0..${size}`);
    result = err;
  }
  const took = performance.now() - started;
  assert.ok(took < budgetMs, `${what} took ${took.toFixed(1)} ms`);
  return result;
}
