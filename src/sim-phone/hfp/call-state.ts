/**
 * The shapes of the phone's live calls and the pure rules over them: how a
 * set of calls and the radio state map to HFP indicator values (call,
 * callsetup, callheld, service, signal, roam, battchg), the number type
 * (+CLIP/+CLCC <type>) of a number, what numbers and caller names the
 * phone accepts, and the error for a request it refuses.
 */
import { NumberType } from '../../protocol/hfp/constants';
import { SimPhoneError } from '../errors';
import type { AgIndicatorName, RefusalReason } from './hfp-profile';

/** A request the phone cannot carry out in its current state; `reason` picks the AG's refusal. */
export class CallRefusedError extends SimPhoneError {
  constructor(
    readonly reason: RefusalReason,
    message: string,
  ) {
    super('sim-phone.call-refused', message);
  }
}

/** MO: the phone placed the call; MT: it came in. */
export type CallDirection = 'mo' | 'mt';

export type CallState = 'dialing' | 'alerting' | 'incoming' | 'waiting' | 'active' | 'held';

export interface Call {
  /** 1-based, as in +CLCC; the lowest free index. */
  index: number;
  direction: CallDirection;
  number: string;
  /** 145 for "+..." numbers, 129 otherwise. */
  numberType: number;
  name?: string;
  state: CallState;
  multiparty: boolean;
}

export type CallIndicators = Record<AgIndicatorName, number>;

/** Most calls at once (+CLCC indexes 1..7). */
export const MAX_CALLS = 7;
export const MAX_NUMBER_LENGTH = 32;
export const MAX_CALLER_NAME_LENGTH = 64;

const NUMBER = /^\+?[0-9*#]*$/;

export interface RadioState {
  service: boolean;
  signal: number;
  roam: boolean;
  battchg: number;
}

/** Indicator values for these calls and radio state. */
export function callIndicators(calls: readonly Pick<Call, 'state'>[], radio: RadioState): CallIndicators {
  let active = 0;
  let held = 0;
  let setup = 0;
  for (const c of calls) {
    if (c.state === 'active') active++;
    else if (c.state === 'held') held++;
    else if (c.state === 'incoming' || c.state === 'waiting') setup = 1;
    else if (c.state === 'dialing') setup = 2;
    else setup = 3;
  }
  return {
    service: radio.service ? 1 : 0,
    call: active + held > 0 ? 1 : 0,
    callsetup: setup,
    callheld: held === 0 ? 0 : active > 0 ? 1 : 2,
    signal: radio.signal,
    roam: radio.roam ? 1 : 0,
    battchg: radio.battchg,
  };
}

/** +CLIP/+CCWA/+CLCC type of address for a number. */
export function numberTypeOf(number: string): number {
  return number.startsWith('+') ? NumberType.International : NumberType.Unknown;
}

/**
 * A number as the phone's dialer keeps it: the visual separators people and
 * address books write (spaces, dashes, dots, parentheses) removed, so
 * "+44 7700 900 555" travels in +CLIP and +CLCC as "+447700900555".
 */
export function dialable(number: string): string {
  return typeof number === 'string' ? number.replace(/[\s\-.()]/g, '') : number;
}

/** Throws RangeError unless `number` is digits, `*` and `#` (optionally after `+`), 1-32 long; empty allowed for a withheld caller. */
export function checkNumber(number: string, allowEmpty = false): void {
  if (typeof number !== 'string' || !NUMBER.test(number) || number === '+') {
    throw new RangeError(`phone number ${JSON.stringify(number)} may hold only digits, * and #, after an optional +`);
  }
  if (number.length > MAX_NUMBER_LENGTH) throw new RangeError(`phone number is longer than ${MAX_NUMBER_LENGTH} characters`);
  if (number === '' && !allowEmpty) throw new RangeError('phone number is empty');
}

/** Throws RangeError for a caller name that cannot travel in a quoted AT field. */
export function checkCallerName(name: string): void {
  if (typeof name !== 'string' || name.length === 0 || name.length > MAX_CALLER_NAME_LENGTH) {
    throw new RangeError(`caller name must be 1-${MAX_CALLER_NAME_LENGTH} characters`);
  }
  if (/["\u0000-\u001f\u007f]/.test(name)) throw new RangeError('caller name may not hold quotes or control characters');
}
