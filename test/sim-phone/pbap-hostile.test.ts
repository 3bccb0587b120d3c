/**
 * Hostile PCs: random OBEX packets (well framed or not, PBAP-shaped or
 * not, with random application parameters) thrown at the phone's PBAP
 * server. Whatever arrives, nothing escapes the server, everything it
 * sends is well-framed OBEX responses, and the phone keeps serving a
 * well-behaved PC afterwards.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  appParamsHeader,
  connectionIdHeader,
  encodeRequest,
  nameHeader,
  PacketSplitter,
  srmHeader,
  targetHeader,
  typeHeader,
  type ObexHeader,
  type ObexRequest,
} from '../../src/protocol/obex';
import { PBAP_TARGET, PbapObjectType } from '../../src/protocol/pbap';
import { connectPc, makeRig, openPc, PC_ADDRESS, pull } from './pbap-rig';

const nameArb = fc.oneof(
  fc.constantFrom('telecom/pb.vcf', 'telecom/mch.vcf', 'telecom/cch.vcf', 'SIM1/telecom/pb.vcf', 'pb', 'telecom', '0.vcf', '1.vcf', '', '..', 'telecom/../pb.vcf'),
  fc.string({ maxLength: 12 }),
);
const typeArb = fc.oneof(
  fc.constantFrom(PbapObjectType.Phonebook, PbapObjectType.VcardListing, PbapObjectType.Vcard, 'x-bt/MAP-msg-listing'),
  fc.string({ unit: fc.integer({ min: 1, max: 0x7f }).map((c) => String.fromCharCode(c)), maxLength: 10 }),
);
const tlvArb = fc
  .array(
    fc.tuple(fc.integer({ min: 0, max: 0x12 }), fc.uint8Array({ maxLength: 17 })).map(([tag, value]) => [tag, value.length, ...value]),
    { maxLength: 5 },
  )
  .map((parts) => Uint8Array.from(parts.flat()));
const headerArb: fc.Arbitrary<ObexHeader> = fc.oneof(
  nameArb.map(nameHeader),
  typeArb.map(typeHeader),
  tlvArb.map(appParamsHeader),
  fc.constantFrom(1, 2, 0xffffffff).map(connectionIdHeader),
  fc.constantFrom(Uint8Array.from(PBAP_TARGET), Uint8Array.from([1, 2, 3])).map(targetHeader),
  fc.integer({ min: 0, max: 2 }).map(srmHeader),
);
const requestArb: fc.Arbitrary<ObexRequest> = fc
  .tuple(
    fc.constantFrom(0x80, 0x81, 0x02, 0x82, 0x03, 0x83, 0x85, 0x86, 0xff, 0x87, 0x10),
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

test('property: random OBEX packets never crash the PBAP server; it keeps serving', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(packetArb, { minLength: 1, maxLength: 12 }), fc.integer({ min: 1, max: 1000 }), async (packets, seed) => {
      const rig = makeRig({ seed, maxChunk: 97 });
      rig.model.setPermission(PC_ADDRESS, 'syncContacts', true);
      rig.model.contacts.add({ name: { family: 'Doe', given: 'Jane' }, phones: [{ number: '555', type: 'mobile' }] });
      rig.model.calls.add({ kind: 'missed', number: '555', time: rig.clock.date() });
      const escaped: unknown[] = [];
      rig.server.events.onListenerError = (err) => escaped.push(err);
      const pc = openPc(rig);
      assert.ok(pc);
      const splitter = new PacketSplitter();
      pc.channel.events.on('data', (chunk) => {
        for (const packet of splitter.push(chunk)) assert.ok((packet[0] as number) >= 0x80, `response code ${packet[0]}`);
      });
      for (const packet of packets) pc.channel.write(packet);
      // Longer than the server's operation timeout, so a half-finished operation is dropped.
      await rig.clock.runFor(40_000);
      assert.deepEqual(escaped, []);
      assert.ok(!splitter.failed);
      // A well-behaved PC still gets served.
      rig.model.setPermission(undefined, 'syncContacts', true);
      const good = await connectPc(rig, undefined, 'AA:BB:CC:DD:EE:02');
      const size = await pull(rig, good, PbapObjectType.Phonebook, 'telecom/pb.vcf', { maxListCount: 0 });
      assert.equal(size.params.phonebookSize, 2);
    }),
    { numRuns: 100 },
  );
});

test('garbage that cannot be framed closes that channel only', async () => {
  const rig = makeRig();
  rig.model.setPermission(undefined, 'syncContacts', true);
  const bad = openPc(rig);
  assert.ok(bad);
  // A "packet" whose length field is below 3 cannot be framed.
  bad.channel.write(Uint8Array.from([0x83, 0x00, 0x01, 0x00]));
  await rig.clock.runFor(100);
  assert.equal(bad.channel.open, false);
  assert.equal(rig.server.stats.sessionsOpen, 0);
  const good = await connectPc(rig, undefined, 'AA:BB:CC:DD:EE:02');
  assert.equal((await pull(rig, good, PbapObjectType.Phonebook, 'telecom/pb.vcf', { maxListCount: 0 })).params.phonebookSize, 1);
});
