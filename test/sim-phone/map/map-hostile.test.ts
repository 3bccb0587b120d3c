/**
 * Hostile MCEs against the phone's MAP server: bad application parameters,
 * unknown folders and types, handles that are not handles, malformed and
 * huge bodies each get an OBEX error code; random OBEX packets never make
 * anything escape the server, every answer is well-framed, and the phone
 * keeps serving a well-behaved PC afterwards.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { VirtualClock } from '../../../src/link/virtual-clock';
import { MAS_TARGET, MapMime, party, simpleBMessage, encodeBMessage, encodeMapParams } from '../../../src/protocol/map';
import {
  appParamsHeader,
  connectionIdHeader,
  encodeRequest,
  lengthHeader,
  nameHeader,
  ObexClientSession,
  PacketSplitter,
  ResponseCode,
  targetHeader,
  typeHeader,
  type ObexHeader,
  type ObexRequest,
} from '../../../src/protocol/obex';
import { MapServer } from '../../../src/sim-phone/map';
import { PhoneModel } from '../../../src/sim-phone/phone-model';
import { loadPhoneProfile } from '../../../src/sim-phone/profile';
import { FakeClassicHost } from '../fake-classic-host';
import { connectPc, makeRig, Mce, refusal } from './map-rig';

const PC_ADDRESS = 'AA:BB:CC:DD:EE:01';

test('bad application parameters are Bad Request wherever they come', async () => {
  const rig = makeRig();
  rig.phone.backchannel.allowMessageNotifications();
  const pc = await connectPc(rig);
  const mce = await Mce.connect(rig, pc);
  const truncated = Uint8Array.of(0x01, 0x05, 0x00);
  const repeated = Uint8Array.of(0x01, 0x02, 0x00, 0x01, 0x01, 0x02, 0x00, 0x02);
  const wrongSize = Uint8Array.of(0x01, 0x01, 0x05);
  const notUtf8 = Uint8Array.of(0x04, 0x02, 0xff, 0xfe);
  for (const params of [truncated, repeated, wrongSize, notUtf8]) {
    assert.equal(await refusal(rig, mce.get(MapMime.messageListing, 'telecom/msg/inbox', params)), ResponseCode.BadRequest);
    assert.equal(await refusal(rig, mce.get(MapMime.folderListing, undefined, params)), ResponseCode.BadRequest);
    assert.equal(await refusal(rig, mce.put(MapMime.notificationRegistration, undefined, params, Uint8Array.of(0x30))), ResponseCode.BadRequest);
    assert.equal(await refusal(rig, mce.put(MapMime.message, 'telecom/msg/outbox', params, Uint8Array.of(0x30))), ResponseCode.BadRequest);
  }
  assert.equal(await refusal(rig, mce.put(MapMime.notificationRegistration, undefined, { notificationStatus: 2 }, Uint8Array.of(0x30))), ResponseCode.BadRequest);
  assert.equal(await refusal(rig, mce.put(MapMime.notificationRegistration, undefined, {}, Uint8Array.of(0x30))), ResponseCode.BadRequest);
  // The session stays usable.
  assert.deepEqual(await mce.folders(), ['telecom']);
});

test('unknown folders, types and handles; names that are not names', async () => {
  const rig = makeRig();
  rig.phone.backchannel.allowMessageNotifications();
  const pc = await connectPc(rig);
  const mce = await Mce.connect(rig, pc);
  assert.equal(await refusal(rig, mce.listing('telecom/msg/drafts')), ResponseCode.NotFound);
  assert.equal(await refusal(rig, mce.listing('../telecom')), ResponseCode.BadRequest);
  assert.equal(await refusal(rig, mce.listing('x'.repeat(1000))), ResponseCode.BadRequest);
  assert.equal(await refusal(rig, mce.folders('telecom//msg')), ResponseCode.BadRequest);
  assert.equal(await refusal(rig, mce.get('x-bt/unknown', undefined)), ResponseCode.BadRequest);
  assert.equal(await refusal(rig, mce.put('x-bt/unknown', undefined, {}, Uint8Array.of(0x30))), ResponseCode.NotImplemented);
  assert.equal(await refusal(rig, mce.put(MapMime.notificationFilter, undefined, {}, Uint8Array.of(0x30))), ResponseCode.NotImplemented);
  assert.equal(await refusal(rig, mce.message('0123456789ABCDEF0')), ResponseCode.BadRequest, '17 digits');
  assert.equal(await refusal(rig, mce.message('0')), ResponseCode.NotFound);
  assert.equal(await refusal(rig, mce.setStatus('zz', 0, 1)), ResponseCode.BadRequest);
  assert.equal(await refusal(rig, mce.get(MapMime.instanceInfo, undefined, { masInstanceId: 0 })), ResponseCode.NotImplemented, 'not in the iPhone features');
});

test('android answers GetMASInstanceInformation for its instance only', async () => {
  const rig = makeRig({ profile: 'android' });
  const mce = await Mce.connect(rig, await connectPc(rig));
  const info = await mce.get(MapMime.instanceInfo, undefined, { masInstanceId: 0 });
  assert.equal(info.body.toString('utf8'), 'SMS/MMS');
  assert.equal(await refusal(rig, mce.get(MapMime.instanceInfo, undefined, { masInstanceId: 3 })), ResponseCode.NotFound);
  assert.equal(await refusal(rig, mce.get(MapMime.instanceInfo, undefined)), ResponseCode.BadRequest);
});

test('malformed and huge pushes get error codes; the phone keeps serving', async () => {
  const rig = makeRig({ mapOptions: { maxPushBytes: 4096 } });
  rig.phone.backchannel.allowMessageNotifications();
  const pc = await connectPc(rig);
  const mce = await Mce.connect(rig, pc);
  await mce.cd('telecom/msg');
  const garbage = new TextEncoder().encode('BEGIN:BMSG\r\nVERSION:1.0\r\nEND:VCARD\r\n');
  assert.equal(await refusal(rig, mce.put(MapMime.message, 'outbox', { charset: 1 }, garbage)), ResponseCode.BadRequest);
  const noRecipient = simpleBMessage({ type: 'SMS_GSM', folder: '', recipients: [], text: 'to nobody' });
  assert.equal(await refusal(rig, mce.push(noRecipient)), ResponseCode.BadRequest);
  const huge = simpleBMessage({ type: 'SMS_GSM', folder: '', recipients: [party('+15550002')], text: 'x'.repeat(200_000) });
  // Streamed past the limit, the PUT is cut off with Request Entity Too Large as soon as it grows past it.
  assert.equal(await refusal(rig, mce.push(huge)), ResponseCode.RequestEntityTooLarge);
  // Announced with a Length header, it is refused before any body is read.
  const announced = await refusal(
    rig,
    rig.settle(
      mce.obex.put({ type: MapMime.message, name: 'outbox', appParams: encodeMapParams({ charset: 1 }), headers: [lengthHeader(200_000)] }, encodeBMessage(huge)),
    ),
  );
  assert.equal(announced, 0xcd);
  assert.equal(await refusal(rig, mce.put(MapMime.notificationRegistration, undefined, { notificationStatus: 1 }, new Uint8Array(10_000))), ResponseCode.RequestEntityTooLarge);
  assert.equal(rig.phone.map?.mnsState(pc.address), undefined, 'a refused registration registers nothing');
  assert.equal(rig.phone.model.messages.sent().length, 0);
  const ok = await mce.push(simpleBMessage({ type: 'SMS_GSM', folder: '', recipients: [party('+15550002')], text: 'fine' }));
  assert.match(ok, /^[0-9A-F]+$/);
  assert.deepEqual(await mce.folders(), ['inbox', 'outbox', 'sent', 'deleted']);
});

test('requests before Connect are Service Unavailable; a wrong Target is Not Acceptable', async () => {
  const rig = makeRig();
  rig.phone.backchannel.allowMessageNotifications();
  const pc = await connectPc(rig);
  const mce = await Mce.open(rig, pc);
  assert.equal(await refusal(rig, mce.folders()), ResponseCode.ServiceUnavailable);
  assert.equal(await refusal(rig, mce.obex.connect({ target: Uint8Array.of(1, 2, 3) })), ResponseCode.NotAcceptable);
  assert.equal(await refusal(rig, mce.obex.connect({ target: MAS_TARGET, appParams: Uint8Array.of(0x29, 0x02, 0x00) })), ResponseCode.BadRequest);
  await rig.settle(mce.obex.connect(mce.connectOptions()));
  assert.deepEqual(await mce.folders(), ['telecom']);
});

// ---- random packets, over a fake host for speed ----

const nameArb = fc.oneof(
  fc.constantFrom('telecom', 'msg', 'inbox', 'outbox', 'telecom/msg/inbox', '', '..', '40000000001', 'FFFFFFFFFFFFFFFF', 'a/b'),
  fc.string({ maxLength: 12 }),
);
const typeArb = fc.oneof(
  fc.constantFrom(...Object.values(MapMime)),
  fc.string({ unit: fc.integer({ min: 1, max: 0x7f }).map((c) => String.fromCharCode(c)), maxLength: 10 }),
);
const tlvArb = fc
  .array(
    fc.tuple(fc.integer({ min: 0, max: 0x2a }), fc.uint8Array({ maxLength: 9 })).map(([tag, value]) => [tag, value.length, ...value]),
    { maxLength: 5 },
  )
  .map((parts) => Uint8Array.from(parts.flat()));
const headerArb: fc.Arbitrary<ObexHeader> = fc.oneof(
  nameArb.map(nameHeader),
  typeArb.map(typeHeader),
  tlvArb.map(appParamsHeader),
  fc.constantFrom(1, 2, 0xffffffff).map(connectionIdHeader),
  fc.constantFrom(Uint8Array.from(MAS_TARGET), Uint8Array.from([1, 2, 3])).map(targetHeader),
  fc.uint8Array({ maxLength: 30 }).map((body) => ({ id: 0x49, kind: 'bytes' as const, value: body })),
);
const requestArb: fc.Arbitrary<ObexRequest> = fc
  .tuple(
    fc.constantFrom(0x80, 0x81, 0x02, 0x82, 0x03, 0x83, 0x85, 0x86, 0xff, 0x87),
    fc.array(headerArb, { maxLength: 5 }),
    fc.integer({ min: 0, max: 0xffff }),
    fc.integer({ min: 0, max: 3 }),
  )
  .map(([opcode, headers, max, flags]) => {
    const request: ObexRequest = { opcode, headers };
    if ((opcode & 0x7f) === 0x00) request.connect = { version: 0x10, flags: 0, maxPacketLength: max };
    if ((opcode & 0x7f) === 0x05) request.setPath = { flags, constants: 0 };
    return request;
  });
const packetArb: fc.Arbitrary<Uint8Array> = fc.oneof(
  { weight: 6, arbitrary: requestArb.map(encodeRequest) },
  { weight: 1, arbitrary: fc.uint8Array({ minLength: 1, maxLength: 40 }) },
);

test('property: random OBEX packets never crash the MAP server; it keeps serving', async () => {
  const profile = loadPhoneProfile('android');
  await fc.assert(
    fc.asyncProperty(fc.array(packetArb, { minLength: 1, maxLength: 12 }), fc.integer({ min: 1, max: 1000 }), async (packets, seed) => {
      const clock = new VirtualClock({ seed });
      const model = new PhoneModel(profile, clock);
      const host = new FakeClassicHost(clock, 97);
      const server = new MapServer({ host, model, profile, clock, mns: { retries: 0 } });
      const escaped: unknown[] = [];
      server.events.onListenerError = (err) => escaped.push(err);
      model.messages.events.onListenerError = (err) => escaped.push(err);
      server.start();
      model.messages.receive({ from: '+15550002', text: 'hello', date: clock.date() });
      const channel = host.openAs({ address: PC_ADDRESS, classOfDevice: 0x7c0408 }, profile.map?.channel ?? 0);
      assert.ok(channel);
      const splitter = new PacketSplitter();
      channel.events.on('data', (chunk) => {
        for (const packet of splitter.push(chunk)) assert.ok((packet[0] as number) >= 0x80, `response code ${packet[0]}`);
      });
      for (const packet of packets) channel.write(packet);
      await clock.runFor(40_000);
      assert.deepEqual(escaped, []);
      assert.ok(!splitter.failed);
      // A well-behaved PC still gets served.
      const good = host.openAs({ address: 'AA:BB:CC:DD:EE:02', classOfDevice: 0x7c0408 }, profile.map?.channel ?? 0);
      assert.ok(good);
      const obex = new ObexClientSession({ send: (bytes) => good.write(bytes), clock });
      good.events.on('data', (chunk) => obex.receive(chunk));
      let folders = '';
      const work = (async () => {
        await obex.connect({ target: MAS_TARGET });
        await obex.get({ type: MapMime.folderListing }, { onBody: (chunk) => void (folders += Buffer.from(chunk).toString('utf8')) });
      })();
      let done = false;
      void work.finally(() => {
        done = true;
      });
      await clock.runUntil(() => done, 60_000);
      await work;
      assert.match(folders, /<folder name="telecom"\/>/);
      server.stop();
    }),
    { numRuns: 150 },
  );
});
