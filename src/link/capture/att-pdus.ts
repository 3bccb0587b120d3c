/**
 * ATT PDU encoders for the capture synthesiser: the real byte layout of
 * each PDU the in-memory link models (little-endian handles, UUIDs in ATT's
 * byte order). Pure functions, bytes out.
 */
import type { Uuid } from '../ble';
import { ByteBuilder } from './bytes';

/** ATT opcodes (open enum: other values pass through readers as numbers). */
export const AttOpcode = {
  ErrorRsp: 0x01,
  ExchangeMtuReq: 0x02,
  ExchangeMtuRsp: 0x03,
  FindInformationReq: 0x04,
  FindInformationRsp: 0x05,
  FindByTypeValueReq: 0x06,
  FindByTypeValueRsp: 0x07,
  ReadByTypeReq: 0x08,
  ReadByTypeRsp: 0x09,
  ReadReq: 0x0a,
  ReadRsp: 0x0b,
  ReadBlobReq: 0x0c,
  ReadBlobRsp: 0x0d,
  ReadByGroupTypeReq: 0x10,
  ReadByGroupTypeRsp: 0x11,
  WriteReq: 0x12,
  WriteRsp: 0x13,
  HandleValueNtf: 0x1b,
  HandleValueInd: 0x1d,
  HandleValueCfm: 0x1e,
  WriteCmd: 0x52,
} as const;

/** GATT attribute types used in discovery. */
export const GattType = {
  PrimaryService: 0x2800,
  Characteristic: 0x2803,
  ClientCharacteristicConfiguration: 0x2902,
  GattService: 0x1801,
  ServiceChanged: 0x2a05,
} as const;

/** ATT's L2CAP channel on LE. */
export const ATT_CID = 0x0004;

/** A UUID as ATT carries it: 2 bytes for 16-bit, 16 bytes for 128-bit, least significant first. */
export function uuidBytesLe(uuid: Uuid): Uint8Array {
  const hex = uuid.replace(/-/g, '');
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[out.length - 1 - i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

export function errorRsp(requestOpcode: number, handle: number, code: number): Uint8Array {
  return new ByteBuilder(5).u8(AttOpcode.ErrorRsp).u8(requestOpcode).u16le(handle).u8(code).finish();
}

export function exchangeMtuReq(clientRxMtu: number): Uint8Array {
  return new ByteBuilder(3).u8(AttOpcode.ExchangeMtuReq).u16le(clientRxMtu).finish();
}

export function exchangeMtuRsp(serverRxMtu: number): Uint8Array {
  return new ByteBuilder(3).u8(AttOpcode.ExchangeMtuRsp).u16le(serverRxMtu).finish();
}

export function readByGroupTypeReq(start: number, end: number, type: number = GattType.PrimaryService): Uint8Array {
  return new ByteBuilder(7).u8(AttOpcode.ReadByGroupTypeReq).u16le(start).u16le(end).u16le(type).finish();
}

export interface GroupEntry {
  start: number;
  end: number;
  uuid: Uuid;
}

/** A Read By Group Type Response; every entry must have a UUID of the same size. */
export function readByGroupTypeRsp(entries: readonly GroupEntry[]): Uint8Array {
  const first = entries[0];
  const size = first ? 4 + uuidBytesLe(first.uuid).length : 0;
  const b = new ByteBuilder(2 + size * entries.length).u8(AttOpcode.ReadByGroupTypeRsp).u8(size);
  for (const entry of entries) b.u16le(entry.start).u16le(entry.end).bytes(uuidBytesLe(entry.uuid));
  return b.finish();
}

export function readByTypeReq(start: number, end: number, type: number): Uint8Array {
  return new ByteBuilder(7).u8(AttOpcode.ReadByTypeReq).u16le(start).u16le(end).u16le(type).finish();
}

export interface TypeEntry {
  handle: number;
  value: Uint8Array;
}

/** A Read By Type Response; every value must have the same length. */
export function readByTypeRsp(entries: readonly TypeEntry[]): Uint8Array {
  const size = 2 + (entries[0]?.value.length ?? 0);
  const b = new ByteBuilder(2 + size * entries.length).u8(AttOpcode.ReadByTypeRsp).u8(size);
  for (const entry of entries) b.u16le(entry.handle).bytes(entry.value);
  return b.finish();
}

/** The value of a characteristic declaration: properties, value handle, UUID. */
export function characteristicDeclaration(properties: number, valueHandle: number, uuid: Uuid): Uint8Array {
  const id = uuidBytesLe(uuid);
  return new ByteBuilder(3 + id.length).u8(properties).u16le(valueHandle).bytes(id).finish();
}

export function readReq(handle: number): Uint8Array {
  return new ByteBuilder(3).u8(AttOpcode.ReadReq).u16le(handle).finish();
}

export function readRsp(value: Uint8Array): Uint8Array {
  return new ByteBuilder(1 + value.length).u8(AttOpcode.ReadRsp).bytes(value).finish();
}

export function readBlobReq(handle: number, offset: number): Uint8Array {
  return new ByteBuilder(5).u8(AttOpcode.ReadBlobReq).u16le(handle).u16le(offset).finish();
}

export function readBlobRsp(value: Uint8Array): Uint8Array {
  return new ByteBuilder(1 + value.length).u8(AttOpcode.ReadBlobRsp).bytes(value).finish();
}

/** Write Request, Write Command, notification or indication: opcode, handle, value. */
export function handleValuePdu(opcode: number, handle: number, value: Uint8Array): Uint8Array {
  return new ByteBuilder(3 + value.length).u8(opcode).u16le(handle).bytes(value).finish();
}

/** A PDU that is just its opcode (Write Response, Handle Value Confirmation). */
export function bareOpcode(opcode: number): Uint8Array {
  return Uint8Array.of(opcode);
}
