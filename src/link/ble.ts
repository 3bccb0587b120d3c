/**
 * The BLE seams both sides program against. The phone is a GATT server host
 * (peripheral); the PC is a GATT client (central). The in-memory link
 * (`memory/`) and the real-radio link (`hci/`) implement the same interfaces,
 * so profile code never knows which one carries it.
 *
 * UUIDs are strings: 16-bit ones as 4 upper-case hex digits ("2A05"),
 * 128-bit ones in canonical upper-case form with dashes.
 */
import { Emitter } from '../util/emitter';

export type Uuid = string;

export type CharacteristicProperty = 'read' | 'write' | 'writeWithoutResponse' | 'notify' | 'indicate';

/**
 * What a characteristic demands of the link before it answers.
 * `open`: nothing; `encrypted`: an encrypted link (bond not required);
 * `bonded`: bonded and encrypted (ANCS: "requires authorization").
 */
export type AttSecurity = 'open' | 'encrypted' | 'bonded';

/** The link-level state of one peer, as a GATT server sees it. */
export interface GattPeer {
  /** The peer's device address, "AA:BB:CC:DD:EE:FF". */
  readonly address: string;
  /** Current ATT MTU on this connection. */
  readonly mtu: number;
  readonly encrypted: boolean;
  readonly bonded: boolean;
}

/**
 * A characteristic served by the phone. Handlers run when the peer's request
 * arrives; throwing an `AttError` answers with that ATT error code. The host
 * enforces `security` before calling a handler (and on CCCD writes).
 */
export interface GattCharacteristicDefinition {
  uuid: Uuid;
  properties: CharacteristicProperty[];
  security: AttSecurity;
  onRead?(peer: GattPeer): Uint8Array;
  onWrite?(peer: GattPeer, value: Uint8Array, withResponse: boolean): void;
  /** The peer wrote this characteristic's CCCD (notifications on or off). */
  onSubscribe?(peer: GattPeer, enabled: boolean): void;
}

export interface GattServiceDefinition {
  uuid: Uuid;
  characteristics: GattCharacteristicDefinition[];
}

export interface GattServerEvents {
  connect: [peer: GattPeer];
  disconnect: [peer: GattPeer, reason: number];
  mtuChanged: [peer: GattPeer, mtu: number];
  /** Pairing finished (or a bond was reused) and the link is now encrypted. */
  encrypted: [peer: GattPeer];
}

/** Advertising payload, as the fields a scanner can see. */
export interface AdvertisingData {
  localName?: string;
  /** Complete list of 16/128-bit service UUIDs. */
  serviceUuids?: Uuid[];
  /** 128-bit service solicitation UUIDs (AD type 0x15); ANCS accessories use this. */
  solicitationUuids?: Uuid[];
  manufacturerData?: Uint8Array;
}

/** The phone side: a GATT server on a peripheral. */
export interface GattServerHost {
  readonly address: string;
  readonly events: Emitter<GattServerEvents>;
  /** Publishes a service (and announces Service Changed to connected peers). */
  addService(service: GattServiceDefinition): void;
  /** Withdraws a service (and announces Service Changed). */
  removeService(uuid: Uuid): void;
  /** Peers currently connected. */
  peers(): GattPeer[];
  /** True when `peer` has notifications enabled on the characteristic. */
  isSubscribed(peer: GattPeer, characteristic: Uuid): boolean;
  /**
   * Queues a Handle Value Notification (value at most MTU-3 bytes) to one
   * subscribed peer. Throws `QueueFullError` when the transmit queue is full
   * and `LinkError` when the peer is not connected or not subscribed.
   */
  notify(peer: GattPeer, characteristic: Uuid, value: Uint8Array): void;
  startAdvertising(data: AdvertisingData): void;
  stopAdvertising(): void;
  /** Decides pairing requests; by default every request is accepted. */
  setPairingPolicy(policy: (peer: GattPeer) => boolean): void;
}

export interface DiscoveredCharacteristic {
  uuid: Uuid;
  properties: CharacteristicProperty[];
}

export interface GattClientEvents {
  /** The server announced Service Changed; rediscover. */
  servicesChanged: [];
}

/** The PC side: a GATT client on one connection. All calls reject with LinkError subclasses. */
export interface GattClient {
  readonly mtu: number;
  readonly events: Emitter<GattClientEvents>;
  /** ATT Exchange MTU; resolves to the MTU in force (min of both sides, at least 23). */
  exchangeMtu(clientRxMtu: number): Promise<number>;
  discoverServices(): Promise<Uuid[]>;
  discoverCharacteristics(service: Uuid): Promise<DiscoveredCharacteristic[]>;
  read(service: Uuid, characteristic: Uuid): Promise<Uint8Array>;
  /** Write Request (with response) or Write Command (without). */
  write(service: Uuid, characteristic: Uuid, value: Uint8Array, withResponse?: boolean): Promise<void>;
  /**
   * Writes the CCCD to enable notifications; `listener` gets every value
   * from then on. Rejects with AttError when the server refuses.
   */
  subscribe(service: Uuid, characteristic: Uuid, listener: (value: Uint8Array) => void): Promise<void>;
  unsubscribe(service: Uuid, characteristic: Uuid): Promise<void>;
}

export interface BleConnectionEvents {
  disconnect: [reason: number];
  encrypted: [];
}

/** One LE connection, seen from the PC. */
export interface BleConnection {
  readonly peerAddress: string;
  readonly gatt: GattClient;
  readonly events: Emitter<BleConnectionEvents>;
  readonly connected: boolean;
  readonly encrypted: boolean;
  readonly bonded: boolean;
  /** Pairs and bonds (or re-encrypts with an existing bond). Rejects with PairingError. */
  pair(): Promise<void>;
  /** Encrypts with the stored bond; rejects with PairingError if there is none or it was lost. */
  encrypt(): Promise<void>;
  disconnect(): Promise<void>;
}

export interface ScanResult {
  address: string;
  rssi: number;
  advertisement: AdvertisingData;
}

/** The PC's LE radio. */
export interface BleCentral {
  readonly address: string;
  /** Scans for `durationMs` and returns what advertised. */
  scan(durationMs: number): Promise<ScanResult[]>;
  /** Connects; rejects with LinkError when the peer is not advertising or out of range. */
  connect(address: string): Promise<BleConnection>;
  /** Bonds this central holds, by peer address. */
  readonly bonds: BondStore;
}

/** Long-term keys by peer address; both sides keep one. */
export interface BondStore {
  has(address: string): boolean;
  get(address: string): Uint8Array | undefined;
  set(address: string, key: Uint8Array): void;
  delete(address: string): void;
  addresses(): string[];
}

/** A BondStore in memory. */
export class MemoryBondStore implements BondStore {
  private readonly keys = new Map<string, Uint8Array>();
  has(address: string): boolean {
    return this.keys.has(address);
  }
  get(address: string): Uint8Array | undefined {
    return this.keys.get(address);
  }
  set(address: string, key: Uint8Array): void {
    this.keys.set(address, key);
  }
  delete(address: string): void {
    this.keys.delete(address);
  }
  addresses(): string[] {
    return [...this.keys.keys()];
  }
}

/** Canonical form of a UUID string: upper case, dashed 128-bit or 4-digit 16-bit. */
export function normalizeUuid(uuid: string): Uuid {
  const hex = uuid.replace(/-/g, '').toUpperCase();
  if (/^[0-9A-F]{4}$/.test(hex)) return hex;
  if (/^[0-9A-F]{32}$/.test(hex)) {
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }
  throw new TypeError(`not a UUID: ${uuid}`);
}

/** Canonical form of a device address: "AA:BB:CC:DD:EE:FF", upper case. */
export function normalizeAddress(address: string): string {
  const upper = address.toUpperCase();
  if (!/^[0-9A-F]{2}(:[0-9A-F]{2}){5}$/.test(upper)) throw new TypeError(`not a device address: ${address}`);
  return upper;
}
