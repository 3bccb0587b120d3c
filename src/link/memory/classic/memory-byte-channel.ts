/**
 * One end of an in-memory RFCOMM channel: the ByteChannel the phone's
 * acceptor or the PC's openChannel gets. It queues writes (bounded in
 * bytes), hands its transmit pipe one frame at a time while it holds
 * credits, consumes arriving frames at once (or buffers them while reading
 * is paused, so the sender runs out of credits) and returns credits as it
 * consumes. close() stops this end at once, sends what was already written,
 * then DISC; the other end closes when DISC arrives.
 */
import { ByteChannel, ByteChannelEvents } from '../../classic';
import { DisconnectReason } from '../../att-codes';
import { Timer } from '../../clock';
import { DisconnectedError, QueueFullError } from '../../errors';
import { CONTROL_FRAME_WIRE_BYTES, dataFrameWireBytes } from '../../classic-model';
import { Emitter } from '../../../util/emitter';
import { ByteQueue } from './byte-queue';
import type { ClassicFrame, ClassicPipe, FrameSource } from './classic-pipe';
import { Deferred, deferred } from './deferred';
import type { RfcommDlc } from './rfcomm-dlc';

/** How long a closing end keeps trying to send what was written before it gives up and sends DISC anyway. */
export const CLOSE_FLUSH_TIMEOUT_MS = 20_000;

type EndState = 'opening' | 'open' | 'closing' | 'closed';

export class MemoryByteChannel implements ByteChannel, FrameSource {
  readonly events = new Emitter<ByteChannelEvents>();
  private state: EndState = 'opening';
  private frameSize = 0;
  private readonly tx = new ByteQueue();
  private sendCredits = 0;
  private inbox: Uint8Array[] = [];
  private unreturned = 0;
  private paused = false;
  private stalled = false;
  private attached = false;
  private disc: 'none' | 'queued' | 'sent' = 'none';
  private flushTimer: Timer | undefined;
  private closing: Deferred<void> | undefined;
  private reason: number | undefined;

  constructor(
    private readonly dlc: RfcommDlc,
    /** Which device holds this end. */
    readonly side: 'host' | 'client',
  ) {
    this.events.onListenerError = (error) =>
      dlc.link.air.reportHandlerError({ connectionId: dlc.link.id, side, channel: dlc.channel, error });
  }

  get channel(): number {
    return this.dlc.channel;
  }
  /** Identifies the ACL connection in tap events and fault targets. */
  get connectionId(): number {
    return this.dlc.link.id;
  }
  get maxFrameSize(): number {
    return this.frameSize;
  }
  get open(): boolean {
    return this.state === 'open';
  }
  get pendingBytes(): number {
    return this.tx.length;
  }
  /** Credits this end holds for sending. */
  get credits(): number {
    return this.sendCredits;
  }
  get readingPaused(): boolean {
    return this.paused;
  }
  /** The reason this end's 'close' event carried, once closed. */
  get closeReason(): number | undefined {
    return this.reason;
  }

  /** Queues bytes; throws DisconnectedError when closed, QueueFullError past the model's byte limit. */
  write(data: Uint8Array): void {
    if (this.state !== 'open') throw new DisconnectedError(this.reason ?? DisconnectReason.LocalHostTerminated);
    if (data.length === 0) return;
    const limit = this.dlc.link.model.txQueueLimitBytes;
    if (this.tx.length + data.length > limit) throw new QueueFullError(`channel ${this.channel} transmit (bytes)`, limit);
    this.tx.push(data.slice());
    this.pipe.kick();
  }

  /**
   * Closes this end now ('close' with 0x16): no more writes, arriving data
   * is dropped. Bytes already written still go out (for up to
   * CLOSE_FLUSH_TIMEOUT_MS), then DISC; resolves when the peer's UA arrives
   * or the link goes down.
   */
  close(): Promise<void> {
    if (this.state === 'closing' && this.closing) return this.closing.promise;
    if (this.state !== 'open') return Promise.resolve();
    const closing = deferred<void>();
    this.closing = closing;
    this.state = 'closing';
    this.reason = DisconnectReason.LocalHostTerminated;
    const buffered = this.inbox.length;
    this.dropInbox();
    this.giveBack(buffered);
    this.disc = 'queued';
    this.flushTimer = this.dlc.link.clock.schedule(CLOSE_FLUSH_TIMEOUT_MS, () => {
      this.flushTimer = undefined;
      this.dropTx();
      this.pipe.kick();
    });
    this.pipe.kick();
    this.events.emit('close', DisconnectReason.LocalHostTerminated);
    return closing.promise;
  }

  /** Stops consuming: arriving frames wait here and no credits go back. */
  pauseReading(): void {
    this.paused = true;
  }

  /** Consumes (emits) what waited, returning its credits, and reads on. */
  resumeReading(): void {
    this.paused = false;
    while (!this.paused && this.state === 'open' && this.inbox.length > 0) this.consume(this.inbox.shift() as Uint8Array);
  }

  // ---- used by the rest of memory/classic ----

  /** True once this end is fully closed (handshake done or link gone). */
  get settled(): boolean {
    return this.state === 'closed';
  }

  /** Opens this end with the agreed frame size and the peer's initial credit grant. */
  activate(frameSize: number, credits: number): void {
    if (this.state !== 'opening') return;
    this.frameSize = frameSize;
    this.sendCredits = credits;
    this.state = 'open';
  }

  /** Starts sending (after the open handshake frame is queued, so data never overtakes it). */
  attach(): void {
    if (this.attached || this.state === 'closed') return;
    this.attached = true;
    this.pipe.addSource(this);
    this.pipe.kick();
  }

  takeFrame(): ClassicFrame | undefined {
    if (this.state !== 'open' && this.state !== 'closing') return undefined;
    if (this.tx.length > 0) {
      if (this.sendCredits === 0) {
        if (!this.stalled) {
          this.stalled = true;
          this.dlc.link.air.stats.creditStalls++;
        }
        return undefined;
      }
      this.sendCredits--;
      const data = this.tx.take(this.frameSize);
      return { kind: 'data', dlc: this.dlc, data, wireBytes: dataFrameWireBytes(data.length) };
    }
    if (this.disc === 'queued') {
      this.disc = 'sent';
      return { kind: 'disc', dlc: this.dlc, wireBytes: CONTROL_FRAME_WIRE_BYTES };
    }
    return undefined;
  }

  /** A data frame arrived for this end. */
  onData(data: Uint8Array): void {
    if (this.state === 'open') {
      if (this.paused) this.inbox.push(data);
      else this.consume(data);
    } else if (this.state === 'closing') {
      // Dropped, but its credit goes back so the peer is never stuck behind us.
      this.dlc.link.dropped(data.length);
      this.giveBack(1);
    }
  }

  /** The peer returned credits. */
  onCredits(credits: number): void {
    if (this.state !== 'open' && this.state !== 'closing') return;
    this.sendCredits += credits;
    this.stalled = false;
    this.pipe.kick();
  }

  /** The peer's DISC arrived: answer UA and close (0x13), or finish our own close. */
  onDisc(): void {
    this.pipe.sendControl({ kind: 'ua', dlc: this.dlc, wireBytes: CONTROL_FRAME_WIRE_BYTES });
    if (this.state === 'open') {
      this.reason = DisconnectReason.RemoteUserTerminated;
      this.settle();
      this.events.emit('close', DisconnectReason.RemoteUserTerminated);
    } else if (this.state === 'closing') {
      this.dropTx();
      // Our DISC had not left: the peer's handshake closes the channel for both.
      if (this.disc === 'queued') this.settle();
    }
    this.dlc.checkFinished();
  }

  /** The peer answered our DISC. */
  onUa(): void {
    if (this.state === 'closing' && this.disc === 'sent') this.settle();
    this.dlc.checkFinished();
  }

  /** The link (or the phone's radio) went down: close without a handshake. */
  end(reason: number): void {
    if (this.state === 'closed') return;
    const wasOpen = this.state === 'open';
    if (wasOpen || this.state === 'opening') this.reason = reason;
    this.settle();
    if (wasOpen) this.events.emit('close', reason);
  }

  /** The acceptor refused this end: it never opened. */
  discard(): void {
    this.settle();
  }

  private get pipe(): ClassicPipe {
    const { pipes } = this.dlc.link;
    return this.side === 'client' ? pipes.toHost : pipes.toClient;
  }

  private consume(data: Uint8Array): void {
    this.giveBack(1);
    this.events.emit('data', data);
  }

  /** Counts consumed frames and returns credits once the model's threshold is reached. */
  private giveBack(frames: number): void {
    this.unreturned += frames;
    if (this.unreturned < this.dlc.link.model.creditReturnThreshold) return;
    this.pipe.sendCredits(this.dlc, this.unreturned);
    this.unreturned = 0;
  }

  private settle(): void {
    this.state = 'closed';
    this.disc = 'none';
    this.flushTimer?.cancel();
    this.flushTimer = undefined;
    this.dropTx();
    this.dropInbox();
    if (this.attached) this.pipe.removeSource(this);
    this.attached = false;
    const closing = this.closing;
    this.closing = undefined;
    closing?.resolve();
  }

  private dropTx(): void {
    const lost = this.tx.clear();
    if (lost > 0) this.dlc.link.dropped(lost);
  }

  private dropInbox(): void {
    let lost = 0;
    for (const chunk of this.inbox) lost += chunk.length;
    this.inbox = [];
    if (lost > 0) this.dlc.link.dropped(lost);
  }
}
