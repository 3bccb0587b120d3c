/**
 * Scripted stand-ins for the PC-side BLE seams (BleCentral, BleConnection,
 * GattClient) and a tiny ANCS "phone" that answers Control Point writes on
 * the Data Source, so sim-pc tests need neither the memory link nor
 * sim-phone. Tests push Notification/Data Source bytes by hand, inspect the
 * recorded Control Point writes and script ATT errors.
 */
import type {
  BleCentral,
  BleConnection,
  BleConnectionEvents,
  DiscoveredCharacteristic,
  GattClient,
  GattClientEvents,
  ScanResult,
  Uuid,
} from '../../src/link/ble';
import { MemoryBondStore, normalizeUuid } from '../../src/link/ble';
import type { Clock } from '../../src/link/clock';
import { DisconnectedError, LinkError, PairingError } from '../../src/link/errors';
import {
  ANCS_CONTROL_POINT_UUID,
  ANCS_DATA_SOURCE_UUID,
  ANCS_NOTIFICATION_SOURCE_UUID,
  ANCS_SERVICE_UUID,
  CommandId,
  EventFlag,
  EventId,
  decodeControlPoint,
  encodeDataSourceReply,
  encodeNotificationSource,
  fragmentReply,
  NotificationAttributeId,
} from '../../src/protocol/ancs';
import type { ControlPointCommand, NotificationSourceEvent } from '../../src/protocol/ancs';
import { Emitter } from '../../src/util/emitter';

export const SERVICE = normalizeUuid(ANCS_SERVICE_UUID);
export const NS = normalizeUuid(ANCS_NOTIFICATION_SOURCE_UUID);
export const CP = normalizeUuid(ANCS_CONTROL_POINT_UUID);
export const DS = normalizeUuid(ANCS_DATA_SOURCE_UUID);

export interface CpWrite {
  at: number;
  bytes: Uint8Array;
  command: ControlPointCommand | undefined;
}

export class FakeGatt implements GattClient {
  mtu = 23;
  readonly events = new Emitter<GattClientEvents>();
  services: Uuid[] = ['1800', SERVICE];
  characteristics: Uuid[] = [NS, CP, DS];
  readonly subscribeLog: Uuid[] = [];
  readonly writes: CpWrite[] = [];
  readonly listeners = new Map<Uuid, (value: Uint8Array) => void>();
  /** Answers a subscribe; throw to refuse (e.g. AttError 0x05). */
  onSubscribe: (characteristic: Uuid) => void = () => undefined;
  /** Answers a Control Point write; throw to refuse. Runs before the write resolves. */
  onWrite: (write: CpWrite) => void = () => undefined;
  /** Delay of each write response on the clock; 0 resolves on the next microtask. */
  writeDelayMs = 0;
  mtuOffered: number[] = [];
  serverMtu = 185;

  constructor(
    private readonly clock: Clock,
    private readonly connection: { connected: boolean },
  ) {}

  async exchangeMtu(clientRxMtu: number): Promise<number> {
    this.mtuOffered.push(clientRxMtu);
    this.mtu = Math.max(23, Math.min(clientRxMtu, this.serverMtu));
    return this.mtu;
  }

  async discoverServices(): Promise<Uuid[]> {
    this.checkConnected();
    return [...this.services];
  }

  async discoverCharacteristics(service: Uuid): Promise<DiscoveredCharacteristic[]> {
    this.checkConnected();
    if (normalizeUuid(service) !== SERVICE) return [];
    return this.characteristics.map((uuid) => ({ uuid, properties: uuid === CP ? ['write'] : ['notify'] }));
  }

  async read(): Promise<Uint8Array> {
    throw new LinkError('link.not-supported', 'read is not scripted');
  }

  async write(service: Uuid, characteristic: Uuid, value: Uint8Array): Promise<void> {
    this.checkConnected();
    if (normalizeUuid(characteristic) !== CP) throw new LinkError('link.not-supported', 'only CP writes are scripted');
    let command: ControlPointCommand | undefined;
    try {
      command = decodeControlPoint(value);
    } catch {
      command = undefined;
    }
    const write: CpWrite = { at: this.clock.now(), bytes: value.slice(), command };
    this.writes.push(write);
    if (this.writeDelayMs > 0) await this.clock.sleep(this.writeDelayMs);
    this.checkConnected();
    this.onWrite(write);
  }

  async subscribe(service: Uuid, characteristic: Uuid, listener: (value: Uint8Array) => void): Promise<void> {
    this.checkConnected();
    const uuid = normalizeUuid(characteristic);
    this.subscribeLog.push(uuid);
    this.onSubscribe(uuid);
    this.listeners.set(uuid, listener);
  }

  async unsubscribe(service: Uuid, characteristic: Uuid): Promise<void> {
    this.listeners.delete(normalizeUuid(characteristic));
  }

  /** Delivers a Notification Source value to the subscriber. */
  pushNs(value: Uint8Array | NotificationSourceEvent): void {
    const bytes = value instanceof Uint8Array ? value : encodeNotificationSource(value);
    this.listeners.get(NS)?.(bytes);
  }

  /** Delivers a Data Source value to the subscriber. */
  pushDs(value: Uint8Array): void {
    this.listeners.get(DS)?.(value);
  }

  private checkConnected(): void {
    if (!this.connection.connected) throw new DisconnectedError(0x08);
  }
}

export class FakeConnection implements BleConnection {
  readonly events = new Emitter<BleConnectionEvents>();
  readonly gatt: FakeGatt;
  connected = true;
  encrypted = false;
  bonded = false;
  pairCalls = 0;
  encryptCalls = 0;
  /** Set to make pair() fail. */
  pairingFails = false;
  /** Set to make encrypt() fail (bond lost on the phone). */
  encryptFails = false;

  constructor(
    clock: Clock,
    readonly peerAddress = 'AA:BB:CC:DD:EE:01',
  ) {
    this.gatt = new FakeGatt(clock, this);
  }

  async pair(): Promise<void> {
    this.pairCalls++;
    if (this.pairingFails) throw new PairingError('the user rejected pairing');
    this.encrypted = true;
    this.bonded = true;
    this.events.emit('encrypted');
  }

  async encrypt(): Promise<void> {
    this.encryptCalls++;
    if (this.encryptFails) throw new PairingError('key missing');
    this.encrypted = true;
    this.events.emit('encrypted');
  }

  async disconnect(): Promise<void> {
    this.drop(0x16);
  }

  /** The link goes down with `reason`. */
  drop(reason = 0x08): void {
    if (!this.connected) return;
    this.connected = false;
    this.encrypted = false;
    this.events.emit('disconnect', reason);
  }
}

/** A central whose connect() is answered by a script. */
export class FakeCentral implements BleCentral {
  readonly address = '11:22:33:44:55:66';
  readonly bonds = new MemoryBondStore();
  readonly connectCalls: number[] = [];
  readonly connections: FakeConnection[] = [];
  /** Time each connect takes on the clock. */
  connectDelayMs = 0;
  /** Decides each connect: return a connection, or throw. */
  onConnect: (attempt: number) => FakeConnection;

  constructor(private readonly clock: Clock) {
    this.onConnect = () => new FakeConnection(clock);
  }

  async scan(): Promise<ScanResult[]> {
    return [];
  }

  async connect(address: string): Promise<BleConnection> {
    this.connectCalls.push(this.clock.now());
    if (this.connectDelayMs > 0) await this.clock.sleep(this.connectDelayMs);
    const connection = this.onConnect(this.connectCalls.length);
    this.connections.push(connection);
    return connection;
  }

  get last(): FakeConnection | undefined {
    return this.connections[this.connections.length - 1];
  }
}

export interface PhoneNotification {
  appId: string;
  title: string;
  subtitle?: string;
  message?: string;
  date?: string;
  positive?: string;
  negative?: string;
  messageSize?: string;
}

/**
 * A minimal Notification Provider behind a FakeGatt: answers
 * GetNotificationAttributes and GetAppAttributes from its tables, cut at
 * MTU-3, one fragment per `fragmentGapMs`. `silent` swallows requests.
 */
export class FakeAncsPhone {
  readonly notifications = new Map<number, PhoneNotification>();
  readonly appNames = new Map<string, string>();
  fragmentGapMs = 30;
  replyDelayMs = 30;
  silent = false;
  readonly actions: { uid: number; actionId: number }[] = [];
  /** Replies being sent right now, and the most ever at once. */
  sending = 0;
  maxSending = 0;

  constructor(
    private readonly clock: Clock,
    private readonly gatt: FakeGatt,
  ) {
    gatt.onWrite = (write) => this.answer(write);
  }

  private answer(write: CpWrite): void {
    const command = write.command;
    if (!command || this.silent) return;
    if (command.commandId === CommandId.PerformNotificationAction) {
      this.actions.push({ uid: command.notificationUid, actionId: command.actionId });
      return;
    }
    let reply: Uint8Array;
    if (command.commandId === CommandId.GetNotificationAttributes) {
      const n = this.notifications.get(command.notificationUid);
      const value = (id: number): string => {
        if (!n) return '';
        switch (id) {
          case NotificationAttributeId.AppIdentifier:
            return n.appId;
          case NotificationAttributeId.Title:
            return n.title;
          case NotificationAttributeId.Subtitle:
            return n.subtitle ?? '';
          case NotificationAttributeId.Message:
            return n.message ?? '';
          case NotificationAttributeId.MessageSize:
            return n.messageSize ?? String(Buffer.byteLength(n.message ?? ''));
          case NotificationAttributeId.Date:
            return n.date ?? '';
          case NotificationAttributeId.PositiveActionLabel:
            return n.positive ?? '';
          case NotificationAttributeId.NegativeActionLabel:
            return n.negative ?? '';
          default:
            return '';
        }
      };
      reply = encodeDataSourceReply({
        commandId: 0,
        notificationUid: command.notificationUid,
        attributes: command.attributes.map((a) => {
          const bytes = new TextEncoder().encode(value(a.id));
          return { id: a.id, value: a.maxLength === undefined ? bytes : bytes.slice(0, a.maxLength) };
        }),
      });
    } else {
      const name = this.appNames.get(command.appIdentifier);
      reply = encodeDataSourceReply({
        commandId: 1,
        appIdentifier: command.appIdentifier,
        attributes: command.attributes.map((id) => ({ id, value: new TextEncoder().encode(name ?? '') })),
      });
    }
    this.send(reply);
  }

  /** Sends raw Data Source bytes the way the phone would: fragmented, spaced out in time. */
  send(reply: Uint8Array): void {
    const fragments = fragmentReply(reply, this.gatt.mtu - 3);
    this.sending++;
    this.maxSending = Math.max(this.maxSending, this.sending);
    fragments.forEach((fragment, i) => {
      this.clock.schedule(this.replyDelayMs + i * this.fragmentGapMs, () => {
        if (i === fragments.length - 1) this.sending--;
        this.gatt.pushDs(fragment);
      });
    });
  }
}

export function hex(text: string): Uint8Array {
  const clean = text.replace(/\s+/g, '');
  return Uint8Array.from(Buffer.from(clean, 'hex'));
}

export interface PhoneItem {
  key: number;
  notification: PhoneNotification;
  flags: number;
  categoryId: number;
}

/**
 * A phone that keeps its notification list across connections: each
 * connection is a new ANCS session with fresh UIDs, and subscribing to the
 * Notification Source replays every item with PreExisting. A negative
 * action removes the item.
 */
export class SessionPhone {
  readonly items: PhoneItem[] = [];
  sessions = 0;
  private nextKey = 1;
  private session: { connection: FakeConnection; ancs: FakeAncsPhone; uidOf: Map<number, number>; subscribed: boolean } | undefined;

  constructor(private readonly clock: Clock) {}

  get connection(): FakeConnection | undefined {
    return this.session?.connection;
  }

  /** UID of an item in the current session. */
  uidOf(key: number): number | undefined {
    return this.session?.uidOf.get(key);
  }

  connect(): FakeConnection {
    const connection = new FakeConnection(this.clock);
    connection.encrypted = true;
    connection.bonded = true;
    connection.gatt.mtu = 185;
    const ancs = new FakeAncsPhone(this.clock, connection.gatt);
    const base = 1000 * ++this.sessions;
    const session = { connection, ancs, uidOf: new Map<number, number>(), subscribed: false };
    this.session = session;
    for (const [i, item] of this.items.entries()) this.bind(item, base + i);
    let nextUid = base + 500;
    const answer = connection.gatt.onWrite;
    connection.gatt.onWrite = (write) => {
      answer(write);
      const command = write.command;
      if (command?.commandId === CommandId.PerformNotificationAction && command.actionId === 1) {
        const item = this.items.find((it) => session.uidOf.get(it.key) === command.notificationUid);
        if (item) this.clock.schedule(50, () => this.remove(item.key));
      }
    };
    connection.gatt.onSubscribe = (uuid) => {
      if (uuid !== NS) return;
      session.subscribed = true;
      this.clock.schedule(30, () => {
        for (const item of this.items) this.pushEvent(item, EventId.Added, EventFlag.PreExisting);
      });
    };
    connection.events.on('disconnect', () => {
      if (this.session === session) this.session = undefined;
    });
    this.allocate = () => nextUid++;
    return connection;
  }

  post(notification: PhoneNotification, flags: number = EventFlag.NegativeAction, categoryId = 4): number {
    const item: PhoneItem = { key: this.nextKey++, notification, flags, categoryId };
    this.items.push(item);
    if (this.session) {
      this.bind(item, this.allocate());
      this.pushEvent(item, EventId.Added, 0);
    }
    return item.key;
  }

  modify(key: number, change: Partial<PhoneNotification>): void {
    const item = this.items.find((it) => it.key === key);
    if (!item) return;
    item.notification = { ...item.notification, ...change };
    const uid = this.session?.uidOf.get(key);
    if (uid !== undefined) this.session?.ancs.notifications.set(uid, item.notification);
    this.pushEvent(item, EventId.Modified, 0);
  }

  remove(key: number): void {
    const index = this.items.findIndex((it) => it.key === key);
    if (index < 0) return;
    const [item] = this.items.splice(index, 1);
    if (item) this.pushEvent(item, EventId.Removed, 0);
  }

  private allocate: () => number = () => 0;

  private bind(item: PhoneItem, uid: number): void {
    if (!this.session) return;
    this.session.uidOf.set(item.key, uid);
    this.session.ancs.notifications.set(uid, item.notification);
  }

  private pushEvent(item: PhoneItem, eventId: number, extraFlags: number): void {
    const session = this.session;
    if (!session || !session.subscribed) return;
    const uid = session.uidOf.get(item.key);
    if (uid === undefined) return;
    session.connection.gatt.pushNs({
      eventId,
      eventFlags: item.flags | extraFlags,
      categoryId: item.categoryId,
      categoryCount: 1,
      notificationUid: uid,
    });
  }
}
