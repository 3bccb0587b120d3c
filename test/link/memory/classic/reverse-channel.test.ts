/**
 * Channels the phone opens back to the PC over the PC's ACL (MAP's
 * notification server): the PC's records found by the phone's SDP search,
 * accept and refuse, data both ways, channel numbers scoped by initiator,
 * and what happens with no ACL or when the link drops.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ByteChannel } from '../../../../src/link/classic';
import { DisconnectedError, LinkError } from '../../../../src/link/errors';
import { MemoryByteChannel } from '../../../../src/link/memory/classic';
import { MAP_CHANNEL, PC, PHONE, collect, connect, makeRig, openPair, pattern, rejected, resolved } from './rig';

const MNS_RECORD = {
  serviceClasses: [0x1133],
  profile: { uuid: 0x1134, version: 0x0104 },
  channel: 17,
  name: 'MAP MNS',
  attributes: { 0x0317: 0x7f },
};
const code = (error: unknown): string | undefined => (error instanceof LinkError ? error.code : undefined);

function listenOnPc(rig: ReturnType<typeof makeRig>, channel: number, answer = true): { seen: { from: string; end: ByteChannel }[] } {
  const seen: { from: string; end: ByteChannel }[] = [];
  rig.pc.listen(channel, (from, end) => {
    seen.push({ from, end });
    return answer;
  });
  return { seen };
}

test("the phone's SDP search of a connected PC finds the PC's records; none without an ACL", async () => {
  const rig = makeRig();
  rig.pc.addServiceRecord(MNS_RECORD);
  const none = await rejected(rig.clock, rig.phone.discoverPeer(PC));
  assert.equal(code(none.error), 'link.not-connected');
  await connect(rig);
  const start = rig.clock.now();
  const { value: info, time } = await resolved(rig.clock, rig.phone.discoverPeer(PC));
  assert.equal(time - start, rig.model.sdpQueryMs);
  assert.equal(info.address, PC);
  assert.deepEqual(info.records, [MNS_RECORD]);
  rig.pc.removeServiceRecord(17);
  assert.deepEqual((await resolved(rig.clock, rig.phone.discoverPeer(PC))).value.records, []);
});

test('the phone opens a PC channel: the acceptor sees the phone, bytes flow both ways', async () => {
  const rig = makeRig();
  const { seen } = listenOnPc(rig, 17);
  await connect(rig);
  const { value: phoneEnd } = await resolved(rig.clock, rig.phone.openChannel(PC, 17));
  assert.equal(seen.length, 1);
  assert.equal(seen[0]?.from, PHONE);
  const pcEnd = seen[0]?.end;
  assert.ok(pcEnd instanceof MemoryByteChannel && phoneEnd.open && pcEnd.open);
  const atPc = collect(pcEnd, rig.clock);
  const atPhone = collect(phoneEnd, rig.clock);
  const data = pattern(5000);
  phoneEnd.write(data);
  pcEnd.write(Uint8Array.of(0xa0, 0x00, 0x03));
  await rig.clock.runUntilIdle();
  assert.deepEqual(atPc.bytes(), data);
  assert.deepEqual(atPhone.bytes(), Uint8Array.of(0xa0, 0x00, 0x03));
  // The frame size is the smaller of the two offers.
  assert.equal(phoneEnd.maxFrameSize, Math.min(rig.model.rfcommFrameSize, rig.pc.maxFrameSize));
  assert.equal(pcEnd.maxFrameSize, phoneEnd.maxFrameSize);
});

test('a channel number is scoped by initiator: PC-to-phone 2 and phone-to-PC 2 coexist', async () => {
  const rig = makeRig();
  const { seen } = listenOnPc(rig, MAP_CHANNEL);
  const connection = await connect(rig);
  const toPhone = await openPair(rig, connection, MAP_CHANNEL);
  const { value: toPc } = await resolved(rig.clock, rig.phone.openChannel(PC, MAP_CHANNEL));
  const pcSide = seen[0]?.end;
  assert.ok(pcSide instanceof MemoryByteChannel);
  const a = collect(toPhone.phoneEnd, rig.clock);
  const b = collect(pcSide, rig.clock);
  toPhone.pcEnd.write(Uint8Array.of(1));
  toPc.write(Uint8Array.of(2));
  await rig.clock.runUntilIdle();
  assert.deepEqual([...a.bytes()], [1]);
  assert.deepEqual([...b.bytes()], [2]);
  // A second phone-initiated open of the same number is busy.
  assert.equal(code((await rejected(rig.clock, rig.phone.openChannel(PC, MAP_CHANNEL))).error), 'link.channel-busy');
});

test('refused when nothing listens or the acceptor says no; the phone can try again later', async () => {
  const rig = makeRig();
  await connect(rig);
  assert.equal(code((await rejected(rig.clock, rig.phone.openChannel(PC, 17))).error), 'link.channel-refused');
  const { seen } = listenOnPc(rig, 17, false);
  assert.equal(code((await rejected(rig.clock, rig.phone.openChannel(PC, 17))).error), 'link.channel-refused');
  assert.equal(seen.length, 1);
  listenOnPc(rig, 17, true);
  const { value } = await resolved(rig.clock, rig.phone.openChannel(PC, 17));
  assert.equal(value.open, true);
  assert.equal(code((await rejected(rig.clock, rig.phone.openChannel(PC, 0))).error), 'link.bad-argument');
  assert.equal(code((await rejected(rig.clock, rig.phone.openChannel('nonsense', 17))).error), 'link.bad-argument');
});

test('when the ACL drops, both ends of a phone-initiated channel close, and a pending open rejects', async () => {
  const rig = makeRig();
  const { seen } = listenOnPc(rig, 17);
  await connect(rig);
  const { value: phoneEnd } = await resolved(rig.clock, rig.phone.openChannel(PC, 17));
  const pcEnd = seen[0]?.end;
  assert.ok(pcEnd instanceof MemoryByteChannel);
  const atPc = collect(pcEnd, rig.clock);
  const atPhone = collect(phoneEnd, rig.clock);
  const pending = rig.phone.openChannel(PC, 18);
  rig.air.faults.dropLink();
  const { error } = await rejected(rig.clock, pending);
  assert.ok(error instanceof DisconnectedError);
  assert.deepEqual(atPc.closes, [0x08]);
  assert.deepEqual(atPhone.closes, [0x08]);
  assert.equal(code((await rejected(rig.clock, rig.phone.openChannel(PC, 17))).error), 'link.not-connected');
});
