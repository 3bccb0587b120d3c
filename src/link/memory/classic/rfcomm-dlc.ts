/**
 * One RFCOMM channel (data link connection) on an in-memory ACL link, with
 * its two ends: the open handshake (the initiator's request with its frame
 * size offer and credit grant, the responder's acceptor deciding, accept
 * with the agreed size or refuse), the bookkeeping that tells the link when
 * both ends are closed, and the teardown when the link goes down.
 *
 * Either side may initiate: the PC opens the phone's server channels (PBAP,
 * HFP, MAP's MAS), and the phone opens the PC's (MAP's notification server,
 * MNS) over the same ACL. As in RFCOMM, where the DLCI carries the
 * direction, a channel number is scoped by who initiated it.
 */
import { DisconnectedError, LinkError } from '../../errors';
import { CONTROL_FRAME_WIRE_BYTES, negotiatedFrameSize } from '../../classic-model';
import type { ClassicPipe, ClassicFrame } from './classic-pipe';
import { Deferred, deferred } from './deferred';
import type { MemoryClassicLink } from './classic-link';
import { MemoryByteChannel } from './memory-byte-channel';

/** Which device holds an end: the phone ('host') or the PC ('client'). */
export type DlcSide = 'host' | 'client';

/** Key of a channel on a link: the initiator and the server channel number. */
export function dlcKey(initiator: DlcSide, channel: number): string {
  return `${initiator}:${channel}`;
}

export class RfcommDlc {
  /** The PC's end (the initiator's from the start; the responder's from its acceptor on). */
  client: MemoryByteChannel | undefined;
  /** The phone's end. */
  host: MemoryByteChannel | undefined;
  private opening: Deferred<MemoryByteChannel> | undefined;
  /** True once the accept reached the initiator (the tap saw 'channelOpen'). */
  private announced = false;
  private finished = false;

  constructor(
    readonly link: MemoryClassicLink,
    readonly channel: number,
    /** Who opens the channel. */
    readonly initiator: DlcSide,
    /** The initiator's frame size offer. */
    private readonly offer: number,
  ) {
    this[initiator] = new MemoryByteChannel(this, initiator);
  }

  get key(): string {
    return dlcKey(this.initiator, this.channel);
  }

  private get responder(): DlcSide {
    return this.initiator === 'client' ? 'host' : 'client';
  }

  /** The pipe that carries frames sent by `side`. */
  private pipeFrom(side: DlcSide): ClassicPipe {
    return side === 'client' ? this.link.pipes.toHost : this.link.pipes.toClient;
  }

  /** Sends the open request; resolves with the initiator's end when the responder accepts. */
  open(): Promise<MemoryByteChannel> {
    const opening = deferred<MemoryByteChannel>();
    this.opening = opening;
    this.pipeFrom(this.initiator).sendControl({
      kind: 'open',
      dlc: this,
      wireBytes: CONTROL_FRAME_WIRE_BYTES,
      frameSize: this.offer,
      credits: this.link.model.initialCredits,
    });
    return opening.promise;
  }

  /** The open request reached the responder: ask its acceptor, answer accept or refuse. */
  onOpenRequest(): void {
    if (this.finished) return;
    const { link } = this;
    const responder = this.responder;
    const acceptor = this.acceptor();
    let accepted = false;
    if (acceptor) {
      const responderOffer = responder === 'host' ? link.model.rfcommFrameSize : link.client.maxFrameSize;
      const frameSize = negotiatedFrameSize(this.offer, responderOffer);
      const end = new MemoryByteChannel(this, responder);
      end.activate(frameSize, link.model.initialCredits);
      this[responder] = end;
      try {
        accepted = acceptor(end) === true;
      } catch (error) {
        link.air.reportHandlerError({ connectionId: link.id, side: responder, channel: this.channel, error });
      }
      // The acceptor may have dropped the link meanwhile; the link's teardown then settled everything.
      if (this.finished || !link.canMove) return;
      if (accepted) {
        this.pipeFrom(responder).sendControl({
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
      this[responder] = undefined;
    }
    this.pipeFrom(responder).sendControl({ kind: 'refuse', dlc: this, wireBytes: CONTROL_FRAME_WIRE_BYTES });
  }

  /** The responder's accept reached the initiator. */
  onAccept(frame: ClassicFrame): void {
    const opening = this.opening;
    const end = this[this.initiator];
    if (this.finished || !opening || !end) return;
    this.opening = undefined;
    const frameSize = frame.frameSize ?? this.offer;
    const credits = frame.credits ?? this.link.model.initialCredits;
    end.activate(frameSize, credits);
    end.attach();
    this.announced = true;
    this.link.channelOpened(this, frameSize, credits);
    opening.resolve(end);
  }

  /** The responder refused (nothing listens, or the acceptor said no). */
  onRefuse(): void {
    const opening = this.opening;
    if (this.finished || !opening) return;
    this.opening = undefined;
    this.finished = true;
    this[this.initiator]?.discard();
    this.link.dlcFinished(this);
    const target = this.initiator === 'client' ? this.link.host.address : this.link.client.address;
    opening.reject(new LinkError('link.channel-refused', `${target} refused RFCOMM channel ${this.channel}`));
  }

  /** Called after a handshake step: once both ends are closed the channel is gone. */
  checkFinished(): void {
    if (this.finished || !this.announced) return;
    if (!(this.client?.settled ?? true) || !(this.host?.settled ?? true)) return;
    this.finished = true;
    this.link.dlcFinished(this);
    this.link.channelClosed(this, this.client?.closeReason, this.host?.closeReason);
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
    this.client?.end(clientReason);
    const opening = this.opening;
    this.opening = undefined;
    opening?.reject(new DisconnectedError(this.initiator === 'client' ? clientReason : hostReason));
    if (this.announced) this.link.channelClosed(this, this.client?.closeReason, this.host?.closeReason);
  }

  /** The responder's acceptor for this channel, bound to what it is told about the initiator. */
  private acceptor(): ((end: MemoryByteChannel) => boolean) | undefined {
    const { link } = this;
    if (this.responder === 'host') {
      const accept = link.host.acceptorFor(this.channel);
      return accept && ((end) => accept(link.peer, end));
    }
    const accept = link.client.acceptorFor(this.channel);
    return accept && ((end) => accept(link.host.address, end));
  }
}
