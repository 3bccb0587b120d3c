/**
 * CallTracker on its own: the list inferred from call indicators for each
 * transition HFP defines (including orders some AGs use), numbers from
 * +CLIP/+CCWA/ATD, hints from our AT+CHLD, the starting state read from
 * +CIND, and +CLCC snapshots that replace the list while keeping ids.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ChldAction, ClccDirection as Dir, ClccStatus as St } from '../../../src/protocol/hfp/constants';
import { CallTracker, MAX_CALLS } from '../../../src/sim-pc/hfp/call-tracker';
import { clcc } from './fake-ag';

const shape = (t: CallTracker) => t.list.map((c) => [c.index, c.direction, c.status, c.number ?? null, c.multiparty]);

function tracker(steps: [name: 'call' | 'callsetup' | 'callheld', value: number][] = []): CallTracker {
  const t = new CallTracker();
  for (const [name, value] of steps) t.indicator(name, value);
  return t;
}

test('reset from +CIND read values builds the calls in progress', () => {
  const t = new CallTracker();
  assert.equal(t.reset({ call: 1, callsetup: 1, callheld: 1 }), true);
  assert.deepEqual(shape(t), [
    [1, Dir.MobileTerminated, St.Held, null, false],
    [2, Dir.MobileTerminated, St.Active, null, false],
    [3, Dir.MobileTerminated, St.Waiting, null, false],
  ]);
  t.reset({ call: 1, callheld: 2, callsetup: 3 });
  assert.deepEqual(shape(t), [
    [1, Dir.MobileTerminated, St.Held, null, false],
    [2, Dir.MobileOriginated, St.Alerting, null, false],
  ]);
  t.reset({ callsetup: 2, call: 7 });
  assert.deepEqual(shape(t), [[1, Dir.MobileOriginated, St.Dialing, null, false]]);
  assert.equal(t.reset({}), true);
  assert.deepEqual(t.list, []);
  assert.equal(t.reset({}), false);
});

test('incoming: +CLIP before or after callsetup=1 names the call; answered on call=1', () => {
  const t = new CallTracker();
  t.clip({ kind: 'clip', number: '123', type: 129 });
  t.indicator('callsetup', 1);
  assert.deepEqual(shape(t), [[1, Dir.MobileTerminated, St.Incoming, '123', false]]);
  assert.equal(t.clip({ kind: 'clip', number: '123', type: 129, alpha: 'Bo' }), true);
  assert.equal(t.list[0]?.name, 'Bo');
  assert.equal(t.clip({ kind: 'clip', number: '123', type: 129, alpha: 'Bo' }), false);
  t.indicator('call', 1);
  t.indicator('callsetup', 0);
  assert.deepEqual(shape(t), [[1, Dir.MobileTerminated, St.Active, '123', false]]);
  assert.equal(t.indicator('call', 1), false, 'a repeated value changes nothing');
  t.indicator('call', 0);
  assert.deepEqual(t.list, []);
});

test('an AG that ends call setup before it reports call=1 keeps the same call', () => {
  const t = tracker([['callsetup', 1]]);
  t.clip({ kind: 'clip', number: '555', type: 129 });
  const id = t.list[0]?.id;
  t.indicator('callsetup', 0);
  assert.equal(t.list.length, 0);
  t.indicator('call', 1);
  assert.deepEqual(shape(t), [[1, Dir.MobileTerminated, St.Active, '555', false]]);
  assert.equal(t.list[0]?.id, id);
});

test('outgoing: ATD number, dialing, alerting, connected; redial has no number until +CLCC', () => {
  const t = new CallTracker();
  t.dialled('999');
  t.indicator('callsetup', 2);
  t.indicator('callsetup', 3);
  assert.deepEqual(shape(t), [[1, Dir.MobileOriginated, St.Alerting, '999', false]]);
  t.indicator('call', 1);
  t.indicator('callsetup', 0);
  assert.deepEqual(shape(t), [[1, Dir.MobileOriginated, St.Active, '999', false]]);
  const u = tracker([['callsetup', 3]]);
  assert.deepEqual(shape(u), [[1, Dir.MobileOriginated, St.Alerting, null, false]]);
  u.dialled('42');
  assert.equal(u.list[0]?.number, '42', 'a late dial number fills an outgoing call without one');
  u.indicator('callsetup', 0);
  assert.deepEqual(u.list, [], 'abandoned before it connected');
});

test('an incoming call replaced by an outgoing one in setup, and the reverse', () => {
  const t = tracker([['callsetup', 1]]);
  t.indicator('callsetup', 2);
  assert.deepEqual(shape(t), [[1, Dir.MobileOriginated, St.Dialing, null, false]]);
  t.indicator('callsetup', 1);
  assert.deepEqual(shape(t), [[1, Dir.MobileTerminated, St.Incoming, null, false]]);
});

test('waiting call: +CCWA number; becomes incoming when the active call ends', () => {
  const t = tracker([['call', 1]]);
  t.ccwa({ kind: 'ccwa', number: '777', type: 129 });
  t.indicator('callsetup', 1);
  assert.deepEqual(shape(t), [
    [1, Dir.MobileTerminated, St.Active, null, false],
    [2, Dir.MobileTerminated, St.Waiting, '777', false],
  ]);
  assert.equal(t.ccwa({ kind: 'ccwa', number: '777', type: 129, alpha: 'Cy' }), true);
  t.indicator('call', 0);
  assert.deepEqual(shape(t), [[2, Dir.MobileTerminated, St.Incoming, '777', false]]);
});

test('AT+CHLD=2 hint: callsetup=0 before callheld=1 still swaps the waiting call in once', () => {
  const t = tracker([['call', 1], ['callsetup', 1]]);
  t.chldSent(ChldAction.HoldActiveAcceptOther);
  t.indicator('callsetup', 0);
  t.indicator('callheld', 1);
  assert.deepEqual(shape(t), [
    [1, Dir.MobileTerminated, St.Held, null, false],
    [2, Dir.MobileTerminated, St.Active, null, false],
  ]);
});

test('AT+CHLD=1 hint: the waiting call replaces the active one', () => {
  const t = tracker([['call', 1], ['callsetup', 1]]);
  t.chldSent(ChldAction.ReleaseActiveAcceptOther);
  t.indicator('callsetup', 0);
  assert.deepEqual(shape(t), [[2, Dir.MobileTerminated, St.Active, null, false]]);
});

test('hold without a second call (callheld=2), resume (callheld=0), release held (AT+CHLD=0)', () => {
  const t = tracker([['call', 1], ['callheld', 2]]);
  assert.deepEqual(shape(t), [[1, Dir.MobileTerminated, St.Held, null, false]]);
  t.indicator('call', 1);
  assert.deepEqual(shape(t), [[1, Dir.MobileTerminated, St.Held, null, false]], 'call=1 counts the held call');
  t.indicator('callheld', 0);
  assert.deepEqual(shape(t), [[1, Dir.MobileTerminated, St.Active, null, false]]);
  // Active + held, then the held one is released.
  t.indicator('callsetup', 1);
  t.indicator('callheld', 1);
  t.indicator('callsetup', 0);
  assert.deepEqual(shape(t).map((c) => c[2]), [St.Held, St.Active]);
  t.chldSent(ChldAction.ReleaseHeldOrRejectWaiting);
  t.indicator('callheld', 0);
  assert.deepEqual(shape(t), [[2, Dir.MobileTerminated, St.Active, null, false]]);
});

test('dialling while a call is held: the new call connects on callheld=1', () => {
  const t = tracker([['call', 1], ['callheld', 2]]);
  t.dialled('321');
  t.indicator('callsetup', 2);
  t.indicator('callsetup', 3);
  t.indicator('callheld', 1);
  assert.deepEqual(shape(t), [
    [1, Dir.MobileTerminated, St.Held, null, false],
    [2, Dir.MobileOriginated, St.Active, '321', false],
  ]);
  // The order the HFP diagrams show: callsetup=0 first, then callheld=1.
  const u = tracker([['call', 1], ['callheld', 2]]);
  u.dialled('654');
  u.indicator('callsetup', 2);
  u.indicator('callsetup', 0);
  u.indicator('callheld', 1);
  assert.deepEqual(shape(u), [
    [1, Dir.MobileTerminated, St.Held, null, false],
    [2, Dir.MobileOriginated, St.Active, '654', false],
  ]);
  // callheld=1 with nothing to promote: a call of unknown origin.
  const v = tracker([['call', 1], ['callheld', 2]]);
  v.indicator('callheld', 1);
  assert.deepEqual(shape(v).map((c) => c[2]), [St.Held, St.Active]);
});

test('conference: join (AT+CHLD=3), private consultation (AT+CHLD=2x), release one (AT+CHLD=1x)', () => {
  const t = tracker([['call', 1], ['callsetup', 1]]);
  t.indicator('callheld', 1);
  t.indicator('callsetup', 0);
  t.chldSent(ChldAction.AddHeldToConversation);
  t.indicator('callheld', 0);
  assert.deepEqual(shape(t).map((c) => [c[2], c[4]]), [[St.Active, true], [St.Active, true]]);
  t.chldSent(ChldAction.HoldActiveAcceptOther, 2);
  t.indicator('callheld', 1);
  assert.deepEqual(shape(t).map((c) => [c[0], c[2], c[4]]), [[1, St.Held, false], [2, St.Active, false]]);
  assert.equal(t.released(1), true);
  assert.deepEqual(shape(t).map((c) => c[0]), [2]);
  assert.equal(t.released(2), false, 'the last call ends by indicators, not by hint');
  assert.equal(t.released(9), false);
});

test('out-of-range indicator values are ignored', () => {
  const t = new CallTracker();
  assert.equal(t.indicator('callsetup', 4), false);
  assert.equal(t.indicator('call', -1), false);
  assert.equal(t.indicator('callheld', 1.5), false);
  assert.deepEqual(t.indicators, { call: 0, callsetup: 0, callheld: 0 });
});

test('+CLCC replaces the list, keeps ids by index and number, and drops duplicates', () => {
  const t = tracker([['callsetup', 1]]);
  const id = t.list[0]?.id;
  assert.equal(t.applyClcc([clcc(1, Dir.MobileTerminated, St.Incoming, '111'), clcc(1, Dir.MobileTerminated, St.Active, 'dup')]), true);
  assert.equal(t.list.length, 1);
  assert.equal(t.list[0]?.id, id, 'an inferred call without a number continues as the listed one');
  assert.equal(t.list[0]?.confirmed, true);
  // Same number at a new index: still the same call.
  t.applyClcc([clcc(3, Dir.MobileTerminated, St.Active, '111')]);
  assert.equal(t.list[0]?.id, id);
  // Different number at that index: a new call.
  t.applyClcc([clcc(3, Dir.MobileTerminated, St.Active, '222')]);
  assert.notEqual(t.list[0]?.id, id);
  // Withheld in +CLCC keeps the number we knew; alpha kept when absent.
  const u = new CallTracker();
  u.clip({ kind: 'clip', number: '333', type: 129, alpha: 'Di' });
  u.indicator('callsetup', 1);
  u.applyClcc([{ kind: 'clcc', index: 1, direction: 1, status: 4, mode: 0, multiparty: false, number: '' }]);
  assert.equal(u.list[0]?.number, '333');
  assert.equal(u.list[0]?.name, 'Di');
  assert.equal(u.applyClcc([{ kind: 'clcc', index: 1, direction: 1, status: 4, mode: 0, multiparty: false, number: '', alpha: '' }]), false);
  assert.equal(u.applyClcc([]), true);
  assert.deepEqual(u.list, []);
});

test('the list is bounded', () => {
  const t = new CallTracker();
  t.applyClcc(Array.from({ length: 40 }, (_, i) => clcc(i + 1, 1, 0, String(1000 + i))));
  assert.equal(t.list.length, MAX_CALLS);
  t.indicator('callsetup', 1);
  assert.equal(t.list.length, MAX_CALLS);
});
