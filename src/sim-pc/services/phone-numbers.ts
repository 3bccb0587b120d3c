/**
 * Phone numbers as the PC compares them: the international (E.164) form
 * through libphonenumber-js, with a default region for national numbers
 * (`020 7946 0018` in GB is `+442079460018`), and the bare digits for the
 * numbers it cannot place, which then match on their last 8 or more
 * digits. Short codes (under 8 digits) match only digit for digit.
 */
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';

/** Fewest trailing digits two numbers must share to match without an E.164 form. */
export const MIN_SUFFIX_DIGITS = 8;

export interface NumberKey {
  /** The number as given. */
  raw: string;
  /** E.164 (`+442079460018`) when the number parses to a possible number; undefined otherwise. */
  e164: string | undefined;
  /** Every digit of the number, in order. */
  digits: string;
}

/** The comparison key of a number; `region` places national numbers. */
export function numberKey(raw: string, region: CountryCode | undefined): NumberKey {
  const digits = raw.replace(/\D/g, '');
  return { raw, e164: toE164(raw, region), digits };
}

/** E.164 of `raw`, or undefined when it does not parse to a possible number. */
export function toE164(raw: string, region: CountryCode | undefined): string | undefined {
  const text = raw.trim();
  if (!/\d/.test(text) || text.length > 64) return undefined;
  try {
    const parsed = region === undefined ? parsePhoneNumberFromString(text) : parsePhoneNumberFromString(text, region);
    return parsed !== undefined && parsed.isPossible() ? parsed.number : undefined;
  } catch {
    return undefined;
  }
}

/** The last MIN_SUFFIX_DIGITS digits: the bucket a fallback match is looked for in; undefined for short numbers. */
export function suffixBucket(key: NumberKey): string | undefined {
  return key.digits.length >= MIN_SUFFIX_DIGITS ? key.digits.slice(-MIN_SUFFIX_DIGITS) : undefined;
}

/**
 * How well two numbers match: 0 for no match, otherwise larger is better.
 * Equal E.164 forms match best; two different E.164 forms never match;
 * otherwise the number of trailing digits they share, when at least 8;
 * short numbers only when all their digits are equal.
 */
export function matchScore(a: NumberKey, b: NumberKey): number {
  if (a.e164 !== undefined && b.e164 !== undefined) return a.e164 === b.e164 ? 100 : 0;
  if (a.digits.length === 0 || b.digits.length === 0) return 0;
  if (a.digits.length < MIN_SUFFIX_DIGITS || b.digits.length < MIN_SUFFIX_DIGITS) return a.digits === b.digits ? 50 : 0;
  const shared = sharedSuffix(a.digits, b.digits);
  return shared >= MIN_SUFFIX_DIGITS ? shared : 0;
}

function sharedSuffix(a: string, b: string): number {
  let n = 0;
  while (n < a.length && n < b.length && a[a.length - 1 - n] === b[b.length - 1 - n]) n++;
  return n;
}
