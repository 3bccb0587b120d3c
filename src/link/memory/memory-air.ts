/**
 * The shared in-memory radio medium: creates the phone (peripheral) and PC
 * (central) radios, opens links between them on a Clock, draws packets per
 * connection event from a seeded generator, and exposes the faults, the
 * counters and the tap (`events`) that loggers and captures read.
 *
 *   const air = new MemoryAir(clock, { seed: 7 });
 *   const phone = air.createPeripheral({ address: '11:22:33:44:55:66', model });
 *   const pc = air.createCentral({ address: 'AA:BB:CC:DD:EE:01', maxMtu: 517 });
 */
import { Clock } from '../clock';
import { LinkError } from '../errors';
import { checkBleModel } from '../link-model';
import { Emitter } from '../../util/emitter';
import { Random } from '../../util/random';
import { AirEvents, AirStats, HandlerErrorEvent, emptyStats } from './air-events';
import { LinkFaults } from './link-faults';
import { MemoryCentral, MemoryCentralOptions } from './memory-central';
import { MemoryLink } from './memory-link';
import { MemoryPeripheral, MemoryPeripheralOptions } from './memory-peripheral';
import { MEMORY_AIR_MAX_DEVICES } from '../../limits';

export interface MemoryAirOptions {
  /** Seeds the packets-per-event draws and bond keys; the same seed replays the same run. Default 1. */
  seed?: number;
}

/** Devices one air holds. */
export const MAX_DEVICES = MEMORY_AIR_MAX_DEVICES;

export class MemoryAir {
  readonly events = new Emitter<AirEvents>();
  readonly stats: AirStats = emptyStats();
  readonly faults: LinkFaults;
  /** Packets-per-event draws. */
  readonly random: Random;
  private readonly keyRandom: Random;
  private readonly peripheralsByAddress = new Map<string, MemoryPeripheral>();
  private readonly centralsByAddress = new Map<string, MemoryCentral>();
  private readonly links = new Map<number, MemoryLink>();
  private nextLinkId = 1;

  constructor(
    readonly clock: Clock,
    options: MemoryAirOptions = {},
  ) {
    const seed = options.seed ?? 1;
    this.random = new Random(seed);
    this.keyRandom = new Random((seed ^ 0x6b657973) >>> 0);
    this.faults = new LinkFaults(this);
  }

  createPeripheral(options: MemoryPeripheralOptions): MemoryPeripheral {
    checkBleModel(options.model);
    const peripheral = new MemoryPeripheral(this, { ...options, model: { ...options.model } });
    this.claimAddress(peripheral.address);
    this.peripheralsByAddress.set(peripheral.address, peripheral);
    this.airChanged();
    return peripheral;
  }

  createCentral(options: MemoryCentralOptions): MemoryCentral {
    const central = new MemoryCentral(this, options);
    this.claimAddress(central.address);
    this.centralsByAddress.set(central.address, central);
    return central;
  }

  /** Ids of the connections currently open, oldest first. */
  connectionIds(): number[] {
    return [...this.links.keys()];
  }

  // ---- used by the rest of memory/ ----

  peripheral(address: string): MemoryPeripheral | undefined {
    return this.peripheralsByAddress.get(address);
  }

  peripherals(): MemoryPeripheral[] {
    return [...this.peripheralsByAddress.values()];
  }

  openLinks(): MemoryLink[] {
    return [...this.links.values()];
  }

  /** True when the two devices can hear each other now. */
  inRange(peripheral: MemoryPeripheral, central: MemoryCentral): boolean {
    return !this.faults.pairOutOfRange(peripheral.address, central.address, this.clock.now());
  }

  /** Advertising, power or range changed: pending connects and scans take another look. */
  airChanged(): void {
    for (const central of this.centralsByAddress.values()) central.airChanged();
  }

  openLink(central: MemoryCentral, peripheral: MemoryPeripheral): MemoryLink {
    const link = new MemoryLink(this, this.nextLinkId++, central, peripheral);
    this.links.set(link.id, link);
    this.stats.connections++;
    this.events.emit('connect', {
      time: this.clock.now(),
      connectionId: link.id,
      central: central.address,
      peripheral: peripheral.address,
    });
    return link;
  }

  linkClosed(link: MemoryLink, centralReason: number, peripheralReason: number): void {
    if (!this.links.delete(link.id)) return;
    this.faults.linkClosed(link);
    this.stats.disconnections++;
    this.events.emit('disconnect', {
      time: this.clock.now(),
      connectionId: link.id,
      central: link.central.address,
      peripheral: link.peripheral.address,
      centralReason,
      peripheralReason,
    });
  }

  /** A fresh 16-byte long-term key. */
  newBondKey(): Uint8Array {
    const key = new Uint8Array(16);
    for (let i = 0; i < key.length; i += 4) {
      const word = this.keyRandom.nextUint32();
      key[i] = word & 0xff;
      key[i + 1] = (word >>> 8) & 0xff;
      key[i + 2] = (word >>> 16) & 0xff;
      key[i + 3] = word >>> 24;
    }
    return key;
  }

  reportHandlerError(event: Omit<HandlerErrorEvent, 'time'>): void {
    this.events.emit('handlerError', { time: this.clock.now(), ...event });
  }

  private claimAddress(address: string): void {
    if (this.peripheralsByAddress.has(address) || this.centralsByAddress.has(address)) {
      throw new LinkError('link.address-in-use', `${address} is already on the air`);
    }
    if (this.peripheralsByAddress.size + this.centralsByAddress.size >= MAX_DEVICES) {
      throw new LinkError('link.too-many-devices', `an air holds at most ${MAX_DEVICES} devices`);
    }
  }
}
