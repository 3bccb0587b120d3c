/**
 * The phone's BR/EDR radio on the in-memory classic air: its name, Class of
 * Device and SDP records (what a PC's discovery returns), its channel
 * acceptors, pairing policy and bond store, its connected PCs, channels it
 * opens back to a connected PC (MAP notifications), and a Bluetooth power
 * switch.
 */
import {
  ByteChannel,
  ClassOfDevice,
  ClassicDeviceInfo,
  ClassicHost,
  ClassicHostEvents,
  ClassicPeer,
  ServiceRecord,
} from '../../classic';
import { DisconnectReason } from '../../att-codes';
import { MemoryBondStore, normalizeAddress } from '../../ble';
import { LinkError } from '../../errors';
import { ClassicLinkModel, RFCOMM_MAX_CHANNEL, RFCOMM_MIN_CHANNEL } from '../../classic-model';
import { Emitter } from '../../../util/emitter';
import type { MemoryClassicAir } from './classic-air';
import type { MemoryClassicLink } from './classic-link';
import { MemoryClassicPeer } from './classic-peer';
import type { MemoryByteChannel } from './memory-byte-channel';
import { RfcommDlc } from './rfcomm-dlc';

export interface MemoryClassicHostOptions {
  address: string;
  /** Device name (what discovery reports). */
  name: string;
  classOfDevice: ClassOfDevice;
  /** Link timing of this phone (from its profile); connections to it run on this model. */
  model: ClassicLinkModel;
}

export type ChannelAcceptor = (peer: ClassicPeer, channel: ByteChannel) => boolean;

export class MemoryClassicHost implements ClassicHost {
  readonly address: string;
  readonly model: ClassicLinkModel;
  readonly events = new Emitter<ClassicHostEvents>();
  /** Link keys this phone holds, by PC address. */
  readonly bonds = new MemoryBondStore();
  private deviceName: string;
  private cod: ClassOfDevice;
  private readonly records = new Map<number, ServiceRecord>();
  private readonly acceptors = new Map<number, ChannelAcceptor>();
  private readonly links = new Map<number, MemoryClassicLink>();
  private powered = true;
  private pairingPolicy: (peer: ClassicPeer) => boolean = () => true;

  constructor(
    private readonly air: MemoryClassicAir,
    options: MemoryClassicHostOptions,
  ) {
    this.address = normalizeAddress(options.address);
    this.model = options.model;
    this.deviceName = options.name;
    this.cod = checkClassOfDevice(options.classOfDevice);
    this.events.onListenerError = (error) => air.reportHandlerError({ side: 'host', error });
  }

  get name(): string {
    return this.deviceName;
  }
  get classOfDevice(): ClassOfDevice {
    return this.cod;
  }
  /** True while Bluetooth is on. */
  get poweredOn(): boolean {
    return this.powered;
  }

  setClassOfDevice(cod: ClassOfDevice): void {
    this.cod = checkClassOfDevice(cod);
  }

  setName(name: string): void {
    this.deviceName = name;
  }

  /** Publishes a record, replacing the one on the same channel (so at most one per channel). */
  addServiceRecord(record: ServiceRecord): void {
    checkChannel(record.channel);
    this.records.set(record.channel, copyRecord(record));
  }

  removeServiceRecord(channel: number): void {
    this.records.delete(channel);
  }

  /** Accepts channels on `channel` (1..30), replacing an earlier acceptor there. Open channels stay. */
  listen(channel: number, acceptor: ChannelAcceptor): void {
    checkChannel(channel);
    this.acceptors.set(channel, acceptor);
  }

  unlisten(channel: number): void {
    this.acceptors.delete(channel);
  }

  peers(): MemoryClassicPeer[] {
    return [...this.links.values()].map((link) => link.peer);
  }

  setPairingPolicy(policy: (peer: ClassicPeer) => boolean): void {
    this.pairingPolicy = policy;
  }

  /**
   * SDP search on a connected PC: its records as they are model.sdpQueryMs
   * later (the search crosses the ACL, so out of range it waits, and a link
   * that drops meanwhile rejects it).
   */
  discoverPeer(address: string): Promise<ClassicDeviceInfo> {
    const found = this.linkTo(address);
    if (found instanceof LinkError) return Promise.reject(found);
    const link = found;
    return new Promise<ClassicDeviceInfo>((resolve, reject) => {
      const finish = (): void => {
        if (!link.isAttached) {
          reject(new LinkError('link.not-connected', `the link to ${link.client.address} went down during the SDP search`));
          return;
        }
        const resume = link.outOfRangeUntil(this.air.clock.now());
        if (resume !== undefined) {
          this.air.clock.schedule(resume - this.air.clock.now(), finish);
          return;
        }
        resolve(link.client.info());
      };
      this.air.clock.schedule(this.model.sdpQueryMs, finish);
    });
  }

  /** Opens a server channel of a connected PC (see ClassicHost.openChannel). */
  openChannel(peerAddress: string, channel: number): Promise<MemoryByteChannel> {
    if (!(Number.isInteger(channel) && channel >= RFCOMM_MIN_CHANNEL && channel <= RFCOMM_MAX_CHANNEL)) {
      return Promise.reject(new LinkError('link.bad-argument', `RFCOMM channel ${channel} is outside 1..30`));
    }
    const found = this.linkTo(peerAddress);
    if (found instanceof LinkError) return Promise.reject(found);
    if (!found.canMove) return Promise.reject(new LinkError('link.not-connected', `the link to ${found.client.address} is closing`));
    if (found.hasChannel(channel, 'host')) {
      return Promise.reject(new LinkError('link.channel-busy', `channel ${channel} to ${found.client.address} is already in use`));
    }
    const dlc = new RfcommDlc(found, channel, 'host', this.model.rfcommFrameSize);
    found.addDlc(dlc);
    return dlc.open();
  }

  /**
   * Bluetooth off: every connection ends at once on this side (reason 0x16,
   * its channels close too); each PC notices only when its supervision
   * timeout expires (0x08). Records, acceptors and bonds stay.
   */
  powerOff(): void {
    if (!this.powered) return;
    this.powered = false;
    for (const link of [...this.links.values()]) link.detachHost(DisconnectReason.LocalHostTerminated);
  }

  /** Bluetooth on: pages and discoveries that are still waiting find the phone again. */
  powerOn(): void {
    if (this.powered) return;
    this.powered = true;
    this.air.rangeChanged();
  }

  /** Deletes this phone's link key for a PC (as "Forget This Device" does). */
  forgetBond(address: string): void {
    this.bonds.delete(normalizeAddress(address));
  }

  // ---- used by the rest of memory/classic ----

  /** What an SDP search finds now (copies). */
  info(): ClassicDeviceInfo {
    return {
      address: this.address,
      name: this.deviceName,
      classOfDevice: this.cod,
      records: [...this.records.values()].sort((a, b) => a.channel - b.channel).map(copyRecord),
    };
  }

  /** The attached link to a PC, or the LinkError saying why there is none. */
  private linkTo(address: string): MemoryClassicLink | LinkError {
    let target: string;
    try {
      target = normalizeAddress(address);
    } catch {
      return new LinkError('link.bad-argument', `not a device address: ${address}`);
    }
    for (const link of this.links.values()) if (link.client.address === target && link.isAttached) return link;
    return new LinkError('link.not-connected', `no ACL connection to ${target}`);
  }

  acceptorFor(channel: number): ChannelAcceptor | undefined {
    return this.acceptors.get(channel);
  }

  /** Asks the pairing policy; a throwing policy refuses (and is reported). */
  acceptsPairing(peer: MemoryClassicPeer): boolean {
    try {
      return this.pairingPolicy(peer) === true;
    } catch (error) {
      this.air.reportHandlerError({ connectionId: peer.connectionId, side: 'host', error });
      return false;
    }
  }

  attachLink(link: MemoryClassicLink): void {
    this.links.set(link.id, link);
    this.events.emit('connect', link.peer);
  }

  detachLink(link: MemoryClassicLink, reason: number): void {
    if (this.links.delete(link.id)) this.events.emit('disconnect', link.peer, reason);
  }
}

/** Throws RangeError for a channel outside 1..30. */
export function checkChannel(channel: number): void {
  if (!(Number.isInteger(channel) && channel >= RFCOMM_MIN_CHANNEL && channel <= RFCOMM_MAX_CHANNEL)) {
    throw new RangeError(`RFCOMM channel ${channel} is outside ${RFCOMM_MIN_CHANNEL}..${RFCOMM_MAX_CHANNEL}`);
  }
}

/** Checks a 24-bit Class of Device. */
export function checkClassOfDevice(cod: ClassOfDevice): ClassOfDevice {
  if (!(Number.isInteger(cod) && cod >= 0 && cod <= 0xffffff)) throw new RangeError(`Class of Device ${cod} is not 24 bits`);
  return cod;
}

/** A deep copy of a record, so callers cannot change what was published. */
export function copyRecord(record: ServiceRecord): ServiceRecord {
  return {
    serviceClasses: [...record.serviceClasses],
    profile: { ...record.profile },
    channel: record.channel,
    name: record.name,
    attributes: { ...record.attributes },
  };
}
