/**
 * H4 framing, the ACL header, and the HCI command and event codecs: hex
 * fixtures paired with decoded values, round trips, typed errors, and a
 * splitter that survives any bytes cut anywhere.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeAclHeader, encodeAclHeader } from '../../../../src/link/hci/controller/acl-header';
import { fromHex, toHex, addressToBytes, bytesToAddress } from '../../../../src/link/hci/controller/byte-reader';
import { H4Packet, decodeH4, encodeH4 } from '../../../../src/link/hci/controller/h4-packet';
import { H4Splitter } from '../../../../src/link/hci/controller/h4-splitter';
import { HciCommand, decodeHciCommand, encodeHciCommand } from '../../../../src/link/hci/controller/hci-commands';
import { H4Type } from '../../../../src/link/hci/controller/hci-constants';
import { HciError, isHciError } from '../../../../src/link/hci/controller/hci-errors';
import { HciEvent, decodeHciEvent, encodeHciEvent } from '../../../../src/link/hci/controller/hci-events';
import { Opcode, commandName } from '../../../../src/link/hci/controller/hci-command-table';

test('H4 packets: hex fixtures decode to the expected objects and encode back', () => {
  const fixtures: [string, H4Packet][] = [
    ['01030c00', { type: H4Type.Command, opcode: 0x0c03, params: new Uint8Array(0) }],
    ['010c20020101', { type: H4Type.Command, opcode: 0x200c, params: Uint8Array.of(1, 1) }],
    ['024000070003000400020001', { type: H4Type.Acl, handle: 0x40, pb: 0, bc: 0, data: fromHex('03000400020001') }],
    ['024110020001ff', { type: H4Type.Acl, handle: 0x41, pb: 1, bc: 0, data: Uint8Array.of(1, 0xff) }],
    ['040e0401030c00', { type: H4Type.Event, code: 0x0e, params: fromHex('01030c00') }],
  ];
  for (const [hex, packet] of fixtures) {
    assert.deepEqual(decodeH4(fromHex(hex)), packet, hex);
    assert.equal(toHex(encodeH4(packet)), hex);
  }
});

test('H4 decode: bad type, truncated and overlong packets are typed errors', () => {
  assert.throws(() => decodeH4(fromHex('0903')), (e: unknown) => isHciError(e, 'hci.bad-packet-type') && e.offset === 0);
  assert.throws(() => decodeH4(fromHex('01030c02aa')), (e: unknown) => isHciError(e, 'hci.truncated'));
  assert.throws(() => decodeH4(fromHex('01030c00aa')), (e: unknown) => isHciError(e, 'hci.bad-length') && e.offset === 4);
  assert.throws(() => decodeH4(new Uint8Array(0)), (e: unknown) => isHciError(e, 'hci.truncated'));
});

test('ACL header: handle, PB and BC flags and length share four bytes', () => {
  assert.deepEqual(decodeAclHeader(fromHex('4020fb00')), { handle: 0x40, pb: 2, bc: 0, length: 251 });
  assert.equal(toHex(encodeAclHeader({ handle: 0xeff, pb: 1, bc: 1, length: 0x1234 })), 'ff5e3412');
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 0xfff }), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 0xffff }), (handle, pb, bc, length) => {
      assert.deepEqual(decodeAclHeader(encodeAclHeader({ handle, pb, bc, length })), { handle, pb, bc, length });
    }),
    { numRuns: 300 },
  );
  assert.throws(() => encodeAclHeader({ handle: 0x1000, pb: 0, bc: 0, length: 0 }), (e: unknown) => isHciError(e, 'hci.bad-value'));
  assert.throws(() => decodeAclHeader(fromHex('4020fb')), (e: unknown) => isHciError(e, 'hci.truncated'));
});

test('BD_ADDR text and wire order are reverses of each other', () => {
  assert.equal(toHex(addressToBytes('11:22:33:44:55:66')), '665544332211');
  assert.equal(bytesToAddress(fromHex('01eeddccbbaa')), 'AA:BB:CC:DD:EE:01');
  assert.throws(() => addressToBytes('11:22:33'), (e: unknown) => isHciError(e, 'hci.bad-value'));
});

test('commands from the libraries decode to typed values (pairs from the reference trace)', () => {
  const fixtures: [number, string, HciCommand][] = [
    [0x0c03, '', { op: 'plain', opcode: 0x0c03 }],
    [0x0c01, 'fffffbff07f8bf3d', { op: 'set-event-mask', mask: fromHex('fffffbff07f8bf3d') }],
    [0x0c6d, '0100', { op: 'write-le-host-supported', le: 1, simultaneous: 0 }],
    [0x200c, '0101', { op: 'le-set-scan-enable', enable: 1, filterDuplicates: 1 }],
    [0x200b, '01120012000000', { op: 'le-set-scan-parameters', scanType: 1, interval: 0x12, window: 0x12, ownAddressType: 0, filterPolicy: 0 }],
    [
      0x2006,
      'a000a0000000000000000000000700',
      { op: 'le-set-advertising-parameters', intervalMin: 0xa0, intervalMax: 0xa0, advertisingType: 0, ownAddressType: 0, peerAddressType: 0, peerAddress: new Uint8Array(6), channelMap: 7, filterPolicy: 0 },
    ],
    [0x2009, '0a090853696d50686f6e65' + '00'.repeat(21), { op: 'le-set-scan-response-data', data: fromHex('090853696d50686f6e65') }],
    [
      0x200d,
      '600030000000665544332211000600120000002a0004000600',
      {
        op: 'le-create-connection',
        scanInterval: 0x60,
        scanWindow: 0x30,
        initiatorFilterPolicy: 0,
        peerAddressType: 0,
        peerAddress: fromHex('665544332211'),
        ownAddressType: 0,
        intervalMin: 6,
        intervalMax: 0x12,
        latency: 0,
        supervisionTimeout: 0x2a,
        minCeLength: 4,
        maxCeLength: 6,
      },
    ],
    [0x0406, '400013', { op: 'disconnect', handle: 0x40, reason: 0x13 }],
    [
      0x2019,
      '4000' + '00'.repeat(8) + '0000' + '11'.repeat(16),
      { op: 'le-start-encryption', handle: 0x40, random: new Uint8Array(8), ediv: 0, ltk: fromHex('11'.repeat(16)) },
    ],
    [0x2022, '4000fb004808', { op: 'le-set-data-length', handle: 0x40, txOctets: 251, txTime: 2120 }],
    [0xfc06, 'abcd', { op: 'raw', opcode: 0xfc06, params: fromHex('abcd') }],
  ];
  for (const [opcode, hex, command] of fixtures) {
    assert.deepEqual(decodeHciCommand({ opcode, params: fromHex(hex) }), command, commandName(opcode));
    const encoded = encodeHciCommand(command);
    assert.equal(encoded.opcode, opcode);
    assert.equal(toHex(encoded.params), hex);
  }
});

test('known commands with short, long or out-of-range parameters are typed errors', () => {
  const bad: [number, string, string][] = [
    [Opcode.Disconnect, '4000', 'hci.truncated'],
    [Opcode.Disconnect, '40001300', 'hci.bad-length'],
    [Opcode.Disconnect, '00f013', 'hci.bad-value'],
    [Opcode.Reset, '00', 'hci.bad-length'],
    [Opcode.LeSetAdvertisingData, '20' + '00'.repeat(31), 'hci.bad-value'],
    [Opcode.LeSetAdvertisingData, '05aabb', 'hci.truncated'],
  ];
  for (const [opcode, hex, code] of bad) {
    assert.throws(() => decodeHciCommand({ opcode, params: fromHex(hex) }), (e: unknown) => isHciError(e, code as never), `${hex}`);
  }
  // Shorter advertising data parameters that still hold the announced bytes are accepted.
  assert.deepEqual(decodeHciCommand({ opcode: Opcode.LeSetAdvertisingData, params: fromHex('020106') }), { op: 'le-set-advertising-data', data: fromHex('0106') });
});

test('any command parameters decode to a value or a typed error, and decoded values re-encode to the same command', () => {
  const opcodes = fc.constantFrom(...Object.values(Opcode), 0x0000, 0xfc01, 0x1234);
  fc.assert(
    fc.property(opcodes, fc.uint8Array({ maxLength: 40 }), (opcode, params) => {
      let command: HciCommand;
      try {
        command = decodeHciCommand({ opcode, params });
      } catch (e) {
        assert.ok(e instanceof HciError, `untyped error ${String(e)}`);
        return;
      }
      const again = encodeHciCommand(command);
      assert.equal(again.opcode, opcode);
      assert.deepEqual(decodeHciCommand(again), command);
    }),
    { numRuns: 1000 },
  );
});

test('events the controller sends: hex fixtures paired with decoded values', () => {
  const fixtures: [string, HciEvent][] = [
    ['0e0401030c00', { kind: 'command-complete', numCommandPackets: 1, opcode: 0x0c03, returnParams: Uint8Array.of(0) }],
    ['0f0400010d20', { kind: 'command-status', status: 0, numCommandPackets: 1, opcode: 0x200d }],
    ['050400400013', { kind: 'disconnection-complete', status: 0, handle: 0x40, reason: 0x13 }],
    ['080400400001', { kind: 'encryption-change', status: 0, handle: 0x40, enabled: 1 }],
    ['1305014000 0200'.replace(' ', ''), { kind: 'number-of-completed-packets', entries: [{ handle: 0x40, count: 2 }] }],
    [
      '3e1301004000010001eeddccbbaa18000000c80000',
      {
        kind: 'le-connection-complete',
        status: 0,
        handle: 0x40,
        role: 1,
        peerAddressType: 0,
        peerAddress: fromHex('01eeddccbbaa'),
        interval: 24,
        latency: 0,
        supervisionTimeout: 200,
        clockAccuracy: 0,
      },
    ],
    [
      '3e0f02010400665544332211030201 06d6',
      { kind: 'le-advertising-report', reports: [{ eventType: 4, addressType: 0, address: fromHex('665544332211'), data: fromHex('020106'), rssi: -42 }] },
    ],
    ['3e0d05400001020304050607083412', { kind: 'le-long-term-key-request', handle: 0x40, random: fromHex('0102030405060708'), ediv: 0x1234 }],
    ['3e0b074000fb004808fb004808', { kind: 'le-data-length-change', handle: 0x40, maxTxOctets: 251, maxTxTime: 2120, maxRxOctets: 251, maxRxTime: 2120 }],
    ['3e0a03004000180000002a00', { kind: 'le-connection-update-complete', status: 0, handle: 0x40, interval: 24, latency: 0, supervisionTimeout: 42 }],
    ['3e0c0400400021000000000000 00'.replace(' ', ''), { kind: 'le-read-remote-features-complete', status: 0, handle: 0x40, features: fromHex('2100000000000000') }],
    ['ff02abcd', { kind: 'unknown', code: 0xff, params: fromHex('abcd') }],
  ];
  for (const [hex, event] of fixtures) {
    const clean = hex.replace(/\s/g, '');
    const code = parseInt(clean.slice(0, 2), 16);
    const params = fromHex(clean.slice(4));
    assert.equal(parseInt(clean.slice(2, 4), 16), params.length, `length byte of ${clean}`);
    assert.deepEqual(decodeHciEvent({ code, params }), event, clean);
    const encoded = encodeHciEvent(event);
    assert.equal(encoded.code, code);
    assert.equal(toHex(encoded.params), clean.slice(4));
  }
});

const bytes = (n: number): fc.Arbitrary<Uint8Array> => fc.uint8Array({ minLength: n, maxLength: n });
const u8 = fc.integer({ min: 0, max: 0xff });
const u16 = fc.integer({ min: 0, max: 0xffff });
const handle = fc.integer({ min: 0, max: 0xeff });
const eventArb: fc.Arbitrary<HciEvent> = fc.oneof(
  fc.record({ kind: fc.constant('command-complete' as const), numCommandPackets: u8, opcode: u16, returnParams: fc.uint8Array({ maxLength: 60 }) }),
  fc.record({ kind: fc.constant('command-status' as const), status: u8, numCommandPackets: u8, opcode: u16 }),
  fc.record({ kind: fc.constant('disconnection-complete' as const), status: u8, handle, reason: u8 }),
  fc.record({ kind: fc.constant('encryption-change' as const), status: u8, handle, enabled: u8 }),
  fc.record({ kind: fc.constant('number-of-completed-packets' as const), entries: fc.array(fc.record({ handle, count: u16 }), { maxLength: 8 }) }),
  fc.record({
    kind: fc.constant('le-connection-complete' as const),
    status: u8,
    handle,
    role: u8,
    peerAddressType: u8,
    peerAddress: bytes(6),
    interval: u16,
    latency: u16,
    supervisionTimeout: u16,
    clockAccuracy: u8,
  }),
  fc.record({
    kind: fc.constant('le-advertising-report' as const),
    reports: fc.array(
      fc.record({ eventType: u8, addressType: u8, address: bytes(6), data: fc.uint8Array({ maxLength: 31 }), rssi: fc.integer({ min: -128, max: 127 }) }),
      { maxLength: 3 },
    ),
  }),
  fc.record({ kind: fc.constant('le-long-term-key-request' as const), handle, random: bytes(8), ediv: u16 }),
  fc.record({ kind: fc.constant('le-data-length-change' as const), handle, maxTxOctets: u16, maxTxTime: u16, maxRxOctets: u16, maxRxTime: u16 }),
);

test('every event value survives encode then decode, and as H4 bytes', () => {
  fc.assert(
    fc.property(eventArb, (generated) => {
      const event = structuredClone(generated);
      const packet = encodeHciEvent(event);
      assert.deepEqual(decodeHciEvent(packet), event);
      const again = decodeH4(encodeH4(packet));
      assert.deepEqual(again, packet);
    }),
    { numRuns: 500 },
  );
});

test('any event bytes decode to a value or a typed error', () => {
  fc.assert(
    fc.property(fc.constantFrom(0x05, 0x08, 0x0e, 0x0f, 0x10, 0x13, 0x3e, 0x99), fc.uint8Array({ maxLength: 40 }), (code, params) => {
      try {
        decodeHciEvent({ code, params });
      } catch (e) {
        assert.ok(e instanceof HciError, `untyped error ${String(e)}`);
      }
    }),
    { numRuns: 1000 },
  );
});

const packetArb: fc.Arbitrary<H4Packet> = fc.oneof(
  fc.record({ type: fc.constant(H4Type.Command), opcode: u16, params: fc.uint8Array({ maxLength: 40 }) }),
  fc.record({ type: fc.constant(H4Type.Acl), handle, pb: fc.integer({ min: 0, max: 3 }), bc: fc.integer({ min: 0, max: 3 }), data: fc.uint8Array({ maxLength: 300 }) }),
);

/** Cuts `bytes` at the given fractions. */
function cut(bytes: Uint8Array, points: number[]): Uint8Array[] {
  const at = [...new Set(points.map((p) => Math.floor(p * bytes.length)))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let prev = 0;
  for (const p of [...at, bytes.length]) {
    out.push(bytes.subarray(prev, p));
    prev = p;
  }
  return out;
}

test('splitter: packets cut anywhere come out whole and in order', () => {
  fc.assert(
    fc.property(fc.array(packetArb, { minLength: 1, maxLength: 8 }), fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 12 }), (generated, points) => {
      const packets = structuredClone(generated);
      const stream = Buffer.concat(packets.map((p) => encodeH4(p)));
      const splitter = new H4Splitter();
      const out: H4Packet[] = [];
      for (const chunk of cut(new Uint8Array(stream), points)) {
        for (const item of splitter.push(chunk)) {
          assert.equal(item.kind, 'packet');
          if (item.kind === 'packet') out.push(item.packet);
        }
      }
      assert.deepEqual(out, packets);
      assert.equal(splitter.buffered, 0);
    }),
    { numRuns: 400 },
  );
});

test('splitter: any bytes give packets or typed errors, never a throw, and the buffer stays bounded', () => {
  fc.assert(
    fc.property(fc.array(fc.uint8Array({ maxLength: 600 }), { maxLength: 6 }), (chunks) => {
      const splitter = new H4Splitter({ maxAclLength: 300 });
      for (const chunk of chunks) {
        for (const item of splitter.push(chunk)) {
          if (item.kind === 'error') assert.ok(item.error instanceof HciError && item.skipped >= 1);
        }
        assert.ok(splitter.buffered < splitter.capacity);
      }
    }),
    { numRuns: 500 },
  );
});

test('splitter: resynchronises after an unknown type byte and after an impossible ACL length', () => {
  const splitter = new H4Splitter({ maxAclLength: 251 });
  // Junk, a Reset, an ACL header announcing 0x0fff bytes, then Set_Event_Mask with no parameters.
  const items = splitter.push(fromHex('ffee' + '01030c00' + '024000ff0f' + '01010c00'));
  const kinds = items.map((i) => (i.kind === 'packet' ? `packet:${i.packet.type}` : `error:${i.error.code}@${i.error.offset}`));
  assert.deepEqual(kinds, [
    'error:hci.bad-packet-type@0', // ff ee, reported once
    `packet:${H4Type.Command}`,
    'error:hci.bad-length@9', // the length field of the ACL header; its type byte is skipped
    'error:hci.bad-packet-type@7', // 40 00 ff 0f cannot start packets
    `packet:${H4Type.Command}`,
  ]);
  const last = items[items.length - 1];
  assert.ok(last?.kind === 'packet' && last.packet.type === H4Type.Command && last.packet.opcode === 0x0c01);
  // Split across pushes, the same stream gives the same items.
  const again = new H4Splitter({ maxAclLength: 251 });
  const stream = fromHex('ffee01030c00024000ff0f01010c00');
  const pieces = [...stream].flatMap((b) => again.push(Uint8Array.of(b)));
  assert.deepEqual(
    pieces.map((i) => (i.kind === 'packet' ? 'packet' : `${i.error.code}@${i.error.offset}`)),
    ['hci.bad-packet-type@0', 'hci.bad-packet-type@1', 'packet', 'hci.bad-length@9', 'hci.bad-packet-type@7', 'packet'],
  );
  // Events are not accepted from a host.
  const fromHost = new H4Splitter().push(fromHex('040e0401030c00'));
  assert.equal(fromHost[0]?.kind, 'error');
});
