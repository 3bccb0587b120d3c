/**
 * What the phone's PBAP server shows: the virtual folder tree (root,
 * `telecom`, the phone books under it, `SIM1/telecom/...` when the profile
 * offers a SIM), SetPath navigation in it, and each phone book's entries
 * (handle, listing name, numbers, how to render the vCard) with the
 * listing's search and sort.
 */
import { isCallHistory, PbapOrder, PbapSearchProperty, PbapRepository, SIM_FOLDER, TELECOM_FOLDER } from '../protocol/pbap';
import type { VcardWriteVersion } from '../protocol/vcard';
import type { CallKind, CallRecord } from './call-history';
import type { Contact } from './contact-data';
import { digitsOf } from './contact-book';
import { callToVcard, renderVcard } from './contact-vcard';
import type { PhoneModel } from './phone-model';

/** A folder as its path from the root: [] is the root, ['telecom', 'pb'] the phone book. */
export type FolderPath = readonly string[];

export interface BookEntry {
  /** `<handle>.vcf`. */
  handle: number;
  /** The listing's `name` attribute (the N value, `Doe;John`). */
  listingName: string;
  /** What a name search looks at (N and FN). */
  searchText: string;
  numbers: readonly string[];
  render(version: VcardWriteVersion, selector: bigint): string;
}

/** The outcome of SetPath: the new folder, or why not. */
export type SetPathResult = { ok: true; path: FolderPath } | { ok: false; reason: 'not-found' | 'bad-name' };

const LOCAL_BOOKS = ['pb', 'ich', 'och', 'mch', 'cch'] as const;
const KIND_OF_BOOK: Record<string, CallKind | undefined> = { ich: 'received', och: 'dialled', mch: 'missed' };

export class PbapFolders {
  constructor(
    private readonly model: PhoneModel,
    /** SupportedRepositories bits. */
    private readonly repositories: number,
    /** Whether contact vCards carry PHOTO. */
    private readonly photos: boolean,
  ) {}

  /** The folders directly inside `path`. */
  children(path: FolderPath): string[] {
    const has = (bit: number): boolean => (this.repositories & (1 << bit)) !== 0;
    if (path.length === 0) return has(PbapRepository.Sim) ? [TELECOM_FOLDER, SIM_FOLDER] : [TELECOM_FOLDER];
    const telecom = path.length === 1 && path[0] === TELECOM_FOLDER;
    const simTelecom = path.length === 2 && path[0] === SIM_FOLDER && path[1] === TELECOM_FOLDER;
    if (path.length === 1 && path[0] === SIM_FOLDER) return [TELECOM_FOLDER];
    if (simTelecom) return [...LOCAL_BOOKS];
    if (!telecom) return [];
    const books: string[] = [...LOCAL_BOOKS];
    if (has(PbapRepository.SpeedDial)) books.push('spd');
    if (has(PbapRepository.Favourites)) books.push('fav');
    return books;
  }

  /** True when `path` names a folder that exists. */
  exists(path: FolderPath): boolean {
    for (let depth = 0; depth < path.length; depth++) {
      if (!this.children(path.slice(0, depth)).includes(path[depth] as string)) return false;
    }
    return true;
  }

  /**
   * SetPath from `current`: `up` backs up one level first (an error at the
   * root); then `name` ('' or absent without `up`: the root) enters a child.
   */
  setPath(current: FolderPath, up: boolean, name: string | undefined): SetPathResult {
    let path = [...current];
    if (up) {
      if (path.length === 0) return { ok: false, reason: 'not-found' };
      path.pop();
      if (name === undefined || name === '') return { ok: true, path };
    } else if (name === undefined || name === '') {
      return { ok: true, path: [] };
    }
    if (name.includes('/') || name.includes('\\') || name === '.' || name === '..') return { ok: false, reason: 'bad-name' };
    path = [...path, name];
    return this.exists(path) ? { ok: true, path } : { ok: false, reason: 'not-found' };
  }

  /** `relative` ('a/b', '' for none) resolved from `current`; undefined when it leaves the tree. */
  resolve(current: FolderPath, relative: string): FolderPath | undefined {
    const parts = relative.split('/').filter((p) => p !== '');
    if (parts.some((p) => p === '.' || p === '..')) return undefined;
    const path = [...current, ...parts];
    return this.exists(path) ? path : undefined;
  }

  /** The entries of the phone book at `path` in indexed order; undefined when `path` is not a phone book. */
  entries(path: FolderPath): BookEntry[] | undefined {
    if (!this.exists(path)) return undefined;
    const sim = path.length === 3 && path[0] === SIM_FOLDER && path[1] === TELECOM_FOLDER;
    const local = path.length === 2 && path[0] === TELECOM_FOLDER;
    if (!sim && !local) return undefined;
    const book = path[path.length - 1] as string;
    // The simulated phone has no SIM contacts and no speed dial or favourites.
    if (sim || book === 'spd' || book === 'fav') return [];
    if (book === 'pb') return [this.model.contacts.owner, ...this.model.contacts.all()].map((c) => this.contactEntry(c));
    if (!isCallHistory(book)) return [];
    const kind = KIND_OF_BOOK[book];
    return this.model.calls.list(kind).map((record, i) => this.callEntry(record, i + 1));
  }

  private contactEntry(contact: Contact): BookEntry {
    const contacts = this.model.contacts;
    const photo = this.photos;
    return {
      handle: contact.id,
      listingName: listingName(contact) || contact.formattedName,
      searchText: `${listingName(contact)} ${contact.formattedName}`,
      numbers: contact.phones.map((p) => p.number),
      render: (version, selector) => contacts.vcardFor(contact, version, selector, { photo }),
    };
  }

  private callEntry(record: CallRecord, handle: number): BookEntry {
    const contact = this.model.contacts.findByNumber(record.number);
    const caller = contact === undefined ? undefined : { name: contact.name, formattedName: contact.formattedName };
    const name = contact === undefined ? (record.name ?? '') : listingName(contact) || contact.formattedName;
    return {
      handle,
      listingName: name,
      searchText: `${name} ${contact?.formattedName ?? ''}`,
      numbers: [record.number],
      render: (version, selector) => renderVcard(callToVcard(record, caller), version, selector),
    };
  }
}

/** N as the listing shows it: components joined by `;`, trailing empty ones dropped. */
export function listingName(contact: Contact): string {
  const { family, given, additional, prefix, suffix } = contact.name;
  const parts = [family, given, additional, prefix, suffix];
  while (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  return parts.join(';');
}

/** Lower case without accents, `;` as spaces: what name search and alphanumeric order compare. */
export function foldText(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/;/g, ' ');
}

/**
 * Entries matching SearchValue: by name (substring of N or FN, case- and
 * accent-insensitive; `sound` is treated as name, the phone keeps no
 * phonetic names) or by number (the digits of the value within the digits
 * of a number, punctuation ignored). No value matches everything.
 */
export function searchEntries(entries: readonly BookEntry[], value: string | undefined, property: number): BookEntry[] {
  if (value === undefined || value === '') return [...entries];
  if (property === PbapSearchProperty.Number) {
    const digits = digitsOf(value);
    if (digits === '') return [];
    return entries.filter((e) => e.numbers.some((n) => digitsOf(n).includes(digits)));
  }
  const wanted = foldText(value).trim();
  return entries.filter((e) => foldText(e.searchText).includes(wanted));
}

/** Entries in the listing's order: indexed (by handle) or alphanumeric / phonetic (by name, then handle). */
export function sortEntries(entries: readonly BookEntry[], order: number): BookEntry[] {
  const byHandle = [...entries].sort((a, b) => a.handle - b.handle);
  if (order === PbapOrder.Indexed) return byHandle;
  const keyed = byHandle.map((e) => ({ e, key: foldText(e.listingName) }));
  keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.e.handle - b.e.handle));
  return keyed.map((k) => k.e);
}
