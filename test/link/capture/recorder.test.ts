/**
 * The recorder end to end without Wireshark: a Testbed run with `capture`
 * set is read back with our own HCI reader, which must find the same ATT
 * values (named by characteristic), the same bytes on every RFCOMM channel
 * each way, the SDP records of the channels opened, and ACL packets never
 * over the controller's buffer size. Also the MTU offer the capture
 * reconstructs, file naming, and a reader fuzzed with damaged captures.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import {
  BtsnoopFlag,
  BtsnoopWriter,
  CaptureRecorder,
  HciTrafficReader,
  MemorySink,
  TrafficEvent,
  captureBaseName,
  decodeBtsnoop,
  encodeBtsnoopHeader,
  scenarioCaptureFile,
  unixMsToBtsnoop,
} from '../../../src/link/capture';
import { Testbed } from '../../../src/harness/testbed';
import { COD_AUDIO_VIDEO_HANDS_FREE } from '../../../src/link/classic';
import { DEFAULT_CLASSIC_MODEL } from '../../../src/link/classic-model';
import { MemoryClassicAir } from '../../../src/link/memory/classic';
import { VirtualClock } from '../../../src/link/virtual-clock';
import { channelBytes, recordFlow, removeTempCaptures, tempCaptureFile, type RecordedFlow } from './capture-flows';

after(removeTempCaptures);

function readEvents(file: string): TrafficEvent[] {
  const capture = decodeBtsnoop(readFileSync(file));
  const events: TrafficEvent[] = [];
  const reader = new HciTrafficReader((e) => events.push(e), capture.datalink);
  for (const record of capture.records) reader.record(record);
  return events;
}

const available = spawnSync('tshark', ['--version']).status === 0;

let recorded: Promise<RecordedFlow> | undefined;
const flow = (): Promise<RecordedFlow> => (recorded ??= recordFlow(tempCaptureFile('recorder-flow'), 9));

test('read back, the capture holds the ATT values the tap saw, named by characteristic', async () => {
  const { file, pdus } = await flow();
  const events = readEvents(file);
  assert.deepEqual(events.filter((e) => e.type === 'problem'), []);
  const kinds = new Set(['ATT_WRITE_REQ', 'ATT_WRITE_CMD', 'ATT_HANDLE_VALUE_NTF', 'ATT_READ_RSP']);
  const seen = events.flatMap((e) => (e.type === 'att' && kinds.has(e.pdu.name) ? [[e.fromLocal, e.pdu.name, e.pdu.characteristic, e.pdu.descriptor, Buffer.from(e.pdu.value ?? []).toString('hex')]] : []));
  const sent = pdus.filter((p) => kinds.has(p.kind)).map((p) => [p.direction === 'toPeripheral', p.kind, p.characteristic, p.descriptor, Buffer.from(p.value ?? []).toString('hex')]);
  assert.ok(sent.length >= 10);
  assert.deepEqual(seen, sent);
});

test('read back, every RFCOMM channel carries the tap bytes each way, on the channel SDP announced', async () => {
  const { file, frames, channels } = await flow();
  const events = readEvents(file);
  const used = [...new Set(frames.filter((f) => f.kind === 'data').map((f) => f.channel))];
  assert.ok(used.includes(channels.hfp) && used.includes(channels.pbap));
  for (const channel of used) {
    for (const [fromLocal, direction] of [
      [true, 'toHost'],
      [false, 'toClient'],
    ] as const) {
      const read = Buffer.concat(events.flatMap((e) => (e.type === 'rfcomm-data' && e.channel === channel && e.fromLocal === fromLocal ? [e.data] : [])));
      assert.deepEqual(new Uint8Array(read), new Uint8Array(channelBytes(frames, channel, direction)), `channel ${channel} ${direction}`);
    }
  }
  const records = events.flatMap((e) => (e.type === 'sdp-record' ? [[e.serverIsLocal, e.record.rfcommChannel, e.record.serviceClasses[0]]] : []));
  assert.deepEqual(
    records.filter((r) => r[1] === channels.hfp || r[1] === channels.pbap),
    [
      [false, channels.hfp, 0x111f],
      [false, channels.pbap, 0x112f],
    ],
  );
  const opens = events.filter((e) => e.type === 'rfcomm-open');
  assert.ok(opens.every((e) => e.type === 'rfcomm-open' && e.serverIsLocal === false), 'the phone serves every channel the PC opened');
  const kinds = events.map((e) => e.type);
  assert.deepEqual([kinds.filter((k) => k === 'connect').length, kinds.includes('encryption'), kinds.includes('disconnect'), kinds[0]], [2, true, true, 'local-address']);
});

test('no ACL packet exceeds the buffer size and every record has the right flags', async () => {
  const { file } = await flow();
  const capture = decodeBtsnoop(readFileSync(file));
  for (const record of capture.records) {
    const type = record.data[0];
    const commandOrEvent = (record.flags & BtsnoopFlag.CommandOrEvent) !== 0;
    const received = (record.flags & BtsnoopFlag.Received) !== 0;
    if (type === 0x01) assert.deepEqual([commandOrEvent, received], [true, false]);
    if (type === 0x04) assert.deepEqual([commandOrEvent, received], [true, true]);
    if (type === 0x02) {
      assert.equal(commandOrEvent, false);
      assert.ok(record.data.length - 5 <= 1021);
    }
  }
  const times = capture.records.map((r) => r.timestampUs);
  assert.ok(times.every((t, i) => i === 0 || t >= (times[i - 1] as bigint)), 'timestamps never go back');
});

async function connectOnly(options: ConstructorParameters<typeof Testbed>[0], body?: (tb: Testbed) => Promise<void>): Promise<TrafficEvent[]> {
  const file = tempCaptureFile('mtu');
  const tb = new Testbed({ ...options, capture: file });
  tb.phone.backchannel.allowShareSystemNotifications(tb.pcAddress);
  await tb.connectPc();
  await tb.clock.runFor(2_000);
  if (body) await body(tb);
  await tb.shutdown();
  return readEvents(file);
}

test('the Exchange MTU request carries the PC offer the phone applied; large PDUs span several LE ACL packets', async () => {
  const small = await connectOnly({ seed: 3, pcMaxMtu: 100 });
  const mtus = small.flatMap((e) => (e.type === 'att' && e.pdu.mtu !== undefined ? [[e.pdu.name, e.pdu.mtu]] : []));
  assert.deepEqual(mtus, [
    ['ATT_EXCHANGE_MTU_REQ', 100],
    ['ATT_EXCHANGE_MTU_RSP', 185],
  ]);
  const file = tempCaptureFile('big');
  const tb = new Testbed({ seed: 4, linkModel: { maxMtu: 517 }, capture: file });
  tb.phone.backchannel.allowShareSystemNotifications(tb.pcAddress);
  tb.phone.backchannel.postNotification({ appId: 'com.apple.MobileSMS', title: 'T', message: 'm'.repeat(400) });
  await tb.connectPc();
  await tb.clock.runUntil(() => tb.pc.notifications.size === 1, 10_000);
  await tb.shutdown();
  const acl = decodeBtsnoop(readFileSync(file)).records.filter((r) => r.data[0] === 0x02);
  const continuing = acl.filter((r) => (((r.data[2] as number) >> 4) & 0x3) === 0b01);
  assert.ok(continuing.length > 0, 'a Data Source reply of 400+ bytes should need continuation packets');
  assert.ok(acl.every((r) => r.data.length - 5 <= 251));
  const message = readEvents(file).find((e) => e.type === 'att' && (e.pdu.value?.length ?? 0) > 400);
  assert.ok(message, 'the long notification reassembles');
});

test('capture file names are safe and unique per folder', () => {
  assert.equal(captureBaseName("The PC's contacts / sync: 10"), 'The-PC-s-contacts-sync-10');
  assert.equal(captureBaseName('///'), 'capture');
  const dir = path.dirname(tempCaptureFile('names'));
  const a = scenarioCaptureFile(dir, 'Same name');
  const b = scenarioCaptureFile(dir, 'Same name');
  assert.equal(path.basename(a), 'Same-name.btsnoop');
  assert.equal(path.basename(b), 'Same-name-2.btsnoop');
});

test('a recorder over a memory sink writes the local address first and closes once', () => {
  const tb = new Testbed({ seed: 2 });
  const sink = new MemorySink();
  const recorder = new CaptureRecorder(tb, sink);
  recorder.close();
  recorder.close();
  assert.equal(sink.closed, true);
  const records = decodeBtsnoop(sink.bytes()).records;
  assert.deepEqual(records.map((r) => Buffer.from(r.data).toString('hex')), ['01091000', '040e0a0109100001eeddccbbaa']);
});

test('fuzz: damaged captures never make the reader throw', async () => {
  const { file } = await flow();
  const records = decodeBtsnoop(readFileSync(file)).records;
  fc.assert(
    fc.property(
      fc.array(fc.record({ index: fc.nat(records.length - 1), at: fc.nat(300), byte: fc.integer({ min: 0, max: 255 }), cut: fc.boolean() }), { maxLength: 30 }),
      (damage) => {
        const copy = records.map((r) => ({ ...r, data: r.data.slice() }));
        for (const d of damage) {
          const record = copy[d.index];
          if (!record || record.data.length === 0) continue;
          if (d.cut) record.data = record.data.subarray(0, d.at % record.data.length);
          else record.data[d.at % record.data.length] = d.byte;
        }
        const reader = new HciTrafficReader(() => undefined);
        for (const record of copy) reader.record(record);
      },
    ),
    { numRuns: 150 },
  );
  fc.assert(
    fc.property(fc.array(fc.record({ flags: fc.integer({ min: 0, max: 3 }), data: fc.uint8Array({ maxLength: 64 }) }), { maxLength: 50 }), (packets) => {
      const sink = new MemorySink();
      const writer = new BtsnoopWriter(sink);
      for (const p of packets) writer.write({ ...p, timestampUs: unixMsToBtsnoop(0) });
      writer.close();
      const reader = new HciTrafficReader(() => undefined);
      for (const record of decodeBtsnoop(sink.bytes()).records) reader.record(record);
    }),
    { numRuns: 500 },
  );
  assert.equal(encodeBtsnoopHeader().length, 16);
});

const PHONE = '11:22:33:44:55:66';
const PC = 'AA:BB:CC:DD:EE:01';

async function settle<T>(clock: VirtualClock, promise: Promise<T>): Promise<T> {
  let done = false;
  const watched = promise.finally(() => (done = true));
  watched.catch(() => undefined);
  await clock.runUntil(() => done, 10_000);
  return watched;
}

test('on the classic seam: a channel the phone opens back is served by the PC, a refused one leaves no channel, long writes split at the frame size', async () => {
  const clock = new VirtualClock();
  const air = new MemoryClassicAir(clock, { seed: 1 });
  const phone = air.createHost({ address: PHONE, name: 'iPhone', classOfDevice: 0x7a020c, model: { ...DEFAULT_CLASSIC_MODEL, rfcommFrameSize: 127 } });
  const pc = air.createClient({ address: PC, classOfDevice: COD_AUDIO_VIDEO_HANDS_FREE });
  // Serial Port on 13 carries raw bytes; MNS on 17 carries OBEX (what Wireshark will expect there).
  phone.addServiceRecord({ serviceClasses: [0x1101], profile: { uuid: 0x1101, version: 0x0102 }, channel: 13, name: 'Serial', attributes: {} });
  phone.listen(13, (_peer, channel) => {
    channel.events.on('data', (chunk) => channel.write(chunk));
    return true;
  });
  pc.addServiceRecord({ serviceClasses: [0x1133], profile: { uuid: 0x1134, version: 0x0104 }, channel: 17, name: 'MAP MNS', attributes: { 0x0317: 0x1f } });
  const atPc: Uint8Array[] = [];
  pc.listen(17, (_address, channel) => {
    channel.events.on('data', (chunk) => atPc.push(chunk));
    return true;
  });
  const sink = new MemorySink();
  const recorder = new CaptureRecorder({ clock, classicAir: air, pcAddress: PC }, sink);
  const connection = await settle(clock, pc.connect(PHONE));
  const toPhone = await settle(clock, connection.openChannel(13));
  const long = new Uint8Array(1000).map((_, i) => i & 0xff);
  toPhone.write(long);
  const toPc = await settle(clock, phone.openChannel(PC, 17));
  const obexConnect = Uint8Array.of(0x80, 0x00, 0x07, 0x10, 0x00, 0x10, 0x00);
  toPc.write(obexConnect);
  await assert.rejects(settle(clock, connection.openChannel(20)), /refused/);
  await clock.runFor(500);
  await settle(clock, toPc.close());
  await settle(clock, toPhone.close());
  await settle(clock, connection.disconnect());
  recorder.close();
  assert.deepEqual(recorder.errors, []);

  const capture = decodeBtsnoop(sink.bytes());
  const events: TrafficEvent[] = [];
  const reader = new HciTrafficReader((e) => events.push(e), capture.datalink);
  for (const record of capture.records) reader.record(record);
  assert.deepEqual(events.filter((e) => e.type === 'problem'), []);
  const opens = events.flatMap((e) => (e.type === 'rfcomm-open' ? [[e.channel, e.dlci, e.serverIsLocal]] : []));
  // The PC started the session: the phone's channel 13 is DLCI 26, the PC's own channel 17 is DLCI 35.
  assert.deepEqual(opens, [
    [13, 26, false],
    [17, 35, true],
  ]);
  const records = events.flatMap((e) => (e.type === 'sdp-record' ? [[e.serverIsLocal, e.record.rfcommChannel, e.record.serviceClasses[0]]] : []));
  assert.deepEqual(records, [
    [false, 13, 0x1101],
    [true, 17, 0x1133],
  ]);
  const echoed = Buffer.concat(events.flatMap((e) => (e.type === 'rfcomm-data' && e.channel === 13 && !e.fromLocal ? [e.data] : [])));
  assert.deepEqual(new Uint8Array(echoed), long);
  assert.deepEqual(new Uint8Array(Buffer.concat(atPc)), obexConnect);
  const uihSizes = capture.records.filter((r) => r.data[0] === 0x02 && r.data.length > 100).map((r) => r.data.length - 5 - 4);
  assert.ok(uihSizes.length >= 8 && uihSizes.every((n) => n <= 127 + 6), `UIH frames over the 127-byte frame size: ${uihSizes.join(',')}`);
  assert.deepEqual(events.filter((e) => e.type === 'rfcomm-close').length, 2);
  assert.ok(events.some((e) => e.type === 'disconnect' && e.reason === 0x16));
  if (available) {
    const file = tempCaptureFile('classic-seam');
    writeFileSync(file, sink.bytes());
    const expert = spawnSync('tshark', ['-r', file, '-q', '-z', 'expert'], { encoding: 'utf8' });
    assert.equal(expert.status, 0);
    assert.equal(expert.stdout.trim(), '', `tshark expert items: ${expert.stdout}`);
    const services = spawnSync('tshark', ['-r', file, '-Y', 'obex || btrfcomm.frame_type == 0x2f'], { encoding: 'utf8' });
    assert.match(services.stdout, /SABM Channel=13 \(Serial Port\)/);
    assert.match(services.stdout, /OBEX \d+ Rcvd Connect/);
    assert.match(services.stdout, /SABM Channel=17 \(Message Notification Server\)/);
  }
});
