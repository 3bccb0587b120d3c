/**
 * The one error family that protocol codecs throw. Every decode failure in
 * `src/protocol` is a `ProtocolError` subclass with a stable machine-readable
 * `code` and the byte `offset` where decoding stopped, so callers (and fuzzers)
 * can tell a malformed peer from a bug in our own code.
 */
export class ProtocolError extends Error {
  /** Stable identifier, e.g. `ancs.truncated`; never reworded once published. */
  readonly code: string;
  /** Byte offset into the input where the problem was found, when it applies. */
  readonly offset: number | undefined;

  constructor(code: string, message: string, offset?: number) {
    super(offset === undefined ? message : `${message} (at byte ${offset})`);
    this.name = new.target.name;
    this.code = code;
    this.offset = offset;
  }
}

/** True when `err` is a ProtocolError, optionally with the given code. */
export function isProtocolError(err: unknown, code?: string): err is ProtocolError {
  return err instanceof ProtocolError && (code === undefined || err.code === code);
}
