/**
 * One ACL connection on the in-memory classic air: its two pipes (PC to
 * phone, phone to PC), the RFCOMM channels on it, its encryption state, and
 * the routing of every arriving frame to the channel end it is for. It also
 * owns the ways a connection ends: a local disconnect (one latency later),
 * the supervision timeout after silence or after the phone's radio went off,
 * and an immediate drop from a fault; each closes every channel with the
 * reason and settles everything pending.
 */
import { DisconnectReason } from '../../att-codes';
import { Clock, Timer } from '../../clock';
import { ClassicLinkModel } from '../../classic-model';
import { ClassicDirection } from './classic-air-events';
import type { MemoryClassicAir } from './classic-air';
import type { MemoryClassicClient } from './classic-client';
import { MemoryClassicConnection } from './classic-connection';
import type { MemoryClassicHost } from './classic-host';
import { ClassicFrame, ClassicPipe, PipeOwner } from './classic-pipe';
import { MemoryClassicPeer } from './classic-peer';
import { dlcKey, type DlcSide, type RfcommDlc } from './rfcomm-dlc';

export class MemoryClassicLink implements PipeOwner {
  readonly model: ClassicLinkModel;
  readonly clock: Clock;
  readonly pipes: Record<ClassicDirection, ClassicPipe>;
  readonly connection: MemoryClassicConnection;
  /** The PC as the phone sees it. */
  readonly peer: MemoryClassicPeer;
  hostEncrypted = false;
  clientEncrypted = false;
  private readonly dlcs = new Map<string, RfcommDlc>();
  private open = true;
  private hostAttached = true;
  private hostReason: number = DisconnectReason.ConnectionTimeout;
  private closedReason: number | undefined;
  private terminateTimer: Timer | undefined;
  private supervisionTimer: Timer | undefined;
  private supervisionAt = Number.POSITIVE_INFINITY;

  constructor(
    readonly air: MemoryClassicAir,
    readonly id: number,
    readonly client: MemoryClassicClient,
    readonly host: MemoryClassicHost,
  ) {
    this.model = host.model;
    this.clock = air.clock;
    this.pipes = { toHost: new ClassicPipe(this, 'toHost'), toClient: new ClassicPipe(this, 'toClient') };
    this.peer = new MemoryClassicPeer(this);
    this.connection = new MemoryClassicConnection(this);
  }

  /** True until the PC's end is gone. */
  get isOpen(): boolean {
    return this.open;
  }

  /** True while the phone still holds this link (false once its Bluetooth went off). */
  get isAttached(): boolean {
    return this.open && this.hostAttached;
  }

  /** True while frames may move: attached and no local disconnect under way. */
  get canMove(): boolean {
    return this.isAttached && this.terminateTimer === undefined;
  }

  /** The disconnect reason the PC saw, once closed. */
  get reason(): number | undefined {
    return this.closedReason;
  }

  outOfRangeUntil(time: number): number | undefined {
    return this.air.faults.outOfRangeUntil(this, time);
  }

  dropped(bytes: number): void {
    this.air.stats.droppedBytes += bytes;
  }

  /** A frame arrived: count it, show it on the tap, hand it to its channel. */
  deliver(direction: ClassicDirection, frame: ClassicFrame): void {
    const stats = this.air.stats[direction];
    const bytes = frame.data?.length ?? 0;
    if (frame.kind === 'data') stats.dataFrames++;
    else if (frame.kind === 'credits') stats.creditFrames++;
    else stats.controlFrames++;
    stats.bytes += bytes;
    stats.wireBytes += frame.wireBytes;
    const { dlc } = frame;
    this.air.events.emit('frame', {
      time: this.clock.now(),
      connectionId: this.id,
      channel: dlc.channel,
      direction,
      kind: frame.kind,
      bytes,
      wireBytes: frame.wireBytes,
      ...(frame.data ? { data: frame.data } : {}),
      ...(frame.credits !== undefined ? { credits: frame.credits } : {}),
      ...(frame.frameSize !== undefined ? { frameSize: frame.frameSize } : {}),
    });
    // The receiving end is the one on the far side; credits are for the far side's sender.
    const far = direction === 'toHost' ? dlc.host : dlc.client;
    switch (frame.kind) {
      case 'data':
        far?.onData(frame.data ?? new Uint8Array(0));
        this.air.faults.noteBytesDelivered(this, bytes);
        return;
      case 'credits':
        far?.onCredits(frame.credits ?? 0);
        return;
      case 'open':
        dlc.onOpenRequest();
        return;
      case 'accept':
        dlc.onAccept(frame);
        return;
      case 'refuse':
        dlc.onRefuse();
        return;
      case 'disc':
        far?.onDisc();
        return;
      case 'ua':
        far?.onUa();
        return;
    }
  }

  /** True when channel `n` opened by `initiator` is open, opening or closing on this link. */
  hasChannel(n: number, initiator: DlcSide = 'client'): boolean {
    return this.dlcs.has(dlcKey(initiator, n));
  }

  addDlc(dlc: RfcommDlc): void {
    this.dlcs.set(dlc.key, dlc);
  }

  /** Channels on this link (open, opening or closing), oldest first. */
  channels(): RfcommDlc[] {
    return [...this.dlcs.values()];
  }

  dlcFinished(dlc: RfcommDlc): void {
    if (this.dlcs.get(dlc.key) === dlc) this.dlcs.delete(dlc.key);
  }

  channelOpened(dlc: RfcommDlc, frameSize: number, initialCredits: number): void {
    this.air.stats.channelsOpened++;
    this.air.events.emit('channelOpen', {
      time: this.clock.now(),
      connectionId: this.id,
      channel: dlc.channel,
      frameSize,
      initialCredits,
    });
  }

  channelClosed(dlc: RfcommDlc, clientReason: number | undefined, hostReason: number | undefined): void {
    this.air.stats.channelsClosed++;
    const fallback = this.closedReason ?? DisconnectReason.ConnectionTimeout;
    this.air.events.emit('channelClose', {
      time: this.clock.now(),
      connectionId: this.id,
      channel: dlc.channel,
      clientReason: clientReason ?? fallback,
      hostReason: hostReason ?? fallback,
    });
  }

  /** Range returned somewhere: the pipes take another look. */
  rangeChanged(): void {
    this.pipes.toHost.kick();
    this.pipes.toClient.kick();
  }

  /** Drops the link with ConnectionTimeout at `at` unless something drops it earlier. */
  scheduleSupervisionDrop(at: number): void {
    if (!this.open || at >= this.supervisionAt) return;
    this.supervisionTimer?.cancel();
    this.supervisionAt = at;
    this.supervisionTimer = this.clock.schedule(Math.max(0, at - this.clock.now()), () =>
      this.close(DisconnectReason.ConnectionTimeout, DisconnectReason.ConnectionTimeout),
    );
  }

  /** A local disconnect: nothing more moves, and the link ends one latency later (LMP detach), in range or not. */
  terminate(clientReason: number, hostReason: number): void {
    if (!this.open || this.terminateTimer) return;
    this.terminateTimer = this.clock.schedule(this.model.latencyMs, () => this.close(clientReason, hostReason));
  }

  /** Ends the link on both sides now (the phone's reason is ignored if it already left). */
  close(clientReason: number, hostReason: number): void {
    if (!this.open) return;
    this.open = false;
    this.closedReason = clientReason;
    this.terminateTimer?.cancel();
    this.terminateTimer = undefined;
    this.supervisionTimer?.cancel();
    this.supervisionTimer = undefined;
    this.pipes.toHost.stop();
    this.pipes.toClient.stop();
    const attached = this.hostAttached;
    const dlcs = [...this.dlcs.values()];
    this.dlcs.clear();
    for (const dlc of dlcs) dlc.linkDown(clientReason, attached ? hostReason : this.hostReason);
    if (attached) this.detach(hostReason);
    this.clientEncrypted = false;
    this.client.detachLink(this);
    this.connection.end(clientReason);
    this.air.linkClosed(this, clientReason, this.hostReason);
  }

  /**
   * The phone's radio went off: it sees the disconnect (and its channels
   * close) now; the PC only when the supervision timeout expires.
   */
  detachHost(reason: number): void {
    if (!this.isAttached) return;
    this.pipes.toHost.stop();
    this.pipes.toClient.stop();
    for (const dlc of this.dlcs.values()) dlc.hostGone(reason);
    this.detach(reason);
    this.scheduleSupervisionDrop(this.clock.now() + this.model.supervisionTimeoutMs);
  }

  /** Both ends now encrypt with the shared key. */
  setEncrypted(paired: boolean): void {
    if (!this.isAttached) return;
    this.hostEncrypted = true;
    this.clientEncrypted = true;
    this.air.events.emit('encrypted', { time: this.clock.now(), connectionId: this.id, paired });
  }

  private detach(reason: number): void {
    this.hostAttached = false;
    this.hostReason = reason;
    this.hostEncrypted = false;
    this.host.detachLink(this, reason);
  }
}
