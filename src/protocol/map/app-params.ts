/**
 * MAP application parameters, typed: `MapParams` to the TLV bytes of the
 * OBEX Application Parameters header and back. Known tags have fixed sizes
 * (checked both ways); strings (filter periods and addresses, MSETime) are
 * UTF-8, sent NUL-terminated, and one trailing NUL is tolerated on input;
 * tags outside the table are kept in `unknown` in their order.
 */
import { createTypedAppParamCodec, type TypedAppParamField, type TypedAppParamProblem } from '../obex/typed-app-params';
import { MapParamTag } from './constants';
import { MapError, MapErrorCode, type MapErrorCodeValue } from './errors';
import type { MapParams } from './types';

type Field = TypedAppParamField<MapParams> & { kind: 'u8' | 'u16' | 'u32' | 'text' };

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

const CODES: Record<TypedAppParamProblem, MapErrorCodeValue> = {
  truncated: MapErrorCode.Truncated,
  'bad-size': MapErrorCode.BadSize,
  repeated: MapErrorCode.Repeated,
  'bad-text': MapErrorCode.BadText,
  'bad-value': MapErrorCode.BadValue,
};

const CODEC = createTypedAppParamCodec<MapParams>({
  fields: FIELDS,
  fail: (problem, message, offset) => new MapError(CODES[problem], message, offset),
  rejectNulInText: true,
  keepBom: true,
});

/** The tag of a typed key (for callers that build raw TLVs). */
export function mapParamTagOf(key: Exclude<keyof MapParams, 'unknown'>): number {
  const field = FIELDS.find((f) => f.key === key);
  if (field === undefined) throw new RangeError(`no MAP parameter named ${key}`);
  return field.tag;
}

/** Encodes known fields in tag order, then `unknown` as given. Throws MapError (map.bad-value). */
export function encodeMapParams(params: MapParams): Uint8Array {
  return CODEC.encode(params);
}

/**
 * Decodes the Application Parameters bytes of a MAP request or response.
 * Throws MapError: truncated TLVs (map.truncated), a known tag with the
 * wrong size (map.bad-size), a known tag twice (map.repeated-param), a
 * string that is not UTF-8 (map.bad-text).
 */
export function decodeMapParams(bytes: Uint8Array): MapParams {
  return CODEC.decode(bytes);
}
