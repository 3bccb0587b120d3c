/**
 * ANCS identifiers: service and characteristic UUIDs and every numeric ID
 * the protocol defines, as open enums (named values for what the spec
 * defines; any other number passes through untouched).
 */
export const ANCS_SERVICE_UUID = '7905F431-B5CE-4E99-A40F-4B1E122D00D0';
export const ANCS_NOTIFICATION_SOURCE_UUID = '9FBF120D-6301-42D9-8C58-25E699A21DBD';
export const ANCS_CONTROL_POINT_UUID = '69D1D8F3-45E1-49A8-9821-9BBDFDAAD9D9';
export const ANCS_DATA_SOURCE_UUID = '22EAC6E9-24D6-4BB5-BE44-B36ACE7C7BFB';

export const EventId = { Added: 0, Modified: 1, Removed: 2 } as const;

export const EventFlag = {
  Silent: 0x01,
  Important: 0x02,
  PreExisting: 0x04,
  PositiveAction: 0x08,
  NegativeAction: 0x10,
} as const;

export const CategoryId = {
  Other: 0,
  IncomingCall: 1,
  MissedCall: 2,
  Voicemail: 3,
  Social: 4,
  Schedule: 5,
  Email: 6,
  News: 7,
  HealthAndFitness: 8,
  BusinessAndFinance: 9,
  Location: 10,
  Entertainment: 11,
} as const;

export const CommandId = {
  GetNotificationAttributes: 0,
  GetAppAttributes: 1,
  PerformNotificationAction: 2,
} as const;

export const NotificationAttributeId = {
  AppIdentifier: 0,
  Title: 1,
  Subtitle: 2,
  Message: 3,
  MessageSize: 4,
  Date: 5,
  PositiveActionLabel: 6,
  NegativeActionLabel: 7,
} as const;

export const AppAttributeId = { DisplayName: 0 } as const;

export const ActionId = { Positive: 0, Negative: 1 } as const;

/** ATT error codes a Notification Provider answers Control Point writes with. */
export const AncsErrorCode = {
  UnknownCommand: 0xa0,
  InvalidCommand: 0xa1,
  InvalidParameter: 0xa2,
  ActionFailed: 0xa3,
} as const;

/** Attribute IDs that carry a 2-byte MaxLen in GetNotificationAttributes. */
export function attributeTakesMaxLength(id: number): boolean {
  return id === NotificationAttributeId.Title || id === NotificationAttributeId.Subtitle || id === NotificationAttributeId.Message;
}

function nameOf(table: Record<string, number>, value: number): string {
  for (const [name, v] of Object.entries(table)) if (v === value) return name;
  return `Unknown(${value})`;
}

export const eventIdName = (v: number): string => nameOf(EventId, v);
export const categoryName = (v: number): string => nameOf(CategoryId, v);
export const commandName = (v: number): string => nameOf(CommandId, v);
export const notificationAttributeName = (v: number): string => nameOf(NotificationAttributeId, v);
export const ancsErrorName = (v: number): string => nameOf(AncsErrorCode, v);

/** Names of the flags set in an EventFlags byte; reserved bits appear as `Reserved(0xNN)`. */
export function eventFlagNames(flags: number): string[] {
  const names: string[] = [];
  for (const [name, bit] of Object.entries(EventFlag)) if (flags & bit) names.push(name);
  const reserved = flags & ~0x1f & 0xff;
  if (reserved) names.push(`Reserved(0x${reserved.toString(16).padStart(2, '0')})`);
  return names;
}
