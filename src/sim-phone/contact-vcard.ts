/**
 * Contacts and call records as vCards: the phone's typed contact to the
 * vCard model and back (for .vcf contact books), a call record to a
 * call-history card with X-IRMC-CALL-DATETIME, and rendering a card as
 * 2.1 or 3.0 text through PBAP's PropertySelector with the vCard writer.
 */
import {
  applyPropertySelector,
  prop,
  Vcard,
  writeVcard,
  type VcardProperty,
  type VcardWriteVersion,
} from '../protocol/vcard';
import type { CallRecord } from './call-history';
import type { Contact, ContactInit, ContactName, EmailType, PhoneType } from './contact-data';

const TEL_TYPES: Record<PhoneType, string[]> = {
  mobile: ['CELL'],
  home: ['HOME'],
  work: ['WORK'],
  main: ['MAIN'],
  other: ['OTHER'],
};

const EMAIL_TYPES: Record<EmailType, string[]> = {
  home: ['INTERNET', 'HOME'],
  work: ['INTERNET', 'WORK'],
  other: ['INTERNET'],
};

const CALL_KINDS: Record<CallRecord['kind'], string> = { missed: 'MISSED', received: 'RECEIVED', dialled: 'DIALED' };

/** The contact as a vCard model (N, FN, TEL, EMAIL, ORG, PHOTO, BDAY, NOTE); PHOTO only when `photo`. */
export function contactToVcard(contact: Contact, options: { photo: boolean }): Vcard {
  const properties: VcardProperty[] = [nameProperty(contact.name), prop('FN', contact.formattedName)];
  for (const phone of contact.phones) properties.push(prop('TEL', phone.number, { TYPE: TEL_TYPES[phone.type] }));
  for (const email of contact.emails) properties.push(prop('EMAIL', email.address, { TYPE: EMAIL_TYPES[email.type] }));
  if (contact.organisation !== undefined) properties.push(prop('ORG', [[contact.organisation]]));
  if (options.photo && contact.photo !== undefined) properties.push(prop('PHOTO', contact.photo.bytes, { TYPE: contact.photo.type }));
  if (contact.birthday !== undefined) properties.push(prop('BDAY', contact.birthday));
  if (contact.note !== undefined) properties.push(prop('NOTE', contact.note));
  return new Vcard('3.0', properties);
}

/** A call-history card: the caller's name (if known), the number and the call's kind and time. */
export function callToVcard(record: CallRecord, caller: { name: ContactName; formattedName: string } | undefined): Vcard {
  const name = caller?.name ?? { family: '', given: '', additional: '', prefix: '', suffix: '' };
  const formatted = caller?.formattedName ?? record.name ?? '';
  const properties: VcardProperty[] = [
    caller === undefined && record.name !== undefined ? prop('N', [[record.name], [''], [''], [''], ['']]) : nameProperty(name),
    prop('FN', formatted),
    prop('TEL', record.number),
    prop('X-IRMC-CALL-DATETIME', formatCallTime(record.time), { TYPE: CALL_KINDS[record.kind] }),
  ];
  return new Vcard('3.0', properties);
}

/**
 * The card as PBAP text: filtered by `selector` (0 = everything; the
 * version's mandatory properties always stay, empty if need be) and
 * written in `version`. The call-history property is written the way
 * PBAP shows it in both versions, `X-IRMC-CALL-DATETIME;MISSED:...`.
 */
export function renderVcard(card: Vcard, version: VcardWriteVersion, selector: bigint = 0n): string {
  const filtered = applyPropertySelector(card, selector, version, { fillMandatory: true });
  const text = writeVcard(filtered, version);
  return version === '3.0' ? text.replace(/\r\nX-IRMC-CALL-DATETIME;TYPE=/g, '\r\nX-IRMC-CALL-DATETIME;') : text;
}

/** `yyyyMMddTHHmmss` in UTC (the simulated phone keeps its clock in UTC). */
export function formatCallTime(date: Date): string {
  const pad = (n: number, width = 2): string => String(n).padStart(width, '0');
  return (
    `${pad(date.getUTCFullYear(), 4)}${pad(date.getUTCMonth() + 1)}${pad(date.getUTCDate())}` +
    `T${pad(date.getUTCHours())}${pad(date.getUTCMinutes())}${pad(date.getUTCSeconds())}`
  );
}

/** A parsed vCard as a contact to add (for .vcf books). Fields the phone does not model are dropped. */
export function vcardToContactInit(card: Vcard): ContactInit {
  const init: ContactInit = {};
  const n = card.name;
  if (n !== undefined) {
    init.name = { family: n.family, given: n.given, additional: n.additional, prefix: n.prefixes, suffix: n.suffixes };
  }
  const fn = card.formattedName;
  if (fn !== undefined && fn !== '') init.formattedName = fn;
  const phones = card.tel.filter((t) => t.number.trim() !== '').map((t) => ({ number: t.number.trim(), type: phoneTypeOf(t.types) }));
  if (phones.length > 0) init.phones = phones;
  const emails = card.email.filter((e) => e.address.trim() !== '').map((e) => ({ address: e.address.trim(), type: emailTypeOf(e.types) }));
  if (emails.length > 0) init.emails = emails;
  const org = card.org;
  if (org !== undefined && org.name !== '') init.organisation = org.name;
  const photo = card.photo;
  if (photo !== undefined && photo.bytes.length > 0) init.photo = { bytes: photo.bytes, type: (photo.type ?? 'JPEG').toUpperCase() };
  const birthday = normaliseBirthday(card.bday);
  if (birthday !== undefined) init.birthday = birthday;
  const note = card.note;
  if (note !== undefined && note !== '') init.note = note;
  return init;
}

function nameProperty(name: ContactName): VcardProperty {
  return prop('N', [[name.family], [name.given], [name.additional], [name.prefix], [name.suffix]]);
}

function phoneTypeOf(types: readonly string[]): PhoneType {
  if (types.includes('CELL') || types.includes('IPHONE') || types.includes('MOBILE')) return 'mobile';
  if (types.includes('MAIN')) return 'main';
  if (types.includes('HOME')) return 'home';
  if (types.includes('WORK')) return 'work';
  return 'other';
}

function emailTypeOf(types: readonly string[]): EmailType {
  if (types.includes('HOME')) return 'home';
  if (types.includes('WORK')) return 'work';
  return 'other';
}

function normaliseBirthday(text: string | undefined): string | undefined {
  const match = /^(\d{4})-?(\d{2})-?(\d{2})/.exec(text?.trim() ?? '');
  if (match === null) return undefined;
  const iso = `${match[1]}-${match[2]}-${match[3]}`;
  return Number.isNaN(Date.parse(`${iso}T00:00:00Z`)) ? undefined : iso;
}
