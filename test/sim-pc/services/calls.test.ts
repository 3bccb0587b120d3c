/**
 * The Calls service on a HandsFree against the scripted AG of
 * test/sim-pc/hfp: the list with caller names from an injected lookup,
 * answer/reject/hang up/dial (by number or contact) and the AT commands
 * they become, records for received, missed, declined and dialled calls
 * with durations in virtual time, the bounded history and its sink, and
 * reconnection after going out of range (HFP/HF/OOR/BV-01, BV-02).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ClccDirection as Dir, ClccStatus as St } from '../../../src/protocol/hfp/constants';
import { NotConnectedError } from '../../../src/sim-pc/errors';
import { CallNotFoundError, HfpArgumentError, UnknownContactError } from '../../../src/sim-pc/hfp/errors';
import { Calls, dialString, type CallRecord, type CallsOptions } from '../../../src/sim-pc/services/calls';
import { clcc, iphoneProfile, type FakeAg } from '../hfp/fake-ag';
import { connected, fails, ok, rig, type Rig } from '../hfp/hf-rig';

const ADA = '+442079460000';
const BOB = '+447700900222';
const NAMES: Record<string, string> = { [ADA]: 'Ada Lovelace', [BOB]: 'Bob' };

async function setup(options: Partial<CallsOptions> = {}): Promise<Rig & { calls: Calls; sunk: CallRecord[] }> {
  const r = await connected();
  const sunk: CallRecord[] = [];
  const calls = new Calls({
    clock: r.clock,
    lookupName: (n) => NAMES[n],
    resolveContact: (name) => Object.entries(NAMES).find(([, v]) => v.toLowerCase() === name.toLowerCase())?.[0],
    onRecord: (record) => sunk.push(record),
    ...options,
  });
  calls.attach(r.hf);
  return { ...r, calls, sunk };
}

/** AG behaviour for the usual commands, updating its list and indicators like a phone. */
function phone(ag: FakeAg): void {
  ag.handler = (command) => {
    const ok = { kind: 'ok' } as const;
    const [first, second] = ag.calls;
    switch (command.kind) {
      case 'answer':
        ag.send(ok);
        ag.calls = ag.calls.map((c) => ({ ...c, status: St.Active }));
        ag.ciev('call', 1);
        ag.ciev('callsetup', 0);
        return 'silent';
      case 'chup':
        ag.send(ok);
        if (first?.status === St.Incoming) {
          ag.calls = [];
          ag.ciev('callsetup', 0);
        } else {
          ag.calls = [];
          ag.ciev('call', 0);
        }
        return 'silent';
      case 'dial':
        ag.send(ok);
        ag.calls = [clcc(1, Dir.MobileOriginated, St.Alerting, command.number)];
        ag.ciev('callsetup', 3);
        return 'silent';
      case 'chld':
        ag.send(ok);
        if (command.action === 2 && first && second) {
          ag.calls = [
            { ...first, status: first.status === St.Active ? St.Held : St.Active },
            { ...second, status: second.status === St.Active ? St.Held : St.Active },
          ];
          ag.ciev('callheld', 1);
          if (ag.profile.values.callsetup !== 0) ag.ciev('callsetup', 0);
        } else if (command.action === 1 && command.callIndex !== undefined) {
          ag.calls = ag.calls.filter((c) => c.index !== command.callIndex);
          ag.ciev('callheld', 0);
        } else if (command.action === 0) {
          ag.calls = ag.calls.filter((c) => c.status !== St.Waiting && c.status !== St.Held);
          ag.ciev('callsetup', 0);
        } else if (command.action === 1) {
          ag.calls = ag.calls.filter((c) => c.status !== St.Active).map((c) => ({ ...c, status: St.Active }));
          ag.ciev('callsetup', 0);
        } else if (command.action === 3) {
          ag.calls = ag.calls.map((c) => ({ ...c, status: St.Active, multiparty: true }));
          ag.ciev('callheld', 0);
        }
        return 'silent';
      default:
        return undefined;
    }
  };
}

function ring(ag: FakeAg, number: string, index = 1): void {
  const others = ag.calls.filter((c) => c.index !== index);
  const waiting = others.length > 0;
  ag.calls = [...others, clcc(index, Dir.MobileTerminated, waiting ? St.Waiting : St.Incoming, number)];
  if (waiting) ag.send({ kind: 'ccwa', number, type: 145 });
  ag.ciev('callsetup', 1);
  if (!waiting) ag.send({ kind: 'ring' }, { kind: 'clip', number, type: 145 });
}

test('an incoming call rings with its contact name, is answered, and ends as a received call with its duration', async () => {
  const { clock, ag, calls, sunk } = await setup();
  phone(ag);
  const ringing: string[] = [];
  calls.events.on('ringing', (call) => ringing.push(`${call.name}`));
  ring(ag, ADA);
  await clock.runUntilIdle();
  assert.deepEqual(
    calls.list.map((c) => [c.direction, c.state, c.number, c.name]),
    [['incoming', 'incoming', ADA, 'Ada Lovelace']],
  );
  assert.deepEqual(ringing, ['Ada Lovelace']);
  const started = calls.list[0]?.startedAt;
  await clock.runFor(5_000);
  await ok(clock, calls.answer());
  await clock.runUntilIdle();
  assert.equal(calls.list[0]?.state, 'active');
  await clock.runFor(60_000);
  await ok(clock, calls.hangUp());
  await clock.runUntilIdle();
  assert.deepEqual(calls.list, []);
  assert.equal(sunk.length, 1);
  const record = sunk[0];
  assert.ok(record);
  assert.equal(record.kind, 'received');
  assert.equal(record.name, 'Ada Lovelace');
  assert.equal(record.start, started);
  assert.ok(Math.abs(record.durationMs - 60_000) < 100, String(record.durationMs));
  assert.deepEqual(calls.history, [record]);
});

test('missed and declined calls', async () => {
  const { clock, ag, calls, sunk } = await setup();
  phone(ag);
  ring(ag, BOB);
  await clock.runUntilIdle();
  ag.calls = [];
  ag.ciev('callsetup', 0); // the caller gave up
  await clock.runUntilIdle();
  ring(ag, ADA);
  await clock.runUntilIdle();
  await ok(clock, calls.reject());
  await clock.runUntilIdle();
  assert.deepEqual(
    sunk.map((r) => [r.kind, r.number, r.declined, r.durationMs]),
    [
      ['missed', BOB, false, 0],
      ['missed', ADA, true, 0],
    ],
  );
  assert.ok(ag.lines.includes('AT+CHUP'));
});

test('dial a number with decoration, or a contact by name; unknown names are refused', async () => {
  const { clock, ag, calls, sunk } = await setup();
  phone(ag);
  assert.equal(await ok(clock, calls.dial('ada lovelace')), ADA);
  await clock.runUntilIdle();
  assert.deepEqual(calls.list.map((c) => [c.direction, c.state, c.name]), [['outgoing', 'alerting', 'Ada Lovelace']]);
  await ok(clock, calls.hangUp());
  await clock.runUntilIdle();
  assert.deepEqual(sunk.map((r) => [r.kind, r.durationMs]), [['dialled', 0]]);
  assert.equal(await ok(clock, calls.dial(' (020) 7946-0000 ')), '02079460000');
  assert.ok(ag.lines.includes('ATD02079460000;'));
  const unknown = await fails(clock, calls.dial('Nobody'));
  assert.ok(unknown instanceof UnknownContactError && unknown.code === 'sim-pc.unknown-contact');
  const empty = await fails(clock, calls.dial('  '));
  assert.ok(empty instanceof HfpArgumentError);
  assert.equal(dialString('*31#555'), '*31#555');
  assert.equal(dialString('+'), undefined);
  assert.equal(dialString('call me'), undefined);
});

test('a dialled call that connects is recorded with its connected time; redial and DTMF pass through', async () => {
  const { clock, ag, calls, sunk } = await setup();
  phone(ag);
  await ok(clock, calls.dial(BOB));
  await clock.runUntilIdle();
  await clock.runFor(3_000);
  ag.calls = [clcc(1, Dir.MobileOriginated, St.Active, BOB)];
  ag.ciev('call', 1);
  ag.ciev('callsetup', 0);
  await clock.runUntilIdle();
  await ok(clock, calls.sendDtmf('12#'));
  await clock.runFor(30_000);
  ag.calls = [];
  ag.ciev('call', 0); // the other side hung up
  await clock.runUntilIdle();
  assert.equal(sunk[0]?.kind, 'dialled');
  assert.ok(Math.abs((sunk[0]?.durationMs ?? 0) - 30_000) < 100);
  await ok(clock, calls.redial());
  assert.ok(ag.lines.includes('AT+BLDN'));
  assert.deepEqual(ag.lines.filter((l) => l.startsWith('AT+VTS')), ['AT+VTS=1', 'AT+VTS=2', 'AT+VTS=#']);
});

test('waiting call: answer holds the active one, swap, join, hang up one by id (AT+CHLD=1x)', async () => {
  const { clock, ag, calls } = await setup();
  phone(ag);
  ring(ag, ADA);
  await clock.runUntilIdle();
  await ok(clock, calls.answer());
  await clock.runUntilIdle();
  ring(ag, BOB, 2);
  await clock.runUntilIdle();
  const waiting = calls.list.find((c) => c.state === 'waiting');
  assert.equal(waiting?.name, 'Bob');
  await ok(clock, calls.answer(waiting?.id));
  await clock.runUntilIdle();
  assert.deepEqual(calls.list.map((c) => [c.number, c.state]), [[ADA, 'held'], [BOB, 'active']]);
  await ok(clock, calls.swap());
  await clock.runUntilIdle();
  assert.deepEqual(calls.list.map((c) => c.state), ['active', 'held']);
  await ok(clock, calls.join());
  await clock.runUntilIdle();
  assert.deepEqual(calls.list.map((c) => [c.state, c.multiparty]), [['active', true], ['active', true]]);
  const bob = calls.list.find((c) => c.number === BOB);
  await ok(clock, calls.hangUp(bob?.id));
  await clock.runUntilIdle();
  assert.ok(ag.lines.includes('AT+CHLD=12'));
  assert.deepEqual(calls.list.map((c) => c.number), [ADA]);
  assert.equal(calls.history.at(-1)?.kind, 'received');
});

test('waiting call: answer ending the active call (AT+CHLD=1), reject waiting (AT+CHLD=0), hold', async () => {
  const { clock, ag, calls, sunk } = await setup();
  phone(ag);
  ring(ag, ADA);
  await clock.runUntilIdle();
  await ok(clock, calls.answer());
  ring(ag, BOB, 2);
  await clock.runUntilIdle();
  await ok(clock, calls.reject());
  await clock.runUntilIdle();
  assert.ok(ag.lines.includes('AT+CHLD=0'));
  assert.deepEqual(sunk.map((r) => [r.kind, r.number, r.declined]), [['missed', BOB, true]]);
  ring(ag, BOB, 2);
  await clock.runUntilIdle();
  await ok(clock, calls.answer(undefined, { endActive: true }));
  await clock.runUntilIdle();
  assert.ok(ag.lines.includes('AT+CHLD=1'));
  assert.deepEqual(calls.list.map((c) => [c.number, c.state]), [[BOB, 'active']]);
  const from = ag.lines.length;
  await ok(clock, calls.hold());
  assert.deepEqual(ag.linesSince(from).filter((l) => l !== 'AT+CLCC'), ['AT+CHLD=2']);
});

test('hang up by id: a ringing call is rejected; a held call without AT+CHLD=1x is released with AT+CHLD=0', async () => {
  const profile = iphoneProfile();
  profile.chld = ['0', '1', '2', '3'];
  const s = await connected(profile);
  const sunk: CallRecord[] = [];
  const calls = new Calls({ clock: s.clock, onRecord: (rec) => sunk.push(rec) });
  calls.attach(s.hf);
  phone(s.ag);
  ring(s.ag, ADA);
  await s.clock.runUntilIdle();
  await ok(s.clock, calls.hangUp());
  await s.clock.runUntilIdle();
  assert.deepEqual(sunk.map((x) => [x.kind, x.declined]), [['missed', true]]);
  ring(s.ag, ADA);
  await s.clock.runUntilIdle();
  await ok(s.clock, calls.answer());
  ring(s.ag, BOB, 2);
  await s.clock.runUntilIdle();
  const waiting = calls.list.find((c) => c.state === 'waiting');
  await ok(s.clock, calls.hangUp(waiting?.id));
  await s.clock.runUntilIdle();
  assert.deepEqual(sunk.map((x) => [x.kind, x.number, x.declined]).slice(1), [['missed', BOB, true]]);
  ring(s.ag, BOB, 2);
  await s.clock.runUntilIdle();
  await ok(s.clock, calls.answer());
  await s.clock.runUntilIdle();
  const held = calls.list.find((c) => c.state === 'held');
  assert.equal(held?.number, ADA);
  const from = s.ag.lines.length;
  await ok(s.clock, calls.hangUp(held?.id));
  await s.clock.runUntilIdle();
  assert.deepEqual(s.ag.linesSince(from).filter((l) => l !== 'AT+CLCC'), ['AT+CHLD=0']);
  assert.deepEqual(calls.list.map((c) => [c.number, c.state]), [[BOB, 'active']]);
});

test('errors: no link, no such call', async () => {
  const detached = new Calls({ clock: (await connected()).clock });
  for (const attempt of [() => detached.answer(), () => detached.dial('123'), () => detached.hold(), () => detached.redial()]) {
    const err = await fails((await connected()).clock, attempt());
    assert.ok(err instanceof NotConnectedError, String(err));
  }
  const { clock, calls } = await setup();
  const none = await fails(clock, calls.answer());
  assert.ok(none instanceof CallNotFoundError && none.code === 'sim-pc.call-not-found');
  const wrong = await fails(clock, calls.hangUp(42));
  assert.ok(wrong instanceof CallNotFoundError);
  assert.equal(calls.connected, true);
});

test('the history is bounded and keeps the newest records', async () => {
  const { clock, ag, calls, sunk } = await setup({ maxHistory: 2 });
  for (const n of ['111', '222', '333']) {
    ring(ag, n);
    await clock.runUntilIdle();
    ag.calls = [];
    ag.ciev('callsetup', 0);
    await clock.runUntilIdle();
  }
  assert.equal(sunk.length, 3);
  assert.deepEqual(calls.history.map((r) => r.number), ['222', '333']);
});

test('out of range and back (HFP/HF/OOR/BV-01/02): the call survives with its id and start time; ended calls are recorded', async () => {
  const first = await setup();
  const { clock, calls, sunk } = first;
  phone(first.ag);
  const connections: boolean[] = [];
  calls.events.on('connection', (up) => connections.push(up));
  ring(first.ag, ADA);
  await clock.runUntilIdle();
  await ok(clock, calls.answer());
  await clock.runUntilIdle();
  ring(first.ag, BOB, 2);
  await clock.runUntilIdle();
  const before = calls.list.map((c) => ({ ...c }));
  assert.equal(before.length, 2);

  await clock.runFor(10_000);
  first.ag.channel.drop(0x08);
  await clock.runUntilIdle();
  const lostAt = clock.now();
  assert.equal(calls.connected, false);
  assert.equal(calls.list.length, 2, 'the last known calls stay listed');

  // Back in range 20 s later: the active call is still there, the waiting one gave up meanwhile.
  await clock.runFor(20_000);
  const profile = iphoneProfile();
  profile.values.call = 1;
  const second = rig(profile, { clock });
  second.ag.calls = [clcc(1, Dir.MobileTerminated, St.Active, ADA)];
  calls.attach(second.hf);
  await ok(clock, second.hf.start());
  await clock.runUntilIdle();
  assert.deepEqual(connections, [false, true]);
  assert.deepEqual(
    calls.list.map((c) => [c.id, c.state, c.number, c.startedAt, c.connectedAt]),
    [[before[0]?.id, 'active', ADA, before[0]?.startedAt, before[0]?.connectedAt]],
  );
  assert.deepEqual(sunk.map((r) => [r.kind, r.number]), [['missed', BOB]]);

  phone(second.ag);
  await clock.runFor(30_000);
  await ok(clock, calls.hangUp());
  await clock.runUntilIdle();
  const received = sunk.at(-1);
  assert.equal(received?.kind, 'received');
  // Connected from the answer to the hang-up, across the outage (10 s + 20 s + 30 s).
  assert.ok(Math.abs((received?.durationMs ?? 0) - 60_000) < 500, String(received?.durationMs));
  assert.ok(lostAt > 0);
});

test('a call that ended while out of range is recorded with the time the link was lost', async () => {
  const first = await setup();
  const { clock, calls, sunk } = first;
  phone(first.ag);
  ring(first.ag, ADA);
  await clock.runUntilIdle();
  await ok(clock, calls.answer());
  await clock.runUntilIdle();
  await clock.runFor(15_000);
  first.ag.channel.drop(0x08);
  await clock.runUntilIdle();
  await clock.runFor(120_000);
  const second = rig(iphoneProfile(), { clock });
  calls.attach(second.hf);
  await ok(clock, second.hf.start());
  await clock.runUntilIdle();
  assert.deepEqual(calls.list, []);
  assert.equal(sunk[0]?.kind, 'received');
  assert.ok(Math.abs((sunk[0]?.durationMs ?? 0) - 15_000) < 500, String(sunk[0]?.durationMs));
});

test('attaching to a HandsFree that is already ready lists its calls at once', async () => {
  const r = await connected();
  r.ag.calls = [clcc(1, Dir.MobileOriginated, St.Active, BOB)];
  r.ag.ciev('call', 1);
  await r.clock.runUntilIdle();
  const calls = new Calls({ clock: r.clock });
  const changes: number[] = [];
  calls.events.on('changed', (list) => changes.push(list.length));
  calls.attach(r.hf);
  assert.deepEqual(calls.list.map((c) => [c.direction, c.state, c.number, c.name]), [['outgoing', 'active', BOB, undefined]]);
  assert.deepEqual(changes, [1]);
  assert.equal(calls.connected, true);
  calls.detach();
  assert.equal(calls.connected, false);
});
