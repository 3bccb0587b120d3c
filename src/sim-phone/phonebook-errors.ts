/**
 * Errors of the phone's contact book and call history: a full book, an
 * unknown contact id, and contact data (from a stimulus, a JSON fixture or
 * a .vcf file) that fails validation. Each has a stable `code`.
 */
import { SimPhoneError } from './errors';

/** The contact book holds its limit already. */
export class ContactBookFullError extends SimPhoneError {
  constructor(readonly limit: number) {
    super('sim-phone.contacts-full', `contact book is full (${limit} contacts)`);
  }
}

/** No contact with this id (or script reference). */
export class UnknownContactError extends SimPhoneError {
  constructor(readonly id: number | string) {
    super('sim-phone.unknown-contact', `no contact ${JSON.stringify(id)} on the phone`);
  }
}

/** Contact or call data failed validation; `field` is the dotted path of the bad value. */
export class ContactDataError extends SimPhoneError {
  constructor(
    readonly field: string,
    problem: string,
    readonly source?: string,
  ) {
    super('sim-phone.bad-contact', `${source ? `${source}: ` : ''}contact field "${field}" ${problem}`);
  }
}
