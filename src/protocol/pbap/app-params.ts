/**
 * PBAP application parameters, typed: `PbapParams` to the TLV bytes of the
 * OBEX Application Parameters header and back. Known tags have fixed sizes
 * (checked both ways); SearchValue is UTF-8 text; tags we do not know are
 * kept in `unknown` in their order, so they survive a round trip.
 */
import { decodeAppParams, encodeAppParams, type AppParam } from '../obex/apparam';
import { isObexError } from '../obex/errors';
import { PbapParamTag } from './constants';
import { PbapError, PbapErrorCode } from './errors';

export interface PbapParams {
  /** PbapOrder (open: any byte). */
  order?: number;
  searchValue?: string;
  /** PbapSearchProperty (open: any byte). */
  searchProperty?: number;
  maxListCount?: number;
  listStartOffset?: number;
  /** 64-bit PropertySelector (see PropertyBit). */
  propertySelector?: bigint;
  /** PbapFormat (open: any byte). */
  format?: number;
  phonebookSize?: number;
  newMissedCalls?: number;
  /** 16 bytes. */
  primaryFolderVersion?: Uint8Array;
  /** 16 bytes. */
  secondaryFolderVersion?: Uint8Array;
  vcardSelector?: bigint;
  /** 16 bytes. */
  databaseIdentifier?: Uint8Array;
  /** PbapSelectorOperator (open: any byte). */
  vcardSelectorOperator?: number;
  resetNewMissedCalls?: number;
  /** 32-bit PbapSupportedFeatures (see PbapFeature). */
  supportedFeatures?: number;
  /** Tags outside the table, in arrival order. */
  unknown?: AppParam[];
}

type Kind = 'u8' | 'u16' | 'u32' | 'u64' | 'bytes16' | 'text';

interface Field {
  tag: number;
  key: Exclude<keyof PbapParams, 'unknown'>;
  kind: Kind;
}

/** The known tags in tag order, which is also the order the encoder writes them. */
const FIELDS: readonly Field[] = [
  { tag: PbapParamTag.Order, key: 'order', kind: 'u8' },
  { tag: PbapParamTag.SearchValue, key: 'searchValue', kind: 'text' },
  { tag: PbapParamTag.SearchProperty, key: 'searchProperty', kind: 'u8' },
  { tag: PbapParamTag.MaxListCount, key: 'maxListCount', kind: 'u16' },
  { tag: PbapParamTag.ListStartOffset, key: 'listStartOffset', kind: 'u16' },
  { tag: PbapParamTag.PropertySelector, key: 'propertySelector', kind: 'u64' },
  { tag: PbapParamTag.Format, key: 'format', kind: 'u8' },
  { tag: PbapParamTag.PhonebookSize, key: 'phonebookSize', kind: 'u16' },
  { tag: PbapParamTag.NewMissedCalls, key: 'newMissedCalls', kind: 'u8' },
  { tag: PbapParamTag.PrimaryFolderVersion, key: 'primaryFolderVersion', kind: 'bytes16' },
  { tag: PbapParamTag.SecondaryFolderVersion, key: 'secondaryFolderVersion', kind: 'bytes16' },
  { tag: PbapParamTag.VcardSelector, key: 'vcardSelector', kind: 'u64' },
  { tag: PbapParamTag.DatabaseIdentifier, key: 'databaseIdentifier', kind: 'bytes16' },
  { tag: PbapParamTag.VcardSelectorOperator, key: 'vcardSelectorOperator', kind: 'u8' },
  { tag: PbapParamTag.ResetNewMissedCalls, key: 'resetNewMissedCalls', kind: 'u8' },
  { tag: PbapParamTag.SupportedFeatures, key: 'supportedFeatures', kind: 'u32' },
];

const BY_TAG = new Map<number, Field>(FIELDS.map((f) => [f.tag, f]));

const SIZES: Record<Exclude<Kind, 'text'>, number> = { u8: 1, u16: 2, u32: 4, u64: 8, bytes16: 16 };

/** Text values are sent NUL-terminated (as bluez does); the NUL counts against the 255-byte limit. */
const MAX_TEXT_BYTES = 254;

/** Encodes known fields in tag order, then `unknown` as given. Throws PbapError (bad-value). */
export function encodePbapParams(params: PbapParams): Uint8Array {
  const list: AppParam[] = [];
  for (const field of FIELDS) {
    const value = params[field.key];
    if (value === undefined) continue;
    list.push({ tag: field.tag, value: encodeValue(field, value) });
  }
  for (const extra of params.unknown ?? []) {
    if (BY_TAG.has(extra.tag)) {
      throw new PbapError(PbapErrorCode.BadValue, `unknown parameter list holds known tag 0x${hex2(extra.tag)}`);
    }
    list.push({ tag: extra.tag, value: Uint8Array.from(extra.value) });
  }
  try {
    return encodeAppParams(list);
  } catch (err) {
    if (isObexError(err)) throw new PbapError(PbapErrorCode.BadValue, err.message);
    throw err;
  }
}

/**
 * Decodes the Application Parameters bytes of a PBAP request or response.
 * Throws PbapError: truncated TLVs, a known tag with the wrong size, a
 * known tag twice, SearchValue that is not UTF-8.
 */
export function decodePbapParams(bytes: Uint8Array): PbapParams {
  let list: AppParam[];
  try {
    list = decodeAppParams(bytes);
  } catch (err) {
    if (isObexError(err)) throw new PbapError(PbapErrorCode.Truncated, 'application parameters run past the end', err.offset);
    throw err;
  }
  const out: PbapParams = {};
  const record = out as Record<string, unknown>;
  let offset = 0;
  for (const param of list) {
    const field = BY_TAG.get(param.tag);
    if (field === undefined) {
      (out.unknown ??= []).push(param);
    } else {
      if (record[field.key] !== undefined) {
        throw new PbapError(PbapErrorCode.Repeated, `parameter 0x${hex2(param.tag)} (${field.key}) appears twice`, offset);
      }
      record[field.key] = decodeValue(field, param.value, offset);
    }
    offset += 2 + param.value.length;
  }
  return out;
}

function encodeValue(field: Field, value: unknown): Uint8Array {
  const bad = (why: string): PbapError => new PbapError(PbapErrorCode.BadValue, `${field.key}: ${why}`);
  switch (field.kind) {
    case 'text': {
      if (typeof value !== 'string') throw bad('not a string');
      const utf8 = new TextEncoder().encode(value);
      if (utf8.length > MAX_TEXT_BYTES) throw bad(`${utf8.length} UTF-8 bytes, at most ${MAX_TEXT_BYTES} fit`);
      const out = new Uint8Array(utf8.length + 1);
      out.set(utf8);
      return out;
    }
    case 'bytes16':
      if (!(value instanceof Uint8Array) || value.length !== 16) throw bad('must be 16 bytes');
      return Uint8Array.from(value);
    case 'u64': {
      if (typeof value !== 'bigint' || value < 0n || value > 0xffffffffffffffffn) throw bad(`${String(value)} is not a uint64`);
      return uintBytes(value, 8);
    }
    default: {
      const size = SIZES[field.kind];
      const max = 2 ** (8 * size) - 1;
      if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > max) {
        throw bad(`${String(value)} does not fit 0..${max}`);
      }
      return uintBytes(BigInt(value), size);
    }
  }
}

function decodeValue(field: Field, value: Uint8Array, offset: number): string | number | bigint | Uint8Array {
  if (field.kind === 'text') {
    let text = value;
    if (text.length > 0 && text[text.length - 1] === 0) text = text.subarray(0, text.length - 1);
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(text);
    } catch {
      throw new PbapError(PbapErrorCode.BadText, `${field.key} is not valid UTF-8`, offset + 2);
    }
  }
  const size = SIZES[field.kind];
  if (value.length !== size) {
    throw new PbapError(
      PbapErrorCode.BadSize,
      `parameter 0x${hex2(field.tag)} (${field.key}) has ${value.length} bytes, expected ${size}`,
      offset + 1,
    );
  }
  if (field.kind === 'bytes16') return Uint8Array.from(value);
  let n = 0n;
  for (const byte of value) n = (n << 8n) | BigInt(byte);
  return field.kind === 'u64' ? n : Number(n);
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

function hex2(value: number): string {
  return value.toString(16).toUpperCase().padStart(2, '0');
}
