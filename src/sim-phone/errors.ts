/**
 * Errors raised by the simulated phone itself (not by the link or the
 * codecs): a bad profile or stimulus script, a full notification store, a
 * reference to a notification that does not exist. Each has a stable `code`.
 */
export class SimPhoneError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** A phone profile failed validation; `field` is the dotted path of the bad value. */
export class ProfileError extends SimPhoneError {
  constructor(
    readonly field: string,
    problem: string,
    readonly source?: string,
  ) {
    super('sim-phone.bad-profile', `${source ? `${source}: ` : ''}profile field "${field}" ${problem}`);
  }
}

/** A stimulus (or a script of them) failed validation; `field` is the dotted path of the bad value. */
export class StimulusError extends SimPhoneError {
  constructor(
    readonly field: string,
    problem: string,
    readonly source?: string,
  ) {
    super('sim-phone.bad-stimulus', `${source ? `${source}: ` : ''}stimulus field "${field}" ${problem}`);
  }
}

/** The notification store holds its limit already. */
export class StoreFullError extends SimPhoneError {
  constructor(readonly limit: number) {
    super('sim-phone.store-full', `notification store is full (${limit} notifications)`);
  }
}

/** No notification with this store id (never posted, or already removed). */
export class UnknownNotificationError extends SimPhoneError {
  constructor(readonly id: number | string) {
    super('sim-phone.unknown-notification', `no notification ${JSON.stringify(id)} on the phone`);
  }
}
