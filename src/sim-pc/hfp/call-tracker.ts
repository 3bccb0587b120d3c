/**
 * The hands-free unit's list of the phone's calls. Two sources feed it:
 * the call indicators (call, callsetup, callheld, already resolved by name)
 * with +CLIP/+CCWA numbers and hints from our own AT+CHLD/ATD commands,
 * from which the list is inferred step by step; and +CLCC snapshots, which
 * are the truth and replace the list whenever the AG sends one. Each call
 * keeps a stable `id` across both, so a UI or a call log can follow it.
 * Pure state: no timers, no I/O. Every mutator returns true when the list
 * changed.
 */
import { ChldAction, ClccDirection, ClccStatus } from '../../protocol/hfp/constants';
import type { AgResultOf } from '../../protocol/hfp/results';

/** Calls tracked at most (phones allow a handful; the bound guards against a hostile AG). */
export const MAX_CALLS = 16;

/** One call as the hands-free unit sees it. */
export interface HfCall {
  /** Stable while this hands-free session follows the call. */
  id: number;
  /** The AG's call index (+CLCC), or the lowest free one while the call is only inferred. */
  index: number;
  /** ClccDirection (0 outgoing, 1 incoming); inferred calls of unknown origin count as incoming. */
  direction: number;
  /** ClccStatus (0 active, 1 held, 2 dialing, 3 alerting, 4 incoming, 5 waiting, ...). */
  status: number;
  multiparty: boolean;
  /** Undefined when withheld or not known yet. */
  number: string | undefined;
  numberType: number | undefined;
  /** The name the AG attached (+CLIP/+CCWA/+CLCC alpha), if any. */
  name: string | undefined;
  /** True when the AG's last +CLCC listed the call; false while it is only inferred from indicators. */
  confirmed: boolean;
}

/** The three call-related indicator values. */
export interface CallIndicators {
  call: number;
  callsetup: number;
  callheld: number;
}

export type CallIndicatorName = keyof CallIndicators;

interface Caller {
  number: string | undefined;
  type: number | undefined;
  name: string | undefined;
}

const LIMITS: Record<CallIndicatorName, number> = { call: 1, callsetup: 3, callheld: 2 };

function isSetup(call: HfCall): boolean {
  return (
    call.status === ClccStatus.Dialing ||
    call.status === ClccStatus.Alerting ||
    call.status === ClccStatus.Incoming ||
    call.status === ClccStatus.Waiting
  );
}

const isActive = (call: HfCall): boolean => call.status === ClccStatus.Active;
const isHeld = (call: HfCall): boolean => call.status === ClccStatus.Held;
const isOngoing = (call: HfCall): boolean => !isSetup(call);

function callerOf(number: string | undefined, type: number | undefined, name: string | undefined): Caller {
  return { number: number === '' ? undefined : number, type, name: name === '' ? undefined : name };
}

export class CallTracker {
  private calls: HfCall[] = [];
  private nextId = 1;
  private values: CallIndicators = { call: 0, callsetup: 0, callheld: 0 };
  /** Caller of the incoming call (+CLIP) and of the waiting call (+CCWA), kept until call setup ends. */
  private incomingCaller: Caller | undefined;
  private waitingCaller: Caller | undefined;
  /** The number we last dialled (undefined for memory dial or redial). */
  private dialledNumber: string | undefined;
  /** The last AT+CHLD we sent, to tell a join from a release when only indicators speak. */
  private chld: { action: number; index: number | undefined } | undefined;
  /** A setup call removed by the last callsetup=0, in case the next indicator shows it connected after all. */
  private justEnded: HfCall | undefined;

  /** The calls, ordered by index. Do not mutate. */
  get list(): readonly HfCall[] {
    return this.calls;
  }

  /** A copy of the calls for handing out. */
  snapshot(): HfCall[] {
    return this.calls.map((c) => ({ ...c }));
  }

  get indicators(): Readonly<CallIndicators> {
    return this.values;
  }

  /** Starts over from +CIND read values (at the SLC, also after a reconnect). */
  reset(values: Partial<CallIndicators>): boolean {
    const before = this.key();
    this.calls = [];
    this.incomingCaller = undefined;
    this.waitingCaller = undefined;
    this.dialledNumber = undefined;
    this.chld = undefined;
    this.justEnded = undefined;
    const v: CallIndicators = {
      call: valid('call', values.call) ? values.call : 0,
      callsetup: valid('callsetup', values.callsetup) ? values.callsetup : 0,
      callheld: valid('callheld', values.callheld) ? values.callheld : 0,
    };
    this.values = v;
    if (v.callheld !== 0) this.add(ClccStatus.Held, ClccDirection.MobileTerminated, undefined);
    if ((v.call === 1 && v.callheld !== 2) || v.callheld === 1) this.add(ClccStatus.Active, ClccDirection.MobileTerminated, undefined);
    if (v.callsetup === 1) {
      const ongoing = this.calls.length > 0;
      this.add(ongoing ? ClccStatus.Waiting : ClccStatus.Incoming, ClccDirection.MobileTerminated, undefined);
    } else if (v.callsetup === 2 || v.callsetup === 3) {
      this.add(v.callsetup === 2 ? ClccStatus.Dialing : ClccStatus.Alerting, ClccDirection.MobileOriginated, undefined);
    }
    return this.key() !== before;
  }

  /** Applies a +CIEV for a call indicator. Values outside the indicator's range are ignored (false). */
  indicator(name: CallIndicatorName, value: number): boolean {
    if (!valid(name, value)) return false;
    const before = this.key();
    const ended = this.justEnded;
    this.justEnded = undefined;
    if (name === 'call') this.onCall(value, ended);
    else if (name === 'callsetup') this.onCallSetup(value);
    else this.onCallHeld(value, ended);
    return this.key() !== before;
  }

  /** +CLIP: the number of the incoming call. */
  clip(clip: AgResultOf<'clip'>): boolean {
    this.incomingCaller = callerOf(clip.number, clip.type, clip.alpha);
    const call = this.calls.find((c) => c.status === ClccStatus.Incoming);
    return call ? this.fill(call, this.incomingCaller) : false;
  }

  /** +CCWA: the number of a waiting call (it may come before or after callsetup=1). */
  ccwa(ccwa: AgResultOf<'ccwa'>): boolean {
    this.waitingCaller = callerOf(ccwa.number, ccwa.type, ccwa.alpha);
    const call = this.calls.find((c) => c.status === ClccStatus.Waiting);
    return call ? this.fill(call, this.waitingCaller) : false;
  }

  /** We sent ATD<number>; (undefined: a memory dial or redial, number unknown). */
  dialled(number: string | undefined): void {
    this.dialledNumber = number;
    const call = this.calls.find((c) => isSetup(c) && c.direction === ClccDirection.MobileOriginated && c.number === undefined);
    if (call && number !== undefined) call.number = number;
  }

  /** We sent AT+CHLD=<action>[<index>]. */
  chldSent(action: number, index?: number): void {
    this.chld = { action, index };
  }

  /**
   * AT+CHLD=1x was accepted: without +CLCC the indicators may not change
   * (a member leaves a conference), so drop that call here.
   */
  released(index: number): boolean {
    const call = this.calls.find((c) => c.index === index);
    if (!call || this.calls.length < 2) return false;
    this.calls = this.calls.filter((c) => c !== call);
    this.markMultiparty();
    return true;
  }

  /** Replaces the list with a +CLCC snapshot, keeping the ids of calls it still lists. */
  applyClcc(entries: readonly AgResultOf<'clcc'>[]): boolean {
    const before = this.key();
    const old = [...this.calls];
    const next: HfCall[] = [];
    const seen = new Set<number>();
    for (const entry of entries) {
      if (seen.has(entry.index) || next.length >= MAX_CALLS) continue;
      seen.add(entry.index);
      const number = entry.number === '' ? undefined : entry.number;
      const match = takeMatch(old, entry.index, entry.direction, number);
      next.push({
        id: match?.id ?? this.nextId++,
        index: entry.index,
        direction: entry.direction,
        status: entry.status,
        multiparty: entry.multiparty,
        number: number ?? match?.number,
        numberType: entry.type ?? match?.numberType,
        name: entry.alpha === undefined || entry.alpha === '' ? match?.name : entry.alpha,
        confirmed: true,
      });
    }
    next.sort((a, b) => a.index - b.index);
    this.calls = next;
    this.justEnded = undefined;
    return this.key() !== before;
  }

  private onCall(value: number, ended: HfCall | undefined): void {
    const previous = this.values.call;
    this.values.call = value;
    if (value === previous) return;
    if (value === 0) {
      this.calls = this.calls.filter(isSetup);
      for (const c of this.calls) if (c.status === ClccStatus.Waiting) c.status = ClccStatus.Incoming;
      this.chld = undefined;
      return;
    }
    if (this.calls.some(isActive) || (this.values.callheld === 2 && this.calls.some(isHeld))) return;
    const setup = this.calls.find((c) => isSetup(c) && c.status !== ClccStatus.Waiting);
    if (setup) setup.status = ClccStatus.Active;
    else this.revive(ended, this.values.callsetup >= 2 ? ClccDirection.MobileOriginated : ClccDirection.MobileTerminated);
  }

  private onCallSetup(value: number): void {
    const previous = this.values.callsetup;
    this.values.callsetup = value;
    if (value === previous) return;
    const setup = this.calls.find(isSetup);
    if (value === 0) {
      for (const call of this.calls.filter(isSetup)) {
        if (this.promote(call)) continue;
        this.calls = this.calls.filter((c) => c !== call);
        this.justEnded = call;
      }
      this.incomingCaller = undefined;
      this.waitingCaller = undefined;
      this.dialledNumber = undefined;
      return;
    }
    if (value === 1) {
      const ongoing = this.calls.some(isOngoing);
      const status = ongoing ? ClccStatus.Waiting : ClccStatus.Incoming;
      const caller = ongoing ? this.waitingCaller : this.incomingCaller;
      if (setup?.direction === ClccDirection.MobileTerminated) {
        setup.status = status;
        if (caller) this.fill(setup, caller);
      } else {
        if (setup) this.calls = this.calls.filter((c) => c !== setup);
        this.add(status, ClccDirection.MobileTerminated, caller);
      }
      return;
    }
    const status = value === 2 ? ClccStatus.Dialing : ClccStatus.Alerting;
    if (setup?.direction === ClccDirection.MobileOriginated) {
      setup.status = status;
    } else {
      if (setup) this.calls = this.calls.filter((c) => c !== setup);
      const number = this.dialledNumber;
      this.add(status, ClccDirection.MobileOriginated, number === undefined ? undefined : callerOf(number, undefined, undefined));
    }
  }

  /** Call setup ended for `call`: true when it became a call in progress (answered, connected, accepted). */
  private promote(call: HfCall): boolean {
    const actives = this.calls.filter(isActive);
    if (call.status === ClccStatus.Waiting) {
      if (this.chld?.action === ChldAction.ReleaseActiveAcceptOther) {
        this.calls = this.calls.filter((c) => !isActive(c));
        call.status = ClccStatus.Active;
        return true;
      }
      if (this.chld?.action === ChldAction.HoldActiveAcceptOther && actives.length > 0) {
        for (const c of actives) c.status = ClccStatus.Held;
        call.status = ClccStatus.Active;
        return true;
      }
      return false;
    }
    const wantsActive = (this.values.call === 1 && this.values.callheld !== 2) || this.values.callheld === 1;
    if (wantsActive && actives.length === 0) {
      call.status = ClccStatus.Active;
      return true;
    }
    return false;
  }

  private onCallHeld(value: number, ended: HfCall | undefined): void {
    const previous = this.values.callheld;
    this.values.callheld = value;
    const actives = this.calls.filter(isActive);
    const held = this.calls.filter(isHeld);
    if (value === 2) {
      for (const c of actives) c.status = ClccStatus.Held;
    } else if (value === 0) {
      if (held.length === 0) return;
      const joining = this.chld?.action === ChldAction.AddHeldToConversation;
      if (joining || (actives.length === 0 && this.values.call === 1)) {
        for (const c of held) c.status = ClccStatus.Active;
      } else {
        this.calls = this.calls.filter((c) => !isHeld(c));
      }
    } else {
      this.onHeldAndActive(previous, actives, held, ended);
    }
    this.markMultiparty();
  }

  /** callheld=1: some call is held and another active. */
  private onHeldAndActive(previous: number, actives: HfCall[], held: HfCall[], ended: HfCall | undefined): void {
    const waiting = this.calls.find((c) => c.status === ClccStatus.Waiting);
    const outgoing = this.calls.find((c) => isSetup(c) && c.direction === ClccDirection.MobileOriginated);
    if (actives.length > 0 && held.length > 0) {
      // Already both: a repeated callheld=1 is how the AG reports a swap.
      if (previous === 1) for (const c of [...actives, ...held]) c.status = isActive(c) ? ClccStatus.Held : ClccStatus.Active;
      return;
    }
    if (actives.length > 0 && waiting) {
      for (const c of actives) c.status = ClccStatus.Held;
      waiting.status = ClccStatus.Active;
      return;
    }
    if (held.length > 0) {
      const next = outgoing ?? waiting;
      if (next) next.status = ClccStatus.Active;
      else this.revive(ended, ClccDirection.MobileOriginated);
      return;
    }
    if (actives.length > 1) {
      // A private consultation (AT+CHLD=2x) split the conference: x stays active.
      const keep = this.chld?.action === ChldAction.HoldActiveAcceptOther ? this.chld.index : undefined;
      const stay = actives.find((c) => c.index === keep) ?? actives[0];
      for (const c of actives) if (c !== stay) c.status = ClccStatus.Held;
    }
  }

  /** Brings back the setup call the previous event removed, or adds a call of unknown number. */
  private revive(ended: HfCall | undefined, direction: number): void {
    if (ended && this.calls.length < MAX_CALLS) {
      ended.status = ClccStatus.Active;
      this.calls.push(ended);
      this.calls.sort((a, b) => a.index - b.index);
      return;
    }
    this.add(ClccStatus.Active, direction, undefined);
  }

  private markMultiparty(): void {
    const actives = this.calls.filter(isActive);
    const held = this.calls.filter(isHeld);
    for (const c of actives) c.multiparty = actives.length > 1;
    for (const c of held) c.multiparty = held.length > 1;
  }

  private add(status: number, direction: number, caller: Caller | undefined): void {
    if (this.calls.length >= MAX_CALLS) return;
    let index = 1;
    while (this.calls.some((c) => c.index === index)) index++;
    this.calls.push({
      id: this.nextId++,
      index,
      direction,
      status,
      multiparty: false,
      number: caller?.number,
      numberType: caller?.type,
      name: caller?.name,
      confirmed: false,
    });
    this.calls.sort((a, b) => a.index - b.index);
  }

  private fill(call: HfCall, caller: Caller): boolean {
    const before = `${call.number}|${call.numberType}|${call.name}`;
    if (caller.number !== undefined) {
      call.number = caller.number;
      call.numberType = caller.type;
    }
    if (caller.name !== undefined) call.name = caller.name;
    return `${call.number}|${call.numberType}|${call.name}` !== before;
  }

  private key(): string {
    return JSON.stringify(this.calls);
  }
}

function valid(name: CallIndicatorName, value: number | undefined): value is number {
  return value !== undefined && Number.isInteger(value) && value >= 0 && value <= LIMITS[name];
}

/**
 * Removes and returns the old call a +CLCC entry continues: same index and
 * direction with a compatible number, else same number and direction.
 */
function takeMatch(old: HfCall[], index: number, direction: number, number: string | undefined): HfCall | undefined {
  const compatible = (c: HfCall): boolean => c.number === undefined || number === undefined || c.number === number;
  // A call inferred with no number has only a guessed direction.
  const sameCall = (c: HfCall): boolean => c.direction === direction || (!c.confirmed && c.number === undefined);
  let at = old.findIndex((c) => c.index === index && sameCall(c) && compatible(c));
  if (at < 0 && number !== undefined) at = old.findIndex((c) => c.direction === direction && c.number === number);
  if (at < 0) return undefined;
  const [match] = old.splice(at, 1);
  return match;
}
