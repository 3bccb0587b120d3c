import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { AppParam } from '../../../src/protocol/obex/apparam';
import {
  createTypedAppParamCodec,
  type TypedAppParamProblem,
  type TypedAppParamSpec,
} from '../../../src/protocol/obex/typed-app-params';

interface DemoParams {
  flag?: number;
  count?: number;
  mask?: number;
  big?: bigint;
  id?: Uint8Array;
  label?: string;
  unknown?: AppParam[];
}

/** What the demo profile's errors look like: the problem name and the offset. */
class DemoError extends Error {
  constructor(
    readonly problem: TypedAppParamProblem,
    message: string,
    readonly offset: number | undefined,
  ) {
    super(message);
  }
}

const SPEC: TypedAppParamSpec<DemoParams> = {
  fields: [
    { tag: 0x01, key: 'flag', kind: 'u8' },
    { tag: 0x02, key: 'count', kind: 'u16' },
    { tag: 0x03, key: 'mask', kind: 'u32' },
    { tag: 0x04, key: 'big', kind: 'u64' },
    { tag: 0x05, key: 'id', kind: 'bytes16' },
    { tag: 0x06, key: 'label', kind: 'text' },
  ],
  fail: (problem, message, offset) => new DemoError(problem, message, offset),
};
const codec = createTypedAppParamCodec(SPEC);
const strict = createTypedAppParamCodec({ ...SPEC, rejectNulInText: true, keepBom: true });

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
const bytes = (text: string): Uint8Array => Uint8Array.from(Buffer.from(text.replace(/\s+/g, ''), 'hex'));

function problemOf(fn: () => unknown): { problem: TypedAppParamProblem; offset: number | undefined } {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof DemoError, `expected DemoError, got ${String(err)}`);
    return { problem: err.problem, offset: err.offset };
  }
  assert.fail('expected a failure');
}

test('fixture: every kind, in table order, then unknown tags as given', () => {
  const params: DemoParams = {
    label: 'Hi',
    flag: 0x7f,
    count: 0x0102,
    mask: 0xdeadbeef,
    big: 0x0102030405060708n,
    id: Uint8Array.from({ length: 16 }, (_, i) => i),
    unknown: [{ tag: 0xf0, value: Uint8Array.from([0xaa]) }],
  };
  const wire =
    '01 01 7f' +
    '02 02 0102' +
    '03 04 deadbeef' +
    '04 08 0102030405060708' +
    '05 10 000102030405060708090a0b0c0d0e0f' +
    '06 03 486900' +
    'f0 01 aa';
  assert.equal(hex(codec.encode(params)), wire.replace(/\s+/g, ''));
  assert.deepEqual(codec.decode(bytes(wire)), params);
});

test('decode failures: truncated, bad size, repeated, bad text; offsets point at the TLV', () => {
  assert.deepEqual(problemOf(() => codec.decode(bytes('02 02 01'))), { problem: 'truncated', offset: 1 });
  assert.deepEqual(problemOf(() => codec.decode(bytes('01 01 00 02 01 05'))), { problem: 'bad-size', offset: 4 });
  assert.deepEqual(problemOf(() => codec.decode(bytes('01 01 00 01 01 01'))), { problem: 'repeated', offset: 3 });
  assert.deepEqual(problemOf(() => codec.decode(bytes('06 02 ff00'))), { problem: 'bad-text', offset: 2 });
  // Text is not size-checked; one trailing NUL is dropped, an empty value is ''.
  assert.deepEqual(codec.decode(bytes('06 00')), { label: '' });
});

test('encode failures are bad-value: out of range, wrong type, known tag in unknown, NUL only when asked', () => {
  assert.equal(problemOf(() => codec.encode({ flag: 256 })).problem, 'bad-value');
  assert.equal(problemOf(() => codec.encode({ count: 1.5 })).problem, 'bad-value');
  assert.equal(problemOf(() => codec.encode({ big: -1n })).problem, 'bad-value');
  assert.equal(problemOf(() => codec.encode({ id: new Uint8Array(15) })).problem, 'bad-value');
  assert.equal(problemOf(() => codec.encode({ label: 'x'.repeat(255) })).problem, 'bad-value');
  assert.equal(problemOf(() => codec.encode({ unknown: [{ tag: 0x02, value: new Uint8Array(2) }] })).problem, 'bad-value');
  assert.equal(problemOf(() => codec.encode({ unknown: [{ tag: 0xf0, value: new Uint8Array(256) }] })).problem, 'bad-value');
  assert.equal(hex(codec.encode({ label: 'a\0b' })), '0604610062 00'.replace(/\s+/g, ''));
  assert.equal(problemOf(() => strict.encode({ label: 'a\0b' })).problem, 'bad-value');
});

test('keepBom: a leading byte-order mark survives only when asked', () => {
  const wire = bytes('06 04 efbbbf41');
  assert.equal(codec.decode(wire).label, 'A');
  assert.equal(strict.decode(wire).label, '\uFEFFA');
});

test('tagOf: the tag of a key; RangeError for anything else', () => {
  assert.equal(codec.tagOf('mask'), 0x03);
  assert.throws(() => codec.tagOf('nope' as 'mask'), RangeError);
});

test('property: typed values round-trip; decode throws only the profile error', () => {
  const params = fc.record(
    {
      flag: fc.integer({ min: 0, max: 0xff }),
      count: fc.integer({ min: 0, max: 0xffff }),
      mask: fc.integer({ min: 0, max: 0xffffffff }),
      big: fc.bigInt({ min: 0n, max: 0xffffffffffffffffn }),
      id: fc.uint8Array({ minLength: 16, maxLength: 16 }),
      label: fc.string({ maxLength: 40 }).filter((s) => !s.includes('\0') && !s.startsWith('\uFEFF')),
      unknown: fc.array(fc.record({ tag: fc.integer({ min: 0x40, max: 0xff }), value: fc.uint8Array({ maxLength: 8 }) }, { noNullPrototype: true }), {
        minLength: 1,
        maxLength: 3,
      }),
    },
    { requiredKeys: [], noNullPrototype: true },
  );
  fc.assert(
    fc.property(params, (p) => {
      const wellFormed = p.label === undefined || Buffer.from(p.label, 'utf8').toString('utf8') === p.label;
      fc.pre(wellFormed);
      assert.deepEqual(codec.decode(codec.encode(p)), p);
    }),
    { numRuns: 300 },
  );
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 64 }), (raw) => {
      try {
        codec.decode(raw);
      } catch (err) {
        assert.ok(err instanceof DemoError);
      }
    }),
    { numRuns: 500 },
  );
});
