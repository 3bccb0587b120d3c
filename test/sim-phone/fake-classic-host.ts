/**
 * A small ClassicHost for sim-phone tests: records the service records,
 * name and Class of Device the phone publishes, and lets a test "open" a
 * channel as a PC with a given address and CoD. The two ends of a channel
 * pass bytes over the VirtualClock (1 ms later, cut into pieces of at most
 * `maxChunk` bytes), in order, so OBEX streams arrive split at odd places.
 */
import type {
  ByteChannel,
  ByteChannelEvents,
  ClassicDeviceInfo,
  ClassicHost,
  ClassicHostEvents,
  ClassicPeer,
  ClassOfDevice,
  ServiceRecord,
} from '../../src/link/classic';
import { DisconnectedError, LinkError } from '../../src/link/errors';
import type { VirtualClock } from '../../src/link/virtual-clock';
import { Emitter } from '../../src/util/emitter';

export class FakeByteChannel implements ByteChannel {
  readonly events = new Emitter<ByteChannelEvents>();
  readonly maxFrameSize = 990;
  readonly pendingBytes = 0;
  open = true;
  bytesWritten = 0;
  other: FakeByteChannel | undefined;

  constructor(
    readonly channel: number,
    private readonly clock: VirtualClock,
    private readonly maxChunk: number,
  ) {}

  write(data: Uint8Array): void {
    if (!this.open) throw new DisconnectedError(0x16);
    const copy = Uint8Array.from(data);
    this.bytesWritten += copy.length;
    for (let at = 0; at < copy.length; at += this.maxChunk) {
      const piece = copy.subarray(at, at + this.maxChunk);
      this.clock.schedule(1, () => {
        if (this.other?.open === true) this.other.events.emit('data', piece);
      });
    }
  }

  async close(): Promise<void> {
    if (!this.open) return;
    this.open = false;
    const other = this.other;
    this.clock.schedule(1, () => {
      this.events.emit('close', 0x16);
      if (other?.open === true) {
        other.open = false;
        other.events.emit('close', 0x13);
      }
    });
  }
}

export interface FakePc {
  address: string;
  classOfDevice: ClassOfDevice;
}

export class FakeClassicHost implements ClassicHost {
  readonly address = 'F0:99:B6:00:00:01';
  readonly events = new Emitter<ClassicHostEvents>();
  readonly records = new Map<number, ServiceRecord>();
  private readonly acceptors = new Map<number, (peer: ClassicPeer, channel: ByteChannel) => boolean>();
  name = '';
  classOfDevice: ClassOfDevice = 0;

  constructor(
    private readonly clock: VirtualClock,
    private readonly maxChunk = 700,
  ) {}

  setClassOfDevice(cod: ClassOfDevice): void {
    this.classOfDevice = cod;
  }

  setName(name: string): void {
    this.name = name;
  }

  addServiceRecord(record: ServiceRecord): void {
    this.records.set(record.channel, record);
  }

  removeServiceRecord(channel: number): void {
    this.records.delete(channel);
  }

  listen(channel: number, acceptor: (peer: ClassicPeer, channel: ByteChannel) => boolean): void {
    this.acceptors.set(channel, acceptor);
  }

  unlisten(channel: number): void {
    this.acceptors.delete(channel);
  }

  isListening(channel: number): boolean {
    return this.acceptors.has(channel);
  }

  peers(): ClassicPeer[] {
    return [];
  }

  setPairingPolicy(): void {
    // Pairing is not modelled here.
  }

  discoverPeer(address: string): Promise<ClassicDeviceInfo> {
    return Promise.reject(new LinkError('link.not-connected', `the fake host has no ACL to ${address}`));
  }

  openChannel(peerAddress: string): Promise<ByteChannel> {
    return Promise.reject(new LinkError('link.not-connected', `the fake host has no ACL to ${peerAddress}`));
  }

  /** Opens `channel` as the PC `pc`; the PC's end, or undefined when nobody listens or the phone refuses. */
  openAs(pc: FakePc, channel: number): FakeByteChannel | undefined {
    const acceptor = this.acceptors.get(channel);
    if (acceptor === undefined) return undefined;
    const pcEnd = new FakeByteChannel(channel, this.clock, this.maxChunk);
    const phoneEnd = new FakeByteChannel(channel, this.clock, this.maxChunk);
    pcEnd.other = phoneEnd;
    phoneEnd.other = pcEnd;
    const peer: ClassicPeer = { address: pc.address, classOfDevice: pc.classOfDevice, encrypted: true, bonded: true };
    if (!acceptor(peer, phoneEnd)) return undefined;
    return pcEnd;
  }
}
