/**
 * Typed errors of the PC's hands-free unit (HFP HF role) and the Calls
 * service on it: the phone answered a command with ERROR or +CME ERROR, the
 * service-level connection could not be set up, the command queue is full,
 * a caller passed a value the protocol cannot carry, or named a call or
 * contact that does not exist. Each has a stable `code`. Time limits
 * use TimeoutError, a closed link DisconnectedError, and features the phone
 * lacks UnsupportedError (all from the shared error modules).
 */
import { cmeErrorName } from '../../protocol/hfp/constants';
import { SimPcError } from '../errors';

/** The phone answered a command with a plain `ERROR`. */
export class AgRefusedError extends SimPcError {
  constructor(readonly command: string) {
    super('sim-pc.hfp-refused', `the phone answered ${command} with ERROR`);
  }
}

/** The phone answered a command with `+CME ERROR: n`; `cmeName` is the 27.007 name of `cme`. */
export class AgCmeError extends SimPcError {
  readonly cmeName: string;

  constructor(
    readonly command: string,
    readonly cme: number,
  ) {
    const name = cmeErrorName(cme);
    super('sim-pc.hfp-cme-error', `the phone answered ${command} with +CME ERROR: ${cme} (${name})`);
    this.cmeName = name;
  }
}

/** The service-level connection could not be established; `cause` says which step failed. */
export class SlcError extends SimPcError {
  constructor(
    readonly step: string,
    detail: string,
    override readonly cause?: unknown,
  ) {
    super('sim-pc.hfp-slc-failed', `service-level connection failed at ${step}: ${detail}`);
  }
}

/** More commands are waiting than the hands-free unit allows; try again later. */
export class HfpQueueFullError extends SimPcError {
  constructor(readonly limit: number) {
    super('sim-pc.hfp-queue-full', `the AT command queue is full (${limit} commands waiting)`);
  }
}

/** A value the caller passed cannot be sent (a gain above 15, a tone that is not DTMF, ...). */
export class HfpArgumentError extends SimPcError {
  constructor(
    readonly argument: string,
    detail: string,
  ) {
    super('sim-pc.hfp-bad-argument', `${argument}: ${detail}`);
  }
}

/** No call with that id (or no call in the state the action needs). */
export class CallNotFoundError extends SimPcError {
  constructor(readonly what: string) {
    super('sim-pc.call-not-found', `no ${what}`);
  }
}

/** dial() was given a name that the contact resolver does not know (or no resolver was given). */
export class UnknownContactError extends SimPcError {
  constructor(readonly query: string) {
    super('sim-pc.unknown-contact', `no contact with a number matches ${JSON.stringify(query)}`);
  }
}

/** True for the errors that mean "the phone said no" rather than "the link failed". */
export function isAgRefusal(err: unknown): err is AgRefusedError | AgCmeError {
  return err instanceof AgRefusedError || err instanceof AgCmeError;
}
