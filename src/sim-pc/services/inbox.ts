/**
 * The Inbox service: the phone's text messages on the PC, as threads.
 * Messages arrive from the MAP side (inbox-sync.ts) once fetched and are
 * filed by the other party's number, normalised (phone-numbers.ts), so the
 * national and E.164 forms of one number make one thread. Names come from
 * the contacts each time they are shown, so a later contacts refresh
 * renames threads. A message the PC cannot show honestly in a one-to-one
 * thread (a group conversation, an MMS the phone exposes only in part)
 * becomes an entry of kind `open-on-phone` with its reason instead.
 *
 * Each handle is filed once, whatever reconnects bring (handles are stable
 * on the phone). Bounded: past `maxEntries` the oldest entry is dropped
 * (its handle stays known, so it is not fetched again). Marking read and
 * sending go through the MAP session attached with `attach()`; sending
 * refuses first, with a sentence for the user, what the phone cannot take.
 */
import { Emitter } from '../../util/emitter';
import { NotConnectedError } from '../errors';
import { OpenOnPhoneError, SendRefusedError, UnknownMessageError } from '../map/errors';
import { handleKey, parseInboxTime, threadId } from '../map/inbox-keys';
import type {
  IncomingMessage,
  InboxEntry,
  InboxEvents,
  InboxMessage,
  InboxOptions,
  InboxThread,
  MessageAccess,
  OpenOnPhoneEntry,
} from '../map/inbox-types';
import { checkOutgoing, outgoingBMessage, resolveRecipient, type Recipient, type SendOptions } from '../map/outgoing';
import { matchScore, numberKey, type NumberKey } from './phone-numbers';
import { INBOX_MAX_ENTRIES, INBOX_MAX_TEXT_BYTES } from '../../limits';
import { CapacityGauge } from './capacity-gauge';

export type {
  IncomingMessage,
  InboxContacts,
  InboxDateZone,
  InboxEntry,
  InboxEvents,
  InboxMessage,
  InboxOptions,
  InboxThread,
  MessageAccess,
  MessageDirection,
  OpenOnPhoneEntry,
  OpenOnPhoneReason,
  SendFailure,
} from '../map/inbox-types';
export { handleKey, parseInboxTime } from '../map/inbox-keys';
export type { OutgoingAttachment, Recipient, SendOptions } from '../map/outgoing';

export const DEFAULT_MAX_INBOX_ENTRIES = INBOX_MAX_ENTRIES;
export const DEFAULT_MAX_TEXT_BYTES = INBOX_MAX_TEXT_BYTES;

interface Stored {
  entry: InboxMessage | OpenOnPhoneEntry;
  seq: number;
}

interface ThreadState {
  id: string;
  number: string;
  key: NumberKey;
  /** Name the phone gave in the latest message that had one. */
  phoneName: string | undefined;
  ids: string[];
}

export class Inbox {
  readonly events = new Emitter<InboxEvents>();
  private readonly maxEntries: number;
  private readonly maxTextBytes: number;
  private readonly stored = new Map<string, Stored>();
  private readonly byHandle = new Map<string, string>();
  /** Handles ever filed (bounded, oldest forgotten first): what the sync does not fetch again. */
  private readonly seen = new Set<string>();
  private readonly threadsById = new Map<string, ThreadState>();
  private access: MessageAccess | undefined;
  private nextSeq = 1;
  private readonly capacity: CapacityGauge;

  constructor(private readonly options: InboxOptions) {
    this.maxEntries = options.maxEntries ?? DEFAULT_MAX_INBOX_ENTRIES;
    if (!Number.isInteger(this.maxEntries) || this.maxEntries < 1) throw new RangeError(`maxEntries ${this.maxEntries} must be a positive integer`);
    this.maxTextBytes = options.maxTextBytes ?? DEFAULT_MAX_TEXT_BYTES;
    this.capacity = new CapacityGauge('the inbox', this.maxEntries, 'INBOX_MAX_ENTRIES');
  }

  /** Entries dropped so far to stay within the bound. */
  get dropped(): number {
    return this.capacity.evicted;
  }

  /** Entries held. */
  get size(): number {
    return this.stored.size;
  }

  /** True while a MAP session is attached (reading state and sending possible). */
  get connected(): boolean {
    return this.access !== undefined;
  }

  /** Hands the Inbox the MAP session to mark read and send through. */
  attach(access: MessageAccess): void {
    this.access = access;
    this.events.emit('access', true);
  }

  detach(): void {
    if (this.access === undefined) return;
    this.access = undefined;
    this.events.emit('access', false);
  }

  /** True when a message with this handle was filed (even if dropped since by the bound). */
  knows(handle: string): boolean {
    return this.seen.has(handleKey(handle));
  }

  /** True when `number` is one of the phone's own numbers. */
  isOwnNumber(number: string): boolean {
    const own = this.options.ownNumbers?.() ?? [];
    if (own.length === 0) return false;
    const key = numberKey(number, this.options.defaultRegion);
    return own.some((o) => matchScore(key, numberKey(o, this.options.defaultRegion)) > 0);
  }

  /** Whether the phone's own numbers are known (group detection is sharper then). */
  get knowsOwnNumber(): boolean {
    return (this.options.ownNumbers?.() ?? []).length > 0;
  }

  /** Files a fetched message; undefined when its handle was filed before. */
  receive(incoming: IncomingMessage): InboxEntry | undefined {
    const key = handleKey(incoming.handle);
    if (this.seen.has(key)) return undefined;
    this.remember(key);
    const { time, timeText } = this.resolveTime(incoming.datetime);
    const id = `m${this.nextSeq}`;
    let entry: InboxEntry;
    if (incoming.openOnPhone !== undefined) {
      entry = {
        kind: 'open-on-phone',
        id,
        handle: incoming.handle,
        reason: incoming.openOnPhone,
        from: incoming.from,
        name: incoming.fromName,
        participants: [...(incoming.participants ?? [])],
        preview: incoming.text,
        time,
        timeText,
        read: incoming.read,
        type: incoming.type,
      };
    } else {
      const thread = this.threadFor(incoming.from, incoming.fromName);
      entry = {
        kind: 'message',
        id,
        handle: incoming.handle,
        thread: thread.id,
        direction: 'in',
        from: incoming.from,
        number: incoming.from,
        name: incoming.fromName,
        text: incoming.text,
        time,
        timeText,
        read: incoming.read,
        type: incoming.type,
      };
      thread.ids.push(id);
    }
    this.store(entry, key);
    this.events.emit('message', this.view(entry));
    return this.view(entry);
  }

  /** Every entry, newest first. */
  entries(): InboxEntry[] {
    return this.sorted([...this.stored.values()].map((s) => s.entry)).reverse().map((e) => this.view(e));
  }

  /** Entries to open on the phone, newest first. */
  openOnPhone(): OpenOnPhoneEntry[] {
    return this.entries().filter((e): e is OpenOnPhoneEntry => e.kind === 'open-on-phone');
  }

  /** Threads, most recent activity first. */
  threads(): InboxThread[] {
    const out: InboxThread[] = [];
    for (const thread of this.threadsById.values()) {
      const view = this.threadView(thread);
      if (view !== undefined) out.push(view);
    }
    return out.sort((a, b) => b.lastTime.getTime() - a.lastTime.getTime());
  }

  thread(id: string): InboxThread | undefined {
    const thread = this.threadsById.get(id);
    return thread === undefined ? undefined : this.threadView(thread);
  }

  /** The thread a number belongs to, if any. */
  threadOf(number: string): InboxThread | undefined {
    const thread = this.findThread(number);
    return thread === undefined ? undefined : this.threadView(thread);
  }

  /** A thread's messages, oldest first. */
  messages(threadId: string): InboxMessage[] {
    const thread = this.threadsById.get(threadId);
    if (thread === undefined) return [];
    const entries = thread.ids.map((id) => this.stored.get(id)?.entry).filter((e): e is InboxMessage => e?.kind === 'message');
    return this.sorted(entries).map((e) => this.view(e));
  }

  get(id: string): InboxEntry | undefined {
    const stored = this.stored.get(id);
    return stored === undefined ? undefined : this.view(stored.entry);
  }

  /** The entry filed for a phone handle, if it is still held. */
  byPhoneHandle(handle: string): InboxEntry | undefined {
    const id = this.byHandle.get(handleKey(handle));
    return id === undefined ? undefined : this.get(id);
  }

  /**
   * Marks a message, an open-on-phone entry, or every unread message of a
   * thread read, on the phone first (SetMessageStatus), then here.
   */
  async markRead(id: string): Promise<void> {
    const thread = this.threadsById.get(id);
    const targets = thread
      ? thread.ids.map((m) => this.stored.get(m)?.entry).filter((e): e is InboxEntry => e !== undefined)
      : [this.stored.get(id)?.entry].filter((e): e is InboxEntry => e !== undefined);
    if (thread === undefined && targets.length === 0) throw new UnknownMessageError(id);
    for (const entry of targets) {
      if (entry.read) continue;
      const handle = entry.handle;
      if (handle !== undefined) {
        const access = this.access;
        if (access === undefined) throw new NotConnectedError('marking a message read');
        await access.setRead(handle);
      }
      if (entry.read) continue;
      entry.read = true;
      this.events.emit('read', this.view(entry));
    }
  }

  /**
   * Sends a text to one recipient (a number, or a contact by name). Refuses
   * first (SendRefusedError) pictures, several recipients, empty or
   * oversized text; a name must resolve to one number
   * (UnknownRecipientError, AmbiguousRecipientError); needs the phone
   * (NotConnectedError); a refusal by the phone is MapRefusedError with
   * its response code. Resolves with the message as filed in its thread.
   */
  async send(to: Recipient | readonly Recipient[], text: string, options: SendOptions = {}): Promise<InboxMessage> {
    const recipients = recipientList(to);
    try {
      checkOutgoing(recipients, text, options, { mms: this.access?.mms ?? false, maxTextBytes: this.maxTextBytes });
      const first = recipients[0];
      if (first === undefined) throw new SendRefusedError('no-recipient', 'the message has no recipient');
      const resolved = resolveRecipient(first, this.options.contacts);
      const access = this.access;
      if (access === undefined) throw new NotConnectedError('sending a message');
      const result = await access.push(outgoingBMessage(resolved, text));
      return this.fileSent(resolved.number, resolved.name, text, result.handle);
    } catch (err) {
      const error = err instanceof Error ? err : new Error(String(err));
      this.events.emit('send-failed', { to: recipients, text, error });
      throw error;
    }
  }

  /** Replies in a thread (to its number). */
  reply(threadId: string, text: string, options: SendOptions = {}): Promise<InboxMessage> {
    const thread = this.threadsById.get(threadId);
    if (thread === undefined) {
      const entry = this.stored.get(threadId)?.entry;
      if (entry?.kind === 'open-on-phone') return Promise.reject(new OpenOnPhoneError(entry.id, entry.reason));
      if (entry?.kind === 'message') return this.reply(entry.thread, text, options);
      return Promise.reject(new UnknownMessageError(threadId));
    }
    return this.send({ number: thread.number }, text, options);
  }

  private fileSent(number: string, name: string | undefined, text: string, handle: string | undefined): InboxMessage {
    const key = handle === undefined ? undefined : handleKey(handle);
    if (key !== undefined) this.remember(key);
    const thread = this.threadFor(number, undefined);
    const own = this.options.ownNumbers?.()[0] ?? '';
    const message: InboxMessage = {
      kind: 'message',
      id: `m${this.nextSeq}`,
      handle,
      thread: thread.id,
      direction: 'out',
      from: own,
      number,
      name,
      text,
      time: this.options.clock.date(),
      timeText: undefined,
      read: true,
      type: 'SMS_GSM',
    };
    thread.ids.push(message.id);
    this.store(message, key);
    const view = this.view(message);
    this.events.emit('sent', view);
    return view;
  }

  private store(entry: InboxEntry, handleKeyText: string | undefined): void {
    this.stored.set(entry.id, { entry, seq: this.nextSeq++ });
    if (handleKeyText !== undefined) this.byHandle.set(handleKeyText, entry.id);
    while (this.stored.size > this.maxEntries) this.dropOldest();
  }

  private dropOldest(): void {
    let oldest: Stored | undefined;
    for (const stored of this.stored.values()) {
      if (oldest === undefined || before(stored, oldest)) oldest = stored;
    }
    if (oldest === undefined) return;
    const entry = oldest.entry;
    this.stored.delete(entry.id);
    if (entry.handle !== undefined) this.byHandle.delete(handleKey(entry.handle));
    if (entry.kind === 'message') {
      const thread = this.threadsById.get(entry.thread);
      if (thread) {
        thread.ids = thread.ids.filter((id) => id !== entry.id);
        if (thread.ids.length === 0) this.threadsById.delete(thread.id);
      }
    }
    this.events.emit('dropped', this.view(entry));
    this.capacity.observe(this.stored.size);
    const full = this.capacity.evict();
    if (full) this.events.emit('error', full);
  }

  /** Keeps a handle known; the set holds four times the entry bound, oldest forgotten first. */
  private remember(key: string): void {
    this.seen.delete(key);
    this.seen.add(key);
    const limit = this.maxEntries * 4;
    while (this.seen.size > limit) {
      const first = this.seen.values().next();
      if (first.done === true) break;
      this.seen.delete(first.value);
    }
  }

  private threadFor(number: string, phoneName: string | undefined): ThreadState {
    const existing = this.findThread(number);
    if (existing) {
      if (phoneName !== undefined) existing.phoneName = phoneName;
      return existing;
    }
    const key = numberKey(number, this.options.defaultRegion);
    const thread: ThreadState = { id: threadId(number, key), number, key, phoneName, ids: [] };
    this.threadsById.set(thread.id, thread);
    return thread;
  }

  /** The thread whose number matches: the same id, else the best number match (national and E.164 forms alike). */
  private findThread(number: string): ThreadState | undefined {
    const key = numberKey(number, this.options.defaultRegion);
    const direct = this.threadsById.get(threadId(number, key));
    if (direct) return direct;
    if (key.digits.length === 0) return undefined;
    let best: ThreadState | undefined;
    let bestScore = 0;
    for (const thread of this.threadsById.values()) {
      const score = matchScore(key, thread.key);
      if (score > bestScore) {
        best = thread;
        bestScore = score;
      }
    }
    return best;
  }

  private threadView(thread: ThreadState): InboxThread | undefined {
    const messages = this.sorted(thread.ids.map((id) => this.stored.get(id)?.entry).filter((e): e is InboxMessage => e?.kind === 'message'));
    const last = messages[messages.length - 1];
    if (last === undefined) return undefined;
    return {
      id: thread.id,
      number: thread.number,
      name: this.nameFor(thread.number, thread.phoneName),
      messages: messages.length,
      unread: messages.filter((m) => !m.read).length,
      lastTime: new Date(last.time.getTime()),
      lastText: last.text,
      lastDirection: last.direction,
    };
  }

  /** A copy with the name looked up now. */
  private view<T extends InboxEntry>(entry: T): T {
    const number = entry.kind === 'message' ? entry.number : entry.from;
    const thread = entry.kind === 'message' ? this.threadsById.get(entry.thread) : undefined;
    const copy = { ...entry, time: new Date(entry.time.getTime()), name: this.nameFor(number, entry.name ?? thread?.phoneName) };
    if (copy.kind === 'open-on-phone') copy.participants = [...copy.participants];
    return copy;
  }

  private nameFor(number: string, fallback: string | undefined): string | undefined {
    const fromContacts = number === '' ? undefined : this.options.contacts?.lookupCaller(number)?.name;
    return fromContacts !== undefined && fromContacts !== '' ? fromContacts : fallback;
  }

  private sorted<T extends InboxEntry>(entries: T[]): T[] {
    const seq = (e: InboxEntry): number => this.stored.get(e.id)?.seq ?? 0;
    return entries.sort((a, b) => a.time.getTime() - b.time.getTime() || seq(a) - seq(b));
  }

  private resolveTime(text: string | undefined): { time: Date; timeText: string | undefined } {
    if (text !== undefined) {
      const ms = parseInboxTime(text, this.options.dateZone ?? 'local');
      if (ms !== undefined) return { time: new Date(ms), timeText: text };
    }
    return { time: this.options.clock.date(), timeText: text };
  }
}

function recipientList(to: Recipient | readonly Recipient[]): readonly Recipient[] {
  return isRecipientList(to) ? to : [to];
}

function isRecipientList(to: Recipient | readonly Recipient[]): to is readonly Recipient[] {
  return Array.isArray(to);
}

function before(a: Stored, b: Stored): boolean {
  const d = a.entry.time.getTime() - b.entry.time.getTime();
  return d < 0 || (d === 0 && a.seq < b.seq);
}
