import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LinkError } from '../../../../src/link/errors';
import { ScoCloseTapEvent } from '../../../../src/link/memory/sco';
import { PC, PHONE, listen, makeRig, packet } from './rig';

const code = (error: unknown): string | undefined => (error instanceof LinkError ? error.code : undefined);

test('close() from the PC: 0x16 there at once, 0x13 at the phone one latency later; packets in flight still arrive', async () => {
  const { clock, sco } = makeRig();
  const c = sco.open({ phoneAddress: PHONE, pcAddress: PC, airMode: 'transparent', latencyMs: 10 });
  const taps: ScoCloseTapEvent[] = [];
  sco.events.on('close', (e) => taps.push(e));
  const atPhone = listen(c.phone, clock);
  const atPc = listen(c.pc, clock);
  for (let i = 0; i < 4; i++) c.pc.send(packet(60, i));
  c.phone.send(packet(60, 7));
  clock.advance(16); // slots at 7.5 and 15 sent PC packets 0 and 1 (arriving at 17.5 and 25)
  let resolvedAt = -1;
  void c.pc.close().then(() => (resolvedAt = clock.now()));
  assert.deepEqual(atPc.closes, [{ time: 16, reason: 0x16 }]);
  assert.equal(c.pc.open, false);
  assert.equal(c.phone.open, true);
  assert.throws(() => c.pc.send(packet(60, 9)), (e: unknown) => code(e) === 'link.disconnected');
  // The phone may still queue until it hears; nothing moves any more.
  c.phone.send(packet(60, 8));
  await clock.runUntilIdle();
  assert.deepEqual(atPhone.packets.map((p) => [p.time, p.first]), [
    [17.5, 0],
    [25, 1],
  ]);
  assert.deepEqual(atPhone.closes, [{ time: 26, reason: 0x13 }]);
  assert.equal(resolvedAt, 26);
  // The phone's packet 7 went at 7.5 and reached the PC at 17.5, after it had closed; packet 8 never
  // left (no slots after the close): both discarded. Slot 15 found the phone's queue empty.
  assert.equal(atPc.packets.length, 0);
  assert.deepEqual(c.stats.toPc, { sent: 1, lost: 0, delivered: 0, airBytes: 60, underruns: 1, discarded: 2 });
  assert.equal(c.stats.toPhone.discarded, 2); // packets 2 and 3 never left
  assert.deepEqual(taps, [{ time: 26, handle: c.handle, phoneReason: 0x13, pcReason: 0x16 }]);
  assert.equal(clock.pendingEvents, 0);
  assert.equal(sco.stats.channelsClosed, 1);
});

test('close() from the phone mirrors it; closing a closed end again resolves at once', async () => {
  const { clock, sco } = makeRig();
  const c = sco.open({ phoneAddress: PHONE, pcAddress: PC, airMode: 'cvsd', latencyMs: 4 });
  const atPc = listen(c.pc, clock);
  const atPhone = listen(c.phone, clock);
  clock.advance(30);
  const first = c.phone.close();
  const second = c.phone.close();
  await clock.runUntilIdle();
  await Promise.all([first, second]);
  assert.deepEqual(atPhone.closes, [{ time: 30, reason: 0x16 }]);
  assert.deepEqual(atPc.closes, [{ time: 34, reason: 0x13 }]);
  await c.pc.close();
  assert.equal(atPc.closes.length, 1);
});

test('both ends closing before either hears the other: each sees its own 0x16', async () => {
  const { clock, sco } = makeRig();
  const c = sco.open({ phoneAddress: PHONE, pcAddress: PC, airMode: 'transparent', latencyMs: 10 });
  const atPc = listen(c.pc, clock);
  const atPhone = listen(c.phone, clock);
  clock.advance(20);
  void c.phone.close();
  clock.advance(3);
  void c.pc.close();
  await clock.runUntilIdle();
  assert.deepEqual(atPhone.closes, [{ time: 20, reason: 0x16 }]);
  assert.deepEqual(atPc.closes, [{ time: 23, reason: 0x16 }]);
  assert.equal(sco.connections().length, 0);
});

test('a link drop closes both ends at once with its reason and discards what was in flight', async () => {
  const { clock, sco } = makeRig();
  const c = sco.open({ phoneAddress: PHONE, pcAddress: PC, airMode: 'transparent', latencyMs: 20 });
  const atPc = listen(c.pc, clock);
  const atPhone = listen(c.phone, clock);
  for (let i = 0; i < 5; i++) c.phone.send(packet(60, i));
  clock.advance(25); // 3 sent (at 7.5, 15 and 22.5), none arrived yet (27.5 onwards)
  assert.equal(sco.dropLink(), 1);
  assert.deepEqual(atPc.closes, [{ time: 25, reason: 0x08 }]);
  assert.deepEqual(atPhone.closes, [{ time: 25, reason: 0x08 }]);
  await clock.runUntilIdle();
  assert.equal(atPc.packets.length, 0);
  assert.equal(c.stats.toPc.sent, 3);
  // 3 in flight + 2 still queued.
  assert.equal(c.stats.toPc.discarded, 5);
  assert.equal(clock.pendingEvents, 0);
  assert.throws(() => c.phone.send(packet(60, 0)), (e: unknown) => code(e) === 'link.disconnected');
});

test('drops hit only their target, by handle or by device address, now or at a planned time', async () => {
  const { clock, sco } = makeRig();
  const a = sco.open({ phoneAddress: PHONE, pcAddress: PC, airMode: 'cvsd', latencyMs: 5 });
  const b = sco.open({ phoneAddress: PHONE, pcAddress: 'AA:BB:CC:DD:EE:02', airMode: 'cvsd', latencyMs: 5 });
  const c = sco.open({ phoneAddress: '11:22:33:44:55:77', pcAddress: 'AA:BB:CC:DD:EE:03', airMode: 'cvsd', latencyMs: 5 });
  assert.equal(sco.dropLink(0x13, { handle: b.handle }), 1);
  assert.equal(b.pc.closeReason, 0x13);
  assert.equal(a.pc.open, true);
  const planned = sco.dropLinkAt(50, 0x08, { address: PHONE.toLowerCase() });
  const withdrawn = sco.dropLinkAt(40, 0x08, { address: '11:22:33:44:55:77' });
  withdrawn.cancel();
  assert.equal(withdrawn.pending, false);
  clock.advance(49);
  assert.equal(a.phone.open, true);
  clock.advance(1);
  assert.equal(planned.pending, false);
  assert.equal(a.phone.closeReason, 0x08);
  assert.equal(c.phone.open, true);
  assert.deepEqual(
    sco.connections().map((x) => x.handle),
    [c.handle],
  );
  sco.dropLink();
  await clock.runUntilIdle();
});
