/**
 * Data Source codec for whole replies: encode a reply (phone side), decode
 * exactly one complete reply (one-shot), cut a reply into MTU-sized
 * notifications, and read attribute values as text. Fragment-by-fragment
 * decoding lives in reassembler.ts.
 */
import { CommandId } from './constants';
import { AncsError, AncsErrorKind } from './errors';
import type { AttributeValue, DataSourceReply, ExpectedReply } from './types';
import { checkByte, checkUint32, concatBytes, decodeAppIdentifier, encodeAppIdentifier, readUint32LE, writeUint32LE } from './wire';

/** Largest attribute value a tuple's 2-byte length can describe. */
export const MAX_ATTRIBUTE_VALUE_LENGTH = 0xffff;

/** Bytes of an attribute tuple header: AttributeID(1) Length(2, LE). */
export const ATTRIBUTE_HEADER_LENGTH = 3;

const lenientUtf8 = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });

/**
 * An attribute value read as text. Invalid UTF-8 (for instance a multibyte
 * character that iOS cut at MaxLen) becomes U+FFFD; this never throws.
 */
export function attributeText(value: Uint8Array): string {
  return lenientUtf8.decode(value);
}

/** Throws RangeError unless `expected` is a usable expectation. */
export function checkExpectedReply(expected: ExpectedReply): void {
  if (expected.commandId !== CommandId.GetNotificationAttributes && expected.commandId !== CommandId.GetAppAttributes) {
    throw new RangeError(`expected commandId must be 0 or 1, got ${String(expected.commandId)}`);
  }
  if (!Number.isSafeInteger(expected.attributeCount) || expected.attributeCount < 0) {
    throw new RangeError(`attributeCount must be a non-negative integer, got ${expected.attributeCount}`);
  }
  if (expected.notificationUid !== undefined) checkUint32('expected notificationUid', expected.notificationUid);
}

/**
 * Encodes a reply as the phone sends it before fragmentation. Throws
 * RangeError for out-of-range numbers, a value longer than 65535 bytes or
 * an AppIdentifier that cannot be sent.
 */
export function encodeDataSourceReply(reply: DataSourceReply): Uint8Array {
  const parts: Uint8Array[] = [];
  if (reply.commandId === CommandId.GetNotificationAttributes) {
    checkUint32('notificationUid', reply.notificationUid);
    const header = new Uint8Array(5);
    header[0] = CommandId.GetNotificationAttributes;
    writeUint32LE(header, 1, reply.notificationUid);
    parts.push(header);
  } else if (reply.commandId === CommandId.GetAppAttributes) {
    parts.push(Uint8Array.of(CommandId.GetAppAttributes), encodeAppIdentifier(reply.appIdentifier), Uint8Array.of(0));
  } else {
    throw new RangeError(`reply commandId must be 0 or 1, got ${(reply as { commandId: unknown }).commandId}`);
  }
  for (const attr of reply.attributes) {
    checkByte('attribute id', attr.id);
    if (attr.value.length > MAX_ATTRIBUTE_VALUE_LENGTH) {
      throw new RangeError(`attribute ${attr.id} value has ${attr.value.length} bytes, at most ${MAX_ATTRIBUTE_VALUE_LENGTH} fit`);
    }
    parts.push(Uint8Array.of(attr.id, attr.value.length & 0xff, attr.value.length >>> 8), attr.value);
  }
  return concatBytes(parts);
}

/**
 * Decodes exactly one complete reply shaped as `expected` says (replies carry
 * no length, so the attribute count comes from the request). Errors:
 * `ancs.reply-mismatch` (CommandID, or UID/AppIdentifier when given),
 * `ancs.truncated` / `ancs.missing-nul` (input ends early, offset at the
 * incomplete field), `ancs.bad-utf8`, `ancs.too-long` (bytes after the reply).
 * Throws RangeError when `expected` itself is invalid.
 */
export function decodeDataSourceReply(bytes: Uint8Array, expected: ExpectedReply): DataSourceReply {
  checkExpectedReply(expected);
  if (bytes.length === 0) throw new AncsError(AncsErrorKind.Truncated, 'empty Data Source reply', 0);
  const commandId = bytes[0];
  if (commandId !== expected.commandId) {
    throw new AncsError(AncsErrorKind.ReplyMismatch, `reply CommandID ${commandId}, expected ${expected.commandId}`, 0);
  }
  let reply: DataSourceReply;
  let at: number;
  if (expected.commandId === CommandId.GetNotificationAttributes) {
    if (bytes.length < 5) throw new AncsError(AncsErrorKind.Truncated, 'reply ends inside the NotificationUID', 1);
    const notificationUid = readUint32LE(bytes, 1);
    if (expected.notificationUid !== undefined && notificationUid !== expected.notificationUid) {
      throw new AncsError(AncsErrorKind.ReplyMismatch, `reply for NotificationUID ${notificationUid}, expected ${expected.notificationUid}`, 1);
    }
    reply = { commandId: CommandId.GetNotificationAttributes, notificationUid, attributes: [] };
    at = 5;
  } else {
    const nul = bytes.indexOf(0, 1);
    if (nul < 0) throw new AncsError(AncsErrorKind.MissingNul, 'reply AppIdentifier has no NUL terminator', 1);
    const appIdentifier = decodeAppIdentifier(bytes.subarray(1, nul), 1);
    if (expected.appIdentifier !== undefined && appIdentifier !== expected.appIdentifier) {
      throw new AncsError(AncsErrorKind.ReplyMismatch, `reply for app ${JSON.stringify(appIdentifier)}, expected ${JSON.stringify(expected.appIdentifier)}`, 1);
    }
    reply = { commandId: CommandId.GetAppAttributes, appIdentifier, attributes: [] };
    at = nul + 1;
  }
  for (let i = 0; i < expected.attributeCount; i++) {
    const attr = readAttribute(bytes, at, i, expected.attributeCount);
    reply.attributes.push(attr);
    at += ATTRIBUTE_HEADER_LENGTH + attr.value.length;
  }
  if (at < bytes.length) {
    throw new AncsError(AncsErrorKind.TooLong, `${bytes.length - at} bytes after the last of ${expected.attributeCount} attributes`, at);
  }
  return reply;
}

function readAttribute(bytes: Uint8Array, at: number, index: number, count: number): AttributeValue {
  if (at + ATTRIBUTE_HEADER_LENGTH > bytes.length) {
    throw new AncsError(AncsErrorKind.Truncated, `reply ends inside attribute ${index + 1} of ${count}`, at);
  }
  const id = bytes[at];
  const length = bytes[at + 1] | (bytes[at + 2] << 8);
  const start = at + ATTRIBUTE_HEADER_LENGTH;
  if (start + length > bytes.length) {
    throw new AncsError(
      AncsErrorKind.Truncated,
      `attribute ${id} declares ${length} bytes but only ${bytes.length - start} remain`,
      start,
    );
  }
  return { id, value: bytes.slice(start, start + length) };
}

/**
 * Cuts an encoded reply into Data Source notifications of at most
 * `maxPayload` bytes (ATT_MTU - 3), as the phone sends them. Returns copies.
 */
export function fragmentReply(bytes: Uint8Array, maxPayload: number): Uint8Array[] {
  if (!Number.isSafeInteger(maxPayload) || maxPayload < 1) throw new RangeError(`maxPayload must be a positive integer, got ${maxPayload}`);
  const fragments: Uint8Array[] = [];
  for (let at = 0; at < bytes.length; at += maxPayload) fragments.push(bytes.slice(at, at + maxPayload));
  return fragments;
}
