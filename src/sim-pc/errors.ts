/**
 * Typed errors of the PC side (profile clients, app services, the link
 * supervisor). Each carries a stable `code` string, never reworded once
 * published, so callers and reports can branch on it.
 */
export class SimPcError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** A request to the phone got no complete answer within its time limit. */
export class TimeoutError extends SimPcError {
  constructor(
    readonly what: string,
    readonly timeoutMs: number,
  ) {
    super('sim-pc.timeout', `${what} got no answer within ${timeoutMs} ms`);
  }
}

/** The phone does not offer ANCS (or offers it without the characteristics we need). */
export class AncsUnavailableError extends SimPcError {
  constructor(detail: string) {
    super('sim-pc.ancs-unavailable', `ANCS is not available on the phone: ${detail}`);
  }
}

/** The ANCS session is over (link dropped or the consumer was closed); its UIDs mean nothing now. */
export class SessionEndedError extends SimPcError {
  constructor(detail = 'the ANCS session has ended') {
    super('sim-pc.session-ended', detail);
  }
}

/** A request was withdrawn before it was sent (e.g. the notification was removed meanwhile). */
export class RequestCancelledError extends SimPcError {
  constructor(what: string) {
    super('sim-pc.request-cancelled', `${what} was cancelled before it was sent`);
  }
}

/** The notification does not offer the action that was asked for. */
export class ActionNotOfferedError extends SimPcError {
  constructor(
    readonly uid: number,
    readonly action: 'positive' | 'negative',
  ) {
    super('sim-pc.action-not-offered', `notification ${uid} offers no ${action} action`);
  }
}

/** No notification with that id (PC id) or UID (session id) is known. */
export class UnknownNotificationError extends SimPcError {
  constructor(id: string | number) {
    super('sim-pc.unknown-notification', `no notification ${String(id)}`);
  }
}

/** The notification can only be viewed on the PC: the phone offers no way to dismiss it. */
export class NotDismissibleError extends SimPcError {
  constructor(readonly id: string) {
    super(
      'sim-pc.not-dismissible',
      `notification ${id} can only be viewed here: the phone offers no dismiss action for it, so open it on the phone`,
    );
  }
}

/** The operation is not possible over the protocols an iPhone offers. */
export class UnsupportedError extends SimPcError {
  constructor(what: string, why: string) {
    super('sim-pc.unsupported', `${what} is not supported: ${why}`);
  }
}

/** The operation needs the phone, and the phone is not connected right now. */
export class NotConnectedError extends SimPcError {
  constructor(what: string) {
    super('sim-pc.not-connected', `${what} needs the phone, which is not connected`);
  }
}

/** The Data Source sent bytes that answer nothing we asked, or answer a different request. */
export class UnexpectedReplyError extends SimPcError {
  constructor(detail: string) {
    super('sim-pc.ancs-unexpected-reply', `unexpected Data Source data: ${detail}`);
  }
}

/** Describes any thrown value in one line, for health reports. */
export function describeError(err: unknown): { code: string; message: string } {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return { code: typeof code === 'string' ? code : err.name, message: err.message };
  }
  return { code: 'unknown', message: String(err) };
}

/**
 * A bounded list on the PC (notifications, the inbox) reached its limit, so
 * its oldest entries now make room for new ones. Reported once each time
 * the list fills up, not once per entry evicted.
 */
export class CapacityReachedError extends SimPcError {
  constructor(
    readonly what: string,
    readonly limit: number,
    /** The name of the bound in src/limits.ts. */
    readonly limitName: string,
  ) {
    super('sim-pc.capacity-reached', `${what} reached its bound of ${limit} entries (${limitName}); the oldest entries now make room for new ones`);
  }
}
