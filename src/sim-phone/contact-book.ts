/**
 * The phone's contacts: the owner card (id 0, PBAP's `0.vcf`) and up to
 * `limit` contacts with stable ids, with add / edit / remove / replace,
 * change events, lookup by number, each contact as PBAP vCard text
 * (`vcardFor`), and loading a whole book from a .vcf file or a JSON fixture
 * (`{ "owner": {...}, "contacts": [...] }`).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseVcards, type VcardWriteVersion } from '../protocol/vcard';
import { Emitter } from '../util/emitter';
import {
  applyChanges,
  buildContact,
  parseContactInitJson,
  type Contact,
  type ContactChanges,
  type ContactInit,
} from './contact-data';
import { contactToVcard, renderVcard, vcardToContactInit } from './contact-vcard';
import { checkArray, checkKeys, checkObject, isObject, join, type Fail } from './json-check';
import { ContactBookFullError, ContactDataError, UnknownContactError } from './phonebook-errors';
import { PHONE_CONTACT_LIMIT } from '../limits';

export interface ContactBookEvents {
  added: [contact: Contact];
  /** An edit (the owner card included, id 0). */
  changed: [contact: Contact, previous: Contact];
  removed: [contact: Contact];
  /** The whole book was replaced (load, replaceAll, clear). */
  reset: [];
}

export interface VcardOptions {
  /** Include PHOTO (the profile's `pbap.photos`). Default true. */
  photo?: boolean;
}

export const DEFAULT_CONTACT_LIMIT = PHONE_CONTACT_LIMIT;
/** Digits compared from the end when matching numbers written differently (+44 20 ... vs 020 ...). */
const NUMBER_TAIL_DIGITS = 9;

export class ContactBook {
  readonly events = new Emitter<ContactBookEvents>();
  private readonly items = new Map<number, Contact>();
  private ownerCard: Contact = buildContact(0, {});
  private nextId = 1;
  private changeCount = 0;

  constructor(readonly limit: number = DEFAULT_CONTACT_LIMIT) {
    if (!(Number.isInteger(limit) && limit >= 1)) throw new RangeError(`contact limit ${limit} must be a positive integer`);
  }

  /** Contacts, the owner card not counted. */
  get size(): number {
    return this.items.size;
  }

  /** The owner's own card ("My Card"), PBAP `0.vcf`. */
  get owner(): Contact {
    return this.ownerCard;
  }

  /** Goes up by one on every change; a cheap "has anything changed" check. */
  get generation(): number {
    return this.changeCount;
  }

  /** A contact by id; 0 is the owner card. */
  get(id: number): Contact | undefined {
    return id === 0 ? this.ownerCard : this.items.get(id);
  }

  /** Every contact (owner excluded) by id, ascending: PBAP's indexed order. */
  all(): Contact[] {
    return [...this.items.values()];
  }

  /** Adds a contact; throws ContactDataError for bad data, ContactBookFullError at the limit. */
  add(init: ContactInit): Contact {
    if (this.items.size >= this.limit) throw new ContactBookFullError(this.limit);
    const contact = buildContact(this.nextId, init);
    this.nextId++;
    this.items.set(contact.id, contact);
    this.changeCount++;
    this.events.emit('added', contact);
    return contact;
  }

  /** Changes fields of a contact (id 0: the owner card). */
  edit(id: number, changes: ContactChanges): Contact {
    const previous = this.get(id);
    if (previous === undefined) throw new UnknownContactError(id);
    const contact = buildContact(id, applyChanges(previous, changes));
    if (id === 0) this.ownerCard = contact;
    else this.items.set(id, contact);
    this.changeCount++;
    this.events.emit('changed', contact, previous);
    return contact;
  }

  /** Replaces the owner card. */
  setOwner(init: ContactInit): Contact {
    const previous = this.ownerCard;
    this.ownerCard = buildContact(0, init);
    this.changeCount++;
    this.events.emit('changed', this.ownerCard, previous);
    return this.ownerCard;
  }

  remove(id: number): Contact {
    const contact = this.items.get(id);
    if (contact === undefined) throw new UnknownContactError(id);
    this.items.delete(id);
    this.changeCount++;
    this.events.emit('removed', contact);
    return contact;
  }

  /**
   * Replaces every contact (and the owner card, when given). All of them
   * are checked first: on any error the book is left as it was. Ids start
   * again at 1.
   */
  replaceAll(inits: readonly ContactInit[], owner?: ContactInit, source?: string): void {
    if (inits.length > this.limit) throw new ContactBookFullError(this.limit);
    const built = inits.map((init, i) => {
      try {
        return buildContact(i + 1, init, source);
      } catch (err) {
        if (err instanceof ContactDataError) throw new ContactDataError(join(join('contacts', i), err.field), problemOf(err), source);
        throw err;
      }
    });
    const ownerCard = owner === undefined ? this.ownerCard : buildContact(0, owner, source);
    this.items.clear();
    for (const contact of built) this.items.set(contact.id, contact);
    this.ownerCard = ownerCard;
    this.nextId = built.length + 1;
    this.changeCount++;
    this.events.emit('reset');
  }

  /** Removes every contact (the owner card stays). */
  clear(): void {
    this.replaceAll([]);
  }

  /**
   * Loads a book from a file, replacing the contacts: `.vcf` (every card
   * becomes a contact) or `.json` (`{ "owner"?: contact, "contacts": [...] }`
   * or a bare array). Returns how many contacts it holds now.
   */
  load(file: string): number {
    const full = path.resolve(file);
    let text: string;
    try {
      text = readFileSync(full, 'utf8');
    } catch (err) {
      throw new ContactDataError('(file)', `could not be read: ${err instanceof Error ? err.message : String(err)}`, full);
    }
    if (/\.vcf$/i.test(full)) {
      let cards;
      try {
        cards = parseVcards(text, { maxCards: this.limit });
      } catch (err) {
        throw new ContactDataError('(file)', `is not a usable vCard file: ${err instanceof Error ? err.message : String(err)}`, full);
      }
      this.replaceAll(cards.map(vcardToContactInit), undefined, full);
    } else {
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch (err) {
        throw new ContactDataError('(file)', `is not valid JSON: ${err instanceof Error ? err.message : String(err)}`, full);
      }
      const { owner, contacts } = parseContactBookJson(json, full);
      this.replaceAll(contacts, owner, full);
    }
    return this.size;
  }

  /**
   * The contact whose number matches `number` (same digits, or the same
   * last nine digits when one side carries a country code); undefined when none.
   */
  findByNumber(number: string): Contact | undefined {
    const wanted = digitsOf(number);
    if (wanted === '') return undefined;
    for (const contact of [this.ownerCard, ...this.items.values()]) {
      for (const phone of contact.phones) if (sameNumber(digitsOf(phone.number), wanted)) return contact;
    }
    return undefined;
  }

  /** The contact as vCard text for PBAP: `version`, filtered by `selector` (0 = all), PHOTO as `options` say. */
  vcardFor(contact: Contact, version: VcardWriteVersion, selector: bigint = 0n, options: VcardOptions = {}): string {
    return renderVcard(contactToVcard(contact, { photo: options.photo ?? true }), version, selector);
  }
}

/** The digits of a phone number (`+44 (20) 7946-0018` -> `442079460018`). */
export function digitsOf(number: string): string {
  return number.replace(/\D/g, '');
}

function sameNumber(a: string, b: string): boolean {
  if (a === b) return true;
  if (a.length < NUMBER_TAIL_DIGITS || b.length < NUMBER_TAIL_DIGITS) return false;
  return a.slice(-NUMBER_TAIL_DIGITS) === b.slice(-NUMBER_TAIL_DIGITS);
}

function problemOf(err: ContactDataError): string {
  const marker = `"${err.field}" `;
  const at = err.message.indexOf(marker);
  return at < 0 ? err.message : err.message.slice(at + marker.length);
}

/** Validates the JSON form of a contact book. */
export function parseContactBookJson(json: unknown, source?: string): { owner?: ContactInit; contacts: ContactInit[] } {
  const fail: Fail = (field, problem) => {
    throw new ContactDataError(field || '(root)', problem, source);
  };
  if (Array.isArray(json)) return { contacts: json.map((c, i) => parseContactInitJson(c, join('', i), fail)) };
  const root = checkObject(json, '', fail);
  checkKeys(root, ['owner', 'contacts', 'note'], '', fail);
  const contacts = checkArray(root.contacts ?? [], 'contacts', fail).map((c, i) => parseContactInitJson(c, join('contacts', i), fail));
  if (root.owner === undefined) return { contacts };
  if (!isObject(root.owner)) fail('owner', 'must be an object');
  return { owner: parseContactInitJson(root.owner, 'owner', fail), contacts };
}
