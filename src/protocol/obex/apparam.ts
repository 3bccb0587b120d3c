/**
 * Application Parameters (the value of header 0x4C): a list of TLVs, each
 * tag (1) | length (1) | value, integers big-endian. Generic codec only:
 * the PBAP and MAP tag tables live with those profiles. Order and repeats
 * are kept, so a decoded list re-encodes to the same bytes.
 */
import { ObexError, ObexErrorKind } from './errors';

export interface AppParam {
  tag: number;
  value: Uint8Array;
}

/** Decodes a TLV list. Values are copies of the input bytes. */
export function decodeAppParams(bytes: Uint8Array): AppParam[] {
  const params: AppParam[] = [];
  let at = 0;
  while (at < bytes.length) {
    if (at + 2 > bytes.length) {
      throw new ObexError(ObexErrorKind.Truncated, 'app parameter tag without a length', at);
    }
    const tag = bytes[at] as number;
    const length = bytes[at + 1] as number;
    if (at + 2 + length > bytes.length) {
      throw new ObexError(
        ObexErrorKind.Truncated,
        `app parameter 0x${hex2(tag)} length ${length} runs past the end`,
        at + 1,
      );
    }
    params.push({ tag, value: bytes.slice(at + 2, at + 2 + length) });
    at += 2 + length;
  }
  return params;
}

export function encodeAppParams(params: readonly AppParam[]): Uint8Array {
  let total = 0;
  for (const param of params) {
    checkByte(param.tag, 'app parameter tag');
    if (param.value.length > 0xff) {
      throw new ObexError(ObexErrorKind.BadValue, `app parameter 0x${hex2(param.tag)} value is longer than 255 bytes`);
    }
    total += 2 + param.value.length;
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const param of params) {
    out[at] = param.tag;
    out[at + 1] = param.value.length;
    out.set(param.value, at + 2);
    at += 2 + param.value.length;
  }
  return out;
}

/** Builders for typed values. */
export const appParam = {
  u8(tag: number, value: number): AppParam {
    return { tag, value: uintBytes(BigInt(checkUint(value, 0xff, tag)), 1) };
  },
  u16(tag: number, value: number): AppParam {
    return { tag, value: uintBytes(BigInt(checkUint(value, 0xffff, tag)), 2) };
  },
  u32(tag: number, value: number): AppParam {
    return { tag, value: uintBytes(BigInt(checkUint(value, 0xffffffff, tag)), 4) };
  },
  u64(tag: number, value: bigint): AppParam {
    if (value < 0n || value > 0xffffffffffffffffn) {
      throw new ObexError(ObexErrorKind.BadValue, `app parameter 0x${hex2(tag)}: ${value} is not a uint64`);
    }
    return { tag, value: uintBytes(value, 8) };
  },
  /** UTF-8 text, by default followed by a NUL (as bluez sends strings). */
  string(tag: number, text: string, options: { nul?: boolean } = {}): AppParam {
    const utf8 = new TextEncoder().encode(text);
    if (options.nul === false) return { tag, value: utf8 };
    const value = new Uint8Array(utf8.length + 1);
    value.set(utf8);
    return { tag, value };
  },
  bytes(tag: number, value: Uint8Array): AppParam {
    return { tag, value: Uint8Array.from(value) };
  },
};

/** The first parameter with `tag`, if any. */
export function findAppParam(params: readonly AppParam[], tag: number): AppParam | undefined {
  return params.find((p) => p.tag === tag);
}

/** Readers: undefined when the tag is absent; ObexError (bad-length) when its size is wrong. */
export function readAppU8(params: readonly AppParam[], tag: number): number | undefined {
  const value = sized(params, tag, 1);
  return value === undefined ? undefined : Number(uintValue(value));
}

export function readAppU16(params: readonly AppParam[], tag: number): number | undefined {
  const value = sized(params, tag, 2);
  return value === undefined ? undefined : Number(uintValue(value));
}

export function readAppU32(params: readonly AppParam[], tag: number): number | undefined {
  const value = sized(params, tag, 4);
  return value === undefined ? undefined : Number(uintValue(value));
}

export function readAppU64(params: readonly AppParam[], tag: number): bigint | undefined {
  const value = sized(params, tag, 8);
  return value === undefined ? undefined : uintValue(value);
}

/** UTF-8 text with one trailing NUL (if present) removed; ObexError (bad-unicode) for invalid UTF-8. */
export function readAppString(params: readonly AppParam[], tag: number): string | undefined {
  const param = findAppParam(params, tag);
  if (!param) return undefined;
  let bytes = param.value;
  if (bytes.length > 0 && bytes[bytes.length - 1] === 0) bytes = bytes.subarray(0, bytes.length - 1);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new ObexError(ObexErrorKind.BadUnicode, `app parameter 0x${hex2(tag)} is not valid UTF-8`);
  }
}

export function readAppBytes(params: readonly AppParam[], tag: number): Uint8Array | undefined {
  return findAppParam(params, tag)?.value;
}

function sized(params: readonly AppParam[], tag: number, size: number): Uint8Array | undefined {
  const param = findAppParam(params, tag);
  if (!param) return undefined;
  if (param.value.length !== size) {
    throw new ObexError(
      ObexErrorKind.BadLength,
      `app parameter 0x${hex2(tag)} has ${param.value.length} bytes, expected ${size}`,
    );
  }
  return param.value;
}

function uintBytes(value: bigint, size: number): Uint8Array {
  const out = new Uint8Array(size);
  let rest = value;
  for (let i = size - 1; i >= 0; i--) {
    out[i] = Number(rest & 0xffn);
    rest >>= 8n;
  }
  return out;
}

function uintValue(bytes: Uint8Array): bigint {
  let value = 0n;
  for (const byte of bytes) value = (value << 8n) | BigInt(byte);
  return value;
}

function checkUint(value: number, max: number, tag: number): number {
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new ObexError(ObexErrorKind.BadValue, `app parameter 0x${hex2(tag)}: ${value} does not fit 0..${max}`);
  }
  return value;
}

function checkByte(value: number, what: string): void {
  if (!Number.isInteger(value) || value < 0 || value > 0xff) {
    throw new ObexError(ObexErrorKind.BadValue, `${what} ${value} is not a byte`);
  }
}

function hex2(value: number): string {
  return value.toString(16).toUpperCase().padStart(2, '0');
}
