import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { HfpError, utf8Length } from '../../../src/protocol/hfp/errors';
import {
  type AtParam,
  formatParameters,
  parseParameters,
  tokenizeParameters,
} from '../../../src/protocol/hfp/tokenizer';
import { quotableText } from './arbitraries';

/** Params without offsets, strings as-is, ranges as `min-max`, lists as arrays (bumble's shape). */
type Plain = string | Plain[];
function plain(params: readonly AtParam[]): Plain[] {
  return params.map((p): Plain => {
    if (p.kind === 'list') return plain(p.items);
    if (p.kind === 'range') return `${p.min}-${p.max}`;
    return p.value;
  });
}

test('quoted strings keep commas and parentheses; spaces around values are ignored', () => {
  assert.deepEqual(
    tokenizeParameters('1, "a, (b)" ,x y').map((t) => [t.type, t.value]),
    [
      ['bare', '1'],
      ['comma', ','],
      ['string', 'a, (b)'],
      ['comma', ','],
      ['bare', 'x y'],
    ],
  );
});

test('the +CIND test list parses into nested lists with ranges', () => {
  const params = parseParameters('("call",(0,1)),("callsetup",(0-3))');
  assert.deepEqual(plain(params), [
    ['call', ['0', '1']],
    ['callsetup', ['0-3']],
  ]);
  const setup = params[1];
  assert.ok(setup?.kind === 'list');
  const values = setup.items[1];
  assert.ok(values?.kind === 'list');
  assert.deepEqual(values.items[0], { kind: 'range', min: 0, max: 3, offset: 29 });
});

test('empty parameters are kept as empty bare values, including a trailing one', () => {
  assert.deepEqual(plain(parseParameters('3,,,1')), ['3', '', '', '1']);
  assert.deepEqual(plain(parseParameters('1,')), ['1', '']);
  assert.deepEqual(plain(parseParameters(',')), ['', '']);
  assert.deepEqual(plain(parseParameters('')), []);
  assert.deepEqual(plain(parseParameters('()')), [[]]);
  assert.deepEqual(plain(parseParameters('""')), ['']);
});

test('offsets count from the whole text when parsing starts mid-line', () => {
  const line = '+CIEV: 3,1';
  const params = parseParameters(line, { start: 6 });
  assert.deepEqual(
    params.map((p) => p.offset),
    [7, 9],
  );
});

test('strict mode rejects malformed text with a typed error and offset', () => {
  const cases: [string, string, number][] = [
    ['"open', 'hfp.unterminated-string', 0],
    ['1,2)', 'hfp.bad-syntax', 3],
    ['(1,2', 'hfp.bad-syntax', 0],
    ['129"', 'hfp.bad-syntax', 3],
    ['"call"(0,1)', 'hfp.bad-syntax', 6],
    ['"a""b"', 'hfp.bad-syntax', 3],
    ['((((((((((1))))))))))', 'hfp.too-deep', 8],
  ];
  for (const [text, code, offset] of cases) {
    assert.throws(
      () => parseParameters(text),
      (e: unknown) => e instanceof HfpError && e.code === code && e.offset === offset,
      text,
    );
  }
});

test('lenient mode repairs the slips real AGs make, and only those', () => {
  assert.deepEqual(plain(parseParameters('1,"open', { lenient: true })), ['1', 'open']);
  assert.deepEqual(plain(parseParameters('0,0,"1234567",129"', { lenient: true })), ['0', '0', '1234567', '129']);
  assert.deepEqual(plain(parseParameters('("call"(0,1)),("callsetup",(0-3))', { lenient: true })), [
    ['call', ['0', '1']],
    ['callsetup', ['0-3']],
  ]);
  assert.throws(() => parseParameters('1)', { lenient: true }), HfpError);
  assert.throws(() => parseParameters('(1', { lenient: true }), HfpError);
});

test('error offsets are UTF-8 byte offsets', () => {
  assert.throws(
    () => parseParameters('"é",1)'),
    (e: unknown) => e instanceof HfpError && e.code === 'hfp.bad-syntax' && e.offset === 6,
  );
});

const bareValue = fc
  .stringMatching(/^[A-Za-z0-9+*#.][A-Za-z0-9+*#. -]{0,8}$/)
  .map((s) => s.trim())
  .filter((s) => s !== '' && !/^\d+\s*-\s*\d+$/.test(s));

const paramArb: fc.Arbitrary<AtParam> = fc.letrec<{ param: AtParam }>((tie) => ({
  param: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    quotableText().map((value): AtParam => ({ kind: 'string', value, offset: 0 })),
    bareValue.map((value): AtParam => ({ kind: 'bare', value, offset: 0 })),
    fc.tuple(fc.nat(99), fc.nat(99)).map(([min, max]): AtParam => ({ kind: 'range', min, max, offset: 0 })),
    fc.array(tie('param'), { maxLength: 4 }).map((items): AtParam => ({ kind: 'list', items, offset: 0 })),
  ),
})).param;

function withoutOffsets(params: readonly AtParam[]): unknown {
  return params.map((p): unknown => {
    if (p.kind === 'list') return { kind: 'list', items: withoutOffsets(p.items) };
    if (p.kind === 'range') return { kind: 'range', min: p.min, max: p.max };
    return { kind: p.kind, value: p.value };
  });
}

test('property: formatted parameter trees parse back to the same tree', () => {
  fc.assert(
    fc.property(fc.array(paramArb, { minLength: 1, maxLength: 5 }), (params) => {
      const text = formatParameters(params);
      assert.deepEqual(withoutOffsets(parseParameters(text)), withoutOffsets(params));
      assert.deepEqual(withoutOffsets(parseParameters(text, { lenient: true })), withoutOffsets(params));
    }),
    { numRuns: 500 },
  );
});

test('property: any text either parses or throws HfpError, in both modes', () => {
  const alphabet = fc.constantFrom(...'(),"0123456789- x'.split(''));
  fc.assert(
    fc.property(fc.oneof(fc.string({ unit: alphabet, maxLength: 40 }), fc.string({ maxLength: 40 })), fc.boolean(), (text, lenient) => {
      try {
        parseParameters(text, { lenient });
      } catch (e) {
        assert.ok(e instanceof HfpError, String(e));
      }
    }),
    { numRuns: 1000 },
  );
});

test('formatting refuses values AT text cannot carry', () => {
  assert.throws(() => formatParameters([{ kind: 'string', value: 'a"b', offset: 0 }]), /unencodable|quote/);
  assert.throws(() => formatParameters([{ kind: 'bare', value: 'a,b', offset: 0 }]), HfpError);
});

test('property: utf8Length agrees with the encoder for any string and prefix', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'binary', maxLength: 20 }), fc.nat(20), (text, cut) => {
      const end = Math.min(cut, text.length);
      assert.equal(utf8Length(text, end), Buffer.byteLength(text.slice(0, end), 'utf8'));
    }),
    { numRuns: 500 },
  );
});
