/**
 * Control Point codec: the three commands a Notification Consumer writes
 * (GetNotificationAttributes, GetAppAttributes, PerformNotificationAction),
 * and the shape of the Data Source reply each attribute request will get.
 */
import { CommandId, attributeTakesMaxLength } from './constants';
import { AncsError, AncsErrorKind } from './errors';
import type {
  AttributeRequest,
  ControlPointCommand,
  ExpectedReply,
  GetAppAttributesCommand,
  GetNotificationAttributesCommand,
  PerformNotificationActionCommand,
  RequestedAttribute,
} from './types';
import { checkByte, checkUint16, checkUint32, concatBytes, decodeAppIdentifier, encodeAppIdentifier, readUint32LE, writeUint32LE } from './wire';

/** Size of a PerformNotificationAction write: CommandID, UID(4), ActionID. */
export const PERFORM_ACTION_LENGTH = 6;

/**
 * Encodes a command. Throws RangeError for values our own code should never
 * produce: numbers outside their wire range, no attributes, a MaxLen missing
 * on Title/Subtitle/Message or present on any other attribute, or an
 * AppIdentifier holding NUL or a lone surrogate.
 */
export function encodeControlPoint(cmd: ControlPointCommand): Uint8Array {
  switch (cmd.commandId) {
    case CommandId.GetNotificationAttributes:
      return encodeGetNotificationAttributes(cmd);
    case CommandId.GetAppAttributes:
      return encodeGetAppAttributes(cmd);
    case CommandId.PerformNotificationAction:
      return encodePerformAction(cmd);
    default:
      throw new RangeError(`commandId must be 0, 1 or 2, got ${(cmd as { commandId: unknown }).commandId}`);
  }
}

function encodeGetNotificationAttributes(cmd: GetNotificationAttributesCommand): Uint8Array {
  checkUint32('notificationUid', cmd.notificationUid);
  if (cmd.attributes.length === 0) throw new RangeError('GetNotificationAttributes needs at least one attribute');
  let size = 5;
  for (const attr of cmd.attributes) {
    checkByte('attribute id', attr.id);
    if (attributeTakesMaxLength(attr.id)) {
      if (attr.maxLength === undefined) throw new RangeError(`attribute ${attr.id} needs a maxLength`);
      checkUint16('maxLength', attr.maxLength);
      size += 3;
    } else {
      if (attr.maxLength !== undefined) throw new RangeError(`attribute ${attr.id} takes no maxLength`);
      size += 1;
    }
  }
  const out = new Uint8Array(size);
  out[0] = CommandId.GetNotificationAttributes;
  writeUint32LE(out, 1, cmd.notificationUid);
  let at = 5;
  for (const attr of cmd.attributes) {
    out[at++] = attr.id;
    if (attr.maxLength !== undefined) {
      out[at++] = attr.maxLength & 0xff;
      out[at++] = attr.maxLength >>> 8;
    }
  }
  return out;
}

function encodeGetAppAttributes(cmd: GetAppAttributesCommand): Uint8Array {
  const appId = encodeAppIdentifier(cmd.appIdentifier);
  if (cmd.attributes.length === 0) throw new RangeError('GetAppAttributes needs at least one attribute');
  for (const id of cmd.attributes) checkByte('app attribute id', id);
  return concatBytes([Uint8Array.of(CommandId.GetAppAttributes), appId, Uint8Array.of(0), Uint8Array.from(cmd.attributes)]);
}

function encodePerformAction(cmd: PerformNotificationActionCommand): Uint8Array {
  checkUint32('notificationUid', cmd.notificationUid);
  checkByte('actionId', cmd.actionId);
  const out = new Uint8Array(PERFORM_ACTION_LENGTH);
  out[0] = CommandId.PerformNotificationAction;
  writeUint32LE(out, 1, cmd.notificationUid);
  out[5] = cmd.actionId;
  return out;
}

/**
 * Decodes one Control Point write. Every failure is an AncsError; its
 * `attErrorCode` is the ATT error the phone answers with (0xA0 for
 * `ancs.unknown-command`, 0xA1 for the rest).
 */
export function decodeControlPoint(bytes: Uint8Array): ControlPointCommand {
  if (bytes.length === 0) throw new AncsError(AncsErrorKind.Truncated, 'empty Control Point write', 0);
  const commandId = bytes[0];
  switch (commandId) {
    case CommandId.GetNotificationAttributes:
      return decodeGetNotificationAttributes(bytes);
    case CommandId.GetAppAttributes:
      return decodeGetAppAttributes(bytes);
    case CommandId.PerformNotificationAction:
      return decodePerformAction(bytes);
    default:
      throw new AncsError(AncsErrorKind.UnknownCommand, `unknown Control Point CommandID ${commandId}`, 0);
  }
}

function decodeGetNotificationAttributes(bytes: Uint8Array): GetNotificationAttributesCommand {
  if (bytes.length < 5) throw new AncsError(AncsErrorKind.Truncated, 'GetNotificationAttributes ends inside the NotificationUID', 1);
  const notificationUid = readUint32LE(bytes, 1);
  if (bytes.length === 5) throw new AncsError(AncsErrorKind.InvalidCommand, 'GetNotificationAttributes asks for no attributes', 5);
  const attributes: RequestedAttribute[] = [];
  let at = 5;
  while (at < bytes.length) {
    const id = bytes[at];
    if (attributeTakesMaxLength(id)) {
      if (at + 3 > bytes.length) throw new AncsError(AncsErrorKind.InvalidCommand, `attribute ${id} lacks its 2-byte MaxLen`, at);
      attributes.push({ id, maxLength: bytes[at + 1] | (bytes[at + 2] << 8) });
      at += 3;
    } else {
      attributes.push({ id });
      at += 1;
    }
  }
  return { commandId: CommandId.GetNotificationAttributes, notificationUid, attributes };
}

function decodeGetAppAttributes(bytes: Uint8Array): GetAppAttributesCommand {
  const nul = bytes.indexOf(0, 1);
  if (nul < 0) throw new AncsError(AncsErrorKind.MissingNul, 'GetAppAttributes AppIdentifier has no NUL terminator', 1);
  const appIdentifier = decodeAppIdentifier(bytes.subarray(1, nul), 1);
  if (nul + 1 === bytes.length) throw new AncsError(AncsErrorKind.InvalidCommand, 'GetAppAttributes asks for no attributes', nul + 1);
  return { commandId: CommandId.GetAppAttributes, appIdentifier, attributes: Array.from(bytes.subarray(nul + 1)) };
}

function decodePerformAction(bytes: Uint8Array): PerformNotificationActionCommand {
  if (bytes.length < PERFORM_ACTION_LENGTH) {
    throw new AncsError(AncsErrorKind.Truncated, `PerformNotificationAction has ${bytes.length} bytes, needs ${PERFORM_ACTION_LENGTH}`, bytes.length < 5 ? 1 : 5);
  }
  if (bytes.length > PERFORM_ACTION_LENGTH) {
    throw new AncsError(AncsErrorKind.TooLong, `PerformNotificationAction has ${bytes.length} bytes, expected ${PERFORM_ACTION_LENGTH}`, PERFORM_ACTION_LENGTH);
  }
  return { commandId: CommandId.PerformNotificationAction, notificationUid: readUint32LE(bytes, 1), actionId: bytes[5] };
}

/**
 * What the Data Source will answer `cmd` with: the same CommandID, one
 * attribute tuple per requested attribute, and the UID or AppIdentifier the
 * reply must carry.
 */
export function expectedReplyFor(cmd: AttributeRequest): ExpectedReply {
  if (cmd.commandId === CommandId.GetNotificationAttributes) {
    return { commandId: cmd.commandId, attributeCount: cmd.attributes.length, notificationUid: cmd.notificationUid };
  }
  return { commandId: cmd.commandId, attributeCount: cmd.attributes.length, appIdentifier: cmd.appIdentifier };
}
