/**
 * A ClassicHost wrapper whose byte channels let the saboteur corrupt what
 * the phone writes: the PBAP and MAP MAS server channels and the HFP AG
 * channel the PC opens (told apart by their RFCOMM channel numbers from the
 * phone profile) and the MNS channel the phone opens to the PC. One
 * `write()` is one frame: the phone's servers write one OBEX packet or one
 * AT result per call.
 *
 * On OBEX channels a truncated or length-inflated packet is followed by
 * silence: the channel swallows everything the phone writes after it, so
 * the rest never comes and the PC must time out or give up on the framing.
 * An out-of-order frame is held until the channel's next write has gone
 * out, or the saboteur's hold time passes.
 */
import type {
  ByteChannel,
  ByteChannelEvents,
  ClassOfDevice,
  ClassicDeviceInfo,
  ClassicHost,
  ClassicHostEvents,
  ClassicPeer,
  ServiceRecord,
} from '../../link/classic';
import type { Clock, Timer } from '../../link/clock';
import type { Emitter } from '../../util/emitter';
import type { HostileTarget } from './hostile-profile';
import { type Framing, malform, oversize, truncate } from './mutations';
import type { FramePart, Saboteur } from './saboteur';

/** Which profile and stream a channel carries. */
export interface ChannelRole {
  profile: HostileTarget;
  part: FramePart;
}

/** RFCOMM server channels of the phone's own servers, from its profile. */
export interface PhoneChannels {
  pbap?: number;
  map?: number;
  hfp?: number;
}

export class HostileClassicHost implements ClassicHost {
  constructor(
    private readonly inner: ClassicHost,
    private readonly saboteur: Saboteur,
    private readonly clock: Clock,
    private readonly channels: PhoneChannels,
  ) {}

  get address(): string {
    return this.inner.address;
  }

  get events(): Emitter<ClassicHostEvents> {
    return this.inner.events;
  }

  setClassOfDevice(cod: ClassOfDevice): void {
    this.inner.setClassOfDevice(cod);
  }

  setName(name: string): void {
    this.inner.setName(name);
  }

  addServiceRecord(record: ServiceRecord): void {
    this.inner.addServiceRecord(record);
  }

  removeServiceRecord(channel: number): void {
    this.inner.removeServiceRecord(channel);
  }

  listen(channel: number, acceptor: (peer: ClassicPeer, channel: ByteChannel) => boolean): void {
    const role = this.roleOf(channel);
    if (role === undefined) {
      this.inner.listen(channel, acceptor);
      return;
    }
    this.inner.listen(channel, (peer, opened) => acceptor(peer, new HostileByteChannel(opened, role, this.saboteur, this.clock)));
  }

  unlisten(channel: number): void {
    this.inner.unlisten(channel);
  }

  peers(): ClassicPeer[] {
    return this.inner.peers();
  }

  setPairingPolicy(policy: (peer: ClassicPeer) => boolean): void {
    this.inner.setPairingPolicy(policy);
  }

  discoverPeer(address: string): Promise<ClassicDeviceInfo> {
    return this.inner.discoverPeer(address);
  }

  /** The only channel the phone opens is its MNS client's, to the PC's notification server. */
  async openChannel(peerAddress: string, channel: number): Promise<ByteChannel> {
    const opened = await this.inner.openChannel(peerAddress, channel);
    return new HostileByteChannel(opened, { profile: 'map', part: 'mns' }, this.saboteur, this.clock);
  }

  private roleOf(channel: number): ChannelRole | undefined {
    if (channel === this.channels.pbap) return { profile: 'pbap', part: 'pbap' };
    if (channel === this.channels.map) return { profile: 'map', part: 'mas' };
    if (channel === this.channels.hfp) return { profile: 'hfp', part: 'hfp' };
    return undefined;
  }
}

/** One phone-side byte channel with the saboteur between the phone's writes and the link. */
export class HostileByteChannel implements ByteChannel {
  private held: { data: Uint8Array; timer: Timer } | undefined;
  /** Set after a cut or inflated OBEX packet: later writes vanish. */
  private silenced = false;
  private readonly framing: Framing;

  constructor(
    private readonly inner: ByteChannel,
    readonly role: ChannelRole,
    private readonly saboteur: Saboteur,
    private readonly clock: Clock,
  ) {
    this.framing = role.profile === 'hfp' ? 'at' : 'obex';
    inner.events.on('close', () => this.dropHeld());
  }

  get channel(): number {
    return this.inner.channel;
  }

  get maxFrameSize(): number {
    return this.inner.maxFrameSize;
  }

  get open(): boolean {
    return this.inner.open;
  }

  get events(): Emitter<ByteChannelEvents> {
    return this.inner.events;
  }

  get pendingBytes(): number {
    return this.inner.pendingBytes + (this.held?.data.length ?? 0);
  }

  /** True once an OBEX fault left this channel mute. */
  get mute(): boolean {
    return this.silenced;
  }

  write(data: Uint8Array): void {
    if (this.silenced) {
      if (!this.inner.open) this.inner.write(data); // let a closed channel say so (DisconnectedError)
      return;
    }
    const decision = data.length === 0 ? undefined : this.saboteur.decide(this.role.profile, this.role.part);
    if (decision?.kind === 'outOfOrder') {
      if (!this.inner.open) this.inner.write(data);
      this.flushHeld();
      const timer = this.clock.schedule(this.saboteur.holdMs, () => this.flushHeld());
      this.held = { data, timer };
      this.saboteur.commit(this.role.profile, this.role.part, decision, data.length, data.length);
      return;
    }
    let out = data;
    if (decision) {
      const random = this.saboteur.random;
      if (decision.kind === 'malformed') out = malform(data, this.framing, random);
      else if (decision.kind === 'truncated') out = truncate(data, this.framing, random);
      else out = oversize(data, this.framing, random);
    }
    this.inner.write(out);
    if (decision) {
      this.saboteur.commit(this.role.profile, this.role.part, decision, data.length, out.length);
      if (this.framing === 'obex' && (decision.kind === 'truncated' || decision.kind === 'oversized')) {
        this.silenced = true;
        this.dropHeld();
        return;
      }
    }
    this.flushHeld();
  }

  close(): Promise<void> {
    this.dropHeld();
    return this.inner.close();
  }

  private flushHeld(): void {
    const held = this.held;
    if (!held) return;
    this.held = undefined;
    held.timer.cancel();
    if (this.silenced || !this.inner.open) return;
    try {
      this.inner.write(held.data);
    } catch {
      // Queue full or closed meanwhile: the held frame is lost.
    }
  }

  private dropHeld(): void {
    this.held?.timer.cancel();
    this.held = undefined;
  }
}
