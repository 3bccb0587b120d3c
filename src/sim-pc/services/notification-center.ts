/**
 * The app-level notification list the PC shows: entries with PC-side ids
 * that stay stable across reconnects, grouped by app or category, with
 * view-and-dismiss as the only actions (ANCS has no text reply).
 *
 * Sessions: `attach(consumer)` for each new ANCS session, `detach()` when it
 * ends (entries are kept and marked stale). After a reconnect the phone
 * replays what it still holds (PreExisting); a notification of the new
 * session with the same app id, title, subtitle, message and date as a stale
 * entry takes over that entry (same PC id, new UID; identical entries pair
 * up one to one); when the consumer reports the replay complete (see
 * ReplayTracker for when that is), entries still stale are removed.
 *
 * The same happens inside a session when the phone, having gone silent
 * (Share System Notifications off), replays again (the consumer's `resync`):
 * every entry is marked stale but keeps its UID, which this session still
 * honours; an entry re-announced under its UID is fresh again, and those
 * still stale when that replay completes are removed.
 */
import { categoryName, EventFlag } from '../../protocol/ancs/constants';
import { Emitter } from '../../util/emitter';
import type { Clock } from '../../link/clock';
import type { AncsConsumer } from '../ancs/ancs-consumer';
import type { AncsNotification } from '../ancs/notification-record';
import type { ReplayOutcome } from '../ancs/replay-tracker';
import { NotConnectedError, NotDismissibleError, UnknownNotificationError, UnsupportedError } from '../errors';
import { NOTIFICATION_CENTER_MAX_ENTRIES } from '../../limits';
import { CapacityGauge } from './capacity-gauge';

export interface NotificationEntry {
  /** PC-side id, stable across reconnects ("n1", "n2", ...). */
  readonly id: string;
  /** UID in the current session; undefined after a disconnect until the next session replays the entry. */
  readonly uid: number | undefined;
  /** True from a disconnect (or an in-session resync) until the entry is matched in the replay that follows. */
  readonly stale: boolean;
  readonly appId: string;
  readonly appName: string;
  readonly categoryId: number;
  readonly categoryName: string;
  readonly title: string;
  readonly subtitle: string;
  readonly message: string;
  /** The phone's date for the notification; undefined when it sent none (incoming calls). */
  readonly date: Date | undefined;
  readonly dateRaw: string;
  readonly flags: number;
  readonly positiveActionLabel: string;
  readonly negativeActionLabel: string;
  /** True when the phone offers a negative action, which is how a PC dismisses. */
  readonly dismissible: boolean;
  /** Calendar time of the first report (the clock's date), used to sort undated entries. */
  readonly receivedDate: Date;
  /** Clock time (ms) of the latest change. */
  readonly updatedAt: number;
}

/** The center's own, writable view of an entry. */
type Entry = { -readonly [K in keyof NotificationEntry]: NotificationEntry[K] };

export interface NotificationChanges {
  added: NotificationEntry[];
  updated: NotificationEntry[];
  removed: NotificationEntry[];
}

export interface NotificationGroup<K> {
  key: K;
  label: string;
  /** Newest first. */
  entries: NotificationEntry[];
}

export interface ReconcileReport {
  /** Entries carried over from the previous session (same PC id, new UID). */
  kept: number;
  /** Stale entries the phone no longer holds. */
  removed: number;
  outcome: ReplayOutcome;
}

export interface NotificationCenterEvents {
  changed: [changes: NotificationChanges];
  /** The oldest entry made room for a new one. */
  overflow: [dropped: NotificationEntry];
  /** The list filled up (a CapacityReachedError, once per time it fills). */
  error: [err: Error];
  reconciled: [report: ReconcileReport];
}

export interface NotificationCenterOptions {
  clock: Clock;
  /** Most entries kept; past it the oldest is dropped. Default 5000. */
  maxEntries?: number;
}

export class NotificationCenter {
  readonly events = new Emitter<NotificationCenterEvents>();
  private readonly clock: Clock;
  private readonly maxEntries: number;
  private readonly capacity: CapacityGauge;
  private readonly entries = new Map<string, Entry>();
  /** Insertion order, for "newest first" ties. */
  private readonly order = new Map<string, number>();
  private readonly byUid = new Map<number, string>();
  private consumer: AncsConsumer | undefined;
  private unsubscribe: (() => void)[] = [];
  private nextId = 1;
  private nextOrder = 1;
  /** Stale entries taken over by the attached session. */
  private carriedOver = 0;

  constructor(options: NotificationCenterOptions) {
    this.clock = options.clock;
    this.maxEntries = options.maxEntries ?? NOTIFICATION_CENTER_MAX_ENTRIES;
    this.capacity = new CapacityGauge('the notification list', this.maxEntries, 'NOTIFICATION_CENTER_MAX_ENTRIES');
  }

  /** Entries evicted so far to stay within the bound. */
  get evicted(): number {
    return this.capacity.evicted;
  }

  get size(): number {
    return this.entries.size;
  }

  /** True while an ANCS session is attached. */
  get attached(): boolean {
    return this.consumer !== undefined;
  }

  /** Every entry, newest first (by the phone's date, then by arrival). */
  list(): NotificationEntry[] {
    return [...this.entries.values()].sort((a, b) => this.compareNewestFirst(a, b));
  }

  get(id: string): NotificationEntry | undefined {
    return this.entries.get(id);
  }

  /** Groups by app id, each newest first; groups ordered by their newest entry. */
  byApp(): NotificationGroup<string>[] {
    return this.group((e) => e.appId, (e) => e.appName);
  }

  /** Groups by ANCS category, each newest first; groups ordered by their newest entry. */
  byCategory(): NotificationGroup<number>[] {
    return this.group((e) => e.categoryId, (e) => e.categoryName);
  }

  /**
   * Dismisses on the phone (its negative action). The entry goes away when
   * the phone reports the removal. Rejects with NotDismissibleError when the
   * phone offers no negative action, NotConnectedError without a session,
   * UnknownNotificationError for an unknown id, or what the consumer rejects with.
   */
  async dismiss(id: string): Promise<void> {
    const entry = this.entries.get(id);
    if (!entry) throw new UnknownNotificationError(id);
    if (!entry.dismissible) throw new NotDismissibleError(id);
    const consumer = this.consumer;
    if (!consumer || entry.uid === undefined) throw new NotConnectedError(`dismissing notification ${id}`);
    await consumer.performAction(entry.uid, 'negative');
  }

  /** Always rejects: an iPhone offers no text reply to a notification over ANCS. */
  async reply(id: string, text: string): Promise<void> {
    void text;
    throw new UnsupportedError(
      `replying to notification ${id}`,
      'ANCS offers only the positive and negative actions, so notifications can be viewed and dismissed here but not answered',
    );
  }

  /** Binds a new ANCS session. Call before `consumer.start()` so the replay is seen. */
  attach(consumer: AncsConsumer): void {
    if (this.consumer) this.detach();
    this.consumer = consumer;
    this.byUid.clear();
    this.carriedOver = 0;
    this.unsubscribe = [
      consumer.events.on('notification', (record) => this.onNotification(record)),
      consumer.events.on('removed', (uid) => this.onRemoved(uid)),
      consumer.events.on('replayComplete', (outcome) => this.onReplayComplete(outcome)),
      consumer.events.on('resync', () => this.onResync()),
      consumer.events.on('ended', () => this.detach()),
    ];
  }

  /** Unbinds the session: entries stay, marked stale, until the next session's replay settles them. */
  detach(): void {
    if (!this.consumer) return;
    for (const off of this.unsubscribe) off();
    this.unsubscribe = [];
    this.consumer = undefined;
    this.byUid.clear();
    const updated: Entry[] = [];
    for (const entry of this.entries.values()) {
      if (entry.stale && entry.uid === undefined) continue;
      entry.stale = true;
      entry.uid = undefined;
      updated.push(entry);
    }
    if (updated.length > 0) this.emitChanges({ added: [], updated, removed: [] });
  }

  private onNotification(record: AncsNotification): void {
    const now = this.clock.now();
    const known = this.byUid.get(record.uid);
    const current = known === undefined ? undefined : this.entries.get(known);
    if (current) {
      if (current.stale) {
        current.stale = false;
        this.carriedOver++;
      }
      this.apply(current, record, now);
      this.emitChanges({ added: [], updated: [current], removed: [] });
      return;
    }
    // Normally a PreExisting replay; the flag is not required, since a Modified
    // during the replay may arrive first and carry no PreExisting bit.
    const match = this.findStaleMatch(record);
    if (match) {
      this.apply(match, record, now);
      match.stale = false;
      this.carriedOver++;
      this.byUid.set(record.uid, match.id);
      this.emitChanges({ added: [], updated: [match], removed: [] });
      return;
    }
    const id = `n${this.nextId++}`;
    const entry: Entry = {
      id,
      uid: record.uid,
      stale: false,
      appId: '',
      appName: '',
      categoryId: 0,
      categoryName: '',
      title: '',
      subtitle: '',
      message: '',
      date: undefined,
      dateRaw: '',
      flags: 0,
      positiveActionLabel: '',
      negativeActionLabel: '',
      dismissible: false,
      receivedDate: this.clock.date(),
      updatedAt: now,
    };
    this.apply(entry, record, now);
    this.entries.set(id, entry);
    this.order.set(id, this.nextOrder++);
    this.byUid.set(record.uid, id);
    const removed = this.entries.size > this.maxEntries ? this.dropOldest(entry) : [];
    this.emitChanges({ added: [entry], updated: [], removed });
  }

  private onRemoved(uid: number): void {
    const id = this.byUid.get(uid);
    if (id === undefined) return;
    const entry = this.entries.get(id);
    this.forget(id);
    if (entry) this.emitChanges({ added: [], updated: [], removed: [entry] });
  }

  /** The phone replays afresh inside the session: every entry must be re-announced to stay. */
  private onResync(): void {
    this.carriedOver = 0;
    const updated: Entry[] = [];
    for (const entry of this.entries.values()) {
      if (entry.stale) continue;
      entry.stale = true;
      updated.push(entry);
    }
    if (updated.length > 0) this.emitChanges({ added: [], updated, removed: [] });
  }

  private onReplayComplete(outcome: ReplayOutcome): void {
    const removed: Entry[] = [];
    for (const entry of [...this.entries.values()]) {
      if (!entry.stale) continue;
      this.forget(entry.id);
      removed.push(entry);
    }
    if (removed.length > 0) this.emitChanges({ added: [], updated: [], removed });
    this.events.emit('reconciled', { kept: this.carriedOver, removed: removed.length, outcome });
  }

  /** A stale entry showing the same notification: same app, texts and date. */
  private findStaleMatch(record: AncsNotification): Entry | undefined {
    let best: Entry | undefined;
    for (const entry of this.entries.values()) {
      // An entry with a UID belongs to this session and is matched by that UID only.
      if (!entry.stale || entry.uid !== undefined) continue;
      if (
        entry.appId === record.appId &&
        entry.title === record.title &&
        entry.subtitle === record.subtitle &&
        entry.message === record.message &&
        entry.dateRaw === record.dateRaw
      ) {
        // Among identical candidates take the oldest, so repeated replays pair up in order.
        if (!best || (this.order.get(entry.id) ?? 0) < (this.order.get(best.id) ?? 0)) best = entry;
      }
    }
    return best;
  }

  private apply(entry: Entry, record: AncsNotification, now: number): void {
    entry.uid = record.uid;
    entry.appId = record.appId;
    entry.appName = record.appName;
    entry.categoryId = record.categoryId;
    entry.categoryName = categoryName(record.categoryId);
    entry.title = record.title;
    entry.subtitle = record.subtitle;
    entry.message = record.message;
    entry.date = record.date;
    entry.dateRaw = record.dateRaw;
    entry.flags = record.flags;
    entry.positiveActionLabel = record.positiveActionLabel;
    entry.negativeActionLabel = record.negativeActionLabel;
    entry.dismissible = (record.flags & EventFlag.NegativeAction) !== 0;
    entry.updatedAt = now;
  }

  /** Drops the oldest entries (never `keep`) until within the bound. */
  private dropOldest(keep: Entry): Entry[] {
    const dropped: Entry[] = [];
    while (this.entries.size > this.maxEntries) {
      let oldest: Entry | undefined;
      for (const entry of this.entries.values()) {
        if (entry !== keep && (!oldest || this.compareNewestFirst(entry, oldest) > 0)) oldest = entry;
      }
      if (!oldest) break;
      this.forget(oldest.id);
      dropped.push(oldest);
      this.events.emit('overflow', oldest);
      const full = this.capacity.evict();
      if (full) this.events.emit('error', full);
    }
    return dropped;
  }

  private forget(id: string): void {
    const entry = this.entries.get(id);
    if (!entry) return;
    this.entries.delete(id);
    this.order.delete(id);
    this.capacity.observe(this.entries.size);
    if (entry.uid !== undefined && this.byUid.get(entry.uid) === id) this.byUid.delete(entry.uid);
  }

  private compareNewestFirst(a: NotificationEntry, b: NotificationEntry): number {
    const ta = (a.date ?? a.receivedDate).getTime();
    const tb = (b.date ?? b.receivedDate).getTime();
    if (ta !== tb) return tb - ta;
    return (this.order.get(b.id) ?? 0) - (this.order.get(a.id) ?? 0);
  }

  private group<K>(keyOf: (e: NotificationEntry) => K, labelOf: (e: NotificationEntry) => string): NotificationGroup<K>[] {
    const groups = new Map<K, NotificationGroup<K>>();
    for (const entry of this.list()) {
      const key = keyOf(entry);
      let group = groups.get(key);
      if (!group) {
        group = { key, label: labelOf(entry), entries: [] };
        groups.set(key, group);
      }
      group.entries.push(entry);
    }
    return [...groups.values()];
  }

  private emitChanges(changes: NotificationChanges): void {
    this.events.emit('changed', changes);
  }
}
