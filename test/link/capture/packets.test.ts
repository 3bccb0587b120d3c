/**
 * The capture encoders against hand-checked bytes: HCI commands and events
 * in H4 framing, ACL fragmentation and boundary flags, ATT PDUs, L2CAP
 * signalling, RFCOMM frames (FCS values as BlueZ's hcidump prints them for
 * the same frames) and multiplexer commands, and SDP data elements, records
 * and continuation.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  aclPackets,
  commandStatus,
  connectionComplete,
  disconnectionComplete,
  encryptionChange,
  HciOpcode,
  l2capFrame,
  leConnectionComplete,
  readBdAddr,
} from '../../../src/link/capture/hci-packets';
import { characteristicDeclaration, errorRsp, exchangeMtuReq, readByGroupTypeRsp, uuidBytesLe } from '../../../src/link/capture/att-pdus';
import { configureReq, configureRsp, connectionReq, connectionRsp, disconnectionReq } from '../../../src/link/capture/l2cap-signalling';
import { CREDIT_FLOW_REQUEST, RfcommFrameType, RfcommMcc, encodeMcc, encodeRfcommFrame, pnValue, rfcommFcs } from '../../../src/link/capture/rfcomm-frames';
import { DataElement, attributeLists, encodeDataElement, recordAttributes, ssaExchanges, ssaRequest } from '../../../src/link/capture/sdp-records';
import { decodeSdpElement, SdpValue } from '../../../src/link/capture/sdp-reader';
import { ANCS_NOTIFICATION_SOURCE_UUID, ANCS_SERVICE_UUID } from '../../../src/protocol/ancs';

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
const h = (text: string): string => text.replace(/\s+/g, '');

const PHONE = 'F0:99:B6:00:00:01';

test('HCI commands and events in H4 framing', () => {
  assert.equal(hex(commandStatus(HciOpcode.LeCreateConnection).bytes), h('04 0f 04 00 01 0d 20'));
  assert.equal(hex(leConnectionComplete(1, PHONE, { intervalMs: 30, supervisionTimeoutMs: 720 }).bytes), h('04 3e 13 01 00 0100 00 00 010000b699f0 1800 0000 4800 00'));
  assert.equal(hex(connectionComplete(2, PHONE).bytes), h('04 03 0b 00 0200 010000b699f0 01 00'));
  assert.equal(hex(disconnectionComplete(1, 0x16).bytes), h('04 05 04 00 0100 16'));
  assert.equal(hex(encryptionChange(2, true).bytes), h('04 08 04 00 0200 01'));
  const [command, complete] = readBdAddr('AA:BB:CC:DD:EE:01');
  assert.deepEqual([hex(command?.bytes ?? new Uint8Array()), command?.sent], [h('01 0910 00'), true]);
  assert.deepEqual([hex(complete?.bytes ?? new Uint8Array()), complete?.sent], [h('04 0e 0a 01 0910 00 01eeddccbbaa'), false]);
});

test('ACL packets cut an L2CAP frame at the buffer size, first then continuing', () => {
  const frame = l2capFrame(0x0004, new Uint8Array(596));
  const packets = aclPackets(1, frame, { sent: true, aclMtu: 251, first: 0b00 });
  assert.deepEqual(
    packets.map((p) => hex(p.bytes.subarray(0, 5))),
    [h('02 0100 fb00'), h('02 0110 fb00'), h('02 0110 6200')],
  );
  assert.equal(packets.reduce((n, p) => n + p.bytes.length - 5, 0), 600);
  const received = aclPackets(0x0eff, l2capFrame(0x0040, Uint8Array.of(1, 2)), { sent: false, aclMtu: 1021, first: 0b10 });
  assert.deepEqual(received.map((p) => [hex(p.bytes), p.sent]), [[h('02 ff2e 0600 0200 4000 0102'), false]]);
  assert.throws(() => aclPackets(0x0f00, frame, { sent: true, aclMtu: 27, first: 0 }), RangeError);
});

test('ATT PDUs carry handles little-endian and UUIDs least significant byte first', () => {
  assert.equal(hex(uuidBytesLe(ANCS_SERVICE_UUID)), h('d0002d121e4b0fa4994eceb531f40579'));
  assert.equal(hex(exchangeMtuReq(517)), h('02 0502'));
  assert.equal(hex(errorRsp(0x12, 0x000d, 0x05)), h('01 12 0d00 05'));
  assert.equal(hex(readByGroupTypeRsp([{ start: 5, end: 13, uuid: ANCS_SERVICE_UUID }])), h('11 14 0500 0d00 d0002d121e4b0fa4994eceb531f40579'));
  assert.equal(hex(characteristicDeclaration(0x10, 7, ANCS_NOTIFICATION_SOURCE_UUID)), h('10 0700 bd1da299e625588cd9420163 0d12bf9f'));
});

test('L2CAP signalling commands', () => {
  assert.equal(hex(connectionReq(1, 0x0003, 0x0040)), h('02 01 0400 0300 4000'));
  assert.equal(hex(connectionRsp(1, 0x0041, 0x0040)), h('03 01 0800 4100 4000 0000 0000'));
  assert.equal(hex(configureReq(2, 0x0041, 1013)), h('04 02 0800 4100 0000 01 02 f503'));
  assert.equal(hex(configureRsp(2, 0x0040)), h('05 02 0600 4000 0000 0000'));
  assert.equal(hex(disconnectionReq(3, 0x0041, 0x0040)), h('06 03 0400 4100 4000'));
});

test('RFCOMM frames: address, control, length, credits and FCS', () => {
  // SABM and DISC from the initiator, UA from the responder, on DLCI 0.
  assert.equal(hex(encodeRfcommFrame({ dlci: 0, cr: true, type: RfcommFrameType.SABM, pf: true })), '033f011c');
  assert.equal(hex(encodeRfcommFrame({ dlci: 0, cr: true, type: RfcommFrameType.UA, pf: true })), '037301d7');
  assert.equal(hex(encodeRfcommFrame({ dlci: 0, cr: true, type: RfcommFrameType.DISC, pf: true })), '035301fd');
  // PN for channel 8 (DLCI 16): credit flow asked for, priority 7, N1 990, 7 credits; UIH FCS covers address and control only.
  const pn = encodeMcc(RfcommMcc.PN, true, pnValue({ dlci: 16, convergence: CREDIT_FLOW_REQUEST, priority: 7, frameSize: 990, credits: 7 }));
  assert.equal(hex(pn), h('83 11 10 f0 07 00 de03 00 07'));
  assert.equal(hex(encodeRfcommFrame({ dlci: 0, cr: true, type: RfcommFrameType.UIH, pf: false, payload: pn })), h('03 ef 15 8311 10f0 0700 de03 0007 70'));
  const credit = encodeRfcommFrame({ dlci: 16, cr: true, type: RfcommFrameType.UIH, pf: true, credits: 4 });
  assert.equal(hex(credit), h(`43 ff 01 04 ${rfcommFcs(Uint8Array.of(0x43, 0xff)).toString(16).padStart(2, '0')}`));
  const long = encodeRfcommFrame({ dlci: 26, cr: false, type: RfcommFrameType.UIH, pf: false, payload: new Uint8Array(200) });
  assert.equal(hex(long.subarray(0, 4)), h('69 ef 90 01'));
  assert.equal(long.length, 4 + 200 + 1);
});

test('SDP data elements and a service search attribute request', () => {
  const cases: Array<[DataElement, string]> = [
    [{ type: 'uint', bytes: 1, value: 8 }, '08 08'],
    [{ type: 'uint', bytes: 2, value: 0x0102 }, '09 0102'],
    [{ type: 'uint', bytes: 4, value: 0x0001000d }, '0a 0001000d'],
    [{ type: 'uuid16', value: 0x112f }, '19 112f'],
    [{ type: 'text', value: 'PB' }, '25 02 5042'],
    [{ type: 'seq', items: [{ type: 'uuid16', value: 0x0100 }] }, '35 03 19 0100'],
  ];
  for (const [element, bytes] of cases) assert.equal(hex(encodeDataElement(element)), h(bytes));
  assert.equal(hex(encodeDataElement({ type: 'text', value: 'x'.repeat(300) }).subarray(0, 3)), h('26 012c'));
  assert.equal(hex(ssaRequest(1, 0x112f, 0xffff, new Uint8Array(0))), h('06 0001 000f 35 03 19112f ffff 35 05 0a 0000ffff 00'));
});

const PBAP_RECORD = {
  serviceClasses: [0x112f],
  profile: { uuid: 0x1130, version: 0x0102 },
  channel: 13,
  name: 'Phonebook',
  attributes: { 0x0317: 3, 0x0314: 1 },
};

test('a PBAP record lists its attributes in id order, OBEX on RFCOMM, with the profile sizes', () => {
  const attributes = recordAttributes(PBAP_RECORD, 0x0001000d);
  assert.deepEqual(attributes.map(([id]) => id), [0x0000, 0x0001, 0x0004, 0x0005, 0x0006, 0x0009, 0x0100, 0x0314, 0x0317]);
  const protocols = attributes.find(([id]) => id === 0x0004)?.[1];
  assert.equal(hex(encodeDataElement(protocols ?? { type: 'seq', items: [] })), h('35 11 3503 190100 3505 190003 080d 3503 190008'));
  assert.equal(hex(encodeDataElement(attributes.find(([id]) => id === 0x0317)?.[1] ?? { type: 'seq', items: [] })), h('0a 00000003'));
  assert.equal(hex(encodeDataElement(attributes.find(([id]) => id === 0x0314)?.[1] ?? { type: 'seq', items: [] })), h('08 01'));
});

test('an answer larger than one response continues with 2-byte offsets', () => {
  const lists = new Uint8Array(1500).map((_, i) => i & 0xff);
  const exchanges = ssaExchanges(7, 0x112f, lists, 662);
  assert.equal(exchanges.length, 3);
  // Transaction ids count up; each request after the first carries the continuation state it was given.
  assert.deepEqual(exchanges.map((e) => hex(e.request.subarray(1, 3))), ['0007', '0008', '0009']);
  const tail = (bytes: Uint8Array, n: number): string => hex(bytes.subarray(bytes.length - n));
  assert.deepEqual([tail(exchanges[0]?.request ?? new Uint8Array(1), 1), tail(exchanges[1]?.request ?? new Uint8Array(3), 3), tail(exchanges[2]?.request ?? new Uint8Array(3), 3)], ['00', '020296', '02052c']);
  assert.deepEqual([tail(exchanges[0]?.response ?? new Uint8Array(3), 3), tail(exchanges[1]?.response ?? new Uint8Array(3), 3), tail(exchanges[2]?.response ?? new Uint8Array(1), 1)], ['020296', '02052c', '00']);
  const joined = Buffer.concat(exchanges.map((e) => e.response.subarray(7, 7 + ((e.response[5] as number) << 8 | (e.response[6] as number)))));
  assert.deepEqual(new Uint8Array(joined), lists);
});

const elementArb: fc.Arbitrary<DataElement> = fc.letrec<{ element: DataElement }>((tie) => ({
  element: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.record({ type: fc.constant('uint' as const), bytes: fc.constantFrom(1 as const, 2 as const, 4 as const), value: fc.integer({ min: 0, max: 255 }) }),
    fc.record({ type: fc.constant('uuid16' as const), value: fc.integer({ min: 0, max: 0xffff }) }),
    fc.record({ type: fc.constant('text' as const), value: fc.string({ maxLength: 20 }) }),
    fc.record({ type: fc.constant('seq' as const), items: fc.array(tie('element'), { maxLength: 4 }) }),
  ),
})).element;

function expectedValue(element: DataElement): SdpValue {
  switch (element.type) {
    case 'uint':
      return { type: 'uint', value: element.value };
    case 'uuid16':
      return { type: 'uuid', value: element.value.toString(16).toUpperCase().padStart(4, '0') };
    case 'text':
      return { type: 'text', value: element.value };
    case 'seq':
      return { type: 'seq', items: element.items.map(expectedValue) };
  }
}

test('data elements decode to what was encoded', () => {
  fc.assert(
    fc.property(elementArb, (element) => {
      const bytes = encodeDataElement(element);
      const { value, next } = decodeSdpElement(bytes);
      assert.equal(next, bytes.length);
      assert.deepEqual(value, expectedValue(element));
    }),
    { numRuns: 500 },
  );
  assert.ok(attributeLists(PBAP_RECORD, 1).length > 40);
});
