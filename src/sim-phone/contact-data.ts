/**
 * The phone's contact record: its typed shape (name parts, formatted name,
 * typed phone numbers and emails, organisation, photo, birthday, note),
 * the checks every contact passes before it enters the book (sizes, no
 * NULs, a usable formatted name), and the JSON form that stimuli and
 * contact-book fixtures use (photos as base64).
 */
import { ContactDataError } from './phonebook-errors';
import {
  Fail,
  JsonObject,
  checkArray,
  checkKeys,
  checkObject,
  checkOneOf,
  checkString,
  join,
  required,
} from './json-check';

export const PHONE_TYPES = ['mobile', 'home', 'work', 'main', 'other'] as const;
export type PhoneType = (typeof PHONE_TYPES)[number];

export const EMAIL_TYPES = ['home', 'work', 'other'] as const;
export type EmailType = (typeof EMAIL_TYPES)[number];

export interface ContactName {
  family: string;
  given: string;
  additional: string;
  prefix: string;
  suffix: string;
}

export interface ContactPhone {
  number: string;
  type: PhoneType;
}

export interface ContactEmail {
  address: string;
  type: EmailType;
}

export interface ContactPhoto {
  bytes: Uint8Array;
  /** Image type as vCard writes it: `JPEG`, `PNG`, ... */
  type: string;
}

/** One contact as the book holds it: an immutable snapshot (an edit replaces it). */
export interface Contact {
  /** Stable id; also the PBAP handle (`<id>.vcf`). 0 is the owner card. */
  readonly id: number;
  readonly name: Readonly<ContactName>;
  readonly formattedName: string;
  readonly phones: readonly ContactPhone[];
  readonly emails: readonly ContactEmail[];
  readonly organisation?: string;
  readonly photo?: ContactPhoto;
  /** `YYYY-MM-DD`. */
  readonly birthday?: string;
  readonly note?: string;
}

/** What `add` takes; every field is optional. */
export interface ContactInit {
  name?: Partial<ContactName>;
  /** Default: the name parts joined, else the organisation, else the first number. */
  formattedName?: string;
  phones?: ContactPhone[];
  emails?: ContactEmail[];
  organisation?: string;
  photo?: ContactPhoto;
  birthday?: string;
  note?: string;
}

/** Changes for `edit`: given fields replace; `null` removes an optional one. */
export interface ContactChanges {
  name?: Partial<ContactName>;
  formattedName?: string;
  phones?: ContactPhone[];
  emails?: ContactEmail[];
  organisation?: string | null;
  photo?: ContactPhoto | null;
  birthday?: string | null;
  note?: string | null;
}

/** Per-contact bounds. */
export const CONTACT_LIMITS = {
  maxTextLength: 1024,
  maxNoteLength: 16 * 1024,
  maxPhones: 32,
  maxEmails: 32,
  maxPhotoBytes: 1024 * 1024,
} as const;

const NAME_KEYS = ['family', 'given', 'additional', 'prefix', 'suffix'] as const;
const BIRTHDAY = /^\d{4}-\d{2}-\d{2}$/;
const PHOTO_TYPE = /^[A-Za-z0-9.+-]{1,32}$/;

/** Validates `init` and builds the snapshot with `id`. Throws ContactDataError. */
export function buildContact(id: number, init: ContactInit, source?: string): Contact {
  const fail: Fail = (field, problem) => {
    throw new ContactDataError(field || '(contact)', problem, source);
  };
  const name: ContactName = { family: '', given: '', additional: '', prefix: '', suffix: '' };
  for (const key of NAME_KEYS) {
    const value = init.name?.[key];
    if (value !== undefined) name[key] = text(value, join('name', key), fail);
  }
  const phones = (init.phones ?? []).map((p, i) => ({
    number: text(p.number, join(join('phones', i), 'number'), fail, { nonEmpty: true }),
    type: checkOneOf(p.type, PHONE_TYPES, join(join('phones', i), 'type'), fail),
  }));
  if (phones.length > CONTACT_LIMITS.maxPhones) fail('phones', `has ${phones.length} numbers, at most ${CONTACT_LIMITS.maxPhones}`);
  const emails = (init.emails ?? []).map((e, i) => ({
    address: text(e.address, join(join('emails', i), 'address'), fail, { nonEmpty: true }),
    type: checkOneOf(e.type, EMAIL_TYPES, join(join('emails', i), 'type'), fail),
  }));
  if (emails.length > CONTACT_LIMITS.maxEmails) fail('emails', `has ${emails.length} addresses, at most ${CONTACT_LIMITS.maxEmails}`);
  const organisation = init.organisation === undefined ? undefined : text(init.organisation, 'organisation', fail);
  const joined = [name.prefix, name.given, name.additional, name.family, name.suffix].filter((s) => s !== '').join(' ');
  const formattedName =
    init.formattedName !== undefined ? text(init.formattedName, 'formattedName', fail) : joined || organisation || phones[0]?.number || '';
  const contact: Contact = { id, name, formattedName, phones, emails };
  const extra: { organisation?: string; photo?: ContactPhoto; birthday?: string; note?: string } = {};
  if (organisation !== undefined) extra.organisation = organisation;
  if (init.photo !== undefined) {
    if (!(init.photo.bytes instanceof Uint8Array) || init.photo.bytes.length === 0) fail('photo.bytes', 'must be non-empty bytes');
    if (init.photo.bytes.length > CONTACT_LIMITS.maxPhotoBytes) fail('photo.bytes', `is over ${CONTACT_LIMITS.maxPhotoBytes} bytes`);
    extra.photo = { bytes: Uint8Array.from(init.photo.bytes), type: checkString(init.photo.type, 'photo.type', fail, { pattern: PHOTO_TYPE }).toUpperCase() };
  }
  if (init.birthday !== undefined) {
    const birthday = checkString(init.birthday, 'birthday', fail, { pattern: BIRTHDAY });
    if (Number.isNaN(Date.parse(`${birthday}T00:00:00Z`))) fail('birthday', `is not a calendar date: ${birthday}`);
    extra.birthday = birthday;
  }
  if (init.note !== undefined) extra.note = text(init.note, 'note', fail, { max: CONTACT_LIMITS.maxNoteLength });
  return { ...contact, ...extra };
}

/** The init that rebuilds `contact` (for edits). */
export function initOf(contact: Contact): ContactInit {
  const init: ContactInit = {
    name: { ...contact.name },
    formattedName: contact.formattedName,
    phones: contact.phones.map((p) => ({ ...p })),
    emails: contact.emails.map((e) => ({ ...e })),
  };
  if (contact.organisation !== undefined) init.organisation = contact.organisation;
  if (contact.photo !== undefined) init.photo = contact.photo;
  if (contact.birthday !== undefined) init.birthday = contact.birthday;
  if (contact.note !== undefined) init.note = contact.note;
  return init;
}

/** `contact` with `changes` applied, as an init. A name change recomputes the formatted name unless one is given. */
export function applyChanges(contact: Contact, changes: ContactChanges): ContactInit {
  const init = initOf(contact);
  if (changes.name !== undefined) {
    init.name = { ...init.name, ...changes.name };
    if (changes.formattedName === undefined) delete init.formattedName;
  }
  if (changes.formattedName !== undefined) init.formattedName = changes.formattedName;
  if (changes.phones !== undefined) init.phones = changes.phones;
  if (changes.emails !== undefined) init.emails = changes.emails;
  for (const key of ['organisation', 'birthday', 'note'] as const) {
    const value = changes[key];
    if (value === null) delete init[key];
    else if (value !== undefined) init[key] = value;
  }
  if (changes.photo === null) delete init.photo;
  else if (changes.photo !== undefined) init.photo = changes.photo;
  return init;
}

function text(value: unknown, field: string, fail: Fail, opts: { nonEmpty?: boolean; max?: number } = {}): string {
  const s = checkString(value, field, fail, { nonEmpty: opts.nonEmpty === true });
  const max = opts.max ?? CONTACT_LIMITS.maxTextLength;
  if (s.length > max) fail(field, `is longer than ${max} characters`);
  if (s.includes('\0')) fail(field, 'holds a NUL character');
  return s;
}

const INIT_KEYS = ['name', 'formattedName', 'phones', 'emails', 'organisation', 'photo', 'birthday', 'note'];

/**
 * Reads the JSON form of a contact: the fields of ContactInit, with the
 * photo as `{ "base64": "...", "type": "JPEG" }`. With `allowNull`, optional
 * fields may be `null` (an edit that removes them). Only shapes are checked
 * here; buildContact checks values.
 */
export function parseContactJson(value: unknown, field: string, fail: Fail, allowNull = false): ContactChanges {
  const obj = checkObject(value, field, fail);
  checkKeys(obj, INIT_KEYS, field, fail);
  const out: ContactChanges = {};
  if (obj.name !== undefined) {
    const name = checkObject(obj.name, join(field, 'name'), fail);
    checkKeys(name, NAME_KEYS, join(field, 'name'), fail);
    out.name = {};
    for (const key of NAME_KEYS) {
      if (name[key] !== undefined) out.name[key] = checkString(name[key], join(join(field, 'name'), key), fail);
    }
  }
  if (obj.formattedName !== undefined) out.formattedName = checkString(obj.formattedName, join(field, 'formattedName'), fail);
  if (obj.phones !== undefined) {
    out.phones = checkArray(obj.phones, join(field, 'phones'), fail).map((p, i) => {
      const at = join(join(field, 'phones'), i);
      const phone = checkObject(p, at, fail);
      checkKeys(phone, ['number', 'type'], at, fail);
      return {
        number: checkString(required(phone, 'number', at, fail), join(at, 'number'), fail, { nonEmpty: true }),
        type: phone.type === undefined ? 'mobile' : checkOneOf(phone.type, PHONE_TYPES, join(at, 'type'), fail),
      };
    });
  }
  if (obj.emails !== undefined) {
    out.emails = checkArray(obj.emails, join(field, 'emails'), fail).map((e, i) => {
      const at = join(join(field, 'emails'), i);
      const email = checkObject(e, at, fail);
      checkKeys(email, ['address', 'type'], at, fail);
      return {
        address: checkString(required(email, 'address', at, fail), join(at, 'address'), fail, { nonEmpty: true }),
        type: email.type === undefined ? 'other' : checkOneOf(email.type, EMAIL_TYPES, join(at, 'type'), fail),
      };
    });
  }
  for (const key of ['organisation', 'birthday', 'note'] as const) {
    if (obj[key] === null && allowNull) out[key] = null;
    else if (obj[key] !== undefined) out[key] = checkString(obj[key], join(field, key), fail);
  }
  if (obj.photo === null && allowNull) out.photo = null;
  else if (obj.photo !== undefined) out.photo = parsePhotoJson(obj.photo, join(field, 'photo'), fail);
  return out;
}

/** A contact's JSON form as a ContactInit (no nulls allowed). */
export function parseContactInitJson(value: unknown, field: string, fail: Fail): ContactInit {
  const changes = parseContactJson(value, field, fail, false);
  const init: ContactInit = {};
  if (changes.name !== undefined) init.name = changes.name;
  if (changes.formattedName !== undefined) init.formattedName = changes.formattedName;
  if (changes.phones !== undefined) init.phones = changes.phones;
  if (changes.emails !== undefined) init.emails = changes.emails;
  if (typeof changes.organisation === 'string') init.organisation = changes.organisation;
  if (typeof changes.birthday === 'string') init.birthday = changes.birthday;
  if (typeof changes.note === 'string') init.note = changes.note;
  if (changes.photo) init.photo = changes.photo;
  return init;
}

function parsePhotoJson(value: unknown, field: string, fail: Fail): ContactPhoto {
  const photo: JsonObject = checkObject(value, field, fail);
  checkKeys(photo, ['base64', 'type'], field, fail);
  const b64 = checkString(required(photo, 'base64', field, fail), join(field, 'base64'), fail, { nonEmpty: true });
  if (!/^[A-Za-z0-9+/\s]*={0,2}\s*$/.test(b64)) fail(join(field, 'base64'), 'is not base64');
  return {
    bytes: Uint8Array.from(Buffer.from(b64, 'base64')),
    type: checkString(required(photo, 'type', field, fail), join(field, 'type'), fail, { pattern: PHOTO_TYPE }),
  };
}
