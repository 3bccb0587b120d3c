/**
 * The messages between the phone-side host (parent) and the bleno child
 * process, as typed discriminated unions, and their validation. IPC carries
 * JSON, so byte values travel as lower-case hex strings and UUIDs in our
 * canonical form. Every message is checked on receipt: a malformed one is a
 * `BlenoProtocolError` (code `link.bleno-protocol`), never a crash.
 */
import { AttSecurity, CharacteristicProperty, Uuid, normalizeAddress } from '../../ble';
import { LinkError } from '../../errors';
import { fromLibraryUuid } from './uuid-form';
import { AdvertisingPayload, MAX_AD_PAYLOAD } from './advertising-data';
import type { HciBindingsOptions } from './controller-select';

/** The longest attribute value ATT allows. */
export const MAX_VALUE_BYTES = 512;
/** Services and characteristics one setServices message may carry. */
export const MAX_SERVICES = 64;
export const MAX_CHARACTERISTICS_PER_SERVICE = 64;
/** HCI connection handles are 12 bits; 0x0F00 and up are reserved. */
export const MAX_CONNECTION_HANDLE = 0x0eff;
/** Longest free text (problem and failure messages) a child message may carry. */
export const MAX_TEXT = 2000;
/** Request and notification ids wrap below this. */
export const MAX_MESSAGE_ID = 0x7fffffff;

export interface WireCharacteristic {
  uuid: Uuid;
  properties: CharacteristicProperty[];
  security: AttSecurity;
}

export interface WireService {
  uuid: Uuid;
  characteristics: WireCharacteristic[];
}

/** What the child needs to start: passed as one JSON argument. */
export interface ChildOptions {
  controller: HciBindingsOptions;
  /** GAP Device Name (the 0x2A00 characteristic). */
  deviceName: string;
  /** Largest ATT MTU the phone accepts in Exchange MTU (bleno's default is 256). */
  maxMtu: number;
  /** How long bleno waits for the parent's answer to a read or write before answering Unlikely Error. */
  requestTimeoutMs: number;
}

export type ParentMessage =
  | { type: 'setServices'; services: WireService[] }
  | { type: 'advertise'; advertisingData: string; scanResponse: string }
  | { type: 'stopAdvertising' }
  | { type: 'readReply'; requestId: number; attCode: number; value: string }
  | { type: 'writeReply'; requestId: number; attCode: number }
  | { type: 'notify'; notifyId: number; connection: number; service: Uuid; characteristic: Uuid; value: string }
  | { type: 'disconnect'; connection: number }
  | { type: 'shutdown' };

export type ChildMessage =
  /** bleno is powered on with this controller address; requests may follow. */
  | { type: 'ready'; address: string }
  /** bleno's adapter state changed (poweredOn, poweredOff, unsupported, ...). */
  | { type: 'state'; state: string }
  /** Something the parent should know about; `fatal` means the child is exiting. */
  | { type: 'problem'; code: string; message: string; fatal: boolean }
  | { type: 'advertising'; started: boolean; message: string }
  | { type: 'connect'; connection: number; address: string }
  | { type: 'disconnect'; connection: number; address: string; reason: number }
  | { type: 'mtu'; connection: number; mtu: number }
  | { type: 'encryption'; connection: number; encrypted: boolean }
  | { type: 'read'; requestId: number; connection: number; service: Uuid; characteristic: Uuid }
  | {
      type: 'write';
      requestId: number;
      connection: number;
      service: Uuid;
      characteristic: Uuid;
      value: string;
      withResponse: boolean;
    }
  | { type: 'subscribe'; connection: number; service: Uuid; characteristic: Uuid; enabled: boolean }
  | { type: 'notified'; notifyId: number; sent: boolean; message: string };

/** A message that does not have the shape its type demands. */
export class BlenoProtocolError extends LinkError {
  constructor(
    readonly path: string,
    reason: string,
  ) {
    super('link.bleno-protocol', `bad bleno IPC message at ${path}: ${reason}`);
  }
}

// ---- bytes as hex ----

export function toHex(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += b.toString(16).padStart(2, '0');
  return out;
}

/** Parses an even-length hex string (no prefix, any case); throws BlenoProtocolError. */
export function fromHex(hex: string, path = 'value', maxBytes = MAX_VALUE_BYTES): Uint8Array {
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) throw new BlenoProtocolError(path, 'not an even-length hex string');
  if (hex.length / 2 > maxBytes) throw new BlenoProtocolError(path, `${hex.length / 2} bytes exceeds ${maxBytes}`);
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

export function payloadToWire(payload: AdvertisingPayload): { advertisingData: string; scanResponse: string } {
  return { advertisingData: toHex(payload.advertisingData), scanResponse: toHex(payload.scanResponse) };
}

// ---- validation ----

type Fields = Record<string, unknown>;

function record(raw: unknown, path: string): Fields {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new BlenoProtocolError(path, 'not an object');
  return raw as Fields;
}

function int(o: Fields, key: string, min: number, max: number, path: string): number {
  const v = o[key];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new BlenoProtocolError(`${path}.${key}`, `expected an integer in ${min}..${max}`);
  }
  return v;
}

function str(o: Fields, key: string, maxLength: number, path: string): string {
  const v = o[key];
  if (typeof v !== 'string' || v.length > maxLength) throw new BlenoProtocolError(`${path}.${key}`, `expected a string of at most ${maxLength} characters`);
  return v;
}

function bool(o: Fields, key: string, path: string): boolean {
  const v = o[key];
  if (typeof v !== 'boolean') throw new BlenoProtocolError(`${path}.${key}`, 'expected a boolean');
  return v;
}

function hex(o: Fields, key: string, maxBytes: number, path: string): string {
  const v = str(o, key, maxBytes * 2, path);
  fromHex(v, `${path}.${key}`, maxBytes);
  return v.toLowerCase();
}

function uuid(o: Fields, key: string, path: string): Uuid {
  const v = str(o, key, 36, path);
  try {
    return fromLibraryUuid(v);
  } catch {
    throw new BlenoProtocolError(`${path}.${key}`, 'not a UUID');
  }
}

function address(o: Fields, key: string, path: string): string {
  const v = str(o, key, 17, path);
  try {
    return normalizeAddress(v);
  } catch {
    throw new BlenoProtocolError(`${path}.${key}`, 'not a device address');
  }
}

function list(o: Fields, key: string, max: number, path: string): unknown[] {
  const v = o[key];
  if (!Array.isArray(v) || v.length > max) throw new BlenoProtocolError(`${path}.${key}`, `expected an array of at most ${max} entries`);
  return v;
}

/** A short, safe description of a value of unknown type (no user toString is called). */
function describe(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value.slice(0, 40)) : typeof value;
}

const PROPERTIES: readonly CharacteristicProperty[] = ['read', 'write', 'writeWithoutResponse', 'notify', 'indicate'];
const SECURITY: readonly AttSecurity[] = ['open', 'encrypted', 'bonded'];

function characteristic(raw: unknown, path: string): WireCharacteristic {
  const o = record(raw, path);
  const properties = list(o, 'properties', PROPERTIES.length, path).map((p, i) => {
    if (!PROPERTIES.includes(p as CharacteristicProperty)) throw new BlenoProtocolError(`${path}.properties[${i}]`, 'unknown property');
    return p as CharacteristicProperty;
  });
  const security = o['security'];
  if (!SECURITY.includes(security as AttSecurity)) throw new BlenoProtocolError(`${path}.security`, 'expected open, encrypted or bonded');
  return { uuid: uuid(o, 'uuid', path), properties, security: security as AttSecurity };
}

function service(raw: unknown, path: string): WireService {
  const o = record(raw, path);
  return {
    uuid: uuid(o, 'uuid', path),
    characteristics: list(o, 'characteristics', MAX_CHARACTERISTICS_PER_SERVICE, path).map((c, i) =>
      characteristic(c, `${path}.characteristics[${i}]`),
    ),
  };
}

const HANDLE: [number, number] = [0, MAX_CONNECTION_HANDLE];
const ID: [number, number] = [0, MAX_MESSAGE_ID];

/** Validates a message from the parent. */
export function parseParentMessage(raw: unknown): ParentMessage {
  const p = 'message';
  const o = record(raw, p);
  switch (o['type']) {
    case 'setServices':
      return { type: 'setServices', services: list(o, 'services', MAX_SERVICES, p).map((s, i) => service(s, `${p}.services[${i}]`)) };
    case 'advertise':
      return {
        type: 'advertise',
        advertisingData: hex(o, 'advertisingData', MAX_AD_PAYLOAD, p),
        scanResponse: hex(o, 'scanResponse', MAX_AD_PAYLOAD, p),
      };
    case 'stopAdvertising':
      return { type: 'stopAdvertising' };
    case 'readReply':
      return { type: 'readReply', requestId: int(o, 'requestId', ...ID, p), attCode: int(o, 'attCode', 0, 0xff, p), value: hex(o, 'value', MAX_VALUE_BYTES, p) };
    case 'writeReply':
      return { type: 'writeReply', requestId: int(o, 'requestId', ...ID, p), attCode: int(o, 'attCode', 0, 0xff, p) };
    case 'notify':
      return {
        type: 'notify',
        notifyId: int(o, 'notifyId', ...ID, p),
        connection: int(o, 'connection', ...HANDLE, p),
        service: uuid(o, 'service', p),
        characteristic: uuid(o, 'characteristic', p),
        value: hex(o, 'value', MAX_VALUE_BYTES, p),
      };
    case 'disconnect':
      return { type: 'disconnect', connection: int(o, 'connection', ...HANDLE, p) };
    case 'shutdown':
      return { type: 'shutdown' };
    default:
      throw new BlenoProtocolError(`${p}.type`, `unknown message type ${describe(o['type'])}`);
  }
}

/** Validates a message from the child. */
export function parseChildMessage(raw: unknown): ChildMessage {
  const p = 'message';
  const o = record(raw, p);
  switch (o['type']) {
    case 'ready':
      return { type: 'ready', address: address(o, 'address', p) };
    case 'state':
      return { type: 'state', state: str(o, 'state', 40, p) };
    case 'problem':
      return { type: 'problem', code: str(o, 'code', 80, p), message: str(o, 'message', MAX_TEXT, p), fatal: bool(o, 'fatal', p) };
    case 'advertising':
      return { type: 'advertising', started: bool(o, 'started', p), message: str(o, 'message', MAX_TEXT, p) };
    case 'connect':
      return { type: 'connect', connection: int(o, 'connection', ...HANDLE, p), address: address(o, 'address', p) };
    case 'disconnect':
      return {
        type: 'disconnect',
        connection: int(o, 'connection', ...HANDLE, p),
        address: address(o, 'address', p),
        reason: int(o, 'reason', 0, 0xff, p),
      };
    case 'mtu':
      return { type: 'mtu', connection: int(o, 'connection', ...HANDLE, p), mtu: int(o, 'mtu', 23, 517, p) };
    case 'encryption':
      return { type: 'encryption', connection: int(o, 'connection', ...HANDLE, p), encrypted: bool(o, 'encrypted', p) };
    case 'read':
      return {
        type: 'read',
        requestId: int(o, 'requestId', ...ID, p),
        connection: int(o, 'connection', ...HANDLE, p),
        service: uuid(o, 'service', p),
        characteristic: uuid(o, 'characteristic', p),
      };
    case 'write':
      return {
        type: 'write',
        requestId: int(o, 'requestId', ...ID, p),
        connection: int(o, 'connection', ...HANDLE, p),
        service: uuid(o, 'service', p),
        characteristic: uuid(o, 'characteristic', p),
        value: hex(o, 'value', MAX_VALUE_BYTES, p),
        withResponse: bool(o, 'withResponse', p),
      };
    case 'subscribe':
      return {
        type: 'subscribe',
        connection: int(o, 'connection', ...HANDLE, p),
        service: uuid(o, 'service', p),
        characteristic: uuid(o, 'characteristic', p),
        enabled: bool(o, 'enabled', p),
      };
    case 'notified':
      return { type: 'notified', notifyId: int(o, 'notifyId', ...ID, p), sent: bool(o, 'sent', p), message: str(o, 'message', MAX_TEXT, p) };
    default:
      throw new BlenoProtocolError(`${p}.type`, `unknown message type ${describe(o['type'])}`);
  }
}

/** Validates the child's start options (its one command-line argument, as JSON). */
export function parseChildOptions(json: string): ChildOptions {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    throw new BlenoProtocolError('options', 'not JSON');
  }
  const p = 'options';
  const o = record(raw, p);
  return {
    controller: controllerOptions(o['controller'], `${p}.controller`),
    deviceName: str(o, 'deviceName', 248, p),
    maxMtu: int(o, 'maxMtu', 23, 517, p),
    requestTimeoutMs: int(o, 'requestTimeoutMs', 1, 600_000, p),
  };
}

function controllerOptions(raw: unknown, path: string): HciBindingsOptions {
  const o = record(raw, path);
  switch (o['hciDriver']) {
    case 'native':
      return { hciDriver: 'native', deviceId: int(o, 'deviceId', 0, 0xfffe, path) };
    case 'uart': {
      const uart = record(record(o['bindParams'], `${path}.bindParams`)['uart'], `${path}.bindParams.uart`);
      const q = `${path}.bindParams.uart`;
      return { hciDriver: 'uart', bindParams: { uart: { port: str(uart, 'port', 4096, q), baudRate: int(uart, 'baudRate', 1, 100_000_000, q) } } };
    }
    case 'usb': {
      const q = `${path}.bindParams.usb`;
      const usb = record(record(o['bindParams'], `${path}.bindParams`)['usb'], q);
      const out: { vid: number; pid: number; bus?: number; address?: number } = { vid: int(usb, 'vid', 0, 0xffff, q), pid: int(usb, 'pid', 0, 0xffff, q) };
      if (usb['bus'] !== undefined) out.bus = int(usb, 'bus', 0, 255, q);
      if (usb['address'] !== undefined) out.address = int(usb, 'address', 0, 127, q);
      return { hciDriver: 'usb', bindParams: { usb: out } };
    }
    default:
      throw new BlenoProtocolError(`${path}.hciDriver`, 'expected native, uart or usb');
  }
}
