/**
 * The PC's BR/EDR radio on the in-memory classic air: discovery (page the
 * phone, then an SDP search costing model.sdpQueryMs) and connecting (page,
 * then model.connectSetupMs of ACL setup). Both wait, up to the page
 * timeout, for the phone to be on and in range, and the step completes only
 * if it still is at the end. Holds the PC's bond store and connections, and
 * the PC's own service records and channel acceptors (MAP's notification
 * server, which the phone connects back to).
 */
import { ByteChannel, ClassOfDevice, ClassicClient, ClassicDeviceInfo, ServiceRecord } from '../../classic';
import { MemoryBondStore, normalizeAddress } from '../../ble';
import { Timer } from '../../clock';
import { LinkError, QueueFullError } from '../../errors';
import { RFCOMM_MAX_FRAME_SIZE, RFCOMM_MIN_FRAME_SIZE } from '../../classic-model';
import type { MemoryClassicAir } from './classic-air';
import type { MemoryClassicConnection } from './classic-connection';
import type { MemoryClassicHost } from './classic-host';
import { checkChannel, checkClassOfDevice, copyRecord } from './classic-host';
import type { MemoryClassicLink } from './classic-link';
import { CLASSIC_PAGE_TIMEOUT_MS, CLASSIC_MAX_PENDING_PAGES } from '../../../limits';

/** Decides a channel the phone opens to the PC. */
export type ClientChannelAcceptor = (peerAddress: string, channel: ByteChannel) => boolean;

export interface MemoryClassicClientOptions {
  address: string;
  /** The PC's name, as the phone's SDP search of it reports (default "PC"). */
  name?: string;
  classOfDevice: ClassOfDevice;
  /** Largest RFCOMM frame this PC offers (default 32767, so the phone's offer decides). */
  maxFrameSize?: number;
  /** How long a page waits for the phone before giving up (default 5120 ms, the HCI default). */
  pageTimeoutMs?: number;
}

export const DEFAULT_PAGE_TIMEOUT_MS = CLASSIC_PAGE_TIMEOUT_MS;
/** Discoveries and connects one PC may have pending at once. */
export const MAX_PENDING_PAGES = CLASSIC_MAX_PENDING_PAGES;

interface PageAttempt {
  address: string;
  /** Time the step takes once the phone is reachable. */
  stepMs(host: MemoryClassicHost): number;
  deadline: Timer;
  step: Timer | undefined;
  complete(host: MemoryClassicHost): void;
}

export class MemoryClassicClient implements ClassicClient {
  readonly address: string;
  readonly classOfDevice: ClassOfDevice;
  readonly maxFrameSize: number;
  readonly pageTimeoutMs: number;
  /** Link keys this PC holds, by phone address. */
  readonly bonds = new MemoryBondStore();
  private readonly attempts = new Set<PageAttempt>();
  /** Connects under way, by phone address; a second connect joins the first. */
  private readonly connecting = new Map<string, Promise<MemoryClassicConnection>>();
  private readonly links = new Map<string, MemoryClassicLink>();
  private readonly records = new Map<number, ServiceRecord>();
  private readonly acceptors = new Map<number, ClientChannelAcceptor>();
  private readonly deviceName: string;

  constructor(
    private readonly air: MemoryClassicAir,
    options: MemoryClassicClientOptions,
  ) {
    this.address = normalizeAddress(options.address);
    this.classOfDevice = checkClassOfDevice(options.classOfDevice);
    this.deviceName = options.name ?? 'PC';
    const maxFrameSize = options.maxFrameSize ?? RFCOMM_MAX_FRAME_SIZE;
    if (!(Number.isInteger(maxFrameSize) && maxFrameSize >= RFCOMM_MIN_FRAME_SIZE && maxFrameSize <= RFCOMM_MAX_FRAME_SIZE)) {
      throw new RangeError(`max frame size ${maxFrameSize} is outside ${RFCOMM_MIN_FRAME_SIZE}..${RFCOMM_MAX_FRAME_SIZE}`);
    }
    this.maxFrameSize = maxFrameSize;
    const pageTimeoutMs = options.pageTimeoutMs ?? DEFAULT_PAGE_TIMEOUT_MS;
    if (!(Number.isFinite(pageTimeoutMs) && pageTimeoutMs >= 0)) throw new RangeError(`page timeout ${pageTimeoutMs} is not a finite non-negative number`);
    this.pageTimeoutMs = pageTimeoutMs;
  }

  /** Open connections from this PC. */
  connections(): MemoryClassicConnection[] {
    return [...this.links.values()].map((link) => link.connection);
  }

  /**
   * Name, Class of Device and service records of a phone, as they are when
   * the SDP search ends (model.sdpQueryMs after the phone is reachable).
   * Rejects with `link.not-found` when it is not on and in range within the
   * page timeout.
   */
  discover(address: string): Promise<ClassicDeviceInfo> {
    return this.page(address, 'link.not-found', (host) => host.model.sdpQueryMs, (host) => host.info());
  }

  /**
   * Connects to a phone (model.connectSetupMs once it is reachable).
   * Profiles share one ACL connection, as real stacks do: when this PC is
   * already connected to the phone the same connection comes back at once,
   * and a connect while one is being set up joins it. Rejects with
   * `link.connect-timeout` when the phone is not on and in range within the
   * page timeout.
   */
  connect(address: string): Promise<MemoryClassicConnection> {
    let target: string;
    try {
      target = normalizeAddress(address);
    } catch {
      return Promise.reject(new LinkError('link.bad-argument', `not a device address: ${address}`));
    }
    const existing = this.links.get(target);
    if (existing) return Promise.resolve(existing.connection);
    const pending = this.connecting.get(target);
    if (pending) return pending;
    let settled = false;
    const attempt = this.page(
      target,
      'link.connect-timeout',
      (host) => host.model.connectSetupMs,
      (host) => {
        const link = this.air.openLink(this, host);
        this.links.set(host.address, link);
        host.attachLink(link);
        return link.connection;
      },
      () => {
        settled = true;
        this.connecting.delete(target);
      },
    );
    if (!settled) this.connecting.set(target, attempt);
    return attempt;
  }

  /** Publishes a record of the PC's, replacing the one on the same channel. */
  addServiceRecord(record: ServiceRecord): void {
    checkChannel(record.channel);
    this.records.set(record.channel, copyRecord(record));
  }

  removeServiceRecord(channel: number): void {
    this.records.delete(channel);
  }

  /** Accepts channels the phone opens on `channel` (1..30), replacing an earlier acceptor there. */
  listen(channel: number, acceptor: ClientChannelAcceptor): void {
    checkChannel(channel);
    this.acceptors.set(channel, acceptor);
  }

  unlisten(channel: number): void {
    this.acceptors.delete(channel);
  }

  // ---- used by the rest of memory/classic ----

  /** What the phone's SDP search of this PC finds now (copies). */
  info(): ClassicDeviceInfo {
    return {
      address: this.address,
      name: this.deviceName,
      classOfDevice: this.classOfDevice,
      records: [...this.records.values()].sort((a, b) => a.channel - b.channel).map(copyRecord),
    };
  }

  acceptorFor(channel: number): ClientChannelAcceptor | undefined {
    return this.acceptors.get(channel);
  }

  /** Power or range changed somewhere: waiting pages take another look. */
  rangeChanged(): void {
    for (const attempt of [...this.attempts]) this.tryStep(attempt);
  }

  detachLink(link: MemoryClassicLink): void {
    if (this.links.get(link.host.address) === link) this.links.delete(link.host.address);
  }

  private page<T>(
    address: string,
    failCode: string,
    stepMs: (host: MemoryClassicHost) => number,
    finish: (host: MemoryClassicHost) => T,
    settled: () => void = () => undefined,
  ): Promise<T> {
    let target: string;
    try {
      target = normalizeAddress(address);
    } catch {
      settled();
      return Promise.reject(new LinkError('link.bad-argument', `not a device address: ${address}`));
    }
    if (this.attempts.size >= MAX_PENDING_PAGES) {
      settled();
      return Promise.reject(new QueueFullError('page', MAX_PENDING_PAGES));
    }
    return new Promise<T>((resolve, reject) => {
      const attempt: PageAttempt = {
        address: target,
        stepMs,
        step: undefined,
        complete: (host) => {
          settled();
          resolve(finish(host));
        },
        deadline: this.air.clock.schedule(this.pageTimeoutMs, () => {
          attempt.step?.cancel();
          this.attempts.delete(attempt);
          settled();
          reject(new LinkError(failCode, `${target} did not answer a page within ${this.pageTimeoutMs} ms`));
        }),
      };
      this.attempts.add(attempt);
      this.tryStep(attempt);
    });
  }

  private reachable(address: string): MemoryClassicHost | undefined {
    const host = this.air.host(address);
    if (!host || !host.poweredOn) return undefined;
    return this.air.inRange(host, this) ? host : undefined;
  }

  /** Starts the attempt's step when the phone is reachable; completes it if the phone still is at the end. */
  private tryStep(attempt: PageAttempt): void {
    if (attempt.step) return;
    const host = this.reachable(attempt.address);
    if (!host) return;
    attempt.step = this.air.clock.schedule(attempt.stepMs(host), () => {
      attempt.step = undefined;
      // Gone meanwhile? Wait for the next change (or the deadline).
      if (!this.reachable(attempt.address)) return;
      attempt.deadline.cancel();
      this.attempts.delete(attempt);
      attempt.complete(host);
    });
  }
}
