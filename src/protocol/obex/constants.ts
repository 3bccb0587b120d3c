/**
 * OBEX identifiers and limits: opcodes, response codes, header IDs, SRM and
 * SRMP values, SetPath flags, Action IDs and the GOEP target UUIDs. Every
 * table is an open enum: the names cover what we use, and any other number
 * passes through the codecs untouched.
 */

/** Set on every final request packet and on every response code. */
export const OBEX_FINAL_BIT = 0x80;
/** OBEX protocol version 1.0, as sent in Connect. */
export const OBEX_VERSION = 0x10;
/** Smallest maximum packet length a peer may announce. */
export const OBEX_MIN_PACKET_LENGTH = 255;
/** Largest packet the 16-bit length field can describe. */
export const OBEX_MAX_PACKET_LENGTH = 0xffff;
/** What we announce unless told otherwise (the same default as bluez gobex). */
export const OBEX_DEFAULT_PACKET_LENGTH = 4096;
/** opcode/code (1) + length (2). */
export const OBEX_PACKET_PREFIX_LENGTH = 3;

/** Request opcodes, final bit included where the operation always has it. */
export const Opcode = {
  Connect: 0x80,
  Disconnect: 0x81,
  Put: 0x02,
  PutFinal: 0x82,
  Get: 0x03,
  GetFinal: 0x83,
  SetPath: 0x85,
  Action: 0x86,
  Session: 0x87,
  Abort: 0xff,
} as const;

/** Opcode with the final bit cleared, which is what decides the fixed fields. */
export const BaseOpcode = {
  Connect: 0x00,
  Disconnect: 0x01,
  Put: 0x02,
  Get: 0x03,
  SetPath: 0x05,
  Action: 0x06,
  Session: 0x07,
  Abort: 0x7f,
} as const;

/** Response codes, final bit included (responses always carry it). */
export const ResponseCode = {
  Continue: 0x90,
  Success: 0xa0,
  Created: 0xa1,
  Accepted: 0xa2,
  BadRequest: 0xc0,
  Unauthorized: 0xc1,
  Forbidden: 0xc3,
  NotFound: 0xc4,
  MethodNotAllowed: 0xc5,
  NotAcceptable: 0xc6,
  PreconditionFailed: 0xcc,
  RequestEntityTooLarge: 0xcd,
  UnsupportedMediaType: 0xcf,
  InternalServerError: 0xd0,
  NotImplemented: 0xd1,
  ServiceUnavailable: 0xd3,
  DatabaseFull: 0xe0,
  DatabaseLocked: 0xe1,
} as const;

/** Header IDs. The top two bits of each select its encoding (see HeaderEncoding). */
export const HeaderId = {
  Name: 0x01,
  Description: 0x05,
  DestName: 0x15,
  Type: 0x42,
  Time: 0x44,
  Target: 0x46,
  Body: 0x48,
  EndOfBody: 0x49,
  Who: 0x4a,
  AppParameters: 0x4c,
  AuthChallenge: 0x4d,
  AuthResponse: 0x4e,
  ActionId: 0x94,
  Srm: 0x97,
  Srmp: 0x98,
  Count: 0xc0,
  Length: 0xc3,
  ConnectionId: 0xcb,
} as const;

/** Header encodings, as the value of `id & 0xC0`. */
export const HeaderEncoding = {
  Unicode: 0x00,
  Bytes: 0x40,
  U8: 0x80,
  U32: 0xc0,
} as const;

/** Values of the SRM header (0x97). Indicate is only meaningful in Connect. */
export const SrmValue = { Disable: 0x00, Enable: 0x01, Indicate: 0x02 } as const;

/** Values of the SRM Parameters header (0x98). */
export const SrmpValue = { Next: 0x00, Wait: 0x01, NextAndWait: 0x02 } as const;

/** SetPath flag bits. */
export const SetPathFlag = { Backup: 0x01, NoCreate: 0x02 } as const;

/** Action IDs carried by the ActionId header (0x94) in an Action request. */
export const ActionId = { Copy: 0x00, Move: 0x01, SetPermissions: 0x02 } as const;

/** GOEP service UUIDs sent as Target in Connect (and echoed as Who). */
export const TargetUuid = {
  Pbap: hex('796135F0F0C511D809660800200C9A66'),
  MapMas: hex('BB582B40420C11DBB0DE0800200C9A66'),
  MapMns: hex('BB582B41420C11DBB0DE0800200C9A66'),
} as const;

function hex(text: string): readonly number[] {
  const out: number[] = [];
  for (let i = 0; i < text.length; i += 2) out.push(parseInt(text.slice(i, i + 2), 16));
  return Object.freeze(out);
}

/** True for a Continue response (final bit or not). */
export function isContinue(code: number): boolean {
  return (code & 0x7f) === 0x10;
}

/** True for a response in the Success class (0xA0..0xAF). */
export function isSuccess(code: number): boolean {
  return (code & 0x70) === 0x20;
}

/** A readable name for a response code, e.g. `Forbidden (0xC3)`. */
export function responseCodeName(code: number): string {
  const hexText = `0x${code.toString(16).toUpperCase().padStart(2, '0')}`;
  for (const [name, value] of Object.entries(ResponseCode)) {
    if (value === code) return `${name} (${hexText})`;
  }
  return `response ${hexText}`;
}
