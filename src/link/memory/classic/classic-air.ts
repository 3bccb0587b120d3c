/**
 * The shared in-memory BR/EDR medium: creates the phone (host) and PC
 * (client) radios, opens ACL links between them on a Clock, and exposes the
 * faults, the counters and the tap (`events`) that loggers and btsnoop
 * writers read.
 *
 *   const air = new MemoryClassicAir(clock, { seed: 7 });
 *   const phone = air.createHost({ address: '11:22:33:44:55:66', name: 'iPhone', classOfDevice: 0x7a020c, model });
 *   const pc = air.createClient({ address: 'AA:BB:CC:DD:EE:01', classOfDevice: COD_AUDIO_VIDEO_HANDS_FREE });
 */
import { Clock } from '../../clock';
import { LinkError } from '../../errors';
import { ClassicLinkModel, DEFAULT_CLASSIC_MODEL, checkClassicModel } from '../../classic-model';
import { Emitter } from '../../../util/emitter';
import { Random } from '../../../util/random';
import { ClassicAirEvents, ClassicAirStats, ClassicHandlerErrorEvent, emptyClassicStats } from './classic-air-events';
import { MemoryClassicClient, MemoryClassicClientOptions } from './classic-client';
import { ClassicLinkFaults } from './classic-faults';
import { MemoryClassicHost, MemoryClassicHostOptions } from './classic-host';
import { MemoryClassicLink } from './classic-link';
import { MEMORY_AIR_MAX_DEVICES } from '../../../limits';

export interface MemoryClassicAirOptions {
  /** Seeds the link keys; the same seed replays the same run. Default 1. */
  seed?: number;
}

/** Devices one classic air holds. */
export const MAX_CLASSIC_DEVICES = MEMORY_AIR_MAX_DEVICES;

export type CreateHostOptions = Omit<MemoryClassicHostOptions, 'model'> & {
  /** Default DEFAULT_CLASSIC_MODEL. */
  model?: ClassicLinkModel;
};

export class MemoryClassicAir {
  readonly events = new Emitter<ClassicAirEvents>();
  readonly stats: ClassicAirStats = emptyClassicStats();
  readonly faults: ClassicLinkFaults;
  private readonly keyRandom: Random;
  private readonly hostsByAddress = new Map<string, MemoryClassicHost>();
  private readonly clientsByAddress = new Map<string, MemoryClassicClient>();
  private readonly links = new Map<number, MemoryClassicLink>();
  private nextLinkId = 1;

  constructor(
    readonly clock: Clock,
    options: MemoryClassicAirOptions = {},
  ) {
    const seed = options.seed ?? 1;
    this.keyRandom = new Random((seed ^ 0x6c6b6579) >>> 0);
    this.faults = new ClassicLinkFaults(this);
  }

  createHost(options: CreateHostOptions): MemoryClassicHost {
    const model = checkClassicModel({ ...(options.model ?? DEFAULT_CLASSIC_MODEL) });
    const host = new MemoryClassicHost(this, { ...options, model });
    this.claimAddress(host.address);
    this.hostsByAddress.set(host.address, host);
    this.rangeChanged();
    return host;
  }

  createClient(options: MemoryClassicClientOptions): MemoryClassicClient {
    const client = new MemoryClassicClient(this, options);
    this.claimAddress(client.address);
    this.clientsByAddress.set(client.address, client);
    return client;
  }

  /** Ids of the connections currently open, oldest first. */
  connectionIds(): number[] {
    return [...this.links.keys()];
  }

  // ---- used by the rest of memory/classic ----

  host(address: string): MemoryClassicHost | undefined {
    return this.hostsByAddress.get(address);
  }

  openLinks(): MemoryClassicLink[] {
    return [...this.links.values()];
  }

  /** True when the two devices can hear each other now. */
  inRange(host: MemoryClassicHost, client: MemoryClassicClient): boolean {
    return !this.faults.pairOutOfRange(host.address, client.address, this.clock.now());
  }

  /** Power or range changed: waiting pages and stalled pipes take another look. */
  rangeChanged(): void {
    for (const client of this.clientsByAddress.values()) client.rangeChanged();
    for (const link of [...this.links.values()]) link.rangeChanged();
  }

  openLink(client: MemoryClassicClient, host: MemoryClassicHost): MemoryClassicLink {
    const link = new MemoryClassicLink(this, this.nextLinkId++, client, host);
    this.links.set(link.id, link);
    this.stats.connections++;
    this.events.emit('connect', { time: this.clock.now(), connectionId: link.id, client: client.address, host: host.address });
    return link;
  }

  linkClosed(link: MemoryClassicLink, clientReason: number, hostReason: number): void {
    if (!this.links.delete(link.id)) return;
    this.faults.linkClosed(link);
    this.stats.disconnections++;
    this.events.emit('disconnect', {
      time: this.clock.now(),
      connectionId: link.id,
      client: link.client.address,
      host: link.host.address,
      clientReason,
      hostReason,
    });
  }

  /** A fresh 16-byte link key. */
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

  reportHandlerError(event: Omit<ClassicHandlerErrorEvent, 'time'>): void {
    this.events.emit('handlerError', { time: this.clock.now(), ...event });
  }

  private claimAddress(address: string): void {
    if (this.hostsByAddress.has(address) || this.clientsByAddress.has(address)) {
      throw new LinkError('link.address-in-use', `${address} is already on the air`);
    }
    if (this.hostsByAddress.size + this.clientsByAddress.size >= MAX_CLASSIC_DEVICES) {
      throw new LinkError('link.too-many-devices', `an air holds at most ${MAX_CLASSIC_DEVICES} devices`);
    }
  }
}
