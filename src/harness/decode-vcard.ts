/**
 * Turns a vCard file (2.1, 3.0 or 4.0, one card or many, e.g. a PBAP pull
 * saved from a real phone) into JSON a person can read: the usual fields by
 * name, photos as size and type, and every property as parsed. Decoding is
 * the vCard codec's own; phone numbers and names are the file's, so this is
 * for local inspection, not for reports.
 */
import { parseVcards } from '../protocol/vcard';
import type { Vcard, VcardProperty } from '../protocol/vcard';

function describeValue(value: VcardProperty['value']): unknown {
  if (value instanceof Uint8Array) return { bytes: value.length };
  return value;
}

export function describeVcard(card: Vcard): Record<string, unknown> {
  const photo = card.photo;
  return {
    version: card.version,
    formattedName: card.formattedName,
    name: card.name,
    tel: card.tel,
    email: card.email,
    ...(card.org ? { org: card.org } : {}),
    ...(card.bday ? { bday: card.bday } : {}),
    ...(card.note ? { note: card.note } : {}),
    ...(photo ? { photo: { type: photo.type, bytes: photo.bytes.length } } : {}),
    ...(card.call ? { call: card.call } : {}),
    properties: card.properties.map((p) => ({
      ...(p.group ? { group: p.group } : {}),
      name: p.name,
      ...(p.params.length > 0 ? { params: Object.fromEntries(p.params.map((q) => [q.name, q.values])) } : {}),
      value: describeValue(p.value),
    })),
    ...(card.nested.length > 0 ? { nested: card.nested.map(describeVcard) } : {}),
  };
}

/** Parses `bytes` (charset per property, UTF-8 by default) and describes every card. */
export function describeVcards(bytes: Uint8Array): Record<string, unknown>[] {
  return parseVcards(bytes).map(describeVcard);
}
