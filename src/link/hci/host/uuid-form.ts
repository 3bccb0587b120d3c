/**
 * The one place where UUID strings change form between our link seams and
 * the noble/bleno libraries. Our seams use upper-case hex: 4 digits for a
 * 16-bit UUID, dashed canonical form for 128-bit ones. noble and bleno use
 * lower-case hex without dashes, and noble prints 16-bit UUIDs it read from
 * a peer with `toString(16)`, so leading zeros may be missing ("fff" for
 * 0x0FFF). 32-bit UUIDs (advertising only) expand onto the Bluetooth base UUID.
 */
import { Uuid } from '../../ble';
import { LinkError } from '../../errors';

/** The Bluetooth base UUID's tail after the first 32 bits (xxxxxxxx-0000-1000-8000-00805F9B34FB). */
const BASE_UUID_TAIL = '00001000800000805F9B34FB';

/** A UUID string neither form accepts. */
export class UuidFormError extends LinkError {
  constructor(readonly input: string) {
    super('link.bad-uuid', `not a UUID: ${JSON.stringify(input.length > 80 ? `${input.slice(0, 80)}...` : input)}`);
  }
}

/** Our canonical form -> the libraries' form ("2A05" -> "2a05"; dashed 128-bit -> 32 lower-case digits). */
export function toLibraryUuid(uuid: Uuid): string {
  const hex = uuid.replace(/-/g, '');
  if (/^[0-9A-Fa-f]{4}$/.test(hex) || /^[0-9A-Fa-f]{32}$/.test(hex)) return hex.toLowerCase();
  throw new UuidFormError(uuid);
}

/**
 * The libraries' form (or any dashed/undashed, any-case spelling) -> our
 * canonical form. Accepts 1-4 hex digits as a 16-bit UUID, 8 as a 32-bit
 * one (expanded to 128 bits), 32 as a 128-bit one.
 */
export function fromLibraryUuid(uuid: string): Uuid {
  const hex = uuid.replace(/-/g, '').toUpperCase();
  if (!/^[0-9A-F]+$/.test(hex)) throw new UuidFormError(uuid);
  if (hex.length <= 4) return hex.padStart(4, '0');
  if (hex.length === 8) return dashed(hex + BASE_UUID_TAIL);
  if (hex.length === 32) return dashed(hex);
  throw new UuidFormError(uuid);
}

/** Like fromLibraryUuid, but undefined instead of throwing. */
export function tryFromLibraryUuid(uuid: string): Uuid | undefined {
  try {
    return fromLibraryUuid(uuid);
  } catch {
    return undefined;
  }
}

/** True when two UUID spellings name the same UUID. */
export function sameUuid(a: string, b: string): boolean {
  const x = tryFromLibraryUuid(a);
  return x !== undefined && x === tryFromLibraryUuid(b);
}

function dashed(hex: string): Uuid {
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
