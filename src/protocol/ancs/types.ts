/**
 * Decoded shapes of every ANCS message: Notification Source events, Control
 * Point commands and Data Source replies. Numeric fields are open enums
 * (see constants.ts); attribute values stay as the bytes on the wire so a
 * round trip is exact, and `attributeText` reads them as UTF-8.
 */

/** One 8-byte Notification Source notification. */
export interface NotificationSourceEvent {
  eventId: number;
  eventFlags: number;
  categoryId: number;
  categoryCount: number;
  notificationUid: number;
}

/** An attribute asked for in GetNotificationAttributes; maxLength only for Title/Subtitle/Message. */
export interface RequestedAttribute {
  id: number;
  maxLength?: number;
}

export interface GetNotificationAttributesCommand {
  commandId: 0;
  notificationUid: number;
  attributes: RequestedAttribute[];
}

export interface GetAppAttributesCommand {
  commandId: 1;
  appIdentifier: string;
  attributes: number[];
}

export interface PerformNotificationActionCommand {
  commandId: 2;
  notificationUid: number;
  actionId: number;
}

export type ControlPointCommand = GetNotificationAttributesCommand | GetAppAttributesCommand | PerformNotificationActionCommand;

/** Commands that the provider answers on the Data Source. */
export type AttributeRequest = GetNotificationAttributesCommand | GetAppAttributesCommand;

export interface AttributeValue {
  id: number;
  /** Raw value bytes (UTF-8 text for every attribute ANCS defines). */
  value: Uint8Array;
}

export interface NotificationAttributesReply {
  commandId: 0;
  notificationUid: number;
  attributes: AttributeValue[];
}

export interface AppAttributesReply {
  commandId: 1;
  appIdentifier: string;
  attributes: AttributeValue[];
}

export type DataSourceReply = NotificationAttributesReply | AppAttributesReply;

/** What the Data Source must deliver next: the shape follows from the request. */
export interface ExpectedReply {
  commandId: 0 | 1;
  /** Attributes the reply will hold, one tuple per requested attribute. */
  attributeCount: number;
  /** When set (commandId 0), a reply for another NotificationUID is a mismatch. */
  notificationUid?: number;
  /** When set (commandId 1), a reply for another AppIdentifier is a mismatch. */
  appIdentifier?: string;
}
