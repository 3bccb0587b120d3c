/**
 * Errors raised by the link layer: ATT error responses, a dropped or absent
 * link, failed pairing, a full transmit queue. Each carries a stable `code`.
 */
import { attErrorName } from './att-codes';

export class LinkError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** An ATT Error Response from the peer's GATT server. */
export class AttError extends LinkError {
  constructor(
    /** ATT error code (0x01..0xFF); ANCS uses 0xA0..0xA3. */
    readonly attCode: number,
    message?: string,
  ) {
    super('link.att-error', message ?? `ATT error 0x${attCode.toString(16).padStart(2, '0')} (${attErrorName(attCode)})`);
  }
}

/** The link went down (or was never up) while an operation needed it. */
export class DisconnectedError extends LinkError {
  constructor(readonly reason: number, message = `link disconnected (reason 0x${reason.toString(16)})`) {
    super('link.disconnected', message);
  }
}

export class PairingError extends LinkError {
  constructor(message: string) {
    super('link.pairing-failed', message);
  }
}

/** A bounded queue refused more data; the caller must back off. */
export class QueueFullError extends LinkError {
  constructor(what: string, limit: number) {
    super('link.queue-full', `${what} queue is full (${limit} entries)`);
  }
}
