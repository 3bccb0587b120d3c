/**
 * The Calls service: the phone's current calls as the PC's user sees them
 * (direction, state, number, a name from an injected caller lookup), the
 * call actions (answer, reject, hang up, dial a number or a contact,
 * redial, hold, swap, join, DTMF), and a record per finished call (missed,
 * received or dialled, with start time and connected duration) kept in a
 * bounded history and handed to an injected sink. Runs on a HandsFree;
 * when the link drops the last known calls stay listed (marked
 * disconnected), and after the next service-level connection they are
 * rebuilt from the phone's list (+CLCC), keeping the calls that survived
 * (HFP/HF/OOR/BV-01, BV-02) and recording those that ended meanwhile.
 */
import type { Clock } from '../../link/clock';
import { ClccDirection, ClccStatus } from '../../protocol/hfp/constants';
import { Emitter } from '../../util/emitter';
import { NotConnectedError } from '../errors';
import type { HfCall } from '../hfp/call-tracker';
import { CallNotFoundError, HfpArgumentError, UnknownContactError } from '../hfp/errors';
import type { HandsFree } from '../hfp/hands-free';

export type CallDirection = 'incoming' | 'outgoing';
export type CallState = 'incoming' | 'waiting' | 'dialing' | 'alerting' | 'active' | 'held' | 'held-by-phone' | 'unknown';

export interface Call {
  /** Stable for the life of the call, across reconnects. */
  id: number;
  /** The phone's call index (what AT+CHLD=1x/2x use). */
  index: number;
  direction: CallDirection;
  state: CallState;
  /** Undefined when withheld or not known yet. */
  number: string | undefined;
  /** From the caller lookup, else the name the phone sent. */
  name: string | undefined;
  multiparty: boolean;
  /** When this PC first saw the call. */
  startedAt: Date;
  /** When it was first seen connected; undefined while it never was. */
  connectedAt: Date | undefined;
}

export type CallRecordKind = 'missed' | 'received' | 'dialled';

export interface CallRecord {
  kind: CallRecordKind;
  number: string | undefined;
  name: string | undefined;
  start: Date;
  /** Connected time in ms; 0 for a call never connected. */
  durationMs: number;
  /** An incoming call rejected from this PC (recorded as missed). */
  declined: boolean;
}

export interface CallsOptions {
  clock: Clock;
  /** Caller name for a number (e.g. the Contacts service's lookupCaller(number)?.name). */
  lookupName?: (number: string) => string | undefined;
  /** A number for a contact name, for dial(). */
  resolveContact?: (name: string) => string | undefined;
  /** Receives every finished call (e.g. for the CallLog service). */
  onRecord?: (record: CallRecord) => void;
  /** Records kept in `history`. Default 200. */
  maxHistory?: number;
}

export interface CallsEvents {
  changed: [calls: readonly Call[]];
  /** An incoming call rings (once per RING). */
  ringing: [call: Call];
  record: [record: CallRecord];
  /** The hands-free link came up (ready) or went. */
  connection: [connected: boolean];
}

export const DEFAULT_MAX_CALL_HISTORY = 200;

const STATES: Record<number, CallState> = {
  [ClccStatus.Active]: 'active',
  [ClccStatus.Held]: 'held',
  [ClccStatus.Dialing]: 'dialing',
  [ClccStatus.Alerting]: 'alerting',
  [ClccStatus.Incoming]: 'incoming',
  [ClccStatus.Waiting]: 'waiting',
  [ClccStatus.HeldByResponseAndHold]: 'held-by-phone',
};

/** Characters people put in phone numbers that are not dialled. */
const NUMBER_DECORATION = /[\s().\-/]/g;
const DIALLABLE = /^\+?[0-9*#,A-D]*[0-9][0-9*#,A-D]*$/;

/** The dial string in `text` (spaces, dashes, dots and brackets removed), or undefined if it is not a number. */
export function dialString(text: string): string | undefined {
  const stripped = text.replace(NUMBER_DECORATION, '');
  return DIALLABLE.test(stripped) ? stripped : undefined;
}

interface Tracked {
  call: Call;
  /** The HandsFree call id this entry follows in the current session. */
  hfId: number | undefined;
}

export class Calls {
  readonly events = new Emitter<CallsEvents>();
  private readonly maxHistory: number;
  private tracked: Tracked[] = [];
  private readonly records: CallRecord[] = [];
  private readonly declined = new Set<number>();
  private nextId = 1;
  private hf: HandsFree | undefined;
  private unsubscribe: (() => void)[] = [];
  private linkUp = false;
  /** Set while the link is down: calls listed then are matched afresh after the next SLC. */
  private lostAt: Date | undefined;

  constructor(private readonly options: CallsOptions) {
    this.maxHistory = options.maxHistory ?? DEFAULT_MAX_CALL_HISTORY;
  }

  get connected(): boolean {
    return this.linkUp;
  }

  get list(): readonly Call[] {
    return this.tracked.map((t) => t.call);
  }

  /** Finished calls, oldest first (bounded). */
  get history(): readonly CallRecord[] {
    return this.records;
  }

  /** Follows `hf` (a new one after each reconnect); works whether or not its SLC is up yet. */
  attach(hf: HandsFree): void {
    this.detach();
    this.hf = hf;
    this.unsubscribe = [
      hf.events.on('ready', () => this.onReady(hf)),
      hf.events.on('calls', (calls) => {
        if (hf.ready) this.sync(calls);
      }),
      hf.events.on('ring', () => this.onRing()),
      hf.events.on('close', () => this.onLinkLost()),
    ];
    if (hf.ready) this.onReady(hf);
  }

  /** Stops following the HandsFree (the calls stay listed as last known). */
  detach(): void {
    for (const off of this.unsubscribe) off();
    this.unsubscribe = [];
    if (this.hf) this.onLinkLost();
    this.hf = undefined;
  }

  /** Answers the ringing call, or the waiting one (holding the active call, or ending it with `endActive`). */
  async answer(id?: number, options: { endActive?: boolean } = {}): Promise<void> {
    const hf = this.handsFree('answering a call');
    const call = this.pick(id, ['incoming', 'waiting'], 'ringing or waiting call');
    if (call.state === 'incoming') await hf.answer();
    else if (options.endActive === true) await hf.releaseActiveAcceptOther();
    else await hf.hold();
  }

  /** Rejects the ringing call (AT+CHUP) or the waiting one (AT+CHLD=0); it is recorded as missed and declined. */
  async reject(id?: number): Promise<void> {
    const hf = this.handsFree('rejecting a call');
    const call = this.pick(id, ['incoming', 'waiting'], 'ringing or waiting call');
    this.declined.add(call.id);
    try {
      if (call.state === 'incoming') await hf.reject();
      else await hf.rejectWaiting();
    } catch (err) {
      this.declined.delete(call.id);
      throw err;
    }
  }

  /** Ends a call: the active one by default, or the one with `id` (AT+CHLD=1x when the phone offers it). */
  async hangUp(id?: number): Promise<void> {
    const hf = this.handsFree('hanging up');
    if (id === undefined) {
      const only = this.tracked.length === 1 ? this.tracked[0]?.call : undefined;
      if (only?.state === 'incoming') return this.reject(only.id);
      await hf.hangUp();
      return;
    }
    const call = this.pick(id, undefined, `call ${id}`);
    if (call.state === 'incoming' || call.state === 'waiting') return this.reject(id);
    const offers = hf.agInfo?.holdOptions ?? [];
    if (this.tracked.length > 1 && offers.includes('1x')) await hf.releaseCall(call.index);
    else if (call.state === 'held' && this.tracked.length > 1) await hf.releaseHeld();
    else await hf.hangUp();
  }

  /** Dials a number, or the number the contact resolver gives for a name. Resolves with the number dialled. */
  async dial(target: string): Promise<string> {
    const hf = this.handsFree('dialling');
    const trimmed = target.trim();
    if (trimmed === '') throw new HfpArgumentError('target', 'nothing to dial');
    let number = dialString(trimmed);
    if (number === undefined) {
      const resolved = this.options.resolveContact?.(trimmed);
      number = resolved === undefined ? undefined : dialString(resolved);
      if (number === undefined) throw new UnknownContactError(trimmed);
    }
    await hf.dial(number);
    return number;
  }

  async redial(): Promise<void> {
    await this.handsFree('redialling').redial();
  }

  /** Holds the active call (accepting a waiting or held one if there is one). */
  async hold(): Promise<void> {
    await this.handsFree('holding').hold();
  }

  async swap(): Promise<void> {
    await this.handsFree('swapping calls').swap();
  }

  async join(): Promise<void> {
    await this.handsFree('joining calls').join();
  }

  /** Sends DTMF tones one by one. */
  async sendDtmf(tones: string): Promise<void> {
    const hf = this.handsFree('sending tones');
    for (const tone of tones) await hf.sendDtmf(tone);
  }

  private handsFree(what: string): HandsFree {
    const hf = this.hf;
    if (!hf || hf.state !== 'connected') throw new NotConnectedError(what);
    return hf;
  }

  private pick(id: number | undefined, states: CallState[] | undefined, what: string): Call {
    const call =
      id === undefined
        ? this.list.find((c) => states?.includes(c.state) ?? true)
        : this.list.find((c) => c.id === id && (states?.includes(c.state) ?? true));
    if (!call) throw new CallNotFoundError(id === undefined ? what : `${what} with id ${id}`);
    return call;
  }

  private onReady(hf: HandsFree): void {
    if (this.hf !== hf) return;
    this.sync(hf.calls);
    this.lostAt = undefined;
    if (!this.linkUp) {
      this.linkUp = true;
      this.events.emit('connection', true);
    }
  }

  private onLinkLost(): void {
    if (this.lostAt === undefined) this.lostAt = this.options.clock.date();
    for (const t of this.tracked) t.hfId = undefined;
    if (this.linkUp) {
      this.linkUp = false;
      this.events.emit('connection', false);
    }
  }

  private onRing(): void {
    const call = this.list.find((c) => c.state === 'incoming');
    if (call) this.events.emit('ringing', call);
  }

  /** Brings the list in line with the HandsFree's. */
  private sync(calls: readonly HfCall[]): void {
    const now = this.options.clock.date();
    const before = JSON.stringify(this.list);
    const unmatched = [...this.tracked];
    const next: Tracked[] = [];
    for (const hfCall of calls) {
      const found = takeTracked(unmatched, hfCall);
      const tracked = found ?? { call: this.newCall(hfCall, now), hfId: hfCall.id };
      tracked.hfId = hfCall.id;
      this.update(tracked.call, hfCall, now);
      next.push(tracked);
    }
    const endedAt = this.lostAt ?? now;
    for (const gone of unmatched) this.finish(gone.call, endedAt);
    this.tracked = next;
    if (JSON.stringify(this.list) !== before) this.events.emit('changed', this.list);
  }

  private newCall(hfCall: HfCall, now: Date): Call {
    return {
      id: this.nextId++,
      index: hfCall.index,
      direction: hfCall.direction === ClccDirection.MobileOriginated ? 'outgoing' : 'incoming',
      state: 'unknown',
      number: undefined,
      name: undefined,
      multiparty: false,
      startedAt: now,
      connectedAt: undefined,
    };
  }

  private update(call: Call, hfCall: HfCall, now: Date): void {
    call.index = hfCall.index;
    call.direction = hfCall.direction === ClccDirection.MobileOriginated ? 'outgoing' : 'incoming';
    call.state = STATES[hfCall.status] ?? 'unknown';
    call.multiparty = hfCall.multiparty;
    if (hfCall.number !== undefined) call.number = hfCall.number;
    const looked = call.number === undefined ? undefined : this.options.lookupName?.(call.number);
    call.name = looked ?? hfCall.name ?? call.name;
    const connected = call.state === 'active' || call.state === 'held' || call.state === 'held-by-phone';
    if (connected && call.connectedAt === undefined) call.connectedAt = now;
  }

  private finish(call: Call, endedAt: Date): void {
    const durationMs = call.connectedAt === undefined ? 0 : Math.max(0, endedAt.getTime() - call.connectedAt.getTime());
    let kind: CallRecordKind;
    if (call.direction === 'outgoing') kind = 'dialled';
    else kind = call.connectedAt === undefined ? 'missed' : 'received';
    const record: CallRecord = {
      kind,
      number: call.number,
      name: call.name,
      start: call.startedAt,
      durationMs,
      declined: this.declined.delete(call.id) && kind === 'missed',
    };
    this.records.push(record);
    if (this.records.length > this.maxHistory) this.records.splice(0, this.records.length - this.maxHistory);
    this.options.onRecord?.(record);
    this.events.emit('record', record);
  }
}

/**
 * Removes and returns the entry that continues `hfCall`: the one following
 * its id in this session, else (after a reconnect) one with the same
 * direction and number, else the same index and direction where a number is
 * unknown on either side.
 */
function takeTracked(list: Tracked[], hfCall: HfCall): Tracked | undefined {
  const direction: CallDirection = hfCall.direction === ClccDirection.MobileOriginated ? 'outgoing' : 'incoming';
  let at = list.findIndex((t) => t.hfId === hfCall.id);
  if (at < 0 && hfCall.number !== undefined) {
    at = list.findIndex((t) => t.hfId === undefined && t.call.direction === direction && t.call.number === hfCall.number);
  }
  if (at < 0) {
    at = list.findIndex(
      (t) =>
        t.hfId === undefined &&
        t.call.index === hfCall.index &&
        t.call.direction === direction &&
        (t.call.number === undefined || hfCall.number === undefined),
    );
  }
  if (at < 0) return undefined;
  const [found] = list.splice(at, 1);
  return found;
}
