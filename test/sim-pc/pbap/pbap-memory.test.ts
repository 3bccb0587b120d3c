/**
 * The PBAP client and the Contacts service over the in-memory classic link
 * (src/link/memory/classic), against a PSE written in the tests: the
 * Class of Device rule, a full sync with a link drop in the middle, and
 * caller lookup afterwards.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { COD_AUDIO_VIDEO_HANDS_FREE, isHandsFreeClass, type ByteChannel, type ClassicPeer } from '../../../src/link/classic';
import { VirtualClock } from '../../../src/link/virtual-clock';
import { MemoryClassicAir } from '../../../src/link/memory/classic';
import { PbapClient } from '../../../src/sim-pc/pbap/pbap-client';
import { ChannelRefusedError } from '../../../src/sim-pc/pbap/errors';
import { Contacts } from '../../../src/sim-pc/services/contacts';
import { FakePhone, manyCards } from './fake-pse';

const PHONE = '11:22:33:44:55:66';
const PB = 'telecom/pb.vcf';

function rig(pcClass: number, cards: string[]) {
  const clock = new VirtualClock();
  const air = new MemoryClassicAir(clock, { seed: 3 });
  const host = air.createHost({ address: PHONE, name: 'iPhone', classOfDevice: 0x7a020c });
  const pse = new FakePhone(clock, { books: { [PB]: { cards } }, features: 0x3 });
  host.addServiceRecord(pse.record());
  host.listen(pse.record().channel, (peer: ClassicPeer, channel: ByteChannel) => {
    // iOS serves PBAP only to an Audio/Video Hands-free PC.
    if (!isHandsFreeClass(peer.classOfDevice)) return false;
    pse.attachServer(channel);
    return true;
  });
  const pc = air.createClient({ address: 'AA:BB:CC:DD:EE:01', classOfDevice: pcClass });
  const client = new PbapClient({ client: pc, phoneAddress: PHONE, clock, timeoutMs: 10_000 });
  return { clock, air, pse, pc, client };
}

async function settle<T>(clock: VirtualClock, promise: Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: unknown }> {
  let outcome: { ok: true; value: T } | { ok: false; error: unknown } | undefined;
  promise.then(
    (value) => (outcome = { ok: true, value }),
    (error: unknown) => (outcome = { ok: false, error }),
  );
  await clock.runUntil(() => outcome !== undefined, 3_600_000);
  assert.ok(outcome);
  return outcome;
}

test('memory link: a laptop-class PC is refused with the Class of Device rule', async () => {
  const { clock, client } = rig(0x00010c, manyCards(2));
  const outcome = await settle(clock, client.connect());
  assert.equal(outcome.ok, false);
  assert.ok(!outcome.ok && outcome.error instanceof ChannelRefusedError, String(!outcome.ok && outcome.error));
  assert.equal(client.state, 'closed');
});

test('memory link: contacts sync survives a link drop and resumes without duplicates', async () => {
  const { clock, air, pse, client } = rig(COD_AUDIO_VIDEO_HANDS_FREE, manyCards(1_000));
  const contacts = new Contacts({
    clock,
    defaultRegion: 'GB',
    retryDelayMs: 1_000,
    open: async () => {
      if (client.state !== 'connected') await client.connect();
      return client;
    },
  });
  let dropped = false;
  contacts.events.on('progress', (p) => {
    if (!dropped && p.received >= 400) {
      dropped = true;
      air.faults.dropLink();
    }
  });
  const outcome = await settle(clock, contacts.sync());
  assert.ok(outcome.ok, String(!outcome.ok && outcome.error));
  assert.equal(outcome.value.count, 1_000);
  assert.equal(outcome.value.resumes, 1);
  assert.deepEqual(contacts.list().map((c) => c.handle), [...Array(1_000).keys()]);
  const offsets = pse.log.gets.filter((g) => g.params.maxListCount !== 0).map((g) => g.params.listStartOffset);
  assert.deepEqual(offsets, [0, 250, 250, 500, 750]);
  assert.equal(contacts.lookupCaller('020 7940 0999')?.name, 'Given999 Family999');
  await settle(clock, client.disconnect());
  await clock.runUntilIdle();
});
