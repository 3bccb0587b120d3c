/**
 * Byte channels for the HFP fuzz rigs: a connected pair on a VirtualClock
 * whose writes arrive a fixed latency later, optionally cut into pieces at
 * any byte, and a one-service ClassicHost that lets a rig open a channel to
 * whatever the phone listens on (no pairing, no SDP, no link model).
 */
import type { ByteChannel, ByteChannelEvents, ClassicDeviceInfo, ClassicHost, ClassicHostEvents, ClassicPeer, ServiceRecord } from '../../link/classic';
import { DisconnectedError, LinkError } from '../../link/errors';
import type { VirtualClock } from '../../link/virtual-clock';
import { Emitter } from '../../util/emitter';

/** HCI reasons: 0x13 remote user ended, 0x16 local host ended. */
const REMOTE_ENDED = 0x13;
const LOCAL_ENDED = 0x16;

export class FuzzChannel implements ByteChannel {
  readonly events = new Emitter<ByteChannelEvents>();
  readonly maxFrameSize = 127;
  readonly pendingBytes = 0;
  peer: FuzzChannel | undefined;
  private isOpen = true;
  /** Cuts each write into pieces (default: one piece). */
  fragment: (bytes: Uint8Array) => Uint8Array[] = (bytes) => [bytes];

  constructor(
    readonly channel: number,
    private readonly clock: VirtualClock,
    private readonly latencyMs: number,
  ) {}

  get open(): boolean {
    return this.isOpen;
  }

  write(data: Uint8Array): void {
    if (!this.isOpen) throw new DisconnectedError(LOCAL_ENDED);
    for (const piece of this.fragment(Uint8Array.from(data))) {
      this.clock.schedule(this.latencyMs, () => {
        const peer = this.peer;
        if (this.isOpen && peer?.isOpen) peer.events.emit('data', piece);
      });
    }
  }

  async close(): Promise<void> {
    const peer = this.peer;
    if (this.isOpen) {
      this.isOpen = false;
      this.events.emit('close', LOCAL_ENDED);
    }
    if (peer?.isOpen) {
      peer.isOpen = false;
      peer.events.emit('close', REMOTE_ENDED);
    }
  }
}

/** Two connected ends on `clock`. */
export function channelPair(clock: VirtualClock, channel = 1, latencyMs = 2): [FuzzChannel, FuzzChannel] {
  const a = new FuzzChannel(channel, clock, latencyMs);
  const b = new FuzzChannel(channel, clock, latencyMs);
  a.peer = b;
  b.peer = a;
  return [a, b];
}

/** Cuts every write into pieces of the given sizes, cycled; an empty list leaves writes whole. */
export function cutInto(sizes: readonly number[]): (bytes: Uint8Array) => Uint8Array[] {
  let turn = 0;
  return (bytes) => {
    if (sizes.length === 0) return [bytes];
    const out: Uint8Array[] = [];
    for (let at = 0; at < bytes.length; ) {
      const size = Math.max(1, sizes[turn++ % sizes.length] ?? 1);
      out.push(bytes.subarray(at, at + size));
      at += size;
    }
    return out;
  };
}

/** A ClassicHost for a phone-side service under fuzz: it records listeners and opens channels on request. */
export class FuzzClassicHost implements ClassicHost {
  readonly address = '02:00:00:00:00:01';
  readonly events = new Emitter<ClassicHostEvents>();
  private readonly acceptors = new Map<number, (peer: ClassicPeer, channel: ByteChannel) => boolean>();

  constructor(private readonly clock: VirtualClock) {}

  setClassOfDevice(): void {}
  setName(): void {}
  addServiceRecord(_record: ServiceRecord): void {}
  removeServiceRecord(): void {}
  peers(): ClassicPeer[] {
    return [];
  }
  setPairingPolicy(): void {}
  discoverPeer(address: string): Promise<ClassicDeviceInfo> {
    return Promise.reject(new LinkError('link.not-connected', `the fuzz host has no ACL to ${address}`));
  }
  openChannel(peerAddress: string): Promise<ByteChannel> {
    return Promise.reject(new LinkError('link.not-connected', `the fuzz host has no ACL to ${peerAddress}`));
  }

  listen(channel: number, acceptor: (peer: ClassicPeer, channel: ByteChannel) => boolean): void {
    this.acceptors.set(channel, acceptor);
  }

  unlisten(channel: number): void {
    this.acceptors.delete(channel);
  }

  /** Opens `channel` as `peer`; the peer's end, or undefined when nobody listens or the service refuses. */
  open(peer: ClassicPeer, channel: number): FuzzChannel | undefined {
    const acceptor = this.acceptors.get(channel);
    if (acceptor === undefined) return undefined;
    const [peerEnd, serviceEnd] = channelPair(this.clock, channel, 1);
    return acceptor(peer, serviceEnd) ? peerEnd : undefined;
  }
}
