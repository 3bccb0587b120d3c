/**
 * MAP application parameters, typed: `MapParams` to the TLV bytes of the
 * OBEX Application Parameters header and back. Known tags have fixed sizes
 * (checked both ways); strings (filter periods and addresses, MSETime) are
 * UTF-8, sent NUL-terminated, and one trailing NUL is tolerated on input;
 * tags outside the table are kept in `unknown` in their order.
 */
import { decodeAppParams, encodeAppParams, type AppParam } from '../obex/apparam';
import { isObexError } from '../obex/errors';
import { MapParamTag } from './constants';
import { MapError, MapErrorCode } from './errors';
import type { MapParams } from './types';

type Kind = 'u8' | 'u16' | 'u32' | 'text';

interface Field {
  tag: number;
  key: Exclude<keyof MapParams, 'unknown'>;
  kind: Kind;
}

/** The known tags in tag order, which is also the order the encoder writes them. */
const FIELDS: readonly Field[] = [
  { tag: MapParamTag.MaxListCount, key: 'maxListCount', kind: 'u16' },
  { tag: MapParamTag.ListStartOffset, key: 'listStartOffset', kind: 'u16' },
  { tag: MapParamTag.FilterMessageType, key: 'filterMessageType', kind: 'u8' },
  { tag: MapParamTag.FilterPeriodBegin, key: 'filterPeriodBegin', kind: 'text' },
  { tag: MapParamTag.FilterPeriodEnd, key: 'filterPeriodEnd', kind: 'text' },
  { tag: MapParamTag.FilterReadStatus, key: 'filterReadStatus', kind: 'u8' },
  { tag: MapParamTag.FilterRecipient, key: 'filterRecipient', kind: 'text' },
  { tag: MapParamTag.FilterOriginator, key: 'filterOriginator', kind: 'text' },
  { tag: MapParamTag.FilterPriority, key: 'filterPriority', kind: 'u8' },
  { tag: MapParamTag.Attachment, key: 'attachment', kind: 'u8' },
  { tag: MapParamTag.Transparent, key: 'transparent', kind: 'u8' },
  { tag: MapParamTag.Retry, key: 'retry', kind: 'u8' },
  { tag: MapParamTag.NewMessage, key: 'newMessage', kind: 'u8' },
  { tag: MapParamTag.NotificationStatus, key: 'notificationStatus', kind: 'u8' },
  { tag: MapParamTag.MasInstanceId, key: 'masInstanceId', kind: 'u8' },
  { tag: MapParamTag.ParameterMask, key: 'parameterMask', kind: 'u32' },
  { tag: MapParamTag.FolderListingSize, key: 'folderListingSize', kind: 'u16' },
  { tag: MapParamTag.MessagesListingSize, key: 'messagesListingSize', kind: 'u16' },
  { tag: MapParamTag.SubjectLength, key: 'subjectLength', kind: 'u8' },
  { tag: MapParamTag.Charset, key: 'charset', kind: 'u8' },
  { tag: MapParamTag.FractionRequest, key: 'fractionRequest', kind: 'u8' },
  { tag: MapParamTag.FractionDeliver, key: 'fractionDeliver', kind: 'u8' },
  { tag: MapParamTag.StatusIndicator, key: 'statusIndicator', kind: 'u8' },
  { tag: MapParamTag.StatusValue, key: 'statusValue', kind: 'u8' },
  { tag: MapParamTag.MseTime, key: 'mseTime', kind: 'text' },
  { tag: MapParamTag.MapSupportedFeatures, key: 'mapSupportedFeatures', kind: 'u32' },
];

const BY_TAG = new Map<number, Field>(FIELDS.map((f) => [f.tag, f]));

const SIZES: Record<Exclude<Kind, 'text'>, number> = { u8: 1, u16: 2, u32: 4 };

/** Text values are sent NUL-terminated; the NUL counts against the 255-byte TLV limit. */
const MAX_TEXT_BYTES = 254;

/** The tag of a typed key (for callers that build raw TLVs). */
export function mapParamTagOf(key: Exclude<keyof MapParams, 'unknown'>): number {
  const field = FIELDS.find((f) => f.key === key);
  if (field === undefined) throw new RangeError(`no MAP parameter named ${key}`);
  return field.tag;
}

/** Encodes known fields in tag order, then `unknown` as given. Throws MapError (map.bad-value). */
export function encodeMapParams(params: MapParams): Uint8Array {
  const list: AppParam[] = [];
  for (const field of FIELDS) {
    const value = params[field.key];
    if (value === undefined) continue;
    list.push({ tag: field.tag, value: encodeValue(field, value) });
  }
  for (const extra of params.unknown ?? []) {
    if (BY_TAG.has(extra.tag)) {
      throw new MapError(MapErrorCode.BadValue, `unknown parameter list holds known tag 0x${hex2(extra.tag)}`);
    }
    list.push({ tag: extra.tag, value: Uint8Array.from(extra.value) });
  }
  try {
    return encodeAppParams(list);
  } catch (err) {
    if (isObexError(err)) throw new MapError(MapErrorCode.BadValue, err.message);
    throw err;
  }
}

/**
 * Decodes the Application Parameters bytes of a MAP request or response.
 * Throws MapError: truncated TLVs (map.truncated), a known tag with the
 * wrong size (map.bad-size), a known tag twice (map.repeated-param), a
 * string that is not UTF-8 (map.bad-text).
 */
export function decodeMapParams(bytes: Uint8Array): MapParams {
  let list: AppParam[];
  try {
    list = decodeAppParams(bytes);
  } catch (err) {
    if (isObexError(err)) throw new MapError(MapErrorCode.Truncated, 'application parameters run past the end', err.offset);
    throw err;
  }
  const out: MapParams = {};
  const record = out as Record<string, unknown>;
  let offset = 0;
  for (const param of list) {
    const field = BY_TAG.get(param.tag);
    if (field === undefined) {
      (out.unknown ??= []).push(param);
    } else {
      if (record[field.key] !== undefined) {
        throw new MapError(MapErrorCode.Repeated, `parameter 0x${hex2(param.tag)} (${field.key}) appears twice`, offset);
      }
      record[field.key] = decodeValue(field, param.value, offset);
    }
    offset += 2 + param.value.length;
  }
  return out;
}

function encodeValue(field: Field, value: unknown): Uint8Array {
  const bad = (why: string): MapError => new MapError(MapErrorCode.BadValue, `${field.key}: ${why}`);
  if (field.kind === 'text') {
    if (typeof value !== 'string') throw bad('not a string');
    if (value.includes('\0')) throw bad('contains NUL');
    const utf8 = new TextEncoder().encode(value);
    if (utf8.length > MAX_TEXT_BYTES) throw bad(`${utf8.length} UTF-8 bytes, at most ${MAX_TEXT_BYTES} fit`);
    const out = new Uint8Array(utf8.length + 1);
    out.set(utf8);
    return out;
  }
  const size = SIZES[field.kind];
  const max = 2 ** (8 * size) - 1;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > max) {
    throw bad(`${String(value)} does not fit 0..${max}`);
  }
  const out = new Uint8Array(size);
  let rest = value;
  for (let i = size - 1; i >= 0; i--) {
    out[i] = rest % 256;
    rest = Math.floor(rest / 256);
  }
  return out;
}

function decodeValue(field: Field, value: Uint8Array, offset: number): string | number {
  if (field.kind === 'text') {
    let text = value;
    if (text.length > 0 && text[text.length - 1] === 0) text = text.subarray(0, text.length - 1);
    try {
      return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(text);
    } catch {
      throw new MapError(MapErrorCode.BadText, `${field.key} is not valid UTF-8`, offset + 2);
    }
  }
  const size = SIZES[field.kind];
  if (value.length !== size) {
    throw new MapError(
      MapErrorCode.BadSize,
      `parameter 0x${hex2(field.tag)} (${field.key}) has ${value.length} bytes, expected ${size}`,
      offset + 1,
    );
  }
  let n = 0;
  for (const byte of value) n = n * 256 + byte;
  return n;
}

function hex2(value: number): string {
  return value.toString(16).toUpperCase().padStart(2, '0');
}
