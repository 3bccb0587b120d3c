/**
 * One direction of an in-memory ACL connection: a serial transmitter. It
 * sends one frame at a time, each occupying the pipe for its air time
 * (classic-model.ts) and arriving `latencyMs` after it left. Control frames
 * (credits, open and close handshakes) go before data; data comes from the
 * channel ends sending this way, one frame per end in turn, each end
 * deciding whether it may send (credits). While the two ends are out of
 * range nothing starts, and frames that arrive meanwhile are held, in
 * order, until range returns. Timers exist only while something is queued
 * or in flight.
 */
import { Clock, Timer } from '../../clock';
import { QueueFullError } from '../../errors';
import { ClassicLinkModel, CREDIT_FRAME_WIRE_BYTES, frameAirTimeMs } from '../../classic-model';
import { ClassicDirection, ClassicFrameKind } from './classic-air-events';
import type { RfcommDlc } from './rfcomm-dlc';
import { CLASSIC_MAX_CONTROL_FRAMES } from '../../../limits';

/** A frame on its way; `dlc` is the channel it belongs to. */
export interface ClassicFrame {
  kind: ClassicFrameKind;
  dlc: RfcommDlc;
  wireBytes: number;
  data?: Uint8Array;
  credits?: number;
  frameSize?: number;
}

/** A channel end sending in this direction. */
export interface FrameSource {
  /** The next frame it may send now (taken off its queue), or undefined. */
  takeFrame(): ClassicFrame | undefined;
}

/** What the pipe needs from its connection. */
export interface PipeOwner {
  readonly clock: Clock;
  readonly model: ClassicLinkModel;
  /** False once the link is down, going down, or the phone's end is gone. */
  readonly canMove: boolean;
  /** When the ends are out of range at `time`, the time range returns. */
  outOfRangeUntil(time: number): number | undefined;
  deliver(direction: ClassicDirection, frame: ClassicFrame): void;
  /** Payload bytes lost (queued or in flight when the pipe stopped). */
  dropped(bytes: number): void;
}

/** Control frames one pipe may hold unsent (credits coalesce per channel, so a few per channel at most). */
export const MAX_CONTROL_FRAMES = CLASSIC_MAX_CONTROL_FRAMES;

export class ClassicPipe {
  private control: ClassicFrame[] = [];
  private sources: FrameSource[] = [];
  private turn = 0;
  private sending: { timer: Timer; frame: ClassicFrame } | undefined;
  private readonly inFlight = new Map<Timer, ClassicFrame>();
  private held: ClassicFrame[] = [];
  private wake: { timer: Timer; at: number } | undefined;
  private stopped = false;
  private kicking = false;
  private rekick = false;

  constructor(
    private readonly owner: PipeOwner,
    readonly direction: ClassicDirection,
  ) {}

  /** Queues a control frame ahead of data. */
  sendControl(frame: ClassicFrame): void {
    if (this.stopped) return;
    if (this.control.length >= MAX_CONTROL_FRAMES) throw new QueueFullError(`${this.direction} control`, MAX_CONTROL_FRAMES);
    this.control.push(frame);
    this.kick();
  }

  /** Queues a credit grant, adding to one for the same channel that has not left yet. */
  sendCredits(dlc: RfcommDlc, credits: number): void {
    if (this.stopped || credits <= 0) return;
    const queued = this.control.find((f) => f.kind === 'credits' && f.dlc === dlc);
    if (queued) {
      queued.credits = (queued.credits ?? 0) + credits;
      return;
    }
    this.sendControl({ kind: 'credits', dlc, credits, wireBytes: CREDIT_FRAME_WIRE_BYTES });
  }

  addSource(source: FrameSource): void {
    if (!this.stopped && !this.sources.includes(source)) this.sources.push(source);
  }

  removeSource(source: FrameSource): void {
    const i = this.sources.indexOf(source);
    if (i < 0) return;
    this.sources.splice(i, 1);
    if (this.turn > i) this.turn--;
  }

  /** Something may have become sendable (or range returned): start the next frame if the pipe is free. */
  kick(): void {
    if (this.kicking) {
      this.rekick = true;
      return;
    }
    this.kicking = true;
    try {
      do {
        this.rekick = false;
        this.step();
      } while (this.rekick);
    } finally {
      this.kicking = false;
    }
  }

  /** Stops for good: nothing more is sent or delivered. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    let lost = 0;
    const count = (frame: ClassicFrame): void => {
      lost += frame.data?.length ?? 0;
    };
    if (this.sending) {
      this.sending.timer.cancel();
      count(this.sending.frame);
      this.sending = undefined;
    }
    for (const [timer, frame] of this.inFlight) {
      timer.cancel();
      count(frame);
    }
    this.inFlight.clear();
    this.held.forEach(count);
    this.held = [];
    this.control = [];
    this.sources = [];
    this.wake?.timer.cancel();
    this.wake = undefined;
    if (lost > 0) this.owner.dropped(lost);
  }

  private step(): void {
    const { owner } = this;
    if (this.stopped || !owner.canMove) return;
    const now = owner.clock.now();
    const resume = owner.outOfRangeUntil(now);
    if (resume !== undefined) {
      this.wakeAt(resume);
      return;
    }
    while (this.held.length > 0 && !this.stopped && owner.canMove) {
      owner.deliver(this.direction, this.held.shift() as ClassicFrame);
    }
    if (this.stopped || this.sending || !owner.canMove) return;
    const frame = this.pick();
    if (!frame) return;
    const timer = owner.clock.schedule(frameAirTimeMs(owner.model, frame.wireBytes), () => this.sent(frame));
    this.sending = { timer, frame };
  }

  /** The frame's last bit left: it arrives after the latency; the pipe takes the next one. */
  private sent(frame: ClassicFrame): void {
    this.sending = undefined;
    const timer = this.owner.clock.schedule(this.owner.model.latencyMs, () => {
      this.inFlight.delete(timer);
      this.arrive(frame);
    });
    this.inFlight.set(timer, frame);
    this.kick();
  }

  private arrive(frame: ClassicFrame): void {
    const { owner } = this;
    if (this.stopped) return;
    if (!owner.canMove) {
      owner.dropped(frame.data?.length ?? 0);
      return;
    }
    if (this.held.length > 0 || owner.outOfRangeUntil(owner.clock.now()) !== undefined) {
      this.held.push(frame);
      this.kick();
      return;
    }
    owner.deliver(this.direction, frame);
  }

  /** Control first, then one frame from the next source in turn that can send. */
  private pick(): ClassicFrame | undefined {
    const control = this.control.shift();
    if (control) return control;
    const n = this.sources.length;
    for (let i = 0; i < n; i++) {
      const index = (this.turn + i) % n;
      const frame = (this.sources[index] as FrameSource).takeFrame();
      if (frame) {
        this.turn = (index + 1) % Math.max(1, this.sources.length);
        return frame;
      }
    }
    return undefined;
  }

  private wakeAt(at: number): void {
    if (this.wake?.timer.pending && this.wake.at === at) return;
    this.wake?.timer.cancel();
    const timer = this.owner.clock.schedule(at - this.owner.clock.now(), () => {
      this.wake = undefined;
      this.kick();
    });
    this.wake = { timer, at };
  }
}
