/**
 * One RFCOMM channel (data link connection) on an in-memory ACL link, with
 * its two ends: the open handshake (the PC's request with its frame size
 * offer and credit grant, the phone's acceptor deciding, accept with the
 * agreed size or refuse), the bookkeeping that tells the link when both
 * ends are closed, and the teardown when the link goes down.
 */
import { DisconnectedError, LinkError } from '../../errors';
import { CONTROL_FRAME_WIRE_BYTES, negotiatedFrameSize } from '../../classic-model';
import type { ClassicFrame } from './classic-pipe';
import { Deferred, deferred } from './deferred';
import type { MemoryClassicLink } from './classic-link';
import { MemoryByteChannel } from './memory-byte-channel';

export class RfcommDlc {
  /** The PC's end (handed out once the phone accepts). */
  readonly client: MemoryByteChannel;
  /** The phone's end, from the moment its acceptor is asked. */
  host: MemoryByteChannel | undefined;
  private opening: Deferred<MemoryByteChannel> | undefined;
  /** True once the accept reached the PC (the tap saw 'channelOpen'). */
  private announced = false;
  private finished = false;

  constructor(
    readonly link: MemoryClassicLink,
    readonly channel: number,
    /** The PC's frame size offer. */
    private readonly clientOffer: number,
  ) {
    this.client = new MemoryByteChannel(this, 'client');
  }

  /** Sends the open request; resolves with the PC's end when the phone accepts. */
  open(): Promise<MemoryByteChannel> {
    const opening = deferred<MemoryByteChannel>();
    this.opening = opening;
    this.link.pipes.toHost.sendControl({
      kind: 'open',
      dlc: this,
      wireBytes: CONTROL_FRAME_WIRE_BYTES,
      frameSize: this.clientOffer,
      credits: this.link.model.initialCredits,
    });
    return opening.promise;
  }

  /** The open request reached the phone: ask its acceptor, answer accept or refuse. */
  onOpenRequest(): void {
    if (this.finished) return;
    const { link } = this;
    const acceptor = link.host.acceptorFor(this.channel);
    let accepted = false;
    if (acceptor) {
      const frameSize = negotiatedFrameSize(this.clientOffer, link.model.rfcommFrameSize);
      const end = new MemoryByteChannel(this, 'host');
      end.activate(frameSize, link.model.initialCredits);
      this.host = end;
      try {
        accepted = acceptor(link.peer, end) === true;
      } catch (error) {
        link.air.reportHandlerError({ connectionId: link.id, side: 'host', channel: this.channel, error });
      }
      // The acceptor may have dropped the link meanwhile; the link's teardown then settled everything.
      if (this.finished || !link.canMove) return;
      if (accepted) {
        link.pipes.toClient.sendControl({
          kind: 'accept',
          dlc: this,
          wireBytes: CONTROL_FRAME_WIRE_BYTES,
          frameSize,
          credits: link.model.initialCredits,
        });
        end.attach();
        return;
      }
      end.discard();
      this.host = undefined;
    }
    link.pipes.toClient.sendControl({ kind: 'refuse', dlc: this, wireBytes: CONTROL_FRAME_WIRE_BYTES });
  }

  /** The phone's accept reached the PC. */
  onAccept(frame: ClassicFrame): void {
    const opening = this.opening;
    if (this.finished || !opening) return;
    this.opening = undefined;
    const frameSize = frame.frameSize ?? this.clientOffer;
    const credits = frame.credits ?? this.link.model.initialCredits;
    this.client.activate(frameSize, credits);
    this.client.attach();
    this.announced = true;
    this.link.channelOpened(this, frameSize, credits);
    opening.resolve(this.client);
  }

  /** The phone refused (nothing listens, or the acceptor said no). */
  onRefuse(): void {
    const opening = this.opening;
    if (this.finished || !opening) return;
    this.opening = undefined;
    this.finished = true;
    this.client.discard();
    this.link.dlcFinished(this);
    opening.reject(
      new LinkError('link.channel-refused', `${this.link.host.address} refused RFCOMM channel ${this.channel}`),
    );
  }

  /** Called after a handshake step: once both ends are closed the channel is gone. */
  checkFinished(): void {
    if (this.finished || !this.announced) return;
    if (!this.client.settled || !(this.host?.settled ?? true)) return;
    this.finished = true;
    this.link.dlcFinished(this);
    this.link.channelClosed(this, this.client.closeReason, this.host?.closeReason);
  }

  /** The phone's radio went off: its end closes now; the PC's waits for the link to drop. */
  hostGone(reason: number): void {
    this.host?.end(reason);
  }

  /**
   * The ACL link is down: both ends close with their side's reason (the
   * phone's end may already be closed), a pending open rejects.
   */
  linkDown(clientReason: number, hostReason: number): void {
    if (this.finished) return;
    this.finished = true;
    this.host?.end(hostReason);
    this.client.end(clientReason);
    const opening = this.opening;
    this.opening = undefined;
    opening?.reject(new DisconnectedError(clientReason));
    if (this.announced) this.link.channelClosed(this, this.client.closeReason, this.host?.closeReason);
  }
}
