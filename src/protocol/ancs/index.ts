/**
 * Public face of the ANCS codecs: identifiers, decoded shapes, errors, the
 * Notification Source / Control Point / Data Source codecs and the Data
 * Source reassembler.
 */
export * from './constants';
export * from './types';
export { AncsError, AncsErrorKind, ancsErrorToAtt, isAncsError } from './errors';
export type { AncsErrorKindCode } from './errors';
export { NOTIFICATION_SOURCE_LENGTH, decodeNotificationSource, encodeNotificationSource } from './notification-source';
export { PERFORM_ACTION_LENGTH, decodeControlPoint, encodeControlPoint, expectedReplyFor } from './control-point';
export {
  ATTRIBUTE_HEADER_LENGTH,
  MAX_ATTRIBUTE_VALUE_LENGTH,
  attributeText,
  checkExpectedReply,
  decodeDataSourceReply,
  encodeDataSourceReply,
  fragmentReply,
} from './data-source';
export { DEFAULT_MAX_PENDING_REPLIES, DEFAULT_MAX_REPLY_BYTES, DataSourceReassembler, ReassemblyError } from './reassembler';
export type { DataSourceReassemblerOptions } from './reassembler';
