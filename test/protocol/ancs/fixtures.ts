/**
 * Shared fast-check arbitraries and helpers for ANCS tests: valid
 * Notification Source events, Control Point commands and Data Source replies
 * (unknown enum values, non-ASCII text and odd bytes included), plus helpers
 * to cut byte streams at arbitrary points. The arbitraries live in
 * src/harness/fuzz/ancs-arbitraries.ts, shared with the fuzz campaigns.
 */
import assert from 'node:assert/strict';
import { AncsError } from '../../../src/protocol/ancs/errors';


/**
 * Runs `fn`, asserts it throws an AncsError with `code` (and `offset` when
 * given, `undefined` included when passed explicitly), and returns the error.
 */
export function assertAncsError(fn: () => unknown, code: string, ...offset: [number | undefined] | []): AncsError {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof AncsError, `expected AncsError ${code}, got ${caught === undefined ? 'no error' : String(caught)}`);
  assert.equal(caught.code, code, caught.message);
  if (offset.length === 1) assert.equal(caught.offset, offset[0], `offset of ${code}: ${caught.message}`);
  return caught;
}

/** Parses a hex string, ignoring spaces: `hex('00 01')`. */
export function hex(text: string): Uint8Array {
  const clean = text.replace(/\s+/g, '');
  if (clean.length % 2 !== 0 || /[^0-9a-fA-F]/.test(clean)) throw new Error(`bad hex fixture: ${text}`);
  return Uint8Array.from(Buffer.from(clean, 'hex'));
}

/** Lower-case hex of bytes, no spaces. */
export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

export * from '../../../src/harness/fuzz/ancs-arbitraries';
