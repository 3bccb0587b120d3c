/**
 * Builds the two 31-byte LE advertising payloads (advertising data and scan
 * response) from our `AdvertisingData`, as the AD structures a scanner reads:
 * Flags (0x01), 16/128-bit service solicitation (0x14/0x15), complete
 * 16/128-bit service UUID lists (0x03/0x07), manufacturer data (0xFF) and
 * the local name (0x09, or 0x08 shortened when only part of it fits). bleno's
 * own `startAdvertising` can only say a name and service UUIDs, so the phone
 * advertises these bytes with `startAdvertisingWithEIRData`. Also decodes such
 * payloads (used by tests and by anyone reading a capture). Pure: no I/O.
 */
import { AdvertisingData, Uuid } from '../../ble';
import { LinkError } from '../../errors';
import { fromLibraryUuid, toLibraryUuid } from './uuid-form';

/** Legacy advertising PDUs carry at most 31 bytes of AD structures each. */
export const MAX_AD_PAYLOAD = 31;

export const AdType = {
  Flags: 0x01,
  IncompleteUuid16: 0x02,
  CompleteUuid16: 0x03,
  IncompleteUuid128: 0x06,
  CompleteUuid128: 0x07,
  ShortenedLocalName: 0x08,
  CompleteLocalName: 0x09,
  SolicitationUuid16: 0x14,
  SolicitationUuid128: 0x15,
  ManufacturerData: 0xff,
} as const;

/** LE General Discoverable, BR/EDR not supported: what a phone-as-peripheral says. */
export const DEFAULT_FLAGS = 0x06;

export interface AdvertisingPayload {
  advertisingData: Uint8Array;
  scanResponse: Uint8Array;
}

/** An advertisement that does not fit, or AD bytes that do not parse. */
export class AdvertisingDataError extends LinkError {
  constructor(
    code: 'link.advertising-too-long' | 'link.bad-advertising-data',
    message: string,
    readonly offset?: number,
  ) {
    super(code, offset === undefined ? message : `${message} (at byte ${offset})`);
  }
}

interface Structure {
  type: number;
  body: Uint8Array;
}

/**
 * Lays the fields out: Flags first in the advertising data, then each field in
 * the order above into the advertising data if it fits, else into the scan
 * response. A name that fits nowhere whole is shortened into the space left.
 * Throws AdvertisingDataError (`link.advertising-too-long`) when a field other
 * than the name fits nowhere.
 */
export function encodeAdvertisement(data: AdvertisingData, flags = DEFAULT_FLAGS): AdvertisingPayload {
  const blocks: [number[], number[]] = [[], []];
  const room = (block: number[]): number => MAX_AD_PAYLOAD - block.length;
  const place = (s: Structure): boolean => {
    const size = 2 + s.body.length;
    for (const block of blocks) {
      if (size <= room(block)) {
        block.push(1 + s.body.length, s.type, ...s.body);
        return true;
      }
    }
    return false;
  };
  place({ type: AdType.Flags, body: Uint8Array.of(flags & 0xff) });
  const fields: Structure[] = [
    ...uuidStructures(data.solicitationUuids ?? [], AdType.SolicitationUuid16, AdType.SolicitationUuid128),
    ...uuidStructures(data.serviceUuids ?? [], AdType.CompleteUuid16, AdType.CompleteUuid128),
  ];
  if (data.manufacturerData && data.manufacturerData.length > 0) {
    fields.push({ type: AdType.ManufacturerData, body: data.manufacturerData });
  }
  for (const field of fields) {
    if (!place(field)) {
      throw new AdvertisingDataError(
        'link.advertising-too-long',
        `AD type 0x${field.type.toString(16).padStart(2, '0')} (${field.body.length} bytes) fits in neither the advertising data nor the scan response`,
      );
    }
  }
  if (data.localName !== undefined && data.localName !== '') {
    const name = new TextEncoder().encode(data.localName);
    if (!place({ type: AdType.CompleteLocalName, body: name })) {
      const block = room(blocks[0]) >= room(blocks[1]) ? blocks[0] : blocks[1];
      const space = room(block) - 2;
      if (space < 1) throw new AdvertisingDataError('link.advertising-too-long', 'no room left for the local name');
      const short = truncateUtf8(name, space);
      block.push(1 + short.length, AdType.ShortenedLocalName, ...short);
    }
  }
  return { advertisingData: Uint8Array.from(blocks[0]), scanResponse: Uint8Array.from(blocks[1]) };
}

/**
 * Reads AD structures back into AdvertisingData (fields merged from every
 * payload given, in order). Unknown AD types are skipped; a zero length ends
 * the data (the rest is padding). Throws AdvertisingDataError
 * (`link.bad-advertising-data`) on a structure that runs past the end or a
 * UUID list whose length is not a multiple of the UUID size.
 */
export function decodeAdvertisement(...payloads: Uint8Array[]): AdvertisingData {
  const result: AdvertisingData = {};
  const add = (key: 'serviceUuids' | 'solicitationUuids', uuids: Uuid[]): void => {
    const list = result[key] ?? [];
    for (const uuid of uuids) if (!list.includes(uuid)) list.push(uuid);
    result[key] = list;
  };
  for (const bytes of payloads) {
    let at = 0;
    while (at < bytes.length) {
      const length = bytes[at] ?? 0;
      if (length === 0) break;
      if (at + 1 + length > bytes.length) {
        throw new AdvertisingDataError('link.bad-advertising-data', `AD structure of length ${length} runs past the end`, at);
      }
      const type = bytes[at + 1] ?? 0;
      const body = bytes.subarray(at + 2, at + 1 + length);
      switch (type) {
        case AdType.IncompleteUuid16:
        case AdType.CompleteUuid16:
          add('serviceUuids', readUuids(body, 2, at));
          break;
        case AdType.IncompleteUuid128:
        case AdType.CompleteUuid128:
          add('serviceUuids', readUuids(body, 16, at));
          break;
        case AdType.SolicitationUuid16:
          add('solicitationUuids', readUuids(body, 2, at));
          break;
        case AdType.SolicitationUuid128:
          add('solicitationUuids', readUuids(body, 16, at));
          break;
        case AdType.ShortenedLocalName:
        case AdType.CompleteLocalName:
          result.localName = new TextDecoder().decode(body);
          break;
        case AdType.ManufacturerData:
          result.manufacturerData = body.slice();
          break;
        default:
          break;
      }
      at += 1 + length;
    }
  }
  return result;
}

/** UUIDs grouped into one structure per size; each UUID's bytes are little-endian on the air. */
function uuidStructures(uuids: Uuid[], type16: number, type128: number): Structure[] {
  const short: number[] = [];
  const long: number[] = [];
  for (const uuid of uuids) {
    const hex = toLibraryUuid(uuid);
    const bytes = (hex.match(/../g) ?? []).map((pair) => parseInt(pair, 16)).reverse();
    (bytes.length === 2 ? short : long).push(...bytes);
  }
  const out: Structure[] = [];
  if (short.length > 0) out.push({ type: type16, body: Uint8Array.from(short) });
  if (long.length > 0) out.push({ type: type128, body: Uint8Array.from(long) });
  return out;
}

function readUuids(body: Uint8Array, size: number, offset: number): Uuid[] {
  if (body.length % size !== 0) {
    throw new AdvertisingDataError('link.bad-advertising-data', `UUID list of ${body.length} bytes is not a multiple of ${size}`, offset);
  }
  const uuids: Uuid[] = [];
  for (let i = 0; i < body.length; i += size) {
    const hex = [...body.subarray(i, i + size)]
      .reverse()
      .map((b) => b.toString(16).padStart(2, '0'))
      .join('');
    uuids.push(fromLibraryUuid(hex));
  }
  return uuids;
}

/** The longest prefix of `bytes` of at most `max` bytes that ends on a UTF-8 character boundary. */
function truncateUtf8(bytes: Uint8Array, max: number): Uint8Array {
  let end = Math.min(max, bytes.length);
  // Step back over continuation bytes (10xxxxxx) so no character is cut.
  while (end > 0 && end < bytes.length && ((bytes[end] ?? 0) & 0xc0) === 0x80) end--;
  return bytes.slice(0, end);
}
