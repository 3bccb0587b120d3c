/**
 * LE encryption through the virtual controllers: LE_Start_Encryption, the
 * LTK Request on the peripheral, its reply or negative reply, and Encryption
 * Change on both sides; plus the optional in-controller LTK responder that
 * stands in for the Linux kernel (keys from a legacy Just Works SMP exchange
 * and from key distribution), and the `e`/`s1` functions.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fromHex, toHex } from '../../../../src/link/hci/controller/byte-reader';
import { leEncrypt, legacyStk } from '../../../../src/link/hci/controller/le-crypto';
import { isLegacyJustWorks } from '../../../../src/link/hci/controller/ltk-responder';
import { FakeHost } from './fake-host';
import { connect, l2cap, makeRig } from './rig';

const KEY = fromHex('00112233445566778899aabbccddeeff');
const OTHER = fromHex('ffeeddccbbaa99887766554433221100');
const hex16 = (n: number): string => `${(n & 0xff).toString(16).padStart(2, '0')}${(n >> 8).toString(16).padStart(2, '0')}`;

function startEncryption(host: FakeHost, handle: number, ltk: Uint8Array, ediv = 0, random = '0000000000000000'): void {
  host.send(0x2019, `${hex16(handle)}${random}${hex16(ediv)}${toHex(ltk)}`);
}

test('matching keys: LTK Request on the peripheral, then Encryption Change 0 with encryption on, on both sides', async () => {
  const rig = makeRig();
  const { central, peripheral } = await connect(rig);
  startEncryption(rig.pc, central, KEY, 0x1234, '0102030405060708');
  assert.equal(rig.pc.statusOf(0x2019), 0);
  await rig.clock.runUntil(() => rig.phone.of('le-long-term-key-request').length === 1, 100);
  const [request] = rig.phone.of('le-long-term-key-request');
  assert.deepEqual(request && [request.handle, request.ediv, toHex(request.random)], [peripheral, 0x1234, '0102030405060708']);
  rig.phone.send(0x201a, `${hex16(peripheral)}${toHex(KEY)}`);
  assert.deepEqual(rig.phone.of('command-complete').at(-1)?.returnParams, fromHex(`00${hex16(peripheral)}`));
  await rig.clock.runUntil(() => rig.pc.of('encryption-change').length === 1, 100);
  assert.deepEqual(rig.pc.of('encryption-change').map((e) => [e.status, e.handle, e.enabled]), [[0, central, 1]]);
  assert.deepEqual(rig.phone.of('encryption-change').map((e) => [e.status, e.handle, e.enabled]), [[0, peripheral, 1]]);
  assert.equal(rig.air.openLinks()[0]?.encrypted, true);
});

test('different keys give status 0x06 (PIN or Key Missing) and no encryption', async () => {
  const rig = makeRig();
  const { central, peripheral } = await connect(rig);
  startEncryption(rig.pc, central, KEY);
  await rig.clock.runUntil(() => rig.phone.of('le-long-term-key-request').length === 1, 100);
  rig.phone.send(0x201a, `${hex16(peripheral)}${toHex(OTHER)}`);
  await rig.clock.runUntil(() => rig.pc.of('encryption-change').length === 1, 100);
  assert.deepEqual(rig.pc.of('encryption-change').map((e) => [e.status, e.enabled]), [[0x06, 0]]);
  assert.deepEqual(rig.phone.of('encryption-change').map((e) => [e.status, e.enabled]), [[0x06, 0]]);
  assert.equal(rig.air.openLinks()[0]?.encrypted, false);
});

test('a negative reply gives status 0x06 on both sides; the link stays up', async () => {
  const rig = makeRig();
  const { central, peripheral } = await connect(rig);
  startEncryption(rig.pc, central, KEY);
  await rig.clock.runUntil(() => rig.phone.of('le-long-term-key-request').length === 1, 100);
  rig.phone.send(0x201b, hex16(peripheral));
  assert.deepEqual(rig.phone.of('command-complete').at(-1)?.returnParams, fromHex(`00${hex16(peripheral)}`));
  await rig.clock.runUntil(() => rig.pc.of('encryption-change').length === 1, 100);
  assert.deepEqual(rig.pc.of('encryption-change').map((e) => e.status), [0x06]);
  assert.equal(rig.air.openLinks().length, 1);
});

test('only the central starts encryption, once at a time; a reply needs a pending request', async () => {
  const rig = makeRig();
  const { central, peripheral } = await connect(rig);
  startEncryption(rig.phone, peripheral, KEY);
  assert.equal(rig.phone.statusOf(0x2019), 0x0c);
  rig.phone.send(0x201a, `${hex16(peripheral)}${toHex(KEY)}`);
  assert.deepEqual(rig.phone.of('command-complete').at(-1)?.returnParams, fromHex(`0c${hex16(peripheral)}`));
  startEncryption(rig.pc, central, KEY);
  startEncryption(rig.pc, central, KEY);
  assert.equal(rig.pc.statusOf(0x2019), 0x0c);
});

/** Runs the SMP PDUs of a legacy pairing between the two hosts; returns the STK. */
async function legacyPairing(rig: ReturnType<typeof makeRig>, handles: { central: number; peripheral: number }, preq: string, pres: string): Promise<Uint8Array> {
  const mrand = fromHex('0123456789abcdef0123456789abcdef');
  const srand = fromHex('fedcba9876543210fedcba9876543210');
  const steps: [FakeHost, number, string][] = [
    [rig.pc, handles.central, preq],
    [rig.phone, handles.peripheral, pres],
    [rig.pc, handles.central, '03' + '11'.repeat(16)],
    [rig.phone, handles.peripheral, '03' + '22'.repeat(16)],
    [rig.pc, handles.central, '04' + toHex(mrand)],
    [rig.phone, handles.peripheral, '04' + toHex(srand)],
  ];
  for (const [host, handle, pdu] of steps) {
    const before = (host === rig.pc ? rig.phone : rig.pc).acl.length;
    host.sendAcl(handle, l2cap(6, fromHex(pdu)));
    await rig.clock.runUntil(() => (host === rig.pc ? rig.phone : rig.pc).acl.length === before + 1, 200);
  }
  return legacyStk(new Uint8Array(16), srand, mrand);
}

test('answerLtkRequests: the controller derives the Just Works STK from SMP and answers the LTK Request itself', async () => {
  const rig = makeRig({}, { answerLtkRequests: true });
  const handles = await connect(rig);
  // noble's Pairing Request and bleno's Pairing Response (NoInputNoOutput, bonding, no MITM).
  const stk = await legacyPairing(rig, handles, '01030001100001', '02030001100001');
  startEncryption(rig.pc, handles.central, stk);
  await rig.clock.runUntil(() => rig.pc.of('encryption-change').length === 1, 200);
  assert.deepEqual(rig.pc.of('encryption-change').map((e) => [e.status, e.enabled]), [[0, 1]]);
  assert.deepEqual(rig.phone.of('encryption-change').map((e) => [e.status, e.enabled]), [[0, 1]]);
  // The host saw the request and, as on a raw Linux socket, the completion of the reply it did not send.
  assert.equal(rig.phone.of('le-long-term-key-request').length, 1);
  assert.ok(rig.phone.of('command-complete').some((e) => e.opcode === 0x201a));
  // The peripheral distributes an LTK (Encryption Information + Master Identification); a later link uses it.
  const ltk = fromHex('a1a2a3a4a5a6a7a8a9aaabacadaeafb0');
  rig.phone.sendAcl(handles.peripheral, l2cap(6, fromHex(`06${toHex(ltk)}`)));
  rig.phone.sendAcl(handles.peripheral, l2cap(6, fromHex('073412' + '1122334455667788')));
  await rig.clock.runFor(100);
  assert.equal(rig.phone.controller.ltkResponder?.storedKeys, 1);
  rig.pc.send(0x0406, `${hex16(handles.central)}13`);
  await rig.clock.runFor(100);
  rig.phone.send(0x200a, '01');
  rig.pc.clear();
  rig.phone.clear();
  rig.pc.send(0x200d, '600030000000665544332211000600120000002a0004000600');
  await rig.clock.runUntil(() => rig.pc.of('le-connection-complete').length === 1, 1000);
  const central = rig.pc.of('le-connection-complete')[0]?.handle ?? -1;
  startEncryption(rig.pc, central, ltk, 0x1234, '1122334455667788');
  await rig.clock.runUntil(() => rig.pc.of('encryption-change').length === 1, 200);
  assert.deepEqual(rig.pc.of('encryption-change').map((e) => [e.status, e.enabled]), [[0, 1]]);
  // An EDIV nobody distributed: the responder says no, as the kernel would.
  rig.phone.clear();
  rig.pc.send(0x0406, `${hex16(central)}13`);
  await rig.clock.runFor(100);
  rig.phone.send(0x200a, '01');
  rig.pc.clear();
  rig.pc.send(0x200d, '600030000000665544332211000600120000002a0004000600');
  await rig.clock.runUntil(() => rig.pc.of('le-connection-complete').length === 1, 1000);
  startEncryption(rig.pc, rig.pc.of('le-connection-complete')[0]?.handle ?? -1, ltk, 0x9999, '1122334455667788');
  await rig.clock.runUntil(() => rig.pc.of('encryption-change').length === 1, 200);
  assert.deepEqual(rig.pc.of('encryption-change').map((e) => e.status), [0x06]);
  assert.ok(rig.phone.of('command-complete').some((e) => e.opcode === 0x201b));
});

test('answerLtkRequests does not guess a passkey pairing: the request is refused', async () => {
  const rig = makeRig({}, { answerLtkRequests: true });
  const handles = await connect(rig);
  // KeyboardOnly with MITM on both sides: passkey entry, TK unknown to the controller.
  const stk = await legacyPairing(rig, handles, '01020005100001', '02020005100001');
  startEncryption(rig.pc, handles.central, stk);
  await rig.clock.runUntil(() => rig.pc.of('encryption-change').length === 1, 200);
  assert.deepEqual(rig.pc.of('encryption-change').map((e) => e.status), [0x06]);
});

test('Just Works detection follows the legacy IO capability rules', () => {
  const req = (io: number, auth: number, oob = 0): Uint8Array => Uint8Array.of(1, io, oob, auth, 16, 0, 1);
  const res = (io: number, auth: number, oob = 0): Uint8Array => Uint8Array.of(2, io, oob, auth, 16, 0, 1);
  assert.equal(isLegacyJustWorks(req(3, 1), res(3, 1)), true, 'no MITM');
  assert.equal(isLegacyJustWorks(req(2, 5), res(2, 5)), false, 'keyboard both sides, MITM');
  assert.equal(isLegacyJustWorks(req(2, 5), res(3, 1)), true, 'responder has no IO');
  assert.equal(isLegacyJustWorks(req(0, 5), res(1, 5)), true, 'display only / display yes-no');
  assert.equal(isLegacyJustWorks(req(4, 5), res(0, 1)), false, 'keyboard+display vs display: passkey');
  assert.equal(isLegacyJustWorks(req(3, 0x09), res(3, 0x09)), false, 'Secure Connections on both sides');
  assert.equal(isLegacyJustWorks(req(3, 1, 1), res(3, 1, 1)), false, 'OOB on both sides');
});

test('e and s1 match the published vectors', () => {
  const le = (hex: string): Uint8Array => Uint8Array.from(Buffer.from(hex, 'hex').reverse());
  // FIPS-197 appendix C.1, values in HCI (least significant octet first) order.
  assert.equal(toHex(leEncrypt(le('000102030405060708090a0b0c0d0e0f'), le('00112233445566778899aabbccddeeff'))), toHex(le('69c4e0d86a7b0430d8cdb78070b4c55a')));
  // Core spec s1 example: k = 0, r1 = 000F..7788, r2 = 0102..FF00.
  const stk = legacyStk(new Uint8Array(16), le('000f0e0d0c0b0a091122334455667788'), le('010203040506070899aabbccddeeff00'));
  assert.equal(toHex(stk), toHex(le('9a1fe1f0e8b0f49b5b4216ae796da062')));
});
