/**
 * The Contacts service: copies the phone book (`telecom/pb.vcf`) to the PC
 * in pages (MaxListCount = page size, ListStartOffset advancing), reports
 * progress against PhonebookSize, and answers name and number searches and
 * caller lookups from the copy.
 *
 * Resuming: a page counts only once it has arrived whole. When the link
 * drops (or a page stalls), sync waits, opens a session again through the
 * `open` function it was given and goes on from the first page it does not
 * have, so no contact is fetched twice or missed; it gives up after
 * `maxAttempts` tries in a row without a new page, keeping what it has for
 * the next sync(). If the phone book changed meanwhile (another size, or
 * another database id or folder version), it starts over. The finished
 * copy replaces the old one in one step.
 */
import type { CountryCode } from 'libphonenumber-js';
import type { Clock } from '../../link/clock';
import type { PbapParams } from '../../protocol/pbap/app-params';
import { PbapFormat, PropertyBit, selectorOf } from '../../protocol/pbap/constants';
import type { Vcard } from '../../protocol/vcard/model';
import { Emitter } from '../../util/emitter';
import { isTransientPbapError, PbapProtocolError } from '../pbap/errors';
import type { PhonebookSource, SkippedCard } from '../pbap/pbap-types';
import { ContactIndex, contactFromCard, type Contact, type SearchOptions } from './contact-index';
import { PHONEBOOK_MAX_CONTACTS } from '../../limits';

export const DEFAULT_PAGE_SIZE = 250;
export const DEFAULT_MAX_CONTACTS = PHONEBOOK_MAX_CONTACTS;
export const DEFAULT_SYNC_ATTEMPTS = 5;
export const DEFAULT_RETRY_DELAY_MS = 2_000;
export const PHONEBOOK_OBJECT = 'telecom/pb.vcf';

/** The properties a contact list needs (no PHOTO: it would multiply the transfer). */
export const CONTACT_PROPERTIES = selectorOf([
  PropertyBit.Version,
  PropertyBit.Fn,
  PropertyBit.N,
  PropertyBit.Tel,
  PropertyBit.Email,
  PropertyBit.Org,
  PropertyBit.Nickname,
  PropertyBit.Uid,
]);

export interface ContactsOptions {
  clock: Clock;
  /** A connected session (e.g. a PbapClient after connect()); called again to resume after a drop. */
  open: () => Promise<PhonebookSource>;
  /** MaxListCount per page. Default 250. */
  pageSize?: number;
  /** Most contacts kept; a bigger phone book is copied up to this many. Default 20,000. */
  maxContacts?: number;
  /** Region for numbers written in national form (e.g. 'GB'). */
  defaultRegion?: CountryCode;
  format?: number;
  propertySelector?: bigint;
  /** Tries in a row without a new page before sync() gives up. Default 5. */
  maxAttempts?: number;
  /** Wait before opening again after a failure (ms). Default 2000. */
  retryDelayMs?: number;
}

export interface ContactsProgress {
  /** Entries copied so far (complete pages, plus the cards of the page under way). */
  received: number;
  /** Entries being copied: PhonebookSize, capped at maxContacts. */
  total: number;
  /** 0..100. */
  percent: number;
}

export interface SyncResult {
  count: number;
  /** Entries the phone has (PhonebookSize). */
  total: number;
  /** The phone has more than maxContacts; only the first ones were copied. */
  limited: boolean;
  skipped: SkippedCard[];
  pages: number;
  /** Times the sync went on after a failure. */
  resumes: number;
}

export interface ContactsEvents {
  progress: [progress: ContactsProgress];
  synced: [result: SyncResult];
  /** A session failed mid-sync; sync goes on from `received` (after a wait) unless it gives up. */
  interrupted: [err: Error, received: number];
  /** The phone book changed under a resumed sync, which starts over. */
  restarted: [];
}

/** A sync under way (kept across sync() calls so a failed one can be resumed). */
interface Pending {
  total: number;
  /** Entries to copy: the size, capped at maxContacts. */
  target: number;
  /** Entries done (good or broken): the next ListStartOffset. */
  offset: number;
  version: string;
  staged: Contact[];
  skipped: SkippedCard[];
  pages: number;
  resumes: number;
}

export class Contacts {
  readonly events = new Emitter<ContactsEvents>();
  private readonly index: ContactIndex;
  private readonly pageSize: number;
  private readonly maxAttempts: number;
  private readonly retryDelayMs: number;
  private pending: Pending | undefined;
  private running: Promise<SyncResult> | undefined;
  private lastSync: SyncResult | undefined;

  constructor(private readonly options: ContactsOptions) {
    this.index = new ContactIndex(options.maxContacts ?? DEFAULT_MAX_CONTACTS, options.defaultRegion);
    this.pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
    if (!Number.isInteger(this.pageSize) || this.pageSize < 1 || this.pageSize > 0xffff) {
      throw new RangeError(`page size ${this.pageSize} is outside 1..65535`);
    }
    this.maxAttempts = options.maxAttempts ?? DEFAULT_SYNC_ATTEMPTS;
    this.retryDelayMs = options.retryDelayMs ?? DEFAULT_RETRY_DELAY_MS;
  }

  /** The contacts of the last finished sync, in phone book order. */
  list(): Contact[] {
    return this.index.all();
  }

  get size(): number {
    return this.index.size;
  }

  /** What the last finished sync reported. */
  get lastResult(): SyncResult | undefined {
    return this.lastSync;
  }

  /** True while a failed sync holds pages the next sync() will resume from. */
  get resumable(): boolean {
    return this.pending !== undefined && this.running === undefined;
  }

  searchByName(query: string, options?: SearchOptions): Contact[] {
    return this.index.searchByName(query, options);
  }

  searchByNumber(query: string, options?: SearchOptions): Contact[] {
    return this.index.searchByNumber(query, options);
  }

  /** Caller ID: the contact that owns `number`, in any of its written forms. */
  lookupCaller(number: string): Contact | undefined {
    return this.index.lookupCaller(number);
  }

  /** Copies the phone book; a second call while one runs gets the same promise. */
  sync(): Promise<SyncResult> {
    if (this.running) return this.running;
    this.running = this.runSync().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async runSync(): Promise<SyncResult> {
    let failures = 0;
    for (;;) {
      try {
        return await this.attempt();
      } catch (err) {
        if (!(err instanceof Error) || !isTransientPbapError(err)) throw err;
        failures++;
        const received = this.pending?.offset ?? 0;
        this.events.emit('interrupted', err, received);
        if (failures >= this.maxAttempts) throw err;
        if (this.pending) this.pending.resumes++;
        await this.options.clock.sleep(this.retryDelayMs);
      }
    }
  }

  /** One session's worth of sync: from where the pending copy stands to the end. */
  private async attempt(): Promise<SyncResult> {
    const source = await this.options.open();
    const info = await source.phonebookInfo(PHONEBOOK_OBJECT);
    if (info.phonebookSize === undefined) throw new PbapProtocolError(`PhonebookSize ${PHONEBOOK_OBJECT}`, 'the phone sent no PhonebookSize', undefined);
    const pending = this.pendingFor(info.phonebookSize, versionOf(info));
    this.emitProgress(pending, 0);
    while (pending.offset < pending.target) {
      const offset = pending.offset;
      const count = Math.min(this.pageSize, pending.target - offset);
      const page: Contact[] = [];
      const pull = await source.pullPhonebook(PHONEBOOK_OBJECT, {
        format: this.options.format ?? PbapFormat.Vcard30,
        propertySelector: this.options.propertySelector ?? CONTACT_PROPERTIES,
        maxListCount: count,
        listStartOffset: offset,
        onCard: (card: Vcard, index: number) => {
          if (index >= count) return; // the phone sent more than asked: those come with the next page
          page.push(contactFromCard(card, offset + index, this.options.defaultRegion));
          this.emitProgress(pending, page.length);
        },
      });
      const entries = Math.min(pull.entries, count);
      if (entries === 0) {
        // The phone has fewer entries than it said: what we have is all there is.
        pending.target = offset;
        break;
      }
      // Broken cards keep their place in the phone book: the offset moves past them too.
      pending.staged.push(...page);
      pending.skipped.push(...pull.skipped);
      pending.offset = offset + entries;
      pending.pages++;
      this.emitProgress(pending, 0);
    }
    return this.finish(pending);
  }

  /** The pending copy, kept when the phone book is the same one, otherwise a fresh one. */
  private pendingFor(total: number, version: string): Pending {
    const current = this.pending;
    if (current !== undefined && current.total === total && current.version === version) return current;
    if (current !== undefined) this.events.emit('restarted');
    const maxContacts = this.index.maxContacts;
    const fresh: Pending = { total, target: Math.min(total, maxContacts), offset: 0, version, staged: [], skipped: [], pages: 0, resumes: current?.resumes ?? 0 };
    this.pending = fresh;
    return fresh;
  }

  private finish(pending: Pending): SyncResult {
    this.index.replace(pending.staged);
    const result: SyncResult = {
      count: pending.staged.length,
      total: pending.total,
      limited: pending.total > this.index.maxContacts,
      skipped: pending.skipped,
      pages: pending.pages,
      resumes: pending.resumes,
    };
    this.pending = undefined;
    this.lastSync = result;
    this.events.emit('synced', result);
    return result;
  }

  private emitProgress(pending: Pending, inPage: number): void {
    const received = Math.min(pending.target, pending.offset + inPage);
    const percent = pending.target === 0 ? 100 : Math.floor((received / pending.target) * 100);
    this.events.emit('progress', { received, total: pending.target, percent });
  }
}

/** What identifies one state of the phone book: database id and primary folder version, when the phone sends them. */
function versionOf(params: PbapParams): string {
  const hex = (bytes: Uint8Array | undefined): string => (bytes === undefined ? '' : Buffer.from(bytes).toString('hex'));
  return `${hex(params.databaseIdentifier)}/${hex(params.primaryFolderVersion)}`;
}
