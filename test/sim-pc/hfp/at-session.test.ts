/**
 * AtSession alone: one command in flight, information results collected
 * for the command that asked for them and everything else passed on as
 * unsolicited, a per-command time limit, a bounded queue, urgent commands,
 * unencodable commands, a channel that refuses writes, and close().
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DisconnectedError, QueueFullError } from '../../../src/link/errors';
import { VirtualClock } from '../../../src/link/virtual-clock';
import type { ProtocolError } from '../../../src/protocol/errors';
import { HfpError } from '../../../src/protocol/hfp/errors';
import type { AgResult } from '../../../src/protocol/hfp/results';
import { TimeoutError } from '../../../src/sim-pc/errors';
import { AtSession, MAX_RESPONSES_PER_COMMAND, expectedResults } from '../../../src/sim-pc/hfp/at-session';
import { HfpQueueFullError } from '../../../src/sim-pc/hfp/errors';
import { FakeAg, channelPair, iphoneProfile } from './fake-ag';
import { fails, ok } from './hf-rig';

function setup(maxQueued = 4) {
  const clock = new VirtualClock();
  const pair = channelPair(clock);
  const ag = new FakeAg(pair.ag, iphoneProfile());
  const unsolicited: AgResult[] = [];
  const errors: ProtocolError[] = [];
  const timeouts: string[] = [];
  const session = new AtSession({
    channel: pair.hf,
    clock,
    timeoutMs: 1_000,
    maxQueued,
    onUnsolicited: (r) => unsolicited.push(r),
    onProtocolError: (e) => errors.push(e),
    onTimeout: (c) => timeouts.push(c),
  });
  return { clock, pair, ag, session, unsolicited, errors, timeouts };
}

test('information results go to the command that asked; others are unsolicited', async () => {
  const { clock, ag, session, unsolicited } = setup();
  ag.handler = (command, a) => {
    if (command.kind !== 'cindRead') return undefined;
    a.send({ kind: 'ciev', index: 2, value: 1 }, { kind: 'cindRead', values: [1, 0] }, { kind: 'ring' }, { kind: 'ok' });
    return 'silent';
  };
  const results = await ok(clock, session.send({ kind: 'cindRead' }));
  assert.deepEqual(results, [{ kind: 'cindRead', values: [1, 0] }]);
  assert.deepEqual(unsolicited.map((r) => r.kind), ['ciev', 'ring']);
  assert.deepEqual([...expectedResults({ kind: 'clcc' })], ['clcc']);
  assert.equal(expectedResults({ kind: 'answer' }).size, 0);
  assert.equal(session.stats.commands, 1);
  assert.equal(session.stats.unsolicited, 2);
});

test('one command in flight; urgent ones jump the queue; the queue is bounded', async () => {
  const { clock, ag, session } = setup(2);
  ag.handler = () => 'silent';
  const a = session.send({ kind: 'vts', tone: '1' });
  const b = session.send({ kind: 'vts', tone: '2' });
  const c = session.send({ kind: 'bcs', codec: 2 }, { urgent: true });
  const full = await fails(clock, session.send({ kind: 'vts', tone: '3' }));
  assert.ok(full instanceof HfpQueueFullError && full.limit === 2);
  await clock.runFor(10);
  assert.equal(session.inFlight, 'AT+VTS=1');
  assert.equal(session.queued, 2);
  assert.equal(session.isQueued('bcs'), true);
  ag.handler = undefined;
  ag.send({ kind: 'ok' });
  await ok(clock, a);
  await ok(clock, c);
  await ok(clock, b);
  assert.deepEqual(ag.lines, ['AT+VTS=1', 'AT+BCS=2', 'AT+VTS=2']);
});

test('a command times out, the next one is sent, and the responses cap holds', async () => {
  const { clock, ag, session, timeouts, errors } = setup();
  ag.handler = (command, a) => {
    if (command.kind === 'answer') return 'silent';
    if (command.kind === 'clcc') {
      for (let i = 0; i < MAX_RESPONSES_PER_COMMAND + 10; i++) {
        a.send({ kind: 'clcc', index: 1, direction: 0, status: 0, mode: 0, multiparty: false });
      }
      a.send({ kind: 'ok' });
      return 'silent';
    }
    return undefined;
  };
  const answer = session.send({ kind: 'answer' });
  const list = session.send({ kind: 'clcc' });
  const err = await fails(clock, answer);
  assert.ok(err instanceof TimeoutError && err.timeoutMs === 1_000);
  assert.deepEqual(timeouts, ['ATA']);
  assert.equal((await ok(clock, list)).length, MAX_RESPONSES_PER_COMMAND);
  // The ten lines past the cap are one typed fault, not ten and not none.
  assert.deepEqual(
    errors.map((e) => e.code),
    ['hfp.too-many-responses'],
  );
});

test('a late answer to a timed-out command is dropped, not read as the next command\'s answer', async () => {
  const { clock, ag, session, timeouts } = setup();
  ag.handler = (command) => (command.kind === 'chld' ? 'silent' : undefined);
  const hold = session.send({ kind: 'chld', action: 2 });
  const list = session.send({ kind: 'clcc' });
  const err = await fails(clock, hold);
  assert.ok(err instanceof TimeoutError);
  assert.deepEqual(timeouts, ['AT+CHLD=2']);
  // Resynchronising: AT+CLCC waits until the late answer arrives.
  assert.equal(session.resynchronising, true);
  assert.equal(session.inFlight, undefined);
  assert.deepEqual(ag.lines, ['AT+CHLD=2']);
  ag.send({ kind: 'cmeError', code: 3 });
  await clock.runFor(100);
  assert.equal(session.resynchronising, false);
  assert.equal(session.stats.lateFinals, 1);
  // The +CME ERROR was not taken as AT+CLCC's answer: AT+CLCC went out and the AG's OK answers it.
  assert.deepEqual(await ok(clock, list), []);
  assert.deepEqual(ag.lines, ['AT+CHLD=2', 'AT+CLCC']);
});

test('when the late answer never comes, the queue moves on after a second time limit', async () => {
  const { clock, ag, session } = setup();
  ag.handler = (command) => (command.kind === 'answer' ? 'silent' : undefined);
  const answer = session.send({ kind: 'answer' });
  const tone = session.send({ kind: 'vts', tone: '5' });
  await fails(clock, answer);
  await clock.runFor(900);
  assert.deepEqual(ag.lines, ['ATA']);
  await ok(clock, tone);
  assert.deepEqual(ag.lines, ['ATA', 'AT+VTS=5']);
  assert.equal(session.stats.lateFinals, 0);
});

test('close() during resynchronisation fails what is queued and leaves no timer', async () => {
  const { clock, ag, session } = setup();
  ag.handler = () => 'silent';
  const first = session.send({ kind: 'answer' });
  const second = session.send({ kind: 'vts', tone: '1' });
  await fails(clock, first);
  assert.equal(session.resynchronising, true);
  session.close();
  assert.ok((await fails(clock, second)) instanceof DisconnectedError);
  assert.equal(session.resynchronising, false);
  assert.equal(clock.pendingEvents, 0);
});

test('an unencodable command is refused before it is queued', async () => {
  const { clock, session, ag } = setup();
  const err = await fails(clock, session.send({ kind: 'dial', number: '12;ATH' }));
  assert.ok(err instanceof HfpError && err.code === 'hfp.unencodable');
  assert.deepEqual(ag.lines, []);
});

test('a channel that refuses a write fails that command only', async () => {
  const { clock, pair, session, ag } = setup();
  let refuse = true;
  const write = pair.hf.write.bind(pair.hf);
  pair.hf.write = (data: Uint8Array) => {
    if (refuse) {
      refuse = false;
      throw new QueueFullError('channel', 4);
    }
    write(data);
  };
  const first = session.send({ kind: 'vts', tone: '1' });
  const second = session.send({ kind: 'vts', tone: '2' });
  const err = await fails(clock, first);
  assert.ok(err instanceof QueueFullError);
  await ok(clock, second);
  assert.deepEqual(ag.lines, ['AT+VTS=2']);
});

test('close() fails what waits, stops listening, and later sends fail', async () => {
  const { clock, ag, session, unsolicited } = setup();
  ag.handler = () => 'silent';
  const waiting = [session.send({ kind: 'vts', tone: '1' }), session.send({ kind: 'vts', tone: '2' })].map((p) =>
    p.then(
      () => undefined,
      (err: unknown) => err,
    ),
  );
  await clock.runFor(10);
  session.close();
  session.close();
  assert.equal(session.closed, true);
  for (const err of await Promise.all(waiting)) assert.ok(err instanceof DisconnectedError);
  ag.send({ kind: 'ring' });
  await clock.runUntilIdle();
  assert.deepEqual(unsolicited, []);
  assert.ok((await fails(clock, session.send({ kind: 'clcc' }))) instanceof DisconnectedError);
  assert.equal(clock.pendingEvents, 0);
});
