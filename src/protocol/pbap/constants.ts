/**
 * PBAP identifiers: the OBEX Target, SDP UUIDs and attribute ids, feature
 * and repository bits, object types, phone book names and paths, the
 * application-parameter tags and their enumerated values, and the
 * PropertySelector bits with the vCard property each one stands for.
 * Every table is an open enum: other numbers pass through the codecs.
 */
import { TargetUuid } from '../obex/constants';

/** The PBAP service UUID, sent as Target in Connect and echoed as Who. */
export const PBAP_TARGET: readonly number[] = TargetUuid.Pbap;

/** True when `bytes` is exactly the PBAP Target UUID. */
export function isPbapTarget(bytes: Uint8Array | readonly number[] | undefined): boolean {
  if (bytes === undefined || bytes.length !== PBAP_TARGET.length) return false;
  for (let i = 0; i < PBAP_TARGET.length; i++) if (bytes[i] !== PBAP_TARGET[i]) return false;
  return true;
}

/** 16-bit SDP UUIDs. */
export const PbapUuid = {
  /** Phone Book Client Equipment (the PC). */
  Pce: 0x112e,
  /** Phone Book Server Equipment (the phone). */
  Pse: 0x112f,
  /** The profile itself, in BluetoothProfileDescriptorList. */
  Profile: 0x1130,
} as const;

/** SDP attribute ids a PSE record carries. */
export const PbapSdpAttribute = {
  /** GOEP L2CAP PSM (GOEP 2.0, PBAP 1.2). */
  GoepL2capPsm: 0x0200,
  SupportedRepositories: 0x0314,
  /** PBAP 1.2 and later; absent means PBAP_DEFAULT_FEATURES. */
  SupportedFeatures: 0x0317,
} as const;

/** Profile versions as SDP writes them (major.minor in two bytes). */
export const PbapVersion = { V1_0: 0x0100, V1_1: 0x0101, V1_2: 0x0102 } as const;

/** PbapSupportedFeatures bits (bit numbers). */
export const PbapFeature = {
  Download: 0,
  Browsing: 1,
  DatabaseIdentifier: 2,
  FolderVersionCounters: 3,
  VcardSelecting: 4,
  EnhancedMissedCalls: 5,
  XBtUci: 6,
  XBtUid: 7,
  ContactReferencing: 8,
  DefaultContactImageFormat: 9,
} as const;

/** What a PCE assumes when the PSE's record has no SupportedFeatures: Download and Browsing. */
export const PBAP_DEFAULT_FEATURES = 0x00000003;

/** SupportedRepositories bits (bit numbers). */
export const PbapRepository = { Local: 0, Sim: 1, SpeedDial: 2, Favourites: 3 } as const;

/** Type header values of the three PBAP functions. */
export const PbapObjectType = {
  /** PullPhoneBook. */
  Phonebook: 'x-bt/phonebook',
  /** PullvCardListing. */
  VcardListing: 'x-bt/vcard-listing',
  /** PullvCardEntry. */
  Vcard: 'x-bt/vcard',
} as const;

/** Phone book folders under `telecom`. */
export const PhonebookName = {
  /** The phone book (contacts); `0.vcf` is the owner card. */
  Phonebook: 'pb',
  /** Incoming (received) calls. */
  Incoming: 'ich',
  /** Outgoing (dialled) calls. */
  Outgoing: 'och',
  /** Missed calls. */
  Missed: 'mch',
  /** Combined call history. */
  Combined: 'cch',
  /** Speed dial. */
  SpeedDial: 'spd',
  /** Favourites. */
  Favourites: 'fav',
} as const;

export type PhonebookNameValue = (typeof PhonebookName)[keyof typeof PhonebookName];

export const PHONEBOOK_NAMES: readonly PhonebookNameValue[] = Object.values(PhonebookName);

/** The folder that holds the phone books, and the SIM repository's prefix. */
export const TELECOM_FOLDER = 'telecom';
export const SIM_FOLDER = 'SIM1';

/** True for the call-history books (ich, och, mch, cch). */
export function isCallHistory(book: string): boolean {
  return book === 'ich' || book === 'och' || book === 'mch' || book === 'cch';
}

/** The absolute object name PullPhoneBook asks for: `telecom/pb.vcf`, or `SIM1/telecom/pb.vcf`. */
export function phonebookObjectName(book: string, sim = false): string {
  return `${sim ? `${SIM_FOLDER}/` : ''}${TELECOM_FOLDER}/${book}.vcf`;
}

export interface PhonebookObject {
  sim: boolean;
  /** Folder name (`pb`, `ich`, ... or another name the peer used). */
  book: string;
}

/**
 * Splits a PullPhoneBook name (`telecom/pb.vcf`, `SIM1/telecom/mch.vcf`,
 * a leading `/` tolerated) into repository and book; undefined when it
 * is not shaped like one.
 */
export function parsePhonebookObject(name: string): PhonebookObject | undefined {
  const match = /^\/?(?:(SIM1)\/)?telecom\/([A-Za-z0-9_-]+)\.vcf$/.exec(name);
  if (match === null) return undefined;
  return { sim: match[1] !== undefined, book: match[2] as string };
}

/** Application parameter tags. */
export const PbapParamTag = {
  Order: 0x01,
  SearchValue: 0x02,
  SearchProperty: 0x03,
  MaxListCount: 0x04,
  ListStartOffset: 0x05,
  PropertySelector: 0x06,
  Format: 0x07,
  PhonebookSize: 0x08,
  NewMissedCalls: 0x09,
  PrimaryFolderVersion: 0x0a,
  SecondaryFolderVersion: 0x0b,
  VcardSelector: 0x0c,
  DatabaseIdentifier: 0x0d,
  VcardSelectorOperator: 0x0e,
  ResetNewMissedCalls: 0x0f,
  SupportedFeatures: 0x10,
} as const;

/** Order of a vCard listing. */
export const PbapOrder = { Indexed: 0, Alphanumeric: 1, Phonetic: 2 } as const;

/** What SearchValue is matched against. */
export const PbapSearchProperty = { Name: 0, Number: 1, Sound: 2 } as const;

/** vCard format of PullPhoneBook and PullvCardEntry. */
export const PbapFormat = { Vcard21: 0, Vcard30: 1 } as const;

/** How the bits of vCardSelector combine. */
export const PbapSelectorOperator = { Or: 0, And: 1 } as const;

/** MaxListCount when the client gives none: no limit. */
export const PBAP_MAX_LIST_COUNT_DEFAULT = 0xffff;

/** PropertySelector (and vCardSelector) bit numbers. */
export const PropertyBit = {
  Version: 0,
  Fn: 1,
  N: 2,
  Photo: 3,
  Bday: 4,
  Adr: 5,
  Label: 6,
  Tel: 7,
  Email: 8,
  Mailer: 9,
  Tz: 10,
  Geo: 11,
  Title: 12,
  Role: 13,
  Logo: 14,
  Agent: 15,
  Org: 16,
  Note: 17,
  Rev: 18,
  Sound: 19,
  Url: 20,
  Uid: 21,
  Key: 22,
  Nickname: 23,
  Categories: 24,
  ProId: 25,
  Class: 26,
  SortString: 27,
  CallDateTime: 28,
  SpeedDialKey: 29,
  Uci: 30,
  BtUid: 31,
} as const;

/** The vCard property name behind each PropertySelector bit (index = bit number). */
export const PROPERTY_BIT_NAMES: readonly string[] = [
  'VERSION',
  'FN',
  'N',
  'PHOTO',
  'BDAY',
  'ADR',
  'LABEL',
  'TEL',
  'EMAIL',
  'MAILER',
  'TZ',
  'GEO',
  'TITLE',
  'ROLE',
  'LOGO',
  'AGENT',
  'ORG',
  'NOTE',
  'REV',
  'SOUND',
  'URL',
  'UID',
  'KEY',
  'NICKNAME',
  'CATEGORIES',
  'PROID',
  'CLASS',
  'SORT-STRING',
  'X-IRMC-CALL-DATETIME',
  'X-BT-SPEEDDIALKEY',
  'X-BT-UCI',
  'X-BT-UID',
];

/** The PropertySelector bit for a vCard property name (any case), if it has one. */
export function propertyBitOf(name: string): number | undefined {
  const index = PROPERTY_BIT_NAMES.indexOf(name.toUpperCase());
  return index < 0 ? undefined : index;
}

/** A 64-bit selector with the given bits set. */
export function selectorOf(bits: readonly number[]): bigint {
  let selector = 0n;
  for (const bit of bits) {
    if (!Number.isInteger(bit) || bit < 0 || bit > 63) throw new RangeError(`selector bit ${bit} is outside 0..63`);
    selector |= 1n << BigInt(bit);
  }
  return selector;
}

/** True when bit `bit` of `selector` is set. */
export function selectorHas(selector: bigint, bit: number): boolean {
  return ((selector >> BigInt(bit)) & 1n) === 1n;
}

/** The property names a selector asks for, in bit order (bits without a name are skipped). */
export function selectedPropertyNames(selector: bigint): string[] {
  const names: string[] = [];
  PROPERTY_BIT_NAMES.forEach((name, bit) => {
    if (selectorHas(selector, bit)) names.push(name);
  });
  return names;
}
