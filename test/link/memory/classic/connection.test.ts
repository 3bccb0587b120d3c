import { test } from 'node:test';
import assert from 'node:assert/strict';
import { COD_AUDIO_VIDEO_HANDS_FREE, isHandsFreeClass } from '../../../../src/link/classic';
import { channelOpenMs } from '../../../../src/link/classic-model';
import { LinkError } from '../../../../src/link/errors';
import { MemoryByteChannel } from '../../../../src/link/memory/classic';
import {
  MAP_CHANNEL,
  MAP_RECORD,
  PBAP_CHANNEL,
  PBAP_RECORD,
  PC,
  PC2,
  PHONE,
  PHONE_COD,
  connect,
  makeRig,
  openPair,
  rejected,
  resolved,
} from './rig';

const code = (error: unknown): string | undefined => (error instanceof LinkError ? error.code : undefined);

test('discover returns the name, Class of Device and records (by channel) after sdpQueryMs', async () => {
  const rig = makeRig();
  const { value: info, time } = await resolved(rig.clock, rig.pc.discover(PHONE.toLowerCase()));
  assert.equal(time, rig.model.sdpQueryMs);
  assert.deepEqual(info, {
    address: PHONE,
    name: 'Test iPhone',
    classOfDevice: PHONE_COD,
    records: [MAP_RECORD, PBAP_RECORD],
  });
  // The result is a copy: changing it changes nothing on the phone.
  info.records[0]?.serviceClasses.push(0xffff);
  rig.phone.setName('Renamed');
  rig.phone.removeServiceRecord(MAP_CHANNEL);
  const again = await resolved(rig.clock, rig.pc.discover(PHONE));
  assert.equal(again.value.name, 'Renamed');
  assert.deepEqual(again.value.records, [PBAP_RECORD]);
  assert.equal(again.time - time, rig.model.sdpQueryMs);
  assert.equal(rig.air.connectionIds().length, 0, 'discovery leaves no connection behind');
});

test('discover rejects with link.not-found after the page timeout when the phone is off, away or unknown', async () => {
  const rig = makeRig();
  rig.phone.powerOff();
  const off = await rejected(rig.clock, rig.pc.discover(PHONE));
  assert.equal(code(off.error), 'link.not-found');
  assert.equal(off.time, rig.pc.pageTimeoutMs);
  const unknown = await rejected(rig.clock, rig.pc.discover('01:02:03:04:05:06'));
  assert.equal(code(unknown.error), 'link.not-found');
  assert.equal(code((await rejected(rig.clock, rig.pc.discover('nonsense'))).error), 'link.bad-argument');
  // Turned on during the page: found sdpQueryMs after power-on.
  const start = rig.clock.now();
  const pending = rig.pc.discover(PHONE);
  rig.clock.schedule(1000, () => rig.phone.powerOn());
  const found = await resolved(rig.clock, pending);
  assert.equal(found.time, start + 1000 + rig.model.sdpQueryMs);
  // Out of range: not found either.
  rig.air.faults.outOfRange(10_000);
  assert.equal(code((await rejected(rig.clock, rig.pc.discover(PHONE))).error), 'link.not-found');
  await rig.clock.runUntilIdle();
});

test('connect takes connectSetupMs; the phone sees the PC with its hands-free Class of Device', async () => {
  const rig = makeRig();
  const seen: { address: string; cod: number; encrypted: boolean; bonded: boolean }[] = [];
  rig.phone.events.on('connect', (peer) =>
    seen.push({ address: peer.address, cod: peer.classOfDevice, encrypted: peer.encrypted, bonded: peer.bonded }),
  );
  const taps: unknown[] = [];
  rig.air.events.on('connect', (e) => taps.push(e));
  const { value: connection, time } = await resolved(rig.clock, rig.pc.connect(PHONE));
  assert.equal(time, rig.model.connectSetupMs);
  assert.equal(connection.connected, true);
  assert.equal(connection.peerAddress, PHONE);
  assert.equal(connection.encrypted, false);
  assert.equal(connection.bonded, false);
  assert.deepEqual(seen, [{ address: PC, cod: COD_AUDIO_VIDEO_HANDS_FREE, encrypted: false, bonded: false }]);
  assert.ok(isHandsFreeClass(rig.phone.peers()[0]?.classOfDevice ?? 0));
  assert.deepEqual(taps, [{ time, connectionId: connection.connectionId, client: PC, host: PHONE }]);
  assert.deepEqual(rig.pc.connections(), [connection]);
  // Profiles share the ACL: connecting again gives the same connection at once.
  const again = await resolved(rig.clock, rig.pc.connect(PHONE));
  assert.equal(again.value, connection);
  assert.equal(again.time, time);
});

test('a second connect while one is being set up joins it; an unreachable phone times out', async () => {
  const rig = makeRig();
  const first = rig.pc.connect(PHONE);
  const second = rig.pc.connect(PHONE);
  const [a, b] = [await resolved(rig.clock, first), await resolved(rig.clock, second)];
  assert.equal(a.value, b.value);
  const other = rig.air.createClient({ address: PC2, classOfDevice: 0x200404, pageTimeoutMs: 2000 });
  rig.phone.powerOff();
  const start = rig.clock.now();
  const failed = await rejected(rig.clock, other.connect(PHONE));
  assert.equal(code(failed.error), 'link.connect-timeout');
  assert.equal(failed.time, start + 2000);
});

test('openChannel costs one control round trip; the acceptor sees the peer and a working channel', async () => {
  const rig = makeRig();
  const connection = await connect(rig);
  const start = rig.clock.now();
  const { pcEnd, phoneEnd, time } = await openPair(rig, connection);
  assert.equal(time, start + channelOpenMs(rig.model));
  assert.ok(pcEnd instanceof MemoryByteChannel);
  assert.equal(pcEnd.channel, PBAP_CHANNEL);
  assert.equal(phoneEnd.channel, PBAP_CHANNEL);
  assert.equal(pcEnd.open && phoneEnd.open, true);
  assert.equal(pcEnd.maxFrameSize, rig.model.rfcommFrameSize);
  assert.equal(pcEnd.credits, rig.model.initialCredits);
  assert.equal(pcEnd.connectionId, connection.connectionId);
  assert.deepEqual(connection.channels(), [pcEnd]);
  const kinds = rig.frames.map((f) => [f.kind, f.direction, f.frameSize, f.credits]);
  assert.deepEqual(kinds, [
    ['open', 'toHost', 32767, rig.model.initialCredits],
    ['accept', 'toClient', rig.model.rfcommFrameSize, rig.model.initialCredits],
  ]);
});

test('an acceptor may write and close at once: the PC gets the accept, then the bytes, then the close', async () => {
  const rig = makeRig();
  rig.phone.listen(4, (_peer, channel) => {
    channel.write(Uint8Array.of(0x0d, 0x0a, 0x4f, 0x4b));
    void channel.close();
    return true;
  });
  const connection = await connect(rig);
  const order: string[] = [];
  const opening = connection.openChannel(4).then((end) => {
    order.push('open');
    end.events.on('data', (d) => order.push(`data:${d.length}`));
    end.events.on('close', (r) => order.push(`close:${r}`));
    return end;
  });
  await resolved(rig.clock, opening);
  await rig.clock.runUntilIdle();
  assert.deepEqual(order, ['open', 'data:4', 'close:19']);
  assert.deepEqual(rig.frames.map((f) => `${f.kind}:${f.direction}`), ['open:toHost', 'accept:toClient', 'data:toClient', 'disc:toClient', 'ua:toHost']);
});

test('an open is refused when nothing listens, when the acceptor says no or throws; busy while the channel is in use', async () => {
  const rig = makeRig();
  const errors: unknown[] = [];
  rig.air.events.on('handlerError', (e) => errors.push(e.error));
  const connection = await connect(rig);
  assert.equal(code((await rejected(rig.clock, connection.openChannel(5))).error), 'link.channel-refused');
  rig.phone.listen(6, () => false);
  assert.equal(code((await rejected(rig.clock, connection.openChannel(6))).error), 'link.channel-refused');
  rig.phone.listen(7, () => {
    throw new Error('acceptor bug');
  });
  assert.equal(code((await rejected(rig.clock, connection.openChannel(7))).error), 'link.channel-refused');
  assert.equal(errors.length, 1);
  assert.equal(code((await rejected(rig.clock, connection.openChannel(0))).error), 'link.bad-argument');
  assert.equal(code((await rejected(rig.clock, connection.openChannel(31))).error), 'link.bad-argument');
  // Busy while opening and while open; free again once closed.
  const opening = connection.openChannel(PBAP_CHANNEL);
  assert.equal(code((await rejected(rig.clock, connection.openChannel(PBAP_CHANNEL))).error), 'link.channel-busy');
  const { value: channel } = await resolved(rig.clock, opening);
  assert.equal(code((await rejected(rig.clock, connection.openChannel(PBAP_CHANNEL))).error), 'link.channel-busy');
  await resolved(rig.clock, channel.close());
  await resolved(rig.clock, connection.openChannel(PBAP_CHANNEL));
  // A refused channel is free to try again at once.
  rig.phone.listen(5, () => true);
  await resolved(rig.clock, connection.openChannel(5));
});

test('the frame size is the smaller offer and no chunk exceeds it', async () => {
  const rig = makeRig({ pcMaxFrameSize: 127 });
  const connection = await connect(rig);
  const { pcEnd, phoneEnd } = await openPair(rig, connection);
  assert.equal(pcEnd.maxFrameSize, 127);
  assert.equal(phoneEnd.maxFrameSize, 127);
  const chunks: number[] = [];
  pcEnd.events.on('data', (d) => chunks.push(d.length));
  phoneEnd.write(new Uint8Array(1000));
  await rig.clock.runUntilIdle();
  assert.deepEqual(chunks, [127, 127, 127, 127, 127, 127, 127, 111]);
  // The phone's smaller offer wins the other way round.
  const rig2 = makeRig({ model: { rfcommFrameSize: 500 } });
  const { pcEnd: end2 } = await openPair(rig2, await connect(rig2));
  assert.equal(end2.maxFrameSize, 500);
  assert.equal(rig2.frames.find((f) => f.kind === 'accept')?.frameSize, 500);
});

test('writes queue up to txQueueLimitBytes; beyond that QueueFullError; zero-length writes are ignored', async () => {
  const rig = makeRig({ model: { txQueueLimitBytes: 4000 } });
  const connection = await connect(rig);
  const { pcEnd } = await openPair(rig, connection);
  pcEnd.write(new Uint8Array(0));
  assert.equal(pcEnd.pendingBytes, 0);
  pcEnd.write(new Uint8Array(3000));
  assert.equal(pcEnd.pendingBytes, 3000 - 990, 'the first frame left at once');
  pcEnd.write(new Uint8Array(1990));
  assert.equal(pcEnd.pendingBytes, 4000);
  assert.throws(() => pcEnd.write(Uint8Array.of(1)), (e: unknown) => code(e) === 'link.queue-full');
  await rig.clock.runUntilIdle();
  assert.equal(pcEnd.pendingBytes, 0);
  pcEnd.write(new Uint8Array(4000));
});

test('writes are copied: changing the buffer after write changes nothing on the air', async () => {
  const rig = makeRig();
  const { pcEnd, phoneEnd } = await openPair(rig, await connect(rig));
  const got: number[] = [];
  phoneEnd.events.on('data', (d) => got.push(...d));
  const buffer = Uint8Array.of(1, 2, 3);
  pcEnd.write(buffer);
  buffer.fill(9);
  await rig.clock.runUntilIdle();
  assert.deepEqual(got, [1, 2, 3]);
});

test('two PCs connect to one phone, each with its own channel 19, and their bytes never mix', async () => {
  const rig = makeRig();
  const pc2 = rig.air.createClient({ address: PC2, classOfDevice: COD_AUDIO_VIDEO_HANDS_FREE });
  const a = await connect(rig);
  const b = await connect(rig, pc2);
  assert.notEqual(a.connectionId, b.connectionId);
  assert.deepEqual(rig.phone.peers().map((p) => p.address), [PC, PC2]);
  const first = await openPair(rig, a);
  const second = await openPair(rig, b);
  assert.notEqual(first.phoneEnd, second.phoneEnd);
  const atPhone: string[] = [];
  first.phoneEnd.events.on('data', (d) => atPhone.push(`a:${d.length}`));
  second.phoneEnd.events.on('data', (d) => atPhone.push(`b:${d.length}`));
  const atPcs: string[] = [];
  first.pcEnd.events.on('data', (d) => atPcs.push(`a:${d[0]}`));
  second.pcEnd.events.on('data', (d) => atPcs.push(`b:${d[0]}`));
  first.pcEnd.write(new Uint8Array(10));
  second.pcEnd.write(new Uint8Array(20));
  first.phoneEnd.write(Uint8Array.of(1));
  second.phoneEnd.write(Uint8Array.of(2));
  await rig.clock.runUntilIdle();
  assert.deepEqual(atPhone.sort(), ['a:10', 'b:20']);
  assert.deepEqual(atPcs.sort(), ['a:1', 'b:2']);
  // One PC's disconnect leaves the other alone.
  await resolved(rig.clock, a.disconnect());
  assert.equal(b.connected, true);
  assert.equal(second.pcEnd.open, true);
  assert.deepEqual(rig.phone.peers().map((p) => p.address), [PC2]);
});

test('disconnect() closes the link one latency later: channels close 0x16 on the PC, 0x13 on the phone', async () => {
  const rig = makeRig();
  const connection = await connect(rig);
  const { pcEnd, phoneEnd } = await openPair(rig, connection);
  const reasons: string[] = [];
  pcEnd.events.on('close', (r) => reasons.push(`pcChannel:${r}`));
  phoneEnd.events.on('close', (r) => reasons.push(`phoneChannel:${r}`));
  connection.events.on('disconnect', (r) => reasons.push(`pc:${r}`));
  rig.phone.events.on('disconnect', (_peer, r) => reasons.push(`phone:${r}`));
  const pendingOpen = connection.openChannel(MAP_CHANNEL).catch((e: unknown) => e);
  const start = rig.clock.now();
  const { time } = await resolved(rig.clock, connection.disconnect());
  assert.equal(time, start + rig.model.latencyMs);
  assert.deepEqual(reasons, ['phoneChannel:19', 'pcChannel:22', 'phone:19', 'pc:22']);
  assert.equal(code(await pendingOpen), 'link.disconnected');
  assert.equal(connection.connected, false);
  assert.equal(pcEnd.open, false);
  assert.throws(() => pcEnd.write(Uint8Array.of(1)), (e: unknown) => code(e) === 'link.disconnected');
  assert.equal(code((await rejected(rig.clock, connection.openChannel(PBAP_CHANNEL))).error), 'link.disconnected');
  await resolved(rig.clock, connection.disconnect());
  await resolved(rig.clock, pcEnd.close());
  assert.deepEqual(rig.phone.peers(), []);
  assert.deepEqual(rig.pc.connections(), []);
  await rig.clock.runUntilIdle();
});
