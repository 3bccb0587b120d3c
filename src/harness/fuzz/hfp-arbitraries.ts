/**
 * fast-check arbitraries for the HFP AT codec: every command and result
 * kind with values the codec can carry, plus byte-level helpers (random
 * chunking, concatenation). Shared by the unit tests and the fuzz campaigns.
 */
import fc from 'fast-check';
import type { AtCommandType, HfCommand } from '../../protocol/hfp/commands';
import { type AgResult, resultText } from '../../protocol/hfp/results';

const CONTROL_OR_QUOTE = /[\u0000-\u001f\u007f"]/;

/** Text a quoted AT string can carry (no quote, no line break, no control byte), ASCII or not. */
export const quotableText = (maxLength = 12): fc.Arbitrary<string> =>
  fc
    .oneof(fc.string({ unit: 'grapheme-ascii', maxLength }), fc.string({ unit: 'grapheme', maxLength }))
    .filter((s) => !CONTROL_OR_QUOTE.test(s));

export const nat = (max = 2 ** 31 - 1): fc.Arbitrary<number> => fc.nat({ max });
export const phoneNumber = fc.stringMatching(/^\+?[0-9]{1,15}$/);
const letters = (max: number): fc.Arbitrary<string> => fc.stringMatching(new RegExp(`^[A-Z]{1,${max}}$`));

const unknownCommand: fc.Arbitrary<HfCommand> = fc
  .record({
    suffix: letters(8),
    type: fc.constantFrom<AtCommandType>('command', 'set', 'read', 'test'),
    value: nat(999),
  })
  .map(({ suffix, type, value }) => {
    const name = `+Q${suffix}`;
    const tail = type === 'command' ? '' : type === 'read' ? '?' : type === 'test' ? '=?' : `=${value}`;
    return { kind: 'unknown', name, type, raw: `AT${name}${tail}` };
  });

/** Every command kind. */
export const anyCommand: fc.Arbitrary<HfCommand> = fc.oneof(
  nat().map((features) => ({ kind: 'brsf', features }) as const),
  fc.array(nat(255), { minLength: 1, maxLength: 5 }).map((codecs) => ({ kind: 'bac', codecs }) as const),
  fc.constant({ kind: 'cindTest' } as const),
  fc.constant({ kind: 'cindRead' } as const),
  fc.record(
    { kind: fc.constant('cmer' as const), mode: nat(9), keyp: nat(9), disp: nat(9), ind: nat(9), bfr: nat(9) },
    { requiredKeys: ['kind'], noNullPrototype: true },
  ),
  fc.constant({ kind: 'chldTest' } as const),
  fc.record(
    { kind: fc.constant('chld' as const), action: nat(9), callIndex: nat(99) },
    { requiredKeys: ['kind', 'action'], noNullPrototype: true },
  ),
  fc.array(nat(65535), { minLength: 1, maxLength: 5 }).map((indicators) => ({ kind: 'bind', indicators }) as const),
  fc.constant({ kind: 'bindTest' } as const),
  fc.constant({ kind: 'bindRead' } as const),
  fc.constantFrom('clip', 'ccwa', 'cmee', 'nrec').chain((kind) =>
    fc.boolean().map((enabled): HfCommand => ({ kind, enabled })),
  ),
  fc.record(
    { kind: fc.constant('cops' as const), mode: nat(9), format: nat(9) },
    { requiredKeys: ['kind', 'mode'], noNullPrototype: true },
  ),
  fc.constantFrom<HfCommand>(
    { kind: 'copsRead' },
    { kind: 'clcc' },
    { kind: 'cnum' },
    { kind: 'answer' },
    { kind: 'chup' },
    { kind: 'bldn' },
    { kind: 'bcc' },
    { kind: 'btrhRead' },
  ),
  fc.constantFrom('vgs', 'vgm').chain((kind) => nat(15).map((gain): HfCommand => ({ kind, gain }))),
  fc.stringMatching(/^[0-9*#+ABCDpw]{1,20}$/).map((number) => ({ kind: 'dial', number }) as const),
  fc.stringMatching(/^[A-Z]{0,2}[0-9]{1,3}$/).map((location) => ({ kind: 'dialMemory', location }) as const),
  fc.constantFrom(...'0123456789#*ABCD').map((tone) => ({ kind: 'vts', tone }) as const),
  nat(2).map((value) => ({ kind: 'bvra', value }) as const),
  fc
    .array(fc.constantFrom(true, false, undefined), { maxLength: 8 })
    .filter((s) => s.length === 0 || s[s.length - 1] !== undefined)
    .map((states) => ({ kind: 'bia', states }) as const),
  fc.record({ kind: fc.constant('biev' as const), indicator: nat(65535), value: nat(100) }, { noNullPrototype: true }),
  nat(255).map((codec) => ({ kind: 'bcs', codec }) as const),
  nat(2).map((action) => ({ kind: 'btrh', action }) as const),
  fc.record({
    kind: fc.constant('xapl' as const),
    vendorId: nat(0xffff),
    productId: nat(0xffff),
    version: fc.stringMatching(/^[0-9A-Za-z._]{1,16}$/),
    features: nat(31),
  }, { noNullPrototype: true }),
  fc
    .array(fc.record({ key: nat(9), value: nat(9) }, { noNullPrototype: true }), { maxLength: 16 })
    .map((pairs) => ({ kind: 'iphoneAccev', pairs }) as const),
  unknownCommand,
);

const unknownResult: fc.Arbitrary<AgResult> = fc
  .tuple(letters(6), nat(999))
  .map(([name, v]) => ({ kind: 'unknown', raw: `+Q${name}: ${v}` }));

const range = fc.tuple(nat(1_000_000), nat(1_000_000)).map(([a, b]) => ({ min: Math.min(a, b), max: Math.max(a, b) }));

/** Every result kind, sized to fit the splitters' default 512-byte line limit. */
export const anyResult: fc.Arbitrary<AgResult> = fc.oneof(
  fc.constantFrom<AgResult>(
    { kind: 'ok' },
    { kind: 'error' },
    { kind: 'ring' },
    { kind: 'noCarrier' },
    { kind: 'busy' },
    { kind: 'noAnswer' },
    { kind: 'delayed' },
    { kind: 'blacklisted' },
  ),
  nat(999).map((code) => ({ kind: 'cmeError', code }) as const),
  nat().map((features) => ({ kind: 'brsf', features }) as const),
  fc
    .uniqueArray(
      fc.record({
        name: quotableText().filter((s) => s !== ''),
        ranges: fc.array(range, { maxLength: 4 }),
      }, { noNullPrototype: true }),
      { minLength: 1, maxLength: 8, selector: (i) => i.name.toLowerCase() },
    )
    .map((indicators) => ({ kind: 'cindTest', indicators }) as const),
  fc.array(nat(9), { minLength: 1, maxLength: 10 }).map((values) => ({ kind: 'cindRead', values }) as const),
  fc.record({ kind: fc.constant('ciev' as const), index: nat(20), value: nat(9) }, { noNullPrototype: true }),
  fc.array(fc.stringMatching(/^[0-9][0-9x]{0,2}$/), { maxLength: 8 }).map((options) => ({ kind: 'chld', options }) as const),
  fc.record(
    {
      kind: fc.constant('clip' as const),
      number: phoneNumber,
      type: nat(255),
      subaddress: quotableText(),
      subaddressType: nat(255),
      alpha: quotableText(),
      validity: nat(2),
    },
    { requiredKeys: ['kind', 'number', 'type'], noNullPrototype: true },
  ),
  fc.record(
    {
      kind: fc.constant('ccwa' as const),
      number: phoneNumber,
      type: nat(255),
      callClass: nat(255),
      alpha: quotableText(),
      validity: nat(2),
    },
    { requiredKeys: ['kind', 'number', 'type'], noNullPrototype: true },
  ),
  fc.record(
    {
      kind: fc.constant('clcc' as const),
      index: nat(9),
      direction: nat(1),
      status: nat(6),
      mode: nat(2),
      multiparty: fc.boolean(),
      number: fc.oneof(phoneNumber, fc.constant('')),
      type: nat(255),
      alpha: quotableText(),
      priority: nat(9),
    },
    { requiredKeys: ['kind', 'index', 'direction', 'status', 'mode', 'multiparty'], noNullPrototype: true },
  ),
  fc.record(
    { kind: fc.constant('cops' as const), mode: nat(4), format: nat(2), operator: quotableText() },
    { requiredKeys: ['kind', 'mode'], noNullPrototype: true },
  ),
  fc.record(
    {
      kind: fc.constant('cnum' as const),
      alpha: quotableText(),
      number: phoneNumber,
      type: nat(255),
      speed: nat(9),
      service: nat(5),
    },
    { requiredKeys: ['kind', 'number', 'type'], noNullPrototype: true },
  ),
  nat(255).map((codec) => ({ kind: 'bcs', codec }) as const),
  fc.boolean().map((enabled) => ({ kind: 'bsir', enabled }) as const),
  fc.constantFrom('vgs', 'vgm').chain((kind) => nat(15).map((gain): AgResult => ({ kind, gain }))),
  nat(2).map((value) => ({ kind: 'bvra', value }) as const),
  nat(2).map((state) => ({ kind: 'btrh', state }) as const),
  fc.array(nat(65535), { maxLength: 5 }).map((indicators) => ({ kind: 'bindList', indicators }) as const),
  fc.record(
    { kind: fc.constant('bindStatus' as const), indicator: nat(65535), enabled: fc.boolean() },
    { noNullPrototype: true },
  ),
  fc.record({
    kind: fc.constant('xapl' as const),
    device: fc.stringMatching(/^[A-Za-z][A-Za-z0-9]{0,11}$/),
    features: nat(31),
  }, { noNullPrototype: true }),
  unknownResult,
).filter((r) => Buffer.byteLength(resultText(r)) <= 500);

/** Cuts `bytes` into consecutive chunks at the given (unsorted, possibly repeated) positions. */
export function chunkAt(bytes: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let prev = 0;
  for (const p of points) {
    chunks.push(bytes.subarray(prev, p));
    prev = p;
  }
  chunks.push(bytes.subarray(prev));
  return chunks;
}

export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export const ascii = (text: string): Uint8Array => new TextEncoder().encode(text);

/** Hex of the UTF-8 bytes of `text`, lower case. */
export const hexOf = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

/** True when `needles` appear in `haystack` in order (not necessarily adjacent). */
export function isSubsequence<T>(needles: readonly T[], haystack: readonly T[]): boolean {
  let i = 0;
  for (const item of haystack) if (i < needles.length && item === needles[i]) i++;
  return i === needles.length;
}
