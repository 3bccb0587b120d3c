/**
 * HCI numbers the virtual controller speaks: H4 packet types, event codes,
 * LE subevent codes, status (error) codes and ACL flags, each as an open
 * enum (a `const` object; fields holding them are plain numbers so unknown
 * values survive), with name lookups for logs and traces.
 */

/** H4 packet indicator (the first byte of each packet on a UART). */
export const H4Type = {
  Command: 0x01,
  Acl: 0x02,
  Sco: 0x03,
  Event: 0x04,
  Iso: 0x05,
} as const;

/** HCI event codes the controller sends (and a few more for names). */
export const EventCode = {
  DisconnectionComplete: 0x05,
  EncryptionChange: 0x08,
  CommandComplete: 0x0e,
  CommandStatus: 0x0f,
  HardwareError: 0x10,
  NumberOfCompletedPackets: 0x13,
  DataBufferOverflow: 0x1a,
  EncryptionKeyRefreshComplete: 0x30,
  LeMeta: 0x3e,
} as const;

/** LE Meta event subevent codes. */
export const LeSubevent = {
  ConnectionComplete: 0x01,
  AdvertisingReport: 0x02,
  ConnectionUpdateComplete: 0x03,
  ReadRemoteFeaturesComplete: 0x04,
  LongTermKeyRequest: 0x05,
  DataLengthChange: 0x07,
  EnhancedConnectionComplete: 0x0a,
  PhyUpdateComplete: 0x0c,
  ExtendedAdvertisingReport: 0x0d,
} as const;

/** HCI status / error codes (Core Vol 1 Part F). */
export const HciStatus = {
  Success: 0x00,
  UnknownCommand: 0x01,
  UnknownConnectionId: 0x02,
  HardwareFailure: 0x03,
  AuthenticationFailure: 0x05,
  PinOrKeyMissing: 0x06,
  MemoryCapacityExceeded: 0x07,
  ConnectionTimeout: 0x08,
  ConnectionLimitExceeded: 0x09,
  ConnectionAlreadyExists: 0x0b,
  CommandDisallowed: 0x0c,
  InvalidParameters: 0x12,
  RemoteUserTerminated: 0x13,
  RemoteLowResources: 0x14,
  RemotePowerOff: 0x15,
  LocalHostTerminated: 0x16,
  UnsupportedRemoteFeature: 0x1a,
  UnspecifiedError: 0x1f,
  LmpResponseTimeout: 0x22,
  InstantPassed: 0x28,
  ConnectionFailedToEstablish: 0x3e,
} as const;

const STATUS_NAMES: Record<number, string> = {
  0x00: 'Success',
  0x01: 'Unknown HCI Command',
  0x02: 'Unknown Connection Identifier',
  0x03: 'Hardware Failure',
  0x05: 'Authentication Failure',
  0x06: 'PIN or Key Missing',
  0x07: 'Memory Capacity Exceeded',
  0x08: 'Connection Timeout',
  0x09: 'Connection Limit Exceeded',
  0x0b: 'Connection Already Exists',
  0x0c: 'Command Disallowed',
  0x12: 'Invalid HCI Command Parameters',
  0x13: 'Remote User Terminated Connection',
  0x14: 'Remote Device Terminated Connection due to Low Resources',
  0x15: 'Remote Device Terminated Connection due to Power Off',
  0x16: 'Connection Terminated by Local Host',
  0x1a: 'Unsupported Remote Feature',
  0x1f: 'Unspecified Error',
  0x22: 'LMP/LL Response Timeout',
  0x28: 'Instant Passed',
  0x3e: 'Connection Failed to be Established',
};

/** Readable name of a status code, e.g. `Connection Timeout (0x08)`. */
export function statusName(status: number): string {
  return `${STATUS_NAMES[status] ?? 'Unknown status'} (0x${hex2(status)})`;
}

const EVENT_NAMES: Record<number, string> = {
  0x05: 'Disconnection_Complete',
  0x08: 'Encryption_Change',
  0x0e: 'Command_Complete',
  0x0f: 'Command_Status',
  0x10: 'Hardware_Error',
  0x13: 'Number_Of_Completed_Packets',
  0x1a: 'Data_Buffer_Overflow',
  0x30: 'Encryption_Key_Refresh_Complete',
  0x3e: 'LE_Meta',
};

const SUBEVENT_NAMES: Record<number, string> = {
  0x01: 'LE_Connection_Complete',
  0x02: 'LE_Advertising_Report',
  0x03: 'LE_Connection_Update_Complete',
  0x04: 'LE_Read_Remote_Features_Complete',
  0x05: 'LE_Long_Term_Key_Request',
  0x07: 'LE_Data_Length_Change',
  0x0a: 'LE_Enhanced_Connection_Complete',
  0x0c: 'LE_PHY_Update_Complete',
  0x0d: 'LE_Extended_Advertising_Report',
};

/** Readable name of an event (with its LE subevent when `code` is LE Meta). */
export function eventName(code: number, subevent?: number): string {
  if (code === EventCode.LeMeta && subevent !== undefined) {
    return SUBEVENT_NAMES[subevent] ?? `LE_Meta_0x${hex2(subevent)}`;
  }
  return EVENT_NAMES[code] ?? `Event_0x${hex2(code)}`;
}

/** ACL Packet_Boundary flag values. */
export const AclBoundary = {
  /** First fragment, non-flushable (host to controller). */
  FirstNonFlushable: 0x00,
  /** Continuing fragment. */
  Continuing: 0x01,
  /** First fragment, flushable (what a controller sends to its host). */
  FirstFlushable: 0x02,
  /** A complete automatically-flushable PDU (BR/EDR only). */
  Complete: 0x03,
} as const;

/** Link roles in LE Connection Complete. */
export const LeRole = {
  Central: 0x00,
  Peripheral: 0x01,
} as const;

/** Legacy advertising PDU types (LE Set Advertising Parameters). */
export const AdvertisingType = {
  /** ADV_IND: connectable and scannable undirected. */
  ConnectableUndirected: 0x00,
  /** ADV_DIRECT_IND (high duty cycle). */
  ConnectableDirectedHigh: 0x01,
  /** ADV_SCAN_IND: scannable undirected. */
  ScannableUndirected: 0x02,
  /** ADV_NONCONN_IND. */
  NonConnectableUndirected: 0x03,
  /** ADV_DIRECT_IND (low duty cycle). */
  ConnectableDirectedLow: 0x04,
} as const;

/** Event_Type values of a legacy LE Advertising Report. */
export const ReportType = {
  AdvInd: 0x00,
  AdvDirectInd: 0x01,
  AdvScanInd: 0x02,
  AdvNonconnInd: 0x03,
  ScanRsp: 0x04,
} as const;

/** Address types in LE commands and events. */
export const AddressType = {
  Public: 0x00,
  Random: 0x01,
} as const;

function hex2(n: number): string {
  return n.toString(16).padStart(2, '0');
}
