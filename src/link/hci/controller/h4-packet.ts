/**
 * Whole H4 packets: the typed shapes of command, ACL data and event packets
 * and their encoding to and from UART bytes (the type byte, the header with
 * its length field, then the payload). Streams cut anywhere go through
 * `H4Splitter` first.
 */
import { ACL_HEADER_LENGTH, decodeAclHeader, encodeAclHeader } from './acl-header';
import { H4Type } from './hci-constants';
import { HciError, HciErrorKind } from './hci-errors';

export interface CommandPacket {
  type: typeof H4Type.Command;
  opcode: number;
  /** Parameters, at most 255 bytes. */
  params: Uint8Array;
}

export interface AclPacket {
  type: typeof H4Type.Acl;
  handle: number;
  /** Packet_Boundary flag. */
  pb: number;
  /** Broadcast flag. */
  bc: number;
  data: Uint8Array;
}

export interface EventPacket {
  type: typeof H4Type.Event;
  code: number;
  /** Parameters, at most 255 bytes. */
  params: Uint8Array;
}

export type H4Packet = CommandPacket | AclPacket | EventPacket;

/** Bytes of the header after the type byte, by type. */
export function headerLength(type: number): number | undefined {
  if (type === H4Type.Command) return 3;
  if (type === H4Type.Acl) return ACL_HEADER_LENGTH;
  if (type === H4Type.Event) return 2;
  return undefined;
}

export function encodeH4(packet: H4Packet): Uint8Array {
  if (packet.type === H4Type.Acl) {
    const header = encodeAclHeader({ handle: packet.handle, pb: packet.pb, bc: packet.bc, length: packet.data.length });
    const out = new Uint8Array(1 + ACL_HEADER_LENGTH + packet.data.length);
    out[0] = H4Type.Acl;
    out.set(header, 1);
    out.set(packet.data, 1 + ACL_HEADER_LENGTH);
    return out;
  }
  if (packet.params.length > 0xff) {
    throw new HciError(HciErrorKind.BadValue, `parameters of ${packet.params.length} bytes exceed 255`);
  }
  if (packet.type === H4Type.Command) {
    if (!Number.isInteger(packet.opcode) || packet.opcode < 0 || packet.opcode > 0xffff) {
      throw new HciError(HciErrorKind.BadValue, `opcode ${packet.opcode} does not fit 16 bits`);
    }
    const out = new Uint8Array(4 + packet.params.length);
    out.set([H4Type.Command, packet.opcode & 0xff, packet.opcode >> 8, packet.params.length]);
    out.set(packet.params, 4);
    return out;
  }
  if (!Number.isInteger(packet.code) || packet.code < 0 || packet.code > 0xff) {
    throw new HciError(HciErrorKind.BadValue, `event code ${packet.code} does not fit 8 bits`);
  }
  const out = new Uint8Array(3 + packet.params.length);
  out.set([H4Type.Event, packet.code, packet.params.length]);
  out.set(packet.params, 3);
  return out;
}

/**
 * Decodes exactly one whole packet. Throws HciError: `hci.bad-packet-type`,
 * `hci.truncated` (fewer bytes than the length says) or `hci.bad-length`
 * (bytes left over).
 */
export function decodeH4(bytes: Uint8Array): H4Packet {
  if (bytes.length === 0) throw new HciError(HciErrorKind.Truncated, 'empty H4 packet', 0);
  const type = bytes[0] as number;
  const header = headerLength(type);
  if (header === undefined) {
    throw new HciError(HciErrorKind.BadPacketType, `H4 packet type 0x${type.toString(16).padStart(2, '0')} is not command, ACL or event`, 0);
  }
  if (bytes.length < 1 + header) {
    throw new HciError(HciErrorKind.Truncated, `H4 header needs ${header} bytes after the type, ${bytes.length - 1} left`, bytes.length);
  }
  const length = payloadLength(type, bytes, 1);
  const total = 1 + header + length;
  if (bytes.length < total) {
    throw new HciError(HciErrorKind.Truncated, `packet says ${length} payload bytes, ${bytes.length - 1 - header} present`, bytes.length);
  }
  if (bytes.length > total) {
    throw new HciError(HciErrorKind.BadLength, `${bytes.length - total} byte(s) after the packet end`, total);
  }
  const payload = bytes.slice(1 + header, total);
  if (type === H4Type.Command) {
    return { type: H4Type.Command, opcode: (bytes[1] as number) | ((bytes[2] as number) << 8), params: payload };
  }
  if (type === H4Type.Acl) {
    const h = decodeAclHeader(bytes, 1);
    return { type: H4Type.Acl, handle: h.handle, pb: h.pb, bc: h.bc, data: payload };
  }
  return { type: H4Type.Event, code: bytes[1] as number, params: payload };
}

/** The payload length announced by the header that starts at `at` (just after the type byte). */
export function payloadLength(type: number, bytes: Uint8Array, at: number): number {
  if (type === H4Type.Command) return bytes[at + 2] as number;
  if (type === H4Type.Event) return bytes[at + 1] as number;
  return (bytes[at + 2] as number) | ((bytes[at + 3] as number) << 8);
}
