/**
 * A table-driven typed codec for OBEX Application Parameters: a profile
 * gives its field table (tag, key, kind) and how to report each failure,
 * and gets back encode/decode between its typed parameter object and the
 * TLV bytes. Known tags have fixed sizes (checked both ways), text is UTF-8
 * sent NUL-terminated (one trailing NUL tolerated on input), a known tag
 * given twice is refused, and tags outside the table are kept in `unknown`
 * in their order so they survive a round trip.
 */
import { appParam, decodeAppParams, encodeAppParams, type AppParam } from './apparam';
import { isObexError } from './errors';

/** How a field's value is carried: big-endian unsigned ints, 16 raw bytes, or UTF-8 text. */
export type TypedAppParamKind = 'u8' | 'u16' | 'u32' | 'u64' | 'bytes16' | 'text';

/** What went wrong, for the profile to turn into its own error code. */
export type TypedAppParamProblem = 'truncated' | 'bad-size' | 'repeated' | 'bad-text' | 'bad-value';

/** A typed parameter object: known keys plus the tags outside the table. */
export interface TypedAppParams {
  unknown?: AppParam[];
}

export type TypedAppParamKey<P extends TypedAppParams> = Exclude<keyof P, 'unknown'> & string;

export interface TypedAppParamField<P extends TypedAppParams> {
  tag: number;
  key: TypedAppParamKey<P>;
  kind: TypedAppParamKind;
}

export interface TypedAppParamSpec<P extends TypedAppParams> {
  /** The known tags in tag order, which is also the order the encoder writes them. */
  fields: readonly TypedAppParamField<P>[];
  /** Builds the profile's error (a ProtocolError subclass) for a problem. */
  fail: (problem: TypedAppParamProblem, message: string, offset?: number) => Error;
  /** Refuse text values containing NUL when encoding. Default false. */
  rejectNulInText?: boolean;
  /** Keep a leading byte-order mark in decoded text instead of dropping it. Default false. */
  keepBom?: boolean;
}

export interface TypedAppParamCodec<P extends TypedAppParams> {
  /** Encodes known fields in table order, then `unknown` as given. */
  encode(params: P): Uint8Array;
  /** Decodes TLV bytes into the typed object. */
  decode(bytes: Uint8Array): P;
  /** The tag of a typed key. Throws RangeError for a key not in the table. */
  tagOf(key: TypedAppParamKey<P>): number;
}

const SIZES: Record<Exclude<TypedAppParamKind, 'text'>, number> = { u8: 1, u16: 2, u32: 4, u64: 8, bytes16: 16 };

/** Text values are sent NUL-terminated; the NUL counts against the 255-byte TLV limit. */
const MAX_TEXT_BYTES = 254;

/** Builds the codec for one profile's field table. */
export function createTypedAppParamCodec<P extends TypedAppParams>(spec: TypedAppParamSpec<P>): TypedAppParamCodec<P> {
  const byTag = new Map<number, TypedAppParamField<P>>(spec.fields.map((f) => [f.tag, f]));
  const { fail } = spec;

  function encode(params: P): Uint8Array {
    const list: AppParam[] = [];
    for (const field of spec.fields) {
      const value: unknown = params[field.key];
      if (value === undefined) continue;
      list.push({ tag: field.tag, value: encodeValue(field, value) });
    }
    for (const extra of params.unknown ?? []) {
      if (byTag.has(extra.tag)) throw fail('bad-value', `unknown parameter list holds known tag 0x${hex2(extra.tag)}`);
      list.push({ tag: extra.tag, value: Uint8Array.from(extra.value) });
    }
    try {
      return encodeAppParams(list);
    } catch (err) {
      if (isObexError(err)) throw fail('bad-value', err.message);
      throw err;
    }
  }

  function decode(bytes: Uint8Array): P {
    let list: AppParam[];
    try {
      list = decodeAppParams(bytes);
    } catch (err) {
      if (isObexError(err)) throw fail('truncated', 'application parameters run past the end', err.offset);
      throw err;
    }
    const record: Record<string, unknown> = {};
    const unknown: AppParam[] = [];
    let offset = 0;
    for (const param of list) {
      const field = byTag.get(param.tag);
      if (field === undefined) {
        unknown.push(param);
      } else {
        if (record[field.key] !== undefined) {
          throw fail('repeated', `parameter 0x${hex2(param.tag)} (${field.key}) appears twice`, offset);
        }
        record[field.key] = decodeValue(field, param.value, offset);
      }
      offset += 2 + param.value.length;
    }
    if (unknown.length > 0) record.unknown = unknown;
    return record as P;
  }

  function tagOf(key: TypedAppParamKey<P>): number {
    const field = spec.fields.find((f) => f.key === key);
    if (field === undefined) throw new RangeError(`no parameter named ${key}`);
    return field.tag;
  }

  function encodeValue(field: TypedAppParamField<P>, value: unknown): Uint8Array {
    const bad = (why: string): Error => fail('bad-value', `${field.key}: ${why}`);
    switch (field.kind) {
      case 'text': {
        if (typeof value !== 'string') throw bad('not a string');
        if (spec.rejectNulInText === true && value.includes('\0')) throw bad('contains NUL');
        const utf8 = new TextEncoder().encode(value);
        if (utf8.length > MAX_TEXT_BYTES) throw bad(`${utf8.length} UTF-8 bytes, at most ${MAX_TEXT_BYTES} fit`);
        const out = new Uint8Array(utf8.length + 1);
        out.set(utf8);
        return out;
      }
      case 'bytes16':
        if (!(value instanceof Uint8Array) || value.length !== 16) throw bad('must be 16 bytes');
        return Uint8Array.from(value);
      case 'u64':
        if (typeof value !== 'bigint' || value < 0n || value > 0xffffffffffffffffn) throw bad(`${String(value)} is not a uint64`);
        return appParam.u64(field.tag, value).value;
      default: {
        const size = SIZES[field.kind];
        const max = 2 ** (8 * size) - 1;
        if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > max) {
          throw bad(`${String(value)} does not fit 0..${max}`);
        }
        return appParam[field.kind](field.tag, value).value;
      }
    }
  }

  function decodeValue(field: TypedAppParamField<P>, value: Uint8Array, offset: number): string | number | bigint | Uint8Array {
    if (field.kind === 'text') {
      let text = value;
      if (text.length > 0 && text[text.length - 1] === 0) text = text.subarray(0, text.length - 1);
      try {
        return new TextDecoder('utf-8', { fatal: true, ignoreBOM: spec.keepBom === true }).decode(text);
      } catch {
        throw fail('bad-text', `${field.key} is not valid UTF-8`, offset + 2);
      }
    }
    const size = SIZES[field.kind];
    if (value.length !== size) {
      throw fail('bad-size', `parameter 0x${hex2(field.tag)} (${field.key}) has ${value.length} bytes, expected ${size}`, offset + 1);
    }
    if (field.kind === 'bytes16') return Uint8Array.from(value);
    let n = 0n;
    for (const byte of value) n = (n << 8n) | BigInt(byte);
    return field.kind === 'u64' ? n : Number(n);
  }

  return { encode, decode, tagOf };
}

function hex2(value: number): string {
  return value.toString(16).toUpperCase().padStart(2, '0');
}
