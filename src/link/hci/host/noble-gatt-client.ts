/**
 * The PC's GATT client on one noble connection. Calls run one at a time
 * from a bounded queue (noble-call-queue.ts, which also maps ATT errors,
 * noble's own pairing and timeouts onto the seam's errors). UUIDs are
 * looked up lazily: a read, write or subscribe on a characteristic not yet
 * discovered discovers its service first, so callers need not.
 *
 * How noble's behaviour maps onto the seam:
 * - exchangeMtu: noble exchanges MTU itself right after connecting, offering
 *   the central's `maxMtu`; this waits for that result and returns it. The
 *   offer given here cannot change it afterwards.
 * - Rediscovery: noble replaces its Service and Characteristic objects on
 *   every discovery, and calls on the replaced ones never complete. So a
 *   service discovery forgets every characteristic found before it (here and
 *   in noble's GATT layer, noble-gatt-cache.ts), and a call whose
 *   characteristic was replaced before it could start looks it up again.
 *   Notifications are routed by value handle (noble-notifications.ts), so
 *   subscriptions survive a rediscovery.
 * - Service Changed: noble neither subscribes to it nor reports it. The
 *   first service discovery that finds GATT (0x1801) also subscribes to its
 *   Service Changed characteristic. Each indication (noble confirms it)
 *   forgets every service, characteristic and subscription, since any
 *   handle may have moved, then emits `servicesChanged`; the next call
 *   discovers afresh, and one on a characteristic that is gone rejects with
 *   AttError Attribute Not Found. Subscribers must subscribe again.
 */
import type { Characteristic, Peripheral, Service } from '@stoprocent/noble';
import { CharacteristicProperty, DiscoveredCharacteristic, GattClient, GattClientEvents, Uuid } from '../../ble';
import { AttErrorCode } from '../../att-codes';
import { AttError, DisconnectedError, LinkError } from '../../errors';
import { ATT_DEFAULT_MTU } from '../../link-model';
import { Emitter } from '../../../util/emitter';
import { Call, CallQueueLink, Done, GattCallQueue } from './noble-call-queue';
import { NotificationRouter, Route } from './noble-notifications';
import { fromLibraryUuid, toLibraryUuid, tryFromLibraryUuid } from './uuid-form';

export { MAX_QUEUED_CALLS } from './noble-call-queue';

/** Lookups one call may make when its characteristic keeps being replaced before it starts. */
export const MAX_LOOKUPS_PER_CALL = 3;

/** The GATT service and its Service Changed characteristic. */
export const GATT_SERVICE_UUID = '1801';
export const SERVICE_CHANGED_UUID = '2A05';

/** ATT request opcodes, to tell whose Error Response is whose. */
const ATT_READ_BY_TYPE_REQ = 0x08;
const ATT_READ_REQ = 0x0a;
const ATT_READ_BLOB_REQ = 0x0c;
const ATT_WRITE_REQ = 0x12;

const PROPERTIES: ReadonlySet<string> = new Set<CharacteristicProperty>(['read', 'write', 'writeWithoutResponse', 'notify', 'indicate']);

/** What the client needs from the connection it runs on (the call queue's needs included). */
export interface GattClientLink extends CallQueueLink {
  readonly peripheral: Peripheral;
  /** A notification listener threw; the error goes here instead of escaping into noble. */
  reportHandlerError(error: unknown, characteristic: Uuid | undefined): void;
  /** Drops noble's own records of characteristics, and of the services not named (library form). */
  forgetAttributes(keepServices: readonly string[]): void;
}

/** A characteristic as last discovered. */
interface Found {
  readonly characteristic: Characteristic;
  /** From noble's raw discovery results; undefined when noble did not say. */
  readonly valueHandle: number | undefined;
}

/** A call's characteristic was replaced by a rediscovery before the call could start. */
class StaleCharacteristicError extends LinkError {
  constructor(characteristic: Uuid) {
    super('link.services-changed', `${characteristic} was rediscovered or withdrawn while the call waited; discover again`);
  }
}


export class NobleGattClient implements GattClient {
  readonly events = new Emitter<GattClientEvents>();
  private readonly calls: GattCallQueue;
  private readonly services = new Map<Uuid, Service>();
  private readonly characteristics = new Map<string, Found>();
  private readonly router: NotificationRouter;
  /** Set while the Service Changed subscription is being made. */
  private watching: Promise<void> | undefined;
  /** The server refused the Service Changed subscription: not asked again on this link. */
  private watchRefused = false;
  private ended = false;
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
    this.calls = new GattCallQueue(link);
    this.router = new NotificationRouter(link.peripheral, {
      serviceChanged: () => this.onServiceChanged(),
      listenerError: (error, characteristic) => link.reportHandlerError(error, characteristic),
    });
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

  /**
   * Primary service discovery (always over the air). Forgets the
   * characteristics found before; the first discovery that finds GATT also
   * subscribes to Service Changed before resolving.
   */
  async discoverServices(): Promise<Uuid[]> {
    const uuids = await this.discoverServiceList();
    if (uuids.includes(GATT_SERVICE_UUID)) await this.watchServiceChanged();
    return uuids;
  }

  async discoverCharacteristics(service: Uuid): Promise<DiscoveredCharacteristic[]> {
    return this.discoverCharacteristicsIn(canonical(service), () => this.discoverServices());
  }

  read(service: Uuid, characteristic: Uuid): Promise<Uint8Array> {
    return this.onCharacteristic<Uint8Array>(service, characteristic, [ATT_READ_REQ, ATT_READ_BLOB_REQ], (found, done, call) => {
      found.characteristic.read((error, data) => {
        if (call.attCode !== undefined) return done(new AttError(call.attCode));
        if (error) return done(new LinkError('link.read-failed', String(error)));
        done({ value: new Uint8Array(data ?? new Uint8Array(0)) });
      });
    });
  }

  async write(service: Uuid, characteristic: Uuid, value: Uint8Array, withResponse = true): Promise<void> {
    const max = this.mtu - 3;
    if (value.length > max) throw new LinkError('link.value-too-long', `write of ${value.length} bytes exceeds MTU-3 = ${max}`);
    const data = Buffer.from(value);
    return this.onCharacteristic<void>(service, characteristic, withResponse ? [ATT_WRITE_REQ] : [], (found, done) => {
      found.characteristic.write(data, !withResponse, (error) => {
        if (error) return done(new LinkError('link.write-failed', String(error)));
        done({ value: undefined });
      });
    });
  }

  async subscribe(service: Uuid, characteristic: Uuid, listener: (value: Uint8Array) => void): Promise<void> {
    const key = `${canonical(service)}|${canonical(characteristic)}`;
    this.router.remove(key);
    let route: Route | undefined;
    try {
      await this.onCharacteristic<void>(service, characteristic, [ATT_READ_BY_TYPE_REQ, ATT_WRITE_REQ], (found, done) => {
        // Listen from the moment the CCCD write goes out: values may follow its response closely.
        route = this.router.add(key, canonical(characteristic), found.characteristic, found.valueHandle, listener);
        found.characteristic.subscribe((error) => done(error ? new LinkError('link.subscribe-failed', String(error)) : { value: undefined }));
      });
    } catch (error) {
      if (route) this.router.remove(key, route);
      throw error;
    }
  }

  async unsubscribe(service: Uuid, characteristic: Uuid): Promise<void> {
    const key = `${canonical(service)}|${canonical(characteristic)}`;
    this.router.remove(key);
    return this.onCharacteristic<void>(service, characteristic, [ATT_READ_BY_TYPE_REQ, ATT_WRITE_REQ], (found, done) => {
      found.characteristic.unsubscribe((error) => done(error ? new LinkError('link.subscribe-failed', String(error)) : { value: undefined }));
    });
  }

  /** True once the server's Service Changed indications reach this client. */
  get followsServiceChanged(): boolean {
    return this.router.watchingServiceChanged;
  }

  // ---- used by the connection ----

  /** An ATT Error Response arrived (from the tap, before noble handles it). */
  onErrorResponse(requestOpcode: number, attCode: number): void {
    this.calls.onErrorResponse(requestOpcode, attCode);
  }

  /** Noble's pairing succeeded; the refused request is being repeated. */
  onEncrypted(): void {
    this.calls.onEncrypted();
  }

  /** Resolves once no call is in flight; no new call starts until release(). For pairing on request. */
  hold(): Promise<void> {
    return this.calls.hold();
  }

  release(): void {
    this.calls.release();
  }

  /** Fails the call in progress (pairing failed, or its answer will never come). */
  failCurrent(error: LinkError): void {
    this.calls.failCurrent(error);
  }

  /** The link went down: every pending call rejects. */
  end(reason: number): void {
    if (this.ended) return;
    this.ended = true;
    this.link.peripheral.removeListener('mtu', this.onMtu);
    for (const waiter of [...this.mtuWaiters]) waiter.settle(undefined);
    this.router.detach();
    this.calls.end(new DisconnectedError(reason));
  }

  // ---- internals ----

  /** Queues a call; it runs when every earlier one has finished. */
  private call<T>(requests: readonly number[], run: (done: Done<T>, call: Call) => void): Promise<T> {
    if (!this.link.isOpen || this.ended) return Promise.reject(this.link.disconnectedError());
    return this.calls.call(requests, run);
  }

  /**
   * Runs a call on a characteristic, discovering it when needed. When a
   * rediscovery or Service Changed replaced the characteristic before the
   * call could start, it is looked up again (at most MAX_LOOKUPS_PER_CALL
   * times), so a characteristic that is gone ends in Attribute Not Found.
   */
  private async onCharacteristic<T>(service: Uuid, characteristic: Uuid, requests: readonly number[], run: (found: Found, done: Done<T>, call: Call) => void): Promise<T> {
    const key = `${canonical(service)}|${canonical(characteristic)}`;
    for (let attempt = 1; ; attempt++) {
      const found = await this.lookup(service, characteristic);
      try {
        return await this.call<T>(requests, (done, call) => {
          if (this.characteristics.get(key) !== found) return done(new StaleCharacteristicError(canonical(characteristic)));
          run(found, done, call);
        });
      } catch (error) {
        if (!(error instanceof StaleCharacteristicError) || attempt >= MAX_LOOKUPS_PER_CALL) throw error;
      }
    }
  }

  /** Primary service discovery as a queued call; noble's earlier objects (and ours) are forgotten. */
  private discoverServiceList(): Promise<Uuid[]> {
    return this.call<Uuid[]>([], (done) => {
      this.link.peripheral.discoverServices([], (error, services) => {
        if (error) return done(new LinkError('link.discovery-failed', String(error)));
        // noble has just replaced its Service and Characteristic objects: only these are current.
        this.services.clear();
        this.characteristics.clear();
        const uuids: Uuid[] = [];
        const libraryForms: string[] = [];
        for (const service of services ?? []) {
          const uuid = tryFromLibraryUuid(service.uuid);
          if (!uuid || uuids.includes(uuid)) continue;
          uuids.push(uuid);
          libraryForms.push(service.uuid);
          this.services.set(uuid, service);
        }
        this.link.forgetAttributes(libraryForms);
        done({ value: uuids });
      });
    });
  }

  /** Characteristic discovery in one service; `discover` finds the services first when needed. */
  private async discoverCharacteristicsIn(serviceUuid: Uuid, discover: () => Promise<Uuid[]>): Promise<DiscoveredCharacteristic[]> {
    for (let attempt = 1; ; attempt++) {
      if (!this.services.has(serviceUuid)) await discover();
      if (!this.services.has(serviceUuid)) throw new AttError(AttErrorCode.AttributeNotFound, `service ${serviceUuid} not found`);
      try {
        return await this.call<DiscoveredCharacteristic[]>([], (done) => this.runDiscoverCharacteristics(serviceUuid, done));
      } catch (error) {
        if (!(error instanceof StaleCharacteristicError) || attempt >= MAX_LOOKUPS_PER_CALL) throw error;
      }
    }
  }

  /** The body of a characteristic discovery, run as a queued call; the service is taken as it is now. */
  private runDiscoverCharacteristics(serviceUuid: Uuid, done: Done<DiscoveredCharacteristic[]>): void {
    const found = this.services.get(serviceUuid);
    if (!found) return done(new StaleCharacteristicError(serviceUuid));
    // noble's raw results (value handles included) come just before its answer.
    const handles = new Map<Uuid, number>();
    const onRaw = (raw: unknown): void => {
      if (!Array.isArray(raw)) return;
      for (const entry of raw as unknown[]) {
        const uuid = field(entry, 'uuid');
        const valueHandle = field(entry, 'valueHandle');
        const canonicalUuid = typeof uuid === 'string' ? tryFromLibraryUuid(uuid) : undefined;
        if (canonicalUuid && typeof valueHandle === 'number' && Number.isInteger(valueHandle)) handles.set(canonicalUuid, valueHandle);
      }
    };
    found.on('characteristicsDiscovered', onRaw);
    found.discoverCharacteristics([], (error, characteristics) => {
      found.removeListener('characteristicsDiscovered', onRaw);
      if (error) return done(new LinkError('link.discovery-failed', String(error)));
      // noble has replaced this service's Characteristic objects.
      for (const key of [...this.characteristics.keys()]) if (key.startsWith(`${serviceUuid}|`)) this.characteristics.delete(key);
      const list: DiscoveredCharacteristic[] = [];
      for (const c of characteristics ?? []) {
        const uuid = tryFromLibraryUuid(c.uuid);
        if (!uuid) continue;
        this.characteristics.set(`${serviceUuid}|${uuid}`, { characteristic: c, valueHandle: handles.get(uuid) });
        list.push({ uuid, properties: c.properties.filter((p): p is CharacteristicProperty => PROPERTIES.has(p)) });
      }
      done({ value: list });
    });
  }

  /**
   * Subscribes to the server's Service Changed indications, once per link
   * (concurrent discoveries share the attempt). A server without it, or one
   * that refuses, is not asked again; other failures are retried by the
   * next service discovery. Never rejects.
   */
  private watchServiceChanged(): Promise<void> {
    if (this.watching) return this.watching;
    if (this.router.watchingServiceChanged || this.watchRefused || this.ended) return Promise.resolve();
    const attempt = this.subscribeServiceChanged();
    this.watching = attempt;
    void attempt.finally(() => {
      if (this.watching === attempt) this.watching = undefined;
    });
    return attempt;
  }

  private async subscribeServiceChanged(): Promise<void> {
    const key = `${GATT_SERVICE_UUID}|${SERVICE_CHANGED_UUID}`;
    try {
      // Not through discoverServices: that waits for this very attempt.
      await this.discoverCharacteristicsIn(GATT_SERVICE_UUID, () => this.discoverServiceList());
      const found = this.characteristics.get(key);
      if (!found || found.valueHandle === undefined || !found.characteristic.properties.includes('indicate')) {
        this.watchRefused = true; // nothing to subscribe to, or no handle to know it by
        return;
      }
      // Watch before the CCCD write goes out, as for any subscription.
      this.router.watchServiceChanged(found.valueHandle);
      await this.call<void>([ATT_READ_BY_TYPE_REQ, ATT_WRITE_REQ], (done) => {
        if (this.characteristics.get(key) !== found) return done(new StaleCharacteristicError(SERVICE_CHANGED_UUID));
        found.characteristic.subscribe((error) => done(error ? new LinkError('link.subscribe-failed', String(error)) : { value: undefined }));
      });
    } catch (error) {
      this.router.watchServiceChanged(undefined);
      if (error instanceof AttError) this.watchRefused = true;
    }
  }

  /** Service Changed arrived: every handle may have moved, so forget them all, then tell listeners. */
  private onServiceChanged(): void {
    if (this.ended) return;
    this.services.clear();
    this.characteristics.clear();
    this.router.clear();
    this.link.forgetAttributes([]);
    // After noble has queued its confirmation, so the confirmation goes out before any rediscovery.
    queueMicrotask(() => {
      if (!this.ended) this.events.emit('servicesChanged');
    });
  }

  /** The characteristic for a UUID pair as last discovered, discovering its service if needed. */
  private async lookup(service: Uuid, characteristic: Uuid): Promise<Found> {
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
}

function field(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
}

/** Our canonical form of a caller's UUID; LinkError `link.bad-argument` when it is not one. */
function canonical(uuid: string): Uuid {
  try {
    return fromLibraryUuid(toLibraryUuid(uuid));
  } catch {
    throw new LinkError('link.bad-argument', `not a UUID: ${uuid}`);
  }
}
