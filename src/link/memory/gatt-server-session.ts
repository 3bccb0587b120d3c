/**
 * The phone's GATT server on one in-memory connection: answers the client's
 * ATT requests from the services the peripheral registered (enforcing
 * properties and security before any handler runs), tracks this peer's
 * subscriptions, queues notifications and Service Changed indications.
 * Handler failures become ATT Error Responses; nothing a handler throws
 * escapes into the link.
 */
import { AttSecurity, CharacteristicProperty, GattCharacteristicDefinition, GattPeer, Uuid, normalizeUuid } from '../ble';
import { AttErrorCode } from '../att-codes';
import { AttError, LinkError, QueueFullError } from '../errors';
import { negotiatedMtu } from '../link-model';
import type { MemoryLink } from './memory-link';
import { AttPdu, RequestPdu, ResponsePdu, UnsolicitedPdu } from './pdu';
import { GATT_MAX_ATTRIBUTE_LENGTH } from '../../limits';

/** The longest attribute value ATT allows. */
export const MAX_ATTRIBUTE_LENGTH = GATT_MAX_ATTRIBUTE_LENGTH;

/** A connected central as the phone's GATT server sees it. */
export class MemoryGattPeer implements GattPeer {
  constructor(private readonly link: MemoryLink) {}

  get address(): string {
    return this.link.central.address;
  }
  get connectionId(): number {
    return this.link.id;
  }
  get mtu(): number {
    return this.link.serverMtu;
  }
  get encrypted(): boolean {
    return this.link.isAttached && this.link.serverEncrypted;
  }
  get bonded(): boolean {
    return this.link.peripheral.bonds.has(this.link.central.address);
  }
  get connected(): boolean {
    return this.link.isAttached;
  }
}

type Outcome<T> = { ok: true; value: T } | { ok: false; attCode: number };

interface Subscription {
  service: Uuid;
  characteristic: Uuid;
}

const keyOf = (service: Uuid, characteristic: Uuid): string => `${service}|${characteristic}`;

export class GattServerSession {
  readonly peer: MemoryGattPeer;
  private readonly subscriptions = new Map<string, Subscription>();
  /** Notifications raised while a request is being answered go out after its response. */
  private deferred: UnsolicitedPdu[] | undefined;
  private readCache: { key: string; value: Uint8Array } | undefined;
  private mtuExchanged = false;
  private indicationOutstanding = false;
  private changedAgain = false;

  constructor(private readonly link: MemoryLink) {
    this.peer = new MemoryGattPeer(link);
  }

  /** An ATT PDU from the client arrived. */
  receive(pdu: AttPdu): void {
    switch (pdu.op) {
      case 'mtuReq':
      case 'servicesReq':
      case 'characteristicsReq':
      case 'readReq':
      case 'readBlobReq':
      case 'writeReq':
      case 'cccdWriteReq':
        this.answer(pdu);
        return;
      case 'writeCmd':
        this.onWriteCommand(pdu.service, pdu.characteristic, pdu.value);
        return;
      case 'confirmation':
        this.onConfirmation();
        return;
      default:
        // Responses and notifications never travel this way; ignore strays.
        return;
    }
  }

  isSubscribed(characteristic: Uuid): boolean {
    return this.subscriptionFor(characteristic) !== undefined;
  }

  /** Queues a notification; see GattServerHost.notify for the errors. */
  notify(characteristic: Uuid, value: Uint8Array): void {
    const subscription = this.subscriptionFor(characteristic);
    if (!subscription) {
      throw new LinkError('link.not-subscribed', `${this.peer.address} is not subscribed to ${characteristic}`);
    }
    const max = this.link.serverMtu - 3;
    if (value.length > max) {
      throw new LinkError('link.value-too-long', `notification of ${value.length} bytes exceeds MTU-3 = ${max}`);
    }
    const pdu: UnsolicitedPdu = { op: 'notification', ...subscription, value: value.slice() };
    if (this.deferred) {
      if (this.link.wouldOverflow('toCentral', this.deferred.length + 1)) {
        throw new QueueFullError(`connection ${this.link.id} peripheral transmit`, this.link.model.txQueueLimit);
      }
      this.deferred.push(pdu);
      return;
    }
    this.link.send('toCentral', pdu);
  }

  /** The peripheral's services changed: indicate Service Changed (coalesced until confirmed). */
  announceServiceChanged(): void {
    if (!this.link.isAttached) return;
    if (this.indicationOutstanding) {
      this.changedAgain = true;
      return;
    }
    this.indicationOutstanding = true;
    this.link.send('toCentral', { op: 'serviceChangedInd' }, { exempt: true });
  }

  /** A service went away: subscriptions to its characteristics end. */
  forgetService(service: Uuid): void {
    for (const [key, sub] of this.subscriptions) if (sub.service === service) this.subscriptions.delete(key);
  }

  /** The link ended: subscriptions and cached state go. */
  end(): void {
    this.subscriptions.clear();
    this.deferred = undefined;
    this.readCache = undefined;
  }

  private subscriptionFor(characteristic: Uuid): Subscription | undefined {
    let uuid: Uuid;
    try {
      uuid = normalizeUuid(characteristic);
    } catch {
      return undefined;
    }
    for (const sub of this.subscriptions.values()) if (sub.characteristic === uuid) return sub;
    return undefined;
  }

  private onConfirmation(): void {
    this.indicationOutstanding = false;
    if (this.changedAgain) {
      this.changedAgain = false;
      this.announceServiceChanged();
    }
  }

  /** Runs a request's handling, then queues its response ahead of any notifications it raised. */
  private answer(request: RequestPdu): void {
    this.deferred = [];
    let response: ResponsePdu;
    let deferred: UnsolicitedPdu[];
    try {
      response = this.handle(request);
    } finally {
      deferred = this.deferred ?? [];
      this.deferred = undefined;
    }
    if (!this.link.isAttached) return;
    this.link.send('toCentral', response, { exempt: true });
    // Room for these was checked when each was raised.
    for (const pdu of deferred) this.link.send('toCentral', pdu, { exempt: true });
  }

  private handle(request: RequestPdu): ResponsePdu {
    const fail = (attCode: number): ResponsePdu => ({ op: 'errorRsp', request: request.op, attCode });
    const peripheral = this.link.peripheral;
    switch (request.op) {
      case 'mtuReq': {
        if (!this.mtuExchanged) {
          this.mtuExchanged = true;
          this.link.serverMtu = negotiatedMtu(request.clientRxMtu, this.link.model.maxMtu);
          peripheral.events.emit('mtuChanged', this.peer, this.link.serverMtu);
        }
        return { op: 'mtuRsp', serverRxMtu: this.link.model.maxMtu };
      }
      case 'servicesReq':
        return { op: 'servicesRsp', services: peripheral.serviceUuids() };
      case 'characteristicsReq': {
        const characteristics = peripheral.characteristicsOf(request.service);
        if (!characteristics) return fail(AttErrorCode.AttributeNotFound);
        return {
          op: 'characteristicsRsp',
          characteristics: characteristics.map((c) => ({ uuid: c.uuid, properties: [...c.properties] })),
        };
      }
      case 'readReq':
      case 'readBlobReq': {
        const def = this.access(request.service, request.characteristic, 'read', AttErrorCode.ReadNotPermitted);
        if (typeof def === 'number') return fail(def);
        const key = keyOf(request.service, request.characteristic);
        let value: Uint8Array;
        if (request.op === 'readBlobReq' && this.readCache?.key === key) {
          value = this.readCache.value;
        } else {
          const read = this.readValue(request.characteristic, def);
          if (!read.ok) return fail(read.attCode);
          value = read.value;
          this.readCache = { key, value };
        }
        const offset = request.op === 'readBlobReq' ? request.offset : 0;
        if (offset > value.length) return fail(AttErrorCode.InvalidOffset);
        const chunk = value.slice(offset, offset + this.link.serverMtu - 1);
        return { op: 'readRsp', value: chunk, blob: request.op === 'readBlobReq' };
      }
      case 'writeReq': {
        const def = this.access(request.service, request.characteristic, 'write', AttErrorCode.WriteNotPermitted);
        if (typeof def === 'number') return fail(def);
        if (request.value.length > this.link.serverMtu - 3) return fail(AttErrorCode.InvalidAttributeValueLength);
        const written = this.invoke(request.characteristic, () => def.onWrite?.(this.peer, request.value.slice(), true));
        return written.ok ? { op: 'writeRsp' } : fail(written.attCode);
      }
      case 'cccdWriteReq': {
        const def = this.access(request.service, request.characteristic, 'notify', AttErrorCode.AttributeNotFound);
        if (typeof def === 'number') return fail(def);
        const key = keyOf(request.service, request.characteristic);
        const before = this.subscriptions.get(key);
        // The subscription is in force while the handler runs, so it may notify at once.
        if (request.enabled) this.subscriptions.set(key, { service: request.service, characteristic: request.characteristic });
        else this.subscriptions.delete(key);
        const done = this.invoke(request.characteristic, () => def.onSubscribe?.(this.peer, request.enabled));
        if (done.ok) return { op: 'writeRsp' };
        if (before) this.subscriptions.set(key, before);
        else this.subscriptions.delete(key);
        return fail(done.attCode);
      }
    }
  }

  private onWriteCommand(service: Uuid, characteristic: Uuid, value: Uint8Array): void {
    // Write Commands get no response, so refusals are silent, as on a real server.
    const def = this.access(service, characteristic, 'writeWithoutResponse', AttErrorCode.WriteNotPermitted);
    if (typeof def === 'number' || value.length > this.link.serverMtu - 3) return;
    this.invoke(characteristic, () => def.onWrite?.(this.peer, value.slice(), false));
  }

  /**
   * Finds a characteristic and checks that it allows `property` ('notify'
   * also accepts 'indicate') and that the link meets its security; returns
   * the definition or the ATT error code to answer with.
   */
  private access(
    service: Uuid,
    characteristic: Uuid,
    property: CharacteristicProperty,
    deniedCode: number,
  ): GattCharacteristicDefinition | number {
    const def = this.link.peripheral.findCharacteristic(service, characteristic);
    if (!def) return AttErrorCode.AttributeNotFound;
    const allowed =
      def.properties.includes(property) || (property === 'notify' && def.properties.includes('indicate'));
    if (!allowed) return deniedCode;
    return this.securityError(def.security) ?? def;
  }

  private securityError(security: AttSecurity): number | undefined {
    const encrypted = this.peer.encrypted;
    if (security === 'bonded') {
      if (!this.peer.bonded) return AttErrorCode.InsufficientAuthentication;
      if (!encrypted) return AttErrorCode.InsufficientEncryption;
    } else if (security === 'encrypted' && !encrypted) {
      return AttErrorCode.InsufficientEncryption;
    }
    return undefined;
  }

  private readValue(characteristic: Uuid, def: GattCharacteristicDefinition): Outcome<Uint8Array> {
    const read = this.invoke(characteristic, () => (def.onRead ? def.onRead(this.peer) : new Uint8Array(0)));
    if (!read.ok) return read;
    const value: unknown = read.value;
    if (!(value instanceof Uint8Array) || value.length > MAX_ATTRIBUTE_LENGTH) {
      this.report(characteristic, new RangeError(`onRead for ${characteristic} must return a Uint8Array of at most ${MAX_ATTRIBUTE_LENGTH} bytes`));
      return { ok: false, attCode: AttErrorCode.UnlikelyError };
    }
    return { ok: true, value: value.slice() };
  }

  /** Runs a handler: AttError answers with its code; anything else answers UnlikelyError and is reported. */
  private invoke<T>(characteristic: Uuid, handler: () => T): Outcome<T> {
    try {
      return { ok: true, value: handler() };
    } catch (error) {
      if (error instanceof AttError && Number.isInteger(error.attCode) && error.attCode >= 1 && error.attCode <= 0xff) {
        return { ok: false, attCode: error.attCode };
      }
      this.report(characteristic, error);
      return { ok: false, attCode: AttErrorCode.UnlikelyError };
    }
  }

  private report(characteristic: Uuid, error: unknown): void {
    this.link.air.reportHandlerError({ connectionId: this.link.id, side: 'peripheral', characteristic, error });
  }
}
