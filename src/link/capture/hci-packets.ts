/**
 * HCI packets as the PC's host exchanges them with its controller, in H4
 * framing (type byte first): the few commands and events a connection's
 * life shows in a controller log (create, complete, encryption change,
 * disconnect), and ACL data packets carrying an L2CAP frame, cut at the
 * controller's ACL buffer size with packet-boundary flags. Pure encoders.
 */
import { ByteBuilder, addressBytes } from './bytes';

/** H4 packet type bytes. */
export const H4Type = {
  Command: 0x01,
  Acl: 0x02,
  Sco: 0x03,
  Event: 0x04,
} as const;

/** One packet on the PC's HCI; `sent` when the host sent it to the controller. */
export interface HciPacket {
  sent: boolean;
  /** H4 bytes: the type byte, then the HCI packet. */
  bytes: Uint8Array;
}

export const HciOpcode = {
  ReadBdAddr: 0x1009,
  CreateConnection: 0x0405,
  Disconnect: 0x0406,
  LeCreateConnection: 0x200d,
} as const;

export const HciEventCode = {
  ConnectionComplete: 0x03,
  DisconnectionComplete: 0x05,
  EncryptionChange: 0x08,
  CommandComplete: 0x0e,
  CommandStatus: 0x0f,
  LeMeta: 0x3e,
} as const;

export const LeSubevent = {
  ConnectionComplete: 0x01,
} as const;

/** ACL Packet_Boundary flags. */
export const AclBoundary = {
  /** First fragment, not automatically flushable (what an LE host sends). */
  FirstNonFlushable: 0b00,
  Continuing: 0b01,
  /** First fragment, automatically flushable. */
  FirstFlushable: 0b10,
} as const;

/** ACL buffer sizes a realistic controller reports. */
export const BR_EDR_ACL_MTU = 1021;
export const LE_ACL_MTU = 251;
/** Connection handles are 12 bits; 0x0F00 and up are reserved. */
export const MAX_CONNECTION_HANDLE = 0x0eff;

export function hciCommand(opcode: number, params: Uint8Array): HciPacket {
  const b = new ByteBuilder(4 + params.length).u8(H4Type.Command).u16le(opcode).u8(params.length).bytes(params);
  return { sent: true, bytes: b.finish() };
}

export function hciEvent(code: number, params: Uint8Array): HciPacket {
  const b = new ByteBuilder(3 + params.length).u8(H4Type.Event).u8(code).u8(params.length).bytes(params);
  return { sent: false, bytes: b.finish() };
}

export function commandComplete(opcode: number, returnParameters: Uint8Array): HciPacket {
  return hciEvent(HciEventCode.CommandComplete, new ByteBuilder(3 + returnParameters.length).u8(1).u16le(opcode).bytes(returnParameters).finish());
}

/** HCI_Read_BD_ADDR and its Command Complete: how a log learns the PC's own address. */
export function readBdAddr(address: string): HciPacket[] {
  return [
    hciCommand(HciOpcode.ReadBdAddr, new Uint8Array(0)),
    commandComplete(HciOpcode.ReadBdAddr, new ByteBuilder(7).u8(0).bytes(addressBytes(address)).finish()),
  ];
}

export function commandStatus(opcode: number, status = 0): HciPacket {
  return hciEvent(HciEventCode.CommandStatus, new ByteBuilder(4).u8(status).u8(1).u16le(opcode).finish());
}

/** HCI_Create_Connection to a BR/EDR device (DM/DH packets, R2 page scan, role switch allowed). */
export function createConnection(address: string): HciPacket {
  const params = new ByteBuilder(13)
    .bytes(addressBytes(address))
    .u16le(0xcc18)
    .u8(0x02)
    .u8(0x00)
    .u16le(0x0000)
    .u8(0x01)
    .finish();
  return hciCommand(HciOpcode.CreateConnection, params);
}

/** Connection Complete for an ACL link. */
export function connectionComplete(handle: number, address: string, status = 0): HciPacket {
  const params = new ByteBuilder(11).u8(status).u16le(handle).bytes(addressBytes(address)).u8(0x01).u8(0x00).finish();
  return hciEvent(HciEventCode.ConnectionComplete, params);
}

export interface LeConnectionParameters {
  intervalMs: number;
  supervisionTimeoutMs: number;
}

/** Interval in 1.25 ms units, clamped to what HCI allows. */
function intervalUnits(ms: number): number {
  return Math.min(0x0c80, Math.max(0x0006, Math.round(ms / 1.25)));
}

/** Supervision timeout in 10 ms units, clamped to what HCI allows. */
function timeoutUnits(ms: number): number {
  return Math.min(0x0c80, Math.max(0x000a, Math.round(ms / 10)));
}

/** HCI_LE_Create_Connection to a public address, asking for exactly `params`. */
export function leCreateConnection(address: string, params: LeConnectionParameters): HciPacket {
  const interval = intervalUnits(params.intervalMs);
  const body = new ByteBuilder(25)
    .u16le(0x0060) // scan interval 60 ms
    .u16le(0x0030) // scan window 30 ms
    .u8(0x00) // no filter accept list
    .u8(0x00) // peer address public
    .bytes(addressBytes(address))
    .u8(0x00) // own address public
    .u16le(interval)
    .u16le(interval)
    .u16le(0x0000)
    .u16le(timeoutUnits(params.supervisionTimeoutMs))
    .u16le(0x0000)
    .u16le(0x0000)
    .finish();
  return hciCommand(HciOpcode.LeCreateConnection, body);
}

/** LE Connection Complete with the PC as central and the phone at a public address. */
export function leConnectionComplete(handle: number, address: string, params: LeConnectionParameters, status = 0): HciPacket {
  const body = new ByteBuilder(19)
    .u8(LeSubevent.ConnectionComplete)
    .u8(status)
    .u16le(handle)
    .u8(0x00) // role: central
    .u8(0x00) // peer address public
    .bytes(addressBytes(address))
    .u16le(intervalUnits(params.intervalMs))
    .u16le(0x0000)
    .u16le(timeoutUnits(params.supervisionTimeoutMs))
    .u8(0x00) // central clock accuracy 500 ppm
    .finish();
  return hciEvent(HciEventCode.LeMeta, body);
}

export function disconnect(handle: number, reason: number): HciPacket {
  return hciCommand(HciOpcode.Disconnect, new ByteBuilder(3).u16le(handle).u8(reason).finish());
}

export function disconnectionComplete(handle: number, reason: number, status = 0): HciPacket {
  return hciEvent(HciEventCode.DisconnectionComplete, new ByteBuilder(4).u8(status).u16le(handle).u8(reason).finish());
}

export function encryptionChange(handle: number, enabled: boolean, status = 0): HciPacket {
  return hciEvent(HciEventCode.EncryptionChange, new ByteBuilder(4).u8(status).u16le(handle).u8(enabled ? 0x01 : 0x00).finish());
}

/** An L2CAP basic frame: length, channel id, payload. */
export function l2capFrame(cid: number, payload: Uint8Array): Uint8Array {
  if (payload.length > 0xffff) throw new RangeError(`an L2CAP payload of ${payload.length} bytes exceeds 65535`);
  return new ByteBuilder(4 + payload.length).u16le(payload.length).u16le(cid).bytes(payload).finish();
}

export interface AclOptions {
  /** True when the PC's host sends it. */
  sent: boolean;
  /** Largest ACL payload per packet (the controller's buffer size). */
  aclMtu: number;
  /** Boundary flag of the first fragment. */
  first: number;
}

/** An L2CAP frame as the ACL data packets that carry it: the first with `first`, the rest Continuing. */
export function aclPackets(handle: number, frame: Uint8Array, options: AclOptions): HciPacket[] {
  if (!(Number.isInteger(handle) && handle >= 0 && handle <= MAX_CONNECTION_HANDLE)) throw new RangeError(`connection handle ${handle} is out of range`);
  const mtu = Math.max(1, Math.min(0xffff, options.aclMtu));
  const packets: HciPacket[] = [];
  for (let at = 0; at < frame.length || at === 0; at += mtu) {
    const chunk = frame.subarray(at, Math.min(frame.length, at + mtu));
    const boundary = at === 0 ? options.first : AclBoundary.Continuing;
    const b = new ByteBuilder(5 + chunk.length)
      .u8(H4Type.Acl)
      .u16le(handle | (boundary << 12))
      .u16le(chunk.length)
      .bytes(chunk);
    packets.push({ sent: options.sent, bytes: b.finish() });
    if (frame.length === 0) break;
  }
  return packets;
}
