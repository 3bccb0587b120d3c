/**
 * SDP for captures: data elements, a ServiceRecord (src/link/classic.ts)
 * as the attribute list a real SDP server returns (record handle, service
 * classes, protocol stack L2CAP/RFCOMM[/OBEX], browse group, language base,
 * profile descriptor, name, and the profile's own attributes with their
 * specified sizes), and the Service Search Attribute request/response PDUs,
 * split with continuation states when the answer is larger than one PDU.
 * Pure encoders; all SDP integers are big-endian.
 */
import type { ServiceRecord } from '../classic';
import { ByteBuilder, concatBytes } from './bytes';

export type DataElement =
  | { type: 'uint'; bytes: 1 | 2 | 4; value: number }
  | { type: 'uuid16'; value: number }
  | { type: 'text'; value: string }
  | { type: 'seq'; items: DataElement[] };

export const SdpPdu = {
  ErrorRsp: 0x01,
  ServiceSearchAttributeReq: 0x06,
  ServiceSearchAttributeRsp: 0x07,
} as const;

export const SdpAttribute = {
  ServiceRecordHandle: 0x0000,
  ServiceClassIdList: 0x0001,
  ProtocolDescriptorList: 0x0004,
  BrowseGroupList: 0x0005,
  LanguageBaseAttributeIdList: 0x0006,
  ProfileDescriptorList: 0x0009,
  ServiceName: 0x0100,
} as const;

export const SdpUuid = {
  L2cap: 0x0100,
  Rfcomm: 0x0003,
  Obex: 0x0008,
  PublicBrowseRoot: 0x1002,
} as const;

/** Service classes whose servers speak OBEX over their RFCOMM channel. */
export const OBEX_SERVICE_CLASSES: ReadonlySet<number> = new Set([0x1104, 0x1105, 0x1106, 0x112f, 0x1132, 0x1133]);

/**
 * Sizes (bytes) profile specifications give their numeric attributes; others
 * take the smallest of 1, 2 or 4 that holds the value. 0x0200 GoepL2capPsm,
 * 0x0301 HFP Network, 0x0311 HFP SupportedFeatures, 0x0314 PBAP
 * SupportedRepositories, 0x0315 MASInstanceID, 0x0316 SupportedMessageTypes,
 * 0x0317 PBAP/MAP supported features.
 */
const ATTRIBUTE_SIZES: Record<number, 1 | 2 | 4> = {
  0x0200: 2,
  0x0301: 1,
  0x0311: 2,
  0x0314: 1,
  0x0315: 1,
  0x0316: 1,
  0x0317: 4,
};

export function encodeDataElement(element: DataElement): Uint8Array {
  switch (element.type) {
    case 'uint': {
      const b = new ByteBuilder(5).u8((1 << 3) | { 1: 0, 2: 1, 4: 2 }[element.bytes]);
      if (element.bytes === 1) b.u8(element.value);
      else if (element.bytes === 2) b.u16be(element.value);
      else b.u32be(element.value >>> 0);
      return b.finish();
    }
    case 'uuid16':
      return new ByteBuilder(3).u8((3 << 3) | 1).u16be(element.value).finish();
    case 'text':
      return withLength(4, Buffer.from(element.value, 'utf8'));
    case 'seq':
      return withLength(6, concatBytes(element.items.map(encodeDataElement)));
  }
}

/** A variable-length element: type, then a 1-, 2- or 4-byte length. */
function withLength(type: number, body: Uint8Array): Uint8Array {
  const b = new ByteBuilder(5 + body.length);
  if (body.length <= 0xff) b.u8((type << 3) | 5).u8(body.length);
  else if (body.length <= 0xffff) b.u8((type << 3) | 6).u16be(body.length);
  else b.u8((type << 3) | 7).u32be(body.length);
  return b.bytes(body).finish();
}

const seq = (...items: DataElement[]): DataElement => ({ type: 'seq', items });
const uuid = (value: number): DataElement => ({ type: 'uuid16', value });
const uint = (bytes: 1 | 2 | 4, value: number): DataElement => ({ type: 'uint', bytes, value });

function numberElement(id: number, value: number): DataElement {
  const size = ATTRIBUTE_SIZES[id] ?? (value <= 0xff ? 1 : value <= 0xffff ? 2 : 4);
  const max = size === 4 ? 0xffffffff : (1 << (size * 8)) - 1;
  return uint(size, Math.max(0, Math.min(max, Math.trunc(value))));
}

/** The record's attributes in ascending id order, as an SDP server lists them. */
export function recordAttributes(record: ServiceRecord, recordHandle: number): Array<[number, DataElement]> {
  const first = record.serviceClasses[0];
  const stack: DataElement[] = [seq(uuid(SdpUuid.L2cap)), seq(uuid(SdpUuid.Rfcomm), uint(1, record.channel))];
  if (first !== undefined && OBEX_SERVICE_CLASSES.has(first)) stack.push(seq(uuid(SdpUuid.Obex)));
  const attributes = new Map<number, DataElement>([
    [SdpAttribute.ServiceRecordHandle, uint(4, recordHandle)],
    [SdpAttribute.ServiceClassIdList, seq(...record.serviceClasses.map(uuid))],
    [SdpAttribute.ProtocolDescriptorList, seq(...stack)],
    [SdpAttribute.BrowseGroupList, seq(uuid(SdpUuid.PublicBrowseRoot))],
    // English, UTF-8, names from 0x0100.
    [SdpAttribute.LanguageBaseAttributeIdList, seq(uint(2, 0x656e), uint(2, 0x006a), uint(2, 0x0100))],
    [SdpAttribute.ProfileDescriptorList, seq(seq(uuid(record.profile.uuid), uint(2, record.profile.version)))],
    [SdpAttribute.ServiceName, { type: 'text', value: record.name }],
  ]);
  for (const [key, value] of Object.entries(record.attributes)) {
    const id = Number(key);
    if (!(Number.isInteger(id) && id >= 0 && id <= 0xffff) || attributes.has(id)) continue;
    attributes.set(id, typeof value === 'number' ? numberElement(id, value) : { type: 'text', value });
  }
  return [...attributes.entries()].sort((a, b) => a[0] - b[0]);
}

/** AttributeLists for one record: a sequence holding one sequence of (id, value) pairs. */
export function attributeLists(record: ServiceRecord, recordHandle: number): Uint8Array {
  const pairs = recordAttributes(record, recordHandle).flatMap(([id, value]): DataElement[] => [uint(2, id), value]);
  return encodeDataElement(seq(seq(...pairs)));
}

function pdu(id: number, transaction: number, parameters: Uint8Array): Uint8Array {
  return new ByteBuilder(5 + parameters.length).u8(id).u16be(transaction).u16be(parameters.length).bytes(parameters).finish();
}

/** Service Search Attribute Request for every attribute (0x0000-0xFFFF) of records with `serviceClass`. */
export function ssaRequest(transaction: number, serviceClass: number, maxBytes: number, continuation: Uint8Array): Uint8Array {
  const parameters = new ByteBuilder(32)
    .bytes(encodeDataElement(seq(uuid(serviceClass))))
    .u16be(maxBytes)
    .bytes(encodeDataElement(seq(uint(4, 0x0000ffff))))
    .u8(continuation.length)
    .bytes(continuation)
    .finish();
  return pdu(SdpPdu.ServiceSearchAttributeReq, transaction, parameters);
}

export function ssaResponse(transaction: number, chunk: Uint8Array, continuation: Uint8Array): Uint8Array {
  const parameters = new ByteBuilder(3 + chunk.length + continuation.length)
    .u16be(chunk.length)
    .bytes(chunk)
    .u8(continuation.length)
    .bytes(continuation)
    .finish();
  return pdu(SdpPdu.ServiceSearchAttributeRsp, transaction, parameters);
}

/** One request of a search and the response it got. */
export interface SdpExchange {
  request: Uint8Array;
  response: Uint8Array;
}

/**
 * The requests and responses a client's search for `serviceClass` takes
 * when the answer is `lists` and each response may carry at most `maxChunk`
 * bytes of it: continuation states are the 2-byte offset reached.
 */
export function ssaExchanges(firstTransaction: number, serviceClass: number, lists: Uint8Array, maxChunk: number): SdpExchange[] {
  const chunk = Math.max(1, maxChunk);
  const out: SdpExchange[] = [];
  let continuation = new Uint8Array(0);
  let transaction = firstTransaction;
  for (let at = 0; at < lists.length || out.length === 0; at += chunk) {
    const end = Math.min(lists.length, at + chunk);
    const next = end < lists.length ? Uint8Array.of(end >>> 8, end & 0xff) : new Uint8Array(0);
    out.push({
      request: ssaRequest(transaction, serviceClass, 0xffff, continuation),
      response: ssaResponse(transaction, lists.subarray(at, end), next),
    });
    transaction = (transaction + 1) & 0xffff;
    continuation = next;
    if (end >= lists.length) break;
  }
  return out;
}
