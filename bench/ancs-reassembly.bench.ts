/**
 * ANCS Data Source reassembly speed: MB/s of reply bytes that
 * `DataSourceReassembler` rebuilds when realistic replies arrive cut into
 * notifications at MTU 185 (182-byte fragments) and MTU 23 (20-byte
 * fragments), each beside a baseline measured in the same run: the one-shot
 * `decodeDataSourceReply` of the same whole replies. A few thousand replies:
 * GetNotificationAttributes answers with the eight attributes the PC asks
 * for (titles and messages of everyday sizes, non-ASCII text included,
 * some cut at MaxLen inside a character) and GetAppAttributes answers.
 * Fragments are views with exactly the bytes `fragmentReply` gives (checked),
 * and reassembly is checked against the one-shot decode before timing.
 * Run directly: `node -r ts-node/register/transpile-only bench/ancs-reassembly.bench.ts`.
 */
import { performance } from 'node:perf_hooks';
import type { BenchFigure } from './index';
import {
  AppAttributeId,
  CommandId,
  DataSourceReassembler,
  NotificationAttributeId,
  decodeDataSourceReply,
  encodeDataSourceReply,
  fragmentReply,
} from '../src/protocol/ancs';
import type { AttributeValue, DataSourceReply, ExpectedReply } from '../src/protocol/ancs';
import { Random } from '../src/util/random';

const REPLIES = 3000;
/** Share of replies that answer GetAppAttributes (the PC asks once per new app). */
const APP_REPLY_SHARE = 0.08;
/** MaxLen the PC asks for Title, Subtitle and Message (the consumer's default). */
const MAX_LEN = 512;
const WARMUP_ROUNDS = 3;
const ROUNDS = 9;
/** Passes over the whole reply set per timed round, so a round lasts tens of ms. */
const PASSES = 4;
const MTUS = [185, 23] as const;

const utf8 = new TextEncoder();

const APPS: readonly (readonly [string, string])[] = [
  ['com.apple.MobileSMS', 'Messages'],
  ['com.apple.mobilemail', 'Mail'],
  ['com.whatsapp.WhatsApp', 'WhatsApp'],
  ['com.apple.mobilecal', 'Calendar'],
  ['ph.telegra.Telegraph', 'Telegram'],
  ['com.tinyspeck.chatlyio', 'Slack'],
  ['com.burbn.instagram', 'Instagram'],
  ['com.apple.mobilephone', 'Phone'],
  ['com.example.café', 'Café Crème'],
];

const NAMES = ['Anna', 'Jörg Müller', 'Zoë', 'François', 'Ольга', '王芳', '佐藤 健', 'Nadia 🌻', 'Team Standup', 'Mum ❤️', 'Łukasz', 'Søren'];

const WORDS = [
  'see', 'you', 'at', 'the', 'station', 'tomorrow', 'meeting', 'moved', 'to', 'three', 'o\'clock', 'thanks!', 'ok',
  'running', 'late', 'sorry', 'dinner', 'tonight?', 'café', 'über', 'naïve', 'déjà', 'vu', 'привет', 'как', 'дела',
  '你好', '明天见', 'ありがとう', 'よろしく', '👍', '😂', '🎉', '🙏', 'invoice', 'attached', 'please', 'review', 'the',
  'draft', 'before', 'Friday', 'Zürich', 'København', 'Ελληνικά', 'שלום', 'مرحبا',
];

/** A message of roughly `targetChars` characters drawn from everyday words. */
function sentence(rng: Random, targetChars: number): string {
  const parts: string[] = [];
  let chars = 0;
  while (chars < targetChars) {
    const w = rng.pick(WORDS);
    parts.push(w);
    chars += w.length + 1;
  }
  return parts.join(' ');
}

/** Text as iOS sends it: UTF-8, cut at MaxLen bytes, possibly inside a multibyte character. */
function attr(id: number, text: string, maxLength?: number): AttributeValue {
  const bytes = utf8.encode(text);
  return { id, value: maxLength !== undefined && bytes.length > maxLength ? bytes.slice(0, maxLength) : bytes };
}

/** Message length mix: mostly chat-sized, some mail previews, a few long ones cut at MaxLen. */
function messageChars(rng: Random): number {
  const r = rng.next();
  if (r < 0.55) return rng.int(5, 80);
  if (r < 0.85) return rng.int(80, 250);
  if (r < 0.97) return rng.int(250, 500);
  return rng.int(500, 900);
}

function date(rng: Random): string {
  const two = (n: number): string => String(n).padStart(2, '0');
  return `202601${two(rng.int(1, 28))}T${two(rng.int(0, 23))}${two(rng.int(0, 59))}${two(rng.int(0, 59))}`;
}

interface Sample {
  expected: ExpectedReply;
  bytes: Uint8Array;
}

function notificationReply(rng: Random, uid: number): DataSourceReply {
  const [appId] = rng.pick(APPS);
  const message = sentence(rng, messageChars(rng));
  const withSubtitle = rng.chance(0.25);
  const dismissible = rng.chance(0.8);
  return {
    commandId: CommandId.GetNotificationAttributes,
    notificationUid: uid,
    attributes: [
      attr(NotificationAttributeId.AppIdentifier, appId),
      attr(NotificationAttributeId.Title, rng.chance(0.1) ? `${rng.pick(NAMES)}, ${rng.pick(NAMES)} & ${rng.int(2, 9)} others` : rng.pick(NAMES), MAX_LEN),
      attr(NotificationAttributeId.Subtitle, withSubtitle ? sentence(rng, rng.int(8, 40)) : '', MAX_LEN),
      attr(NotificationAttributeId.Message, message, MAX_LEN),
      attr(NotificationAttributeId.MessageSize, String(utf8.encode(message).length)),
      attr(NotificationAttributeId.Date, date(rng)),
      attr(NotificationAttributeId.PositiveActionLabel, rng.chance(0.15) ? 'Answer' : ''),
      attr(NotificationAttributeId.NegativeActionLabel, dismissible ? 'Clear' : ''),
    ],
  };
}

function appReply(rng: Random): DataSourceReply {
  const [appIdentifier, name] = rng.pick(APPS);
  return { commandId: CommandId.GetAppAttributes, appIdentifier, attributes: [attr(AppAttributeId.DisplayName, name)] };
}

/** The traffic: whole encoded replies with the expectation the PC queues for each. */
function traffic(): Sample[] {
  const rng = new Random(0xa2c5);
  const samples: Sample[] = [];
  let uid = 1000;
  for (let i = 0; i < REPLIES; i++) {
    const reply = rng.chance(APP_REPLY_SHARE) ? appReply(rng) : notificationReply(rng, uid++);
    const expected: ExpectedReply =
      reply.commandId === CommandId.GetNotificationAttributes
        ? { commandId: CommandId.GetNotificationAttributes, attributeCount: reply.attributes.length, notificationUid: reply.notificationUid }
        : { commandId: CommandId.GetAppAttributes, attributeCount: reply.attributes.length, appIdentifier: reply.appIdentifier };
    samples.push({ expected, bytes: encodeDataSourceReply(reply) });
  }
  return packed(samples);
}

/**
 * The same samples with their bytes moved into one buffer (each sample a
 * view of it). Tens of thousands of separately allocated buffers held for
 * the whole run would make every garbage collection slower and charge that
 * to whichever workload happens to trigger it; a link hands over each
 * notification once and lets it go.
 */
function packed(samples: readonly Sample[]): Sample[] {
  const all = new Uint8Array(samples.reduce((n, s) => n + s.bytes.length, 0));
  let at = 0;
  return samples.map((s) => {
    all.set(s.bytes, at);
    at += s.bytes.length;
    return { expected: s.expected, bytes: all.subarray(at - s.bytes.length, at) };
  });
}

/** Cuts each reply at `maxPayload` bytes as `fragmentReply` does, as views of the reply (no copies). */
function fragmentViews(bytes: Uint8Array, maxPayload: number): Uint8Array[] {
  const views: Uint8Array[] = [];
  for (let at = 0; at < bytes.length; at += maxPayload) views.push(bytes.subarray(at, Math.min(bytes.length, at + maxPayload)));
  return views;
}

/** Sum of value lengths: a cheap fingerprint that keeps the work observable. */
function fingerprint(reply: DataSourceReply): number {
  let n = reply.attributes.length;
  for (const a of reply.attributes) n += a.value.length;
  return n;
}

function oneShot(samples: readonly Sample[]): number {
  let sum = 0;
  for (const s of samples) sum += fingerprint(decodeDataSourceReply(s.bytes, s.expected));
  return sum;
}

function reassemble(samples: readonly Sample[], fragments: readonly (readonly Uint8Array[])[]): number {
  const reassembler = new DataSourceReassembler();
  let sum = 0;
  let done = 0;
  for (let i = 0; i < samples.length; i++) {
    reassembler.expect((samples[i] as Sample).expected);
    for (const fragment of fragments[i] as readonly Uint8Array[]) {
      for (const reply of reassembler.push(fragment)) {
        sum += fingerprint(reply);
        done++;
      }
    }
  }
  if (done !== samples.length || reassembler.busy) throw new Error(`reassembled ${done} of ${samples.length} replies`);
  return sum;
}

interface Workload {
  name: string;
  work: () => number;
}

/**
 * Median wall time in seconds of one call to each workload. Rounds interleave
 * the workloads (rotating their order), so a busy machine slows baseline and
 * subject alike; each timing covers `PASSES` calls and must reproduce `check`.
 * Also returns, per workload, the median over rounds of its time relative to
 * the first workload's in the same round.
 */
function measure(workloads: readonly Workload[], check: number): { seconds: number[]; relative: number[] } {
  const once = (w: Workload): void => {
    const got = w.work();
    if (got !== check) throw new Error(`${w.name} produced fingerprint ${got}, expected ${check}`);
  };
  for (let i = 0; i < WARMUP_ROUNDS * PASSES; i++) for (const w of workloads) once(w);
  const times = workloads.map((): number[] => []);
  for (let r = 0; r < ROUNDS; r++) {
    for (let k = 0; k < workloads.length; k++) {
      const index = (r + k) % workloads.length;
      const w = workloads[index] as Workload;
      const start = performance.now();
      for (let p = 0; p < PASSES; p++) once(w);
      (times[index] as number[]).push((performance.now() - start) / 1000 / PASSES);
    }
  }
  const first = times[0] as number[];
  return {
    seconds: times.map(median),
    relative: times.map((t) => median(t.map((x, r) => x / (first[r] as number)))),
  };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

/**
 * Checks that reassembly gives exactly the one-shot decode of every reply.
 * Each reply is compared as it completes and then dropped: holding thousands
 * of them would teach V8 that the reassembler's allocations live long, and it
 * would then allocate them straight into the old generation (pretenuring) for
 * the timed rounds too, which measures the garbage collector instead.
 */
function checkSameReplies(samples: readonly Sample[], fragments: readonly (readonly Uint8Array[])[], mtu: number): void {
  const reassembler = new DataSourceReassembler();
  samples.forEach((s, i) => {
    reassembler.expect(s.expected);
    const got: DataSourceReply[] = [];
    for (const f of fragments[i] as readonly Uint8Array[]) got.push(...reassembler.push(f));
    const reply = got[0];
    const want = encodeDataSourceReply(decodeDataSourceReply(s.bytes, s.expected));
    const back = got.length === 1 && reply ? encodeDataSourceReply(reply) : new Uint8Array(0);
    if (Buffer.compare(Buffer.from(want), Buffer.from(back)) !== 0) throw new Error(`reply ${i} differs after reassembly at MTU ${mtu}`);
  });
}

export async function run(): Promise<BenchFigure[]> {
  const samples = traffic();
  const totalBytes = samples.reduce((n, s) => n + s.bytes.length, 0);
  const nonAscii = samples.filter((s) => s.bytes.some((b) => b >= 0x80)).length;
  const mbPerSecond = (seconds: number): number => totalBytes / seconds / 1e6;

  const split = MTUS.map((mtu) => {
    const fragments = samples.map((s) => fragmentViews(s.bytes, mtu - 3));
    // The views must be exactly the notifications the phone sends.
    samples.forEach((s, i) => {
      const want = fragmentReply(s.bytes, mtu - 3);
      const got = fragments[i] as Uint8Array[];
      if (want.length !== got.length || want.some((w, k) => Buffer.compare(Buffer.from(w), Buffer.from(got[k] ?? [])) !== 0)) {
        throw new Error(`fragment views of reply ${i} differ from fragmentReply at MTU ${mtu}`);
      }
    });
    checkSameReplies(samples, fragments, mtu);
    return { mtu, fragments, count: fragments.reduce((n, f) => n + f.length, 0) };
  });
  const check = oneShot(samples);
  const { seconds, relative } = measure(
    [
      { name: 'one-shot decode', work: () => oneShot(samples) },
      ...split.map(({ mtu, fragments }) => ({ name: `reassembly at MTU ${mtu}`, work: () => reassemble(samples, fragments) })),
    ],
    check,
  );

  const baseline = { name: 'one-shot decodeDataSourceReply, whole replies', value: mbPerSecond(seconds[0] as number), unit: 'MB/s' };
  const figures = split.map(({ mtu, count }, i): BenchFigure => {
    const s = seconds[i + 1] as number;
    return {
      name: `DataSourceReassembler, ${mtu - 3}-byte fragments (MTU ${mtu})`,
      value: mbPerSecond(s),
      unit: 'MB/s',
      better: 'higher',
      baseline,
      note: `${count} fragments, ${((s * 1e9) / count).toFixed(0)} ns/fragment; median per-round ratio ${(1 / (relative[i + 1] as number)).toFixed(2)}x`,
    };
  });
  const kb = (totalBytes / 1024).toFixed(0);
  const first = figures[0];
  if (first) first.note += `; ${samples.length} replies, ${kb} KiB, ${nonAscii} with non-ASCII text, median of ${ROUNDS} interleaved rounds`;
  return figures;
}

if (require.main === module) {
  void run().then((figures) => {
    for (const f of figures) {
      const base = f.baseline ? `  (baseline ${f.baseline.name}: ${f.baseline.value.toFixed(1)} ${f.baseline.unit})` : '';
      console.log(`${f.name}: ${f.value.toFixed(1)} ${f.unit}${base}${f.note ? `  [${f.note}]` : ''}`);
    }
  });
}
