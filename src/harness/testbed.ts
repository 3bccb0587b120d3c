/**
 * The testbed: one simulated phone, one PC and the link between them, on a
 * shared clock, ready for a scenario, a fuzz run or a benchmark. It owns
 * wiring only: what to do with the phone and the PC is the caller's.
 */
import type { GattPeer } from '../link/ble';
import { pairAsUser, type ScenarioBed } from './scenario-bed';
import { VirtualClock } from '../link/virtual-clock';
import { MemoryAir, MemoryCentral, MemoryPeripheral } from '../link/memory';
import { MemoryClassicAir, MemoryClassicClient, MemoryClassicHost } from '../link/memory/classic';
import { MemoryScoLink, dropScoWithAcl } from '../link/memory/sco';
import type { HandsFreeOptions } from '../sim-pc/hfp/hands-free-types';
import { COD_AUDIO_VIDEO_HANDS_FREE, ClassOfDevice } from '../link/classic';
import type { PduTapEvent } from '../link/memory/air-events';
import { BleLinkModel } from '../link/link-model';
import { SimulatedPhone, PhoneProfile, loadPhoneProfile } from '../sim-phone';
import { PhoneLink } from '../sim-pc';
import type { PhoneLinkOptions } from '../sim-pc/phone-link';
import type { BackoffPolicy } from '../sim-pc';
import { Random } from '../util/random';
import type { CountryCode } from 'libphonenumber-js';
import { CaptureRecorder } from '../link/capture';
import { PDU_LOG_LIMIT } from '../limits';
import { PduLog } from './pdu-log';

/**
 * Transports the suite runs on: `memory` (this testbed, virtual time, every
 * profile) and `hci` (noble and bleno on the virtual HCI controller, wall
 * time, notifications only: see hci-testbed.ts).
 */
export const TRANSPORTS = ['memory', 'hci'] as const;
export type TransportName = (typeof TRANSPORTS)[number];

export class TestbedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TestbedError';
  }
}

export interface TestbedOptions {
  /** Phone profile id, path or loaded profile. Default "iphone". */
  phone?: string | PhoneProfile;
  transport?: string;
  seed?: number;
  /** Overrides of the phone profile's link model (fuzzing varies MTU and interval). */
  linkModel?: Partial<BleLinkModel>;
  /** The PC's largest ATT MTU offer. Default 517. */
  pcMaxMtu?: number;
  pcAddress?: string;
  backoff?: BackoffPolicy;
  /** The PC's Class of Device on BR/EDR (iOS offers PBAP/MAP only to Audio/Video Hands-free). */
  pcClassOfDevice?: ClassOfDevice;
  /** Region for national-form numbers in the PC's contacts. Default 'GB'. */
  numberRegion?: CountryCode;
  /** Keep a log of every PDU the link delivers (for timing and fragment checks). Default true. */
  recordPdus?: boolean;
  /** Bound on the PDU log; older entries are dropped. Default 200,000. */
  pduLogLimit?: number;
  /** One-way latency of the SCO (call audio) link, ms. Default DEFAULT_TESTBED_SCO_LATENCY_MS. */
  scoLatencyMs?: number;
  /** Loss rate of the SCO link (0..1). Default 0. */
  scoLossRate?: number;
  /** The PC's hands-free settings (e.g. `codecs: [1]` for a CVSD-only PC). */
  handsFree?: Omit<HandsFreeOptions, 'channel' | 'clock'>;
  /** PC bounds to override (the fault list, the notification list). */
  pcLimits?: Pick<PhoneLinkOptions, 'maxFaults' | 'maxNotifications'>;
  /** Write a btsnoop capture of both links (as the PC's HCI would log them) to this file; closed by shutdown(). */
  capture?: string;
}

/** One-way SCO latency the testbed uses unless told otherwise (the in-memory link's own default). */
export const DEFAULT_TESTBED_SCO_LATENCY_MS = 10;

export const DEFAULT_PC_ADDRESS = 'AA:BB:CC:DD:EE:01';

export class Testbed implements ScenarioBed {
  readonly clock: VirtualClock;
  readonly air: MemoryAir;
  readonly profile: PhoneProfile;
  readonly model: BleLinkModel;
  readonly peripheral: MemoryPeripheral;
  readonly central: MemoryCentral;
  /** BR/EDR: the classic medium, the phone's host and the PC's client (present when the profile has a `classic` section). */
  readonly classicAir: MemoryClassicAir;
  readonly classicHost: MemoryClassicHost | undefined;
  readonly classicClient: MemoryClassicClient | undefined;
  /** The SCO medium for call audio; its channels drop with the ACL link between the same devices. */
  readonly sco: MemoryScoLink;
  readonly phone: SimulatedPhone;
  readonly pc: PhoneLink;
  readonly pcAddress: string;
  readonly transport: 'memory';
  /** The in-memory link answers within the model: no host turnaround. */
  readonly hostTurnaroundEvents = 0;
  /** PDUs the link delivered, oldest first, bounded by `pduLogLimit` (the oldest dropped and counted). */
  readonly pduLog: PduLog<PduTapEvent>;
  /** The btsnoop recorder, when the `capture` option asked for one. */
  readonly capture: CaptureRecorder | undefined;
  private pcStarted = false;

  constructor(options: TestbedOptions = {}) {
    const transport = options.transport ?? 'memory';
    if (transport !== 'memory') {
      throw new TestbedError(
        (TRANSPORTS as readonly string[]).includes(transport)
          ? `the in-memory testbed cannot run the "${transport}" transport (open it with openScenarioBed)`
          : `unknown transport "${transport}" (available: ${TRANSPORTS.join(', ')})`,
      );
    }
    this.transport = transport;
    const seed = options.seed ?? 1;
    this.clock = new VirtualClock({ seed });
    this.profile = typeof options.phone === 'object' ? options.phone : loadPhoneProfile(options.phone ?? 'iphone');
    this.model = { ...this.profile.ble, ...options.linkModel };
    this.air = new MemoryAir(this.clock, { seed });
    this.peripheral = this.air.createPeripheral({ address: this.profile.address, model: this.model });
    this.pcAddress = options.pcAddress ?? DEFAULT_PC_ADDRESS;
    this.central = this.air.createCentral({ address: this.pcAddress, maxMtu: options.pcMaxMtu ?? 517 });
    this.classicAir = new MemoryClassicAir(this.clock, { seed });
    const classic = this.profile.classic;
    this.classicHost = classic
      ? this.classicAir.createHost({ address: this.profile.address, name: classic.name, classOfDevice: classic.classOfDevice, model: classic.link })
      : undefined;
    this.classicClient = classic
      ? this.classicAir.createClient({ address: this.pcAddress, classOfDevice: options.pcClassOfDevice ?? COD_AUDIO_VIDEO_HANDS_FREE })
      : undefined;
    this.sco = new MemoryScoLink(this.clock, {
      seed,
      latencyMs: options.scoLatencyMs ?? DEFAULT_TESTBED_SCO_LATENCY_MS,
      lossRate: options.scoLossRate ?? 0,
    });
    dropScoWithAcl(this.sco, this.classicAir);
    this.phone = new SimulatedPhone({
      host: this.peripheral,
      clock: this.clock,
      profile: this.profile,
      ...(this.classicHost ? { classicHost: this.classicHost, scoEndpoint: this.sco.endpoint(this.profile.address, 'phone') } : {}),
    });
    this.pc = new PhoneLink({
      ...options.pcLimits,
      central: this.central,
      phoneAddress: this.profile.address,
      clock: this.clock,
      random: new Random(seed ^ 0x5eed),
      // The simulated phone writes ANCS dates and call times in UTC (see sim-phone/ancs-replies.ts).
      ancs: { dateZone: 'utc' },
      ...(this.classicClient ? { classic: this.classicClient } : {}),
      contacts: { defaultRegion: options.numberRegion ?? 'GB' },
      callLog: { dateZone: 'utc' },
      // The simulated phones write zone-less message times in UTC (their profile's offset is 0) or with an offset.
      inbox: { dateZone: 'utc' },
      ...(options.backoff ? { backoff: options.backoff } : {}),
      ...(this.classicClient ? { sco: this.sco.endpoint(this.pcAddress, 'pc') } : {}),
      ...(options.handsFree ? { handsFree: options.handsFree } : {}),
    });
    this.pduLog = new PduLog(options.pduLogLimit ?? PDU_LOG_LIMIT);
    if (options.recordPdus ?? true) this.air.events.on('pdu', (pdu) => this.pduLog.push(pdu));
    // ---- capture (src/link/capture): attached before anything moves on either link ----
    this.capture = options.capture !== undefined ? CaptureRecorder.toFile(this, options.capture) : undefined;
    this.phone.start();
  }

  /** The PDUs the log still holds, oldest first. */
  get pdus(): readonly PduTapEvent[] {
    return this.pduLog.entries;
  }

  /** Whether the phone's user accepts a BLE pairing request. */
  setPairingPolicy(policy: (peer: GattPeer) => boolean): void {
    this.peripheral.setPairingPolicy(policy);
  }

  /** The phone walks out of range of the PC for `ms`: both radios, BLE and BR/EDR, go quiet. */
  outOfRange(ms: number): void {
    this.air.faults.outOfRange(ms);
    this.classicAir.faults.outOfRange(ms);
  }

  /** Every link between the phone and the PC drops now. */
  dropLinks(): void {
    this.air.faults.dropLink();
    this.classicAir.faults.dropLink();
  }

  /** Pairs the PC with the phone the way a user does: connect, pair and bond, disconnect. */
  async pair(timeoutMs = 10_000): Promise<void> {
    await pairAsUser(this.central, this.profile.address, this.clock, timeoutMs);
  }

  /** Starts the PC (it connects and keeps reconnecting) and waits until it is connected. */
  async connectPc(timeoutMs = 10_000): Promise<number> {
    this.startPc();
    return this.clock.runUntil(() => this.pc.health().connected, timeoutMs);
  }

  /** Starts the PC without waiting for anything. */
  startPc(): void {
    if (this.pcStarted) return;
    this.pcStarted = true;
    void this.pc.start();
  }

  /** Stops the PC and runs the clock until nothing is pending. */
  async shutdown(): Promise<void> {
    const stopping = this.pc.stop();
    this.phone.stop();
    await this.clock.runUntilIdle({ until: this.clock.now() + 600_000 });
    await stopping;
    this.capture?.close();
  }
}
