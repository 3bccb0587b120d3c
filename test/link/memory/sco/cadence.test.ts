import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LinkError, QueueFullError } from '../../../../src/link/errors';
import { ScoOpenTapEvent, ScoPacketTapEvent } from '../../../../src/link/memory/sco';
import { ScoPacketStatus } from '../../../../src/link/sco';
import { PC, PHONE, listen, makeRig, packet } from './rig';

const code = (error: unknown): string | undefined => (error instanceof LinkError ? error.code : undefined);

test('one packet each way per 7.5 ms: N slots after opening, exactly N sent; each arrives latencyMs after its slot', () => {
  const { clock, sco } = makeRig();
  clock.advance(2.5); // a non-zero anchor
  const c = sco.open({ phoneAddress: PHONE, pcAddress: PC, airMode: 'transparent', latencyMs: 10, maxPendingPackets: 256 });
  assert.equal(c.anchor, 2.5);
  for (let i = 0; i < 200; i++) {
    c.phone.send(packet(60, i));
    c.pc.send(packet(60, 255 - i));
  }
  const atPc = listen(c.pc, clock);
  const atPhone = listen(c.phone, clock);
  const N = 150;
  clock.advance(N * 7.5);
  assert.equal(c.stats.toPc.sent, N);
  assert.equal(c.stats.toPhone.sent, N);
  // Slot k at 2.5 + 7.5k delivers at +10, so by 2.5 + 7.5N the last one still in flight is slot N (and N-1: 7.5 < 10).
  assert.equal(atPc.packets.length, N - 2);
  assert.equal(c.pc.pendingPackets, 200 - N);
  const expected = Array.from({ length: N - 2 }, (_, i) => ({ time: 2.5 + (i + 1) * 7.5 + 10, first: i, status: ScoPacketStatus.Ok, length: 60 }));
  assert.deepEqual(atPc.packets, expected);
  assert.deepEqual(
    atPhone.packets.map((p) => p.first),
    expected.map((_, i) => 255 - i),
  );
  assert.equal(c.stats.toPc.underruns, 0);
});

test('60 bytes per 7.5 ms is 8000 B/s each way (3 s: 400 packets, 24000 bytes)', () => {
  const { clock, sco } = makeRig();
  const c = sco.open({ phoneAddress: PHONE, pcAddress: PC, airMode: 'transparent', latencyMs: 5 });
  // A host that writes one packet 1 ms after each slot, like an audio callback.
  let writes = 0;
  const feed = (): void => {
    if (clock.now() >= 3000) return;
    c.phone.send(packet(60, writes));
    c.pc.send(packet(60, writes));
    writes++;
    clock.schedule(7.5, feed);
  };
  clock.schedule(1, () => {
    c.phone.send(packet(60, 0xee));
    c.pc.send(packet(60, 0xee));
    feed();
  });
  clock.advance(3000);
  assert.equal(c.stats.toPc.sent, 400);
  assert.equal(c.stats.toPc.airBytes, 24000);
  assert.equal(c.stats.toPhone.airBytes, 24000);
  assert.equal(c.stats.toPc.underruns, 0);
  void c.phone.close();
});

test('a packet waits for the first slot strictly after it was queued; empty slots send nothing and count as underruns', () => {
  const { clock, sco } = makeRig();
  const c = sco.open({ phoneAddress: PHONE, pcAddress: PC, airMode: 'transparent', latencyMs: 0 });
  const atPc = listen(c.pc, clock);
  clock.advance(7.5); // slot 1 ran with nothing queued
  assert.equal(c.stats.toPc.underruns, 1);
  c.phone.send(packet(60, 1)); // queued at slot 1's time, after it ran
  // Slot 3's timer is armed only when slot 2 runs, so this event at 22.5 runs before slot 3 does:
  // queued at the very instant of a slot, the packet still waits for the next one.
  clock.schedule(22.5 - clock.now(), () => c.phone.send(packet(60, 2)));
  clock.advance(7.5);
  assert.deepEqual(atPc.packets.map((p) => [p.time, p.first]), [[15, 1]]);
  clock.advance(7.5);
  assert.equal(atPc.packets.length, 1);
  clock.advance(7.4);
  c.phone.send(packet(60, 3)); // 0.1 ms before slot 4, behind packet 2
  clock.advance(0.1);
  clock.advance(7.5);
  assert.deepEqual(
    atPc.packets.map((p) => [p.time, p.first]),
    [
      [15, 1],
      [30, 2],
      [37.5, 3],
    ],
  );
  assert.equal(c.stats.toPc.sent, 3);
  assert.equal(c.stats.toPc.underruns, 2);
  // The PC sent nothing: every slot was an underrun and the phone heard nothing.
  assert.equal(c.stats.toPhone.underruns, 5);
  assert.equal(c.stats.toPhone.delivered, 0);
});

test('the slot timer runs only while open: after a close the clock goes idle', async () => {
  const { clock, sco } = makeRig();
  const c = sco.open({ phoneAddress: PHONE, pcAddress: PC, airMode: 'cvsd', latencyMs: 10 });
  clock.advance(100);
  assert.ok(clock.pendingEvents > 0);
  const closed = c.pc.close();
  await clock.runUntilIdle({ until: 1_000 });
  await closed;
  assert.equal(clock.pendingEvents, 0);
  assert.equal(sco.connections().length, 0);
  const slots = c.stats.toPc.underruns;
  clock.advance(1000);
  assert.equal(c.stats.toPc.underruns, slots);
});

test('cvsd mode: the host packet is 16-bit PCM, twice the 60-byte air packet', () => {
  const { clock, sco } = makeRig();
  const c = sco.open({ phoneAddress: PHONE, pcAddress: PC, airMode: 'cvsd', latencyMs: 3 });
  assert.equal(c.phone.packetBytes, 60);
  assert.equal(c.phone.hostPacketBytes, 120);
  assert.equal(c.phone.intervalMs, 7.5);
  assert.equal(c.pc.peerAddress, PHONE);
  assert.equal(c.phone.peerAddress, PC);
  const air: ScoPacketTapEvent[] = [];
  sco.events.on('packet', (e) => air.push(e));
  const atPc = listen(c.pc, clock);
  c.phone.send(new Uint8Array(120));
  clock.advance(7.5 + 3);
  assert.equal(air.length, 1);
  assert.equal(air[0]?.air.length, 60);
  assert.equal(air[0]?.direction, 'toPc');
  assert.equal(air[0]?.deliverAt, 10.5);
  assert.deepEqual(atPc.packets, [{ time: 10.5, first: atPc.packets[0]?.first ?? -1, status: 0, length: 120 }]);
});

test('send checks size, bounds the queue and refuses after close', async () => {
  const { clock, sco } = makeRig();
  const c = sco.open({ phoneAddress: PHONE, pcAddress: PC, airMode: 'transparent', latencyMs: 1, maxPendingPackets: 3 });
  assert.throws(() => c.phone.send(new Uint8Array(59)), (e: unknown) => code(e) === 'link.sco-bad-packet');
  for (let i = 0; i < 3; i++) c.phone.send(packet(60, i));
  assert.throws(() => c.phone.send(packet(60, 9)), (e: unknown) => e instanceof QueueFullError && e.code === 'link.queue-full');
  assert.equal(c.phone.pendingPackets, 3);
  clock.advance(7.5);
  assert.equal(c.phone.pendingPackets, 2);
  c.phone.send(packet(60, 3)); // room again
  void c.phone.close();
  assert.throws(() => c.phone.send(packet(60, 4)), (e: unknown) => code(e) === 'link.disconnected');
  await clock.runUntilIdle();
  assert.equal(c.stats.toPc.discarded, 3);
});

test('bad settings and addresses are refused with link.sco-bad-params', () => {
  const { sco } = makeRig();
  const base = { phoneAddress: PHONE, pcAddress: PC, airMode: 'transparent' as const, latencyMs: 5 };
  for (const bad of [
    { packetBytes: 0 },
    { packetBytes: 541 },
    { packetBytes: 60.5 },
    { intervalMs: 0 },
    { intervalMs: Number.NaN },
    { latencyMs: -1 },
    { latencyMs: Infinity },
    { lossRate: 1.5 },
    { maxPendingPackets: 0 },
    { phoneAddress: 'nope' },
  ]) {
    assert.throws(() => sco.open({ ...base, ...bad }), (e: unknown) => code(e) === 'link.sco-bad-params', JSON.stringify(bad));
  }
  assert.throws(
    () => sco.open({ ...base, airMode: 'alaw' as unknown as 'cvsd' }),
    (e: unknown) => code(e) === 'link.sco-bad-params',
  );
  assert.equal(sco.connections().length, 0);
});

test('a device holds at most three SCO channels', () => {
  const { sco } = makeRig();
  const opts = { phoneAddress: PHONE, pcAddress: PC, airMode: 'cvsd' as const, latencyMs: 5 };
  for (let i = 0; i < 3; i++) sco.open(opts);
  assert.throws(() => sco.open(opts), (e: unknown) => code(e) === 'link.sco-limit');
  assert.throws(() => sco.open({ ...opts, pcAddress: 'AA:BB:CC:DD:EE:02' }), (e: unknown) => code(e) === 'link.sco-limit');
  sco.dropLink();
  sco.open(opts);
});

test('the tap reports opens and every air packet; a throwing listener is reported and the link carries on', () => {
  const { clock, sco } = makeRig();
  const opens: ScoOpenTapEvent[] = [];
  const errors: unknown[] = [];
  sco.events.on('open', (e) => opens.push(e));
  sco.events.on('handlerError', (e) => errors.push(e.error));
  clock.advance(1);
  const c = sco.open({ phoneAddress: PHONE.toLowerCase(), pcAddress: PC, airMode: 'transparent', latencyMs: 4 });
  assert.deepEqual(opens, [
    { time: 1, handle: c.handle, phoneAddress: PHONE, pcAddress: PC, airMode: 'transparent', packetBytes: 60, intervalMs: 7.5, latencyMs: 4 },
  ]);
  c.pc.events.on('packet', () => {
    throw new Error('boom');
  });
  const atPc = listen(c.pc, clock);
  c.phone.send(packet(60, 1));
  c.phone.send(packet(60, 2));
  clock.advance(20);
  assert.equal(atPc.packets.length, 2);
  assert.equal(errors.length, 2);
  assert.equal(sco.stats.channelsOpened, 1);
});

test('nextSlotAfter gives the slot a packet queued at a time will take (strictly after; first slot one interval in)', () => {
  const { clock, sco } = makeRig();
  clock.advance(2.5);
  const c = sco.open({ phoneAddress: PHONE, pcAddress: PC, airMode: 'cvsd', latencyMs: 1 });
  assert.deepEqual(
    [0, 2.5, 3, 10, 10.1, 17.5, 100].map((t) => c.nextSlotAfter(t)),
    [10, 10, 10, 17.5, 17.5, 25, 107.5], // slots at 2.5 + 7.5k: ..., 100, 107.5
  );
  sco.dropLink();
});
