/**
 * The phone's set of live calls as mutable records, with the queries the
 * call model and the AT+CHLD rules share (calls in a state, the one call
 * being set up, the lowest free index) and the tidy-up that restores the
 * invariants after every change: a call waits only behind another call,
 * and a conference always has two members or more.
 */
import { type Call, type CallDirection, type CallState, CallRefusedError, MAX_CALLS, numberTypeOf } from './call-state';

export interface LiveCall {
  index: number;
  direction: CallDirection;
  number: string;
  name?: string;
  state: CallState;
  multiparty: boolean;
  startedAt: Date;
  connectedAtMs?: number;
}

export class CallTable {
  private readonly live = new Map<number, LiveCall>();

  get size(): number {
    return this.live.size;
  }

  /** Every call, by index. */
  all(): LiveCall[] {
    return [...this.live.values()].sort((a, b) => a.index - b.index);
  }

  get(index: number): LiveCall | undefined {
    return this.live.get(index);
  }

  has(call: LiveCall): boolean {
    return this.live.get(call.index) === call;
  }

  add(call: LiveCall): void {
    this.live.set(call.index, call);
  }

  /** Removes the call; false when it was not here. */
  remove(call: LiveCall): boolean {
    return this.has(call) && this.live.delete(call.index);
  }

  inState(state: CallState): LiveCall[] {
    return this.all().filter((c) => c.state === state);
  }

  /** Some call is active or held. */
  hasConnected(): boolean {
    for (const c of this.live.values()) if (c.state === 'active' || c.state === 'held') return true;
    return false;
  }

  /** The one call being set up (incoming, waiting, dialing or alerting), if any. */
  setupCall(): LiveCall | undefined {
    for (const c of this.live.values()) if (c.state !== 'active' && c.state !== 'held') return c;
    return undefined;
  }

  /** The outgoing call being set up (dialing or alerting), if any. */
  outgoingSetup(): LiveCall | undefined {
    for (const c of this.live.values()) if (c.state === 'dialing' || c.state === 'alerting') return c;
    return undefined;
  }

  /** The lowest free index; throws CallRefusedError when MAX_CALLS are up. */
  freeIndex(): number {
    for (let i = 1; i <= MAX_CALLS; i++) if (!this.live.has(i)) return i;
    throw new CallRefusedError('notAllowed', `the phone holds ${MAX_CALLS} calls already`);
  }

  /** Restores the invariants: waiting iff behind an active or held call; a lone conference member is no longer multiparty. */
  normalize(): void {
    const connected = this.hasConnected();
    for (const c of this.live.values()) {
      if (c.state === 'waiting' && !connected) c.state = 'incoming';
      else if (c.state === 'incoming' && connected) c.state = 'waiting';
    }
    for (const state of ['active', 'held'] as const) {
      const group = this.inState(state);
      if (group.length === 1 && group[0]) group[0].multiparty = false;
    }
    const members = this.all().filter((c) => c.multiparty);
    if (members.length === 1 && members[0]) members[0].multiparty = false;
  }
}

/** The read-only view of a live call. */
export function snapshot(c: LiveCall): Call {
  const call: Call = {
    index: c.index,
    direction: c.direction,
    number: c.number,
    numberType: numberTypeOf(c.number),
    state: c.state,
    multiparty: c.multiparty,
  };
  if (c.name !== undefined) call.name = c.name;
  return call;
}
