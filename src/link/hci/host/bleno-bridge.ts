/**
 * Drives bleno inside the child process: builds bleno services from the
 * parent's definitions, forwards connections, MTU, encryption, reads, writes
 * and (un)subscriptions to the parent as bleno-protocol.ts messages, sends
 * the notifications the parent asks for, and shuts bleno down on request.
 *
 * Reads and writes wait for the parent's answer; after `requestTimeoutMs`
 * bleno answers ATT Unlikely Error instead. A Read Blob continues from the
 * value fetched by the Read that began it. Security: the parent answers reads
 * and writes with Insufficient Authentication/Encryption itself; for CCCD
 * writes (subscriptions) bleno decides, and can only say Insufficient
 * Authentication (characteristics marked `secure` for notify/indicate).
 *
 * Each rebuild of bleno's attribute table (every `setServices`) keeps the
 * subscriptions whose characteristic kept its value handle, ends the others
 * (the parent hears `subscribe` off), and indicates Service Changed to the
 * peers that asked for it (bleno-service-changed.ts).
 */
import type { Bleno, Characteristic as BlenoCharacteristic, PrimaryService as BlenoService } from '@stoprocent/bleno';
import { normalizeAddress } from '../../ble';
import { AttErrorCode } from '../../att-codes';
import { Clock, RealClock, Timer } from '../../clock';
import { ChildMessage, ChildOptions, MAX_MESSAGE_ID, MAX_VALUE_BYTES, ParentMessage, WireService, fromHex, toHex } from './bleno-protocol';
import { blenoConnectionMtu, blenoDisconnectHandle, blenoHci, blenoSocket, blenoValueHandles, repairBlenoSmp, setBlenoDeviceName, setBlenoMaxMtu } from './bleno-internals';
import { ServiceChangedAnnouncer, carrySubscriptions } from './bleno-service-changed';
import { toLibraryUuid } from './uuid-form';

export type BlenoModule = typeof import('@stoprocent/bleno');
type UpdateValue = (data?: Buffer) => void;

/** Reason reported when bleno's HCI layer could not tell us one. */
const UNKNOWN_DISCONNECT_REASON = 0x13;
/** How long shutdown waits for links to go down before stopping bleno anyway. */
const SHUTDOWN_GRACE_MS = 500;
/** Advertising starts waiting behind the one in progress. */
const MAX_QUEUED_ADVERTISING = 16;
/** How long bleno may take to start advertising. */
const ADVERTISING_TIMEOUT_MS = 3000;

interface Connection {
  address: string;
  mtu: number;
  closing: boolean;
}

interface PendingRequest {
  connection: number;
  timer: Timer;
  answer(attCode: number, value: Uint8Array): void;
}

export class BlenoBridge {
  private readonly connections = new Map<number, Connection>();
  private readonly subscriptions = new Map<string, UpdateValue>();
  private readonly readCache = new Map<string, Uint8Array>();
  private readonly pending = new Map<number, PendingRequest>();
  private readonly disconnectReasons = new Map<number, number>();
  private nextRequestId = 1;
  private readonly advertiseQueue: { advertisingData: Uint8Array; scanResponse: Uint8Array }[] = [];
  private advertiseBusy = false;
  private ready = false;
  private stopping = false;
  private smpWarned = false;
  /** Service Changed to the peers that asked for it, after each rebuild. */
  readonly serviceChanged: ServiceChangedAnnouncer;

  constructor(
    private readonly options: ChildOptions,
    private readonly lib: BlenoModule,
    private readonly bleno: Bleno,
    private readonly send: (message: ChildMessage) => void,
    private readonly exit: (code: number) => void,
    private readonly clock: Clock = new RealClock(),
  ) {
    this.serviceChanged = new ServiceChangedAnnouncer(bleno, {
      clock,
      isOpen: (connection) => this.connections.get(connection)?.closing === false,
      problem: (code, message) => this.send({ type: 'problem', code, message, fatal: false }),
    });
  }

  /** Hooks bleno's events up; bleno starts its HCI layer on the first stateChange listener. */
  start(): void {
    const hci = blenoHci(this.bleno);
    // Prepended so the reason is known before bleno's own `disconnect` event fires.
    hci?.prependListener('disconnComplete', (handle: unknown, reason: unknown) => {
      const connection = typeof handle === 'number' ? this.connections.get(handle) : undefined;
      if (typeof handle !== 'number' || !connection) return;
      this.disconnectReasons.set(handle, typeof reason === 'number' ? reason : UNKNOWN_DISCONNECT_REASON);
      connection.closing = true;
    });
    hci?.on('encryptChange', (handle: unknown, encrypt: unknown) => {
      if (typeof handle === 'number' && this.connections.has(handle)) {
        this.send({ type: 'encryption', connection: handle, encrypted: Boolean(encrypt) });
      }
    });
    blenoSocket(this.bleno)?.on('error', (error: unknown) => {
      const message = error instanceof Error ? error.message : String(error);
      this.send({ type: 'problem', code: 'link.controller-error', message: `HCI driver: ${message}`, fatal: false });
    });
    this.bleno.on('accept', (address, handle) => this.onAccept(address, handle));
    this.bleno.on('disconnect', (_address, handle) => this.onDisconnect(handle));
    this.bleno.on('mtuChange', () => this.onMtuChange());
    this.bleno.on('stateChange', (state) => this.onState(state));
  }

  /** A message from the parent (already parsed). */
  handle(message: ParentMessage): void {
    switch (message.type) {
      case 'setServices':
        this.rebuild(message.services);
        return;
      case 'advertise':
        this.advertise(fromHex(message.advertisingData), fromHex(message.scanResponse));
        return;
      case 'stopAdvertising':
        this.bleno.stopAdvertising();
        return;
      case 'readReply':
      case 'writeReply': {
        const request = this.pending.get(message.requestId);
        if (!request) return; // timed out or the link went down meanwhile
        this.pending.delete(message.requestId);
        request.timer.cancel();
        request.answer(message.attCode, message.type === 'readReply' ? fromHex(message.value) : new Uint8Array(0));
        return;
      }
      case 'notify':
        this.notify(message.notifyId, message.connection, `${message.connection}|${message.service}|${message.characteristic}`, fromHex(message.value));
        return;
      case 'disconnect':
        if (this.connections.has(message.connection)) this.disconnectLink(message.connection);
        return;
      case 'shutdown':
        this.shutdown(0);
        return;
    }
  }

  /** Stops advertising, drops every link (waiting briefly for them to go down), stops bleno and exits. */
  shutdown(code: number): void {
    if (this.stopping) return;
    this.stopping = true;
    this.serviceChanged.close();
    const finish = (): void => {
      try {
        this.bleno.stop();
      } finally {
        this.exit(code);
      }
    };
    try {
      if (this.ready) this.bleno.stopAdvertising();
      for (const handle of this.connections.keys()) this.disconnectLink(handle);
    } catch {
      // Stopping anyway.
    }
    if (this.connections.size === 0) {
      finish();
      return;
    }
    const deadline = this.clock.now() + SHUTDOWN_GRACE_MS;
    const poll = (): void => {
      if (this.connections.size === 0 || this.clock.now() >= deadline) finish();
      else this.clock.schedule(20, poll);
    };
    this.clock.schedule(20, poll);
  }

  /** HCI Disconnect for one link; bleno's typings omit the handle its disconnect() takes. */
  private disconnectLink(handle: number): void {
    if (blenoDisconnectHandle(this.bleno, handle)) return;
    (this.bleno.disconnect as (this: Bleno, handle?: number) => void).call(this.bleno, handle);
  }

  private onState(state: string): void {
    this.send({ type: 'state', state });
    if (state === 'poweredOn' && !this.ready) {
      this.ready = true;
      setBlenoMaxMtu(this.bleno, this.options.maxMtu);
      setBlenoDeviceName(this.bleno, this.options.deviceName);
      this.serviceChanged.hook();
      let address: string;
      try {
        address = normalizeAddress(this.bleno.address);
      } catch {
        this.fail('link.no-address', `bleno reported no usable controller address (${String(this.bleno.address)})`);
        return;
      }
      this.send({ type: 'ready', address });
    } else if (state !== 'poweredOn' && this.ready && !this.stopping) {
      this.send({ type: 'problem', code: 'link.controller-lost', message: `the controller went ${state}`, fatal: false });
    } else if ((state === 'unsupported' || state === 'unauthorized') && !this.ready) {
      this.fail('link.controller-unavailable', `bleno cannot use the controller: ${state}`);
    }
  }

  /** Queues an advertising start; bleno keeps one callback, so they run one at a time. */
  private advertise(advertisingData: Uint8Array, scanResponse: Uint8Array): void {
    if (this.advertiseQueue.length >= MAX_QUEUED_ADVERTISING) {
      this.send({ type: 'advertising', started: false, message: 'too many advertising requests waiting' });
      return;
    }
    this.advertiseQueue.push({ advertisingData, scanResponse });
    if (!this.advertiseBusy) this.nextAdvertisement();
  }

  private nextAdvertisement(): void {
    const request = this.advertiseQueue.shift();
    if (!request) return;
    this.advertiseBusy = true;
    let answered = false;
    const done = (error?: Error | null): void => {
      if (answered) return;
      answered = true;
      timer.cancel();
      this.advertiseBusy = false;
      this.send({ type: 'advertising', started: !error, message: error ? error.message : '' });
      this.nextAdvertisement();
    };
    // bleno forgets a start it was interrupted in (a stop meanwhile): do not wait forever.
    const timer = this.clock.schedule(ADVERTISING_TIMEOUT_MS, () => done(new Error(`no answer from bleno within ${ADVERTISING_TIMEOUT_MS} ms`)));
    try {
      this.bleno.startAdvertisingWithEIRData(Buffer.from(request.advertisingData), Buffer.from(request.scanResponse), done);
    } catch (error) {
      done(error instanceof Error ? error : new Error(String(error)));
    }
  }

  /** Rebuilds bleno's attribute table, carries subscriptions over where handles held, and announces Service Changed. */
  private rebuild(services: WireService[]): void {
    const before = blenoValueHandles(this.bleno);
    this.bleno.setServices(services.map((s) => this.buildService(s)));
    for (const { key, outcome, connection, service, characteristic } of carrySubscriptions(this.bleno, services, this.subscriptions.keys(), before)) {
      if (outcome === 'kept') continue;
      this.subscriptions.delete(key);
      // A withdrawn service's subscriptions are already gone at the parent; a moved one ends there now.
      if (outcome === 'moved' && this.connections.get(connection)?.closing === false) {
        this.send({ type: 'subscribe', connection, service, characteristic, enabled: false });
      }
    }
    this.serviceChanged.rebuilt();
  }

  private buildService(service: WireService): BlenoService {
    const serviceUuid = service.uuid;
    const characteristics = service.characteristics.map((c): BlenoCharacteristic => {
      const secure = c.security === 'open' ? [] : c.properties.filter((p) => p === 'notify' || p === 'indicate');
      const key = (handle: number): string => `${handle}|${serviceUuid}|${c.uuid}`;
      return new this.lib.Characteristic({
        uuid: toLibraryUuid(c.uuid),
        properties: c.properties,
        secure,
        onReadRequest: (handle, offset, callback) => this.onRead(Number(handle), offset, serviceUuid, c.uuid, key(Number(handle)), callback),
        onWriteRequest: (handle, data, offset, withoutResponse, callback) =>
          this.onWrite(Number(handle), data, offset, withoutResponse, serviceUuid, c.uuid, callback),
        onSubscribe: (handle, maxValueSize, update) => this.onSubscribe(Number(handle), maxValueSize, update, serviceUuid, c.uuid, key(Number(handle))),
        onUnsubscribe: (handle) => this.onUnsubscribe(Number(handle), serviceUuid, c.uuid, key(Number(handle))),
      });
    });
    return new this.lib.PrimaryService({ uuid: toLibraryUuid(serviceUuid), characteristics });
  }

  private onRead(
    connection: number,
    offset: number,
    service: string,
    characteristic: string,
    key: string,
    callback: (result: number, data?: Buffer) => void,
  ): void {
    const reply = (value: Uint8Array): void => {
      if (offset > value.length) callback(AttErrorCode.InvalidOffset);
      else callback(0, Buffer.from(value.subarray(offset)));
    };
    const cached = offset > 0 ? this.readCache.get(key) : undefined;
    if (cached) {
      reply(cached);
      return;
    }
    const requestId = this.request(connection, (attCode, value) => {
      if (attCode !== 0) {
        callback(attCode);
        return;
      }
      this.readCache.set(key, value);
      reply(value);
    }, callback);
    this.send({ type: 'read', requestId, connection, service, characteristic });
  }

  private onWrite(
    connection: number,
    data: Buffer,
    offset: number,
    withoutResponse: boolean,
    service: string,
    characteristic: string,
    callback: (result: number) => void,
  ): void {
    if (offset !== 0 || data.length > MAX_VALUE_BYTES) {
      // Our PC side never sends long writes; refuse what the parent cannot be told about.
      if (!withoutResponse) callback(offset !== 0 ? AttErrorCode.InvalidOffset : AttErrorCode.InvalidAttributeValueLength);
      return;
    }
    const value = toHex(data);
    if (withoutResponse) {
      this.send({ type: 'write', requestId: 0, connection, service, characteristic, value, withResponse: false });
      return;
    }
    const requestId = this.request(connection, (attCode) => callback(attCode), callback);
    this.send({ type: 'write', requestId, connection, service, characteristic, value, withResponse: true });
  }

  private onSubscribe(connection: number, maxValueSize: number, update: UpdateValue, service: string, characteristic: string, key: string): void {
    this.subscriptions.set(key, update);
    const state = this.connections.get(connection);
    // bleno offers MTU-3 here; it is the connection's MTU even when the probe for it failed.
    if (state && maxValueSize + 3 !== state.mtu && maxValueSize + 3 >= 23) {
      state.mtu = maxValueSize + 3;
      this.send({ type: 'mtu', connection, mtu: state.mtu });
    }
    this.send({ type: 'subscribe', connection, service, characteristic, enabled: true });
  }

  private onUnsubscribe(connection: number, service: string, characteristic: string, key: string): void {
    this.subscriptions.delete(key);
    // bleno unsubscribes everything when a link ends; the parent learns that from the disconnect.
    if (this.connections.get(connection)?.closing ?? true) return;
    this.send({ type: 'subscribe', connection, service, characteristic, enabled: false });
  }

  private notify(notifyId: number, connection: number, key: string, value: Uint8Array): void {
    const update = this.subscriptions.get(key);
    const state = this.connections.get(connection);
    if (!update || !state || state.closing) {
      this.send({ type: 'notified', notifyId, sent: false, message: state ? 'not subscribed' : 'not connected' });
      return;
    }
    try {
      update(Buffer.from(value));
      this.send({ type: 'notified', notifyId, sent: true, message: '' });
    } catch (error) {
      this.send({ type: 'notified', notifyId, sent: false, message: error instanceof Error ? error.message : String(error) });
    }
  }

  private onAccept(address: string, handle: number | string): void {
    const connection = Number(handle);
    let peer: string;
    try {
      peer = normalizeAddress(address);
    } catch {
      this.send({ type: 'problem', code: 'link.bad-address', message: `bleno accepted a link from ${address}`, fatal: false });
      return;
    }
    this.connections.set(connection, { address: peer, mtu: 23, closing: false });
    this.disconnectReasons.delete(connection);
    if (!repairBlenoSmp(this.bleno, connection) && !this.smpWarned) {
      this.smpWarned = true;
      this.send({ type: 'problem', code: 'link.bleno-smp', message: "could not repair bleno's SMP listener: pairing requests will go unanswered", fatal: false });
    }
    this.send({ type: 'connect', connection, address: peer });
  }

  private onDisconnect(handle: number | string): void {
    const connection = Number(handle);
    const state = this.connections.get(connection);
    if (!state) return;
    this.connections.delete(connection);
    const reason = this.disconnectReasons.get(connection) ?? UNKNOWN_DISCONNECT_REASON;
    this.disconnectReasons.delete(connection);
    for (const [id, request] of this.pending) {
      // bleno's answer callbacks fail once the link is gone, so these are dropped, not answered.
      if (request.connection !== connection) continue;
      request.timer.cancel();
      this.pending.delete(id);
    }
    this.serviceChanged.drop(connection);
    const prefix = `${connection}|`;
    for (const key of [...this.subscriptions.keys()]) if (key.startsWith(prefix)) this.subscriptions.delete(key);
    for (const key of [...this.readCache.keys()]) if (key.startsWith(prefix)) this.readCache.delete(key);
    this.send({ type: 'disconnect', connection, address: state.address, reason });
  }

  private onMtuChange(): void {
    for (const [connection, state] of this.connections) {
      const mtu = blenoConnectionMtu(this.bleno, connection) ?? (this.connections.size === 1 ? this.bleno.mtu : undefined);
      if (mtu === undefined || mtu === state.mtu || mtu < 23 || mtu > 517) continue;
      state.mtu = mtu;
      this.send({ type: 'mtu', connection, mtu });
    }
  }

  /** Registers a request waiting for the parent; the timeout answers Unlikely Error. */
  private request(connection: number, answer: (attCode: number, value: Uint8Array) => void, fallback: (attCode: number) => void): number {
    const requestId = this.nextRequestId;
    this.nextRequestId = this.nextRequestId >= MAX_MESSAGE_ID ? 1 : this.nextRequestId + 1;
    const timer = this.clock.schedule(this.options.requestTimeoutMs, () => {
      if (!this.pending.delete(requestId)) return;
      fallback(AttErrorCode.UnlikelyError);
    });
    this.pending.set(requestId, { connection, timer, answer });
    return requestId;
  }

  private fail(code: string, message: string): void {
    this.send({ type: 'problem', code, message, fatal: true });
    this.shutdown(1);
  }
}
