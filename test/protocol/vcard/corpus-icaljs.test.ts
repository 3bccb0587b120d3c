/**
 * The five ical.js parser fixtures (../shared/corpora/icaljs-vcard): each
 * .vcf parsed by us and mapped to jCard (RFC 7095) must equal ical.js's
 * expected .json. All five are supported. Two things in jCard are not ours
 * to produce, so the mapping below adds them: the value-type name (dropped
 * from the comparison; our model has no value types) and jCard's value
 * formatting (basic ISO 8601 dates and UTC offsets rewritten in extended
 * form, a 3.0 GEO as two floats, a VALUE parameter folded into the type).
 * Skips when ../shared is absent.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { paramValues, valueShape, type Vcard, type VcardProperty, type VcardVersion } from '../../../src/protocol/vcard/model';
import { parseVcards } from '../../../src/protocol/vcard/parser';
import { corpusDir } from './fixtures';

const DIR = corpusDir('icaljs-vcard');
const SKIP = `icaljs-vcard corpus not found at ${DIR}; skipping`;
const FILES = ['vcard', 'vcard3', 'vcard_author', 'vcard_grouped', 'escape_semicolon'];
/** Files we do not claim to support, with the reason: none. */
const UNSUPPORTED: Record<string, string> = {};

type JValue = string | number | (string | string[])[] | number[];

/** `19960415` -> `1996-04-15`, `--0203` -> `--02-03`, `20090808T1430-0500` -> `2009-08-08T14:30-05:00`. */
function extendedDateTime(text: string): string {
  const m = /^(\d{4}|--)(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})?(Z|[+-]\d{2}(?:\d{2})?)?)?$/.exec(text);
  if (m === null) return text;
  const [, year, month, day, hour, minute, second, zone] = m;
  let out = year === '--' ? `--${month}-${day}` : `${year}-${month}-${day}`;
  if (hour !== undefined) out += `T${hour}:${minute}${second === undefined ? '' : `:${second}`}${zone === undefined ? '' : extendedOffset(zone)}`;
  return out;
}

/** `-0500` -> `-05:00`. */
function extendedOffset(text: string): string {
  const m = /^([+-])(\d{2})(\d{2})$/.exec(text);
  return m === null ? text : `${m[1]}${m[2]}:${m[3]}`;
}

function jcardValues(p: VcardProperty, version: VcardVersion): JValue[] {
  const value = p.value;
  if (value instanceof Uint8Array) return [Buffer.from(value).toString('base64')];
  if (typeof value === 'string') {
    if (['BDAY', 'ANNIVERSARY', 'REV', 'DEATHDATE'].includes(p.name)) return [extendedDateTime(value)];
    if (p.name === 'TZ' && paramValues(p, 'VALUE')[0]?.toLowerCase() !== 'text') return [extendedOffset(value)];
    if (p.name === 'GEO' && version === '3.0') return [value.split(';').map(Number)];
    return [value];
  }
  if (valueShape(p.name) === 'list') return value.flat();
  if (value.length === 1 && value[0]?.length === 1) return [value[0][0] as string];
  return [value.map((values) => (values.length === 1 ? (values[0] as string) : values))];
}

function toJcard(card: Vcard): unknown {
  const properties = card.properties.map((p) => {
    const params: Record<string, string | string[]> = {};
    if (p.group !== undefined) params.group = p.group.toLowerCase();
    for (const param of p.params) {
      if (param.name === 'VALUE') continue;
      params[param.name.toLowerCase()] = param.values.length === 1 ? (param.values[0] as string) : param.values;
    }
    if (p.value instanceof Uint8Array) params.encoding = 'b';
    return [p.name.toLowerCase(), params, ...jcardValues(p, card.version)];
  });
  return ['vcard', [['version', {}, card.version], ...properties], []];
}

/** ical.js's expected jCard without the value-type names. */
function withoutTypes(jcard: unknown): unknown {
  assert.ok(Array.isArray(jcard) && jcard[0] === 'vcard' && Array.isArray(jcard[1]));
  return ['vcard', (jcard[1] as unknown[][]).map((p) => [p[0], p[1], ...p.slice(3)]), jcard[2]];
}

for (const name of FILES) {
  test(`ical.js fixture ${name}.vcf maps to the expected jCard`, (t) => {
    if (!existsSync(DIR)) {
      t.skip(SKIP);
      return;
    }
    const reason = UNSUPPORTED[name];
    if (reason !== undefined) {
      t.skip(reason);
      return;
    }
    const cards = parseVcards(readFileSync(path.join(DIR, `${name}.vcf`)));
    assert.equal(cards.length, 1);
    const expected = JSON.parse(readFileSync(path.join(DIR, `${name}.json`), 'utf8')) as unknown;
    assert.deepEqual(toJcard(cards[0] as Vcard), withoutTypes(expected));
  });
}
