/**
 * PBAP's PropertySelector: a 64-bit mask (bit n = 1 << n) naming which vCard
 * properties a PSE returns. Bits 0-31 are named after the properties (bluez
 * `filter_list`); an all-zero mask means no filtering. Whatever the mask, a
 * card keeps the properties its version makes mandatory: VERSION, N and TEL
 * in 2.1, FN as well in 3.0 (and 4.0, which we treat like 3.0 here).
 */
import { VcardError, VcardErrorCode } from './errors';
import { Vcard, type VcardProperty, type VcardVersion } from './model';

/** Bit numbers of the PropertySelector (and vCardSelector) masks. */
export const PropertySelectorBit = {
  VERSION: 0,
  FN: 1,
  N: 2,
  PHOTO: 3,
  BDAY: 4,
  ADR: 5,
  LABEL: 6,
  TEL: 7,
  EMAIL: 8,
  MAILER: 9,
  TZ: 10,
  GEO: 11,
  TITLE: 12,
  ROLE: 13,
  LOGO: 14,
  AGENT: 15,
  ORG: 16,
  NOTE: 17,
  REV: 18,
  SOUND: 19,
  URL: 20,
  UID: 21,
  KEY: 22,
  NICKNAME: 23,
  CATEGORIES: 24,
  /** The PBAP name of the PRODID property. */
  PROID: 25,
  CLASS: 26,
  'SORT-STRING': 27,
  'X-IRMC-CALL-DATETIME': 28,
  'X-BT-SPEEDDIALKEY': 29,
  'X-BT-UCI': 30,
  'X-BT-UID': 31,
} as const;

const BIT_BY_NAME = new Map<string, number>(Object.entries(PropertySelectorBit));
BIT_BY_NAME.set('PRODID', PropertySelectorBit.PROID);

/** The selector bit of a property name (any case; PRODID and PROID both give 25), or undefined. */
export function propertySelectorBit(name: string): number | undefined {
  return BIT_BY_NAME.get(name.toUpperCase());
}

/** A mask selecting `names`; throws vcard.unencodable for a name without a bit. */
export function propertySelector(names: Iterable<string>): bigint {
  let mask = 0n;
  for (const name of names) {
    const bit = propertySelectorBit(name);
    if (bit === undefined) throw new VcardError(VcardErrorCode.Unencodable, `no PropertySelector bit for ${name}`);
    mask |= 1n << BigInt(bit);
  }
  return mask;
}

/** The property names of the bits set in `mask` (bits without a name are left out). */
export function selectedProperties(mask: bigint): string[] {
  const names: string[] = [];
  for (const [name, bit] of Object.entries(PropertySelectorBit)) {
    if ((mask >> BigInt(bit)) & 1n) names.push(name);
  }
  return names;
}

/** Properties every card of `version` carries, whatever the selector. */
export function mandatoryProperties(version: VcardVersion): readonly string[] {
  return version === '2.1' ? ['VERSION', 'N', 'TEL'] : ['VERSION', 'N', 'FN', 'TEL'];
}

/** True when property `name` passes `mask` for a card of `version` (mandatory ones always do). */
export function isSelected(name: string, mask: bigint, version: VcardVersion): boolean {
  const upper = name.toUpperCase();
  if (mask === 0n || mandatoryProperties(version).includes(upper)) return true;
  const bit = propertySelectorBit(upper);
  return bit !== undefined && ((mask >> BigInt(bit)) & 1n) === 1n;
}

export interface SelectorOptions {
  /** Add empty mandatory properties the card lacks (`N:`, `TEL:`, and `FN:` in 3.0), as PSEs do. Default false. */
  fillMandatory?: boolean;
}

/**
 * The card as a PSE returns it for `mask` in `version`: properties without a
 * set bit (including unknown and X- ones without a bit) are dropped, nested
 * cards go with the AGENT bit, mandatory properties stay.
 */
export function applyPropertySelector(
  card: Vcard,
  mask: bigint,
  version: VcardVersion = card.version,
  options: SelectorOptions = {},
): Vcard {
  const properties = card.properties.filter((p) => isSelected(p.name, mask, version));
  const nested = isSelected('AGENT', mask, version) ? card.nested : [];
  const result = new Vcard(version, properties, nested);
  return options.fillMandatory === true ? withMandatoryProperties(result, version) : result;
}

/** The card with an empty property added (at the end) for each mandatory one it lacks. */
export function withMandatoryProperties(card: Vcard, version: VcardVersion = card.version): Vcard {
  const added: VcardProperty[] = [];
  for (const name of mandatoryProperties(version)) {
    if (name === 'VERSION' || card.first(name) !== undefined) continue;
    added.push({ name, params: [], value: name === 'N' ? [['']] : '' });
  }
  return added.length === 0 ? card : new Vcard(version, [...card.properties, ...added], card.nested);
}
