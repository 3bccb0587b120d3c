/**
 * What the AG says unasked, interpreted for the hands-free unit: +CIEV
 * (resolved by indicator name, call indicators passed to the call tracker),
 * RING paired with the +CLIP that follows it, +CCWA, +VGS/+VGM, +BCS codec
 * selection (answered at once with AT+BCS or, for a codec we lack, AT+BAC),
 * +BSIR, +BIND, +BTRH and the call-failure keywords. Anything else is
 * ignored. Holds the last indicator values and gains; emits on the hands-free
 * unit's emitter.
 */
import type { Clock, Timer } from '../../link/clock';
import { ProtocolError } from '../../protocol/errors';
import { ClccStatus } from '../../protocol/hfp/constants';
import type { HfCommand } from '../../protocol/hfp/commands';
import { HfpError, HfpErrorCode } from '../../protocol/hfp/errors';
import type { IndicatorMap } from '../../protocol/hfp/indicators';
import type { AgResult, AgResultOf } from '../../protocol/hfp/results';
import type { Emitter } from '../../util/emitter';
import type { CallIndicatorName, CallTracker } from './call-tracker';
import { DEFAULT_RING_CLIP_WAIT_MS, MAX_GAIN, type CallFailure, type HandsFreeEvents } from './hands-free-types';
import { canonicalIndicatorName } from './slc';

export interface AgEventsContext {
  events: Emitter<HandsFreeEvents>;
  clock: Clock;
  tracker: CallTracker;
  /** Our codecs, for answering +BCS. */
  codecs: readonly number[];
  ringClipWaitMs?: number;
  /** The AG's indicator table; undefined until the SLC has it. */
  indicatorMap: () => IndicatorMap | undefined;
  /** Sends a command ahead of the queue (the AG is waiting for it). */
  sendUrgent: (command: HfCommand) => Promise<AgResult[]>;
  /** A call-state change happened: the hands-free unit asks for +CLCC. */
  callStateChanged: () => void;
  /** The AG turned one of our HF indicators on or off (+BIND: n,s). */
  hfIndicatorChanged: (indicator: number, enabled: boolean) => void;
  /** A background command failed. */
  failed: (error: unknown) => void;
}

export type GainTarget = 'speaker' | 'microphone';

const CALL_INDICATORS = new Set<string>(['call', 'callsetup', 'callheld']);

const FAILURES: Partial<Record<AgResult['kind'], CallFailure>> = {
  noCarrier: 'no-carrier',
  busy: 'busy',
  noAnswer: 'no-answer',
  delayed: 'delayed',
  blacklisted: 'blacklisted',
};

export class AgEvents {
  /** Last value of every indicator, by canonical name. */
  readonly values: Record<string, number> = {};
  readonly gains: Record<GainTarget, number | undefined> = { speaker: undefined, microphone: undefined };
  /** The codec agreed last (AT+BCS accepted). */
  codec: number | undefined;
  private ringTimer: Timer | undefined;
  private stopped = false;

  constructor(private readonly ctx: AgEventsContext) {}

  handle(result: AgResult): void {
    if (this.stopped) return;
    switch (result.kind) {
      case 'ciev':
        this.onCiev(result);
        return;
      case 'ring':
        this.onRing();
        return;
      case 'clip':
        this.onClip(result);
        return;
      case 'ccwa':
        if (this.ctx.tracker.ccwa(result)) this.emitCalls();
        this.ctx.events.emit('waiting', orUndefined(result.number), orUndefined(result.alpha));
        this.ctx.callStateChanged();
        return;
      case 'vgs':
      case 'vgm':
        this.onGain(result.kind === 'vgs' ? 'speaker' : 'microphone', result.gain);
        return;
      case 'bcs':
        this.onCodecSelection(result.codec);
        return;
      case 'bsir':
        this.ctx.events.emit('inBandRing', result.enabled);
        return;
      case 'bindStatus':
        this.ctx.hfIndicatorChanged(result.indicator, result.enabled);
        return;
      case 'btrh':
        this.ctx.callStateChanged();
        return;
      default: {
        const failure = FAILURES[result.kind];
        if (failure === undefined) return; // anything else unasked-for is ignored
        this.ctx.events.emit('callFailed', failure);
        this.ctx.callStateChanged();
      }
    }
  }

  /** Stops timers and ignores anything further (the session closed). */
  stop(): void {
    this.stopped = true;
    this.cancelRing();
  }

  emitCalls(): void {
    this.ctx.events.emit('calls', this.ctx.tracker.snapshot());
  }

  private onCiev(ciev: AgResultOf<'ciev'>): void {
    const map = this.ctx.indicatorMap();
    if (!map) return; // indicator events are off until AT+CMER; a stray one means nothing yet
    let name: string;
    try {
      const resolved = map.interpretCiev(ciev);
      name = canonicalIndicatorName(resolved.name);
      if (!resolved.inRange) {
        this.report(new HfpError(HfpErrorCode.BadValue, `+CIEV: ${name}=${ciev.value} is outside the range the AG listed`));
        return;
      }
    } catch (err) {
      this.report(err instanceof ProtocolError ? err : new HfpError(HfpErrorCode.UnknownIndicator, String(err)));
      return;
    }
    this.values[name] = ciev.value;
    if (!CALL_INDICATORS.has(name)) {
      this.ctx.events.emit('indicator', name, ciev.value);
      return;
    }
    if (this.ctx.tracker.indicator(name as CallIndicatorName, ciev.value)) this.emitCalls();
    if (name === 'callsetup' && ciev.value === 0) this.cancelRing();
    this.ctx.callStateChanged();
  }

  /** RING fires `ring` once the +CLIP that normally follows has arrived, or after a short wait without one. */
  private onRing(): void {
    this.cancelRing();
    this.ringTimer = this.ctx.clock.schedule(this.ctx.ringClipWaitMs ?? DEFAULT_RING_CLIP_WAIT_MS, () => {
      this.ringTimer = undefined;
      const incoming = this.ctx.tracker.list.find((c) => c.status === ClccStatus.Incoming);
      this.ctx.events.emit('ring', incoming?.number, incoming?.name);
    });
  }

  private onClip(clip: AgResultOf<'clip'>): void {
    if (this.ctx.tracker.clip(clip)) this.emitCalls();
    if (this.ringTimer?.pending) {
      this.cancelRing();
      this.ctx.events.emit('ring', orUndefined(clip.number), orUndefined(clip.alpha));
    }
  }

  private cancelRing(): void {
    this.ringTimer?.cancel();
    this.ringTimer = undefined;
  }

  private onGain(target: GainTarget, gain: number): void {
    if (!Number.isInteger(gain) || gain < 0 || gain > MAX_GAIN) {
      this.report(new HfpError(HfpErrorCode.BadValue, `+${target === 'speaker' ? 'VGS' : 'VGM'}: ${gain} is outside 0-${MAX_GAIN}`));
      return;
    }
    this.gains[target] = gain;
    this.ctx.events.emit('volume', { target, gain, from: 'ag' });
  }

  /** +BCS: n. Confirm a codec we have; otherwise tell the AG again which ones we have. */
  private onCodecSelection(codec: number): void {
    if (!this.ctx.codecs.includes(codec)) {
      this.ctx.sendUrgent({ kind: 'bac', codecs: [...this.ctx.codecs] }).catch(this.ctx.failed);
      return;
    }
    this.ctx.sendUrgent({ kind: 'bcs', codec }).then(() => {
      if (this.stopped) return;
      this.codec = codec;
      this.ctx.events.emit('codec', codec);
      this.ctx.events.emit('audio', { codec });
    }, this.ctx.failed);
  }

  private report(error: Error): void {
    this.ctx.events.emit('error', error);
  }
}

function orUndefined(text: string | undefined): string | undefined {
  return text === '' ? undefined : text;
}
