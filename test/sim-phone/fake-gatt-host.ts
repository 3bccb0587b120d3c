/**
 * A small GattServerHost for sim-phone tests: records services, advertising
 * and every notification; lets a test connect fake peers, write CCCDs and
 * characteristics as a peer would, and make `notify` report a full queue.
 * It enforces characteristic security the way the seam promises.
 */
import {
  AdvertisingData,
  GattCharacteristicDefinition,
  GattPeer,
  GattServerEvents,
  GattServerHost,
  GattServiceDefinition,
  Uuid,
} from '../../src/link/ble';
import { AttErrorCode } from '../../src/link/att-codes';
import { AttError, LinkError, QueueFullError } from '../../src/link/errors';
import { Emitter } from '../../src/util/emitter';

export interface FakePeer extends GattPeer {
  address: string;
  mtu: number;
  encrypted: boolean;
  bonded: boolean;
}

export interface SentNotification {
  peer: string;
  characteristic: Uuid;
  value: Uint8Array;
}

export class FakeGattHost implements GattServerHost {
  readonly address = 'F0:99:B6:00:00:01';
  readonly events = new Emitter<GattServerEvents>();
  readonly services = new Map<Uuid, GattServiceDefinition>();
  readonly sent: SentNotification[] = [];
  advertising: AdvertisingData | undefined;
  /** The next this-many `notify` calls throw QueueFullError. */
  refuseNext = 0;
  private readonly connected = new Map<string, FakePeer>();
  private readonly subscriptions = new Set<string>();

  connect(address: string, mtu = 185, bonded = true): FakePeer {
    const peer: FakePeer = { address, mtu, encrypted: bonded, bonded };
    this.connected.set(address, peer);
    this.events.emit('connect', peer);
    return peer;
  }

  disconnect(peer: FakePeer, reason = 0x13): void {
    this.connected.delete(peer.address);
    for (const key of [...this.subscriptions]) if (key.startsWith(`${peer.address}|`)) this.subscriptions.delete(key);
    this.events.emit('disconnect', peer, reason);
  }

  /** The peer writes a CCCD; returns the ATT error code if refused. */
  subscribe(peer: FakePeer, characteristic: Uuid, enabled = true): number | undefined {
    return this.call(peer, characteristic, (def) => {
      const key = `${peer.address}|${characteristic}`;
      if (enabled) this.subscriptions.add(key);
      else this.subscriptions.delete(key);
      def.onSubscribe?.(peer, enabled);
    });
  }

  /** The peer writes a characteristic (with response); returns the ATT error code, or undefined on success. */
  write(peer: FakePeer, characteristic: Uuid, value: Uint8Array): number | undefined {
    return this.call(peer, characteristic, (def) => {
      if (!def.onWrite) throw new AttError(AttErrorCode.WriteNotPermitted);
      def.onWrite(peer, value, true);
    });
  }

  /** Values notified to one peer on one characteristic, in order. */
  sentTo(peer: FakePeer, characteristic: Uuid): Uint8Array[] {
    return this.sent.filter((s) => s.peer === peer.address && s.characteristic === characteristic).map((s) => s.value);
  }

  clearSent(): void {
    this.sent.length = 0;
  }

  characteristic(uuid: Uuid): GattCharacteristicDefinition | undefined {
    for (const service of this.services.values()) {
      const found = service.characteristics.find((c) => c.uuid === uuid);
      if (found) return found;
    }
    return undefined;
  }

  // --- GattServerHost --------------------------------------------------------

  addService(service: GattServiceDefinition): void {
    this.services.set(service.uuid, service);
  }

  removeService(uuid: Uuid): void {
    this.services.delete(uuid);
  }

  peers(): GattPeer[] {
    return [...this.connected.values()];
  }

  isSubscribed(peer: GattPeer, characteristic: Uuid): boolean {
    return this.subscriptions.has(`${peer.address}|${characteristic}`);
  }

  notify(peer: GattPeer, characteristic: Uuid, value: Uint8Array): void {
    if (!this.connected.has(peer.address)) throw new LinkError('link.not-connected', 'peer not connected');
    if (!this.isSubscribed(peer, characteristic)) throw new LinkError('link.not-subscribed', 'peer not subscribed');
    if (value.length > peer.mtu - 3) throw new RangeError(`notification of ${value.length} bytes exceeds MTU-3`);
    if (this.refuseNext > 0) {
      this.refuseNext--;
      throw new QueueFullError('test tx', 1);
    }
    this.sent.push({ peer: peer.address, characteristic, value: value.slice() });
  }

  startAdvertising(data: AdvertisingData): void {
    this.advertising = data;
  }

  stopAdvertising(): void {
    this.advertising = undefined;
  }

  setPairingPolicy(): void {}

  private call(peer: FakePeer, characteristic: Uuid, run: (def: GattCharacteristicDefinition) => void): number | undefined {
    const def = this.characteristic(characteristic);
    if (!def) return AttErrorCode.InvalidHandle;
    if (def.security === 'bonded' && !peer.bonded) return AttErrorCode.InsufficientAuthentication;
    if (def.security === 'encrypted' && !peer.encrypted) return AttErrorCode.InsufficientEncryption;
    try {
      run(def);
      return undefined;
    } catch (err) {
      if (err instanceof AttError) return err.attCode;
      throw err;
    }
  }
}

export const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
export const fromHex = (text: string): Uint8Array => Uint8Array.from(Buffer.from(text.replace(/\s+/g, ''), 'hex'));
