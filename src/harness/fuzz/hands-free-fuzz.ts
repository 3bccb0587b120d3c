/**
 * The `hands-free` property of the `calls` fuzz campaign: whatever an AG
 * sends the PC's HandsFree (random unsolicited results, garbage bytes,
 * everything cut at any byte) while the user presses buttons, the HF never
 * throws, reports only protocol errors, refuses user actions only with
 * typed errors, stays connected, and once quiet, after a +CLCC, its call
 * list is exactly the AG's. The AG is a small scripted one (iPhone answers).
 */
import fc from 'fast-check';
import { VirtualClock } from '../../link/virtual-clock';
import { ProtocolError } from '../../protocol/errors';
import { decodeCommand, type HfCommand } from '../../protocol/hfp/commands';
import { encodeResult, resultPrefix, type AgResult, type AgResultOf, type CindIndicatorSpec } from '../../protocol/hfp/results';
import { CommandLineSplitter } from '../../protocol/hfp/splitter';
import { NotConnectedError, UnsupportedError } from '../../sim-pc/errors';
import { isAgRefusal } from '../../sim-pc/hfp/errors';
import type { HfCall } from '../../sim-pc/hfp/call-tracker';
import { HandsFree } from '../../sim-pc/hfp/hands-free';
import { channelPair, cutInto, type FuzzChannel } from './fuzz-channels';

export class HandsFreeFuzzFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HandsFreeFuzzFailure';
  }
}

const range = (min: number, max: number) => [{ min, max }];

/** The iPhone's indicator table and the values a quiet phone reports. */
const CIND: CindIndicatorSpec[] = [
  { name: 'service', ranges: range(0, 1) },
  { name: 'call', ranges: range(0, 1) },
  { name: 'callsetup', ranges: range(0, 3) },
  { name: 'battchg', ranges: range(0, 5) },
  { name: 'signal', ranges: range(0, 5) },
  { name: 'roam', ranges: range(0, 1) },
  { name: 'callheld', ranges: range(0, 2) },
];
const CIND_VALUES = [1, 0, 0, 5, 3, 0, 0];
const OK: AgResult = { kind: 'ok' };

/** An AG that answers every command the way an iPhone does, lists `calls` for AT+CLCC, and sends whatever it is told. */
export class ScriptedAg {
  calls: AgResultOf<'clcc'>[] = [];
  private readonly splitter = new CommandLineSplitter();

  constructor(readonly channel: FuzzChannel) {
    channel.events.on('data', (chunk) => {
      for (const event of this.splitter.push(chunk)) {
        if (event.kind !== 'line') continue;
        let command: HfCommand;
        try {
          command = decodeCommand(event.text);
        } catch {
          this.send({ kind: 'error' });
          continue;
        }
        this.send(...this.answer(command));
      }
    });
  }

  send(...results: AgResult[]): void {
    if (!this.channel.open) return;
    for (const r of results) this.channel.write(encodeResult(r));
  }

  sendRaw(bytes: Uint8Array): void {
    if (this.channel.open) this.channel.write(bytes);
  }

  private answer(command: HfCommand): AgResult[] {
    switch (command.kind) {
      case 'brsf':
        return [{ kind: 'brsf', features: 4079 }, OK];
      case 'cindTest':
        return [{ kind: 'cindTest', indicators: CIND }, OK];
      case 'cindRead':
        return [{ kind: 'cindRead', values: CIND_VALUES }, OK];
      case 'chldTest':
        return [{ kind: 'chld', options: ['0', '1', '1x', '2', '2x', '3'] }, OK];
      case 'bindTest':
        return [{ kind: 'bindList', indicators: [1, 2] }, OK];
      case 'bindRead':
        return [{ kind: 'bindStatus', indicator: 1, enabled: false }, { kind: 'bindStatus', indicator: 2, enabled: true }, OK];
      case 'copsRead':
        return [{ kind: 'cops', mode: 0, format: 0, operator: 'Carrier' }, OK];
      case 'clcc':
        return [...this.calls, OK];
      case 'cnum':
        return [{ kind: 'cnum', number: '+447700900123', type: 145, service: 4 }, OK];
      case 'xapl':
        return [{ kind: 'xapl', device: 'iPhone', features: 2 }, OK];
      default:
        return [OK];
    }
  }
}

/** Lines that would end or feed a command if they arrived unasked: a real AG never sends them so. */
const FORBIDDEN = new Set(['OK', 'ERROR', '+CME ERROR', '+CLCC', '+BRSF', '+CIND', '+CHLD', '+BIND', '+COPS', '+CNUM', '+XAPL']);

function harmless(bytes: Uint8Array): boolean {
  const text = Buffer.from(bytes).toString('latin1');
  return text.split(/[\r\n]/).every((line) => {
    const prefix = resultPrefix(line);
    return prefix === undefined || !FORBIDDEN.has(prefix);
  });
}

const numberArb = fc.stringMatching(/^\+?[0-9]{3,12}$/);

const clccEntry = (index: number): fc.Arbitrary<AgResultOf<'clcc'>> =>
  fc.record(
    {
      kind: fc.constant('clcc' as const),
      index: fc.constant(index),
      direction: fc.integer({ min: 0, max: 1 }),
      status: fc.integer({ min: 0, max: 6 }),
      mode: fc.constant(0),
      multiparty: fc.boolean(),
      number: numberArb,
      type: fc.constantFrom(129, 145),
    },
    { noNullPrototype: true },
  );

export const callListArb: fc.Arbitrary<AgResultOf<'clcc'>[]> = fc
  .uniqueArray(fc.integer({ min: 1, max: 7 }), { maxLength: 4 })
  .chain((indexes) => (indexes.length === 0 ? fc.constant([]) : fc.tuple(...indexes.map(clccEntry))));

const unsolicitedArb: fc.Arbitrary<AgResult> = fc.oneof(
  fc.record({ kind: fc.constant('ciev' as const), index: fc.integer({ min: 0, max: 9 }), value: fc.integer({ min: 0, max: 6 }) }, { noNullPrototype: true }),
  fc.constant<AgResult>({ kind: 'ring' }),
  fc.record({ kind: fc.constant('clip' as const), number: fc.oneof(fc.constant(''), numberArb), type: fc.constantFrom(129, 145) }, { noNullPrototype: true }),
  fc.record({ kind: fc.constant('ccwa' as const), number: fc.oneof(fc.constant(''), numberArb), type: fc.constantFrom(129, 145) }, { noNullPrototype: true }),
  fc.record({ kind: fc.constantFrom('vgs' as const, 'vgm' as const), gain: fc.integer({ min: 0, max: 20 }) }, { noNullPrototype: true }),
  fc.record({ kind: fc.constant('bcs' as const), codec: fc.integer({ min: 0, max: 4 }) }, { noNullPrototype: true }),
  fc.record({ kind: fc.constant('bsir' as const), enabled: fc.boolean() }, { noNullPrototype: true }),
  fc.record({ kind: fc.constant('btrh' as const), state: fc.integer({ min: 0, max: 2 }) }, { noNullPrototype: true }),
  fc.record({ kind: fc.constant('bindStatus' as const), indicator: fc.integer({ min: 1, max: 3 }), enabled: fc.boolean() }, { noNullPrototype: true }),
  fc.constantFrom<AgResult>({ kind: 'noCarrier' }, { kind: 'busy' }, { kind: 'noAnswer' }, { kind: 'unknown', raw: '+APLSIRI: 1' }),
);

const USER_ACTIONS = ['answer', 'hangUp', 'reject', 'hold', 'swap', 'join', 'dial', 'dtmf', 'volume', 'refresh'] as const;
type UserAction = (typeof USER_ACTIONS)[number];

export type HfAction =
  | { kind: 'result'; result: AgResult }
  | { kind: 'garbage'; bytes: Uint8Array }
  | { kind: 'calls'; calls: AgResultOf<'clcc'>[] }
  | { kind: 'user'; what: UserAction }
  | { kind: 'wait'; ms: number };

export const hfActionArb: fc.Arbitrary<HfAction> = fc.oneof(
  { weight: 5, arbitrary: unsolicitedArb.map((result): HfAction => ({ kind: 'result', result })) },
  { weight: 2, arbitrary: fc.uint8Array({ maxLength: 24 }).filter(harmless).map((bytes): HfAction => ({ kind: 'garbage', bytes })) },
  { weight: 2, arbitrary: callListArb.map((calls): HfAction => ({ kind: 'calls', calls })) },
  { weight: 1, arbitrary: fc.constantFrom(...USER_ACTIONS).map((what): HfAction => ({ kind: 'user', what })) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 400 }).map((ms): HfAction => ({ kind: 'wait', ms })) },
);

export interface HandsFreeCase {
  actions: HfAction[];
  /** Sizes the AG's writes are cut into (cycled); empty: whole. */
  cuts: number[];
  finalCalls: AgResultOf<'clcc'>[];
}

export const handsFreeCaseArb: fc.Arbitrary<HandsFreeCase> = fc.record(
  {
    actions: fc.array(hfActionArb, { maxLength: 40 }),
    cuts: fc.array(fc.integer({ min: 1, max: 9 }), { maxLength: 6 }),
    finalCalls: callListArb,
  },
  { noNullPrototype: true },
);

/** [index, direction, status, number, multiparty] per call, by index. */
export type BriefCall = [number, number, number, string | undefined, boolean];

const briefOf = (calls: readonly HfCall[]): BriefCall[] => calls.map((c) => [c.index, c.direction, c.status, c.number, c.multiparty]);

/** Settles `promise` while running `clock` (at most an hour of virtual time). */
async function settle<T>(clock: VirtualClock, promise: Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: unknown }> {
  let outcome: { ok: true; value: T } | { ok: false; error: unknown } | undefined;
  promise.then(
    (value) => (outcome = { ok: true, value }),
    (error: unknown) => (outcome = { ok: false, error }),
  );
  await clock.runUntil(() => outcome !== undefined, 3_600_000);
  if (outcome === undefined) throw new HandsFreeFuzzFailure('a promise never settled');
  return outcome;
}

function userRun(hf: HandsFree, what: UserAction): Promise<unknown> {
  switch (what) {
    case 'answer':
      return hf.answer();
    case 'hangUp':
      return hf.hangUp();
    case 'reject':
      return hf.reject();
    case 'hold':
      return hf.hold();
    case 'swap':
      return hf.swap();
    case 'join':
      return hf.join();
    case 'dial':
      return hf.dial('5551234');
    case 'dtmf':
      return hf.sendDtmf('1');
    case 'volume':
      return hf.setSpeakerGain(8);
    case 'refresh':
      return hf.refreshCalls();
  }
}

/**
 * Runs one case; throws HandsFreeFuzzFailure when the HF breaks a rule.
 * `view` maps the HF's calls for the comparison (a test swaps it to prove the check can fail).
 */
export async function runHandsFreeCase(c: HandsFreeCase, view: (calls: readonly HfCall[]) => BriefCall[] = briefOf): Promise<void> {
  const clock = new VirtualClock();
  const [hfEnd, agEnd] = channelPair(clock, 3, 5);
  const ag = new ScriptedAg(agEnd);
  const hf = new HandsFree({ channel: hfEnd, clock, commandTimeoutMs: 2_000 });
  const errors: Error[] = [];
  hf.events.on('error', (e) => errors.push(e));
  const started = await settle(clock, hf.start());
  if (!started.ok) throw new HandsFreeFuzzFailure(`the SLC failed against a well-behaved AG: ${String(started.error)}`);
  await clock.runUntilIdle();
  agEnd.fragment = cutInto(c.cuts);
  const userFailures: unknown[] = [];
  for (const a of c.actions) {
    if (a.kind === 'result') ag.send(a.result);
    else if (a.kind === 'garbage') ag.sendRaw(a.bytes);
    else if (a.kind === 'calls') ag.calls = a.calls;
    else if (a.kind === 'wait') await clock.runFor(a.ms);
    else userRun(hf, a.what).catch((err: unknown) => userFailures.push(err));
  }
  await clock.runUntilIdle();
  ag.calls = c.finalCalls;
  const refreshed = await settle(clock, hf.refreshCalls());
  await clock.runUntilIdle();
  if (!refreshed.ok) throw new HandsFreeFuzzFailure(`AT+CLCC failed once quiet: ${String(refreshed.error)}`);
  if (hf.state !== 'connected') throw new HandsFreeFuzzFailure(`the HF is ${hf.state}, not connected`);
  const want = [...c.finalCalls]
    .sort((x, y) => x.index - y.index)
    .map((x): BriefCall => [x.index, x.direction, x.status, x.number, x.multiparty]);
  const got = view(hf.calls);
  if (JSON.stringify(got) !== JSON.stringify(want)) {
    throw new HandsFreeFuzzFailure(`after +CLCC the HF lists ${JSON.stringify(got)}\n  the AG lists ${JSON.stringify(want)}`);
  }
  for (const err of errors) {
    if (!(err instanceof ProtocolError)) throw new HandsFreeFuzzFailure(`the HF reported a non-protocol error: ${err.name}: ${err.message}`);
  }
  for (const err of userFailures) {
    if (!(err instanceof UnsupportedError || err instanceof NotConnectedError || isAgRefusal(err))) {
      throw new HandsFreeFuzzFailure(`a user action failed with an untyped error: ${String(err)}`);
    }
  }
  if (clock.pendingEvents !== 0) throw new HandsFreeFuzzFailure(`${clock.pendingEvents} timers left once idle`);
  await hf.close();
}

export const handsFreeProperty = (view?: (calls: readonly HfCall[]) => BriefCall[]) => (tick: () => void) =>
  fc.asyncProperty(handsFreeCaseArb, async (c) => {
    tick();
    await runHandsFreeCase(c, view);
  });
