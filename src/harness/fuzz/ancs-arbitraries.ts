/**
 * fast-check arbitraries for ANCS: valid Notification Source events, Control
 * Point commands and Data Source replies (unknown enum values, non-ASCII
 * text and odd bytes included), and helpers that cut byte streams at
 * arbitrary points or mutate them. Shared by the unit tests and the fuzz
 * campaigns.
 */
import fc from 'fast-check';
import { attributeTakesMaxLength } from '../../protocol/ancs/constants';
import type {
  AppAttributesReply,
  AttributeValue,
  ControlPointCommand,
  DataSourceReply,
  ExpectedReply,
  GetAppAttributesCommand,
  GetNotificationAttributesCommand,
  NotificationAttributesReply,
  NotificationSourceEvent,
  PerformNotificationActionCommand,
  RequestedAttribute,
} from '../../protocol/ancs/types';

/** UTF-8 bytes of a string. */
export function utf8(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

/** fc.record builds null-prototype objects by default; decoders return plain ones. */
const plain = { noNullPrototype: true } as const;

/** Any byte, biased towards the small values ANCS names (0..11). */
export const byteArb: fc.Arbitrary<number> = fc.oneof(fc.integer({ min: 0, max: 11 }), fc.integer({ min: 0, max: 255 }));

/** Any uint32, with the edges (0, 0xFFFFFFFF) likely. */
export const uint32Arb: fc.Arbitrary<number> = fc.oneof(fc.constantFrom(0, 1, 0x43, 0x7fffffff, 0x80000000, 0xffffffff), fc.integer({ min: 0, max: 0xffffffff }));

/** Any well-formed Notification Source event, reserved IDs, categories and flag bits included. */
export const notificationSourceEventArb: fc.Arbitrary<NotificationSourceEvent> = fc.record({
  eventId: byteArb,
  eventFlags: fc.integer({ min: 0, max: 255 }),
  categoryId: byteArb,
  categoryCount: fc.integer({ min: 0, max: 255 }),
  notificationUid: uint32Arb,
}, plain);

/**
 * An AppIdentifier that survives the wire: real bundle ids, the empty string,
 * and arbitrary Unicode (astral planes included) without NUL or lone surrogates.
 */
export const appIdentifierArb: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('com.apple.MobileSMS', 'com.apple.mobilemail', 'com.apple.mobilephone', 'com.getpebble.pebbletime.enterprise', ''),
  fc.string({ unit: 'binary', maxLength: 40 }).filter((s) => !s.includes('\0')),
);

/** A requested notification attribute; Title, Subtitle and Message (1..3) always carry a maxLength. */
export const requestedAttributeArb: fc.Arbitrary<RequestedAttribute> = byteArb.chain((id) =>
  attributeTakesMaxLength(id) ? fc.integer({ min: 0, max: 0xffff }).map((maxLength) => ({ id, maxLength })) : fc.constant({ id }),
);

export const getNotificationAttributesArb: fc.Arbitrary<GetNotificationAttributesCommand> = fc.record({
  commandId: fc.constant(0 as const),
  notificationUid: uint32Arb,
  attributes: fc.array(requestedAttributeArb, { minLength: 1, maxLength: 10 }),
}, plain);

export const getAppAttributesArb: fc.Arbitrary<GetAppAttributesCommand> = fc.record({
  commandId: fc.constant(1 as const),
  appIdentifier: appIdentifierArb,
  attributes: fc.array(byteArb, { minLength: 1, maxLength: 4 }),
}, plain);

export const performNotificationActionArb: fc.Arbitrary<PerformNotificationActionCommand> = fc.record({
  commandId: fc.constant(2 as const),
  notificationUid: uint32Arb,
  actionId: byteArb,
}, plain);

/** Any valid Control Point command. */
export const controlPointCommandArb: fc.Arbitrary<ControlPointCommand> = fc.oneof(getNotificationAttributesArb, getAppAttributesArb, performNotificationActionArb);

/**
 * An attribute value: UTF-8 text (any Unicode), raw bytes (invalid UTF-8 and
 * NULs included), empty, or now and then a value longer than one MTU.
 */
export const attributeBytesArb: fc.Arbitrary<Uint8Array> = fc.oneof(
  { weight: 4, arbitrary: fc.string({ unit: 'binary', maxLength: 60 }).map(utf8) },
  { weight: 3, arbitrary: fc.uint8Array({ maxLength: 60 }) },
  { weight: 1, arbitrary: fc.constant(new Uint8Array(0)) },
  { weight: 1, arbitrary: fc.uint8Array({ minLength: 180, maxLength: 600 }) },
);

export const attributeValueArb: fc.Arbitrary<AttributeValue> = fc.record({ id: byteArb, value: attributeBytesArb }, plain);

export const notificationAttributesReplyArb: fc.Arbitrary<NotificationAttributesReply> = fc.record({
  commandId: fc.constant(0 as const),
  notificationUid: uint32Arb,
  attributes: fc.array(attributeValueArb, { maxLength: 8 }),
}, plain);

export const appAttributesReplyArb: fc.Arbitrary<AppAttributesReply> = fc.record({
  commandId: fc.constant(1 as const),
  appIdentifier: appIdentifierArb,
  attributes: fc.array(attributeValueArb, { maxLength: 3 }),
}, plain);

/** Any valid Data Source reply (zero attributes allowed). */
export const dataSourceReplyArb: fc.Arbitrary<DataSourceReply> = fc.oneof(notificationAttributesReplyArb, appAttributesReplyArb);

/** The expectation matching `reply`: its CommandID, its tuple count, and its UID or AppIdentifier. */
export function expectationOf(reply: DataSourceReply): ExpectedReply {
  return reply.commandId === 0
    ? { commandId: 0, attributeCount: reply.attributes.length, notificationUid: reply.notificationUid }
    : { commandId: 1, attributeCount: reply.attributes.length, appIdentifier: reply.appIdentifier };
}

/**
 * Raw material for cutting a stream: a list of fragment sizes, used
 * cyclically by `splitBytes`. Sizes of 1 (byte-by-byte) are common.
 */
export const fragmentSizesArb: fc.Arbitrary<number[]> = fc.array(
  fc.oneof(fc.constant(1), fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 400 })),
  { minLength: 1, maxLength: 20 },
);

/** Cuts `bytes` into consecutive fragments whose sizes cycle through `sizes` (all > 0). */
export function splitBytes(bytes: Uint8Array, sizes: readonly number[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  let at = 0;
  for (let i = 0; at < bytes.length; i++) {
    const size = Math.max(1, sizes[i % sizes.length] ?? 1);
    out.push(bytes.slice(at, at + size));
    at += size;
  }
  return out;
}

/** Cuts `bytes` at the given positions (any order, duplicates and out-of-range ignored). */
export function splitAt(bytes: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  const points = [...new Set(cuts.filter((c) => c > 0 && c < bytes.length))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let from = 0;
  for (const p of points) {
    out.push(bytes.slice(from, p));
    from = p;
  }
  out.push(bytes.slice(from));
  return out;
}

/** Bytes with a few random mutations: flipped bytes, cuts, insertions. */
export function mutatedBytesArb(base: fc.Arbitrary<Uint8Array>): fc.Arbitrary<Uint8Array> {
  const edit = fc.oneof(
    fc.record({ kind: fc.constant('set' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
    fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }),
    fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  );
  return fc.tuple(base, fc.array(edit, { minLength: 1, maxLength: 4 })).map(([bytes, edits]) => {
    const out = Array.from(bytes);
    for (const e of edits) {
      const at = out.length === 0 ? 0 : e.at % (out.length + 1);
      if (e.kind === 'set' && at < out.length) out[at] = e.value;
      else if (e.kind === 'cut') out.length = Math.min(out.length, at);
      else if (e.kind === 'insert') out.splice(at, 0, e.value);
    }
    return Uint8Array.from(out);
  });
}
