/**
 * HandsFree and the Calls service over the in-memory classic link
 * (src/link/memory/classic) against the scripted AG: the PC finds the AG's
 * record (0x111F), opens its channel and sets up the SLC in link time; a
 * call is answered; the phone goes out of range long enough for the link
 * supervision to drop it; the PC reconnects and the Calls list comes back
 * from +CLCC with the same call (HFP/HF/OOR/BV-01, BV-02).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { COD_AUDIO_VIDEO_HANDS_FREE, type ByteChannel, type ClassicClient } from '../../../src/link/classic';
import { MemoryClassicAir } from '../../../src/link/memory/classic';
import { VirtualClock } from '../../../src/link/virtual-clock';
import { ClccDirection as Dir, ClccStatus as St } from '../../../src/protocol/hfp/constants';
import { HandsFree } from '../../../src/sim-pc/hfp/hands-free';
import { Calls, type CallRecord } from '../../../src/sim-pc/services/calls';
import { FakeAg, clcc, iphoneProfile, type AgProfile } from './fake-ag';
import { ok } from './hf-rig';

const PHONE = '11:22:33:44:55:66';
const AG_CHANNEL = 8;
const CALLER = '+447700900001';

async function openHandsFree(clock: VirtualClock, pc: ClassicClient): Promise<HandsFree> {
  const info = await pc.discover(PHONE);
  const record = info.records.find((r) => r.serviceClasses.includes(0x111f));
  assert.ok(record, 'the phone publishes an HFP AG record');
  const connection = await pc.connect(PHONE);
  await connection.pair();
  const channel = await connection.openChannel(record.channel);
  return new HandsFree({ channel, clock });
}

test('memory link: SLC, an answered call, out of range, reconnect, and the call restored', async () => {
  const clock = new VirtualClock();
  const air = new MemoryClassicAir(clock, { seed: 5 });
  const host = air.createHost({ address: PHONE, name: 'iPhone', classOfDevice: 0x7a020c });
  host.addServiceRecord({
    serviceClasses: [0x111f, 0x1203],
    profile: { uuid: 0x111e, version: 0x0107 },
    channel: AG_CHANNEL,
    name: 'Handsfree Gateway',
    attributes: { 0x0311: 0x2f },
  });
  let profile: AgProfile = iphoneProfile();
  let calls: ReturnType<typeof clcc>[] = [];
  const ags: FakeAg<ByteChannel>[] = [];
  host.listen(AG_CHANNEL, (_peer, channel) => {
    const ag = new FakeAg(channel, profile);
    ag.calls = calls;
    ag.handler = (command) => {
      if (command.kind !== 'answer') return undefined;
      ag.send({ kind: 'ok' });
      ag.calls = calls = [clcc(1, Dir.MobileTerminated, St.Active, CALLER)];
      ag.ciev('call', 1);
      ag.ciev('callsetup', 0);
      return 'silent';
    };
    ags.push(ag);
    return true;
  });
  const pc = air.createClient({ address: 'AA:BB:CC:DD:EE:01', classOfDevice: COD_AUDIO_VIDEO_HANDS_FREE });
  const records: CallRecord[] = [];
  const service = new Calls({ clock, lookupName: (n) => (n === CALLER ? 'Ada' : undefined), onRecord: (r) => records.push(r) });

  const first = await ok(clock, openHandsFree(clock, pc));
  service.attach(first);
  const started = clock.now();
  await ok(clock, first.start());
  assert.ok(clock.now() > started, 'the SLC costs link time');
  const ag = ags[0];
  assert.ok(ag);
  assert.equal(ag.lines[0], `AT+BRSF=${1023}`);

  ag.calls = calls = [clcc(1, Dir.MobileTerminated, St.Incoming, CALLER)];
  ag.ciev('callsetup', 1);
  ag.send({ kind: 'ring' }, { kind: 'clip', number: CALLER, type: 145 });
  await clock.runFor(1_000);
  assert.deepEqual(service.list.map((c) => [c.state, c.name]), [['incoming', 'Ada']]);
  await ok(clock, service.answer());
  await clock.runFor(1_000);
  assert.deepEqual(service.list.map((c) => c.state), ['active']);
  const id = service.list[0]?.id;

  // Out of range for a minute: the supervision timeout drops the link.
  air.faults.outOfRange(60_000);
  await clock.runUntil(() => first.state === 'closed', 60_000);
  assert.equal(service.connected, false);
  assert.equal(service.list.length, 1);
  await clock.runFor(61_000);

  // Back in range: the phone still has the call.
  profile = iphoneProfile();
  profile.values.call = 1;
  const second = await ok(clock, openHandsFree(clock, pc));
  service.attach(second);
  await ok(clock, second.start());
  await clock.runFor(1_000);
  assert.equal(service.connected, true);
  assert.deepEqual(service.list.map((c) => [c.id, c.state, c.number]), [[id, 'active', CALLER]]);
  assert.deepEqual(records, []);
  await ok(clock, second.close());
  air.faults.dropLink();
  await clock.runFor(10_000);
});
