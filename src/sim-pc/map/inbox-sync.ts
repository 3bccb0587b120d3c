/**
 * Keeps the Inbox in step with the phone's inbox over one MAS session at a
 * time. On every (re)connect a full pass lists `telecom/msg/inbox` in
 * pages (MaxListCount / ListStartOffset) and fetches (GetMessage) the
 * handles the Inbox does not know yet. A NewMessage (or MessageShift into
 * the inbox) event queues a catch-up pass: it reads listing pages only
 * until every announced handle is found, fetches what is missing on them,
 * and then fetches any announced handle the phone did not list. Going
 * through the listing gives every message the phone's own date-time and
 * the attributes that tell a group or an MMS exposed in part; events that
 * come in a burst share one pass, which also finds messages whose events
 * the phone dropped. Missing messages are fetched oldest first, so the
 * Inbox files them in the order they arrived.
 *
 * Work runs one pass at a time; announced handles wait in a bounded set
 * (past it, a full pass is queued instead). A message the phone answers
 * badly is reported and left alone after `maxFetchAttempts`; a dropped or
 * stalled session ends the work (the next session lists again). When the
 * listing fails, announced messages are still fetched directly.
 */
import { isMessageHandle } from '../../protocol/map/listing';
import { messageFolderPath, MapFolder } from '../../protocol/map/constants';
import type { MapEvent, MessageListingEntry } from '../../protocol/map/types';
import { Emitter } from '../../util/emitter';
import type { Inbox } from '../services/inbox';
import { handleKey } from './inbox-keys';
import { isTransientMapError, MapLimitError, MapProtocolError } from './errors';
import { intakeMessage } from './message-intake';
import type { ListMessagesOptions, MessageFetch, MessagesListingPage } from './map-types';
import { INBOX_SYNC_MAX_LISTED, INBOX_SYNC_MAX_PENDING_HANDLES } from '../../limits';

export const INBOX_FOLDER = messageFolderPath(MapFolder.Inbox);
export const DEFAULT_LISTING_PAGE = 100;
export const DEFAULT_MAX_LISTED = INBOX_SYNC_MAX_LISTED;
export const DEFAULT_MAX_PENDING_HANDLES = INBOX_SYNC_MAX_PENDING_HANDLES;
export const DEFAULT_MAX_FETCH_ATTEMPTS = 2;
/** Handles with failed fetches remembered, at most. */
const MAX_FAILED_HANDLES = 1024;

/** What the sync needs of a connected MAP client. */
export interface MessageSource {
  listMessages(folder: string, options?: ListMessagesOptions): Promise<MessagesListingPage>;
  getMessage(handle: string, folder: string): Promise<MessageFetch>;
}

export interface InboxSyncOptions {
  inbox: Inbox;
  /** MaxListCount per page. Default 100. */
  pageSize?: number;
  /** Most listing entries looked at per pass. Default 2000. */
  maxListed?: number;
  /** Announced handles waiting for a pass. Default 1024. */
  maxPendingHandles?: number;
  /** Tries per handle before a badly answered message is left alone. Default 2. */
  maxFetchAttempts?: number;
}

export interface SyncPass {
  kind: 'full' | 'catch-up';
  listed: number;
  fetched: number;
  failed: number;
}

export interface InboxSyncEvents {
  /** A pass finished. */
  listed: [pass: SyncPass];
  /** A message was fetched and filed (or found filed already). */
  fetched: [handle: string];
  /** A listing or fetch failed; the sync goes on unless the session is gone. */
  error: [err: Error];
}

type PassKind = SyncPass['kind'];

export class InboxSync {
  readonly events = new Emitter<InboxSyncEvents>();
  private readonly pageSize: number;
  private readonly maxListed: number;
  /** A full pass hit maxListed and said so; cleared by a pass that fits. */
  private truncationReported = false;
  private readonly maxPending: number;
  private readonly maxAttempts: number;
  private source: MessageSource | undefined;
  private generation = 0;
  private queue: PassKind[] = [];
  /** Handles announced by events and not filed yet, with their event. */
  private announced = new Map<string, { handle: string; event: MapEvent }>();
  private working = false;
  private readonly failures = new Map<string, number>();

  constructor(private readonly options: InboxSyncOptions) {
    this.pageSize = Math.max(1, Math.min(0xffff, options.pageSize ?? DEFAULT_LISTING_PAGE));
    this.maxListed = options.maxListed ?? DEFAULT_MAX_LISTED;
    this.maxPending = options.maxPendingHandles ?? DEFAULT_MAX_PENDING_HANDLES;
    this.maxAttempts = options.maxFetchAttempts ?? DEFAULT_MAX_FETCH_ATTEMPTS;
  }

  /** True while a pass is queued or running. */
  get busy(): boolean {
    return this.working || this.queue.length > 0;
  }

  /** Works against a new session; what was queued for the old one is dropped. */
  attach(source: MessageSource): void {
    this.generation++;
    this.source = source;
    this.clear();
  }

  detach(): void {
    this.generation++;
    this.source = undefined;
    this.clear();
  }

  /** Queues a full pass (a second request while one waits is the same pass). */
  requestListing(): void {
    this.enqueue('full');
  }

  /** Takes one event from the notification server. */
  onEvent(event: MapEvent): void {
    if (this.source === undefined) return;
    if (event.type !== 'NewMessage' && event.type !== 'MessageShift') return;
    if (!isInboxFolder(event.folder)) return;
    const handle = event.handle;
    if (handle === undefined || !isMessageHandle(handle)) {
      this.events.emit('error', new MapProtocolError('event report', `event ${event.type} names no usable handle (${String(handle)})`, undefined));
      return;
    }
    const key = handleKey(handle);
    if (this.options.inbox.knows(handle) || this.announced.has(key)) return;
    if (this.announced.size >= this.maxPending) {
      // Too much at once: a full pass finds every message the phone lists.
      this.requestListing();
      return;
    }
    this.announced.set(key, { handle, event });
    this.enqueue('catch-up');
  }

  private clear(): void {
    this.queue = [];
    this.announced.clear();
  }

  /** Queues a pass unless one of that kind already waits. */
  private enqueue(kind: PassKind): void {
    if (this.source === undefined || this.queue.includes(kind)) return;
    this.queue.push(kind);
    if (!this.working) void this.work();
  }

  private async work(): Promise<void> {
    this.working = true;
    try {
      for (let kind = this.queue.shift(); kind !== undefined; kind = this.queue.shift()) {
        const generation = this.generation;
        const source = this.source;
        if (source === undefined) break;
        try {
          await this.pass(source, generation, kind);
        } catch (err) {
          const error = err instanceof Error ? err : new Error(String(err));
          this.events.emit('error', error);
          // A dropped or stalled session: the next one lists again.
          if (isTransientMapError(error) && generation === this.generation) this.clear();
        }
      }
    } finally {
      this.working = false;
    }
  }

  /**
   * Lists the inbox page by page (a catch-up stops once every handle
   * announced before it began is found), fetches what the Inbox lacks,
   * oldest first, then (catch-up) the announced handles the phone did not list.
   */
  private async pass(source: MessageSource, generation: number, kind: PassKind): Promise<void> {
    const stats: SyncPass = { kind, listed: 0, fetched: 0, failed: 0 };
    // Everything announced was filed meanwhile (by an earlier pass): nothing to catch up on.
    if (kind === 'catch-up' && this.announced.size === 0) return;
    const sought = new Set(this.announced.keys());
    const missing: MessageListingEntry[] = [];
    let offset = 0;
    let more = false;
    let phoneSize: number | undefined;
    for (;;) {
      const count = Math.min(this.pageSize, this.maxListed - offset);
      if (count <= 0 || offset > 0xffff) {
        more = phoneSize === undefined || phoneSize > offset;
        break;
      }
      let page: MessagesListingPage;
      try {
        page = await source.listMessages(INBOX_FOLDER, { maxListCount: count, listStartOffset: offset });
      } catch (err) {
        // A listing the phone cannot give (or gives badly): report it and go on with what is known.
        if (isTransientMapError(err)) throw err;
        this.events.emit('error', err instanceof Error ? err : new Error(String(err)));
        break;
      }
      if (generation !== this.generation) return;
      const entries = page.messages.slice(0, count);
      phoneSize = page.size;
      stats.listed += entries.length;
      for (const entry of entries) {
        const key = handleKey(entry.handle);
        sought.delete(key);
        if (this.givenUp(entry.handle)) this.announced.delete(key);
        else if (!this.options.inbox.knows(entry.handle)) missing.push(entry);
      }
      offset += entries.length;
      if (entries.length < count || (page.size !== undefined && offset >= page.size)) break;
      if (kind === 'catch-up' && sought.size === 0) break;
    }
    // A full pass that stopped at its bound while the phone had more: reported once, until a pass fits again.
    if (kind === 'full') {
      if (more && !this.truncationReported) {
        this.truncationReported = true;
        this.events.emit('error', new MapLimitError(`the inbox listing (${this.maxListed} messages listed; the phone has more)`, this.maxListed));
      } else if (!more) this.truncationReported = false;
    }
    const unlisted = kind === 'catch-up' ? [...this.announced.entries()].filter(([key]) => sought.has(key)).map(([, a]) => a) : [];
    for (const entry of oldestFirst(missing)) {
      if (generation !== this.generation) return;
      if (this.options.inbox.knows(entry.handle)) continue;
      const event = this.announced.get(handleKey(entry.handle))?.event;
      if (await this.fetch(source, entry.handle, entry, event)) stats.fetched++;
      else stats.failed++;
    }
    for (const { handle, event } of unlisted) {
      if (generation !== this.generation) return;
      if (this.options.inbox.knows(handle)) continue;
      this.announced.delete(handleKey(handle));
      if (await this.fetch(source, handle, undefined, event)) stats.fetched++;
      else stats.failed++;
    }
    this.events.emit('listed', stats);
  }

  /** Fetches and files one message. False when the phone's answer was unusable (reported, counted). Transient errors propagate. */
  private async fetch(source: MessageSource, handle: string, listing: MessageListingEntry | undefined, event: MapEvent | undefined): Promise<boolean> {
    let fetched: MessageFetch;
    try {
      fetched = await source.getMessage(handle, INBOX_FOLDER);
    } catch (err) {
      if (isTransientMapError(err)) throw err;
      this.noteFailure(handle);
      this.announced.delete(handleKey(handle));
      this.events.emit('error', err instanceof Error ? err : new Error(String(err)));
      return false;
    }
    const inbox = this.options.inbox;
    inbox.receive(
      intakeMessage({
        handle,
        message: fetched.message,
        ...(listing ? { listing } : {}),
        ...(event ? { event } : {}),
        ...(inbox.knowsOwnNumber ? { isOwnNumber: (n: string) => inbox.isOwnNumber(n) } : {}),
      }),
    );
    this.announced.delete(handleKey(handle));
    this.failures.delete(handleKey(handle));
    this.events.emit('fetched', handle);
    return true;
  }

  private givenUp(handle: string): boolean {
    return (this.failures.get(handleKey(handle)) ?? 0) >= this.maxAttempts;
  }

  private noteFailure(handle: string): void {
    const key = handleKey(handle);
    const count = (this.failures.get(key) ?? 0) + 1;
    this.failures.delete(key);
    this.failures.set(key, count);
    if (this.failures.size > MAX_FAILED_HANDLES) {
      const oldest = this.failures.keys().next();
      if (oldest.done !== true) this.failures.delete(oldest.value);
    }
  }
}

/**
 * Listing entries oldest first: by date-time when every entry has one;
 * entries with equal times (or any without) keep their arrival order, taken
 * to be the reverse of the listing's when the listing runs newest first (as
 * phones list), else the listing's own.
 */
export function oldestFirst(entries: readonly MessageListingEntry[]): MessageListingEntry[] {
  const times = entries.map((e) => sortableTime(e.datetime));
  const known = times.filter((t): t is string => t !== undefined);
  const first = known[0];
  const last = known[known.length - 1];
  const newestFirst = first === undefined || last === undefined || first >= last;
  const indexed = entries.map((entry, i) => ({ entry, time: times[i], order: newestFirst ? entries.length - i : i }));
  // Times decide only when every entry has one (a mix would not be a consistent order).
  const byTime = known.length === entries.length;
  indexed.sort((a, b) => {
    if (byTime && a.time !== b.time) return (a.time ?? '') < (b.time ?? '') ? -1 : 1;
    return a.order - b.order;
  });
  return indexed.map((x) => x.entry);
}

/** `YYYYMMDDTHHMMSS` of a MAP date-time (zone ignored: one phone writes one zone), or undefined. */
function sortableTime(text: string | undefined): string | undefined {
  const match = text === undefined ? null : /^(\d{8}T\d{6})/.exec(text.trim());
  return match?.[1];
}

/** True for the inbox in any spelling MSEs use: `telecom/msg/inbox`, `TELECOM/MSG/INBOX`, `msg/inbox`, `inbox`. */
export function isInboxFolder(folder: string | undefined): boolean {
  if (folder === undefined) return false;
  const path = folder
    .trim()
    .toLowerCase()
    .split('/')
    .filter((p) => p !== '')
    .join('/');
  return path === INBOX_FOLDER || path === `${MapFolder.Msg}/${MapFolder.Inbox}` || path === MapFolder.Inbox;
}
