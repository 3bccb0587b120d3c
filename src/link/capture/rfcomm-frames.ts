/**
 * RFCOMM (TS 07.10 as Bluetooth profiles it) frame encoders: SABM, UA, DM,
 * DISC and UIH frames with the address (DLCI, C/R, EA), control (type,
 * P/F), one- or two-octet length, the credit octet of credit-based flow
 * control (UIH with P/F set) and the CRC-8 FCS; and the multiplexer control
 * commands a session shows (PN with credit-based flow control, MSC). Pure.
 */
import { ByteBuilder } from './bytes';

export const RfcommFrameType = {
  SABM: 0x2f,
  UA: 0x63,
  DM: 0x0f,
  DISC: 0x43,
  UIH: 0xef,
} as const;

/** The P/F bit of the control octet. */
export const RFCOMM_PF = 0x10;

/** Multiplexer control command types (the 6-bit type, before shifting into the type octet). */
export const RfcommMcc = {
  PN: 0x20,
  MSC: 0x38,
} as const;

/** PN convergence layer values: credit-based flow control asked for (command) and agreed (response). */
export const CREDIT_FLOW_REQUEST = 0xf;
export const CREDIT_FLOW_ACCEPT = 0xe;
/** Largest information field RFCOMM can express. */
export const RFCOMM_MAX_INFO = 32767;

const CRC_TABLE = ((): Uint8Array => {
  const table = new Uint8Array(256);
  for (let i = 0; i < 256; i++) {
    let crc = i;
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ 0xe0 : crc >>> 1;
    table[i] = crc;
  }
  return table;
})();

/** The TS 07.10 frame check sequence over `bytes`. */
export function rfcommFcs(bytes: Uint8Array): number {
  let crc = 0xff;
  for (const byte of bytes) crc = CRC_TABLE[(crc ^ byte) & 0xff] as number;
  return 0xff - crc;
}

export interface RfcommFrame {
  dlci: number;
  /** The address octet's C/R bit. */
  cr: boolean;
  type: number;
  pf: boolean;
  /** Information field. */
  payload?: Uint8Array;
  /** Credits granted (UIH with P/F set on a credit-flow channel). */
  credits?: number;
}

export function encodeRfcommFrame(frame: RfcommFrame): Uint8Array {
  const payload = frame.payload ?? new Uint8Array(0);
  if (payload.length > RFCOMM_MAX_INFO) throw new RangeError(`RFCOMM information field of ${payload.length} bytes exceeds ${RFCOMM_MAX_INFO}`);
  const b = new ByteBuilder(6 + payload.length);
  b.u8(((frame.dlci & 0x3f) << 2) | (frame.cr ? 0x02 : 0) | 0x01);
  b.u8(frame.type | (frame.pf ? RFCOMM_PF : 0));
  if (payload.length <= 127) b.u8((payload.length << 1) | 0x01);
  else b.u8((payload.length & 0x7f) << 1).u8(payload.length >>> 7);
  const headerLength = b.size;
  if (frame.credits !== undefined) b.u8(frame.credits);
  b.bytes(payload);
  const bytes = b.finish();
  // UIH frames check the address and control octets only; the others include the length too.
  const covered = frame.type === RfcommFrameType.UIH ? bytes.subarray(0, 2) : bytes.subarray(0, headerLength);
  const out = new Uint8Array(bytes.length + 1);
  out.set(bytes);
  out[bytes.length] = rfcommFcs(covered);
  return out;
}

/** A multiplexer control message: type octet (with C/R: command or response), length, value. */
export function encodeMcc(type: number, command: boolean, value: Uint8Array): Uint8Array {
  return new ByteBuilder(2 + value.length)
    .u8((type << 2) | (command ? 0x02 : 0) | 0x01)
    .u8((value.length << 1) | 0x01)
    .bytes(value)
    .finish();
}

export interface PnParameters {
  dlci: number;
  /** Convergence layer: CREDIT_FLOW_REQUEST in the command, CREDIT_FLOW_ACCEPT in the response. */
  convergence: number;
  priority: number;
  /** Maximum frame size (N1). */
  frameSize: number;
  /** Initial credits (K). */
  credits: number;
}

export function pnValue(p: PnParameters): Uint8Array {
  return new ByteBuilder(8)
    .u8(p.dlci & 0x3f)
    .u8((p.convergence & 0x0f) << 4)
    .u8(p.priority & 0x3f)
    .u8(0x00)
    .u16le(p.frameSize)
    .u8(0x00)
    .u8(p.credits & 0x07)
    .finish();
}

/** MSC value: the DLCI and V.24 signals RTC, RTR and DV set (ready to talk), no break. */
export function mscValue(dlci: number): Uint8Array {
  return Uint8Array.of(((dlci & 0x3f) << 2) | 0x02 | 0x01, 0x8d);
}
