import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ScoPacketStatus } from '../../../../src/link/sco';
import { PC, PHONE, makeRig, packet } from './rig';

/** Runs `count` packets phone -> PC at `lossRate` and returns the status of each delivery (and the link's counters). */
function run(seed: number, lossRate: number, count: number, airMode: 'transparent' | 'cvsd' = 'transparent') {
  const { clock, sco } = makeRig({ seed });
  const c = sco.open({ phoneAddress: PHONE, pcAddress: PC, airMode, latencyMs: 10, lossRate, maxPendingPackets: 256 });
  const size = c.phone.hostPacketBytes;
  const heard: { status: number; zero: boolean }[] = [];
  c.pc.events.on('packet', (data, status) => heard.push({ status, zero: data.every((b) => b === 0) }));
  let sent = 0;
  const topUp = (): void => {
    for (; sent < count && c.phone.pendingPackets < 200; sent++) c.phone.send(packet(size, 0x55));
  };
  topUp();
  while (c.stats.toPc.sent < count) {
    clock.advance(7.5 * 100);
    topUp();
  }
  clock.advance(20);
  void c.phone.close();
  return { heard, stats: c.stats.toPc, link: sco.stats.toPc };
}

test('lossRate 5 %: about 5 % of packets arrive as zeros marked NoData, the rest intact; counters agree', () => {
  const { heard, stats, link } = run(11, 0.05, 2000);
  assert.equal(heard.length, 2000);
  const lost = heard.filter((h) => h.status === ScoPacketStatus.NoData);
  assert.ok(lost.every((h) => h.zero));
  assert.ok(heard.filter((h) => h.status === ScoPacketStatus.Ok).every((h) => !h.zero));
  assert.equal(stats.lost, lost.length);
  assert.equal(stats.delivered, 2000);
  assert.deepEqual(link, stats);
  // Binomial(2000, 0.05): mean 100, sd 9.7.
  assert.ok(lost.length > 70 && lost.length < 130, `${lost.length} lost`);
});

test('loss is reproducible from the seed and differs between seeds', () => {
  const pattern = (seed: number): string => run(seed, 0.1, 300).heard.map((h) => (h.status === 0 ? '.' : 'x')).join('');
  assert.equal(pattern(5), pattern(5));
  assert.notEqual(pattern(5), pattern(6));
  assert.equal(run(5, 0, 300).stats.lost, 0);
  assert.equal(run(5, 1, 50).stats.lost, 50);
});

test('cvsd mode: a lost packet reaches the host as 120 zero bytes marked NoData', () => {
  const { heard, stats } = run(3, 0.2, 200, 'cvsd');
  assert.equal(heard.length, 200);
  const lost = heard.filter((h) => h.status === ScoPacketStatus.NoData);
  assert.equal(lost.length, stats.lost);
  assert.ok(lost.length > 0 && lost.every((h) => h.zero));
});
