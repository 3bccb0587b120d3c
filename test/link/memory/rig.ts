/**
 * Shared set-up for the in-memory link tests: a virtual clock, an air, a
 * phone with a small test service, a PC, and helpers that run the clock
 * until a promise settles and report the virtual time it settled at.
 */
import { GattCharacteristicDefinition, GattPeer, GattServiceDefinition } from '../../../src/link/ble';
import { BleLinkModel, DEFAULT_BLE_MODEL } from '../../../src/link/link-model';
import { VirtualClock } from '../../../src/link/virtual-clock';
import { MemoryAir, MemoryCentral, MemoryConnection, MemoryPeripheral, PduTapEvent } from '../../../src/link/memory';

export const PHONE = '11:22:33:44:55:66';
export const PC = 'AA:BB:CC:DD:EE:01';
export const PC2 = 'AA:BB:CC:DD:EE:02';

export const SERVICE = 'FFF0';
/** Notify, open. */
export const NOTIFY = 'FFF1';
/** Read, write (both kinds), open. */
export const DATA = 'FFF2';
/** Read, write, notify; bonded (ANCS-like). */
export const BONDED = 'FFF3';
/** Read, write; encrypted only. */
export const ENCRYPTED = 'FFF4';

export interface Settled<T> {
  ok: boolean;
  value?: T;
  error?: unknown;
  /** Virtual time the promise settled at. */
  time: number;
}

export interface Rig {
  clock: VirtualClock;
  air: MemoryAir;
  model: BleLinkModel;
  phone: MemoryPeripheral;
  pc: MemoryCentral;
  /** Values written to DATA / BONDED / ENCRYPTED, with the time they arrived. */
  writes: { characteristic: string; value: Uint8Array; withResponse: boolean; time: number }[];
  /** The value DATA and BONDED answer reads with. */
  readValue: { current: Uint8Array };
  pdus: PduTapEvent[];
}

export interface RigOptions {
  model?: Partial<BleLinkModel>;
  seed?: number;
  pcMaxMtu?: number;
  /** Extra characteristics for the test service. */
  extra?: GattCharacteristicDefinition[];
}

export function makeRig(options: RigOptions = {}): Rig {
  const clock = new VirtualClock();
  const air = new MemoryAir(clock, { seed: options.seed ?? 1 });
  const model: BleLinkModel = { ...DEFAULT_BLE_MODEL, ...options.model };
  const phone = air.createPeripheral({ address: PHONE, model });
  const pc = air.createCentral({ address: PC, maxMtu: options.pcMaxMtu ?? 517 });
  const rig: Rig = { clock, air, model, phone, pc, writes: [], readValue: { current: Uint8Array.of(1, 2, 3) }, pdus: [] };
  air.events.on('pdu', (e) => rig.pdus.push(e));
  const recorder = (characteristic: string) => (_peer: GattPeer, value: Uint8Array, withResponse: boolean) => {
    rig.writes.push({ characteristic, value, withResponse, time: clock.now() });
  };
  const service: GattServiceDefinition = {
    uuid: SERVICE,
    characteristics: [
      { uuid: NOTIFY, properties: ['notify'], security: 'open' },
      {
        uuid: DATA,
        properties: ['read', 'write', 'writeWithoutResponse'],
        security: 'open',
        onRead: () => rig.readValue.current,
        onWrite: recorder(DATA),
      },
      {
        uuid: BONDED,
        properties: ['read', 'write', 'notify'],
        security: 'bonded',
        onRead: () => rig.readValue.current,
        onWrite: recorder(BONDED),
      },
      {
        uuid: ENCRYPTED,
        properties: ['read', 'write'],
        security: 'encrypted',
        onRead: () => rig.readValue.current,
        onWrite: recorder(ENCRYPTED),
      },
      ...(options.extra ?? []),
    ],
  };
  phone.addService(service);
  phone.startAdvertising({ localName: 'Test iPhone', serviceUuids: [SERVICE] });
  return rig;
}

/** Runs the clock until `promise` settles (or `timeoutMs` of virtual time passes). */
export async function settle<T>(clock: VirtualClock, promise: Promise<T>, timeoutMs = 60_000): Promise<Settled<T>> {
  let outcome: Settled<T> | undefined;
  promise.then(
    (value) => (outcome = { ok: true, value, time: clock.now() }),
    (error: unknown) => (outcome = { ok: false, error, time: clock.now() }),
  );
  await clock.runUntil(() => outcome !== undefined, timeoutMs);
  if (!outcome) throw new Error('unreachable: runUntil returned before the promise settled');
  return outcome;
}

/** Like settle, but fails the test unless the promise resolved. */
export async function resolved<T>(clock: VirtualClock, promise: Promise<T>, timeoutMs?: number): Promise<{ value: T; time: number }> {
  const s = await settle(clock, promise, timeoutMs);
  if (!s.ok) throw s.error;
  return { value: s.value as T, time: s.time };
}

/** Like settle, but fails the test unless the promise rejected; returns the error. */
export async function rejected(clock: VirtualClock, promise: Promise<unknown>, timeoutMs?: number): Promise<{ error: unknown; time: number }> {
  const s = await settle(clock, promise, timeoutMs);
  if (s.ok) throw new Error(`expected a rejection, got ${String(s.value)}`);
  return { error: s.error, time: s.time };
}

/** Connects the rig's PC (or `central`) to the phone. */
export async function connect(rig: Rig, central: MemoryCentral = rig.pc): Promise<MemoryConnection> {
  return (await resolved(rig.clock, central.connect(PHONE))).value;
}

/** The first connection event strictly after `time` on a link anchored at `anchor`. */
export function nextEvent(anchor: number, interval: number, time: number): number {
  return anchor + (Math.floor((time - anchor) / interval) + 1) * interval;
}

export function bytes(n: number, fill = 0xab): Uint8Array {
  return new Uint8Array(n).fill(fill);
}
