/**
 * Virtual-time speed: the wall time to simulate one hour of everyday
 * notification traffic between the simulated iPhone (iphone profile) and the
 * PC over the in-memory link, as a speed-up (link time / wall time). The run
 * must end with the PC showing exactly what the phone shows, or the bench
 * fails. Baseline in the same run: the bare VirtualClock running as many
 * timer events over the same span of link time with no link or stack, which
 * is the scheduler's own cost per event.
 * Run directly: `node -r ts-node/register/transpile-only bench/virtual-time.bench.ts`.
 */
import { performance } from 'node:perf_hooks';
import type { BenchFigure } from './index';
import { Testbed } from '../src/harness/testbed';
import { VirtualClock } from '../src/link/virtual-clock';
import type { CategoryName } from '../src/sim-phone/stimulus';
import { Random } from '../src/util/random';

const HOUR_MS = 3_600_000;
/** Quiet link time after the hour, for the last requests to finish before the lists are compared. */
const SETTLE_MS = 20_000;
const OUT_OF_RANGE_AT_MS = 31 * 60_000;
const OUT_OF_RANGE_MS = 10_000;
const SEED = 2026;
/** Hours simulated to warm the JIT up (the first is also the reference run), then measured ones; medians are reported. */
const WARMUP_RUNS = 3;
const RUNS = 9;
/** The bare clock's work is a few ms, so each baseline sample repeats it this many times. */
const BARE_REPEAT = 10;

const APPS: readonly { appId: string; category: CategoryName; senders: readonly string[] }[] = [
  { appId: 'com.apple.MobileSMS', category: 'Social', senders: ['Anna', 'Jörg Müller', 'Mum ❤️', 'Ольга', '+44 7700 900123'] },
  { appId: 'com.whatsapp.WhatsApp', category: 'Social', senders: ['Family 🏡', 'Zoë', '王芳', 'Football Sunday ⚽'] },
  { appId: 'com.apple.mobilemail', category: 'Email', senders: ['GitHub', 'Anna Schmidt', 'Service Desk', 'François Dupont'] },
  { appId: 'com.tinyspeck.chatlyio', category: 'Social', senders: ['#release', '#general', 'Łukasz (DM)'] },
  { appId: 'com.apple.mobilecal', category: 'Schedule', senders: ['Standup', 'Dentist', '1:1 with Søren'] },
  { appId: 'com.apple.news', category: 'News', senders: ['Top Stories', 'Tech'] },
];

const WORDS = [
  'see', 'you', 'at', 'the', 'station', 'tomorrow', 'meeting', 'moved', 'to', 'three', 'thanks!', 'ok', 'running',
  'late', 'sorry', 'dinner', 'tonight?', 'café', 'über', 'déjà', 'vu', 'привет', 'как', 'дела', '你好', '明天见',
  'ありがとう', '👍', '😂', '🎉', 'invoice', 'attached', 'please', 'review', 'the', 'draft', 'before', 'Friday', 'Zürich',
];

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

/** One thing that happens during the hour, `at` ms after the hour starts. */
type Action =
  | { at: number; kind: 'post'; index: number; app: (typeof APPS)[number]; title: string; message: string; dismissible: boolean }
  | { at: number; kind: 'modify'; index: number; message: string }
  | { at: number; kind: 'remove'; index: number }
  | { at: number; kind: 'dismiss'; index: number }
  | { at: number; kind: 'outOfRange'; ms: number };

/**
 * The hour: a notification every 20-60 s from a handful of apps; a quarter
 * are updated within a minute; most are cleared on the phone 1-15 minutes
 * later; about one in ten is dismissed from the PC instead; the phone walks
 * out of range for 10 s once.
 */
function schedule(rng: Random): Action[] {
  const actions: Action[] = [];
  let index = 0;
  for (let at = rng.int(5_000, 20_000); at < HOUR_MS; at += rng.int(20_000, 60_000)) {
    const app = rng.pick(APPS);
    const r = rng.next();
    const chars = r < 0.6 ? rng.int(5, 80) : r < 0.9 ? rng.int(80, 250) : rng.int(250, 600);
    const dismissible = rng.chance(0.85);
    actions.push({ at, kind: 'post', index, app, title: rng.pick(app.senders), message: sentence(rng, chars), dismissible });
    if (rng.chance(0.25)) actions.push({ at: at + rng.int(5_000, 60_000), kind: 'modify', index, message: sentence(rng, rng.int(10, 200)) });
    const end = rng.next();
    if (dismissible && end < 0.1) actions.push({ at: at + rng.int(10_000, 120_000), kind: 'dismiss', index });
    else if (end < 0.85) actions.push({ at: at + rng.int(60_000, 900_000), kind: 'remove', index });
    index++;
  }
  actions.push({ at: OUT_OF_RANGE_AT_MS, kind: 'outOfRange', ms: OUT_OF_RANGE_MS });
  return actions.filter((a) => a.at < HOUR_MS).sort((a, b) => a.at - b.at);
}

interface HourResult {
  wallMs: number;
  linkMs: number;
  events: number;
  attPdus: number;
  llPackets: number;
  connectionEvents: number;
  attBytes: number;
  posted: number;
  shown: number;
  dismissed: number;
  reconnects: number;
}

const keyOf = (n: { appId: string; title: string; subtitle: string; message: string }): string =>
  JSON.stringify([n.appId, n.title, n.subtitle, n.message]);

/** Simulates the hour on a fresh testbed; throws when the PC and the phone disagree at the end. */
async function simulateHour(actions: readonly Action[]): Promise<HourResult> {
  const start = performance.now();
  const tb = new Testbed({ phone: 'iphone', seed: SEED, recordPdus: false });
  const handlerErrors: unknown[] = [];
  tb.air.events.on('handlerError', (e) => handlerErrors.push(e.error));
  const storeIds: number[] = [];
  let dismissed = 0;
  try {
    tb.phone.backchannel.allowShareSystemNotifications(tb.pcAddress);
    await tb.pair();
    await tb.connectPc();
    const hourStart = tb.clock.now();
    for (const action of actions) {
      await tb.clock.runFor(hourStart + action.at - tb.clock.now());
      const id = action.kind === 'outOfRange' ? undefined : storeIds[action.index];
      const onPhone = id !== undefined && tb.phone.model.notifications.has(id);
      switch (action.kind) {
        case 'post':
          storeIds[action.index] = tb.phone.backchannel.postNotification({
            appId: action.app.appId,
            category: action.app.category,
            title: action.title,
            message: action.message,
            ...(action.dismissible ? { negativeActionLabel: 'Clear' } : {}),
          });
          break;
        case 'modify':
          if (onPhone) tb.phone.backchannel.modifyNotification(id, { message: action.message });
          break;
        case 'remove':
          if (onPhone) tb.phone.backchannel.removeNotification(id);
          break;
        case 'dismiss': {
          const shown = onPhone ? tb.phone.model.notifications.get(id) : undefined;
          const entry = shown && tb.pc.notifications.list().find((e) => e.dismissible && !e.stale && keyOf(e) === keyOf(shown));
          // The user clicks "Clear" on the PC; it may race the phone, which the PC answers with a typed error.
          if (entry) {
            void tb.pc.notifications.dismiss(entry.id).then(
              () => dismissed++,
              () => undefined,
            );
          }
          break;
        }
        case 'outOfRange':
          tb.air.faults.outOfRange(action.ms);
          break;
      }
    }
    await tb.clock.runFor(hourStart + HOUR_MS - tb.clock.now());
    await tb.clock.runUntil(() => tb.pc.health().connected, 60_000);
    await tb.clock.runFor(SETTLE_MS);
    const wallMs = performance.now() - start;

    const phone = tb.phone.model.notifications.all().map(keyOf).sort();
    const pc = tb.pc.notifications.list().map(keyOf).sort();
    if (JSON.stringify(phone) !== JSON.stringify(pc)) {
      const only = (a: string[], b: string[]): string => a.filter((k) => !b.includes(k)).slice(0, 3).join(' ') || '-';
      throw new Error(`after the hour the phone shows ${phone.length} notifications and the PC ${pc.length}; only on the phone: ${only(phone, pc)}; only on the PC: ${only(pc, phone)}`);
    }
    if (handlerErrors.length > 0) throw new Error(`a GATT handler threw during the hour: ${String(handlerErrors[0])}`);
    const stats = tb.air.stats;
    return {
      wallMs,
      linkMs: tb.clock.now(),
      events: tb.clock.eventsRun,
      attPdus: stats.toCentral.attPdus + stats.toPeripheral.attPdus,
      llPackets: stats.toCentral.llPackets + stats.toPeripheral.llPackets,
      connectionEvents: stats.connectionEvents,
      attBytes: stats.toCentral.bytes + stats.toPeripheral.bytes,
      posted: storeIds.length,
      shown: phone.length,
      dismissed,
      reconnects: tb.pc.health().reconnectTimingsMs.length,
    };
  } finally {
    await tb.shutdown();
  }
}

/**
 * The baseline: `events` bare timer events over `spanMs` of link time on a
 * fresh VirtualClock, run by the same async runner (`runFor`) the testbed
 * uses. A few self-rearming timers with jittered delays keep the heap about
 * as full as the stack keeps it. Returns wall ms.
 */
async function bareClock(events: number, spanMs: number): Promise<number> {
  let total = 0;
  for (let i = 0; i < BARE_REPEAT; i++) total += await bareClockOnce(events, spanMs);
  return total / BARE_REPEAT;
}

async function bareClockOnce(events: number, spanMs: number): Promise<number> {
  const start = performance.now();
  const clock = new VirtualClock({ seed: SEED });
  const rng = new Random(SEED);
  const chains = 8;
  const meanDelay = (spanMs * chains) / events;
  let left = events;
  const arm = (): void => {
    clock.schedule(meanDelay * (0.5 + rng.next()), () => {
      if (--left >= chains) arm();
    });
  };
  for (let i = 0; i < chains; i++) arm();
  await clock.runFor(spanMs * 2);
  const wallMs = performance.now() - start;
  if (clock.eventsRun !== events) throw new Error(`bare clock ran ${clock.eventsRun} events, wanted ${events}`);
  return wallMs;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

export async function run(): Promise<BenchFigure[]> {
  const actions = schedule(new Random(SEED));
  const first = await simulateHour(actions); // warm-up, and the reference for determinism
  const stackWall: number[] = [];
  const bareWall: number[] = [];
  for (let i = 1 - WARMUP_RUNS; i < RUNS; i++) {
    const r = await simulateHour(actions);
    if (r.events !== first.events || r.attPdus !== first.attPdus || r.linkMs !== first.linkMs) {
      throw new Error(`the same seed gave a different run: ${r.events} events / ${r.attPdus} PDUs, first ${first.events} / ${first.attPdus}`);
    }
    const bare = await bareClock(first.events, first.linkMs);
    if (i < 0) continue;
    stackWall.push(r.wallMs);
    bareWall.push(bare);
  }
  const wallMs = median(stackWall);
  const bareMs = median(bareWall);
  const perSecond = (ms: number): number => first.events / (ms / 1000);
  const counts = first.posted;
  return [
    {
      name: 'one hour of notifications, iPhone profile, in-memory link: virtual-time speed-up',
      value: first.linkMs / wallMs,
      unit: 'x real time',
      better: 'higher',
      note: `link ${(first.linkMs / 1000).toFixed(0)} s in ${wallMs.toFixed(0)} ms wall, median of ${RUNS} after ${WARMUP_RUNS} warm-up hours; ${counts} posted, ${first.dismissed} dismissed from the PC, ${first.reconnects} reconnect(s), ${first.shown} left, PC list equals the phone's`,
    },
    { name: 'wall time for the hour', value: wallMs, unit: 'ms', better: 'lower' },
    { name: 'link time simulated', value: first.linkMs, unit: 'ms', note: 'pairing, connect, the hour and 20 s to settle' },
    { name: 'clock events run', value: first.events, unit: 'events' },
    {
      name: 'ATT PDUs delivered',
      value: first.attPdus,
      unit: 'PDUs',
      note: `${first.llPackets} LL packets, ${first.connectionEvents} busy connection events, ${(first.attBytes / 1024).toFixed(0)} KiB of ATT`,
    },
    {
      name: 'stack events per second',
      value: perSecond(wallMs),
      unit: 'events/s',
      better: 'higher',
      baseline: { name: 'bare VirtualClock timers, same count and span', value: perSecond(bareMs), unit: 'events/s' },
      note: `${(wallMs * 1000 / first.events).toFixed(1)} µs per stack event, ${(bareMs * 1000 / first.events).toFixed(1)} µs per bare event (runFor lets promises settle after each event in both)`,
    },
  ];
}

if (require.main === module) {
  void run().then((figures) => {
    for (const f of figures) {
      const base = f.baseline ? `  (baseline ${f.baseline.name}: ${f.baseline.value.toFixed(0)} ${f.baseline.unit})` : '';
      console.log(`${f.name}: ${f.value.toFixed(0)} ${f.unit}${base}${f.note ? `  [${f.note}]` : ''}`);
    }
  });
}
