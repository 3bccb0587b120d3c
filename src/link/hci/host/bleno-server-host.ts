/**
 * The phone's GATT server host on bleno: implements `GattServerHost` in this
 * process while bleno itself runs in a child (bleno-process.ts). Service
 * definitions go to the child; its read, write and subscribe requests come
 * back here, where properties and security are checked and the handlers run,
 * exactly as the in-memory host does. Notifications raised while a request is
 * being answered go out after its response.
 *
 * What bleno cannot do, and what this does instead:
 * - Subscriptions cannot be refused: bleno confirms the CCCD write itself.
 *   For a characteristic that is not `open`, bleno answers Insufficient
 *   Authentication (0x05) while the link is unencrypted (never 0x0F); a
 *   throwing `onSubscribe` is reported, not answered.
 * - addService/removeService rebuild bleno's whole attribute table. The
 *   child then indicates Service Changed (0x0001..0xFFFF) to each connected
 *   peer that enabled it on this connection (bleno-service-changed.ts).
 *   Subscriptions whose characteristic kept its handle survive the rebuild;
 *   the others end (the handler hears `onSubscribe(peer, false)`).
 * - No pairing decisions: bleno pairs every request (Just Works). The
 *   pairing policy is asked when a link becomes encrypted; a refused peer
 *   stays unbonded, so `bonded` characteristics keep refusing it.
 * - bleno keeps no bonds across connections in UART mode, so a peer counts
 *   as bonded (in this host's life) once it paired and the policy accepted.
 */
import {
  AdvertisingData,
  GattCharacteristicDefinition,
  GattPeer,
  GattServerEvents,
  GattServerHost,
  GattServiceDefinition,
  Uuid,
  normalizeUuid,
} from '../../ble';
import { AttErrorCode, DisconnectReason } from '../../att-codes';
import { Clock, RealClock } from '../../clock';
import { LinkError, QueueFullError } from '../../errors';
import { DEFAULT_BLE_MODEL } from '../../link-model';
import { Emitter } from '../../../util/emitter';
import { encodeAdvertisement } from './advertising-data';
import { Outcome, accessError, invokeHandler } from './gatt-access';
import { BlenoChannel, BlenoProcess } from './bleno-process';
import { ChildMessage, MAX_VALUE_BYTES, ParentMessage, WireService, fromHex, payloadToWire, toHex } from './bleno-protocol';
import type { HciBindingsOptions } from './controller-select';

export interface BlenoServerHostOptions {
  /** Which controller bleno uses (see controller-select.ts). */
  controller: HciBindingsOptions;
  /** Wall time by default; timeouts only. */
  clock?: Clock;
  /** GAP Device Name (default "PhoneBridge"). */
  deviceName?: string;
  /** Largest ATT MTU the phone accepts (default 185, the iPhone's). */
  maxMtu?: number;
  /** bleno answers Unlikely Error when a handler's answer takes longer (default 5000 ms). */
  requestTimeoutMs?: number;
  /** Give up when bleno is not powered on within this long (default 15000 ms). */
  startTimeoutMs?: number;
  /** Notifications handed to the child and not yet sent (default 256); more throw QueueFullError. */
  notifyQueueLimit?: number;
  /** Gets each line the child prints. */
  log?: (line: string) => void;
}

export interface BlenoHostEvents {
  /** A handler threw something other than AttError (answered Unlikely Error), or returned a bad value. */
  handlerError: [error: unknown, characteristic: Uuid | undefined];
  /** Something went wrong below the seam: advertising refused, a lost notification, a bad IPC message. */
  problem: [error: LinkError];
  /** The child process ended; every peer was disconnected. */
  exit: [code: number | null, signal: NodeJS.Signals | null];
}

/** Advertising starts waiting for the child's answer at once. */
export const MAX_PENDING_ADVERTISING = 16;

/** A connected central as this host sees it; one object per connection. */
export class BlenoPeer implements GattPeer {
  mtu = 23;
  encrypted = false;
  connected = true;
  constructor(
    private readonly host: BlenoServerHost,
    readonly connection: number,
    readonly address: string,
  ) {}
  get bonded(): boolean {
    return this.host.hasBond(this.address);
  }
}

interface Subscription {
  service: Uuid;
  characteristic: Uuid;
}

export class BlenoServerHost implements GattServerHost {
  readonly events = new Emitter<GattServerEvents>();
  readonly hostEvents = new Emitter<BlenoHostEvents>();
  private readonly services = new Map<Uuid, GattServiceDefinition>();
  private readonly peersByConnection = new Map<number, BlenoPeer>();
  private readonly subscriptions = new Map<number, Map<string, Subscription>>();
  private readonly bonds = new Set<string>();
  /** Notification id -> connection, for those handed to the child and not yet confirmed. */
  private readonly inFlight = new Map<number, number>();
  private readonly advertiseAcks: { resolve(): void; reject(error: LinkError): void }[] = [];
  private deferred: ParentMessage[] | undefined;
  private nextNotifyId = 1;
  private pairingPolicy: (peer: GattPeer) => boolean = () => true;
  private readonly notifyQueueLimit: number;

  /** Wraps a running child (`start` makes one); `address` is its controller's. */
  constructor(
    private readonly child: BlenoChannel,
    readonly address: string,
    options: { notifyQueueLimit?: number } = {},
  ) {
    this.notifyQueueLimit = options.notifyQueueLimit ?? 256;
    this.events.onListenerError = (error) => this.hostEvents.emit('handlerError', error, undefined);
    child.events.on('message', (message) => this.onMessage(message));
    child.events.on('invalid', (error) => this.hostEvents.emit('problem', error));
    child.events.on('exit', (code, signal) => this.onExit(code, signal));
  }

  /** Forks bleno on the chosen controller and resolves once it is powered on. */
  static async start(options: BlenoServerHostOptions): Promise<BlenoServerHost> {
    const clock = options.clock ?? new RealClock();
    const maxMtu = options.maxMtu ?? DEFAULT_BLE_MODEL.maxMtu;
    const { process, address } = await BlenoProcess.start({
      clock,
      startTimeoutMs: options.startTimeoutMs,
      log: options.log,
      child: {
        controller: options.controller,
        deviceName: options.deviceName ?? 'PhoneBridge',
        maxMtu,
        requestTimeoutMs: options.requestTimeoutMs ?? 5000,
      },
    });
    return new BlenoServerHost(process, address, options);
  }

  /** The child's process id (for checking that it is gone after close). */
  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return this.child.running;
  }

  addService(service: GattServiceDefinition): void {
    this.services.set(normalizeUuid(service.uuid), service);
    this.publish();
  }

  removeService(uuid: Uuid): void {
    const key = normalizeUuid(uuid);
    if (!this.services.delete(key)) return;
    for (const subs of this.subscriptions.values()) {
      for (const [k, sub] of subs) if (sub.service === key) subs.delete(k);
    }
    this.publish();
  }

  peers(): GattPeer[] {
    return [...this.peersByConnection.values()];
  }

  isSubscribed(peer: GattPeer, characteristic: Uuid): boolean {
    return this.subscriptionFor(peer, characteristic) !== undefined;
  }

  notify(peer: GattPeer, characteristic: Uuid, value: Uint8Array): void {
    const own = this.child.running ? this.ownPeer(peer) : undefined;
    if (!own) throw new LinkError('link.not-connected', `${peer.address} is not connected to ${this.address}`);
    const sub = this.subscriptionFor(own, characteristic);
    if (!sub) throw new LinkError('link.not-subscribed', `${peer.address} is not subscribed to ${characteristic}`);
    const max = own.mtu - 3;
    if (value.length > max) throw new LinkError('link.value-too-long', `notification of ${value.length} bytes exceeds MTU-3 = ${max}`);
    const waiting = this.inFlight.size + (this.deferred?.length ?? 0);
    if (waiting >= this.notifyQueueLimit) throw new QueueFullError('bleno notification', this.notifyQueueLimit);
    const notifyId = this.nextNotifyId;
    this.nextNotifyId = this.nextNotifyId >= 0x7fffffff ? 1 : this.nextNotifyId + 1;
    const message: ParentMessage = { type: 'notify', notifyId, connection: own.connection, ...sub, value: toHex(value) };
    this.inFlight.set(notifyId, own.connection);
    if (this.deferred) this.deferred.push(message);
    else this.send(message);
  }

  startAdvertising(data: AdvertisingData): void {
    this.startAdvertisingAsync(data).catch((error: unknown) => {
      this.hostEvents.emit('problem', error instanceof LinkError ? error : new LinkError('link.advertising-failed', String(error)));
    });
  }

  /** Like startAdvertising, resolving once bleno has started (LinkError `link.advertising-failed` if not). */
  startAdvertisingAsync(data: AdvertisingData): Promise<void> {
    let payload;
    try {
      payload = encodeAdvertisement(data);
    } catch (error) {
      return Promise.reject(error);
    }
    if (this.advertiseAcks.length >= MAX_PENDING_ADVERTISING) return Promise.reject(new QueueFullError('advertising', MAX_PENDING_ADVERTISING));
    return new Promise<void>((resolve, reject) => {
      if (!this.send({ type: 'advertise', ...payloadToWire(payload) })) {
        reject(new LinkError('link.host-closed', 'the bleno process is not running'));
        return;
      }
      this.advertiseAcks.push({ resolve, reject });
    });
  }

  stopAdvertising(): void {
    this.send({ type: 'stopAdvertising' });
  }

  setPairingPolicy(policy: (peer: GattPeer) => boolean): void {
    this.pairingPolicy = policy;
  }

  /** Ends a link from the phone's side (the PC sees reason 0x13). */
  disconnect(peer: GattPeer): void {
    const own = this.ownPeer(peer);
    if (own) this.send({ type: 'disconnect', connection: own.connection });
  }

  /** True when this host holds a bond with the address (made in this host's life). */
  hasBond(address: string): boolean {
    return this.bonds.has(address.toUpperCase());
  }

  /** Forgets a bond, as "Forget This Device" does. */
  forgetBond(address: string): void {
    this.bonds.delete(address.toUpperCase());
  }

  /** Stops bleno and ends the child process; every peer is disconnected (0x16). */
  async close(): Promise<void> {
    await this.child.close();
  }

  // ---- messages from the child ----

  private onMessage(message: ChildMessage): void {
    switch (message.type) {
      case 'connect': {
        // A handle reused before its disconnect reached us: the old link is gone.
        this.dropPeer(message.connection, DisconnectReason.ConnectionTimeout);
        const peer = new BlenoPeer(this, message.connection, message.address);
        this.peersByConnection.set(message.connection, peer);
        this.subscriptions.set(message.connection, new Map());
        this.events.emit('connect', peer);
        return;
      }
      case 'disconnect':
        this.dropPeer(message.connection, message.reason);
        return;
      case 'mtu': {
        const peer = this.peersByConnection.get(message.connection);
        if (!peer || peer.mtu === message.mtu) return;
        peer.mtu = message.mtu;
        this.events.emit('mtuChanged', peer, message.mtu);
        return;
      }
      case 'encryption':
        this.onEncryption(message.connection, message.encrypted);
        return;
      case 'read':
        this.answer(message.connection, message.characteristic, () => this.onRead(message.connection, message.service, message.characteristic), (outcome) => ({
          type: 'readReply',
          requestId: message.requestId,
          attCode: outcome.attCode,
          value: outcome.ok && outcome.value ? toHex(outcome.value) : '',
        }));
        return;
      case 'write': {
        const value = fromHex(message.value);
        const run = (): Outcome<undefined> => this.onWrite(message.connection, message.service, message.characteristic, value, message.withResponse);
        if (message.withResponse) {
          this.answer(message.connection, message.characteristic, run, (outcome) => ({ type: 'writeReply', requestId: message.requestId, attCode: outcome.attCode }));
        } else {
          this.answer(message.connection, message.characteristic, run, () => undefined);
        }
        return;
      }
      case 'subscribe':
        this.onSubscribe(message.connection, message.service, message.characteristic, message.enabled);
        return;
      case 'notified':
        if (this.inFlight.delete(message.notifyId) && !message.sent) {
          this.hostEvents.emit('problem', new LinkError('link.notification-lost', `bleno did not send a notification: ${message.message}`));
        }
        return;
      case 'advertising': {
        const ack = this.advertiseAcks.shift();
        if (message.started) ack?.resolve();
        else ack?.reject(new LinkError('link.advertising-failed', `bleno could not advertise: ${message.message}`));
        return;
      }
      case 'problem':
        this.hostEvents.emit('problem', new LinkError(message.code, message.message));
        return;
      case 'ready':
      case 'state':
        return;
    }
  }

  /** Runs a request's handler with notifications held back, sends the reply, then the held notifications. */
  private answer<T>(connection: number, characteristic: Uuid, run: () => Outcome<T>, reply: (outcome: Outcome<T>) => ParentMessage | undefined): void {
    this.deferred = [];
    let outcome: Outcome<T>;
    let held: ParentMessage[];
    try {
      outcome = this.peersByConnection.has(connection) ? run() : { ok: false, attCode: AttErrorCode.UnlikelyError };
    } catch (error) {
      this.hostEvents.emit('handlerError', error, characteristic);
      outcome = { ok: false, attCode: AttErrorCode.UnlikelyError };
    } finally {
      held = this.deferred ?? [];
      this.deferred = undefined;
    }
    const message = reply(outcome);
    if (message) this.send(message);
    for (const m of held) this.send(m);
  }

  private onRead(connection: number, service: Uuid, characteristic: Uuid): Outcome<Uint8Array> {
    const access = this.access(connection, service, characteristic, 'read', AttErrorCode.ReadNotPermitted);
    if (!access.ok || !access.value) return { ok: false, attCode: access.attCode };
    const { peer, def } = access.value;
    const read = this.invoke(characteristic, () => (def.onRead ? def.onRead(peer) : new Uint8Array(0)));
    if (!read.ok) return { ok: false, attCode: read.attCode };
    const value: unknown = read.value;
    if (!(value instanceof Uint8Array) || value.length > MAX_VALUE_BYTES) {
      this.hostEvents.emit('handlerError', new RangeError(`onRead for ${characteristic} must return a Uint8Array of at most ${MAX_VALUE_BYTES} bytes`), characteristic);
      return { ok: false, attCode: AttErrorCode.UnlikelyError };
    }
    return { ok: true, value: value.slice(), attCode: 0 };
  }

  private onWrite(connection: number, service: Uuid, characteristic: Uuid, value: Uint8Array, withResponse: boolean): Outcome<undefined> {
    const property = withResponse ? 'write' : 'writeWithoutResponse';
    const access = this.access(connection, service, characteristic, property, AttErrorCode.WriteNotPermitted);
    if (!access.ok || !access.value) return { ok: false, attCode: access.attCode };
    const { peer, def } = access.value;
    if (value.length > peer.mtu - 3) return { ok: false, attCode: AttErrorCode.InvalidAttributeValueLength };
    const written = this.invoke(characteristic, () => def.onWrite?.(peer, value.slice(), withResponse));
    return written.ok ? { ok: true, attCode: 0 } : { ok: false, attCode: written.attCode };
  }

  private onSubscribe(connection: number, service: Uuid, characteristic: Uuid, enabled: boolean): void {
    const subs = this.subscriptions.get(connection);
    if (!subs) return;
    const access = this.access(connection, service, characteristic, 'notify', AttErrorCode.AttributeNotFound);
    const key = `${service}|${characteristic}`;
    if (!access.ok || !access.value) {
      // bleno has already confirmed the CCCD write; all we can do is not deliver and say so.
      subs.delete(key);
      if (enabled) {
        this.hostEvents.emit('problem', new LinkError('link.subscription-refused', `subscription to ${characteristic} ignored: ATT error 0x${access.attCode.toString(16)} could not be answered`));
      }
      return;
    }
    const { peer, def } = access.value;
    if (enabled) subs.set(key, { service, characteristic });
    else subs.delete(key);
    const done = this.invoke(characteristic, () => def.onSubscribe?.(peer, enabled));
    if (!done.ok) {
      this.hostEvents.emit('problem', new LinkError('link.subscription-refused', `onSubscribe for ${characteristic} refused with ATT error 0x${done.attCode.toString(16)}, which bleno cannot answer`));
    }
  }

  private onEncryption(connection: number, encrypted: boolean): void {
    const peer = this.peersByConnection.get(connection);
    if (!peer || peer.encrypted === encrypted) return;
    peer.encrypted = encrypted;
    if (!encrypted) return;
    let accepted = false;
    try {
      accepted = this.pairingPolicy(peer) === true;
    } catch (error) {
      this.hostEvents.emit('handlerError', error, undefined);
    }
    if (accepted) this.bonds.add(peer.address);
    this.events.emit('encrypted', peer);
  }

  private onExit(code: number | null, signal: NodeJS.Signals | null): void {
    for (const connection of [...this.peersByConnection.keys()]) this.dropPeer(connection, DisconnectReason.LocalHostTerminated);
    for (const ack of this.advertiseAcks.splice(0)) ack.reject(new LinkError('link.host-closed', 'the bleno process exited'));
    this.inFlight.clear();
    this.hostEvents.emit('exit', code, signal);
  }

  private dropPeer(connection: number, reason: number): void {
    const peer = this.peersByConnection.get(connection);
    if (!peer) return;
    this.peersByConnection.delete(connection);
    this.subscriptions.delete(connection);
    for (const [id, conn] of this.inFlight) if (conn === connection) this.inFlight.delete(id);
    peer.connected = false;
    peer.encrypted = false;
    this.events.emit('disconnect', peer, reason);
  }

  // ---- checks and handlers ----

  /** The peer and definition for a request, or the ATT code refusing it (see gatt-access.ts). */
  private access(
    connection: number,
    service: Uuid,
    characteristic: Uuid,
    property: 'read' | 'write' | 'writeWithoutResponse' | 'notify',
    deniedCode: number,
  ): Outcome<{ peer: BlenoPeer; def: GattCharacteristicDefinition }> {
    const peer = this.peersByConnection.get(connection);
    const def = this.services.get(service)?.characteristics.find((c) => normalizeUuid(c.uuid) === characteristic);
    if (!peer || !def) return { ok: false, attCode: AttErrorCode.AttributeNotFound };
    const refused = accessError(def, property, deniedCode, peer);
    return refused === undefined ? { ok: true, value: { peer, def }, attCode: 0 } : { ok: false, attCode: refused };
  }

  private invoke<T>(characteristic: Uuid, handler: () => T): Outcome<T> {
    return invokeHandler(handler, (error) => this.hostEvents.emit('handlerError', error, characteristic));
  }

  private subscriptionFor(peer: GattPeer, characteristic: Uuid): Subscription | undefined {
    const own = this.ownPeer(peer);
    const subs = own ? this.subscriptions.get(own.connection) : undefined;
    if (!subs) return undefined;
    let uuid: Uuid;
    try {
      uuid = normalizeUuid(characteristic);
    } catch {
      return undefined;
    }
    for (const sub of subs.values()) if (sub.characteristic === uuid) return sub;
    return undefined;
  }

  private ownPeer(peer: GattPeer): BlenoPeer | undefined {
    if (!(peer instanceof BlenoPeer)) return undefined;
    return this.peersByConnection.get(peer.connection) === peer ? peer : undefined;
  }

  private publish(): void {
    const services: WireService[] = [...this.services.entries()].map(([uuid, s]) => ({
      uuid,
      characteristics: s.characteristics.map((c) => ({ uuid: normalizeUuid(c.uuid), properties: [...c.properties], security: c.security })),
    }));
    this.send({ type: 'setServices', services });
  }

  private send(message: ParentMessage): boolean {
    return this.child.send(message);
  }
}
