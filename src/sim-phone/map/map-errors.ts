/**
 * Errors of the phone's MAP side (not the codecs'): a reference to a
 * message the store does not hold, a full notification queue, and the MNS
 * client giving up on the PC's notification server. Each has a stable code.
 */
import { SimPhoneError } from '../errors';

/** No message with this id (never stored, deleted, or dropped as the oldest). */
export class UnknownMessageError extends SimPhoneError {
  constructor(readonly id: number | string) {
    super('sim-phone.unknown-message', `no message ${JSON.stringify(id)} on the phone`);
  }
}

/** An event report could not be queued for the PC: its queue holds the limit already. */
export class MnsQueueFullError extends SimPhoneError {
  constructor(readonly limit: number) {
    super('sim-phone.mns-queue-full', `MNS event queue is full (${limit} events); event dropped`);
  }
}

/** The phone could not reach (or lost) the PC's notification server and stopped trying. */
export class MnsUnreachableError extends SimPhoneError {
  constructor(
    readonly pcAddress: string,
    readonly attempts: number,
    readonly lastError: unknown,
  ) {
    super(
      'sim-phone.mns-unreachable',
      `gave up on the MNS of ${pcAddress} after ${attempts} attempt(s): ${lastError instanceof Error ? lastError.message : String(lastError)}`,
    );
  }
}
