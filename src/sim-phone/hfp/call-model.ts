/**
 * The phone's live calls and radio state: each call's index, direction,
 * number, state (dialing, alerting, incoming, waiting, active, held) and
 * multiparty flag, plus service, signal, roaming and battery; the
 * transitions the outside world drives (a call comes in, the far end
 * answers, is busy or hangs up, the network is lost) and the ones a
 * hands-free unit drives (answer, hang up, dial, redial, AT+CHLD). Every
 * change emits one `changed` event; HFP indicator values are derived from
 * the calls, so they can never disagree with the call list. Impossible
 * requests throw CallRefusedError with the reason an AG would refuse with.
 */
import type { Clock, Timer } from '../../link/clock';
import { Emitter } from '../../util/emitter';
import type { CallHistory } from '../call-history';
import { applyChld } from './call-hold';
import { type Call, type CallIndicators, CallRefusedError, callIndicators, checkCallerName, checkNumber, dialable } from './call-state';
import { CallTable, type LiveCall, snapshot } from './call-table';

export { CallRefusedError, MAX_CALLS } from './call-state';
export type { Call, CallDirection, CallState, CallIndicators } from './call-state';

/** What caused a change (for transcripts and reports). */
export type CallChangeCause =
  | 'incomingCall'
  | 'outgoingCall'
  | 'alerting'
  | 'remoteAnswered'
  | 'remoteBusy'
  | 'remoteHungUp'
  | 'networkLoss'
  | 'answer'
  | 'hangUp'
  | 'chld'
  | 'phoneState';

export interface CallChange {
  cause: CallChangeCause;
  /** A call that has just started waiting behind another (the AG sends +CCWA). */
  waiting?: Call;
  /** Held and active calls swapped places (the AG repeats callheld=1). */
  swapped: boolean;
  /** The network dropped the calls (the AG sends NO CARRIER). */
  networkLost: boolean;
  /** Calls that ended in this change. */
  ended: Call[];
}

export interface CallModelEvents {
  changed: [change: CallChange];
  /** A DTMF tone sent on the active call. */
  dtmf: [tone: string];
}

export interface CallModelOptions {
  /** An outgoing call goes from dialing to alerting this long after it is placed (default 1000 ms). */
  alertAfterMs?: number;
  /** The far end answers an alerting call by itself after this long; default: only `remoteAnswers()` does. */
  remoteAnswerAfterMs?: number;
  /** Memory-dial locations (ATD>n;) -> numbers. */
  memory?: Record<string, string>;
  /** Ended calls are logged here (missed, received, dialled); its newest dialled call is the redial number. */
  history?: CallHistory;
}

export const DEFAULT_ALERT_AFTER_MS = 1000;
const MAX_MEMORY_ENTRIES = 100;

export class CallModel {
  readonly events = new Emitter<CallModelEvents>();
  private readonly table = new CallTable();
  private readonly memory = new Map<string, string>();
  private progressTimer: Timer | undefined;
  private lastDialled: string | undefined;
  private serviceOn = true;
  private signalBars = 5;
  private roamingOn = false;
  private batteryLevel = 5;

  constructor(
    private readonly clock: Clock,
    private readonly options: CallModelOptions = {},
  ) {
    for (const [location, number] of Object.entries(options.memory ?? {})) this.setMemory(location, number);
  }

  // ---- reading ----

  /** The calls, by index (copies). */
  calls(): Call[] {
    return this.table.all().map(snapshot);
  }

  call(index: number): Call | undefined {
    const c = this.table.get(index);
    return c && snapshot(c);
  }

  get service(): boolean {
    return this.serviceOn;
  }
  get signal(): number {
    return this.signalBars;
  }
  get roaming(): boolean {
    return this.roamingOn;
  }
  get battery(): number {
    return this.batteryLevel;
  }

  /** HFP indicator values, derived from the calls and the radio state. */
  indicators(): CallIndicators {
    return callIndicators(this.table.all(), {
      service: this.serviceOn,
      signal: this.signalBars,
      roam: this.roamingOn,
      battchg: this.batteryLevel,
    });
  }

  /** Some call needs the audio path: one is dialing, alerting or active (or ringing, with in-band ring). */
  needsAudio(inBandRing: boolean): boolean {
    for (const c of this.table.all()) {
      if (c.state === 'dialing' || c.state === 'alerting' || c.state === 'active') return true;
      if (inBandRing && c.state === 'incoming') return true;
    }
    return false;
  }

  /** The number AT+BLDN redials: the last one dialled, else the newest dialled call in the log. */
  get redialNumber(): string | undefined {
    return this.lastDialled ?? this.options.history?.list('dialled')[0]?.number;
  }

  setMemory(location: string, number: string | undefined): void {
    if (!/^[0-9]{1,4}$/.test(location)) throw new RangeError(`memory location ${JSON.stringify(location)} must be 1-4 digits`);
    if (number === undefined) {
      this.memory.delete(location);
      return;
    }
    checkNumber(number);
    if (!this.memory.has(location) && this.memory.size >= MAX_MEMORY_ENTRIES) {
      throw new RangeError(`at most ${MAX_MEMORY_ENTRIES} memory-dial entries`);
    }
    this.memory.set(location, number);
  }

  // ---- the outside world ----

  /** A call comes in: it rings, or waits when another call is up. */
  incomingCall(caller: string, name?: string): Call {
    const number = dialable(caller);
    checkNumber(number, true);
    if (name !== undefined) checkCallerName(name);
    if (!this.serviceOn) throw new CallRefusedError('noService', 'no network service: no call can come in');
    if (this.table.setupCall()) throw new CallRefusedError('notAllowed', 'another call is already being set up');
    const index = this.table.freeIndex();
    const waiting = this.table.hasConnected();
    const call: LiveCall = { index, direction: 'mt', number, state: waiting ? 'waiting' : 'incoming', multiparty: false, startedAt: this.clock.date() };
    if (name !== undefined) call.name = name;
    this.table.add(call);
    this.emit('incomingCall', waiting ? { waiting: snapshot(call) } : {});
    return snapshot(call);
  }

  /** A second call comes in while a call is up (call waiting). */
  callWaiting(number: string, name?: string): Call {
    if (!this.table.hasConnected()) throw new CallRefusedError('notAllowed', 'call waiting needs a call in progress');
    return this.incomingCall(number, name);
  }

  /** The user places a call on the phone itself. */
  startOutgoingCall(number: string): Call {
    return this.placeCall(dialable(number), 'outgoingCall');
  }

  /** The far end answers the outgoing call. */
  remoteAnswers(): void {
    const call = this.table.outgoingSetup();
    if (!call) throw new CallRefusedError('notAllowed', 'no outgoing call is being set up');
    this.connect(call);
    this.emit('remoteAnswered');
  }

  /** The far end is busy: the outgoing call ends. */
  remoteBusy(): void {
    const call = this.table.outgoingSetup();
    if (!call) throw new CallRefusedError('notAllowed', 'no outgoing call is being set up');
    this.emit('remoteBusy', { ended: this.end([call]) });
  }

  /** The far end hangs up call `index` (default: the active call, else a held one, else the one being set up). */
  remoteHangsUp(index?: number): void {
    let call: LiveCall | undefined;
    if (index !== undefined) {
      call = this.table.get(index);
      if (!call) throw new CallRefusedError('invalidIndex', `no call ${index}`);
    } else {
      call = this.table.inState('active')[0] ?? this.table.inState('held')[0] ?? this.table.setupCall();
      if (!call) throw new CallRefusedError('notAllowed', 'there is no call to hang up');
    }
    this.emit('remoteHungUp', { ended: this.end([call]) });
  }

  /** The network drops: every call ends (NO CARRIER), then service and signal go. */
  networkLoss(): void {
    if (this.table.size > 0) this.emit('networkLoss', { ended: this.end(this.table.all()), networkLost: true });
    if (this.serviceOn || this.signalBars !== 0) {
      this.serviceOn = false;
      this.signalBars = 0;
      this.emit('phoneState');
    }
  }

  setService(on: boolean): void {
    if (on === this.serviceOn) return;
    this.serviceOn = on;
    this.emit('phoneState');
  }

  setSignal(bars: number): void {
    this.setLevel(bars, 'signal', this.signalBars, (v) => (this.signalBars = v));
  }

  setRoaming(on: boolean): void {
    if (on === this.roamingOn) return;
    this.roamingOn = on;
    this.emit('phoneState');
  }

  setBattery(level: number): void {
    this.setLevel(level, 'battery', this.batteryLevel, (v) => (this.batteryLevel = v));
  }

  // ---- the hands-free unit (or the user on the phone) ----

  /** ATA: answers the ringing call. */
  answer(): void {
    const call = this.table.inState('incoming')[0];
    if (!call) throw new CallRefusedError('notAllowed', 'no call is ringing');
    this.connect(call);
    this.emit('answer');
  }

  /** AT+CHUP: abandons an outgoing call, else ends the active calls, else rejects a ringing call, else ends held calls. */
  hangUp(): void {
    const setup = this.table.outgoingSetup();
    const active = this.table.inState('active');
    const ringing = this.table.inState('incoming');
    const held = this.table.inState('held');
    const targets = setup ? [setup] : active.length > 0 ? active : ringing.length > 0 ? ringing : held;
    if (targets.length === 0) throw new CallRefusedError('notAllowed', 'there is no call to hang up');
    this.emit('hangUp', { ended: this.end(targets) });
  }

  /** ATD<number>; : places a call (holding the active call, if any). */
  dial(number: string): Call {
    return this.placeCall(number, 'outgoingCall');
  }

  /** ATD><location>; : dials a stored number. */
  dialMemory(location: string): Call {
    const number = this.memory.get(location);
    if (number === undefined) throw new CallRefusedError('invalidIndex', `memory location ${location} is empty`);
    return this.placeCall(number, 'outgoingCall');
  }

  /** AT+BLDN: redials the last number. */
  redial(): Call {
    const number = this.redialNumber;
    if (number === undefined) throw new CallRefusedError('notFound', 'no number has been dialled');
    return this.placeCall(number, 'outgoingCall');
  }

  /** AT+VTS: a DTMF tone on the active call. */
  sendDtmf(tone: string): void {
    if (this.table.inState('active').length === 0) throw new CallRefusedError('notAllowed', 'DTMF needs an active call');
    this.events.emit('dtmf', tone);
  }

  /** AT+CHLD=<action>[<index>] (see call-hold.ts). */
  chld(action: number, index?: number): void {
    const { ended, swapped } = applyChld(this.table, action, index, (call) => this.connect(call));
    this.emit('chld', { ended: this.end(ended), swapped });
  }

  // ---- internals ----

  private placeCall(number: string, cause: CallChangeCause): Call {
    try {
      checkNumber(number);
    } catch (err) {
      throw new CallRefusedError('invalidDialString', err instanceof Error ? err.message : String(err));
    }
    if (!this.serviceOn) throw new CallRefusedError('noService', 'no network service');
    if (this.table.setupCall()) throw new CallRefusedError('notAllowed', 'another call is being set up');
    const active = this.table.inState('active');
    if (active.length > 0 && this.table.inState('held').length > 0) throw new CallRefusedError('notAllowed', 'an active and a held call exist already');
    const index = this.table.freeIndex();
    for (const c of active) c.state = 'held';
    const call: LiveCall = { index, direction: 'mo', number, state: 'dialing', multiparty: false, startedAt: this.clock.date() };
    this.table.add(call);
    this.lastDialled = number;
    this.armProgress(call);
    this.emit(cause);
    return snapshot(call);
  }

  /** Moves the outgoing call on: dialing -> alerting, then (with auto-answer) -> active. */
  private armProgress(call: LiveCall): void {
    this.progressTimer?.cancel();
    const next =
      call.state === 'dialing' ? (this.options.alertAfterMs ?? DEFAULT_ALERT_AFTER_MS) : call.state === 'alerting' ? this.options.remoteAnswerAfterMs : undefined;
    if (next === undefined) {
      this.progressTimer = undefined;
      return;
    }
    this.progressTimer = this.clock.schedule(next, () => {
      this.progressTimer = undefined;
      if (!this.table.has(call)) return;
      if (call.state === 'dialing') {
        call.state = 'alerting';
        this.armProgress(call);
        this.emit('alerting');
      } else if (call.state === 'alerting') {
        this.connect(call);
        this.emit('remoteAnswered');
      }
    });
  }

  private connect(call: LiveCall): void {
    call.state = 'active';
    call.connectedAtMs = this.clock.now();
    if (this.table.outgoingSetup() === undefined) {
      this.progressTimer?.cancel();
      this.progressTimer = undefined;
    }
  }

  /** Removes calls, logs them, and tidies up the rest; returns the ended calls. */
  private end(calls: LiveCall[]): Call[] {
    const ended: Call[] = [];
    for (const call of calls) {
      if (!this.table.remove(call)) continue;
      ended.push(snapshot(call));
      this.log(call);
    }
    if (!this.table.outgoingSetup()) {
      this.progressTimer?.cancel();
      this.progressTimer = undefined;
    }
    return ended;
  }

  private log(call: LiveCall): void {
    const history = this.options.history;
    if (!history) return;
    const connected = call.connectedAtMs !== undefined;
    const durationSec = connected ? Math.max(0, (this.clock.now() - (call.connectedAtMs ?? 0)) / 1000) : 0;
    const kind = call.direction === 'mo' ? 'dialled' : connected ? 'received' : 'missed';
    history.add({ kind, number: call.number, ...(call.name !== undefined ? { name: call.name } : {}), time: call.startedAt, durationSec });
  }

  private emit(cause: CallChangeCause, extra: Partial<CallChange> = {}): void {
    this.table.normalize();
    this.events.emit('changed', { cause, swapped: false, networkLost: false, ended: [], ...extra });
  }

  private setLevel(value: number, what: string, current: number, set: (v: number) => void): void {
    if (!Number.isInteger(value) || value < 0 || value > 5) throw new RangeError(`${what} must be an integer 0-5, got ${value}`);
    if (value === current) return;
    set(value);
    this.emit('phoneState');
  }
}
