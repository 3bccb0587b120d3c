/**
 * The phone's MNS client against the PC's notification server over the
 * in-memory classic link: it finds the MNS by SDP (never assuming the
 * channel), retries a missing record, a refused channel or a refused
 * Connect with doubling delays and then gives up (and registering again
 * starts afresh), reconnects after losing the connection, sends one report
 * at a time, moves on past a refused report, bounds its queue, and
 * disconnects when registration goes off or the MAS session ends.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { SimulatedPhoneOptions } from '../../../src/sim-phone';
import { MnsUnreachableError } from '../../../src/sim-phone/map';
import { connectPc, eventsOf, makeRig, Mce, type MnsMode } from './map-rig';

async function registeredPc(mode: MnsMode, mapOptions?: SimulatedPhoneOptions['mapOptions']) {
  const rig = makeRig({ profile: 'android', ...(mapOptions !== undefined ? { mapOptions } : {}) });
  const map = rig.phone.map;
  assert.ok(map);
  const retries: Array<[number, number]> = [];
  const gaveUp: MnsUnreachableError[] = [];
  map.events.on('mnsRetrying', (_pc, attempt, delay) => retries.push([attempt, delay]));
  map.events.on('mnsGaveUp', (_pc, error) => gaveUp.push(error));
  const pc = await connectPc(rig, { mns: mode });
  const mce = await Mce.connect(rig, pc);
  await mce.register(true);
  return { rig, map, pc, mce, retries, gaveUp };
}

for (const mode of ['none', 'refuse-channel', 'forbid-connect'] as const) {
  test(`MNS ${mode}: the phone retries with doubling delays, then gives up and says so`, async () => {
    const { rig, map, pc, mce, retries, gaveUp } = await registeredPc(mode);
    const started = rig.clock.now();
    await rig.advance(60_000);
    assert.deepEqual(retries, [
      [1, 1000],
      [2, 2000],
      [3, 4000],
    ]);
    assert.equal(gaveUp.length, 1);
    assert.ok(gaveUp[0] instanceof MnsUnreachableError);
    assert.equal(gaveUp[0]?.code, 'sim-phone.mns-unreachable');
    assert.equal(gaveUp[0]?.attempts, 4);
    assert.equal(map.mnsState(pc.address), 'failed');
    assert.equal(map.stats.mnsGiveUps, 1);
    assert.equal(pc.mnsChannelsOffered, mode === 'none' ? 0 : 4, 'the channel comes from SDP only');
    assert.ok(rig.clock.now() - started >= 7_000);
    // Nothing keeps the clock busy once the phone gave up.
    rig.phone.backchannel.receiveMessage({ from: '+15550002', text: 'lost' });
    await rig.clock.runUntilIdle();

    // Registering again tries afresh and, with the PC's MNS now up, connects.
    pc.setMnsMode('accept');
    await mce.register(true);
    await rig.advance(2_000);
    assert.equal(map.mnsState(pc.address), 'ready');
    rig.phone.backchannel.receiveMessage({ from: '+15550002', text: 'found' });
    await rig.advance(1_000);
    assert.equal(eventsOf(pc).length, 1);
  });
}

test('an MNS record that appears while the phone retries is found on the next attempt; queued events follow in order', async () => {
  const { rig, map, pc, retries } = await registeredPc('none');
  const ids = [1, 2, 3].map((i) => rig.phone.backchannel.receiveMessage({ from: '+15550002', text: `m${i}` }));
  await rig.advance(500);
  pc.setMnsMode('accept');
  await rig.advance(5_000);
  assert.deepEqual(retries, [[1, 1000]]);
  assert.equal(map.mnsState(pc.address), 'ready');
  assert.equal(eventsOf(pc).length, 3);
  assert.equal(ids.length, 3);
  // One report per PUT, each answered before the next.
  assert.deepEqual(pc.reports.map((r) => r.report.events.length), [1, 1, 1]);
  const times = pc.reports.map((r) => r.at);
  assert.ok(times[0] !== undefined && times[1] !== undefined && times[0] < times[1]);
});

test('a lost MNS connection is re-established; a refused report is skipped', async () => {
  const { rig, map, pc } = await registeredPc('accept');
  await rig.advance(1_000);
  assert.equal(pc.mnsConnects, 1);
  pc.setMnsMode('refuse-events');
  rig.phone.backchannel.receiveMessage({ from: '+15550002', text: 'refused' });
  await rig.advance(1_000);
  assert.equal(map.stats.eventsFailed, 1);
  pc.setMnsMode('accept');
  rig.phone.backchannel.receiveMessage({ from: '+15550002', text: 'accepted' });
  await rig.advance(1_000);
  assert.equal(map.stats.eventsSent, 1);

  // The PC drops the MNS channel: the phone reconnects after its backoff.
  const offered = pc.mnsChannelsOffered;
  assert.equal(pc.mnsOpen(), 1);
  await rig.settle(pc.closeMns());
  await rig.advance(3_000);
  assert.equal(pc.mnsChannelsOffered, offered + 1);
  assert.equal(pc.mnsConnects, 2);
  rig.phone.backchannel.receiveMessage({ from: '+15550002', text: 'after the drop' });
  await rig.advance(1_000);
  assert.equal(eventsOf(pc).at(-1)?.type, 'NewMessage');
  assert.equal(map.stats.eventsSent, 2);
});

test('the event queue is bounded: past the limit events are dropped with MnsQueueFullError', async () => {
  const { rig, map } = await registeredPc('none', { mns: { queueLimit: 2 } });
  const dropped: string[] = [];
  map.events.on('eventDropped', (_pc, _event, error) => dropped.push(error.code));
  for (let i = 0; i < 5; i++) rig.phone.backchannel.receiveMessage({ from: '+15550002', text: `m${i}` });
  assert.deepEqual(dropped, ['sim-phone.mns-queue-full', 'sim-phone.mns-queue-full', 'sim-phone.mns-queue-full']);
  assert.equal(map.stats.eventsDropped, 3);
});

test('NotificationStatus 0 disconnects the MNS; so does the end of the MAS session', async () => {
  const { rig, map, pc, mce } = await registeredPc('accept');
  await rig.advance(1_000);
  assert.equal(pc.mnsOpen(), 1);
  await mce.register(false);
  await rig.advance(1_000);
  assert.equal(pc.mnsDisconnects, 1, 'OBEX Disconnect first');
  assert.equal(pc.mnsOpen(), 0);
  assert.equal(map.mnsState(pc.address), undefined);
  rig.phone.backchannel.receiveMessage({ from: '+15550002', text: 'unheard' });
  await rig.advance(1_000);
  assert.equal(pc.reports.length, 0);

  await mce.register(true);
  await rig.advance(1_000);
  assert.equal(pc.mnsOpen(), 1);
  await mce.close();
  await rig.advance(1_000);
  assert.equal(pc.mnsOpen(), 0);
  assert.equal(map.mnsState(pc.address), undefined);
});

