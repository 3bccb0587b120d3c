/**
 * The identity the virtual controller reports to its host: version, feature
 * bitmaps, buffer sizes and data-length limits. The LE features claim
 * encryption and Data Length Extension only, so hosts stay on the legacy
 * advertising, scanning and connection commands.
 */

export const CONTROLLER_PROFILE = {
  /** HCI and LMP/LL version 0x09 = Core 5.0 (noble and bleno need >= 6). */
  hciVersion: 0x09,
  hciRevision: 0x0001,
  lmpVersion: 0x09,
  /** 0xFFFF: the company identifier reserved for tests, so no vendor-specific paths trigger. */
  manufacturer: 0xffff,
  lmpSubversion: 0x0001,
  /** LMP features: octet 4 bit 5 "BR/EDR Not Supported", bit 6 "LE Supported (Controller)". */
  lmpFeatures: Uint8Array.of(0, 0, 0, 0, 0x60, 0, 0, 0),
  /** LE features: bit 0 LE Encryption, bit 5 LE Data Packet Length Extension. */
  leFeatures: Uint8Array.of(0x21, 0, 0, 0, 0, 0, 0, 0),
  /** LE states: the 41 legacy state combinations. */
  leStates: Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0, 0),
  /** Largest LL payload and its air time on the 1M PHY. */
  maxDataOctets: 251,
  maxDataTimeUs: 2120,
  /** Spec defaults before any Data Length procedure. */
  minDataOctets: 27,
  minDataTimeUs: 328,
  advertisingTxPowerDbm: 0,
  whiteListSize: 16,
  /** Default HCI event mask after Reset (bits 0-44). */
  defaultEventMask: Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff, 0x1f, 0, 0),
  /** Default LE event mask after Reset (subevents 0x01-0x05). */
  defaultLeEventMask: Uint8Array.of(0x1f, 0, 0, 0, 0, 0, 0, 0),
} as const;

export interface ControllerBuffers {
  /** Largest ACL payload the host may send in one packet (LE_Read_Buffer_Size). */
  aclBufferLength: number;
  /** ACL packets the host may have outstanding (not yet reported completed). */
  aclBufferCount: number;
}

export const DEFAULT_BUFFERS: ControllerBuffers = { aclBufferLength: 251, aclBufferCount: 8 };

export function checkBuffers(buffers: ControllerBuffers): ControllerBuffers {
  const { aclBufferLength: len, aclBufferCount: n } = buffers;
  if (!Number.isInteger(len) || len < 27 || len > 1021) throw new RangeError(`ACL buffer length ${len} is outside 27..1021`);
  if (!Number.isInteger(n) || n < 1 || n > 255) throw new RangeError(`ACL buffer count ${n} is outside 1..255`);
  return buffers;
}
