/**
 * One hands-free unit's session with the phone's Audio Gateway: reads its
 * AT command lines off the byte channel, answers each as the profile says
 * (info lines, then OK / ERROR / +CME ERROR, through AtOutput), keeps that
 * HF's state (its features and codecs, +CIEV/+CLIP/+CCWA switches, gains,
 * HF indicators, Apple accessory reports, SLC progress; the fields are for
 * reading), runs AT+BCS codec negotiation through AudioNegotiation, and
 * sends the unsolicited results the gateway hands it.
 */
import type { ByteChannel, ClassicPeer } from '../../link/classic';
import type { Clock } from '../../link/clock';
import { decodeCommand, type HfCommand } from '../../protocol/hfp/commands';
import { HfpErrorCode } from '../../protocol/hfp/errors';
import { AgFeature, CMER_MODE_FORWARD, HfFeature, HfIndicator, IphoneAccevKey } from '../../protocol/hfp/constants';
import type { AgResult } from '../../protocol/hfp/results';
import { CommandLineSplitter } from '../../protocol/hfp/splitter';
import { AudioNegotiation, type AudioState } from './ag-audio';
import { AtOutput, type TranscriptEntry } from './ag-output';
import { ccwaResult, cindValues, clccResults, clipResult } from './ag-replies';
import { type CallChange, CallModel, CallRefusedError } from './call-model';
import type { Call } from './call-state';
import { cindSpecs, type AgIndicatorName, type HfpProfile, type RefusalReason } from './hfp-profile';

/** What a session needs from its gateway. */
export interface AgSessionContext {
  readonly profile: HfpProfile;
  readonly calls: CallModel;
  readonly clock: Clock;
  slcEstablished(session: AgSession): void;
  /** The HF issued a call command (ATA, ATD, AT+CHLD...): call audio follows it. */
  tookCallAction(session: AgSession): void;
  /** The HF asked for audio (AT+BCC). */
  audioWanted(session: AgSession): void;
  audioRequested(session: AgSession, codec: number): void;
  audioReleased(session: AgSession): void;
  received(session: AgSession, line: string, command: HfCommand | undefined): void;
  internalError(session: AgSession, error: unknown): void;
  closed(session: AgSession): void;
}

const MAX_HF_CODECS = 16;
const MAX_DTMF_KEPT = 1000;
const MAX_HF_INDICATORS = 16;
/** Indicators an HF may not switch off with AT+BIA. */
const ALWAYS_ON: readonly AgIndicatorName[] = ['call', 'callsetup', 'callheld'];

export class AgSession {
  hfFeatures = 0;
  hfCodecs: number[] = [];
  indicatorEvents = false;
  callerId = false;
  callWaitingNotices = false;
  extendedErrors = false;
  echoCancelling = true;
  voiceRecognition = false;
  speakerGain: number | undefined;
  micGain: number | undefined;
  /** HF indicators the HF listed with AT+BIND=. */
  hfIndicatorsListed: number[] | undefined;
  /** Last AT+BIEV value per HF indicator. */
  readonly hfIndicatorValues = new Map<number, number>();
  /** Per +CIND position: false when the HF switched that indicator off with AT+BIA. */
  readonly indicatorActive: boolean[];
  xapl: { vendorId: number; productId: number; version: string; features: number } | undefined;
  /** AT+IPHONEACCEV battery level, 0-9. */
  accessoryBattery: number | undefined;
  docked: boolean | undefined;
  readonly dtmfSent: string[] = [];
  slc = false;
  private readonly splitter = new CommandLineSplitter();
  private readonly out: AtOutput;
  private readonly audioLink: AudioNegotiation;
  private chldTested = false;
  private bindRead = false;
  private isClosed = false;

  constructor(
    readonly peer: ClassicPeer,
    readonly channel: ByteChannel,
    private readonly ctx: AgSessionContext,
  ) {
    this.indicatorActive = ctx.profile.indicators.map(() => true);
    this.out = new AtOutput(channel, ctx.clock, {
      // The channel is gone or its queue is full: this HF is lost.
      writeFailed: () => this.close(),
      encodeFailed: (err) => ctx.internalError(this, err),
    });
    this.audioLink = new AudioNegotiation({
      clock: ctx.clock,
      agCodecs: ctx.profile.codecs,
      forgetCodecAfterAudio: ctx.profile.codecOnlyWhenAudio,
      propose: (codec) => this.out.unsolicited({ kind: 'bcs', codec }),
      opened: (codec) => ctx.audioRequested(this, codec),
      released: () => ctx.audioReleased(this),
    });
    channel.events.on('data', (chunk) => this.receive(chunk));
    channel.events.on('close', () => this.close());
  }

  get closed(): boolean {
    return this.isClosed;
  }

  /** Lines both ways, oldest first (at most MAX_TRANSCRIPT). */
  get transcript(): readonly TranscriptEntry[] {
    return this.out.transcript;
  }

  /** Transcript entries dropped to stay within the bound. */
  get transcriptDropped(): number {
    return this.out.transcriptDropped;
  }

  /** Lines the HF sent, oldest first. */
  get received(): string[] {
    return this.out.transcript.filter((e) => e.from === 'hf').map((e) => e.line);
  }

  get audio(): AudioState {
    return this.audioLink.state;
  }

  /** The codec the HF confirmed with AT+BCS. */
  get confirmedCodec(): number | undefined {
    return this.audioLink.confirmedCodec;
  }

  /** The codec of the audio link asked for. */
  get audioCodec(): number | undefined {
    return this.audioLink.audioCodec;
  }

  /** Both sides set the codec negotiation bit and the HF listed its codecs. */
  get codecNegotiation(): boolean {
    return (this.hfFeatures & HfFeature.CodecNegotiation) !== 0 && this.agHas(AgFeature.CodecNegotiation) && this.hfCodecs.length > 0;
  }

  // ---- from the gateway ----

  /** Reports a call-model change: +CCWA for a new waiting call, the +CIEV updates, NO CARRIER. */
  notifyChange(change: CallChange, updates: readonly { name: AgIndicatorName; result: AgResult }[]): void {
    if (change.waiting && this.slc && this.callWaitingNotices) {
      this.out.unsolicited(ccwaResult(change.waiting, this.ctx.profile.callerNameInClip));
    }
    for (const { name, result } of updates) {
      const position = this.ctx.profile.indicators.findIndex((s) => s.name === name);
      if (this.indicatorEvents && (this.indicatorActive[position] ?? true)) this.out.unsolicited(result);
    }
    if (change.networkLost && this.slc) this.out.unsolicited({ kind: 'noCarrier' });
  }

  /** One ring: RING, and +CLIP when the HF asked for caller id. */
  ring(call: Call): void {
    if (!this.slc) return;
    this.out.unsolicited({ kind: 'ring' });
    if (this.callerId) this.out.unsolicited(clipResult(call, this.ctx.profile.callerNameInClip));
  }

  /** Call audio is needed: negotiate the codec if both sides can, then ask for the audio link. */
  startAudio(): void {
    if (!this.isClosed) this.audioLink.start(this.codecNegotiation ? this.hfCodecs : undefined);
  }

  /** Settles the codec ahead of any audio (for phones that do so right after the SLC). */
  preselectCodec(): void {
    if (this.codecNegotiation) this.audioLink.preselect(this.hfCodecs);
  }

  /** Call audio is no longer needed. */
  releaseAudio(): void {
    this.audioLink.release();
  }

  /** The audio link went away underneath (the HF or the link closed it). */
  audioLinkClosed(): void {
    this.audioLink.linkClosed();
  }

  close(): void {
    if (this.isClosed) return;
    this.releaseAudio();
    this.isClosed = true;
    this.out.stop();
    this.splitter.reset();
    this.ctx.closed(this);
    if (this.channel.open) void this.channel.close().catch(() => undefined);
  }

  // ---- input ----

  private receive(chunk: Uint8Array): void {
    if (this.isClosed) return;
    for (const event of this.splitter.push(chunk)) {
      if (this.isClosed) return;
      if (event.kind === 'line') {
        this.handleLine(event.text);
        continue;
      }
      this.out.record('hf', `<${event.error.code} at byte ${event.error.offset ?? '?'}>`);
      // A line dropped for its length or a control byte was meant as a command: refuse it. Bytes
      // without any 'AT' (or before one) are noise, and a modem stays silent about noise.
      if (event.error.code !== HfpErrorCode.Garbage) this.out.command(() => this.error(), () => undefined);
    }
  }

  private handleLine(line: string): void {
    this.out.record('hf', line);
    let command: HfCommand | undefined;
    try {
      command = decodeCommand(line);
    } catch {
      command = undefined;
    }
    this.ctx.received(this, line, command);
    this.out.command(
      () => (command === undefined ? this.error() : this.execute(command)),
      (err) => {
        if (err instanceof CallRefusedError) this.refuse(err.reason);
        else if (!(err instanceof RangeError)) this.ctx.internalError(this, err);
      },
    );
  }

  private execute(cmd: HfCommand): void {
    const { profile, calls } = this.ctx;
    switch (cmd.kind) {
      case 'brsf':
        this.hfFeatures = cmd.features;
        this.respond({ kind: 'brsf', features: profile.agFeatures });
        return this.ok();
      case 'bac':
        if (!this.agHas(AgFeature.CodecNegotiation)) return this.refuse('unsupported');
        if (cmd.codecs.length > MAX_HF_CODECS) return this.error();
        this.hfCodecs = [...new Set(cmd.codecs)];
        this.ok();
        // A negotiation under way starts again (the HF lacked the codec proposed).
        return this.audioLink.codecsChanged(this.hfCodecs);
      case 'cindTest':
        this.respond({ kind: 'cindTest', indicators: cindSpecs(profile) });
        return this.ok();
      case 'cindRead':
        this.respond({ kind: 'cindRead', values: cindValues(profile, calls.indicators()) });
        return this.ok();
      case 'cmer':
        this.indicatorEvents = cmd.mode === CMER_MODE_FORWARD && cmd.ind === 1;
        this.ok();
        return this.checkSlc();
      case 'chldTest':
        if (profile.chld.length === 0) return this.refuse('unsupported');
        this.respond({ kind: 'chld', options: [...profile.chld] });
        this.chldTested = true;
        this.ok();
        return this.checkSlc();
      case 'chld': {
        const option = `${cmd.action}${cmd.callIndex === undefined ? '' : 'x'}`;
        if (!(profile.chld as readonly string[]).includes(option)) return this.refuse('unsupported');
        this.ctx.tookCallAction(this);
        calls.chld(cmd.action, cmd.callIndex);
        return this.ok();
      }
      case 'bind':
        if (profile.hfIndicators.length === 0) return this.refuse('unsupported');
        if (cmd.indicators.length > MAX_HF_INDICATORS) return this.error();
        this.hfIndicatorsListed = [...new Set(cmd.indicators)];
        return this.ok();
      case 'bindTest':
        if (profile.hfIndicators.length === 0) return this.refuse('unsupported');
        this.respond({ kind: 'bindList', indicators: [...profile.hfIndicators] });
        return this.ok();
      case 'bindRead':
        if (profile.hfIndicators.length === 0) return this.refuse('unsupported');
        for (const indicator of profile.hfIndicators) this.respond({ kind: 'bindStatus', indicator, enabled: this.hfIndicatorEnabled(indicator) });
        this.bindRead = true;
        this.ok();
        return this.checkSlc();
      case 'biev': {
        if (!this.hfIndicatorEnabled(cmd.indicator)) return this.refuse('notAllowed');
        const max = cmd.indicator === HfIndicator.EnhancedSafety ? 1 : cmd.indicator === HfIndicator.BatteryLevel ? 100 : 0xffff;
        if (cmd.value > max) return this.error();
        this.hfIndicatorValues.set(cmd.indicator, cmd.value);
        return this.ok();
      }
      case 'bia':
        cmd.states.forEach((state, i) => {
          const spec = profile.indicators[i];
          if (state !== undefined && spec && !ALWAYS_ON.includes(spec.name)) this.indicatorActive[i] = state;
        });
        return this.ok();
      case 'clip':
        this.callerId = cmd.enabled;
        return this.ok();
      case 'ccwa':
        this.callWaitingNotices = cmd.enabled;
        return this.ok();
      case 'cmee':
        if (!this.agHas(AgFeature.ExtendedErrorCodes)) return this.refuse('unsupported');
        this.extendedErrors = cmd.enabled;
        return this.ok();
      case 'cops':
        if (cmd.mode !== 3 || (cmd.format !== undefined && cmd.format !== 0)) return this.refuse('unsupported');
        return this.ok();
      case 'copsRead':
        this.respond(calls.service ? { kind: 'cops', mode: 0, format: 0, operator: profile.operatorName } : { kind: 'cops', mode: 0 });
        return this.ok();
      case 'nrec':
        if (!this.agHas(AgFeature.EcNr)) return this.refuse('unsupported');
        this.echoCancelling = cmd.enabled;
        return this.ok();
      case 'clcc':
        for (const line of clccResults(calls.calls())) this.respond(line);
        return this.ok();
      case 'cnum':
        if (profile.ownNumber !== undefined) {
          const type = profile.ownNumber.startsWith('+') ? 145 : 129;
          this.respond({ kind: 'cnum', number: profile.ownNumber, type, service: 4 });
        }
        return this.ok();
      case 'vgs':
      case 'vgm':
        if (cmd.gain > 15) return this.error();
        if (cmd.kind === 'vgs') this.speakerGain = cmd.gain;
        else this.micGain = cmd.gain;
        return this.ok();
      case 'answer':
        this.ctx.tookCallAction(this);
        calls.answer();
        return this.ok();
      case 'chup':
        this.ctx.tookCallAction(this);
        calls.hangUp();
        return this.ok();
      case 'dial':
        this.ctx.tookCallAction(this);
        calls.dial(cmd.number);
        return this.ok();
      case 'dialMemory':
        this.ctx.tookCallAction(this);
        calls.dialMemory(cmd.location);
        return this.ok();
      case 'bldn':
        this.ctx.tookCallAction(this);
        calls.redial();
        return this.ok();
      case 'vts':
        calls.sendDtmf(cmd.tone);
        this.dtmfSent.push(cmd.tone);
        if (this.dtmfSent.length > MAX_DTMF_KEPT) this.dtmfSent.shift();
        return this.ok();
      case 'bvra':
        if (!this.agHas(AgFeature.VoiceRecognition) || cmd.value > 1) return this.refuse('unsupported');
        this.voiceRecognition = cmd.value === 1;
        return this.ok();
      case 'bcs':
        return this.audioLink.confirm(cmd.codec) ? this.ok() : this.refuse('notAllowed');
      case 'bcc':
        if (!this.codecNegotiation) return this.refuse('unsupported');
        this.ok();
        return this.ctx.audioWanted(this);
      case 'btrhRead':
        return this.ok();
      case 'btrh':
        return this.refuse('unsupported');
      case 'xapl':
        if (!profile.appleExtensions) return this.error();
        this.xapl = { vendorId: cmd.vendorId, productId: cmd.productId, version: cmd.version, features: cmd.features };
        this.respond({ kind: 'xapl', device: 'iPhone', features: cmd.features & profile.xaplFeatures });
        return this.ok();
      case 'iphoneAccev':
        return this.accessoryEvent(cmd.pairs);
      case 'unknown':
        return this.error();
    }
  }

  private accessoryEvent(pairs: readonly { key: number; value: number }[]): void {
    if (!this.ctx.profile.appleExtensions) return this.error();
    for (const { key, value } of pairs) {
      if (key === IphoneAccevKey.BatteryLevel && value > 9) return this.error();
      if (key === IphoneAccevKey.DockState && value > 1) return this.error();
    }
    for (const { key, value } of pairs) {
      if (key === IphoneAccevKey.BatteryLevel) this.accessoryBattery = value;
      else if (key === IphoneAccevKey.DockState) this.docked = value === 1;
    }
    this.ok();
  }

  // ---- helpers ----

  private checkSlc(): void {
    if (this.slc || !this.indicatorEvents) return;
    const threeWay = (this.hfFeatures & HfFeature.ThreeWayCalling) !== 0 && this.agHas(AgFeature.ThreeWayCalling);
    const hfIndicators = (this.hfFeatures & HfFeature.HfIndicators) !== 0 && this.agHas(AgFeature.HfIndicators);
    if (threeWay && !this.chldTested) return;
    if (hfIndicators && !this.bindRead) return;
    this.slc = true;
    this.ctx.slcEstablished(this);
  }

  private hfIndicatorEnabled(indicator: number): boolean {
    return this.ctx.profile.hfIndicators.includes(indicator) && (this.hfIndicatorsListed?.includes(indicator) ?? true);
  }

  private agHas(bit: number): boolean {
    return (this.ctx.profile.agFeatures & bit) !== 0;
  }

  private refuse(reason: RefusalReason): void {
    this.out.finish(this.extendedErrors ? { kind: 'cmeError', code: this.ctx.profile.refusals[reason] } : { kind: 'error' });
  }

  private ok(): void {
    this.out.finish({ kind: 'ok' });
  }

  private error(): void {
    this.out.finish({ kind: 'error' });
  }

  private respond(result: AgResult): void {
    this.out.respond(result);
  }
}
