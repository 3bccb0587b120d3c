/**
 * The bound on unsent RFCOMM control frames of one direction of a memory
 * classic link (CLASSIC_MAX_CONTROL_FRAMES): a runaway sender gets
 * QueueFullError once the queue is full, nothing more is queued, and the
 * link drains what it holds and keeps carrying channels afterwards.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { QueueFullError } from '../../../../src/link/errors';
import { MAX_CONTROL_FRAMES } from '../../../../src/link/memory/classic';
import { RfcommDlc } from '../../../../src/link/memory/classic/rfcomm-dlc';
import { collect, connect, makeRig, openPair } from './rig';

test('a runaway control sender: one frame past MAX_CONTROL_FRAMES is QueueFullError; the link drains and still works', async () => {
  const rig = makeRig();
  const connection = await connect(rig);
  const [link] = rig.air.openLinks();
  assert.ok(link, 'one ACL link is up');
  // A channel nobody opened: its credit frames are ignored on arrival, as stray credits are.
  const stray = new RfcommDlc(link, 30, 'client', 100);
  const pipe = link.pipes.toHost;
  let queued = 0;
  let refused: unknown;
  for (let i = 0; i < MAX_CONTROL_FRAMES + 5; i++) {
    try {
      pipe.sendControl({ kind: 'credits', dlc: stray, credits: 1, wireBytes: 5 });
      queued++;
    } catch (err) {
      refused = err;
      break;
    }
  }
  assert.ok(refused instanceof QueueFullError, String(refused));
  assert.equal(refused.code, 'link.queue-full');
  // The first frame may already be on the air; the queue itself holds exactly the bound.
  assert.ok(queued === MAX_CONTROL_FRAMES || queued === MAX_CONTROL_FRAMES + 1, `queued ${queued}`);
  const before = rig.air.stats.toHost.creditFrames;
  await rig.clock.runFor(60_000);
  assert.equal(rig.air.stats.toHost.creditFrames - before, queued, 'every queued frame went out, no more');
  // The link is intact: a channel opens and carries data both ways.
  const { pcEnd, phoneEnd } = await openPair(rig, connection);
  const atPhone = collect(phoneEnd, rig.clock);
  pcEnd.write(Uint8Array.of(1, 2, 3));
  await rig.clock.runFor(1_000);
  assert.deepEqual([...atPhone.bytes()], [1, 2, 3]);
});
