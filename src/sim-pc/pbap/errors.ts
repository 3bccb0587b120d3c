/**
 * Typed errors of the PC's PBAP client and the services on it: the phone
 * offers no PSE, refuses the channel (the Class of Device rule), wants the
 * user to allow contact sync, refuses an operation, or answers with
 * something we cannot use. Each has a stable `code`; `isTransientPbapError`
 * tells failures worth retrying after a reconnect from final ones.
 */
import { responseCodeName } from '../../protocol/obex/constants';
import { DisconnectedError } from '../../link/errors';
import { NotConnectedError, SimPcError, TimeoutError } from '../errors';

/** The phone publishes no PBAP server record (service class 0x112F). */
export class PseNotFoundError extends SimPcError {
  constructor(readonly phoneAddress: string) {
    super('sim-pc.pbap-no-pse', `the phone ${phoneAddress} offers no phone book server (PBAP PSE, 0x112F)`);
  }
}

/**
 * The phone refused the PBAP channel. iOS offers its "Sync Contacts" switch
 * (and answers PBAP at all) only to a PC whose Class of Device is
 * Audio/Video, Hands-free; the message says which class this PC has.
 */
export class ChannelRefusedError extends SimPcError {
  constructor(
    readonly channel: number,
    readonly classOfDevice: number,
    readonly handsFreeClass: boolean,
  ) {
    const cod = `0x${classOfDevice.toString(16).toUpperCase().padStart(6, '0')}`;
    super(
      'sim-pc.pbap-channel-refused',
      handsFreeClass
        ? `the phone refused the PBAP channel ${channel} (this PC's Class of Device ${cod} is already Audio/Video Hands-free)`
        : `the phone refused the PBAP channel ${channel}: iOS serves contacts only to a PC whose Class of Device is ` +
            `Audio/Video major, Hands-free minor (e.g. 0x7C0408); this PC's is ${cod}`,
    );
  }
}

/** The phone answered Forbidden: the user has not allowed contact access for this PC. */
export class PermissionRequiredError extends SimPcError {
  constructor(readonly operation: string) {
    super(
      'sim-pc.pbap-permission-required',
      `${operation} was refused: enable Sync Contacts for this PC on the phone (Settings > Bluetooth > this PC)`,
    );
  }
}

/** The phone refused an operation with an OBEX response code other than Forbidden. */
export class PbapRefusedError extends SimPcError {
  constructor(
    readonly operation: string,
    readonly responseCode: number,
  ) {
    super('sim-pc.pbap-refused', `${operation} was refused by the phone: ${responseCodeName(responseCode)}`);
  }
}

/** The phone's answer could not be used (malformed OBEX, parameters or listing). */
export class PbapProtocolError extends SimPcError {
  constructor(
    readonly operation: string,
    detail: string,
    /** The underlying error's code (e.g. `obex.bad-length`, `pbap.bad-size`), when there is one. */
    readonly causeCode: string | undefined,
  ) {
    super('sim-pc.pbap-protocol', `${operation}: the phone's answer is unusable: ${detail}`);
  }
}

/** A bounded queue or limit of the client was exceeded. */
export class PbapLimitError extends SimPcError {
  constructor(what: string, limit: number) {
    super('sim-pc.pbap-limit', `${what} is over its limit of ${limit}`);
  }
}

/** True for failures that a reconnect may cure: a dropped link, a stalled transfer, no connection. */
export function isTransientPbapError(err: unknown): boolean {
  return err instanceof DisconnectedError || err instanceof TimeoutError || err instanceof NotConnectedError;
}

/** A relative SetPhoneBook path while the current folder is unknown (after a failed SetPath). */
export class PbapFolderUnknownError extends SimPcError {
  constructor(readonly path: string) {
    super('sim-pc.pbap-folder-unknown', `cannot go to ${path}: the current folder is unknown after a failed SetPath; give a path from the root`);
  }
}

/** The operation was cancelled by abort(). */
export class PbapAbortedError extends SimPcError {
  constructor(readonly operation: string) {
    super('sim-pc.pbap-aborted', `${operation} was cancelled`);
  }
}
