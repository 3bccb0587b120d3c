/**
 * The few things the phone side needs that bleno 0.12 keeps private, reached
 * defensively in one place: each accessor checks the shape it finds and
 * returns undefined (the caller then does without) instead of throwing.
 *
 * - the HCI layer's `disconnComplete` (handle, reason) and `encryptChange`
 *   (handle, encrypted) events: bleno's public `disconnect` event has no
 *   reason, and bleno says nothing public about encryption;
 * - the HCI driver's `error` events (a UART port that cannot be opened),
 *   which bleno only prints in debug output;
 * - the ATT layer's per-connection MTU: bleno's `mtuChange` event does not say
 *   which connection it is for;
 * - the ATT layer's largest accepted MTU (fixed at 256 otherwise) and the GAP
 *   Device Name that `startAdvertisingWithEIRData` leaves untouched;
 * - a direct HCI Disconnect, because `bleno.disconnect(0)` disconnects every
 *   link (handle 0 is falsy there);
 * - a repair of bleno's SMP listener, without which bleno cannot pair;
 * - the attribute table (`_handles`) that every setServices rebuilds: the
 *   Service Changed characteristic bleno adds (0x2A05 in 0x1801, whose
 *   subscribe and indicate events it emits but never uses), every
 *   characteristic's value handle, and the per-connection CCCD values that
 *   a rebuild forgets.
 */
import { EventEmitter } from 'node:events';

function field(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
}

function bindings(bleno: unknown): unknown {
  return field(bleno, '_bindings');
}

/** bleno's HCI layer as an event emitter, when reachable. */
export function blenoHci(bleno: unknown): EventEmitter | undefined {
  const hci = field(bindings(bleno), '_hci');
  return hci instanceof EventEmitter ? hci : undefined;
}

/** The HCI socket (driver) under bleno, whose `error` events bleno only logs. */
export function blenoSocket(bleno: unknown): EventEmitter | undefined {
  const socket = field(blenoHci(bleno), '_socket');
  return socket instanceof EventEmitter ? socket : undefined;
}

/** The MTU bleno's ATT server uses on a connection, when reachable. */
export function blenoConnectionMtu(bleno: unknown, connection: number): number | undefined {
  const connections = field(field(bindings(bleno), '_gatt'), '_connections');
  if (!(connections instanceof Map)) return undefined;
  const mtu = field(connections.get(connection), 'mtu');
  return typeof mtu === 'number' && Number.isInteger(mtu) ? mtu : undefined;
}

/** Sets the largest MTU bleno accepts in Exchange MTU; false when not reachable. */
export function setBlenoMaxMtu(bleno: unknown, mtu: number): boolean {
  const gatt = field(bindings(bleno), '_gatt');
  if (typeof field(gatt, 'maxMtu') !== 'number') return false;
  (gatt as { maxMtu: number }).maxMtu = mtu;
  return true;
}

/** Sets the GAP Device Name characteristic's value; false when not reachable. */
export function setBlenoDeviceName(bleno: unknown, name: string): boolean {
  const gatt = field(bindings(bleno), '_gatt');
  const update = field(gatt, 'updateName');
  if (typeof update !== 'function') return false;
  (update as (this: unknown, name: string) => void).call(gatt, name);
  return true;
}

/**
 * bleno 0.12.4's SMP never sees a Pairing Request: its ACL stream emits
 * `data` as (handle, cid, data) but the SMP listener reads (cid, data), so
 * every SMP PDU is dropped and pairing cannot start. This swaps that one
 * listener on a new connection's stream for one that passes the right
 * arguments. Returns false (and changes nothing) when the stream, its SMP
 * object or the faulty listener are not as found in bleno 0.12.4.
 */
export function repairBlenoSmp(bleno: unknown, connection: number): boolean {
  const connections = field(bindings(bleno), '_connections');
  if (!(connections instanceof Map)) return false;
  const stream = field(connections.get(connection), 'aclStream');
  const smp = field(stream, '_smp');
  const faulty = field(smp, 'onAclStreamDataBinded');
  const handler = field(smp, 'onAclStreamData');
  if (!(stream instanceof EventEmitter) || typeof faulty !== 'function' || typeof handler !== 'function') return false;
  const listeners = stream.listeners('data');
  if (!listeners.includes(faulty as (...args: unknown[]) => void)) return false;
  stream.removeListener('data', faulty as (...args: unknown[]) => void);
  stream.on('data', (_handle: unknown, cid: unknown, data: unknown) => {
    (handler as (this: unknown, cid: unknown, data: unknown) => void).call(smp, cid, data);
  });
  // bleno's SMP removes its own listener on 'end'; this one goes with the stream.
  return true;
}

/** Sends HCI Disconnect for one handle (0 included); false when not reachable. */
export function blenoDisconnectHandle(bleno: unknown, connection: number): boolean {
  const hci = blenoHci(bleno);
  const disconnect = field(hci, 'disconnect');
  if (!hci || typeof disconnect !== 'function') return false;
  (disconnect as (this: unknown, handle: number) => void).call(hci, connection);
  return true;
}

/** One row of bleno's attribute table, as far as it is read here. */
interface AttributeRow {
  type: unknown;
  uuid: unknown;
  attribute: unknown;
  valueHandle: unknown;
  values: unknown;
}

/** bleno's attribute table, indexed by handle (holes are undefined), when reachable. */
function attributeRows(bleno: unknown): readonly (AttributeRow | undefined)[] | undefined {
  const rows = field(field(bindings(bleno), '_gatt'), '_handles');
  if (!Array.isArray(rows)) return undefined;
  return rows.map((row: unknown) => (typeof row === 'object' && row !== null ? (row as AttributeRow) : undefined));
}

/** The Service Changed characteristic of bleno's current table: its object (an event emitter) and value handle. */
export interface BlenoServiceChanged {
  characteristic: EventEmitter;
  valueHandle: number;
}

/** Finds the Service Changed characteristic in bleno's current attribute table. */
export function blenoServiceChanged(bleno: unknown): BlenoServiceChanged | undefined {
  const rows = attributeRows(bleno);
  if (!rows) return undefined;
  let service: unknown;
  for (const row of rows) {
    if (!row) continue;
    if (row.type === 'service') service = row.uuid;
    if (row.type !== 'characteristic' || row.uuid !== '2a05' || service !== '1801') continue;
    const { attribute, valueHandle } = row;
    if (!(attribute instanceof EventEmitter) || typeof valueHandle !== 'number') return undefined;
    return { characteristic: attribute, valueHandle };
  }
  return undefined;
}

/** Every characteristic's value handle, keyed `service|characteristic` in bleno's UUID form; undefined when unreachable. */
export function blenoValueHandles(bleno: unknown): Map<string, number> | undefined {
  const rows = attributeRows(bleno);
  if (!rows) return undefined;
  const handles = new Map<string, number>();
  let service: unknown;
  for (const row of rows) {
    if (!row) continue;
    if (row.type === 'service') service = row.uuid;
    if (row.type === 'characteristic' && typeof service === 'string' && typeof row.uuid === 'string' && typeof row.valueHandle === 'number') {
      handles.set(`${service}|${row.uuid}`, row.valueHandle);
    }
  }
  return handles;
}

/**
 * Sets one connection's CCCD value for the characteristic whose value is at
 * `valueHandle` (its CCCD is the next handle in bleno's tables); false when
 * there is no such descriptor.
 */
export function setBlenoCccd(bleno: unknown, valueHandle: number, connection: number, value: Uint8Array): boolean {
  const row = attributeRows(bleno)?.[valueHandle + 1];
  if (!row || row.type !== 'descriptor' || row.uuid !== '2902' || !(row.values instanceof Map)) return false;
  (row.values as Map<number, Buffer>).set(connection, Buffer.from(value));
  return true;
}
