/**
 * Shared helpers for the OBEX tests: hex conversion, the bluez-gobex corpus
 * loader, a scripted peer that checks what a session sends, and a channel
 * that wires two sessions together and re-chunks bytes randomly.
 */
import * as fs from 'node:fs';
import fc from 'fast-check';
import * as path from 'node:path';
import type { VirtualClock } from '../../../src/link/virtual-clock';
import type { Random } from '../../../src/util/random';
import type { ObexHeader } from '../../../src/protocol/obex';

export function hex(text: string): Uint8Array {
  const clean = text.replace(/[^0-9a-fA-F]/g, '');
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(2 * i, 2 * i + 2), 16);
  return out;
}

export function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

export const CORPUS_DIR = path.resolve(__dirname, '..', '..', '..', '..', 'shared', 'corpora', 'bluez-gobex');
export const CORPUS_MISSING = 'bluez-gobex corpus not found at ../shared/corpora/bluez-gobex';

export interface VectorArray {
  name: string;
  hex: string;
  length: number;
}

export interface VectorSequence {
  test: string;
  groups: string[][];
}

export interface VectorFile {
  arrays: VectorArray[];
  sequences: VectorSequence[];
}

/** The corpus, keyed by C file name; undefined when the corpus is absent. */
export function loadGobexVectors(): Record<string, VectorFile> | undefined {
  const file = path.join(CORPUS_DIR, 'gobex_vectors.json');
  if (!fs.existsSync(file)) return undefined;
  return JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, VectorFile>;
}

/** Bytes of a named array across all files of the corpus. */
export function vectorBytes(corpus: Record<string, VectorFile>, file: string, name: string): Uint8Array {
  const found = corpus[file]?.arrays.find((a) => a.name === name);
  if (!found) throw new Error(`vector ${file}:${name} not in corpus`);
  return hex(found.hex);
}

/** Collects what a session sends, packet by packet (sessions send whole packets). */
export class Wire {
  readonly sent: Uint8Array[] = [];
  readonly send = (bytes: Uint8Array): void => {
    this.sent.push(Uint8Array.from(bytes));
  };

  get hexes(): string[] {
    return this.sent.map(toHex);
  }

  take(): Uint8Array[] {
    return this.sent.splice(0, this.sent.length);
  }
}

/**
 * A one-way byte pipe over the virtual clock: each `send` is cut into random
 * chunks delivered in order, a little later, to `deliver`.
 */
export class ChunkingPipe {
  private lastAt = 0;
  delivered = 0;

  constructor(
    private readonly clock: VirtualClock,
    private readonly random: Random,
    private readonly deliver: (chunk: Uint8Array) => void,
    private readonly maxChunk = 700,
  ) {}

  readonly send = (bytes: Uint8Array): void => {
    const copy = Uint8Array.from(bytes);
    let at = 0;
    while (at < copy.length) {
      const size = Math.min(copy.length - at, this.random.int(1, this.maxChunk));
      const chunk = copy.subarray(at, at + size);
      at += size;
      const when = Math.max(this.lastAt, this.clock.now() + this.random.int(0, 3));
      this.lastAt = when;
      this.clock.schedule(when - this.clock.now(), () => {
        this.delivered += chunk.length;
        this.deliver(chunk);
      });
    }
  };
}

export async function* chunksOf(bytes: Uint8Array, sizes: readonly number[], clock?: VirtualClock): AsyncIterable<Uint8Array> {
  let at = 0;
  let i = 0;
  while (at < bytes.length) {
    const size = Math.max(1, sizes.length > 0 ? (sizes[i++ % sizes.length] as number) : bytes.length);
    if (clock) await clock.sleep(1);
    yield bytes.slice(at, at + size);
    at += size;
  }
}

/** Concatenates chunks. */
export function concat(parts: readonly Uint8Array[]): Uint8Array {
  const total = parts.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(total);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** A promise's state without waiting for it. */
export function track<T>(promise: Promise<T>): { settled: boolean; value?: T; error?: unknown; promise: Promise<T> } {
  const state: { settled: boolean; value?: T; error?: unknown; promise: Promise<T> } = { settled: false, promise };
  promise.then(
    (value) => {
      state.settled = true;
      state.value = value;
    },
    (error: unknown) => {
      state.settled = true;
      state.error = error;
    },
  );
  return state;
}

/** Any encodable header: every ID range, lone-NUL empty text included. */
export const headerArb: fc.Arbitrary<ObexHeader> = fc
  .oneof(
    fc.record({
      id: fc.integer({ min: 0, max: 0x3f }),
      kind: fc.constant('unicode' as const),
      value: fc.string({ unit: 'binary', maxLength: 30 }),
    }),
    fc.record({
      id: fc.integer({ min: 0, max: 0x3f }),
      kind: fc.constant('unicode' as const),
      value: fc.constant(''),
      emptyWithNul: fc.constant(true),
    }),
    fc.record({
      id: fc.integer({ min: 0x40, max: 0x7f }),
      kind: fc.constant('bytes' as const),
      value: fc.uint8Array({ maxLength: 60 }),
    }),
    fc.record({
      id: fc.integer({ min: 0x80, max: 0xbf }),
      kind: fc.constant('u8' as const),
      value: fc.integer({ min: 0, max: 255 }),
    }),
    fc.record({
      id: fc.integer({ min: 0xc0, max: 0xff }),
      kind: fc.constant('u32' as const),
      value: fc.integer({ min: 0, max: 0xffffffff }),
    }),
  )
  .map((h) => ({ ...h }) as ObexHeader); // fc.record builds null-prototype objects
