/**
 * The PC's LE radio on the in-memory air: scanning (every peripheral seen
 * advertising in range during the scan window) and connecting (a connection
 * is set up model.connectSetupMs after the target is found advertising in
 * range, or the attempt fails with `link.connect-timeout`). Holds the PC's
 * bond store and its open connections.
 */
import { BleCentral, MemoryBondStore, ScanResult, normalizeAddress } from '../ble';
import { Timer } from '../clock';
import { LinkError, QueueFullError } from '../errors';
import { ATT_DEFAULT_MTU, ATT_MAX_MTU } from '../link-model';
import type { MemoryAir } from './memory-air';
import type { MemoryConnection } from './memory-connection';
import type { MemoryLink } from './memory-link';
import type { MemoryPeripheral } from './memory-peripheral';
import { MEMORY_MAX_PENDING_CONNECTS } from '../../limits';

export interface MemoryCentralOptions {
  address: string;
  /** Largest ATT MTU this PC offers (default 517). */
  maxMtu?: number;
}

export interface ConnectOptions {
  /** Give up after this long (default 5000 ms). */
  timeoutMs?: number;
}

/** Connection attempts one central may have pending at once. */
export const MAX_PENDING_CONNECTS = MEMORY_MAX_PENDING_CONNECTS;
/** Scans one central may run at once. */
export const MAX_CONCURRENT_SCANS = 8;
/** Signal strength reported for every in-range advertiser. */
export const IN_RANGE_RSSI = -60;

interface ConnectAttempt {
  address: string;
  deadline: Timer;
  setup: Timer | undefined;
  resolve(connection: MemoryConnection): void;
  reject(error: LinkError): void;
}

interface ActiveScan {
  seen: Map<string, ScanResult>;
}

export class MemoryCentral implements BleCentral {
  readonly address: string;
  readonly maxMtu: number;
  /** Long-term keys this PC holds, by phone address. */
  readonly bonds = new MemoryBondStore();
  private readonly attempts = new Map<string, ConnectAttempt>();
  private readonly links = new Map<string, MemoryLink>();
  private readonly scans = new Set<ActiveScan>();

  constructor(
    private readonly air: MemoryAir,
    options: MemoryCentralOptions,
  ) {
    this.address = normalizeAddress(options.address);
    const maxMtu = options.maxMtu ?? ATT_MAX_MTU;
    if (!(Number.isInteger(maxMtu) && maxMtu >= ATT_DEFAULT_MTU && maxMtu <= ATT_MAX_MTU)) {
      throw new RangeError(`max MTU ${maxMtu} is outside ${ATT_DEFAULT_MTU}..${ATT_MAX_MTU}`);
    }
    this.maxMtu = maxMtu;
  }

  /** Open connections from this central. */
  connections(): MemoryConnection[] {
    return [...this.links.values()].map((link) => link.connection);
  }

  /** Scans for `durationMs`; resolves with every peripheral seen advertising in range meanwhile. */
  scan(durationMs: number): Promise<ScanResult[]> {
    if (this.scans.size >= MAX_CONCURRENT_SCANS) {
      return Promise.reject(new QueueFullError('scan', MAX_CONCURRENT_SCANS));
    }
    const scan: ActiveScan = { seen: new Map() };
    this.scans.add(scan);
    this.observe(scan);
    return new Promise((resolve) => {
      this.air.clock.schedule(Math.max(0, durationMs), () => {
        this.observe(scan);
        this.scans.delete(scan);
        resolve([...scan.seen.values()]);
      });
    });
  }

  /**
   * Connects to a peripheral. Rejects with `link.connect-timeout` when it is
   * not found advertising in range in time, `link.already-connected` when
   * this central already has a link to it, `link.busy` when an attempt to it
   * is pending.
   */
  connect(address: string, options: ConnectOptions = {}): Promise<MemoryConnection> {
    let target: string;
    try {
      target = normalizeAddress(address);
    } catch {
      return Promise.reject(new LinkError('link.bad-argument', `not a device address: ${address}`));
    }
    if (this.links.has(target)) {
      return Promise.reject(new LinkError('link.already-connected', `${this.address} is already connected to ${target}`));
    }
    if (this.attempts.has(target)) {
      return Promise.reject(new LinkError('link.busy', `a connection to ${target} is already being set up`));
    }
    if (this.attempts.size >= MAX_PENDING_CONNECTS) {
      return Promise.reject(new QueueFullError('connect', MAX_PENDING_CONNECTS));
    }
    const timeoutMs = Math.max(0, options.timeoutMs ?? 5000);
    return new Promise<MemoryConnection>((resolve, reject) => {
      const attempt: ConnectAttempt = {
        address: target,
        setup: undefined,
        resolve,
        reject,
        deadline: this.air.clock.schedule(timeoutMs, () => {
          attempt.setup?.cancel();
          this.attempts.delete(target);
          reject(new LinkError('link.connect-timeout', `no connection to ${target} within ${timeoutMs} ms`));
        }),
      };
      this.attempts.set(target, attempt);
      this.tryConnect(attempt);
    });
  }

  // ---- used by the rest of memory/ ----

  /** Advertising or range changed somewhere: progress pending attempts and scans. */
  airChanged(): void {
    for (const attempt of [...this.attempts.values()]) this.tryConnect(attempt);
    for (const scan of this.scans) this.observe(scan);
  }

  detachLink(link: MemoryLink): void {
    if (this.links.get(link.peripheral.address) === link) this.links.delete(link.peripheral.address);
  }

  private reachable(address: string): MemoryPeripheral | undefined {
    const peripheral = this.air.peripheral(address);
    if (!peripheral || !peripheral.isAdvertising) return undefined;
    return this.air.inRange(peripheral, this) ? peripheral : undefined;
  }

  /** Starts connection setup when the target is advertising in range. */
  private tryConnect(attempt: ConnectAttempt): void {
    if (attempt.setup) return;
    const peripheral = this.reachable(attempt.address);
    if (!peripheral) return;
    attempt.setup = this.air.clock.schedule(peripheral.model.connectSetupMs, () => {
      attempt.setup = undefined;
      // Still there? If not, wait for the next change.
      if (!this.reachable(attempt.address)) return;
      attempt.deadline.cancel();
      this.attempts.delete(attempt.address);
      const link = this.air.openLink(this, peripheral);
      this.links.set(peripheral.address, link);
      attempt.resolve(link.connection);
      link.peripheral.attachLink(link);
    });
  }

  private observe(scan: ActiveScan): void {
    for (const peripheral of this.air.peripherals()) {
      if (scan.seen.has(peripheral.address) || !this.air.inRange(peripheral, this)) continue;
      const advertisement = peripheral.advertisement();
      if (advertisement) scan.seen.set(peripheral.address, { address: peripheral.address, rssi: IN_RANGE_RSSI, advertisement });
    }
  }
}
