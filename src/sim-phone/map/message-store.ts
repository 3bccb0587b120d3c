/**
 * The phone's text messages: what it received (SMS, iMessage, group
 * messages, MMS with an attachment) and what a PC sent through it
 * (PushMessage), each with its folder, read status and the PCs it has been
 * shown to, plus change events. Ids are stable for the life of the store
 * (MAP handles derive from them). Bounded: past the limit the oldest
 * message is dropped (a `removed` event with reason `overflow`), as a phone
 * drops old threads, so receiving never fails.
 */
import { Emitter } from '../../util/emitter';
import { UnknownMessageError } from './map-errors';
import { PHONE_MESSAGE_LIMIT } from '../../limits';

export type MessageService = 'sms' | 'imessage';
export const MESSAGE_SERVICES: readonly MessageService[] = ['sms', 'imessage'];

/** The folders under telecom/msg. */
export const MESSAGE_FOLDERS = ['inbox', 'outbox', 'sent', 'deleted'] as const;
export type MessageFolder = (typeof MESSAGE_FOLDERS)[number];

export interface MessageAttachment {
  mimeType: string;
  /** Bytes. */
  size: number;
}

interface MessageBase {
  readonly id: number;
  readonly text: string;
  readonly date: Date;
  readonly service: MessageService;
  readonly folder: MessageFolder;
  /** Where a deleted message was before (undelete puts it back). */
  readonly previousFolder: MessageFolder | undefined;
  readonly read: boolean;
  /** Upper-case addresses of the PCs the phone has shown this message to (see MapProfile.history). */
  readonly shownTo: ReadonlySet<string>;
}

/** A message the phone received. */
export interface ReceivedMessage extends MessageBase {
  readonly direction: 'received';
  /** The sender's number (or address, for iMessage). */
  readonly from: string;
  /** The sender's name, when the phone knows it. */
  readonly name: string | undefined;
  /** A group message: the other participants' numbers (not the sender's, not the phone's own); empty otherwise. */
  readonly group: readonly string[];
  /** An MMS: its attachment. */
  readonly attachment: MessageAttachment | undefined;
}

/** A message a PC sent through the phone (PushMessage). */
export interface SentMessage extends MessageBase {
  readonly direction: 'sent';
  readonly recipients: readonly string[];
  /** bMessage TYPE the PC pushed. */
  readonly type: string;
  /** Upper-case address of the PC that pushed it. */
  readonly sentBy: string;
}

export type PhoneMessage = ReceivedMessage | SentMessage;

export interface ReceivedInit {
  from: string;
  name?: string;
  text: string;
  service?: MessageService;
  group?: readonly string[];
  attachment?: MessageAttachment;
  date: Date;
}

export interface SentInit {
  recipients: readonly string[];
  text: string;
  type: string;
  sentBy: string;
  date: Date;
  /** Default 'sent'. */
  folder?: MessageFolder;
}

export type MessageChange = 'read' | 'folder' | 'shown';
export type RemovalReason = 'deleted' | 'overflow';

export interface MessageStoreEvents {
  added: [message: PhoneMessage];
  changed: [message: PhoneMessage, change: MessageChange];
  removed: [message: PhoneMessage, reason: RemovalReason];
}

export const DEFAULT_MESSAGE_LIMIT = PHONE_MESSAGE_LIMIT;

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
/** The store's own, mutable form of a message. */
type Entry = (Mutable<ReceivedMessage> | Mutable<SentMessage>) & { shownTo: Set<string> };

export class MessageStore {
  readonly events = new Emitter<MessageStoreEvents>();
  private readonly items = new Map<number, Entry>();
  private nextId = 1;

  constructor(readonly limit: number = DEFAULT_MESSAGE_LIMIT) {
    if (!(Number.isInteger(limit) && limit >= 1)) throw new RangeError(`message limit ${limit} must be a positive integer`);
  }

  get size(): number {
    return this.items.size;
  }

  get(id: number): PhoneMessage | undefined {
    return this.items.get(id);
  }

  /** Every message, oldest first. */
  all(): PhoneMessage[] {
    return [...this.items.values()];
  }

  /** What PCs sent through the phone, oldest first. */
  sent(): SentMessage[] {
    return this.all().filter((m): m is SentMessage => m.direction === 'sent');
  }

  /** A message arrives in the inbox, unread. */
  receive(init: ReceivedInit): ReceivedMessage {
    const entry = {
      id: this.nextId++,
      direction: 'received' as const,
      from: init.from,
      name: init.name,
      text: init.text,
      date: new Date(init.date.getTime()),
      service: init.service ?? 'sms',
      group: [...(init.group ?? [])],
      attachment: init.attachment === undefined ? undefined : { ...init.attachment },
      folder: 'inbox' as MessageFolder,
      previousFolder: undefined,
      read: false,
      shownTo: new Set<string>(),
    };
    this.insert(entry);
    return entry;
  }

  /** Records a message a PC sent; it is read and in `sent` unless told otherwise. */
  recordSent(init: SentInit): SentMessage {
    const entry = {
      id: this.nextId++,
      direction: 'sent' as const,
      recipients: [...init.recipients],
      text: init.text,
      type: init.type,
      sentBy: init.sentBy.toUpperCase(),
      date: new Date(init.date.getTime()),
      service: 'sms' as MessageService,
      folder: init.folder ?? 'sent',
      previousFolder: undefined,
      read: true,
      shownTo: new Set<string>(),
    };
    this.insert(entry);
    return entry;
  }

  /** Sets the read status; false when it already was so. */
  setRead(id: number, read: boolean): boolean {
    const entry = this.entry(id);
    if (entry.read === read) return false;
    entry.read = read;
    this.events.emit('changed', entry, 'read');
    return true;
  }

  /** Moves a message to another folder (remembering where it was); false when it is there already. */
  move(id: number, folder: MessageFolder): boolean {
    const entry = this.entry(id);
    if (entry.folder === folder) return false;
    entry.previousFolder = entry.folder;
    entry.folder = folder;
    this.events.emit('changed', entry, 'folder');
    return true;
  }

  /** Marks a message as shown to a PC (it stays visible to that PC from then on). */
  markShown(id: number, pcAddress: string): void {
    const entry = this.entry(id);
    const key = pcAddress.toUpperCase();
    if (entry.shownTo.has(key)) return;
    entry.shownTo.add(key);
    this.events.emit('changed', entry, 'shown');
  }

  /** Deletes a message for good; false when there was none. */
  remove(id: number): boolean {
    const entry = this.items.get(id);
    if (entry === undefined) return false;
    this.items.delete(id);
    this.events.emit('removed', entry, 'deleted');
    return true;
  }

  private entry(id: number): Entry {
    const entry = this.items.get(id);
    if (entry === undefined) throw new UnknownMessageError(id);
    return entry;
  }

  private insert(entry: Entry): void {
    while (this.items.size >= this.limit) {
      const oldest = this.items.values().next();
      if (oldest.done === true) break;
      this.items.delete(oldest.value.id);
      this.events.emit('removed', oldest.value, 'overflow');
    }
    this.items.set(entry.id, entry);
    this.events.emit('added', entry);
  }
}
