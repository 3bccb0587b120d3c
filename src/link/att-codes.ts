/**
 * ATT error codes and HCI disconnect reasons as open enums: named constants
 * for the values we know, plain numbers for everything else; and the names
 * taps and capture readers give ATT PDUs by opcode.
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

const ATT_PDU_NAMES: Readonly<Record<number, string>> = {
  0x01: 'ATT_ERROR_RSP',
  0x02: 'ATT_EXCHANGE_MTU_REQ',
  0x03: 'ATT_EXCHANGE_MTU_RSP',
  0x04: 'ATT_FIND_INFORMATION_REQ',
  0x05: 'ATT_FIND_INFORMATION_RSP',
  0x06: 'ATT_FIND_BY_TYPE_VALUE_REQ',
  0x07: 'ATT_FIND_BY_TYPE_VALUE_RSP',
  0x08: 'ATT_READ_BY_TYPE_REQ',
  0x09: 'ATT_READ_BY_TYPE_RSP',
  0x0a: 'ATT_READ_REQ',
  0x0b: 'ATT_READ_RSP',
  0x0c: 'ATT_READ_BLOB_REQ',
  0x0d: 'ATT_READ_BLOB_RSP',
  0x10: 'ATT_READ_BY_GROUP_TYPE_REQ',
  0x11: 'ATT_READ_BY_GROUP_TYPE_RSP',
  0x12: 'ATT_WRITE_REQ',
  0x13: 'ATT_WRITE_RSP',
  0x1b: 'ATT_HANDLE_VALUE_NTF',
  0x1d: 'ATT_HANDLE_VALUE_IND',
  0x1e: 'ATT_HANDLE_VALUE_CFM',
  0x52: 'ATT_WRITE_CMD',
};

/** The tap name of an ATT opcode, as the in-memory link names its PDUs ('ATT_0x..' for ones we do not name). */
export function attPduName(opcode: number): string {
  return ATT_PDU_NAMES[opcode] ?? `ATT_0x${opcode.toString(16).padStart(2, '0')}`;
}
