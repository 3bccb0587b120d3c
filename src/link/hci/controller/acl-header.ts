/**
 * The 4-byte HCI ACL data header: a 12-bit connection handle, the 2-bit
 * Packet_Boundary and Broadcast flags, and a 16-bit data length.
 */
import { HciError, HciErrorKind } from './hci-errors';

export const ACL_HEADER_LENGTH = 4;
/** Largest connection handle value (0x0F00 and above are reserved). */
export const MAX_CONNECTION_HANDLE = 0x0eff;

export interface AclHeader {
  /** Connection handle, 0..0x0FFF on the wire (0..0x0EFF valid). */
  handle: number;
  /** Packet_Boundary flag (see AclBoundary). */
  pb: number;
  /** Broadcast flag (0 for point-to-point). */
  bc: number;
  /** Data_Total_Length: bytes following the header. */
  length: number;
}

export function encodeAclHeader(header: AclHeader): Uint8Array {
  const { handle, pb, bc, length } = header;
  if (!Number.isInteger(handle) || handle < 0 || handle > 0x0fff) throw bad('handle', handle);
  if (!Number.isInteger(pb) || pb < 0 || pb > 3) throw bad('packet boundary flag', pb);
  if (!Number.isInteger(bc) || bc < 0 || bc > 3) throw bad('broadcast flag', bc);
  if (!Number.isInteger(length) || length < 0 || length > 0xffff) throw bad('length', length);
  const word = handle | (pb << 12) | (bc << 14);
  return Uint8Array.of(word & 0xff, word >> 8, length & 0xff, length >> 8);
}

/** Reads the header at `offset`; throws `hci.truncated` when fewer than 4 bytes are there. */
export function decodeAclHeader(bytes: Uint8Array, offset = 0): AclHeader {
  if (bytes.length - offset < ACL_HEADER_LENGTH) {
    throw new HciError(HciErrorKind.Truncated, `ACL header needs 4 bytes, ${Math.max(0, bytes.length - offset)} left`, offset);
  }
  const word = (bytes[offset] as number) | ((bytes[offset + 1] as number) << 8);
  return {
    handle: word & 0x0fff,
    pb: (word >> 12) & 0x3,
    bc: (word >> 14) & 0x3,
    length: (bytes[offset + 2] as number) | ((bytes[offset + 3] as number) << 8),
  };
}

function bad(what: string, value: number): HciError {
  return new HciError(HciErrorKind.BadValue, `ACL ${what} ${value} does not fit its field`);
}
