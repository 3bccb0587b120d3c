/**
 * Helpers for the MAP codec tests: text to bytes and back, and an assertion
 * that a call throws a MapError with a given code and a numeric offset.
 */
import assert from 'node:assert/strict';
import { isMapError, type MapErrorCodeValue } from '../../../src/protocol/map';

export function bytes(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

export function text(data: Uint8Array): string {
  return new TextDecoder().decode(data);
}

/** CRLF-joined lines with a final CRLF. */
export function crlf(...lines: string[]): string {
  return lines.map((l) => `${l}\r\n`).join('');
}

/** Asserts `fn` throws a MapError with `code` (and, unless `offset` is false, a numeric offset; a number checks it exactly). */
export function assertMapError(fn: () => unknown, code: MapErrorCodeValue, offset?: number | false, label?: string): void {
  assert.throws(
    fn,
    (err: unknown) => {
      assert.ok(isMapError(err), `${label ?? ''} expected a MapError, got ${String(err)}`);
      assert.equal(err.code, code, `${label ?? ''} ${err.message}`);
      if (offset !== false) assert.equal(typeof err.offset, 'number', `${label ?? ''} offset`);
      if (typeof offset === 'number') assert.equal(err.offset, offset, `${label ?? ''} ${err.message}`);
      return true;
    },
    label,
  );
}

/** Runs `fn`; returns normally for a value or a MapError, fails the test for any other exception. */
export function valueOrMapError(fn: () => unknown): void {
  try {
    fn();
  } catch (err) {
    if (!isMapError(err)) throw err;
  }
}
