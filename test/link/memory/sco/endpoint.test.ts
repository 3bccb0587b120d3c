import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LinkError, QueueFullError } from '../../../../src/link/errors';
import { ScoChannel } from '../../../../src/link/sco';
import { VirtualClock } from '../../../../src/link/virtual-clock';
import { MemoryScoLink } from '../../../../src/link/memory/sco';
import { PC, PHONE, listen, makeRig, packet } from './rig';

const code = (error: unknown): string | undefined => (error instanceof LinkError ? error.code : undefined);

async function settle<T>(clock: VirtualClock, promise: Promise<T>): Promise<{ ok: boolean; value?: T; error?: unknown; time: number }> {
  let outcome: { ok: boolean; value?: T; error?: unknown; time: number } | undefined;
  promise.then(
    (value) => (outcome = { ok: true, value, time: clock.now() }),
    (error: unknown) => (outcome = { ok: false, error, time: clock.now() }),
  );
  await clock.runUntil(() => outcome !== undefined, 10_000);
  if (!outcome) throw new Error('did not settle');
  return outcome;
}

function endpoints(sco: MemoryScoLink) {
  return { phone: sco.endpoint(PHONE, 'phone'), pc: sco.endpoint(PC, 'pc') };
}

test('the phone sets up a channel: the PC accepts one latency later, the phone has it after two, then slots run', async () => {
  const { clock, sco } = makeRig({ latencyMs: 6 });
  const { phone, pc } = endpoints(sco);
  const offered: { time: number; peer: string; open: boolean; airMode: string }[] = [];
  let pcEnd: ScoChannel | undefined;
  pc.listen((channel, peer) => {
    offered.push({ time: clock.now(), peer, open: channel.open, airMode: channel.airMode });
    pcEnd = channel;
    channel.send(packet(60, 0x42)); // may talk at once; it goes at the first slot
    return true;
  });
  clock.advance(1);
  const result = await settle(clock, phone.connect(PC, { airMode: 'transparent' }));
  assert.ok(result.ok);
  assert.equal(result.time, 13);
  assert.deepEqual(offered, [{ time: 7, peer: PHONE, open: true, airMode: 'transparent' }]);
  const phoneEnd = result.value;
  assert.ok(phoneEnd && pcEnd);
  assert.equal(phoneEnd.handle, pcEnd.handle);
  assert.equal(phoneEnd.peerAddress, PC);
  const heard = listen(phoneEnd, clock);
  await clock.runFor(7.5 + 6);
  assert.deepEqual(heard.packets, [{ time: 13 + 7.5 + 6, first: 0x42, status: 0, length: 60 }]);
  assert.equal(sco.stats.channelsOpened, 1);
  sco.dropLink();
  await clock.runUntilIdle();
});

test('setups are refused without a listener, by the acceptor, by a throwing acceptor, and between two PCs', async () => {
  const { clock, sco } = makeRig({ latencyMs: 5 });
  const { phone, pc } = endpoints(sco);
  const errors: unknown[] = [];
  sco.events.on('handlerError', (e) => errors.push(e.error));
  const refused = async (from: typeof phone, to: string): Promise<number> => {
    const r = await settle(clock, from.connect(to, { airMode: 'cvsd' }));
    assert.equal(r.ok, false);
    assert.equal(code(r.error), 'link.sco-refused');
    return r.time;
  };
  const start = clock.now();
  assert.equal(await refused(phone, PC), start + 10);
  let seen: ScoChannel | undefined;
  pc.listen((channel) => {
    seen = channel;
    return false;
  });
  await refused(phone, PC);
  assert.equal(seen?.open, false);
  pc.listen(() => {
    throw new Error('acceptor failed');
  });
  await refused(phone, PC);
  assert.equal(errors.length, 1);
  const otherPc = sco.endpoint('AA:BB:CC:DD:EE:02', 'pc');
  otherPc.listen(() => true);
  await refused(pc, 'AA:BB:CC:DD:EE:02');
  await refused(phone, '11:22:33:44:55:99'); // nobody there
  pc.unlisten();
  await refused(phone, PC);
  assert.equal(sco.stats.refused, 6);
  assert.equal(sco.stats.channelsOpened, 0);
  assert.deepEqual(sco.connections(), []);
  await clock.runUntilIdle();
});

test('the PC may set up the channel too; if the acceptor closes at once, connect rejects (0x13) and nothing leaks', async () => {
  const { clock, sco } = makeRig({ latencyMs: 5 });
  const { phone, pc } = endpoints(sco);
  const phoneCloses: number[] = [];
  phone.listen((channel) => {
    channel.events.on('close', (reason) => phoneCloses.push(reason));
    void channel.close();
    return true;
  });
  const r = await settle(clock, pc.connect(PHONE, { airMode: 'cvsd' }));
  assert.equal(r.ok, false);
  assert.equal(code(r.error), 'link.disconnected');
  assert.equal((r.error as { reason?: number }).reason, 0x13);
  assert.deepEqual(phoneCloses, [0x16]);
  assert.deepEqual(sco.connections(), []);
  await clock.runUntilIdle();
  // The phone's acceptor still works for the next request.
  phone.listen(() => true);
  const again = await settle(clock, pc.connect(PHONE, { airMode: 'cvsd' }));
  assert.ok(again.ok);
  sco.dropLink();
});

test('endpoint roles are fixed, limits hold, and setups under way are bounded', async () => {
  const { clock, sco } = makeRig({ latencyMs: 5 });
  const { phone, pc } = endpoints(sco);
  assert.equal(sco.endpoint(PHONE.toLowerCase(), 'phone'), phone);
  assert.throws(() => sco.endpoint(PHONE, 'pc'), (e: unknown) => code(e) === 'link.sco-bad-params');
  pc.listen(() => true);
  for (let i = 0; i < 3; i++) assert.ok((await settle(clock, phone.connect(PC, { airMode: 'cvsd' }))).ok);
  const fourth = await settle(clock, phone.connect(PC, { airMode: 'cvsd' }));
  assert.equal(code(fourth.error), 'link.sco-refused');
  sco.dropLink();
  const pending = [1, 2, 3, 4].map(() => phone.connect(PC, { airMode: 'transparent' }));
  await assert.rejects(phone.connect(PC, { airMode: 'transparent' }), (e: unknown) => e instanceof QueueFullError);
  await assert.rejects(phone.connect(PC, { airMode: 'transparent', packetBytes: 0 }), (e: unknown) => code(e) === 'link.sco-bad-params');
  const outcomes = await Promise.all(pending.map((p) => settle(clock, p)));
  assert.deepEqual(
    outcomes.map((o) => o.ok),
    [true, true, true, false],
  );
  sco.dropLink();
  await clock.runUntilIdle();
});
