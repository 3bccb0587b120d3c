/**
 * ATT error codes and HCI disconnect reasons as open enums: named constants
 * for the values we know, plain numbers for everything else.
 */
export const AttErrorCode = {
  InvalidHandle: 0x01,
  ReadNotPermitted: 0x02,
  WriteNotPermitted: 0x03,
  InvalidPdu: 0x04,
  InsufficientAuthentication: 0x05,
  RequestNotSupported: 0x06,
  InvalidOffset: 0x07,
  InsufficientAuthorization: 0x08,
  PrepareQueueFull: 0x09,
  AttributeNotFound: 0x0a,
  AttributeNotLong: 0x0b,
  InsufficientEncryptionKeySize: 0x0c,
  InvalidAttributeValueLength: 0x0d,
  UnlikelyError: 0x0e,
  InsufficientEncryption: 0x0f,
  UnsupportedGroupType: 0x10,
  InsufficientResources: 0x11,
  CccdImproperlyConfigured: 0xfd,
  ProcedureAlreadyInProgress: 0xfe,
  OutOfRange: 0xff,
} as const;

export function attErrorName(code: number): string {
  for (const [name, value] of Object.entries(AttErrorCode)) if (value === code) return name;
  if (code >= 0x80 && code <= 0x9f) return 'ApplicationError';
  return 'Unknown';
}

/** HCI error codes used as disconnect reasons. */
export const DisconnectReason = {
  AuthenticationFailure: 0x05,
  ConnectionTimeout: 0x08,
  RemoteUserTerminated: 0x13,
  RemoteLowResources: 0x14,
  RemotePowerOff: 0x15,
  LocalHostTerminated: 0x16,
  ConnectionFailedToEstablish: 0x3e,
} as const;

export function disconnectReasonName(code: number): string {
  for (const [name, value] of Object.entries(DisconnectReason)) if (value === code) return name;
  return `0x${code.toString(16).padStart(2, '0')}`;
}
