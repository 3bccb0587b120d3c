/**
 * The PBAP functions as OBEX exchanges, run by the client one at a time on
 * its open session: PullPhoneBook (streamed into cards), the phone book
 * size, PullvCardListing, PullvCardEntry, and SetPhoneBook with the folder
 * the session is in kept track of (unknown after a failed SetPath, so the
 * next move starts from the root).
 */
import type { Emitter } from '../../util/emitter';
import { encodePbapParams, type PbapParams } from '../../protocol/pbap/app-params';
import { PbapFormat, PbapObjectType, PbapSearchProperty, parsePhonebookObject, phonebookObjectName } from '../../protocol/pbap/constants';
import { decodeVcardListing } from '../../protocol/pbap/listing';
import { parseVcards } from '../../protocol/vcard/parser';
import type { ObexClientSession } from '../../protocol/obex/client-session';
import { BufferCollector, PhonebookCollector } from './body-collectors';
import { DEFAULT_MAX_CARD_BYTES } from './vcard-splitter';
import { PbapFolderUnknownError, PbapProtocolError } from './errors';
import { absoluteFolder, folderText, planSetPath, resolveFolder } from './folder-path';
import type {
  EntryPull,
  ListingPull,
  PbapClientEvents,
  PbapClientOptions,
  PbapOperationName,
  PhonebookPull,
  PullEntryOptions,
  PullListingOptions,
  PullPhonebookOptions,
} from './pbap-types';
import { PBAP_MAX_CARDS_PER_PULL, PBAP_MAX_BODY_BYTES } from '../../limits';

export const DEFAULT_MAX_CARDS = PBAP_MAX_CARDS_PER_PULL;
export const DEFAULT_MAX_LISTING_BYTES = PBAP_MAX_BODY_BYTES;

/** Runs an operation on the client's session, queued behind the others. */
export type RunOperation = <T>(what: string, body: (link: { session: ObexClientSession }) => Promise<T>) => Promise<T>;

export class PbapOperations {
  private current: string[] | undefined = [];
  private readonly maxCards: number;
  private readonly maxCardBytes: number;
  private readonly maxListingBytes: number;

  constructor(
    options: PbapClientOptions,
    private readonly events: Emitter<PbapClientEvents>,
    private readonly run: RunOperation,
  ) {
    this.maxCards = options.maxCards ?? DEFAULT_MAX_CARDS;
    this.maxCardBytes = options.maxCardBytes ?? DEFAULT_MAX_CARD_BYTES;
    this.maxListingBytes = options.maxListingBytes ?? DEFAULT_MAX_LISTING_BYTES;
  }

  get folder(): string | undefined {
    return this.current === undefined ? undefined : folderText(this.current);
  }

  /** A new session starts at the root. */
  reset(): void {
    this.current = [];
  }

  pullPhonebook(name: string, options: PullPhonebookOptions): Promise<PhonebookPull> {
    const objectName = toObjectName(name);
    const params: PbapParams = { format: options.format ?? PbapFormat.Vcard30 };
    if (options.propertySelector !== undefined) params.propertySelector = options.propertySelector;
    if (options.maxListCount !== undefined) params.maxListCount = options.maxListCount;
    if (options.listStartOffset !== undefined) params.listStartOffset = options.listStartOffset;
    if (options.resetNewMissedCalls === true) params.resetNewMissedCalls = 1;
    const appParams = encodePbapParams(params);
    return this.run(`PullPhoneBook ${objectName}`, async ({ session }) => {
      const collector = new PhonebookCollector({
        name: objectName,
        maxCards: this.maxCards,
        maxCardBytes: this.maxCardBytes,
        onCard: options.onCard,
        onSkipped: (card) => this.events.emit('skipped', card),
        onProgress: (bytes, cards) => this.progress('pullPhonebook', objectName, bytes, cards),
      });
      await session.get({ type: PbapObjectType.Phonebook, name: objectName, appParams }, collector);
      collector.finish();
      return {
        name: objectName,
        cards: collector.cards,
        skipped: collector.skipped,
        entries: collector.entries,
        bytes: collector.bytes,
        params: collector.params,
      };
    });
  }

  async phonebookSize(name: string): Promise<number> {
    const params = await this.phonebookInfo(name);
    if (params.phonebookSize === undefined) {
      throw new PbapProtocolError(`PhonebookSize ${toObjectName(name)}`, 'the phone sent no PhonebookSize', undefined);
    }
    return params.phonebookSize;
  }

  phonebookInfo(name: string): Promise<PbapParams> {
    const objectName = toObjectName(name);
    const appParams = encodePbapParams({ maxListCount: 0 });
    return this.run(`PhonebookSize ${objectName}`, async ({ session }) => {
      const sink = new BufferCollector(objectName, this.maxListingBytes, (bytes) => this.progress('phonebookSize', objectName, bytes, 0));
      await session.get({ type: PbapObjectType.Phonebook, name: objectName, appParams }, sink);
      return sink.params;
    });
  }

  pullListing(folder: string, options: PullListingOptions): Promise<ListingPull> {
    const target = absoluteFolder(folder);
    const params: PbapParams = {};
    if (options.order !== undefined) params.order = options.order;
    if (options.search !== undefined) {
      params.searchValue = options.search.value;
      params.searchProperty = options.search.property ?? PbapSearchProperty.Name;
    }
    if (options.paging?.maxListCount !== undefined) params.maxListCount = options.paging.maxListCount;
    if (options.paging?.listStartOffset !== undefined) params.listStartOffset = options.paging.listStartOffset;
    const appParams = encodePbapParams(params);
    const text = folderText(target);
    return this.run(`PullvCardListing ${text}`, async ({ session }) => {
      await this.navigate(session, target);
      const sink = new BufferCollector(text, this.maxListingBytes, (bytes) => this.progress('pullListing', text, bytes, 0));
      // The listing of the current folder: an empty Name.
      await session.get({ type: PbapObjectType.VcardListing, name: '', appParams }, sink);
      const body = sink.body();
      const entries = body.length === 0 ? [] : decodeVcardListing(body, { maxBytes: this.maxListingBytes }).cards;
      this.progress('pullListing', text, body.length, entries.length);
      return { folder: text, entries, params: sink.params };
    });
  }

  pullEntry(folder: string, handle: string, options: PullEntryOptions): Promise<EntryPull> {
    const target = absoluteFolder(folder);
    const params: PbapParams = { format: options.format ?? PbapFormat.Vcard30 };
    if (options.propertySelector !== undefined) params.propertySelector = options.propertySelector;
    const appParams = encodePbapParams(params);
    const text = folderText(target);
    const what = `PullvCardEntry ${text}/${handle}`;
    return this.run(what, async ({ session }) => {
      await this.navigate(session, target);
      const sink = new BufferCollector(handle, this.maxCardBytes, (bytes) => this.progress('pullEntry', handle, bytes, 0));
      await session.get({ type: PbapObjectType.Vcard, name: handle, appParams }, sink);
      const cards = parseVcards(sink.body(), { maxInputBytes: this.maxCardBytes });
      const card = cards[0];
      if (card === undefined || cards.length > 1) {
        throw new PbapProtocolError(what, `expected one vCard, got ${cards.length}`, undefined);
      }
      this.progress('pullEntry', handle, sink.bytes, 1);
      return { folder: text, handle, card, params: sink.params };
    });
  }

  setPath(path: string): Promise<void> {
    return this.run(`SetPhoneBook ${path}`, async ({ session }) => {
      const from = this.current;
      if (from === undefined && !path.startsWith('/')) throw new PbapFolderUnknownError(path);
      await this.navigate(session, resolveFolder(from ?? [], path));
    });
  }

  /** Moves the session to `target` in as few SetPath steps as it takes. */
  private async navigate(session: ObexClientSession, target: readonly string[]): Promise<void> {
    for (const step of planSetPath(this.current, target)) {
      const before = this.current;
      this.current = undefined;
      if (step.kind === 'root') {
        await session.setPath({ name: '' });
        this.current = [];
      } else if (step.kind === 'up') {
        await session.setPath({ up: true });
        this.current = before?.slice(0, -1);
      } else {
        await session.setPath({ name: step.name });
        this.current = before === undefined ? undefined : [...before, step.name];
      }
    }
  }

  private progress(operation: PbapOperationName, name: string, bytes: number, cards: number): void {
    this.events.emit('progress', { operation, name, bytes, cards });
  }
}

/** `telecom/pb.vcf` as given (leading `/` dropped); a bare book name such as `pb` or `mch` becomes `telecom/<book>.vcf`. */
export function toObjectName(name: string): string {
  const object = parsePhonebookObject(name);
  if (object !== undefined) return phonebookObjectName(object.book, object.sim);
  if (/^[a-z]+$/.test(name)) return phonebookObjectName(name);
  return name.replace(/^\//, '');
}
