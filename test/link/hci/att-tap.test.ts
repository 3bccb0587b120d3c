/**
 * AttTap: ATT read out of ACL packets: L2CAP reassembly across fragments,
 * characteristic and CCCD handles learnt from discovery responses, PDUs
 * named by characteristic, error codes, malformed frames reported, and
 * arbitrary bytes never throwing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { AttTap, MAX_L2CAP_FRAME, attPduName } from '../../../src/link/hci/att-tap';
import type { PduTapEvent } from '../../../src/link/memory/air-events';

const NS = '9FBF120D-6301-42D9-8C58-25E699A21DBD';
const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
/** An L2CAP frame on the ATT channel. */
const att = (pdu: string): Uint8Array => {
  const body = hex(pdu);
  return Uint8Array.from([body.length & 0xff, body.length >> 8, 0x04, 0x00, ...body]);
};
// 9fbf120d-6301-42d9-8c58-25e699a21dbd little-endian
const NS_LE = 'bd1da299e625588cd94201630d12bf9f';

function rig() {
  const pdus: PduTapEvent[] = [];
  const malformed: string[] = [];
  const tap = new AttTap({ onPdu: (e) => pdus.push(e), onMalformed: (_c, reason) => malformed.push(reason) });
  return { tap, pdus, malformed };
}

test('characteristic and CCCD handles are learnt from discovery and name later PDUs', () => {
  const { tap, pdus } = rig();
  // Read By Type (0x2803) request and its response: declaration at 0x000b, properties notify, value handle 0x000c.
  tap.acl(0, 64, 'toPeripheral', 0b00, att('08 0100 ffff 0328'));
  tap.acl(1, 64, 'toCentral', 0b00, att(`09 15 0b00 10 0c00 ${NS_LE}`));
  // Read By Type (0x2902) finds the CCCD at 0x000d.
  tap.acl(2, 64, 'toPeripheral', 0b00, att('08 0d00 0d00 0229'));
  tap.acl(3, 64, 'toCentral', 0b00, att('09 04 0d00 0000'));
  tap.acl(4, 64, 'toPeripheral', 0b00, att('12 0d00 0100'));
  tap.acl(5, 64, 'toCentral', 0b00, att('1b 0c00 00 01 02 03'));
  const cccd = pdus.find((p) => p.kind === 'ATT_WRITE_REQ');
  assert.equal(cccd?.characteristic, NS);
  assert.equal(cccd?.descriptor, '2902');
  assert.deepEqual([...(cccd?.value ?? [])], [1, 0]);
  const ntf = pdus.find((p) => p.kind === 'ATT_HANDLE_VALUE_NTF');
  assert.deepEqual(ntf, { time: 5, connectionId: 64, direction: 'toCentral', kind: 'ATT_HANDLE_VALUE_NTF', bytes: 7, llPackets: 1, characteristic: NS, value: Uint8Array.of(0, 1, 2, 3) });
});

test('a CCCD found by Find Information belongs to the characteristic before it', () => {
  const { tap, pdus } = rig();
  tap.acl(0, 1, 'toPeripheral', 0b00, att('08 0100 ffff 0328'));
  tap.acl(0, 1, 'toCentral', 0b00, att('09 07 0200 12 0300 292a'));
  tap.acl(0, 1, 'toCentral', 0b00, att('05 01 0400 0229'));
  tap.acl(0, 1, 'toPeripheral', 0b00, att('12 0400 0200'));
  assert.equal(pdus.at(-1)?.characteristic, '2A29');
  assert.equal(pdus.at(-1)?.descriptor, '2902');
});

test('a frame cut over several ACL packets is one PDU counting its packets', () => {
  const { tap, pdus } = rig();
  const frame = att(`1b 2000 ${'ab'.repeat(100)}`);
  tap.acl(0, 7, 'toCentral', 0b00, frame.subarray(0, 27));
  tap.acl(1, 7, 'toCentral', 0b01, frame.subarray(27, 54));
  assert.equal(pdus.length, 0);
  tap.acl(2, 7, 'toCentral', 0b01, frame.subarray(54));
  assert.equal(pdus.length, 1);
  assert.equal(pdus[0]?.bytes, 103);
  assert.equal(pdus[0]?.llPackets, 3);
  assert.equal(pdus[0]?.value?.length, 100);
});

test('error responses carry their ATT code; other channels (SMP) are skipped', () => {
  const { tap, pdus } = rig();
  tap.acl(0, 1, 'toCentral', 0b00, att('01 12 0d00 05'));
  tap.acl(0, 1, 'toPeripheral', 0b00, Uint8Array.from([2, 0, 0x06, 0x00, 0x01, 0x03]));
  assert.equal(pdus.length, 1);
  assert.equal(pdus[0]?.kind, 'ATT_ERROR_RSP');
  assert.equal(pdus[0]?.attCode, 0x05);
  assert.equal(attPduName(0x77), 'ATT_0x77');
});

test('malformed frames are reported and do not poison the next one', () => {
  const { tap, pdus, malformed } = rig();
  tap.acl(0, 1, 'toCentral', 0b01, hex('0102'));
  tap.acl(0, 1, 'toCentral', 0b00, hex('01'));
  tap.acl(0, 1, 'toCentral', 0b00, Uint8Array.from([0xff, 0xff, 4, 0]));
  tap.acl(0, 1, 'toCentral', 0b00, Uint8Array.from([1, 0, 4, 0, 0x13, 0x99]));
  assert.equal(malformed.length, 4, malformed.join('; '));
  assert.ok(malformed.some((m) => m.includes(String(MAX_L2CAP_FRAME))));
  tap.acl(0, 1, 'toCentral', 0b00, att('13'));
  assert.deepEqual(pdus.map((p) => p.kind), ['ATT_WRITE_RSP']);
  tap.disconnected(1);
});

test('any ACL traffic never throws', () => {
  fc.assert(
    fc.property(fc.array(fc.record({ pb: fc.constantFrom(0, 1, 2), dir: fc.constantFrom('toCentral' as const, 'toPeripheral' as const), data: fc.uint8Array({ maxLength: 64 }) }), { maxLength: 40 }), (packets) => {
      const { tap } = rig();
      for (const p of packets) tap.acl(0, 1, p.dir, p.pb, p.data);
    }),
    { numRuns: 500 },
  );
});
