/**
 * Reads SDP out of a capture: the data-element decoder (bounded depth and
 * size; malformed input yields an SdpReadError, never anything else) and a
 * per-channel reader that joins Service Search Attribute and Service
 * Attribute responses across continuation states and reports each record's
 * service classes, profile, name and RFCOMM channel.
 */
import { ProtocolError } from '../../protocol/errors';
import { SdpAttribute, SdpPdu, SdpUuid } from './sdp-records';

/** A decode failure inside SDP bytes. */
export class SdpReadError extends ProtocolError {}

export type SdpValue =
  | { type: 'nil' }
  | { type: 'uint' | 'int'; value: number | bigint }
  | { type: 'uuid'; value: string }
  | { type: 'text' | 'url'; value: string }
  | { type: 'bool'; value: boolean }
  | { type: 'seq' | 'alt'; items: SdpValue[] };

const MAX_DEPTH = 16;
const MAX_ITEMS = 4096;
/** Attribute bytes joined across continuation states at most. */
export const MAX_SDP_ANSWER_BYTES = 64 * 1024;

/** Decodes one data element at `offset`; returns it and the offset after it. */
export function decodeSdpElement(bytes: Uint8Array, offset = 0, depth = 0): { value: SdpValue; next: number } {
  if (depth > MAX_DEPTH) throw new SdpReadError('sdp.too-deep', 'data elements nested too deeply', offset);
  const header = bytes[offset];
  if (header === undefined) throw new SdpReadError('sdp.truncated', 'data element header missing', offset);
  const type = header >> 3;
  const sizeIndex = header & 0x07;
  let at = offset + 1;
  let size: number;
  if (sizeIndex <= 4) {
    size = type === 0 ? 0 : [1, 2, 4, 8, 16][sizeIndex] ?? 0;
  } else {
    const lengthBytes = [1, 2, 4][sizeIndex - 5] ?? 1;
    if (at + lengthBytes > bytes.length) throw new SdpReadError('sdp.truncated', 'data element length cut short', at);
    size = 0;
    for (let i = 0; i < lengthBytes; i++) size = size * 256 + (bytes[at + i] as number);
    at += lengthBytes;
  }
  if (at + size > bytes.length) throw new SdpReadError('sdp.truncated', `data element of ${size} bytes runs past the end`, at);
  const body = bytes.subarray(at, at + size);
  const next = at + size;
  switch (type) {
    case 0:
      return { value: { type: 'nil' }, next };
    case 1:
    case 2:
      return { value: { type: type === 1 ? 'uint' : 'int', value: readNumber(body) }, next };
    case 3:
      return { value: { type: 'uuid', value: uuidText(body) }, next };
    case 4:
    case 8:
      return { value: { type: type === 4 ? 'text' : 'url', value: Buffer.from(body).toString('utf8') }, next };
    case 5:
      return { value: { type: 'bool', value: (body[0] ?? 0) !== 0 }, next };
    case 6:
    case 7: {
      const items: SdpValue[] = [];
      let inner = 0;
      while (inner < body.length) {
        if (items.length >= MAX_ITEMS) throw new SdpReadError('sdp.too-many', 'too many items in a sequence', at + inner);
        const decoded = decodeSdpElement(body, inner, depth + 1);
        items.push(decoded.value);
        inner = decoded.next;
      }
      return { value: { type: type === 6 ? 'seq' : 'alt', items }, next };
    }
    default:
      throw new SdpReadError('sdp.bad-type', `data element type ${type} is reserved`, offset);
  }
}

function readNumber(body: Uint8Array): number | bigint {
  let value = 0n;
  for (const byte of body) value = (value << 8n) | BigInt(byte);
  return value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
}

/** 16- and 32-bit UUIDs as 4 or 8 hex digits; 128-bit ones in the dashed form (upper case). */
function uuidText(body: Uint8Array): string {
  const hex = Buffer.from(body).toString('hex').toUpperCase();
  if (hex.length !== 32) return hex;
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const BASE_UUID_TAIL = '-0000-1000-8000-00805F9B34FB';

/** A UUID as a 16-bit number when it is one (or the base UUID form of one). */
export function uuid16(uuid: string): number | undefined {
  if (/^[0-9A-F]{4}$/.test(uuid)) return parseInt(uuid, 16);
  if (/^[0-9A-F]{8}$/.test(uuid) && uuid.startsWith('0000')) return parseInt(uuid.slice(4), 16);
  if (uuid.endsWith(BASE_UUID_TAIL) && uuid.startsWith('0000')) return parseInt(uuid.slice(4, 8), 16);
  return undefined;
}

/** What a capture reader keeps of one record. */
export interface SdpRecordSummary {
  serviceClasses: number[];
  profile: { uuid: number; version: number } | undefined;
  name: string | undefined;
  rfcommChannel: number | undefined;
  l2capPsm: number | undefined;
}

/** Reads a record from its attribute list (a sequence of id, value pairs). */
export function summariseRecord(list: SdpValue): SdpRecordSummary {
  const summary: SdpRecordSummary = { serviceClasses: [], profile: undefined, name: undefined, rfcommChannel: undefined, l2capPsm: undefined };
  if (list.type !== 'seq') return summary;
  for (let i = 0; i + 1 < list.items.length; i += 2) {
    const id = list.items[i];
    const value = list.items[i + 1] as SdpValue;
    if (id?.type !== 'uint') continue;
    switch (Number(id.value)) {
      case SdpAttribute.ServiceClassIdList:
        if (value.type === 'seq') {
          for (const item of value.items) {
            const short = item.type === 'uuid' ? uuid16(item.value) : undefined;
            if (short !== undefined) summary.serviceClasses.push(short);
          }
        }
        break;
      case SdpAttribute.ProtocolDescriptorList:
        readProtocols(value, summary);
        break;
      case SdpAttribute.ProfileDescriptorList: {
        const first = value.type === 'seq' ? value.items[0] : undefined;
        const uuid = first?.type === 'seq' && first.items[0]?.type === 'uuid' ? uuid16(first.items[0].value) : undefined;
        const version = first?.type === 'seq' && first.items[1]?.type === 'uint' ? Number(first.items[1].value) : 0;
        if (uuid !== undefined) summary.profile = { uuid, version };
        break;
      }
      case SdpAttribute.ServiceName:
        if (value.type === 'text') summary.name = value.value;
        break;
      default:
        break;
    }
  }
  return summary;
}

function readProtocols(value: SdpValue, summary: SdpRecordSummary): void {
  if (value.type !== 'seq') return;
  for (const protocol of value.items) {
    if (protocol.type !== 'seq') continue;
    const [id, parameter] = protocol.items;
    const uuid = id?.type === 'uuid' ? uuid16(id.value) : undefined;
    const number = parameter?.type === 'uint' ? Number(parameter.value) : undefined;
    if (uuid === SdpUuid.Rfcomm && number !== undefined) summary.rfcommChannel = number;
    if (uuid === SdpUuid.L2cap && number !== undefined) summary.l2capPsm = number;
  }
}

/**
 * SDP PDUs on one L2CAP channel, in order: responses are joined across
 * continuation states and their records returned once complete.
 */
export class SdpChannelReader {
  private answer: Uint8Array[] = [];
  private answerBytes = 0;
  private answerKind = 0;

  /** One SDP PDU; returns the records a completed answer held. Throws SdpReadError. */
  push(pdu: Uint8Array): SdpRecordSummary[] {
    if (pdu.length < 5) throw new SdpReadError('sdp.truncated', 'SDP PDU header cut short', pdu.length);
    const id = pdu[0] as number;
    const parameterLength = ((pdu[3] as number) << 8) | (pdu[4] as number);
    if (5 + parameterLength > pdu.length) throw new SdpReadError('sdp.bad-length', 'SDP parameter length runs past the PDU', 3);
    if (id !== SdpPdu.ServiceSearchAttributeRsp && id !== 0x05) return [];
    const parameters = pdu.subarray(5, 5 + parameterLength);
    if (parameters.length < 3) throw new SdpReadError('sdp.truncated', 'attribute byte count missing', 5);
    const count = ((parameters[0] as number) << 8) | (parameters[1] as number);
    if (2 + count + 1 > parameters.length) throw new SdpReadError('sdp.bad-length', 'attribute byte count runs past the PDU', 5);
    const chunk = parameters.subarray(2, 2 + count);
    const continuation = parameters[2 + count] as number;
    if (this.answerKind !== id) this.reset(id);
    this.answerBytes += chunk.length;
    if (this.answerBytes > MAX_SDP_ANSWER_BYTES) {
      this.reset(0);
      throw new SdpReadError('sdp.too-large', `an SDP answer over ${MAX_SDP_ANSWER_BYTES} bytes`, 7);
    }
    this.answer.push(chunk.slice());
    if (continuation > 0) return [];
    const whole = Buffer.concat(this.answer);
    this.reset(0);
    const { value } = decodeSdpElement(whole);
    if (id === 0x05) return [summariseRecord(value)];
    return value.type === 'seq' ? value.items.map(summariseRecord) : [];
  }

  private reset(kind: number): void {
    this.answer = [];
    this.answerBytes = 0;
    this.answerKind = kind;
  }
}
