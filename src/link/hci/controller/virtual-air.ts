/**
 * The shared virtual air: several VirtualControllers, which pairs of them
 * are in range, advertising events that reach scanners (with duplicate
 * filtering and scan responses) and initiators, and the links between
 * controllers. Advertising events are planned only while some scanner or
 * initiator can use them, and links run connection events only while they
 * have work, so an idle air holds no timer.
 *
 *   const air = new VirtualAir({ clock });
 *   const phone = air.addController('11:22:33:44:55:66');
 *   const pc = air.addController('AA:BB:CC:DD:EE:01');
 *   phone.output.on('data', (bytes) => ...); phone.receive(commandBytes);
 */
import { Clock, Timer } from '../../clock';
import { Emitter } from '../../../util/emitter';
import { Random } from '../../../util/random';
import { AirLink, Side } from './air-link';
import { AirPort } from './air-port';
import { VirtualAirTiming, resolveAirTiming } from './air-timing';
import { normalizeAddress } from './byte-reader';
import { CONTROLLER_PROFILE } from './controller-profile';
import { HciStatus } from './hci-constants';
import { HciTraceEntry } from './hci-trace';
import { VirtualController, VirtualControllerOptions } from './virtual-controller';

export interface VirtualAirOptions {
  clock: Clock;
  model?: Partial<VirtualAirTiming>;
  /** Seeds RSSI values and LE_Rand. Default: a fixed seed. */
  random?: Random;
  log?: (entry: HciTraceEntry) => void;
}

export type VirtualAirEvents = {
  /** A link came up; `handle` is the central's handle. */
  connect: [central: string, peripheral: string, handle: number];
  /** A link ended; `handle` is the central's handle, `reason` the termination reason (what the remote side sees). */
  disconnect: [handle: number, reason: number];
};

/** Controllers one air holds. */
export const MAX_CONTROLLERS = 32;

export class VirtualAir {
  readonly events = new Emitter<VirtualAirEvents>();
  readonly timing: VirtualAirTiming;
  readonly clock: Clock;
  private readonly random: Random;
  private readonly log: ((entry: HciTraceEntry) => void) | undefined;
  private readonly port: AirPort;
  private readonly controllers = new Map<string, VirtualController>();
  private readonly outOfRange = new Set<string>();
  private readonly links = new Set<AirLink>();
  private readonly advertisingTimers = new Map<VirtualController, Timer>();
  private readonly lastAdvertisingEvent = new Map<VirtualController, number>();
  private readonly rssiBase = new Map<string, number>();
  private nextLinkId = 1;

  constructor(options: VirtualAirOptions) {
    this.clock = options.clock;
    this.timing = resolveAirTiming(options.model);
    this.random = options.random ?? new Random(0x6169_7231);
    this.log = options.log;
    this.port = {
      clock: this.clock,
      timing: this.timing,
      random: this.random,
      tracing: this.log !== undefined,
      trace: (entry) => this.log?.(entry),
      radioChanged: () => this.planAdvertising(),
      rssi: (a, b) => this.rssi(a, b),
    };
  }

  addController(address: string, options: VirtualControllerOptions = {}): VirtualController {
    const key = normalizeAddress(address);
    if (this.controllers.has(key)) throw new RangeError(`a controller with address ${key} is already on the air`);
    if (this.controllers.size >= MAX_CONTROLLERS) throw new RangeError(`the air holds at most ${MAX_CONTROLLERS} controllers`);
    const controller = new VirtualController(this.port, key, options);
    this.controllers.set(key, controller);
    return controller;
  }

  /**
   * Takes a controller off the air (its host vanished). Without `reason` its
   * links fall silent and each peer gets Disconnection Complete 0x08 after the
   * supervision timeout; with a reason (e.g. 0x13, 0x15) peers get it now.
   */
  removeController(controller: VirtualController, reason?: number): void {
    if (this.controllers.get(controller.address) !== controller) return;
    this.controllers.delete(controller.address);
    this.advertisingTimers.get(controller)?.cancel();
    this.advertisingTimers.delete(controller);
    this.lastAdvertisingEvent.delete(controller);
    for (const key of [...this.rssiBase.keys()]) if (key.split('|').includes(controller.address)) this.rssiBase.delete(key);
    for (const conn of controller.releaseLinks()) {
      conn.link.orphan(conn.side);
      if (reason !== undefined) conn.link.close({ central: reason, peripheral: reason }, reason);
    }
    controller.detach();
    this.trace(controller.address, 'removed', reason === undefined ? {} : { reason });
    this.planAdvertising();
  }

  /** Controllers on the air, in the order they were added. */
  list(): VirtualController[] {
    return [...this.controllers.values()];
  }

  controller(address: string): VirtualController | undefined {
    return this.controllers.get(normalizeAddress(address));
  }

  /** Puts two controllers in or out of each other's range (all pairs start in range). */
  setInRange(a: string, b: string, inRange: boolean): void {
    const key = pairKey(normalizeAddress(a), normalizeAddress(b));
    if (inRange) this.outOfRange.delete(key);
    else this.outOfRange.add(key);
    for (const link of this.links) {
      const ends = [link.end('central')?.address, link.end('peripheral')?.address];
      if (ends.includes(normalizeAddress(a)) && ends.includes(normalizeAddress(b))) link.setOutOfRange(!inRange);
    }
    this.trace(normalizeAddress(a), inRange ? 'in-range' : 'out-of-range', { peer: normalizeAddress(b) });
    this.planAdvertising();
  }

  inRange(a: string, b: string): boolean {
    return !this.outOfRange.has(pairKey(normalizeAddress(a), normalizeAddress(b)));
  }

  /** Ends every link of `address` now; both sides get Disconnection Complete with `reason` (default 0x08). */
  dropConnections(address: string, reason: number = HciStatus.ConnectionTimeout): void {
    const target = normalizeAddress(address);
    for (const link of [...this.links]) {
      if (link.end('central')?.address === target || link.end('peripheral')?.address === target) {
        link.close({ central: reason, peripheral: reason }, reason);
      }
    }
  }

  /** Links currently open. */
  openLinks(): AirLink[] {
    return [...this.links];
  }

  /** Number of advertising schedules running (0 when the air is idle). */
  get activeAdvertisers(): number {
    return this.advertisingTimers.size;
  }

  // ---- advertising, scanning, initiating ----

  private planAdvertising(): void {
    for (const adv of this.controllers.values()) {
      const needed = this.advertisingNeeded(adv);
      const timer = this.advertisingTimers.get(adv);
      if (needed && !timer) {
        const delay = this.nextAdvertisingTime(adv) - this.clock.now();
        this.advertisingTimers.set(adv, this.clock.schedule(delay, () => this.advertisingEvent(adv)));
      } else if (!needed && timer) {
        timer.cancel();
        this.advertisingTimers.delete(adv);
      }
    }
  }

  /** The next point of the advertiser's event grid (one interval apart from when it was enabled), after its last event. */
  private nextAdvertisingTime(adv: VirtualController): number {
    const interval = this.timing.advertisingIntervalMs;
    const since = adv.radio.advertisingSince;
    const now = this.clock.now();
    let steps = Math.max(0, Math.ceil((now - since) / interval - 1e-9));
    const last = this.lastAdvertisingEvent.get(adv);
    if (last !== undefined && last >= since) steps = Math.max(steps, Math.floor((last - since) / interval + 1e-9) + 1);
    return since + steps * interval;
  }

  private advertisingNeeded(adv: VirtualController): boolean {
    if (!adv.radio.advertisingEnabled || adv.isDetached) return false;
    const view = adv.radio.advertiserView();
    for (const other of this.controllers.values()) {
      if (other === adv || !this.inRange(adv.address, other.address)) continue;
      if (other.radio.initiatesTo(view, other.addressBytes) && other.hasRoomForConnection() && adv.hasRoomForConnection()) return true;
      if (other.radio.reportsFor(view, other.addressBytes).length > 0) return true;
    }
    return false;
  }

  /** One advertising event: the first initiator in range connects, otherwise every scanner in range hears it. */
  private advertisingEvent(adv: VirtualController): void {
    this.advertisingTimers.delete(adv);
    this.lastAdvertisingEvent.set(adv, this.clock.now());
    if (adv.radio.advertisingEnabled && !adv.isDetached) {
      const view = adv.radio.advertiserView();
      const hearers = [...this.controllers.values()].filter((o) => o !== adv && this.inRange(adv.address, o.address));
      const initiator = hearers.find((o) => o.radio.initiatesTo(view, o.addressBytes) && o.hasRoomForConnection() && adv.hasRoomForConnection());
      if (initiator) {
        this.connect(initiator, adv);
      } else {
        for (const scanner of hearers) scanner.advertisingSeen(view, this.rssi(adv.address, scanner.address));
      }
    }
    this.planAdvertising();
  }

  private connect(central: VirtualController, peripheral: VirtualController): void {
    const initiating = central.radio.initiating;
    if (!initiating) return;
    const peripheralView = peripheral.radio.advertiserView();
    const centralOwn = central.radio.ownAddress(initiating.ownAddressType);
    const link = new AirLink(central, peripheral, {
      id: this.nextLinkId++,
      clock: this.clock,
      intervalMs: this.timing.connectionIntervalMs,
      packetsPerEvent: () => this.timing.packetsPerEvent,
      latencyMs: () => this.timing.latencyMs,
      supervisionTimeoutMs: this.timing.supervisionTimeoutMs,
      queueLimit: Math.max(central.buffers.aclBufferCount, peripheral.buffers.aclBufferCount),
      octets: {
        central: Math.min(central.suggestedTxOctets, CONTROLLER_PROFILE.maxDataOctets),
        peripheral: Math.min(peripheral.suggestedTxOctets, CONTROLLER_PROFILE.maxDataOctets),
      },
      onClosed: (closed, reason) => this.linkClosed(closed, reason),
    });
    const centralConn = central.attachLink(link, 'central', { address: peripheralView.address, addressType: peripheralView.addressType });
    const peripheralConn = peripheral.attachLink(link, 'peripheral', centralOwn);
    if (!centralConn || !peripheralConn) {
      // No handle free on one side (hasRoomForConnection was checked, so this is defensive).
      link.close({ central: HciStatus.ConnectionLimitExceeded, peripheral: HciStatus.ConnectionLimitExceeded }, HciStatus.ConnectionLimitExceeded);
      return;
    }
    this.links.add(link);
    const centralHandle = centralConn.handle;
    link.centralHandle = centralHandle;
    if (link.octets('central') !== CONTROLLER_PROFILE.minDataOctets || link.octets('peripheral') !== CONTROLLER_PROFILE.minDataOctets) {
      link.atNextEvent(() => {
        link.end('central')?.dataLengthChanged(link);
        link.end('peripheral')?.dataLengthChanged(link);
      });
    }
    if (!this.inRange(central.address, peripheral.address)) link.setOutOfRange(true);
    this.trace(central.address, 'connect', { peripheral: peripheral.address, handle: centralHandle, peripheralHandle: peripheralConn.handle });
    this.events.emit('connect', central.address, peripheral.address, centralHandle);
  }

  private linkClosed(link: AirLink, reason: number): void {
    if (!this.links.delete(link)) return;
    this.trace('air', 'disconnect', { link: link.id, handle: link.centralHandle, reason });
    this.events.emit('disconnect', link.centralHandle, reason);
    this.planAdvertising();
  }

  private rssi(a: string, b: string): number {
    const key = pairKey(a, b);
    let base = this.rssiBase.get(key);
    if (base === undefined) {
      base = this.random.int(-70, -40);
      this.rssiBase.set(key, base);
    }
    return base + this.random.int(-2, 2);
  }

  private trace(controller: string, what: string, detail: Record<string, string | number>): void {
    this.log?.({ t: this.clock.now(), controller, kind: 'air', what, detail });
  }
}

function pairKey(a: string, b: string): string {
  return a < b ? `${a}|${b}` : `${b}|${a}`;
}

export type { Side };
