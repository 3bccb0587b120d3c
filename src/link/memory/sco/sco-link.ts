/**
 * The in-memory SCO/eSCO medium: opens synchronous channels between a phone
 * and a PC on a Clock (directly with `open`, or through each device's
 * `endpoint` as the seams do it), draws packet loss from a seeded
 * generator, and exposes the faults, the counters and the tap.
 *
 *   const sco = new MemoryScoLink(clock, { seed: 7 });
 *   const { phone, pc } = sco.open({ phoneAddress, pcAddress, airMode: 'transparent', latencyMs: 10 });
 */
import { DisconnectReason } from '../../att-codes';
import { Clock, Timer } from '../../clock';
import { LinkError, QueueFullError } from '../../errors';
import { Emitter } from '../../../util/emitter';
import { Random } from '../../../util/random';
import type { ScoSide } from './sco-channel';
import { MemoryScoConnection, ScoConnectionOwner } from './sco-connection';
import { MemoryScoEndpoint } from './sco-endpoint';
import { ScoDirection, ScoDirectionStats, ScoLinkEvents, ScoStats, emptyScoStats } from './sco-events';
import {
  DEFAULT_SCO_LATENCY_MS,
  ScoLinkDefaults,
  ScoOpenOptions,
  ScoSettings,
  checkAddress,
  checkScoDefaults,
  resolveScoSettings,
} from './sco-params';

export interface MemoryScoLinkOptions {
  /** Seeds the loss draws; the same seed replays the same run. Default 1. */
  seed?: number;
  /** One-way latency for channels that do not set one; default 10 ms. */
  latencyMs?: number;
  /** Loss rate for channels that do not set one; default 0. */
  lossRate?: number;
}

/** Synchronous channels one device may have open at once (the BR/EDR limit). */
export const MAX_SCO_PER_DEVICE = 3;
/** Devices with endpoints on one link. */
export const MAX_SCO_ENDPOINTS = 64;
/** Timed faults planned at once. */
export const MAX_PLANNED_SCO_FAULTS = 64;

/** Which channels a fault hits: all when omitted; `handle` and/or a device `address` otherwise. */
export interface ScoFaultTarget {
  handle?: number;
  address?: string;
}

export interface ScoFaultHandle {
  cancel(): void;
  readonly pending: boolean;
}

export class MemoryScoLink implements ScoConnectionOwner {
  readonly events = new Emitter<ScoLinkEvents>();
  readonly stats: ScoStats = emptyScoStats();
  readonly random: Random;
  readonly defaults: ScoLinkDefaults;
  private readonly live = new Map<number, MemoryScoConnection>();
  private readonly endpoints = new Map<string, MemoryScoEndpoint>();
  private readonly timed = new Set<Timer>();
  private nextHandle = 1;

  constructor(
    readonly clock: Clock,
    options: MemoryScoLinkOptions = {},
  ) {
    this.random = new Random(((options.seed ?? 1) ^ 0x5c0a0d10) >>> 0);
    this.defaults = checkScoDefaults(options.latencyMs ?? DEFAULT_SCO_LATENCY_MS, options.lossRate ?? 0);
  }

  /** Opens a channel now with both ends open; slots start one interval from now. */
  open(options: ScoOpenOptions): MemoryScoConnection {
    const phoneAddress = checkAddress(options.phoneAddress, 'phoneAddress');
    const pcAddress = checkAddress(options.pcAddress, 'pcAddress');
    const settings = resolveScoSettings(options, this.defaults);
    const connection = this.create(phoneAddress, pcAddress, settings, { phone: true, pc: true });
    connection.start();
    return connection;
  }

  /** The synchronous radio of the device at `address` (created on first use, with its role). */
  endpoint(address: string, role: ScoSide): MemoryScoEndpoint {
    const canonical = checkAddress(address, 'address');
    const existing = this.endpoints.get(canonical);
    if (existing) {
      if (existing.role !== role) throw new LinkError('link.sco-bad-params', `${canonical} is already the ${existing.role}`);
      return existing;
    }
    if (this.endpoints.size >= MAX_SCO_ENDPOINTS) {
      throw new LinkError('link.too-many-devices', `an SCO link holds at most ${MAX_SCO_ENDPOINTS} endpoints`);
    }
    const endpoint = new MemoryScoEndpoint(this, canonical, role);
    this.endpoints.set(canonical, endpoint);
    return endpoint;
  }

  /** Connections not yet fully closed, oldest first. */
  connections(): MemoryScoConnection[] {
    return [...this.live.values()];
  }

  /** Closes the targeted channels on both ends now with `reason` (default 0x08). Returns how many. */
  dropLink(reason: number = DisconnectReason.ConnectionTimeout, target?: ScoFaultTarget): number {
    const hit = this.connections().filter((c) => matches(c, target));
    for (const connection of hit) connection.drop(reason);
    return hit.length;
  }

  /** Drops the targeted channels at virtual time `time` (now, if it has passed). */
  dropLinkAt(time: number, reason: number = DisconnectReason.ConnectionTimeout, target?: ScoFaultTarget): ScoFaultHandle {
    if (this.timed.size >= MAX_PLANNED_SCO_FAULTS) throw new QueueFullError('SCO timed fault', MAX_PLANNED_SCO_FAULTS);
    const timer = this.clock.schedule(Math.max(0, time - this.clock.now()), () => {
      this.timed.delete(timer);
      this.dropLink(reason, target);
    });
    this.timed.add(timer);
    return {
      cancel: () => {
        timer.cancel();
        this.timed.delete(timer);
      },
      get pending() {
        return timer.pending;
      },
    };
  }

  // ---- used by the rest of memory/sco ----

  /** The endpoint at `address`, if any. */
  endpointAt(address: string): MemoryScoEndpoint | undefined {
    return this.endpoints.get(address);
  }

  /** True when either device already holds MAX_SCO_PER_DEVICE channels. */
  atLimit(phoneAddress: string, pcAddress: string): boolean {
    const count = (address: string): number =>
      this.connections().filter((c) => c.phoneAddress === address || c.pcAddress === address).length;
    return count(phoneAddress) >= MAX_SCO_PER_DEVICE || count(pcAddress) >= MAX_SCO_PER_DEVICE;
  }

  /** A new connection, its ends open as given; throws LinkError `link.sco-limit` past the per-device limit. */
  create(phoneAddress: string, pcAddress: string, settings: ScoSettings, openNow: { phone: boolean; pc: boolean }): MemoryScoConnection {
    if (this.atLimit(phoneAddress, pcAddress)) {
      this.stats.refused++;
      throw new LinkError('link.sco-limit', `a device holds at most ${MAX_SCO_PER_DEVICE} SCO channels`);
    }
    const connection = new MemoryScoConnection(this, this.nextHandle++, phoneAddress, pcAddress, settings, openNow);
    this.live.set(connection.handle, connection);
    return connection;
  }

  countPacket(direction: ScoDirection, change: Partial<ScoDirectionStats>): void {
    const stats = this.stats[direction];
    for (const key of Object.keys(change) as (keyof ScoDirectionStats)[]) stats[key] += change[key] ?? 0;
  }

  tapPacket(handle: number, direction: ScoDirection, air: Uint8Array, lost: boolean, deliverAt: number): void {
    if (this.events.listenerCount('packet') === 0) return;
    this.events.emit('packet', { time: this.clock.now(), handle, direction, air, lost, deliverAt });
  }

  reportHandlerError(handle: number | undefined, side: ScoSide, error: unknown): void {
    this.events.emit('handlerError', { time: this.clock.now(), ...(handle !== undefined ? { handle } : {}), side, error });
  }

  connectionStarted(connection: MemoryScoConnection): void {
    this.stats.channelsOpened++;
    const { settings } = connection;
    this.events.emit('open', {
      time: this.clock.now(),
      handle: connection.handle,
      phoneAddress: connection.phoneAddress,
      pcAddress: connection.pcAddress,
      airMode: settings.airMode,
      packetBytes: settings.packetBytes,
      intervalMs: settings.intervalMs,
      latencyMs: settings.latencyMs,
    });
  }

  connectionClosed(connection: MemoryScoConnection): void {
    if (!this.live.delete(connection.handle)) return;
    // A connection whose setup never finished was never counted as opened.
    if (Number.isNaN(connection.anchor)) return;
    this.stats.channelsClosed++;
    this.events.emit('close', {
      time: this.clock.now(),
      handle: connection.handle,
      phoneReason: connection.phone.closeReason ?? DisconnectReason.ConnectionTimeout,
      pcReason: connection.pc.closeReason ?? DisconnectReason.ConnectionTimeout,
    });
  }
}

function matches(connection: MemoryScoConnection, target: ScoFaultTarget | undefined): boolean {
  if (!target) return true;
  if (target.handle !== undefined && connection.handle !== target.handle) return false;
  if (target.address !== undefined) {
    const address = target.address.toUpperCase();
    if (connection.phoneAddress !== address && connection.pcAddress !== address) return false;
  }
  return true;
}
