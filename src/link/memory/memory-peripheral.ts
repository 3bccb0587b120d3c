/**
 * The phone's radio on the in-memory air: a GATT server host with its
 * registered services, advertising, pairing policy and bond store, and a
 * Bluetooth power switch. Each connected central gets its own server
 * session (see gatt-server-session.ts); this class routes to them.
 */
import {
  AdvertisingData,
  CharacteristicProperty,
  GattCharacteristicDefinition,
  GattPeer,
  GattServerEvents,
  GattServerHost,
  GattServiceDefinition,
  MemoryBondStore,
  Uuid,
  normalizeAddress,
  normalizeUuid,
} from '../ble';
import { DisconnectReason } from '../att-codes';
import { LinkError } from '../errors';
import { BleLinkModel } from '../link-model';
import { Emitter } from '../../util/emitter';
import { MemoryGattPeer } from './gatt-server-session';
import type { MemoryAir } from './memory-air';
import type { MemoryLink } from './memory-link';

export interface MemoryPeripheralOptions {
  address: string;
  /** Link timing of this phone (from its profile); connections to it run on this model. */
  model: BleLinkModel;
}

interface RegisteredCharacteristic {
  uuid: Uuid;
  definition: GattCharacteristicDefinition;
}

interface RegisteredService {
  uuid: Uuid;
  characteristics: RegisteredCharacteristic[];
}

export class MemoryPeripheral implements GattServerHost {
  readonly address: string;
  readonly model: BleLinkModel;
  readonly events = new Emitter<GattServerEvents>();
  /** Long-term keys this phone holds, by central address. */
  readonly bonds = new MemoryBondStore();
  private readonly services = new Map<Uuid, RegisteredService>();
  private readonly links = new Map<number, MemoryLink>();
  private advertisingData: AdvertisingData | undefined;
  private powered = true;
  private pairingPolicy: (peer: GattPeer) => boolean = () => true;

  constructor(
    private readonly air: MemoryAir,
    options: MemoryPeripheralOptions,
  ) {
    this.address = normalizeAddress(options.address);
    this.model = options.model;
    this.events.onListenerError = (error) => air.reportHandlerError({ side: 'peripheral', error });
  }

  /** True while Bluetooth is on. */
  get poweredOn(): boolean {
    return this.powered;
  }

  /** True while Bluetooth is on and advertising was started. */
  get isAdvertising(): boolean {
    return this.powered && this.advertisingData !== undefined;
  }

  /** A copy of the current advertising payload, when advertising. */
  advertisement(): AdvertisingData | undefined {
    return this.isAdvertising && this.advertisingData ? copyAdvertisement(this.advertisingData) : undefined;
  }

  /** Publishes a service (replacing one with the same UUID) and announces Service Changed. */
  addService(service: GattServiceDefinition): void {
    const uuid = normalizeUuid(service.uuid);
    const characteristics = service.characteristics.map((definition) => ({
      uuid: normalizeUuid(definition.uuid),
      definition,
    }));
    const replaced = this.services.has(uuid);
    this.services.set(uuid, { uuid, characteristics });
    for (const link of this.links.values()) {
      if (replaced) link.server.forgetService(uuid);
      link.server.announceServiceChanged();
    }
  }

  removeService(uuid: Uuid): void {
    const key = normalizeUuid(uuid);
    if (!this.services.delete(key)) return;
    for (const link of this.links.values()) {
      link.server.forgetService(key);
      link.server.announceServiceChanged();
    }
  }

  peers(): GattPeer[] {
    return [...this.links.values()].map((link) => link.server.peer);
  }

  isSubscribed(peer: GattPeer, characteristic: Uuid): boolean {
    return this.linkOf(peer)?.server.isSubscribed(characteristic) ?? false;
  }

  notify(peer: GattPeer, characteristic: Uuid, value: Uint8Array): void {
    const link = this.linkOf(peer);
    if (!link) throw new LinkError('link.not-connected', `${peer.address} is not connected to ${this.address}`);
    link.server.notify(characteristic, value);
  }

  /** Starts (or updates) advertising. While Bluetooth is off it takes effect at power-on. */
  startAdvertising(data: AdvertisingData): void {
    this.advertisingData = copyAdvertisement(data);
    this.air.airChanged();
  }

  stopAdvertising(): void {
    this.advertisingData = undefined;
  }

  setPairingPolicy(policy: (peer: GattPeer) => boolean): void {
    this.pairingPolicy = policy;
  }

  /**
   * Bluetooth off: every link ends at once on this side (reason 0x16); each
   * central notices only when its supervision timeout expires (0x08).
   * Advertising pauses; services and bonds stay.
   */
  powerOff(): void {
    if (!this.powered) return;
    this.powered = false;
    for (const link of [...this.links.values()]) link.detachPeripheral(DisconnectReason.LocalHostTerminated);
  }

  /** Bluetooth on: advertising resumes if it was started and not stopped. */
  powerOn(): void {
    if (this.powered) return;
    this.powered = true;
    this.air.airChanged();
  }

  /** Deletes this phone's bond with a central (as "Forget This Device" does). */
  forgetBond(address: string): void {
    this.bonds.delete(normalizeAddress(address));
  }

  // ---- used by the rest of memory/ ----

  /** Registered service UUIDs, in registration order. */
  serviceUuids(): Uuid[] {
    return [...this.services.keys()];
  }

  /** A service's characteristics, or undefined when it is not registered. */
  characteristicsOf(service: Uuid): { uuid: Uuid; properties: CharacteristicProperty[] }[] | undefined {
    return this.services
      .get(service)
      ?.characteristics.map((c) => ({ uuid: c.uuid, properties: c.definition.properties }));
  }

  findCharacteristic(service: Uuid, characteristic: Uuid): GattCharacteristicDefinition | undefined {
    return this.services.get(service)?.characteristics.find((c) => c.uuid === characteristic)?.definition;
  }

  /** Asks the pairing policy; a throwing policy refuses (and is reported). */
  acceptsPairing(peer: MemoryGattPeer): boolean {
    try {
      return this.pairingPolicy(peer) === true;
    } catch (error) {
      this.air.reportHandlerError({ connectionId: peer.connectionId, side: 'peripheral', error });
      return false;
    }
  }

  attachLink(link: MemoryLink): void {
    this.links.set(link.id, link);
    this.events.emit('connect', link.server.peer);
  }

  detachLink(link: MemoryLink, reason: number): void {
    if (this.links.delete(link.id)) this.events.emit('disconnect', link.server.peer, reason);
  }

  private linkOf(peer: GattPeer): MemoryLink | undefined {
    if (!(peer instanceof MemoryGattPeer)) return undefined;
    const link = this.links.get(peer.connectionId);
    return link && link.server.peer === peer ? link : undefined;
  }
}

function copyAdvertisement(data: AdvertisingData): AdvertisingData {
  const copy: AdvertisingData = {};
  if (data.localName !== undefined) copy.localName = data.localName;
  if (data.serviceUuids) copy.serviceUuids = data.serviceUuids.map(normalizeUuid);
  if (data.solicitationUuids) copy.solicitationUuids = data.solicitationUuids.map(normalizeUuid);
  if (data.manufacturerData) copy.manufacturerData = data.manufacturerData.slice();
  return copy;
}
