/**
 * The PC's GATT client on one noble connection. Calls run one at a time from
 * a bounded queue (noble keeps one callback per kind of call, and one at a
 * time lets an ATT error be pinned on the call that caused it). UUIDs are
 * looked up lazily: a read, write or subscribe on a characteristic not yet
 * discovered discovers its service first, so callers need not.
 *
 * How noble's behaviour maps onto the seam:
 * - exchangeMtu: noble exchanges MTU itself right after connecting, offering
 *   the central's `maxMtu`; this waits for that result and returns it. The
 *   offer given here cannot change it afterwards.
 * - ATT errors: noble drops their codes; the ATT tap (noble-att-tap.ts) sees
 *   the Error Response and the call rejects with AttError(code). Without the
 *   tap, a refused write or subscribe times out instead.
 * - Insufficient Authentication/Authorization/Encryption on an unencrypted
 *   link: noble pairs by itself (Just Works) and repeats the request, so the
 *   call succeeds after pairing instead of rejecting; if pairing fails the
 *   call rejects with AttError(code) and the link is dropped (noble's ATT
 *   queue cannot move past it).
 * - A call with no answer within `requestTimeoutMs` (30 s, as ATT's own
 *   transaction timeout) rejects with `link.att-timeout` and drops the link.
 * - While the connection pairs or encrypts on request, calls wait
 *   (`hold`/`release`), so noble never has a request to repeat.
 * - Service Changed is not followed by noble: `servicesChanged` never fires.
 */
import type { Characteristic, Peripheral, Service } from '@stoprocent/noble';
import { CharacteristicProperty, DiscoveredCharacteristic, GattClient, GattClientEvents, Uuid } from '../../ble';
import { AttErrorCode } from '../../att-codes';
import { Clock, Timer } from '../../clock';
import { AttError, DisconnectedError, LinkError, QueueFullError } from '../../errors';
import { ATT_DEFAULT_MTU } from '../../link-model';
import { Emitter } from '../../../util/emitter';
import { fromLibraryUuid, toLibraryUuid, tryFromLibraryUuid } from './uuid-form';

/** Calls waiting behind the one in progress. */
export const MAX_QUEUED_CALLS = 256;

/** ATT request opcodes, to tell whose Error Response is whose. */
const ATT_READ_BY_TYPE_REQ = 0x08;
const ATT_READ_REQ = 0x0a;
const ATT_READ_BLOB_REQ = 0x0c;
const ATT_WRITE_REQ = 0x12;

/** Security refusals noble answers by pairing on its own. */
const PAIRING_TRIGGERS: ReadonlySet<number> = new Set([
  AttErrorCode.InsufficientAuthentication,
  AttErrorCode.InsufficientAuthorization,
  AttErrorCode.InsufficientEncryption,
]);

const PROPERTIES: ReadonlySet<string> = new Set<CharacteristicProperty>(['read', 'write', 'writeWithoutResponse', 'notify', 'indicate']);

/** What the client needs from the connection it runs on. */
export interface GattClientLink {
  readonly peripheral: Peripheral;
  readonly clock: Clock;
  readonly requestTimeoutMs: number;
  readonly isOpen: boolean;
  readonly encrypted: boolean;
  disconnectedError(): DisconnectedError;
  /** noble's ATT queue can no longer make progress: the link must go. */
  abandon(reason: string): void;
  /** The server refused on security grounds on an unencrypted link: noble is pairing now. */
  pairingStarted(attCode: number): void;
  /** A notification listener threw; the error goes here instead of escaping into noble. */
  reportHandlerError(error: unknown, characteristic: Uuid | undefined): void;
}

type Done<T> = (outcome: LinkError | { value: T }) => void;

interface Call {
  /** Request opcodes whose Error Responses belong to this call; empty for discovery. */
  readonly requests: readonly number[];
  /** An Error Response for this call was seen (cleared when noble repeats the request after pairing). */
  attCode?: number;
  /** Starts the call; `claim` is true while the call is still the one in progress. */
  start(claim: () => boolean): void;
  fail(error: LinkError): void;
}

export class NobleGattClient implements GattClient {
  readonly events = new Emitter<GattClientEvents>();
  private readonly queue: Call[] = [];
  private current: { call: Call; timer: Timer; done: boolean } | undefined;
  private readonly services = new Map<Uuid, Service>();
  private readonly characteristics = new Map<string, Characteristic>();
  private readonly listeners = new Map<string, { characteristic: Characteristic; handler: (data: Buffer, isNotification: boolean) => void }>();
  private ended = false;
  private holds = 0;
  private readonly idleWaiters: (() => void)[] = [];
  private negotiated: number | undefined;
  private readonly mtuWaiters = new Set<{ settle(mtu: number | undefined): void }>();
  private readonly onMtu = (mtu: unknown): void => {
    if (typeof mtu !== 'number' || !Number.isInteger(mtu)) return;
    this.negotiated = Math.max(ATT_DEFAULT_MTU, mtu);
    for (const waiter of [...this.mtuWaiters]) waiter.settle(this.negotiated);
  };

  constructor(private readonly link: GattClientLink) {
    this.events.onListenerError = (error) => link.reportHandlerError(error, undefined);
    // The Peripheral object outlives connections, and so does its `mtu`: only this connection's exchange counts.
    link.peripheral.on('mtu', this.onMtu);
  }

  /** The MTU in force: 23 until noble's own exchange on this connection has finished. */
  get mtu(): number {
    return this.negotiated ?? ATT_DEFAULT_MTU;
  }

  /** Resolves to the MTU noble negotiated on connecting (see the header). */
  exchangeMtu(clientRxMtu: number): Promise<number> {
    if (!Number.isInteger(clientRxMtu)) return Promise.reject(new LinkError('link.bad-argument', `MTU ${clientRxMtu} is not an integer`));
    if (!this.link.isOpen) return Promise.reject(this.link.disconnectedError());
    if (this.negotiated !== undefined) return Promise.resolve(this.negotiated);
    return new Promise<number>((resolve, reject) => {
      const waiter = {
        settle: (mtu: number | undefined): void => {
          timer.cancel();
          this.mtuWaiters.delete(waiter);
          if (mtu === undefined) reject(this.link.disconnectedError());
          else resolve(mtu);
        },
      };
      // noble gives up on an exchange the server refuses without saying so: the default applies then.
      const timer = this.link.clock.schedule(this.link.requestTimeoutMs, () => waiter.settle(this.link.isOpen ? this.mtu : undefined));
      this.mtuWaiters.add(waiter);
    });
  }

  discoverServices(): Promise<Uuid[]> {
    return this.call<Uuid[]>([], (done) => {
      this.link.peripheral.discoverServices([], (error, services) => {
        if (error) return done(new LinkError('link.discovery-failed', String(error)));
        const uuids: Uuid[] = [];
        for (const service of services ?? []) {
          const uuid = tryFromLibraryUuid(service.uuid);
          if (!uuid || uuids.includes(uuid)) continue;
          uuids.push(uuid);
          this.services.set(uuid, service);
        }
        done({ value: uuids });
      });
    });
  }

  async discoverCharacteristics(service: Uuid): Promise<DiscoveredCharacteristic[]> {
    const serviceUuid = canonical(service);
    if (!this.services.has(serviceUuid)) await this.discoverServices();
    const found = this.services.get(serviceUuid);
    if (!found) throw new AttError(AttErrorCode.AttributeNotFound, `service ${serviceUuid} not found`);
    return this.call<DiscoveredCharacteristic[]>([], (done) => {
      found.discoverCharacteristics([], (error, characteristics) => {
        if (error) return done(new LinkError('link.discovery-failed', String(error)));
        const list: DiscoveredCharacteristic[] = [];
        for (const c of characteristics ?? []) {
          const uuid = tryFromLibraryUuid(c.uuid);
          if (!uuid) continue;
          this.characteristics.set(`${serviceUuid}|${uuid}`, c);
          list.push({ uuid, properties: c.properties.filter((p): p is CharacteristicProperty => PROPERTIES.has(p)) });
        }
        done({ value: list });
      });
    });
  }

  async read(service: Uuid, characteristic: Uuid): Promise<Uint8Array> {
    const target = await this.lookup(service, characteristic);
    return this.call<Uint8Array>([ATT_READ_REQ, ATT_READ_BLOB_REQ], (done, call) => {
      target.read((error, data) => {
        if (call.attCode !== undefined) return done(new AttError(call.attCode));
        if (error) return done(new LinkError('link.read-failed', String(error)));
        done({ value: new Uint8Array(data ?? new Uint8Array(0)) });
      });
    });
  }

  async write(service: Uuid, characteristic: Uuid, value: Uint8Array, withResponse = true): Promise<void> {
    const max = this.mtu - 3;
    if (value.length > max) throw new LinkError('link.value-too-long', `write of ${value.length} bytes exceeds MTU-3 = ${max}`);
    const target = await this.lookup(service, characteristic);
    const data = Buffer.from(value);
    return this.call<void>(withResponse ? [ATT_WRITE_REQ] : [], (done) => {
      target.write(data, !withResponse, (error) => {
        if (error) return done(new LinkError('link.write-failed', String(error)));
        done({ value: undefined });
      });
    });
  }

  async subscribe(service: Uuid, characteristic: Uuid, listener: (value: Uint8Array) => void): Promise<void> {
    const key = `${canonical(service)}|${canonical(characteristic)}`;
    const target = await this.lookup(service, characteristic);
    this.removeListener(key);
    // Listen from the moment the CCCD write goes out: values may follow its response closely.
    const handler = (data: Buffer, isNotification: boolean): void => {
      if (!isNotification) return;
      try {
        listener(new Uint8Array(data));
      } catch (error) {
        this.link.reportHandlerError(error, canonical(characteristic));
      }
    };
    target.on('data', handler);
    this.listeners.set(key, { characteristic: target, handler });
    try {
      await this.call<void>([ATT_READ_BY_TYPE_REQ, ATT_WRITE_REQ], (done) => {
        target.subscribe((error) => done(error ? new LinkError('link.subscribe-failed', String(error)) : { value: undefined }));
      });
    } catch (error) {
      if (this.listeners.get(key)?.handler === handler) this.removeListener(key);
      throw error;
    }
  }

  async unsubscribe(service: Uuid, characteristic: Uuid): Promise<void> {
    const key = `${canonical(service)}|${canonical(characteristic)}`;
    this.removeListener(key);
    const target = await this.lookup(service, characteristic);
    return this.call<void>([ATT_READ_BY_TYPE_REQ, ATT_WRITE_REQ], (done) => {
      target.unsubscribe((error) => done(error ? new LinkError('link.subscribe-failed', String(error)) : { value: undefined }));
    });
  }

  // ---- used by the connection ----

  /** An ATT Error Response arrived (from the tap, before noble handles it). */
  onErrorResponse(requestOpcode: number, attCode: number): void {
    const current = this.current;
    if (!current || current.done || !current.call.requests.includes(requestOpcode)) return;
    if (PAIRING_TRIGGERS.has(attCode) && !this.link.encrypted) {
      // noble pairs now and repeats the request when the link is encrypted.
      current.call.attCode = attCode;
      this.link.pairingStarted(attCode);
      return;
    }
    current.call.attCode = attCode;
    if (attCode === AttErrorCode.InvalidPdu) {
      // noble swallows this one and waits forever for another answer.
      this.failCurrent(new AttError(attCode));
      this.link.abandon('noble ignored an Invalid PDU error and its ATT queue is stuck');
      return;
    }
    // A read completes (with no data) in noble's own handling of this PDU, just after us; anything else never completes.
    queueMicrotask(() => {
      if (this.current === current && !current.done) this.failCurrent(new AttError(attCode));
    });
  }

  /** Noble's pairing succeeded; the refused request is being repeated. */
  onEncrypted(): void {
    if (this.current) delete this.current.call.attCode;
  }

  /** Resolves once no call is in flight; no new call starts until release(). For pairing on request. */
  hold(): Promise<void> {
    this.holds++;
    if (!this.current) return Promise.resolve();
    return new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  release(): void {
    if (this.holds > 0) this.holds--;
    this.pump();
  }

  /** Fails the call in progress (pairing failed, or its answer will never come). */
  failCurrent(error: LinkError): void {
    const current = this.current;
    if (!current || current.done) return;
    current.done = true;
    current.timer.cancel();
    this.current = undefined;
    current.call.fail(error);
    this.pump();
  }

  /** The link went down: every pending call rejects. */
  end(reason: number): void {
    if (this.ended) return;
    this.ended = true;
    const error = new DisconnectedError(reason);
    this.link.peripheral.removeListener('mtu', this.onMtu);
    for (const waiter of [...this.mtuWaiters]) waiter.settle(undefined);
    for (const key of [...this.listeners.keys()]) this.removeListener(key);
    const current = this.current;
    this.current = undefined;
    if (current && !current.done) {
      current.done = true;
      current.timer.cancel();
      current.call.fail(error);
    }
    for (const call of this.queue.splice(0)) call.fail(error);
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  // ---- internals ----

  /** Queues a call; it runs when every earlier one has finished. */
  private call<T>(requests: readonly number[], run: (done: Done<T>, call: Call) => void): Promise<T> {
    if (!this.link.isOpen || this.ended) return Promise.reject(this.link.disconnectedError());
    if (this.queue.length >= MAX_QUEUED_CALLS) return Promise.reject(new QueueFullError('GATT call', MAX_QUEUED_CALLS));
    return new Promise<T>((resolve, reject) => {
      const call: Call = {
        requests,
        fail: reject,
        start: (claim) =>
          run((outcome) => {
            if (!claim()) return;
            if (outcome instanceof LinkError) reject(outcome);
            else resolve(outcome.value);
            this.pump();
          }, call),
      };
      this.queue.push(call);
      this.pump();
    });
  }

  /** Starts the next call when none is in progress. */
  private pump(): void {
    if (!this.current) for (const resolve of this.idleWaiters.splice(0)) resolve();
    while (!this.current && this.holds === 0 && this.link.isOpen && !this.ended) {
      const call = this.queue.shift();
      if (!call) return;
      const current = {
        call,
        done: false,
        timer: this.link.clock.schedule(this.link.requestTimeoutMs, () => {
          if (this.current !== current || current.done) return;
          this.failCurrent(new LinkError('link.att-timeout', `no ATT answer within ${this.link.requestTimeoutMs} ms`));
          this.link.abandon('an ATT request went unanswered');
        }),
      };
      this.current = current;
      const claim = (): boolean => {
        if (current.done) return false;
        current.done = true;
        current.timer.cancel();
        if (this.current === current) this.current = undefined;
        return true;
      };
      try {
        call.start(claim);
      } catch (error) {
        if (claim()) call.fail(new LinkError('link.noble-error', error instanceof Error ? error.message : String(error)));
      }
    }
  }

  /** The noble characteristic for a UUID pair, discovering its service if needed. */
  private async lookup(service: Uuid, characteristic: Uuid): Promise<Characteristic> {
    const s = canonical(service);
    const key = `${s}|${canonical(characteristic)}`;
    let found = this.characteristics.get(key);
    if (!found) {
      await this.discoverCharacteristics(s);
      found = this.characteristics.get(key);
    }
    if (!found) throw new AttError(AttErrorCode.AttributeNotFound, `characteristic ${canonical(characteristic)} not found in ${s}`);
    return found;
  }

  private removeListener(key: string): void {
    const entry = this.listeners.get(key);
    if (!entry) return;
    this.listeners.delete(key);
    entry.characteristic.removeListener('data', entry.handler);
  }
}

/** Our canonical form of a caller's UUID; LinkError `link.bad-argument` when it is not one. */
function canonical(uuid: string): Uuid {
  try {
    return fromLibraryUuid(toLibraryUuid(uuid));
  } catch {
    throw new LinkError('link.bad-argument', `not a UUID: ${uuid}`);
  }
}
