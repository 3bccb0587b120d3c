import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { VirtualClock } from '../../../src/link/virtual-clock';
import { CallHistory } from '../../../src/sim-phone/call-history';
import { type CallChange, CallModel, CallRefusedError } from '../../../src/sim-phone/hfp/call-model';
import type { Call } from '../../../src/sim-phone/hfp/call-state';

function setup(options: ConstructorParameters<typeof CallModel>[1] = {}) {
  const clock = new VirtualClock();
  const history = new CallHistory();
  const calls = new CallModel(clock, { history, ...options });
  const changes: CallChange[] = [];
  calls.events.on('changed', (c) => changes.push(c));
  return { clock, history, calls, changes };
}

const brief = (calls: Call[]) => calls.map((c) => `${c.index}:${c.direction}:${c.state}${c.multiparty ? ':mpty' : ''}`);

test('an incoming call rings, is answered, and is logged as received with its duration', () => {
  const { clock, history, calls, changes } = setup();
  const call = calls.incomingCall('+15551234567', 'Alice');
  assert.deepEqual(call, { index: 1, direction: 'mt', number: '+15551234567', numberType: 145, name: 'Alice', state: 'incoming', multiparty: false });
  assert.deepEqual(calls.indicators(), { service: 1, call: 0, callsetup: 1, callheld: 0, signal: 5, roam: 0, battchg: 5 });
  calls.answer();
  assert.deepEqual(brief(calls.calls()), ['1:mt:active']);
  assert.equal(calls.indicators().call, 1);
  assert.equal(calls.indicators().callsetup, 0);
  clock.advance(61_000);
  calls.remoteHangsUp();
  assert.deepEqual(calls.calls(), []);
  const [record] = history.list();
  assert.equal(record?.kind, 'received');
  assert.equal(record?.name, 'Alice');
  assert.equal(record?.durationSec, 61);
  assert.deepEqual(
    changes.map((c) => c.cause),
    ['incomingCall', 'answer', 'remoteHungUp'],
  );
});

test('an outgoing call dials, alerts after alertAfterMs, and connects when the far end answers', () => {
  const { clock, calls, history } = setup({ alertAfterMs: 800 });
  calls.dial('123');
  assert.equal(calls.indicators().callsetup, 2);
  clock.advance(799);
  assert.equal(calls.indicators().callsetup, 2);
  clock.advance(1);
  assert.equal(calls.indicators().callsetup, 3);
  assert.equal(clock.pendingEvents, 0, 'no auto-answer timer unless asked for');
  calls.remoteAnswers();
  assert.deepEqual(calls.indicators(), { service: 1, call: 1, callsetup: 0, callheld: 0, signal: 5, roam: 0, battchg: 5 });
  calls.hangUp();
  assert.equal(history.list()[0]?.kind, 'dialled');
  assert.equal(calls.redialNumber, '123');
});

test('remote busy ends the outgoing call; a rejected call is logged as missed', () => {
  const { calls, history } = setup();
  calls.dial('123');
  calls.remoteBusy();
  assert.deepEqual(calls.calls(), []);
  calls.incomingCall('555');
  calls.hangUp();
  assert.deepEqual(
    history.list().map((r) => r.kind).sort(),
    ['dialled', 'missed'],
  );
  assert.equal(history.newMissedCalls, 1);
});

test('the redial number falls back to the newest dialled call in the log', () => {
  const { calls, history } = setup();
  assert.equal(calls.redialNumber, undefined);
  assert.throws(() => calls.redial(), (e: unknown) => e instanceof CallRefusedError && e.reason === 'notFound');
  history.add({ kind: 'dialled', number: '+4420', time: new Date('2026-01-01T00:00:00Z') });
  assert.equal(calls.redialNumber, '+4420');
  assert.equal(calls.redial().number, '+4420');
});

test('call waiting, hold, swap, join, private consultation and release by index', () => {
  const { calls, changes } = setup();
  calls.incomingCall('111');
  calls.answer();
  const waiting = calls.callWaiting('222');
  assert.equal(waiting.state, 'waiting');
  assert.equal(changes.at(-1)?.waiting?.number, '222');
  calls.chld(2);
  assert.deepEqual(brief(calls.calls()), ['1:mt:held', '2:mt:active']);
  assert.equal(calls.indicators().callheld, 1);
  calls.chld(2);
  assert.equal(changes.at(-1)?.swapped, true);
  assert.deepEqual(brief(calls.calls()), ['1:mt:active', '2:mt:held']);
  calls.chld(3);
  assert.deepEqual(brief(calls.calls()), ['1:mt:active:mpty', '2:mt:active:mpty']);
  assert.equal(calls.indicators().callheld, 0);
  calls.chld(2, 1);
  assert.deepEqual(brief(calls.calls()), ['1:mt:active', '2:mt:held']);
  calls.chld(1, 1);
  assert.deepEqual(brief(calls.calls()), ['2:mt:held']);
  assert.equal(calls.indicators().callheld, 2);
  assert.equal(calls.indicators().call, 1);
  calls.chld(0);
  assert.deepEqual(calls.calls(), []);
});

test('CHLD refusals carry the reason the AG answers with', () => {
  const { calls } = setup();
  const reason = (fn: () => void): string | undefined => {
    try {
      fn();
    } catch (err) {
      return err instanceof CallRefusedError ? err.reason : 'other';
    }
    return undefined;
  };
  assert.equal(reason(() => calls.chld(0)), 'notAllowed');
  assert.equal(reason(() => calls.chld(1, 3)), 'invalidIndex');
  assert.equal(reason(() => calls.chld(5)), 'unsupported');
  calls.incomingCall('111');
  calls.answer();
  assert.equal(reason(() => calls.chld(2, 1)), 'notAllowed', 'not in a conference');
  assert.equal(reason(() => calls.chld(3)), 'notAllowed', 'nothing held to join');
  assert.equal(reason(() => calls.callWaiting('')), undefined, 'a withheld number may wait');
  assert.equal(reason(() => calls.incomingCall('333')), 'notAllowed', 'only one call is set up at a time');
  assert.equal(reason(() => calls.dial('444')), 'notAllowed');
  assert.equal(reason(() => calls.dial('12a')), 'invalidDialString');
  assert.throws(() => calls.incomingCall('"bad"'), RangeError);
});

test('network loss ends every call, then drops service and signal; no call can come in without service', () => {
  const { calls, changes, history } = setup();
  calls.incomingCall('111');
  calls.answer();
  calls.dial('222');
  calls.networkLoss();
  assert.deepEqual(calls.calls(), []);
  const loss = changes.find((c) => c.cause === 'networkLoss');
  assert.equal(loss?.networkLost, true);
  assert.equal(loss?.ended.length, 2);
  assert.equal(changes.at(-1)?.cause, 'phoneState');
  assert.deepEqual([calls.service, calls.signal], [false, 0]);
  assert.equal(history.size, 2);
  assert.throws(() => calls.incomingCall('333'), (e: unknown) => e instanceof CallRefusedError && e.reason === 'noService');
});

test('battery, signal, service and roaming are validated and only reported when they change', () => {
  const { calls, changes } = setup();
  calls.setBattery(5);
  calls.setSignal(5);
  calls.setService(true);
  calls.setRoaming(false);
  assert.equal(changes.length, 0);
  calls.setBattery(0);
  calls.setRoaming(true);
  assert.equal(changes.length, 2);
  assert.deepEqual([calls.indicators().battchg, calls.indicators().roam], [0, 1]);
  assert.throws(() => calls.setBattery(6), RangeError);
  assert.throws(() => calls.setSignal(1.5), RangeError);
});

type Op =
  | { op: 'incoming'; number: string }
  | { op: 'waiting'; number: string }
  | { op: 'outgoing' | 'dial'; number: string }
  | { op: 'remoteAnswers' | 'remoteBusy' | 'networkLoss' | 'answer' | 'hangUp' | 'redial' | 'serviceOn' }
  | { op: 'remoteHangsUp'; index: number | undefined }
  | { op: 'chld'; action: number; index: number | undefined }
  | { op: 'wait'; ms: number };

const number = fc.constantFrom('111', '+4420', '555', '*31#');
const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constantFrom('incoming' as const, 'waiting' as const, 'outgoing' as const, 'dial' as const), number }),
  fc.record({
    op: fc.constantFrom(
      'remoteAnswers' as const,
      'remoteBusy' as const,
      'networkLoss' as const,
      'answer' as const,
      'hangUp' as const,
      'redial' as const,
      'serviceOn' as const,
    ),
  }),
  fc.record({ op: fc.constant('remoteHangsUp' as const), index: fc.option(fc.integer({ min: 1, max: 4 }), { nil: undefined }) }),
  fc.record({ op: fc.constant('chld' as const), action: fc.integer({ min: 0, max: 5 }), index: fc.option(fc.integer({ min: 1, max: 4 }), { nil: undefined }) }),
  fc.record({ op: fc.constant('wait' as const), ms: fc.integer({ min: 0, max: 3000 }) }),
);

function run(calls: CallModel, clock: VirtualClock, op: Op): void {
  switch (op.op) {
    case 'incoming':
      return void calls.incomingCall(op.number);
    case 'waiting':
      return void calls.callWaiting(op.number);
    case 'outgoing':
      return void calls.startOutgoingCall(op.number);
    case 'dial':
      return void calls.dial(op.number);
    case 'redial':
      return void calls.redial();
    case 'remoteAnswers':
      return calls.remoteAnswers();
    case 'remoteBusy':
      return calls.remoteBusy();
    case 'networkLoss':
      return calls.networkLoss();
    case 'serviceOn':
      return calls.setService(true);
    case 'answer':
      return calls.answer();
    case 'hangUp':
      return calls.hangUp();
    case 'remoteHangsUp':
      return calls.remoteHangsUp(op.index);
    case 'chld':
      return calls.chld(op.action, op.index);
    case 'wait':
      return clock.advance(op.ms);
  }
}

/** What must hold for any reachable set of calls. */
function checkInvariants(list: Call[]): void {
  const setup = list.filter((c) => !['active', 'held'].includes(c.state));
  assert.ok(setup.length <= 1, `one call in setup at most: ${brief(list).join(' ')}`);
  const connected = list.some((c) => c.state === 'active' || c.state === 'held');
  for (const c of list) {
    if (c.state === 'waiting') assert.ok(connected, 'waiting only behind a call');
    if (c.state === 'incoming') assert.ok(!connected, 'incoming only when no call is up');
  }
  for (const state of ['active', 'held'] as const) {
    const group = list.filter((c) => c.state === state);
    if (group.length > 1) assert.ok(group.every((c) => c.multiparty), `several ${state} calls form a conference`);
  }
  assert.notEqual(list.filter((c) => c.multiparty).length, 1, 'a conference has two calls or more');
  assert.equal(new Set(list.map((c) => c.index)).size, list.length);
}

test('property: any sequence of stimuli and HF commands keeps the calls consistent, and every ended call is logged once', () => {
  fc.assert(
    fc.property(fc.array(opArb, { maxLength: 60 }), (ops) => {
      const { clock, history, calls, changes } = setup({ alertAfterMs: 500, remoteAnswerAfterMs: 2000 });
      for (const op of ops) {
        try {
          run(calls, clock, op);
        } catch (err) {
          if (!(err instanceof CallRefusedError)) throw err;
        }
        checkInvariants(calls.calls());
      }
      const ended = changes.reduce((n, c) => n + c.ended.length, 0);
      assert.equal(history.size, ended);
      calls.networkLoss();
      assert.equal(clock.pendingEvents, 0, 'no timer outlives the calls');
    }),
    { numRuns: 400 },
  );
});
