/**
 * Two-controller test rig: a VirtualAir on a VirtualClock with a phone-like
 * peripheral host and a PC-like central host, brought up with the command
 * sequences bleno and noble send.
 */
import assert from 'node:assert/strict';
import { VirtualClock } from '../../../../src/link/virtual-clock';
import { VirtualAir } from '../../../../src/link/hci/controller/virtual-air';
import { VirtualAirTiming } from '../../../../src/link/hci/controller/air-timing';
import { VirtualControllerOptions } from '../../../../src/link/hci/controller/virtual-controller';
import { HciTraceEntry } from '../../../../src/link/hci/controller/hci-trace';
import { FakeHost } from './fake-host';

export const PHONE = '11:22:33:44:55:66';
export const PC = 'AA:BB:CC:DD:EE:01';
/** ADV data: flags + 128-bit service UUID; scan response: the name "SimPhone". */
export const ADV_DATA = '150201061106d0002d121e4b0fa4994eceb531f40579' + '00'.repeat(10);
export const SCAN_RSP = '0a090853696d50686f6e65' + '00'.repeat(21);

export interface Rig {
  clock: VirtualClock;
  air: VirtualAir;
  phone: FakeHost;
  pc: FakeHost;
  trace: HciTraceEntry[];
}

export function makeRig(model: Partial<VirtualAirTiming> = {}, phoneOptions: VirtualControllerOptions = {}): Rig {
  const clock = new VirtualClock();
  const trace: HciTraceEntry[] = [];
  const air = new VirtualAir({ clock, model, log: (e) => trace.push(e) });
  const phone = new FakeHost(air.addController(PHONE, phoneOptions));
  const pc = new FakeHost(air.addController(PC));
  return { clock, air, phone, pc, trace };
}

/** bleno's init and startAdvertising. */
export function bringUpPeripheral(host: FakeHost): void {
  host.send(0x0c03);
  host.send(0x0c01, 'fffffbff07f8bf3d');
  host.send(0x2001, '1f00000000000000');
  host.send(0x200a, '00');
  host.send(0x2006, 'a000a0000000000000000000000700');
  host.send(0x2009, '1f' + SCAN_RSP.slice(2));
  host.send(0x2009, SCAN_RSP);
  host.send(0x2008, ADV_DATA);
  host.send(0x200a, '01');
}

/** noble's init (event masks incl. Data Length Change). */
export function bringUpCentral(host: FakeHost): void {
  host.send(0x0c03);
  host.send(0x0c01, 'fffffbff07f8bf3d');
  host.send(0x2001, '5f00000000000000');
}

export function startScan(host: FakeHost, active: boolean, filterDuplicates: boolean): void {
  host.send(0x200c, '0001');
  host.send(0x200b, `${active ? '01' : '00'}120012000000`);
  host.send(0x200c, `01${filterDuplicates ? '01' : '00'}`);
}

/** LE_Create_Connection to the phone, as noble sends it. */
export function createConnection(host: FakeHost, peer = '665544332211'): void {
  host.send(0x200d, `600030000000${peer}000600120000002a0004000600`);
}

/** Brings both hosts up and connects; returns the central's and the peripheral's handles. */
export async function connect(rig: Rig): Promise<{ central: number; peripheral: number }> {
  bringUpPeripheral(rig.phone);
  bringUpCentral(rig.pc);
  createConnection(rig.pc);
  await rig.clock.runUntil(() => rig.pc.of('le-connection-complete').length > 0 && rig.phone.of('le-connection-complete').length > 0, 1000);
  const c = rig.pc.of('le-connection-complete').at(-1);
  const p = rig.phone.of('le-connection-complete').at(-1);
  assert.ok(c && p && c.status === 0 && p.status === 0);
  return { central: c.handle, peripheral: p.handle };
}

export function l2cap(cid: number, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + payload.length);
  out.set([payload.length & 0xff, payload.length >> 8, cid & 0xff, cid >> 8]);
  out.set(payload, 4);
  return out;
}
