/**
 * The scenario testbed for `--transport hci`: the simulated phone serves
 * ANCS through unmodified bleno (in a child process) and the PC reads it
 * through unmodified noble, each on its own UART to our virtual HCI
 * controller (socat pty pairs), on wall time. The controller paces the link
 * by the phone profile's BLE model; the PDU tap reads ATT out of the ACL
 * traffic at the PC's controller, and with `capture` that traffic is also
 * written as a btsnoop file (the PC's HCI, as noble drove it). Only BLE is carried:
 * contacts, calls and messages stay on the in-memory transport.
 */
import type { GattPeer } from '../link/ble';
import type { BleLinkModel } from '../link/link-model';
import type { PduTapEvent } from '../link/memory/air-events';
import { AttTap } from '../link/hci/att-tap';
import { HciCaptureFile } from '../link/hci/hci-capture';
import { startControllerService, type ControllerService } from '../link/hci/controller/controller-process';
import type { HciTraceEntry } from '../link/hci/controller/hci-trace';
import { createHciCentral, createHciServerHost, type BlenoServerHost, type NobleCentral } from '../link/hci';
import { SimulatedPhone } from '../sim-phone/simulated-phone';
import { loadPhoneProfile, type PhoneProfile } from '../sim-phone/profile';
import { PhoneLink } from '../sim-pc/phone-link';
import { Random } from '../util/random';
import { pairAsUser, type ScenarioBed } from './scenario-bed';
import { DEFAULT_PC_ADDRESS, TestbedError, type TestbedOptions } from './testbed';
import { WallClock } from './wall-clock';
import { PduLog } from './pdu-log';
import { PDU_LOG_LIMIT } from '../limits';


/** The air timing the virtual controller gets from a phone's BLE model (packets per event: the middle of its range). */
export function airTimingFor(model: BleLinkModel): { connectionIntervalMs: number; packetsPerEvent: number; supervisionTimeoutMs: number; llPayloadOctets: number } {
  const [low, high] = model.packetsPerEvent;
  return {
    connectionIntervalMs: model.connectionIntervalMs,
    packetsPerEvent: Math.max(1, Math.round((low + high) / 2)),
    supervisionTimeoutMs: model.supervisionTimeoutMs,
    llPayloadOctets: model.llPayloadOctets,
  };
}

export class HciTestbed implements ScenarioBed {
  readonly transport = 'hci';
  /** bleno hands each write to its parent process, so an answer may miss one connection event. */
  readonly hostTurnaroundEvents = 1;
  private pcStarted = false;
  private closed = false;
  private readonly rangeTimers = new Set<{ cancel(): void }>();

  private constructor(
    readonly clock: WallClock,
    readonly profile: PhoneProfile,
    readonly model: BleLinkModel,
    readonly pcAddress: string,
    /** ATT PDUs read from the PC controller's ACL traffic, oldest first (bounded). */
    readonly pduLog: PduLog<PduTapEvent>,
    private readonly service: ControllerService,
    private readonly host: BlenoServerHost,
    private readonly central: NobleCentral,
    readonly phone: SimulatedPhone,
    readonly pc: PhoneLink,
    private readonly capture: HciCaptureFile | undefined,
    /**
     * With `capture`: ATT PDUs as the phone's host interface carried them
     * (what bleno sent, and the PC's writes as bleno received them), for
     * the sent log beside the capture. The capture itself is the PC
     * controller's traffic, so this is a second, host-side view (bounded).
     */
    readonly sentPdus: PduTapEvent[] | undefined = undefined,
  ) {}

  /** The ATT PDUs the log still holds, oldest first. */
  get pdus(): readonly PduTapEvent[] {
    return this.pduLog.entries;
  }

  /** Starts the controller, bleno and noble, and the phone; the PC starts with startPc()/connectPc(). */
  static async open(options: TestbedOptions = {}): Promise<HciTestbed> {
    const clock = new WallClock();
    const profile = typeof options.phone === 'object' ? options.phone : loadPhoneProfile(options.phone ?? 'iphone');
    const model: BleLinkModel = { ...profile.ble, ...options.linkModel };
    const pcAddress = options.pcAddress ?? DEFAULT_PC_ADDRESS;
    const pdus = new PduLog<PduTapEvent>(options.pduLogLimit ?? PDU_LOG_LIMIT);
    const tap = new AttTap({ onPdu: (pdu) => pdus.push(pdu) });
    const record = options.recordPdus ?? true;
    const capture = options.capture !== undefined ? new HciCaptureFile(options.capture, pcAddress) : undefined;
    const sentPdus: PduTapEvent[] | undefined = capture ? [] : undefined;
    const phoneTap = sentPdus
      ? new AttTap({
          onPdu: (pdu) => {
            if (sentPdus.length < PDU_LOG_LIMIT) sentPdus.push(pdu);
          },
        })
      : undefined;
    const log = (entry: HciTraceEntry): void => {
      if (record) feedTap(tap, entry, pcAddress);
      if (phoneTap) feedTap(phoneTap, entry, profile.address, 'peripheral');
      capture?.record(entry);
    };
    const service = await startControllerService({
      hosts: [
        // bleno hands its keys to a kernel that is not there; the controller answers LTK requests for it.
        { name: 'phone', address: profile.address, answerLtkRequests: true },
        { name: 'pc', address: pcAddress },
      ],
      clock,
      model: airTimingFor(model),
      ...(record || capture ? { log } : {}),
    });
    let host: BlenoServerHost | undefined;
    try {
      const phonePort = service.ports.phone;
      const pcPort = service.ports.pc;
      if (phonePort === undefined || pcPort === undefined) throw new TestbedError('the controller service opened no ports');
      host = await createHciServerHost({ controller: `uart:${phonePort}`, clock, maxMtu: model.maxMtu, deviceName: profile.name });
      const central = await createHciCentral({ controller: `uart:${pcPort}`, clock, maxMtu: options.pcMaxMtu ?? 517 });
      const phone = new SimulatedPhone({ host, clock, profile });
      const seed = options.seed ?? 1;
      const pc = new PhoneLink({
        central,
        phoneAddress: profile.address,
        clock,
        random: new Random(seed ^ 0x5eed),
        ancs: { dateZone: 'utc' },
        ...(options.backoff ? { backoff: options.backoff } : {}),
      });
      const bed = new HciTestbed(clock, profile, model, pcAddress, pdus, service, host, central, phone, pc, capture, sentPdus);
      phone.start();
      return bed;
    } catch (err) {
      await host?.close().catch(() => undefined);
      await service.close().catch(() => undefined);
      capture?.close();
      throw err;
    }
  }

  setPairingPolicy(policy: (peer: GattPeer) => boolean): void {
    this.host.setPairingPolicy(policy);
  }

  /** The phone and the PC lose each other for `ms`; links drop after the supervision timeout, as on the air. */
  outOfRange(ms: number): void {
    const { air } = this.service;
    air.setInRange(this.profile.address, this.pcAddress, false);
    const timer = this.clock.schedule(ms, () => {
      this.rangeTimers.delete(timer);
      if (!this.closed) air.setInRange(this.profile.address, this.pcAddress, true);
    });
    this.rangeTimers.add(timer);
  }

  dropLinks(): void {
    this.service.air.dropConnections(this.profile.address);
  }

  async pair(timeoutMs = 20_000): Promise<void> {
    await pairAsUser(this.central, this.profile.address, this.clock, timeoutMs);
  }

  async connectPc(timeoutMs = 20_000): Promise<number> {
    this.startPc();
    return this.clock.runUntil(() => this.pc.health().connected, timeoutMs);
  }

  startPc(): void {
    if (this.pcStarted) return;
    this.pcStarted = true;
    void this.pc.start();
  }

  /** Stops the PC and the phone, then noble, the bleno child and the controller. Safe to call twice. */
  async shutdown(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const timer of this.rangeTimers) timer.cancel();
    this.rangeTimers.clear();
    const stopping = this.pc.stop().catch(() => undefined);
    this.phone.stop();
    await Promise.race([stopping, this.clock.sleep(5_000)]);
    await this.central.close().catch(() => undefined);
    await this.host.close().catch(() => undefined);
    await this.service.close().catch(() => undefined);
    this.capture?.close();
  }
}

/**
 * Feeds one controller's ACL traffic into an ATT tap. At the PC (central)
 * to-host is from the phone; at the phone (peripheral) to-host is from the PC.
 */
function feedTap(tap: AttTap, entry: HciTraceEntry, address: string, role: 'central' | 'peripheral' = 'central'): void {
  if (entry.controller.toUpperCase() !== address.toUpperCase()) return;
  if (entry.kind === 'acl') {
    const fromPhone = (entry.direction === 'to-host') === (role === 'central');
    tap.acl(entry.t, entry.handle, fromPhone ? 'toCentral' : 'toPeripheral', entry.pb, Buffer.from(entry.data, 'hex'));
  } else if (entry.kind === 'event' && entry.name.startsWith('Disconnection_Complete') && entry.params.length >= 6) {
    tap.disconnected(parseInt(entry.params.slice(4, 6) + entry.params.slice(2, 4), 16));
  }
}
