/**
 * Turns ANCS bytes a user pastes (hex, possibly as several Data Source
 * fragments) into JSON-ready objects with names beside the numbers. Used by
 * `phonebridge decode`; all decoding is the protocol codecs' own.
 */
import {
  AncsError,
  DataSourceReassembler,
  DataSourceReply,
  ExpectedReply,
  attributeText,
  categoryName,
  commandName,
  decodeControlPoint,
  decodeNotificationSource,
  eventFlagNames,
  eventIdName,
  expectedReplyFor,
  notificationAttributeName,
} from '../protocol/ancs';
import { ControlPointCommand } from '../protocol/ancs/types';

export class HexInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HexInputError';
  }
}

/** Parses hex with optional spaces, colons, commas or a 0x prefix per byte. */
export function parseHex(text: string): Uint8Array {
  const cleaned = text.replace(/0x/gi, '').replace(/[\s:,_-]/g, '');
  if (cleaned.length === 0) throw new HexInputError('no hex digits given');
  if (!/^[0-9a-fA-F]*$/.test(cleaned)) throw new HexInputError(`not hex: "${text}"`);
  if (cleaned.length % 2 !== 0) throw new HexInputError(`odd number of hex digits in "${text}"`);
  return Uint8Array.from(Buffer.from(cleaned, 'hex'));
}

/** Joins command-line words into fragments: each word is one fragment unless `asOne`. */
export function fragmentsFromWords(words: readonly string[], asOne: boolean): Uint8Array[] {
  // Byte-by-byte input ("00 01 02") reads as one fragment: two-digit words are joined.
  if (asOne || words.every((w) => w.replace(/0x/i, '').length <= 2)) return [parseHex(words.join(''))];
  return words.map(parseHex);
}

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

export function describeNotificationSource(bytes: Uint8Array): Record<string, unknown> {
  const ev = decodeNotificationSource(bytes);
  return {
    event: eventIdName(ev.eventId),
    eventId: ev.eventId,
    flags: eventFlagNames(ev.eventFlags),
    eventFlags: ev.eventFlags,
    category: categoryName(ev.categoryId),
    categoryId: ev.categoryId,
    categoryCount: ev.categoryCount,
    notificationUid: ev.notificationUid,
  };
}

export function describeControlPoint(bytes: Uint8Array): Record<string, unknown> {
  const cmd = decodeControlPoint(bytes);
  const base = { command: commandName(cmd.commandId), commandId: cmd.commandId };
  switch (cmd.commandId) {
    case 0:
      return {
        ...base,
        notificationUid: cmd.notificationUid,
        attributes: cmd.attributes.map((a) => ({ attribute: notificationAttributeName(a.id), id: a.id, ...(a.maxLength === undefined ? {} : { maxLength: a.maxLength }) })),
      };
    case 1:
      return { ...base, appIdentifier: cmd.appIdentifier, attributes: cmd.attributes };
    case 2:
      return { ...base, notificationUid: cmd.notificationUid, action: cmd.actionId === 0 ? 'Positive' : cmd.actionId === 1 ? 'Negative' : `Unknown(${cmd.actionId})`, actionId: cmd.actionId };
  }
}

function describeReply(reply: DataSourceReply): Record<string, unknown> {
  const attributes = reply.attributes.map((a) => ({
    attribute: reply.commandId === 0 ? notificationAttributeName(a.id) : a.id === 0 ? 'DisplayName' : `Unknown(${a.id})`,
    id: a.id,
    length: a.value.length,
    text: attributeText(a.value),
    hex: hex(a.value),
  }));
  return reply.commandId === 0
    ? { command: commandName(0), notificationUid: reply.notificationUid, attributes }
    : { command: commandName(1), appIdentifier: reply.appIdentifier, attributes };
}

/**
 * Counts the attribute tuples in a whole reply when no request is known:
 * walks id/length headers until the bytes end exactly.
 */
export function guessExpectation(bytes: Uint8Array): ExpectedReply {
  const commandId = bytes[0];
  if (commandId !== 0 && commandId !== 1) {
    throw new AncsError('ancs.unknown-command', `Data Source reply starts with command ${commandId ?? '(nothing)'}; pass --request to say what was asked`, 0);
  }
  let offset = 1;
  if (commandId === 0) offset += 4;
  else {
    const nul = bytes.indexOf(0, 1);
    if (nul < 0) throw new AncsError('ancs.missing-nul', 'App identifier has no NUL terminator', bytes.length);
    offset = nul + 1;
  }
  let count = 0;
  while (offset + 3 <= bytes.length) {
    const len = (bytes[offset + 1] as number) | ((bytes[offset + 2] as number) << 8);
    offset += 3 + len;
    count++;
  }
  return { commandId, attributeCount: Math.max(count, 0) };
}

/**
 * Decodes one or more Data Source replies carried by `fragments`. With a
 * Control Point `request` the expectation comes from it (as on a real link);
 * without one, a single whole reply is assumed and its tuples counted.
 */
export function describeDataSource(fragments: readonly Uint8Array[], request?: Uint8Array): Record<string, unknown>[] {
  const reassembler = new DataSourceReassembler();
  if (request) {
    const cmd: ControlPointCommand = decodeControlPoint(request);
    if (cmd.commandId === 2) throw new HexInputError('PerformNotificationAction has no Data Source reply');
    reassembler.expect(expectedReplyFor(cmd));
  } else {
    const all = Buffer.concat(fragments.map((f) => Buffer.from(f)));
    reassembler.expect(guessExpectation(all));
  }
  const replies: DataSourceReply[] = [];
  for (const fragment of fragments) replies.push(...reassembler.push(fragment));
  if (reassembler.busy) throw new AncsError('ancs.truncated', 'the fragments end before the reply is complete');
  return replies.map(describeReply);
}
