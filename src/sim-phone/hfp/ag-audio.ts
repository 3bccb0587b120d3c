/**
 * One HF's call audio as the AG sees it: codec negotiation (the AG sends
 * +BCS, the HF confirms with AT+BCS; a changed AT+BAC restarts it; no
 * answer within BCS_TIMEOUT_MS falls back to CVSD) and whether an audio
 * link is asked for. Without codec negotiation on both sides the audio link
 * is CVSD and is asked for at once. The hooks send +BCS and tell the
 * gateway when audio opens or is released.
 */
import type { Clock, Timer } from '../../link/clock';
import { AudioCodec } from '../../protocol/hfp/constants';
import { bestCodec } from './ag-replies';

export type AudioState = 'idle' | 'negotiating' | 'open';

/** How long the AG waits for AT+BCS after +BCS before falling back to CVSD. */
export const BCS_TIMEOUT_MS = 5000;

export interface AudioHooks {
  clock: Clock;
  /** The phone's codecs. */
  agCodecs: readonly number[];
  /** Forget the confirmed codec when audio ends, so the next call negotiates again (the iPhone). */
  forgetCodecAfterAudio: boolean;
  /** Sends +BCS: <codec>. */
  propose(codec: number): void;
  /** Ask the SCO layer for an audio link with this codec. */
  opened(codec: number): void;
  /** The audio link is no longer needed. */
  released(): void;
}

export class AudioNegotiation {
  private current: AudioState = 'idle';
  private confirmed: number | undefined;
  private linkCodec: number | undefined;
  private proposed: number | undefined;
  private openWhenConfirmed = false;
  private timer: Timer | undefined;

  constructor(private readonly hooks: AudioHooks) {}

  get state(): AudioState {
    return this.current;
  }

  /** The codec the HF confirmed with AT+BCS. */
  get confirmedCodec(): number | undefined {
    return this.confirmed;
  }

  /** The codec of the audio link asked for. */
  get audioCodec(): number | undefined {
    return this.linkCodec;
  }

  /** Call audio is needed; `hfCodecs` undefined when the two sides do not negotiate codecs. */
  start(hfCodecs: readonly number[] | undefined): void {
    if (this.current !== 'idle') return;
    if (hfCodecs === undefined) {
      this.open(AudioCodec.Cvsd);
      return;
    }
    const codec = bestCodec(this.hooks.agCodecs, hfCodecs);
    if (this.confirmed === codec) this.open(codec);
    else this.propose(codec, true);
  }

  /** Settles the codec ahead of any audio (phones that do so right after the SLC). */
  preselect(hfCodecs: readonly number[]): void {
    if (this.current !== 'idle') return;
    const codec = bestCodec(this.hooks.agCodecs, hfCodecs);
    if (this.confirmed !== codec) this.propose(codec, false);
  }

  /** AT+BAC: the HF's codecs changed; a negotiation under way starts again with them. */
  codecsChanged(hfCodecs: readonly number[]): void {
    this.confirmed = undefined;
    if (this.current === 'negotiating') this.propose(bestCodec(this.hooks.agCodecs, hfCodecs), this.openWhenConfirmed);
  }

  /** AT+BCS=<codec>: true when it confirms the codec proposed (the AG answers OK). */
  confirm(codec: number): boolean {
    if (this.current !== 'negotiating' || codec !== this.proposed) return false;
    this.cancel();
    this.confirmed = codec;
    if (this.openWhenConfirmed) this.open(codec);
    return true;
  }

  /** Call audio is no longer needed. */
  release(): void {
    this.cancel();
    const wasOpen = this.current === 'open';
    this.current = 'idle';
    this.linkCodec = undefined;
    if (this.hooks.forgetCodecAfterAudio) this.confirmed = undefined;
    if (wasOpen) this.hooks.released();
  }

  /** The audio link went away underneath (the HF or the link closed it). */
  linkClosed(): void {
    if (this.current !== 'open') return;
    this.current = 'idle';
    this.linkCodec = undefined;
  }

  private propose(codec: number, openWhenConfirmed: boolean): void {
    this.cancel();
    this.current = 'negotiating';
    this.proposed = codec;
    this.openWhenConfirmed = openWhenConfirmed;
    this.timer = this.hooks.clock.schedule(BCS_TIMEOUT_MS, () => {
      this.timer = undefined;
      const open = this.openWhenConfirmed;
      this.cancel();
      // No answer: give up on the codec, and open narrow-band audio if a call needs it.
      if (open) this.open(AudioCodec.Cvsd);
    });
    this.hooks.propose(codec);
  }

  private cancel(): void {
    this.timer?.cancel();
    this.timer = undefined;
    this.proposed = undefined;
    if (this.current === 'negotiating') this.current = 'idle';
  }

  private open(codec: number): void {
    this.current = 'open';
    this.linkCodec = codec;
    this.hooks.opened(codec);
  }
}
