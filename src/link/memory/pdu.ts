/**
 * The PDUs the in-memory link carries between a central and a peripheral,
 * as typed values rather than bytes, with the name and on-air ATT size each
 * would have. Sizes drive the timing model (LL packets per PDU); names feed
 * the `pdu` tap. LL control PDUs (encryption start) ride the same queues but
 * are not ATT and always fit one LL packet.
 */
import { DiscoveredCharacteristic, Uuid } from '../ble';

/** ATT requests a client sends; each is answered by exactly one response or an Error Response. */
export type RequestPdu =
  | { op: 'mtuReq'; clientRxMtu: number }
  | { op: 'servicesReq' }
  | { op: 'characteristicsReq'; service: Uuid }
  | { op: 'readReq'; service: Uuid; characteristic: Uuid }
  | { op: 'readBlobReq'; service: Uuid; characteristic: Uuid; offset: number }
  | { op: 'writeReq'; service: Uuid; characteristic: Uuid; value: Uint8Array }
  | { op: 'cccdWriteReq'; service: Uuid; characteristic: Uuid; enabled: boolean };

/** ATT responses a server sends back. */
export type ResponsePdu =
  | { op: 'mtuRsp'; serverRxMtu: number }
  | { op: 'servicesRsp'; services: Uuid[] }
  | { op: 'characteristicsRsp'; characteristics: DiscoveredCharacteristic[] }
  | { op: 'readRsp'; value: Uint8Array; blob: boolean }
  | { op: 'writeRsp' }
  | { op: 'errorRsp'; request: RequestPdu['op']; attCode: number };

/** ATT PDUs that are neither requests nor responses. */
export type UnsolicitedPdu =
  | { op: 'writeCmd'; service: Uuid; characteristic: Uuid; value: Uint8Array }
  | { op: 'notification'; service: Uuid; characteristic: Uuid; value: Uint8Array }
  | { op: 'serviceChangedInd' }
  | { op: 'confirmation' };

/** Link-layer control PDUs used to start encryption with a stored key. */
export type ControlPdu = { op: 'encReq' } | { op: 'startEncRsp' } | { op: 'rejectInd'; errorCode: number };

export type AttPdu = RequestPdu | ResponsePdu | UnsolicitedPdu;
export type LinkPdu = AttPdu | ControlPdu;

/** LL error code carried by LL_REJECT_IND when the responder has no key ("PIN or Key Missing"). */
export const LL_KEY_MISSING = 0x06;
/** Service Changed characteristic UUID (GATT service 0x1801). */
export const SERVICE_CHANGED_UUID = '2A05';
/** Client Characteristic Configuration descriptor UUID. */
export const CCCD_UUID = '2902';

const CONTROL_OPS: ReadonlySet<LinkPdu['op']> = new Set(['encReq', 'startEncRsp', 'rejectInd']);
const RESPONSE_OPS: ReadonlySet<LinkPdu['op']> = new Set([
  'mtuRsp',
  'servicesRsp',
  'characteristicsRsp',
  'readRsp',
  'writeRsp',
  'errorRsp',
]);

export function isControlPdu(pdu: LinkPdu): pdu is ControlPdu {
  return CONTROL_OPS.has(pdu.op);
}

export function isResponsePdu(pdu: LinkPdu): pdu is ResponsePdu {
  return RESPONSE_OPS.has(pdu.op);
}

/** Bytes a UUID takes in an ATT PDU: 2 for 16-bit, 16 for 128-bit. */
function uuidBytes(uuid: Uuid): number {
  return uuid.length === 4 ? 2 : 16;
}

/** The name a protocol analyser would give this PDU. */
export function pduKind(pdu: LinkPdu): string {
  switch (pdu.op) {
    case 'mtuReq':
      return 'ATT_EXCHANGE_MTU_REQ';
    case 'mtuRsp':
      return 'ATT_EXCHANGE_MTU_RSP';
    case 'servicesReq':
      return 'ATT_READ_BY_GROUP_TYPE_REQ';
    case 'servicesRsp':
      return 'ATT_READ_BY_GROUP_TYPE_RSP';
    case 'characteristicsReq':
      return 'ATT_READ_BY_TYPE_REQ';
    case 'characteristicsRsp':
      return 'ATT_READ_BY_TYPE_RSP';
    case 'readReq':
      return 'ATT_READ_REQ';
    case 'readBlobReq':
      return 'ATT_READ_BLOB_REQ';
    case 'readRsp':
      return pdu.blob ? 'ATT_READ_BLOB_RSP' : 'ATT_READ_RSP';
    case 'writeReq':
    case 'cccdWriteReq':
      return 'ATT_WRITE_REQ';
    case 'writeRsp':
      return 'ATT_WRITE_RSP';
    case 'errorRsp':
      return 'ATT_ERROR_RSP';
    case 'writeCmd':
      return 'ATT_WRITE_CMD';
    case 'notification':
      return 'ATT_HANDLE_VALUE_NTF';
    case 'serviceChangedInd':
      return 'ATT_HANDLE_VALUE_IND';
    case 'confirmation':
      return 'ATT_HANDLE_VALUE_CFM';
    case 'encReq':
      return 'LL_ENC_REQ';
    case 'startEncRsp':
      return 'LL_START_ENC_RSP';
    case 'rejectInd':
      return 'LL_REJECT_IND';
  }
}

/**
 * Size in bytes of the PDU as it would be sent (ATT PDU without the L2CAP
 * header; LL control PDU payload). Discovery responses, which a real server
 * would split over several round trips, are modelled as one PDU capped at
 * the MTU in force.
 */
export function pduBytes(pdu: LinkPdu, mtu: number): number {
  switch (pdu.op) {
    case 'mtuReq':
    case 'mtuRsp':
    case 'readReq':
      return 3;
    case 'servicesReq':
    case 'characteristicsReq':
      return 7;
    case 'servicesRsp':
      return Math.min(mtu, 2 + pdu.services.reduce((sum, uuid) => sum + 4 + uuidBytes(uuid), 0));
    case 'characteristicsRsp':
      return Math.min(mtu, 2 + pdu.characteristics.reduce((sum, c) => sum + 5 + uuidBytes(c.uuid), 0));
    case 'readBlobReq':
      return 5;
    case 'readRsp':
      return 1 + pdu.value.length;
    case 'writeReq':
    case 'writeCmd':
    case 'notification':
      return 3 + pdu.value.length;
    case 'cccdWriteReq':
      return 5;
    case 'writeRsp':
    case 'confirmation':
      return 1;
    case 'errorRsp':
      return 5;
    case 'serviceChangedInd':
      return 7;
    case 'encReq':
      return 23;
    case 'startEncRsp':
      return 1;
    case 'rejectInd':
      return 2;
  }
}

/** The characteristic a PDU concerns, when it names one (for the tap). */
export function pduCharacteristic(pdu: LinkPdu): Uuid | undefined {
  switch (pdu.op) {
    case 'readReq':
    case 'readBlobReq':
    case 'writeReq':
    case 'cccdWriteReq':
    case 'writeCmd':
    case 'notification':
      return pdu.characteristic;
    case 'serviceChangedInd':
      return SERVICE_CHANGED_UUID;
    default:
      return undefined;
  }
}

/** The attribute value a PDU carries, when it carries one (for the tap). */
export function pduValue(pdu: LinkPdu): Uint8Array | undefined {
  switch (pdu.op) {
    case 'readRsp':
    case 'writeReq':
    case 'writeCmd':
    case 'notification':
      return pdu.value;
    case 'cccdWriteReq':
      return Uint8Array.of(pdu.enabled ? 0x01 : 0x00, 0x00);
    default:
      return undefined;
  }
}
