/**
 * MAP identifiers: the OBEX Targets of the MAS and MNS services, SDP UUIDs
 * and attribute ids, object types (Type header values), application
 * parameter tags and the bit masks and values they carry, feature bits,
 * folder names and event names. Tables are open enums: numbers and names
 * outside them pass through the codecs unchanged.
 */
import { TargetUuid } from '../obex/constants';

/** Message Access Service Target (bb582b40-420c-11db-b0de-0800200c9a66), sent in Connect and echoed as Who. */
export const MAS_TARGET: Uint8Array = Uint8Array.from(TargetUuid.MapMas);
/** Message Notification Service Target (bb582b41-420c-11db-b0de-0800200c9a66). */
export const MNS_TARGET: Uint8Array = Uint8Array.from(TargetUuid.MapMns);

/** True when `bytes` is exactly the MAS Target. */
export function isMasTarget(bytes: Uint8Array | readonly number[] | undefined): boolean {
  return sameBytes(bytes, TargetUuid.MapMas);
}

/** True when `bytes` is exactly the MNS Target. */
export function isMnsTarget(bytes: Uint8Array | readonly number[] | undefined): boolean {
  return sameBytes(bytes, TargetUuid.MapMns);
}

function sameBytes(bytes: Uint8Array | readonly number[] | undefined, want: readonly number[]): boolean {
  if (bytes === undefined || bytes.length !== want.length) return false;
  for (let i = 0; i < want.length; i++) if (bytes[i] !== want[i]) return false;
  return true;
}

/** 16-bit SDP UUIDs. */
export const MapUuid = {
  /** Message Access Server (the phone). */
  MAS: 0x1132,
  /** Message Notification Server (the PC). */
  MNS: 0x1133,
  /** The profile, in BluetoothProfileDescriptorList. */
  Profile: 0x1134,
} as const;

/** SDP attribute ids of MAP records. */
export const MapSdpAttribute = {
  MasInstanceId: 0x0315,
  /** SupportedMessageTypes (SupportedMessageTypeBit). */
  SupportedMessageTypes: 0x0316,
  /** MapSupportedFeatures (MapFeature), MAP 1.2 and later. */
  MapSupportedFeatures: 0x0317,
} as const;

/** Profile versions as SDP writes them. */
export const MapVersion = { V1_0: 0x0100, V1_1: 0x0101, V1_2: 0x0102, V1_3: 0x0103, V1_4: 0x0104 } as const;

/** Type header values of the MAP functions. */
export const MapMime = {
  /** GetFolderListing (the generic OBEX folder listing, not a MAP-specific type). */
  folderListing: 'x-obex/folder-listing',
  messageListing: 'x-bt/MAP-msg-listing',
  /** GetMessage and PushMessage. */
  message: 'x-bt/message',
  messageStatus: 'x-bt/messageStatus',
  /** UpdateInbox. */
  messageUpdate: 'x-bt/MAP-messageUpdate',
  notificationRegistration: 'x-bt/MAP-NotificationRegistration',
  /** SendEvent (MSE to MNS). */
  eventReport: 'x-bt/MAP-event-report',
  instanceInfo: 'x-bt/MASInstanceInformation',
  notificationFilter: 'x-bt/MAP-notification-filter',
} as const;

/** Body of the PUT functions that carry no object (SetMessageStatus, UpdateInbox, SetNotificationRegistration): one filler byte '0'. */
export const MAP_FILLER_BYTE = 0x30;

/** Application parameter tags. */
export const MapParamTag = {
  MaxListCount: 0x01,
  ListStartOffset: 0x02,
  FilterMessageType: 0x03,
  FilterPeriodBegin: 0x04,
  FilterPeriodEnd: 0x05,
  FilterReadStatus: 0x06,
  FilterRecipient: 0x07,
  FilterOriginator: 0x08,
  FilterPriority: 0x09,
  Attachment: 0x0a,
  Transparent: 0x0b,
  Retry: 0x0c,
  NewMessage: 0x0d,
  NotificationStatus: 0x0e,
  MasInstanceId: 0x0f,
  ParameterMask: 0x10,
  FolderListingSize: 0x11,
  MessagesListingSize: 0x12,
  SubjectLength: 0x13,
  Charset: 0x14,
  FractionRequest: 0x15,
  FractionDeliver: 0x16,
  StatusIndicator: 0x17,
  StatusValue: 0x18,
  MseTime: 0x19,
  /** MAP 1.3+: the MCE's features, sent in the MAS Connect request. */
  MapSupportedFeatures: 0x29,
} as const;

/** FilterMessageType bits (the MAP spec: a set bit filters that type out). */
export const MessageTypeFilterBit = { SmsGsm: 0x01, SmsCdma: 0x02, Email: 0x04, Mms: 0x08, Im: 0x10 } as const;

/** SupportedMessageTypes bits in the MAS SDP record (a different order from the filter). */
export const SupportedMessageTypeBit = { Email: 0x01, SmsGsm: 0x02, SmsCdma: 0x04, Mms: 0x08, Im: 0x10 } as const;

/** FilterReadStatus values. */
export const ReadStatusFilter = { All: 0, UnreadOnly: 1, ReadOnly: 2 } as const;

/** FilterPriority values. */
export const PriorityFilter = { All: 0, HighOnly: 1, NonHighOnly: 2 } as const;

/** ParameterMask bits: which optional `<msg>` attributes a Messages-Listing carries. */
export const ParameterMaskBit = {
  Subject: 1 << 0,
  Datetime: 1 << 1,
  SenderName: 1 << 2,
  SenderAddressing: 1 << 3,
  RecipientName: 1 << 4,
  RecipientAddressing: 1 << 5,
  Type: 1 << 6,
  Size: 1 << 7,
  ReceptionStatus: 1 << 8,
  Text: 1 << 9,
  AttachmentSize: 1 << 10,
  Priority: 1 << 11,
  Read: 1 << 12,
  Sent: 1 << 13,
  Protected: 1 << 14,
  ReplytoAddressing: 1 << 15,
  /** Listing format 1.1 (MAP 1.3). */
  DeliveryStatus: 1 << 16,
  ConversationId: 1 << 17,
  ConversationName: 1 << 18,
  Direction: 1 << 19,
  AttachmentMime: 1 << 20,
} as const;

/** ParameterMask 0 means "all attributes" to an MSE. */
export const PARAMETER_MASK_ALL = 0;

/** MapSupportedFeatures bits (SDP attribute 0x0317 and app parameter 0x29). */
export const MapFeature = {
  NotificationRegistration: 0x01,
  Notification: 0x02,
  Browsing: 0x04,
  Uploading: 0x08,
  Delete: 0x10,
  InstanceInformation: 0x20,
  ExtendedEventReport11: 0x40,
  EventReport12: 0x80,
  MessageFormat11: 0x100,
  MessagesListingFormat11: 0x200,
  PersistentMessageHandles: 0x400,
  DatabaseIdentifier: 0x800,
  FolderVersionCounter: 0x1000,
  ConversationVersionCounters: 0x2000,
  ParticipantPresenceChangeNotification: 0x4000,
  ParticipantChatStateChangeNotification: 0x8000,
  PbapContactCrossReference: 0x10000,
  NotificationFiltering: 0x20000,
  UtcOffsetTimestampFormat: 0x40000,
  MapSupportedFeaturesInConnect: 0x80000,
  ConversationListing: 0x100000,
  OwnerStatus: 0x200000,
  MessageForwarding: 0x400000,
} as const;

/** What an MCE assumes when an MSE record has no MapSupportedFeatures (MAP 1.0/1.1 peers). */
export const MAP_DEFAULT_FEATURES = 0x0000001f;

/** SetMessageStatus StatusIndicator values. */
export const StatusIndicator = { Read: 0, Deleted: 1 } as const;

/** StatusValue values. */
export const StatusValue = { No: 0, Yes: 1 } as const;

/** Charset app parameter values (GetMessage, PushMessage). */
export const MapCharset = { Native: 0, Utf8: 1 } as const;

/** Attachment app parameter values. */
export const MapAttachment = { Off: 0, On: 1 } as const;

/** NotificationStatus app parameter values. */
export const NotificationStatus = { Off: 0, On: 1 } as const;

/** Folder names (children of `telecom/msg`). */
export const MapFolder = {
  Telecom: 'telecom',
  Msg: 'msg',
  Inbox: 'inbox',
  Outbox: 'outbox',
  Sent: 'sent',
  Deleted: 'deleted',
  Draft: 'draft',
} as const;

/** The absolute path of a message folder, e.g. `telecom/msg/inbox`. */
export function messageFolderPath(folder: string): string {
  return `${MapFolder.Telecom}/${MapFolder.Msg}/${folder}`;
}

/**
 * True when two folder paths name the same folder: compared without case
 * (MSEs send `TELECOM/MSG/INBOX` as readily as `telecom/msg/inbox`) and
 * without leading or trailing slashes.
 */
export function sameFolder(a: string, b: string): boolean {
  const norm = (s: string): string => s.replace(/^\/+|\/+$/g, '').toLowerCase();
  return norm(a) === norm(b);
}

/** bMessage TYPE values. */
export const MessageTypeName = {
  Email: 'EMAIL',
  SmsGsm: 'SMS_GSM',
  SmsCdma: 'SMS_CDMA',
  Mms: 'MMS',
  Im: 'IM',
} as const;

/** Event report `type` values. */
export const MapEventName = {
  NewMessage: 'NewMessage',
  DeliverySuccess: 'DeliverySuccess',
  SendingSuccess: 'SendingSuccess',
  DeliveryFailure: 'DeliveryFailure',
  SendingFailure: 'SendingFailure',
  MemoryFull: 'MemoryFull',
  MemoryAvailable: 'MemoryAvailable',
  MessageDeleted: 'MessageDeleted',
  MessageShift: 'MessageShift',
  ReadStatusChanged: 'ReadStatusChanged',
} as const;
