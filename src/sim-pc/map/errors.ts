/**
 * Typed errors of the PC's MAP client, its notification server and the
 * Inbox service: no message server on the phone, the user has not allowed
 * message access, another computer holds the phone's only MAP session, an
 * operation refused with an OBEX response code, an unusable answer, a
 * message the phone cannot take (refused before anything is sent), and
 * recipients that cannot be resolved. Each has a stable `code`;
 * `isTransientMapError` tells failures a reconnect may cure.
 */
import { responseCodeName } from '../../protocol/obex/constants';
import { DisconnectedError } from '../../link/errors';
import { NotConnectedError, SimPcError, TimeoutError } from '../errors';

/** What the user must do before the phone answers MAP at all. */
export const SHOW_MESSAGE_NOTIFICATIONS_REASON = "turn on Show Message Notifications for this PC in the iPhone's Bluetooth settings";

/** What the user is told when another computer holds the phone's message access. */
export const MAP_IN_USE_REASON = "the phone's message access is in use by another computer";

/** The phone publishes no Message Access Server record (service class 0x1132). */
export class MasNotFoundError extends SimPcError {
  constructor(readonly phoneAddress: string) {
    super('sim-pc.map-no-mas', `the phone ${phoneAddress} offers no message access server (MAP MAS, 0x1132)`);
  }
}

/** The phone answered Forbidden: message access is off for this PC (iOS "Show Message Notifications"). */
export class MapPermissionRequiredError extends SimPcError {
  /** The sentence to show the user. */
  readonly reason = SHOW_MESSAGE_NOTIFICATIONS_REASON;

  constructor(readonly operation: string) {
    super('sim-pc.map-permission-required', `${operation} was refused: ${SHOW_MESSAGE_NOTIFICATIONS_REASON}`);
  }
}

/** The phone refused the MAS channel: it serves one MAP session and another computer has it. */
export class MapInUseError extends SimPcError {
  readonly reason = MAP_IN_USE_REASON;

  constructor(readonly channel: number) {
    super('sim-pc.map-in-use', `the phone refused MAP channel ${channel}: ${MAP_IN_USE_REASON}`);
  }
}

/** The phone refused an operation with an OBEX response code other than Forbidden. */
export class MapRefusedError extends SimPcError {
  constructor(
    readonly operation: string,
    /** The response code, final bit included (e.g. 0xC4 Not Found). */
    readonly responseCode: number,
  ) {
    super('sim-pc.map-refused', `${operation} was refused by the phone: ${responseCodeName(responseCode)}`);
  }
}

/** The phone's answer could not be used (malformed OBEX, parameters, listing, bMessage or event report). */
export class MapProtocolError extends SimPcError {
  constructor(
    readonly operation: string,
    detail: string,
    /** The underlying error's code (e.g. `map.bad-length`, `map.bad-listing`), when there is one. */
    readonly causeCode: string | undefined,
  ) {
    super('sim-pc.map-protocol', `${operation}: the phone's answer is unusable: ${detail}`);
  }
}

/** A bounded queue or size limit of the MAP client or the Inbox was exceeded. */
export class MapLimitError extends SimPcError {
  constructor(
    readonly what: string,
    readonly limit: number,
  ) {
    super('sim-pc.map-limit', `${what} is over its limit of ${limit}`);
  }
}

/** The running operation was cancelled by abort(). */
export class MapAbortedError extends SimPcError {
  constructor(readonly operation: string) {
    super('sim-pc.map-aborted', `${operation} was cancelled`);
  }
}

/** Why the Inbox would not send a message. */
export type SendRefusal = 'picture' | 'group' | 'empty' | 'no-recipient' | 'too-long' | 'bad-text';

/** The Inbox refused a message before sending anything: the phone (or Phone Link) cannot deliver it. */
export class SendRefusedError extends SimPcError {
  constructor(
    readonly refusal: SendRefusal,
    /** The sentence to show the user. */
    readonly reason: string,
  ) {
    super('sim-pc.map-send-refused', `the message was not sent: ${reason}`);
  }
}

/** No contact or number matches a recipient given by name. */
export class UnknownRecipientError extends SimPcError {
  constructor(readonly query: string) {
    super('sim-pc.map-unknown-recipient', `no contact named "${query}" with a phone number`);
  }
}

/** Several contacts (or several numbers of one contact) match a recipient given by name. */
export class AmbiguousRecipientError extends SimPcError {
  constructor(
    readonly query: string,
    /** What matched, as "Name (number)". */
    readonly candidates: readonly string[],
  ) {
    super('sim-pc.map-ambiguous-recipient', `"${query}" matches ${candidates.length} numbers: ${candidates.slice(0, 5).join(', ')}`);
  }
}

/** No message, thread or entry with that id in the Inbox. */
export class UnknownMessageError extends SimPcError {
  constructor(readonly id: string) {
    super('sim-pc.map-unknown-message', `no message or thread ${id} in the inbox`);
  }
}

/** The entry is shown only as "open on your phone": the PC cannot act on it. */
export class OpenOnPhoneError extends SimPcError {
  constructor(
    readonly id: string,
    readonly reason: string,
  ) {
    super('sim-pc.map-open-on-phone', `${id} (${reason}) can only be opened on the phone`);
  }
}

/** True for failures that a reconnect may cure: a dropped link, a stalled transfer, no connection. */
export function isTransientMapError(err: unknown): boolean {
  return err instanceof DisconnectedError || err instanceof TimeoutError || err instanceof NotConnectedError;
}
