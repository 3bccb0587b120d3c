/**
 * OBEX packet codec: `opcode|code (1) | length (2, BE, whole packet) |
 * fixed fields | headers`. Connect requests and responses carry 4 fixed
 * bytes (version, flags, max packet length) and SetPath requests 2 (flags,
 * constants). A request's fixed fields follow from its opcode; a response
 * only has them when it answers a Connect, which the caller must say.
 */
import { BaseOpcode, OBEX_PACKET_PREFIX_LENGTH, ResponseCode } from './constants';
import { ObexError, ObexErrorKind } from './errors';
import { decodeHeaders, encodedHeadersLength, writeHeader, type ObexHeader } from './headers';

export interface ConnectFields {
  version: number;
  flags: number;
  maxPacketLength: number;
}

export interface SetPathFields {
  flags: number;
  constants: number;
}

export interface ObexRequest {
  /** Opcode including the final bit (0x80). */
  opcode: number;
  /** Present exactly when `opcode & 0x7F` is Connect. */
  connect?: ConnectFields;
  /** Present exactly when `opcode & 0x7F` is SetPath. */
  setPath?: SetPathFields;
  headers: ObexHeader[];
}

export interface ObexResponse {
  /** Response code including the final bit. */
  code: number;
  /** Present for an answer to Connect (absent only in a bare 3-byte failure). */
  connect?: ConnectFields;
  headers: ObexHeader[];
}

export interface DecodeResponseOptions {
  /** The response answers a Connect request, so it carries Connect's fixed fields. */
  connectResponse?: boolean;
}

/** Fixed-field bytes a request with this opcode carries. */
export function requestFixedLength(opcode: number): number {
  switch (opcode & 0x7f) {
    case BaseOpcode.Connect:
      return 4;
    case BaseOpcode.SetPath:
      return 2;
    default:
      return 0;
  }
}

/** The length field of the packet starting at `offset` (needs 3 bytes). */
export function readPacketLength(bytes: Uint8Array, offset = 0): number {
  if (offset + OBEX_PACKET_PREFIX_LENGTH > bytes.length) {
    throw new ObexError(ObexErrorKind.Truncated, 'packet shorter than 3 bytes', bytes.length);
  }
  return ((bytes[offset + 1] as number) << 8) | (bytes[offset + 2] as number);
}

export function decodeRequest(bytes: Uint8Array): ObexRequest {
  checkFraming(bytes);
  const opcode = bytes[0] as number;
  const fixed = requestFixedLength(opcode);
  if (bytes.length < OBEX_PACKET_PREFIX_LENGTH + fixed) {
    throw new ObexError(ObexErrorKind.Truncated, `opcode 0x${hex2(opcode)} needs ${fixed} fixed bytes`, bytes.length);
  }
  const request: ObexRequest = { opcode, headers: [] };
  if (fixed === 4) request.connect = readConnectFields(bytes);
  if (fixed === 2) request.setPath = { flags: bytes[3] as number, constants: bytes[4] as number };
  request.headers = decodeHeaders(bytes, OBEX_PACKET_PREFIX_LENGTH + fixed, bytes.length);
  return request;
}

export function decodeResponse(bytes: Uint8Array, options: DecodeResponseOptions = {}): ObexResponse {
  checkFraming(bytes);
  const code = bytes[0] as number;
  const response: ObexResponse = { code, headers: [] };
  let offset = OBEX_PACKET_PREFIX_LENGTH;
  if (options.connectResponse === true) {
    // A peer refusing a Connect may answer with the bare 3 bytes; a success must carry the fields.
    const bareRefusal = bytes.length === OBEX_PACKET_PREFIX_LENGTH && code !== ResponseCode.Success;
    if (!bareRefusal) {
      if (bytes.length < OBEX_PACKET_PREFIX_LENGTH + 4) {
        throw new ObexError(ObexErrorKind.Truncated, 'Connect response needs 4 fixed bytes', bytes.length);
      }
      response.connect = readConnectFields(bytes);
      offset += 4;
    }
  }
  response.headers = decodeHeaders(bytes, offset, bytes.length);
  return response;
}

export function encodeRequest(request: ObexRequest): Uint8Array {
  const opcode = checkByte(request.opcode, 'opcode');
  const fixed = requestFixedLength(opcode);
  if ((fixed === 4) !== (request.connect !== undefined)) {
    throw new ObexError(ObexErrorKind.BadValue, `opcode 0x${hex2(opcode)}: Connect fields must be given exactly for Connect`);
  }
  if ((fixed === 2) !== (request.setPath !== undefined)) {
    throw new ObexError(ObexErrorKind.BadValue, `opcode 0x${hex2(opcode)}: SetPath fields must be given exactly for SetPath`);
  }
  const out = allocate(opcode, fixed, request.headers);
  if (request.connect) writeConnectFields(out, request.connect);
  if (request.setPath) {
    out[3] = checkByte(request.setPath.flags, 'SetPath flags');
    out[4] = checkByte(request.setPath.constants, 'SetPath constants');
  }
  writeHeaders(out, OBEX_PACKET_PREFIX_LENGTH + fixed, request.headers);
  return out;
}

export function encodeResponse(response: ObexResponse): Uint8Array {
  const code = checkByte(response.code, 'response code');
  const fixed = response.connect ? 4 : 0;
  const out = allocate(code, fixed, response.headers);
  if (response.connect) writeConnectFields(out, response.connect);
  writeHeaders(out, OBEX_PACKET_PREFIX_LENGTH + fixed, response.headers);
  return out;
}

/** Wire length of a packet with these fixed bytes and headers. */
export function packetLength(fixedLength: number, headers: readonly ObexHeader[]): number {
  return OBEX_PACKET_PREFIX_LENGTH + fixedLength + encodedHeadersLength(headers);
}

function checkFraming(bytes: Uint8Array): void {
  const declared = readPacketLength(bytes);
  if (declared < OBEX_PACKET_PREFIX_LENGTH) {
    throw new ObexError(ObexErrorKind.BadLength, `packet length ${declared} is below 3`, 1);
  }
  if (declared > bytes.length) {
    throw new ObexError(ObexErrorKind.Truncated, `packet length ${declared} but only ${bytes.length} bytes`, bytes.length);
  }
  if (declared < bytes.length) {
    throw new ObexError(
      ObexErrorKind.BadLength,
      `packet length ${declared} but ${bytes.length - declared} bytes follow it`,
      declared,
    );
  }
}

function readConnectFields(bytes: Uint8Array): ConnectFields {
  return {
    version: bytes[3] as number,
    flags: bytes[4] as number,
    maxPacketLength: ((bytes[5] as number) << 8) | (bytes[6] as number),
  };
}

function writeConnectFields(out: Uint8Array, fields: ConnectFields): void {
  out[3] = checkByte(fields.version, 'Connect version');
  out[4] = checkByte(fields.flags, 'Connect flags');
  const max = fields.maxPacketLength;
  if (!Number.isInteger(max) || max < 0 || max > 0xffff) {
    throw new ObexError(ObexErrorKind.BadValue, `max packet length ${max} is not a uint16`);
  }
  out[5] = max >> 8;
  out[6] = max & 0xff;
}

function allocate(first: number, fixed: number, headers: readonly ObexHeader[]): Uint8Array {
  const length = packetLength(fixed, headers);
  if (length > 0xffff) {
    throw new ObexError(ObexErrorKind.TooLarge, `packet of ${length} bytes does not fit the 16-bit length field`);
  }
  const out = new Uint8Array(length);
  out[0] = first;
  out[1] = length >> 8;
  out[2] = length & 0xff;
  return out;
}

function writeHeaders(out: Uint8Array, offset: number, headers: readonly ObexHeader[]): void {
  let at = offset;
  for (const header of headers) at = writeHeader(header, out, at);
}

function checkByte(value: number, what: string): number {
  if (!Number.isInteger(value) || value < 0 || value > 0xff) {
    throw new ObexError(ObexErrorKind.BadValue, `${what} ${value} is not a byte`);
  }
  return value;
}

function hex2(value: number): string {
  return value.toString(16).toUpperCase().padStart(2, '0');
}
