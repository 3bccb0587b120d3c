/**
 * PBAP application parameters, typed: `PbapParams` to the TLV bytes of the
 * OBEX Application Parameters header and back. Known tags have fixed sizes
 * (checked both ways); SearchValue is UTF-8 text; tags we do not know are
 * kept in `unknown` in their order, so they survive a round trip.
 */
import type { AppParam } from '../obex/apparam';
import { createTypedAppParamCodec, type TypedAppParamField, type TypedAppParamProblem } from '../obex/typed-app-params';
import { PbapParamTag } from './constants';
import { PbapError, PbapErrorCode, type PbapErrorCodeValue } from './errors';

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

type Field = TypedAppParamField<PbapParams>;

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

const CODES: Record<TypedAppParamProblem, PbapErrorCodeValue> = {
  truncated: PbapErrorCode.Truncated,
  'bad-size': PbapErrorCode.BadSize,
  repeated: PbapErrorCode.Repeated,
  'bad-text': PbapErrorCode.BadText,
  'bad-value': PbapErrorCode.BadValue,
};

/** Text values (SearchValue) are sent NUL-terminated, as bluez does. */
const CODEC = createTypedAppParamCodec<PbapParams>({
  fields: FIELDS,
  fail: (problem, message, offset) => new PbapError(CODES[problem], message, offset),
});

/** Encodes known fields in tag order, then `unknown` as given. Throws PbapError (bad-value). */
export function encodePbapParams(params: PbapParams): Uint8Array {
  return CODEC.encode(params);
}

/**
 * Decodes the Application Parameters bytes of a PBAP request or response.
 * Throws PbapError: truncated TLVs, a known tag with the wrong size, a
 * known tag twice, SearchValue that is not UTF-8.
 */
export function decodePbapParams(bytes: Uint8Array): PbapParams {
  return CODEC.decode(bytes);
}
