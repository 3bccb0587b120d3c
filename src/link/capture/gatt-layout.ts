/**
 * Attribute handles for a GATT server the in-memory link describes only by
 * UUID. Handles are assigned deterministically from the service
 * definitions, the way a real server lays out its database: the GATT
 * service (Service Changed and its CCCD) at 0x0001-0x0004, then each
 * registered service in order: its declaration, and per characteristic a
 * declaration, the value and, for notify/indicate, a CCCD. Also builds the
 * PDU sequences a client's primary-service and characteristic discovery
 * produce against that layout (continuing requests until Attribute Not
 * Found, entries grouped by UUID size and cut to the MTU).
 */
import type { CharacteristicProperty, Uuid } from '../ble';
import { AttErrorCode } from '../att-codes';
import {
  AttOpcode,
  GattType,
  characteristicDeclaration,
  errorRsp,
  readByGroupTypeReq,
  readByGroupTypeRsp,
  readByTypeReq,
  readByTypeRsp,
  uuidBytesLe,
} from './att-pdus';

export interface ServiceDefinition {
  uuid: Uuid;
  characteristics: readonly { uuid: Uuid; properties: readonly CharacteristicProperty[] }[];
}

export interface LayoutCharacteristic {
  uuid: Uuid;
  /** The properties octet of the declaration. */
  properties: number;
  declarationHandle: number;
  valueHandle: number;
  cccdHandle: number | undefined;
}

export interface LayoutService {
  uuid: Uuid;
  start: number;
  end: number;
  characteristics: LayoutCharacteristic[];
}

export interface GattLayout {
  /** Registered services, in order (what discovery lists). */
  services: LayoutService[];
  /** Value handle of Service Changed in the GATT service. */
  serviceChangedHandle: number;
  /** The last handle in use. */
  lastHandle: number;
}

const PROPERTY_BITS: Record<CharacteristicProperty, number> = {
  read: 0x02,
  writeWithoutResponse: 0x04,
  write: 0x08,
  notify: 0x10,
  indicate: 0x20,
};

/** Handles 0x0001-0x0004: the GATT service, Service Changed's declaration, value and CCCD. */
const GATT_SERVICE_END = 0x0004;
const SERVICE_CHANGED_VALUE = 0x0003;

export function propertiesOctet(properties: readonly CharacteristicProperty[]): number {
  let octet = 0;
  for (const p of properties) octet |= PROPERTY_BITS[p] ?? 0;
  return octet;
}

/** Lays out `services` from handle 0x0005 on (handles stop at 0xFFFF; later services are left out). */
export function buildGattLayout(services: readonly ServiceDefinition[]): GattLayout {
  let next = GATT_SERVICE_END + 1;
  const out: LayoutService[] = [];
  for (const service of services) {
    const need = 1 + service.characteristics.reduce((n, c) => n + (hasCccd(c.properties) ? 3 : 2), 0);
    if (next + need - 1 > 0xffff) break;
    const start = next++;
    const characteristics: LayoutCharacteristic[] = service.characteristics.map((c) => {
      const declarationHandle = next++;
      const valueHandle = next++;
      const cccdHandle = hasCccd(c.properties) ? next++ : undefined;
      return { uuid: c.uuid, properties: propertiesOctet(c.properties), declarationHandle, valueHandle, cccdHandle };
    });
    out.push({ uuid: service.uuid, start, end: next - 1, characteristics });
  }
  return { services: out, serviceChangedHandle: SERVICE_CHANGED_VALUE, lastHandle: next - 1 };
}

function hasCccd(properties: readonly CharacteristicProperty[]): boolean {
  return properties.includes('notify') || properties.includes('indicate');
}

/** The first characteristic with this UUID, in layout order. */
export function findCharacteristic(layout: GattLayout, uuid: Uuid): LayoutCharacteristic | undefined {
  for (const service of layout.services) {
    const found = service.characteristics.find((c) => c.uuid === uuid);
    if (found) return found;
  }
  return undefined;
}

/** One PDU of a discovery exchange; `fromClient` for requests. */
export interface DiscoveryPdu {
  fromClient: boolean;
  pdu: Uint8Array;
}

/** Splits entries into runs of the same size, each run cut to what one response of `mtu` holds. */
function responsePages<T>(entries: readonly T[], sizeOf: (entry: T) => number, mtu: number): T[][] {
  const pages: T[][] = [];
  let page: T[] = [];
  let pageSize = 0;
  for (const entry of entries) {
    const size = sizeOf(entry);
    const fits = page.length > 0 && size === pageSize && 2 + size * (page.length + 1) <= mtu;
    if (!fits && page.length > 0) {
      pages.push(page);
      page = [];
    }
    if (page.length === 0) pageSize = size;
    page.push(entry);
  }
  if (page.length > 0) pages.push(page);
  return pages;
}

/**
 * Primary-service discovery: the first request, each response, the next
 * request from the handle after the last group, and the closing Attribute
 * Not Found (unless the last group ended at 0xFFFF).
 */
export function serviceDiscovery(layout: GattLayout, mtu: number): DiscoveryPdu[] {
  const pdus: DiscoveryPdu[] = [{ fromClient: true, pdu: readByGroupTypeReq(0x0001, 0xffff) }];
  const pages = responsePages(layout.services, (s) => 4 + uuidBytesLe(s.uuid).length, mtu);
  let start = 0x0001;
  for (const page of pages) {
    pdus.push({ fromClient: false, pdu: readByGroupTypeRsp(page.map((s) => ({ start: s.start, end: s.end, uuid: s.uuid }))) });
    const last = page[page.length - 1] as LayoutService;
    if (last.end >= 0xffff) return pdus;
    start = last.end + 1;
    pdus.push({ fromClient: true, pdu: readByGroupTypeReq(start, 0xffff) });
  }
  pdus.push({ fromClient: false, pdu: errorRsp(AttOpcode.ReadByGroupTypeReq, start, AttErrorCode.AttributeNotFound) });
  return pdus;
}

/**
 * Characteristic discovery within one service: requests over the rest of
 * its handle range, responses with declarations, and Attribute Not Found
 * when a request finds none.
 */
export function characteristicDiscovery(service: LayoutService, mtu: number): DiscoveryPdu[] {
  const entries = service.characteristics.map((c) => ({
    handle: c.declarationHandle,
    value: characteristicDeclaration(c.properties, c.valueHandle, c.uuid),
  }));
  if (entries.length === 0) {
    return [
      { fromClient: true, pdu: readByTypeReq(service.start, service.end, GattType.Characteristic) },
      { fromClient: false, pdu: errorRsp(AttOpcode.ReadByTypeReq, service.start, AttErrorCode.AttributeNotFound) },
    ];
  }
  const pdus: DiscoveryPdu[] = [];
  let start = service.start + 1;
  for (const page of responsePages(entries, (e) => 2 + e.value.length, mtu)) {
    pdus.push({ fromClient: true, pdu: readByTypeReq(start, service.end, GattType.Characteristic) });
    pdus.push({ fromClient: false, pdu: readByTypeRsp(page) });
    start = (page[page.length - 1] as { handle: number }).handle + 1;
    if (start > service.end) return pdus;
  }
  if (start > service.end) return pdus;
  pdus.push({ fromClient: true, pdu: readByTypeReq(start, service.end, GattType.Characteristic) });
  pdus.push({ fromClient: false, pdu: errorRsp(AttOpcode.ReadByTypeReq, start, AttErrorCode.AttributeNotFound) });
  return pdus;
}

/** Bytes the in-memory link counts for a characteristics response (to tell which service was asked for). */
export function modelledCharacteristicsBytes(service: ServiceDefinition, mtu: number): number {
  return Math.min(mtu, 2 + service.characteristics.reduce((sum, c) => sum + 5 + (c.uuid.length === 4 ? 2 : 16), 0));
}
