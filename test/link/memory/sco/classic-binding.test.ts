import { test } from 'node:test';
import assert from 'node:assert/strict';
import { COD_AUDIO_VIDEO_HANDS_FREE } from '../../../../src/link/classic';
import { MemoryClassicAir } from '../../../../src/link/memory/classic';
import { MemoryScoLink, dropScoWithAcl } from '../../../../src/link/memory/sco';
import { VirtualClock } from '../../../../src/link/virtual-clock';
import { PC, PHONE, listen } from './rig';

test('SCO rides on the ACL link: when the classic connection drops, its SCO channels close with the same reason', async () => {
  const clock = new VirtualClock();
  const air = new MemoryClassicAir(clock, { seed: 2 });
  air.createHost({ address: PHONE, name: 'iPhone', classOfDevice: 0x7a020c });
  const client = air.createClient({ address: PC, classOfDevice: COD_AUDIO_VIDEO_HANDS_FREE });
  const sco = new MemoryScoLink(clock, { seed: 2, latencyMs: 8 });
  const stop = dropScoWithAcl(sco, air);
  let connected = false;
  void client.connect(PHONE).then(() => (connected = true));
  await clock.runUntil(() => connected, 10_000);
  const call = sco.open({ phoneAddress: PHONE, pcAddress: PC, airMode: 'transparent' });
  const other = sco.open({ phoneAddress: PHONE, pcAddress: 'AA:BB:CC:DD:EE:09', airMode: 'transparent' });
  const atPc = listen(call.pc, clock);
  const atPhone = listen(call.phone, clock);
  await clock.runFor(100);
  const when = clock.now();
  assert.equal(air.faults.dropLink(0x08), 1);
  assert.deepEqual(atPc.closes, [{ time: when, reason: 0x08 }]);
  assert.deepEqual(atPhone.closes, [{ time: when, reason: 0x08 }]);
  // A channel with another PC does not ride on this ACL link.
  assert.equal(other.phone.open, true);
  stop();
  sco.dropLink();
  await clock.runUntilIdle();
});
