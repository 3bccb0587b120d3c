/**
 * The PC's LE radio on noble: `BleCentral` over noble's HCI bindings on the
 * controller chosen by flag. Starts noble and waits for it to power on;
 * scans (one noble scan shared by every caller, each filtering what it saw
 * by service or solicitation UUID); connects by address, scanning first when
 * noble has not seen the peer yet, offering `maxMtu` in noble's own MTU
 * exchange; keeps the keys phones distribute when pairing as its bonds;
 * closes everything on `close()`.
 *
 * noble runs on wall time; every timeout here goes through the Clock given.
 */
import type { Noble, Peripheral } from '@stoprocent/noble';
import { AdvertisingData, BleCentral, BondStore, MemoryBondStore, ScanResult, Uuid, normalizeAddress } from '../../ble';
import { Clock, RealClock, Timer } from '../../clock';
import { LinkError, QueueFullError } from '../../errors';
import { ATT_DEFAULT_MTU, ATT_MAX_MTU } from '../../link-model';
import { Emitter } from '../../../util/emitter';
import type { HciBindingsOptions } from './controller-select';
import { NobleConnection } from './noble-connection';
import { tryFromLibraryUuid } from './uuid-form';

type NobleModule = typeof import('@stoprocent/noble');

export interface NobleCentralOptions {
  /** Which controller noble uses (see controller-select.ts). */
  controller: HciBindingsOptions;
  clock?: Clock;
  /** The MTU noble offers in its Exchange MTU on each connection (default 517). */
  maxMtu?: number;
  /** Give up when noble is not powered on within this long (default 15000 ms). */
  startTimeoutMs?: number;
  /** ATT transaction timeout (default 30000 ms); an unanswered request drops the link. */
  requestTimeoutMs?: number;
  /** How long a pairing or an encryption may take (default 10000 ms). */
  pairingTimeoutMs?: number;
  /** How long disconnect() waits for the controller (default 5000 ms). */
  disconnectTimeoutMs?: number;
}

export interface HciConnectOptions {
  /** Give up after this long (default 5000 ms). */
  timeoutMs?: number;
}

export interface ScanFilter {
  /** Keep advertisers listing any of these service UUIDs. */
  serviceUuids?: Uuid[];
  /** Keep advertisers soliciting any of these UUIDs (ANCS accessories look for this). */
  solicitationUuids?: Uuid[];
}

/** Connection attempts pending at once. */
export const MAX_PENDING_CONNECTS = 8;
/** Scans running at once. */
export const MAX_CONCURRENT_SCANS = 8;
/** Advertisers remembered (for connecting by address and for scan results); the longest unseen are forgotten first. */
export const MAX_KNOWN_PERIPHERALS = 1024;

interface ScanSession {
  seen: Map<string, Peripheral>;
}

interface Attempt {
  address: string;
  deadline: Timer;
  started: boolean;
  resolve(connection: NobleConnection): void;
  reject(error: LinkError): void;
}

export interface NobleCentralEvents {
  /** A listener (notification, connection event) threw; the link carries on. */
  handlerError: [error: unknown, characteristic: Uuid | undefined];
}

export class NobleCentral implements BleCentral {
  readonly hostEvents = new Emitter<NobleCentralEvents>();
  /** Keys the phones distributed when pairing (LTK, EDIV, Rand), by phone address. */
  readonly bonds: BondStore = new MemoryBondStore();
  private readonly known = new Map<string, Peripheral>();
  private readonly scans = new Set<ScanSession>();
  private readonly attempts = new Map<string, Attempt>();
  private readonly links = new Map<string, NobleConnection>();
  private scanning = false;
  private closed = false;
  private readonly maxMtu: number;

  private constructor(
    private readonly noble: Noble,
    readonly address: string,
    private readonly clock: Clock,
    private readonly options: NobleCentralOptions,
  ) {
    const maxMtu = options.maxMtu ?? ATT_MAX_MTU;
    if (!(Number.isInteger(maxMtu) && maxMtu >= ATT_DEFAULT_MTU && maxMtu <= ATT_MAX_MTU)) {
      throw new RangeError(`max MTU ${maxMtu} is outside ${ATT_DEFAULT_MTU}..${ATT_MAX_MTU}`);
    }
    this.maxMtu = maxMtu;
    noble.on('discover', (peripheral: Peripheral) => this.onDiscover(peripheral));
    noble.on('scanStop', () => {
      this.scanning = false;
      this.updateScanning();
    });
  }

  /**
   * Loads noble on the controller and resolves once it is powered on.
   * Rejects with LinkError `link.controller-unavailable` (noble says the
   * adapter is unsupported or unauthorized), `link.controller-timeout`, or
   * `link.library-unavailable` (noble or its native driver failed to load).
   */
  static start(options: NobleCentralOptions): Promise<NobleCentral> {
    const clock = options.clock ?? new RealClock();
    let noble: Noble;
    try {
      const lib = require('@stoprocent/noble') as NobleModule;
      noble = lib.withBindings('hci', options.controller);
    } catch (error) {
      return Promise.reject(new LinkError('link.library-unavailable', `noble could not be loaded: ${error instanceof Error ? error.message : String(error)}`));
    }
    const timeoutMs = options.startTimeoutMs ?? 15_000;
    return new Promise<NobleCentral>((resolve, reject) => {
      let settled = false;
      const fail = (error: LinkError): void => {
        if (settled) return;
        settled = true;
        timer.cancel();
        noble.removeListener('stateChange', onState);
        stopNoble(noble);
        reject(error);
      };
      const onState = (state: string): void => {
        if (settled) return;
        if (state === 'unsupported' || state === 'unauthorized') {
          fail(new LinkError('link.controller-unavailable', `noble cannot use the controller: ${state}`));
          return;
        }
        if (state !== 'poweredOn') return;
        let address: string;
        try {
          address = normalizeAddress(noble.address);
        } catch {
          fail(new LinkError('link.no-address', `noble reported no usable controller address (${String(noble.address)})`));
          return;
        }
        settled = true;
        timer.cancel();
        noble.removeListener('stateChange', onState);
        try {
          resolve(new NobleCentral(noble, address, clock, options));
        } catch (error) {
          stopNoble(noble);
          reject(error);
        }
      };
      const timer = clock.schedule(timeoutMs, () => fail(new LinkError('link.controller-timeout', `noble was not powered on within ${timeoutMs} ms`)));
      noble.on('stateChange', onState);
    });
  }

  /** Open connections. */
  connections(): NobleConnection[] {
    return [...this.links.values()];
  }

  /**
   * Scans for `durationMs` and resolves with every advertiser seen meanwhile
   * (advertising data and scan response merged), optionally only those
   * listing or soliciting one of the filter's UUIDs.
   */
  scan(durationMs: number, filter: ScanFilter = {}): Promise<ScanResult[]> {
    if (this.closed) return Promise.reject(new LinkError('link.closed', 'the central is closed'));
    if (this.scans.size >= MAX_CONCURRENT_SCANS) return Promise.reject(new QueueFullError('scan', MAX_CONCURRENT_SCANS));
    const session: ScanSession = { seen: new Map() };
    this.scans.add(session);
    this.updateScanning();
    return new Promise((resolve) => {
      this.clock.schedule(Math.max(0, durationMs), () => {
        this.scans.delete(session);
        this.updateScanning();
        const results: ScanResult[] = [];
        for (const [address, peripheral] of session.seen) {
          const advertisement = advertisementOf(peripheral);
          if (matches(advertisement, filter)) results.push({ address, rssi: peripheral.rssi, advertisement });
        }
        resolve(results);
      });
    });
  }

  /**
   * Connects. Rejects with LinkError: `link.connect-timeout` when the peer
   * was not found advertising or did not answer in time, `link.connect-failed`
   * when the controller refused, `link.already-connected`, `link.busy` (an
   * attempt to it is pending), `link.bad-argument`, or QueueFullError.
   */
  connect(address: string, options: HciConnectOptions = {}): Promise<NobleConnection> {
    let target: string;
    try {
      target = normalizeAddress(address);
    } catch {
      return Promise.reject(new LinkError('link.bad-argument', `not a device address: ${address}`));
    }
    if (this.closed) return Promise.reject(new LinkError('link.closed', 'the central is closed'));
    if (this.links.has(target)) return Promise.reject(new LinkError('link.already-connected', `${this.address} is already connected to ${target}`));
    if (this.attempts.has(target)) return Promise.reject(new LinkError('link.busy', `a connection to ${target} is already being set up`));
    if (this.attempts.size >= MAX_PENDING_CONNECTS) return Promise.reject(new QueueFullError('connect', MAX_PENDING_CONNECTS));
    const timeoutMs = Math.max(0, options.timeoutMs ?? 5000);
    return new Promise<NobleConnection>((resolve, reject) => {
      const attempt: Attempt = {
        address: target,
        started: false,
        resolve,
        reject,
        deadline: this.clock.schedule(timeoutMs, () => {
          this.attempts.delete(target);
          const peripheral = this.known.get(target);
          if (attempt.started && peripheral) {
            try {
              peripheral.cancelConnect();
            } catch {
              // The link may come up anyway; connected() then drops it.
            }
          }
          this.updateScanning();
          reject(new LinkError('link.connect-timeout', `no connection to ${target} within ${timeoutMs} ms`));
        }),
      };
      this.attempts.set(target, attempt);
      const peripheral = this.known.get(target);
      if (peripheral) this.startConnect(attempt, peripheral);
      else this.updateScanning();
    });
  }

  /** Disconnects every link, stops scanning and stops noble. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const attempt of [...this.attempts.values()]) {
      attempt.deadline.cancel();
      attempt.reject(new LinkError('link.closed', 'the central was closed'));
    }
    this.attempts.clear();
    this.scans.clear();
    await Promise.all([...this.links.values()].map((link) => link.disconnect()));
    stopNoble(this.noble);
    this.noble.removeAllListeners();
  }

  private onDiscover(peripheral: Peripheral): void {
    let address: string;
    try {
      address = normalizeAddress(peripheral.address);
    } catch {
      return;
    }
    // Most recently seen last; the longest unseen go first when there are too many.
    this.known.delete(address);
    this.known.set(address, peripheral);
    if (this.known.size > MAX_KNOWN_PERIPHERALS) this.forgetOldest();
    for (const session of this.scans) if (session.seen.size < MAX_KNOWN_PERIPHERALS) session.seen.set(address, peripheral);
    const attempt = this.attempts.get(address);
    if (attempt && !attempt.started) this.startConnect(attempt, peripheral);
  }

  private forgetOldest(): void {
    for (const address of this.known.keys()) {
      if (this.links.has(address) || this.attempts.has(address)) continue;
      this.known.delete(address);
      return;
    }
  }

  private startConnect(attempt: Attempt, peripheral: Peripheral): void {
    attempt.started = true;
    // noble's typings omit the options argument its connect() takes; `mtu` is its Exchange MTU offer.
    const connect = peripheral.connect as unknown as (this: Peripheral, options: { mtu: number }, callback: (error?: Error) => void) => void;
    connect.call(peripheral, { mtu: this.maxMtu }, (error) => {
      const current = this.attempts.get(attempt.address) === attempt;
      if (error) {
        if (!current) return;
        this.attempts.delete(attempt.address);
        attempt.deadline.cancel();
        this.updateScanning();
        attempt.reject(new LinkError('link.connect-failed', `connecting to ${attempt.address} failed: ${error.message}`));
        return;
      }
      this.connected(attempt, peripheral, current);
    });
  }

  private connected(attempt: Attempt, peripheral: Peripheral, current: boolean): void {
    const connection = new NobleConnection({
      noble: this.noble,
      peripheral,
      peerAddress: attempt.address,
      clock: this.clock,
      bonds: this.bonds,
      requestTimeoutMs: this.options.requestTimeoutMs ?? 30_000,
      pairingTimeoutMs: this.options.pairingTimeoutMs ?? 10_000,
      disconnectTimeoutMs: this.options.disconnectTimeoutMs ?? 5000,
      onEnd: (link) => {
        if (this.links.get(link.peerAddress) === link) this.links.delete(link.peerAddress);
      },
      onHandlerError: (error, characteristic) => this.hostEvents.emit('handlerError', error, characteristic),
    });
    if (!current || this.closed) {
      // The attempt timed out (or the central closed) while the link came up.
      void connection.disconnect();
      return;
    }
    this.attempts.delete(attempt.address);
    attempt.deadline.cancel();
    this.links.set(attempt.address, connection);
    this.updateScanning();
    attempt.resolve(connection);
  }

  /** Scans while a scan session or a connect attempt waiting for its peer needs it. */
  private updateScanning(): void {
    if (this.closed) return;
    const waiting = [...this.attempts.values()].some((a) => !a.started);
    const connecting = [...this.attempts.values()].some((a) => a.started);
    const wanted = this.scans.size > 0 || waiting;
    // noble stops scanning to connect; resume once no connection is being set up.
    if (wanted && !this.scanning && !connecting) {
      this.scanning = true;
      this.noble.startScanning([], false, (error?: Error) => {
        if (error) this.scanning = false;
      });
    } else if (!wanted && this.scanning) {
      this.scanning = false;
      this.noble.stopScanning();
    }
  }
}

function advertisementOf(peripheral: Peripheral): AdvertisingData {
  const ad = peripheral.advertisement;
  const uuids = (list: unknown): Uuid[] => {
    if (!Array.isArray(list)) return [];
    const out: Uuid[] = [];
    for (const u of list) {
      const uuid = typeof u === 'string' ? tryFromLibraryUuid(u) : undefined;
      if (uuid && !out.includes(uuid)) out.push(uuid);
    }
    return out;
  };
  const result: AdvertisingData = {};
  if (typeof ad.localName === 'string') result.localName = ad.localName;
  const services = uuids(ad.serviceUuids);
  if (services.length > 0) result.serviceUuids = services;
  const solicited = uuids(ad.serviceSolicitationUuids);
  if (solicited.length > 0) result.solicitationUuids = solicited;
  if (ad.manufacturerData instanceof Uint8Array) result.manufacturerData = new Uint8Array(ad.manufacturerData);
  return result;
}

function matches(ad: AdvertisingData, filter: ScanFilter): boolean {
  const services = filter.serviceUuids ?? [];
  const solicited = filter.solicitationUuids ?? [];
  if (services.length === 0 && solicited.length === 0) return true;
  const want = (list: Uuid[], have: Uuid[] | undefined): boolean =>
    list.some((u) => {
      const uuid = tryFromLibraryUuid(u);
      return uuid !== undefined && (have ?? []).includes(uuid);
    });
  return want(services, ad.serviceUuids) || want(solicited, ad.solicitationUuids);
}

function stopNoble(noble: Noble): void {
  try {
    noble.stop();
  } catch {
    // Already stopped or never started.
  }
}
