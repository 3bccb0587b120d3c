/**
 * The PC's copy of the phone's contacts and the lookups on it: contacts
 * built from vCards, search by name (case- and accent-insensitive; whole
 * name prefix first, then word prefix, then anywhere) and by number
 * (national and international forms alike, see phone-numbers.ts), and
 * caller lookup. Bounded: `replace` refuses more than `maxContacts`.
 */
import type { CountryCode } from 'libphonenumber-js';
import type { Vcard } from '../../protocol/vcard/model';
import { PbapLimitError } from '../pbap/errors';
import { matchScore, numberKey, suffixBucket, type NumberKey } from './phone-numbers';

export interface ContactNumber {
  /** As the phone wrote it. */
  number: string;
  /** Upper-case TYPE values (`CELL`, `HOME`...). */
  types: string[];
  /** International form, when it could be worked out. */
  e164: string | undefined;
}

export interface Contact {
  /** Position in the phone book, which is its PBAP handle (`<handle>.vcf`); 0 is the owner card. */
  handle: number;
  /** What to show: FN, else the name from N, else the organisation, else the first number. */
  name: string;
  given: string;
  family: string;
  organization: string | undefined;
  numbers: ContactNumber[];
  emails: string[];
  card: Vcard;
}

export interface SearchOptions {
  /** Most results. Default 50. */
  limit?: number;
}

export const DEFAULT_SEARCH_LIMIT = 50;

/** Builds the contact for `card` at position `handle`. */
export function contactFromCard(card: Vcard, handle: number, region: CountryCode | undefined): Contact {
  const n = card.name;
  const given = n?.given.trim() ?? '';
  const family = n?.family.trim() ?? '';
  const organization = card.org?.name.trim() || undefined;
  const numbers = card.tel
    .filter((t) => t.number.trim() !== '')
    .map((t) => ({ number: t.number.trim(), types: t.types, e164: numberKey(t.number, region).e164 }));
  const fromN = [n?.prefixes, given, n?.additional, family, n?.suffixes].map((p) => p?.trim() ?? '').filter((p) => p !== '').join(' ');
  const name = card.formattedName?.trim() || fromN || organization || numbers[0]?.number || '';
  return { handle, name, given, family, organization, numbers, emails: card.email.map((e) => e.address), card };
}

/** Lower case, accents and other marks removed, punctuation as spaces, spaces collapsed. */
export function foldText(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/ß/g, 'ss')
    .replace(/[æ]/g, 'ae')
    .replace(/[œ]/g, 'oe')
    .replace(/[øØ]/g, 'o')
    .replace(/[łŁ]/g, 'l')
    .replace(/[đĐ]/g, 'd')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

interface Entry {
  contact: Contact;
  /** Folded name forms: shown name, given + family, family + given, organisation. */
  names: string[];
  numbers: NumberKey[];
}

export class ContactIndex {
  private entries: Entry[] = [];
  private byE164 = new Map<string, Entry[]>();
  private bySuffix = new Map<string, Entry[]>();
  private readonly collator = new Intl.Collator(undefined, { sensitivity: 'base' });

  constructor(
    readonly maxContacts: number,
    private readonly region: CountryCode | undefined,
  ) {}

  get size(): number {
    return this.entries.length;
  }

  all(): Contact[] {
    return this.entries.map((e) => e.contact);
  }

  /** Replaces every contact at once (a finished sync). */
  replace(contacts: readonly Contact[]): void {
    if (contacts.length > this.maxContacts) throw new PbapLimitError('contacts', this.maxContacts);
    const entries = contacts.map((contact): Entry => {
      const forms = [contact.name, `${contact.given} ${contact.family}`, `${contact.family} ${contact.given}`, contact.organization ?? ''];
      const names = [...new Set(forms.map(foldText).filter((f) => f !== ''))];
      return { contact, names, numbers: contact.numbers.map((n) => numberKey(n.number, this.region)) };
    });
    const byE164 = new Map<string, Entry[]>();
    const bySuffix = new Map<string, Entry[]>();
    for (const entry of entries) {
      for (const key of entry.numbers) {
        if (key.e164 !== undefined) push(byE164, key.e164, entry);
        const bucket = suffixBucket(key);
        if (bucket !== undefined) push(bySuffix, bucket, entry);
      }
    }
    this.entries = entries;
    this.byE164 = byE164;
    this.bySuffix = bySuffix;
  }

  /** Contacts whose name contains `query` (folded): name prefix, then word prefix, then anywhere; alphabetical within each. */
  searchByName(query: string, options: SearchOptions = {}): Contact[] {
    const folded = foldText(query);
    if (folded === '') return [];
    const ranked: { entry: Entry; rank: number }[] = [];
    for (const entry of this.entries) {
      let best = 3;
      for (const name of entry.names) {
        const rank = name.startsWith(folded) ? 0 : name.includes(` ${folded}`) ? 1 : name.includes(folded) ? 2 : 3;
        best = Math.min(best, rank);
      }
      if (best < 3) ranked.push({ entry, rank: best });
    }
    ranked.sort((a, b) => a.rank - b.rank || this.collator.compare(a.entry.contact.name, b.entry.contact.name));
    return ranked.slice(0, options.limit ?? DEFAULT_SEARCH_LIMIT).map((r) => r.entry.contact);
  }

  /**
   * Contacts with a number matching `query`: a whole number matches in
   * national or international form (best match first); a partial one
   * (fewer than 8 digits that do not form a possible number) matches
   * numbers containing those digits.
   */
  searchByNumber(query: string, options: SearchOptions = {}): Contact[] {
    const key = numberKey(query, this.region);
    if (key.digits.length === 0) return [];
    const limit = options.limit ?? DEFAULT_SEARCH_LIMIT;
    if (key.e164 === undefined && suffixBucket(key) === undefined) {
      return this.entries
        .filter((e) => e.numbers.some((n) => n.digits.includes(key.digits)))
        .slice(0, limit)
        .map((e) => e.contact);
    }
    return this.matches(key).slice(0, limit);
  }

  /** The contact a caller's number belongs to, if any (the best match). */
  lookupCaller(number: string): Contact | undefined {
    const key = numberKey(number, this.region);
    if (key.digits.length === 0) return undefined;
    return this.matches(key)[0];
  }

  private matches(key: NumberKey): Contact[] {
    const candidates = new Set<Entry>();
    if (key.e164 !== undefined) for (const entry of this.byE164.get(key.e164) ?? []) candidates.add(entry);
    const bucket = suffixBucket(key);
    if (bucket !== undefined) for (const entry of this.bySuffix.get(bucket) ?? []) candidates.add(entry);
    if (bucket === undefined) {
      // Short codes: digit for digit.
      for (const entry of this.entries) if (entry.numbers.some((n) => n.digits === key.digits)) candidates.add(entry);
    }
    const scored: { contact: Contact; score: number }[] = [];
    for (const entry of candidates) {
      const score = Math.max(0, ...entry.numbers.map((n) => matchScore(key, n)));
      if (score > 0) scored.push({ contact: entry.contact, score });
    }
    scored.sort((a, b) => b.score - a.score || a.contact.handle - b.contact.handle);
    return scored.map((s) => s.contact);
  }
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else if (!list.includes(value)) list.push(value);
}
