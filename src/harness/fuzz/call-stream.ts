/**
 * The `call-stream` property of the `calls` fuzz campaign: a whole testbed
 * in virtual time. Once the PC's hands-free connection is up, a random mix
 * of phone-side call events (incoming, waiting, outgoing from the phone,
 * the far end answering, busy or hanging up, network loss and service
 * back), PC-side call actions (each may be refused with a typed error),
 * waits, link drops and out-of-range windows; once quiet (reconnected, then
 * 10 s of link time) the PC's call list equals the phone's: the same
 * numbers, digits only, in the same states.
 */
import fc from 'fast-check';
import type { CallState as PcCallState } from '../../sim-pc/services/calls';
import type { CallState as PhoneCallState } from '../../sim-phone/hfp/call-state';
import { Testbed } from '../testbed';

const NUMBERS = ['+447700900555', '07700900123', '+15550001', '5551234'] as const;

export type CallStreamCommand =
  | { kind: 'incoming'; number: number }
  | { kind: 'waiting'; number: number }
  | { kind: 'phoneDials'; number: number }
  | { kind: 'remoteAnswers' }
  | { kind: 'remoteBusy' }
  | { kind: 'remoteHangsUp'; which: number }
  | { kind: 'networkLoss' }
  | { kind: 'serviceBack' }
  | { kind: 'pc'; action: 'answer' | 'reject' | 'hangUp' | 'hold' | 'swap' | 'join'; which: number }
  | { kind: 'pcDial'; number: number }
  | { kind: 'wait'; ms: number }
  | { kind: 'drop' }
  | { kind: 'outOfRange'; ms: number };

export interface CallStreamCase {
  seed: number;
  commands: CallStreamCommand[];
}

const numberIndex = fc.nat(NUMBERS.length - 1);

export const callStreamCommandArb: fc.Arbitrary<CallStreamCommand> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('incoming' as const), number: numberIndex }, { noNullPrototype: true }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('waiting' as const), number: numberIndex }, { noNullPrototype: true }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('phoneDials' as const), number: numberIndex }, { noNullPrototype: true }) },
  { weight: 2, arbitrary: fc.constant<CallStreamCommand>({ kind: 'remoteAnswers' }) },
  { weight: 1, arbitrary: fc.constant<CallStreamCommand>({ kind: 'remoteBusy' }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('remoteHangsUp' as const), which: fc.nat(7) }, { noNullPrototype: true }) },
  { weight: 1, arbitrary: fc.constant<CallStreamCommand>({ kind: 'networkLoss' }) },
  { weight: 1, arbitrary: fc.constant<CallStreamCommand>({ kind: 'serviceBack' }) },
  {
    weight: 5,
    arbitrary: fc.record(
      { kind: fc.constant('pc' as const), action: fc.constantFrom('answer' as const, 'reject' as const, 'hangUp' as const, 'hold' as const, 'swap' as const, 'join' as const), which: fc.nat(7) },
      { noNullPrototype: true },
    ),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('pcDial' as const), number: numberIndex }, { noNullPrototype: true }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('wait' as const), ms: fc.integer({ min: 0, max: 5000 }) }, { noNullPrototype: true }) },
  { weight: 1, arbitrary: fc.constant<CallStreamCommand>({ kind: 'drop' }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('outOfRange' as const), ms: fc.integer({ min: 50, max: 8000 }) }, { noNullPrototype: true }) },
);

export const callStreamCaseArb: fc.Arbitrary<CallStreamCase> = fc.record(
  { seed: fc.integer({ min: 1, max: 0x7fffffff }), commands: fc.array(callStreamCommandArb, { maxLength: 40 }) },
  { noNullPrototype: true },
);

export class CallStreamDivergence extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CallStreamDivergence';
  }
}

/** The PC's name for each phone-side call state. */
const PC_STATE_OF: Record<PhoneCallState, PcCallState> = {
  dialing: 'dialing',
  alerting: 'alerting',
  incoming: 'incoming',
  waiting: 'waiting',
  active: 'active',
  held: 'held',
};

const digits = (n: string | undefined): string => (n ?? '').replace(/\D/g, '');

/** "digits state" per call, sorted: what both sides must agree on. */
export type CallView = (tb: Testbed) => string[];

export const phoneView: CallView = (tb) => tb.phone.model.telephony.calls().map((c) => `${digits(c.number)} ${PC_STATE_OF[c.state]}`).sort();
export const pcView: CallView = (tb) => (tb.pc.calls?.list ?? []).map((c) => `${digits(c.number)} ${c.state}`).sort();

/** Runs one case; throws CallStreamDivergence when the two sides disagree once quiet. `pc` can be swapped to prove the check fails. */
export async function runCallStreamCase(c: CallStreamCase, pc: CallView = pcView): Promise<void> {
  const tb = new Testbed({ seed: c.seed, recordPdus: false });
  const unexpected: unknown[] = [];
  tb.phone.hfp?.events.on('internalError', (_peer, err) => unexpected.push(err));
  try {
    if (tb.pc.calls === undefined) throw new CallStreamDivergence('the PC has no calls service (no BR/EDR in the profile)');
    tb.startPc();
    await tb.clock.runUntil(() => tb.pc.callsHealth()?.state === 'up', 30_000);
    for (const cmd of c.commands) await apply(tb, cmd, unexpected);
    // Quiet: any outage ends, the hands-free connection comes back, and 10 s pass for the calls to settle.
    await tb.clock.runUntil(() => tb.pc.callsHealth()?.state === 'up', 180_000).catch(() => undefined);
    await tb.clock.runFor(10_000);
    const health = tb.pc.callsHealth();
    if (health?.state !== 'up') throw new CallStreamDivergence(`the hands-free connection did not come back: ${JSON.stringify(health)}`);
    const phone = phoneView(tb);
    const ours = pc(tb);
    if (JSON.stringify(phone) !== JSON.stringify(ours)) {
      throw new CallStreamDivergence(`phone has ${phone.length}: [${phone.join(', ')}]\n  PC has ${ours.length}: [${ours.join(', ')}]`);
    }
    if (unexpected.length > 0) throw new CallStreamDivergence(`unexpected error: ${String(unexpected[0])}`);
  } finally {
    await tb.shutdown().catch(() => undefined);
  }
}

/** A phone stimulus the phone may refuse in its current state (CallRefusedError and the like): that is not a failure. */
function tryPhone(run: () => unknown): void {
  try {
    run();
  } catch (err) {
    if (!(err instanceof Error && 'code' in err && typeof err.code === 'string' && err.code.startsWith('sim-phone.'))) throw err;
  }
}

/** PC actions may be refused with a typed error; anything untyped is recorded as unexpected. */
function pcAction(promise: Promise<unknown>, unexpected: unknown[]): void {
  promise.catch((err: unknown) => {
    if (!(err instanceof Error && 'code' in err && typeof err.code === 'string')) unexpected.push(err);
  });
}

async function apply(tb: Testbed, cmd: CallStreamCommand, unexpected: unknown[]): Promise<void> {
  const back = tb.phone.backchannel;
  const calls = tb.pc.calls;
  switch (cmd.kind) {
    case 'incoming':
      tryPhone(() => back.incomingCall(NUMBERS[cmd.number] ?? NUMBERS[0]));
      break;
    case 'waiting':
      tryPhone(() => back.callWaiting(NUMBERS[cmd.number] ?? NUMBERS[0]));
      break;
    case 'phoneDials':
      tryPhone(() => back.startOutgoingCall(NUMBERS[cmd.number] ?? NUMBERS[0]));
      break;
    case 'remoteAnswers':
      tryPhone(() => back.remoteAnswers());
      break;
    case 'remoteBusy':
      tryPhone(() => back.remoteBusy());
      break;
    case 'remoteHangsUp': {
      const live = tb.phone.model.telephony.calls();
      const target = live[cmd.which % Math.max(1, live.length)];
      tryPhone(() => back.remoteHangsUp(target?.index));
      break;
    }
    case 'networkLoss':
      tryPhone(() => back.networkLoss());
      break;
    case 'serviceBack':
      tryPhone(() => back.setService(true));
      break;
    case 'pc': {
      if (calls === undefined) break;
      const list = calls.list;
      const id = list.length === 0 ? undefined : list[cmd.which % list.length]?.id;
      const run = {
        answer: () => calls.answer(id),
        reject: () => calls.reject(id),
        hangUp: () => calls.hangUp(id),
        hold: () => calls.hold(),
        swap: () => calls.swap(),
        join: () => calls.join(),
      }[cmd.action];
      pcAction(run(), unexpected);
      break;
    }
    case 'pcDial':
      if (calls) pcAction(calls.dial(NUMBERS[cmd.number] ?? NUMBERS[0]), unexpected);
      break;
    case 'wait':
      await tb.clock.runFor(cmd.ms);
      break;
    case 'drop':
      tb.dropLinks();
      await tb.clock.runFor(1);
      break;
    case 'outOfRange':
      tb.outOfRange(cmd.ms);
      break;
  }
}

/** The property for a campaign; `tick` counts runs for progress. */
export const callStreamProperty = (pc?: CallView) => (tick: () => void) =>
  fc.asyncProperty(callStreamCaseArb, async (c) => {
    tick();
    await runCallStreamCase(c, pc);
  });
