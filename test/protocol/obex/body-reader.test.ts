/**
 * Packet-sized reads from byte arrays and async chunk sources.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { BodyReader, isObexError } from '../../../src/protocol/obex';
import { chunksOf, concat, toHex } from './obex-test-kit';

async function readAll(reader: BodyReader, sizes: readonly number[]): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for (let i = 0; ; i++) {
    const max = sizes[i % sizes.length] as number;
    const piece = await reader.read(max);
    if (!piece) return out;
    assert.ok(piece.length >= 1 && piece.length <= max);
    out.push(Uint8Array.from(piece));
  }
}

test('pieces are exactly the size asked for until the body ends', async () => {
  const body = Uint8Array.from({ length: 10 }, (_, i) => i);
  const fromArray = await readAll(new BodyReader(body), [4]);
  assert.deepEqual(fromArray.map(toHex), ['00010203', '04050607', '0809']);
  const fromChunks = await readAll(new BodyReader(chunksOf(body, [3, 1, 0, 6])), [4]);
  assert.deepEqual(fromChunks.map(toHex), ['00010203', '04050607', '0809']);
  const reader = new BodyReader(new Uint8Array(0));
  assert.equal(await reader.read(5), undefined);
  assert.equal(reader.done, true);
});

test('empty chunks are skipped, and a source of only empty chunks is an empty body', async () => {
  async function* empties(): AsyncIterable<Uint8Array> {
    yield new Uint8Array(0);
    yield new Uint8Array(0);
  }
  assert.equal(await new BodyReader(empties()).read(10), undefined);
});

test('a source yielding something other than bytes is an ObexError', async () => {
  async function* wrong(): AsyncIterable<Uint8Array> {
    yield 'text' as unknown as Uint8Array;
  }
  await assert.rejects(new BodyReader(wrong()).read(10), (e: unknown) => isObexError(e, 'obex.bad-value'));
  await assert.rejects(new BodyReader(new Uint8Array(1)).read(0), (e: unknown) => isObexError(e, 'obex.bad-value'));
});

test('cancel() stops the source through its return()', async () => {
  let finished = false;
  async function* endless(): AsyncGenerator<Uint8Array> {
    try {
      for (;;) yield new Uint8Array(7);
    } finally {
      finished = true;
    }
  }
  const reader = new BodyReader(endless());
  assert.equal((await reader.read(10))?.length, 10);
  await reader.cancel();
  assert.equal(finished, true);
  assert.equal(await reader.read(10), undefined);
});

test('property: any chunking of the source and any read sizes give back the same bytes', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.uint8Array({ maxLength: 3000 }),
      fc.array(fc.integer({ min: 0, max: 700 }), { minLength: 1, maxLength: 5 }),
      fc.array(fc.integer({ min: 1, max: 900 }), { minLength: 1, maxLength: 5 }),
      async (body, chunkSizes, readSizes) => {
        const got = await readAll(new BodyReader(chunksOf(body, chunkSizes)), readSizes);
        assert.equal(toHex(concat(got)), toHex(body));
        got.slice(0, -1).forEach((piece, i) => assert.equal(piece.length, readSizes[i % readSizes.length]));
      },
    ),
    { numRuns: 300 },
  );
});
