/**
 * The notifications currently shown on the phone: add, modify, remove, a
 * per-category count (ANCS CategoryCount) and change events. Entries are
 * immutable snapshots; a modification replaces the snapshot. Bounded: adding
 * past the limit throws StoreFullError.
 */
import { Emitter } from '../util/emitter';
import { StoreFullError, UnknownNotificationError } from './errors';
import { PHONE_NOTIFICATION_LIMIT } from '../limits';

export interface PhoneNotification {
  /** Stable store id (not an ANCS UID: the provider maps ids to per-session UIDs). */
  readonly id: number;
  /** Bundle identifier of the posting app. */
  readonly appId: string;
  /** ANCS CategoryID (open enum: any 0..255). */
  readonly categoryId: number;
  readonly title: string;
  readonly subtitle: string;
  readonly message: string;
  readonly date: Date;
  readonly silent: boolean;
  readonly important: boolean;
  readonly positiveActionLabel?: string;
  readonly negativeActionLabel?: string;
}

/** Everything but the id, as given to `add`. */
export type NotificationInit = Omit<PhoneNotification, 'id'>;

/** Fields a modification may change; `null` removes an action label. */
export interface NotificationChanges {
  categoryId?: number;
  title?: string;
  subtitle?: string;
  message?: string;
  date?: Date;
  silent?: boolean;
  important?: boolean;
  positiveActionLabel?: string | null;
  negativeActionLabel?: string | null;
}

export interface NotificationStoreEvents {
  added: [notification: PhoneNotification];
  modified: [notification: PhoneNotification, previous: PhoneNotification];
  removed: [notification: PhoneNotification];
}

export const DEFAULT_NOTIFICATION_LIMIT = PHONE_NOTIFICATION_LIMIT;

export class NotificationStore {
  readonly events = new Emitter<NotificationStoreEvents>();
  private readonly items = new Map<number, PhoneNotification>();
  private readonly perCategory = new Map<number, number>();
  private nextId = 1;

  constructor(readonly limit: number = DEFAULT_NOTIFICATION_LIMIT) {
    if (!(Number.isInteger(limit) && limit >= 1)) throw new RangeError(`notification limit ${limit} must be a positive integer`);
  }

  get size(): number {
    return this.items.size;
  }

  has(id: number): boolean {
    return this.items.has(id);
  }

  get(id: number): PhoneNotification | undefined {
    return this.items.get(id);
  }

  /** Every notification, oldest first (in the order they were added). */
  all(): PhoneNotification[] {
    return [...this.items.values()];
  }

  /** Active notifications in a category (ANCS CategoryCount). */
  categoryCount(categoryId: number): number {
    return this.perCategory.get(categoryId) ?? 0;
  }

  add(init: NotificationInit): PhoneNotification {
    if (this.items.size >= this.limit) throw new StoreFullError(this.limit);
    const notification = snapshot({ ...init, id: this.nextId++ });
    this.items.set(notification.id, notification);
    this.count(notification.categoryId, +1);
    this.events.emit('added', notification);
    return notification;
  }

  modify(id: number, changes: NotificationChanges): PhoneNotification {
    const previous = this.items.get(id);
    if (!previous) throw new UnknownNotificationError(id);
    const merged: Record<string, unknown> = { ...previous };
    for (const [key, value] of Object.entries(changes)) {
      if (value === undefined) continue;
      if (value === null) delete merged[key];
      else merged[key] = value;
    }
    const next = snapshot(merged as unknown as PhoneNotification);
    this.items.set(id, next);
    if (next.categoryId !== previous.categoryId) {
      this.count(previous.categoryId, -1);
      this.count(next.categoryId, +1);
    }
    this.events.emit('modified', next, previous);
    return next;
  }

  remove(id: number): PhoneNotification {
    const notification = this.items.get(id);
    if (!notification) throw new UnknownNotificationError(id);
    this.items.delete(id);
    this.count(notification.categoryId, -1);
    this.events.emit('removed', notification);
    return notification;
  }

  /** Removes everything (one `removed` event each, oldest first). */
  clear(): void {
    for (const id of [...this.items.keys()]) this.remove(id);
  }

  private count(categoryId: number, delta: number): void {
    const n = (this.perCategory.get(categoryId) ?? 0) + delta;
    if (n > 0) this.perCategory.set(categoryId, n);
    else this.perCategory.delete(categoryId);
  }
}

/** Checks a notification's fields and returns a frozen copy (with its own Date). */
function snapshot(n: PhoneNotification): PhoneNotification {
  if (!(Number.isInteger(n.categoryId) && n.categoryId >= 0 && n.categoryId <= 0xff)) {
    throw new RangeError(`categoryId ${n.categoryId} is not a byte`);
  }
  if (!(n.date instanceof Date) || Number.isNaN(n.date.getTime())) throw new RangeError('notification date is not a valid Date');
  for (const key of ['appId', 'title', 'subtitle', 'message'] as const) {
    if (typeof n[key] !== 'string') throw new TypeError(`notification ${key} must be a string`);
  }
  const copy: { -readonly [K in keyof PhoneNotification]: PhoneNotification[K] } = {
    id: n.id,
    appId: n.appId,
    categoryId: n.categoryId,
    title: n.title,
    subtitle: n.subtitle,
    message: n.message,
    date: new Date(n.date.getTime()),
    silent: Boolean(n.silent),
    important: Boolean(n.important),
  };
  if (n.positiveActionLabel !== undefined) copy.positiveActionLabel = n.positiveActionLabel;
  if (n.negativeActionLabel !== undefined) copy.negativeActionLabel = n.negativeActionLabel;
  return Object.freeze(copy);
}
