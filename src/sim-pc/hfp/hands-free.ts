/**
 * The PC as a Bluetooth hands-free unit (HFP HF role) on one RFCOMM
 * channel to the phone's Audio Gateway: sets up the service-level
 * connection, follows the calls (indicators by name, RING, +CLIP, +CCWA,
 * reconciled with +CLCC after every call-state change when both sides
 * support enhanced call status), and offers call control, DTMF, volume,
 * battery reports and codec selection. Commands run one at a time; a
 * refused one rejects with AgRefusedError or AgCmeError, a silent AG with
 * TimeoutError (and after a few in a row the session closes rather than
 * hang). Garbled lines are reported on `error` and skipped. One instance
 * per channel: after a reconnect, make a new one.
 */
import { DisconnectedError } from '../../link/errors';
import {
  AgFeature,
  AudioCodec,
  ChldAction,
  HfFeature,
  HfIndicator,
  IphoneAccevKey,
  XaplFeature,
  bothSupport,
} from '../../protocol/hfp/constants';
import type { HfCommand } from '../../protocol/hfp/commands';
import type { IndicatorMap } from '../../protocol/hfp/indicators';
import type { AgResult, AgResultOf } from '../../protocol/hfp/results';
import { Emitter } from '../../util/emitter';
import { NotConnectedError, TimeoutError, UnsupportedError } from '../errors';
import { AgEvents } from './ag-events';
import { AtSession } from './at-session';
import { CallTracker, type HfCall } from './call-tracker';
import { HfpArgumentError, SlcError, isAgRefusal } from './errors';
import {
  DEFAULT_APPLE_ACCESSORY,
  DEFAULT_CODECS,
  DEFAULT_HF_FEATURES,
  DEFAULT_HF_INDICATORS,
  DEFAULT_MAX_CONSECUTIVE_TIMEOUTS,
  MAX_GAIN,
  type AppleAccessory,
  type HandsFreeEvents,
  type HandsFreeOptions,
  type HandsFreeState,
} from './hands-free-types';
import { canonicalIndicatorName, establishSlc, type AgInfo } from './slc';

const DIAL_STRING = /^[0-9+*#A-Da-d,]{1,80}$/;

export class HandsFree {
  readonly events = new Emitter<HandsFreeEvents>();
  private readonly session: AtSession;
  private readonly tracker = new CallTracker();
  private readonly features: number;
  private readonly codecs: readonly number[];
  private readonly apple: AppleAccessory | false;
  private currentState: HandsFreeState = 'idle';
  private ag: AgInfo | undefined;
  /** The AG's indicator table, known from AT+CIND=? on (before the SLC completes). */
  private indicatorMap: IndicatorMap | undefined;
  private starting: Promise<AgInfo> | undefined;
  private setupDone = false;
  private closeReason: Error | undefined;
  private timeoutsInRow = 0;
  /** AT+CLCC queries queued or in flight. */
  private clccRunning = 0;
  private clccAgain = false;
  /** AT lines dropped as unusable so far (each already reported as an `error`). */
  private droppedLines = 0;
  /** Timeouts that follow a dropped line (most likely the command's own answer): reported already, through that line. */
  private readonly consequences = new WeakSet<Error>();
  private appleFeatures: number | undefined;
  private readonly agEvents: AgEvents;
  private operatorName: string | undefined;
  private ownNumbers: string[] = [];
  private readonly unsubscribeClose: () => void;

  constructor(private readonly options: HandsFreeOptions) {
    this.features = options.features ?? DEFAULT_HF_FEATURES;
    this.codecs = options.codecs ?? DEFAULT_CODECS;
    this.apple = options.apple ?? DEFAULT_APPLE_ACCESSORY;
    this.session = new AtSession({
      channel: options.channel,
      clock: options.clock,
      ...(options.commandTimeoutMs === undefined ? {} : { timeoutMs: options.commandTimeoutMs }),
      ...(options.maxQueuedCommands === undefined ? {} : { maxQueued: options.maxQueuedCommands }),
      onUnsolicited: (result) => this.agEvents.handle(result),
      onProtocolError: (error) => {
        this.droppedLines++;
        this.events.emit('error', error);
        // The dropped line may have been a call-state change: read the AG's call list again.
        this.requestCalls();
      },
      onTimeout: () => this.onTimeout(),
    });
    this.agEvents = new AgEvents({
      events: this.events,
      clock: options.clock,
      tracker: this.tracker,
      codecs: this.codecs,
      ...(options.ringClipWaitMs === undefined ? {} : { ringClipWaitMs: options.ringClipWaitMs }),
      indicatorMap: () => this.indicatorMap,
      sendUrgent: (command) => (this.closeReason ? Promise.reject(this.closeReason) : this.session.send(command, { urgent: true })),
      callStateChanged: () => this.requestCalls(),
      hfIndicatorChanged: (indicator, enabled) => {
        if (this.ag) this.ag.hfIndicatorsEnabled[indicator] = enabled;
      },
      failed: (err) => this.backgroundFailure(err),
    });
    this.unsubscribeClose = options.channel.events.on('close', (reason) => {
      this.shutdown(new DisconnectedError(reason, `the hands-free channel closed (reason 0x${reason.toString(16)})`));
    });
    if (!options.channel.open) this.shutdown(new DisconnectedError(0x16, 'the hands-free channel is not open'));
  }

  get state(): HandsFreeState {
    return this.currentState;
  }

  /** True once the SLC and the setup after it are done (the `ready` event has fired) and until the unit closes. */
  get ready(): boolean {
    return this.setupDone && this.closeReason === undefined;
  }

  /** What the SLC learnt about the AG; undefined until it is up. */
  get agInfo(): AgInfo | undefined {
    return this.ag;
  }

  /** The calls as last known (after a close: as they were when the link went). */
  get calls(): HfCall[] {
    return this.tracker.snapshot();
  }

  /** Last value of an indicator, by name (`signal`, `battchg`, ...). */
  indicator(name: string): number | undefined {
    return this.agEvents.values[canonicalIndicatorName(name)];
  }

  get operator(): string | undefined {
    return this.operatorName;
  }

  /** The phone's own numbers (+CNUM). */
  get subscriberNumbers(): readonly string[] {
    return this.ownNumbers;
  }

  get speakerGain(): number | undefined {
    return this.agEvents.gains.speaker;
  }

  get microphoneGain(): number | undefined {
    return this.agEvents.gains.microphone;
  }

  /** The codec agreed for call audio (CVSD when codecs are not negotiated). */
  get codec(): number | undefined {
    return this.agEvents.codec;
  }

  /** True when the AG accepted AT+XAPL (an Apple device). */
  get appleExtensions(): boolean {
    return this.appleFeatures !== undefined;
  }

  /** True when both sides support +CLCC, so the call list is confirmed by the AG. */
  get enhancedCallStatus(): boolean {
    return this.ag !== undefined && bothSupport(this.features, HfFeature.EnhancedCallStatus, this.ag.features, AgFeature.EnhancedCallStatus);
  }

  /** Sets up the SLC and the usual extras; resolves when ready. Rejects with SlcError (and closes) if the SLC fails. */
  start(): Promise<AgInfo> {
    if (this.closeReason) return Promise.reject(this.closeReason);
    this.starting ??= this.run();
    return this.starting;
  }

  /** Closes the channel; pending commands reject with DisconnectedError. */
  async close(): Promise<void> {
    this.shutdown(new DisconnectedError(0x16, 'the hands-free unit was closed'));
    if (this.options.channel.open) await this.options.channel.close();
  }

  answer(): Promise<void> {
    return this.callControl('answering', { kind: 'answer' });
  }

  /** Rejects an incoming call or ends the active (or outgoing) one: AT+CHUP. */
  hangUp(): Promise<void> {
    return this.callControl('hanging up', { kind: 'chup' });
  }

  reject(): Promise<void> {
    return this.hangUp();
  }

  dial(number: string): Promise<void> {
    if (!DIAL_STRING.test(number)) {
      return Promise.reject(new HfpArgumentError('number', `${JSON.stringify(number)} is not a dial string (digits, + * # A-D ,)`));
    }
    return this.callControl('dialling', { kind: 'dial', number }, () => this.tracker.dialled(number));
  }

  memoryDial(location: number | string): Promise<void> {
    const text = String(location);
    if (!/^[0-9]{1,6}$/.test(text)) return Promise.reject(new HfpArgumentError('location', `${text} is not a memory location`));
    return this.callControl('dialling from memory', { kind: 'dialMemory', location: text }, () => this.tracker.dialled(undefined));
  }

  redial(): Promise<void> {
    return this.callControl('redialling', { kind: 'bldn' }, () => this.tracker.dialled(undefined));
  }

  /** AT+CHLD=2: hold the active call and accept the waiting or held one (a swap when both exist). */
  hold(): Promise<void> {
    return this.chld(ChldAction.HoldActiveAcceptOther);
  }

  swap(): Promise<void> {
    return this.chld(ChldAction.HoldActiveAcceptOther);
  }

  /** AT+CHLD=0: release the held calls, or reject the waiting one. */
  releaseHeld(): Promise<void> {
    return this.chld(ChldAction.ReleaseHeldOrRejectWaiting);
  }

  rejectWaiting(): Promise<void> {
    return this.chld(ChldAction.ReleaseHeldOrRejectWaiting);
  }

  /** AT+CHLD=1: end the active calls and accept the waiting or held one. */
  releaseActiveAcceptOther(): Promise<void> {
    return this.chld(ChldAction.ReleaseActiveAcceptOther);
  }

  /** AT+CHLD=1x: end call x only. */
  releaseCall(index: number): Promise<void> {
    return this.chld(ChldAction.ReleaseActiveAcceptOther, index);
  }

  /** AT+CHLD=2x: keep call x active and hold the rest of the conference. */
  privateConsultation(index: number): Promise<void> {
    return this.chld(ChldAction.HoldActiveAcceptOther, index);
  }

  /** AT+CHLD=3: add the held call to the conversation. */
  join(): Promise<void> {
    return this.chld(ChldAction.AddHeldToConversation);
  }

  /** AT+CHLD=4: connect the two calls and leave (explicit call transfer; the iPhone does not offer it). */
  transfer(): Promise<void> {
    return this.chld(ChldAction.ExplicitCallTransfer);
  }

  /** AT+VTS: one DTMF tone during a call. */
  async sendDtmf(tone: string): Promise<void> {
    if (!/^[0-9#*A-Da-d]$/.test(tone)) throw new HfpArgumentError('tone', `${JSON.stringify(tone)} is not one DTMF character`);
    this.requireConnected('sending DTMF');
    await this.send({ kind: 'vts', tone });
  }

  setSpeakerGain(gain: number): Promise<void> {
    return this.setGain('speaker', gain);
  }

  setMicrophoneGain(gain: number): Promise<void> {
    return this.setGain('microphone', gain);
  }

  /** Reports this PC's battery (0-100) with AT+BIEV and/or AT+IPHONEACCEV, as the AG accepts. */
  async reportBattery(percent: number): Promise<void> {
    if (!Number.isInteger(percent) || percent < 0 || percent > 100) {
      throw new HfpArgumentError('percent', `${percent} is not a whole number 0-100`);
    }
    this.requireConnected('reporting the battery');
    const routes = this.batteryRoutes();
    if (!routes.indicator && !routes.apple) {
      throw new UnsupportedError('battery reporting', 'the phone enabled neither the battery HF indicator nor Apple accessory reports');
    }
    if (routes.indicator) await this.send({ kind: 'biev', indicator: HfIndicator.BatteryLevel, value: percent });
    if (routes.apple) {
      const level = Math.min(9, Math.round((percent * 9) / 100));
      await this.send({ kind: 'iphoneAccev', pairs: [{ key: IphoneAccevKey.BatteryLevel, value: level }] });
    }
  }

  /** How a battery level can reach the AG: the HF indicator it enabled, Apple's accessory report, both or neither. */
  private batteryRoutes(): { indicator: boolean; apple: boolean } {
    return {
      indicator: this.ag?.hfIndicatorsEnabled[HfIndicator.BatteryLevel] === true,
      apple: this.appleFeatures !== undefined && this.apple !== false && (this.apple.features & XaplFeature.BatteryReporting) !== 0,
    };
  }

  /** AT+BCC: ask the AG to start codec selection (and then audio). */
  async requestAudio(): Promise<void> {
    if (this.ag && !this.ag.codecNegotiation) throw new UnsupportedError('AT+BCC', 'codecs are not negotiated on this link');
    this.requireConnected('requesting audio');
    await this.send({ kind: 'bcc' });
  }

  /** AT+CLCC now; resolves with the AG's list. */
  async refreshCalls(): Promise<HfCall[]> {
    this.requireConnected('listing calls');
    if (this.ag && !this.enhancedCallStatus) throw new UnsupportedError('AT+CLCC', 'the phone does not offer enhanced call status');
    await this.queryCalls();
    return this.tracker.snapshot();
  }

  private async run(): Promise<AgInfo> {
    this.currentState = 'connecting';
    let ag: AgInfo;
    try {
      ag = await establishSlc((command) => this.send(command), {
        features: this.features,
        codecs: this.codecs,
        hfIndicators: this.options.hfIndicators ?? DEFAULT_HF_INDICATORS,
        onIndicators: (map, values) => this.adoptIndicators(map, values),
      });
    } catch (err) {
      const reason = err instanceof Error ? err : new SlcError('SLC', String(err));
      this.shutdown(reason);
      if (this.options.channel.open) void this.options.channel.close().catch(() => undefined);
      throw reason;
    }
    this.ag = ag;
    if (!ag.codecNegotiation) this.agEvents.codec = AudioCodec.Cvsd;
    this.currentState = 'connected';
    this.events.emit('slc', ag);
    await this.afterSlc(ag);
    if (this.closeReason) throw this.closeReason;
    this.setupDone = true;
    this.events.emit('ready', ag);
    return ag;
  }

  /** The AG's indicator table and +CIND values: +CIEV is understood from here on, and the calls start from these values. */
  private adoptIndicators(map: IndicatorMap, values: Record<string, number>): void {
    this.indicatorMap = map;
    Object.assign(this.agEvents.values, values);
    if (this.tracker.reset({ call: values.call, callsetup: values.callsetup, callheld: values.callheld })) this.agEvents.emitCalls();
  }

  /** The usual commands after the SLC; refusals are fine, other failures are reported. */
  private async afterSlc(ag: AgInfo): Promise<void> {
    const optional = async (command: HfCommand): Promise<AgResult[] | undefined> => {
      try {
        return await this.send(command);
      } catch (err) {
        if (!isAgRefusal(err) && !this.closeReason) this.events.emit('error', err instanceof Error ? err : new Error(String(err)));
        return undefined;
      }
    };
    if (this.features & HfFeature.CallerId) await optional({ kind: 'clip', enabled: true });
    if (ag.threeWayCalling) await optional({ kind: 'ccwa', enabled: true });
    if (ag.features & AgFeature.ExtendedErrorCodes) await optional({ kind: 'cmee', enabled: true });
    await optional({ kind: 'cops', mode: 3, format: 0 });
    const cops = (await optional({ kind: 'copsRead' }))?.find((r): r is AgResultOf<'cops'> => r.kind === 'cops');
    if (cops?.operator !== undefined) {
      this.operatorName = cops.operator;
      this.events.emit('operator', cops.operator);
    }
    if (this.enhancedCallStatus) await this.queryCalls().catch((err: unknown) => this.backgroundFailure(err));
    const cnum = await optional({ kind: 'cnum' });
    this.ownNumbers = (cnum ?? []).flatMap((r) => (r.kind === 'cnum' ? [r.number] : []));
    if (this.apple !== false && !this.closeReason) {
      const xapl = await optional({ kind: 'xapl', ...this.apple });
      if (xapl !== undefined) this.appleFeatures = xapl.find((r): r is AgResultOf<'xapl'> => r.kind === 'xapl')?.features ?? 0;
    }
    const battery = this.options.batteryPercent;
    const routes = this.batteryRoutes();
    if (battery !== undefined && !this.closeReason && (routes.indicator || routes.apple)) {
      await this.reportBattery(battery).catch((err: unknown) => this.backgroundFailure(err));
    }
  }

  private send(command: HfCommand): Promise<AgResult[]> {
    if (this.closeReason) return Promise.reject(this.closeReason);
    return this.session.send(command).then(
      (results) => {
        this.timeoutsInRow = 0;
        return results;
      },
      (err: unknown) => {
        if (!(err instanceof TimeoutError)) this.timeoutsInRow = 0;
        throw err;
      },
    );
  }

  private requireConnected(what: string): void {
    if (this.closeReason) throw new NotConnectedError(what);
    if (this.currentState !== 'connected') throw new NotConnectedError(`${what} before the service-level connection is up`);
  }

  private async callControl(what: string, command: HfCommand, before?: () => void): Promise<void> {
    this.requireConnected(what);
    before?.();
    try {
      await this.send(command);
    } finally {
      this.requestCalls();
    }
  }

  private async chld(action: number, index?: number): Promise<void> {
    const option = `${action}${index === undefined ? '' : 'x'}`;
    this.requireConnected(`AT+CHLD=${option}`);
    const offered = this.ag?.holdOptions ?? [];
    if (!offered.includes(option)) {
      throw new UnsupportedError(`AT+CHLD=${option}`, offered.length === 0 ? 'the phone offers no call hold' : `the phone offers +CHLD: (${offered.join(',')})`);
    }
    if (index !== undefined && (!Number.isInteger(index) || index < 1 || index > 99)) {
      throw new HfpArgumentError('call index', `${index} is not a call index`);
    }
    this.tracker.chldSent(action, index);
    const command: HfCommand = index === undefined ? { kind: 'chld', action } : { kind: 'chld', action, callIndex: index };
    await this.callControl(`AT+CHLD=${option}`, command);
    if (action === ChldAction.ReleaseActiveAcceptOther && index !== undefined && !this.enhancedCallStatus && this.tracker.released(index)) {
      this.agEvents.emitCalls();
    }
  }

  private async setGain(target: 'speaker' | 'microphone', gain: number): Promise<void> {
    if (!Number.isInteger(gain) || gain < 0 || gain > MAX_GAIN) {
      throw new HfpArgumentError('gain', `${gain} is not a whole number 0-${MAX_GAIN}`);
    }
    this.requireConnected('setting the volume');
    await this.send(target === 'speaker' ? { kind: 'vgs', gain } : { kind: 'vgm', gain });
    this.agEvents.gains[target] = gain;
    this.events.emit('volume', { target, gain, from: 'hf' });
  }

  /** Runs one AT+CLCC and applies it. */
  private async queryCalls(): Promise<void> {
    this.clccRunning++;
    const droppedBefore = this.droppedLines;
    try {
      const results = await this.send({ kind: 'clcc' });
      const entries = results.filter((r): r is AgResultOf<'clcc'> => r.kind === 'clcc');
      if (this.tracker.applyClcc(entries)) this.agEvents.emitCalls();
    } catch (err) {
      // An unanswered query leaves the list unconfirmed: ask again (enough timeouts in a row close the session instead).
      if (err instanceof TimeoutError) {
        this.clccAgain = true;
        if (this.droppedLines !== droppedBefore) this.consequences.add(err);
      }
      throw err;
    } finally {
      this.clccRunning--;
      if (this.clccRunning === 0 && this.clccAgain) {
        this.clccAgain = false;
        this.requestCalls();
      }
    }
  }

  /** Asks for +CLCC after a call-state change, once: a query already waiting covers it, one in flight is repeated. */
  private requestCalls(): void {
    if (!this.enhancedCallStatus || this.closeReason || this.currentState !== 'connected') return;
    if (this.session.isQueued('clcc')) return;
    if (this.clccRunning > 0) {
      this.clccAgain = true;
      return;
    }
    this.queryCalls().catch((err: unknown) => this.backgroundFailure(err));
  }

  private onTimeout(): void {
    this.timeoutsInRow++;
    const limit = this.options.maxConsecutiveTimeouts ?? DEFAULT_MAX_CONSECUTIVE_TIMEOUTS;
    if (this.timeoutsInRow >= limit && this.currentState === 'connected') {
      const reason = new DisconnectedError(0x08, `the phone answered none of the last ${limit} commands`);
      this.shutdown(reason);
      if (this.options.channel.open) void this.options.channel.close().catch(() => undefined);
    }
  }

  private backgroundFailure(err: unknown): void {
    if (this.closeReason || (err instanceof Error && this.consequences.has(err))) return;
    this.events.emit('error', err instanceof Error ? err : new Error(String(err)));
  }

  private shutdown(reason: Error): void {
    if (this.closeReason) return;
    this.closeReason = reason;
    this.currentState = 'closed';
    this.agEvents.stop();
    this.unsubscribeClose();
    this.session.close(reason);
    this.events.emit('close', reason);
  }
}
