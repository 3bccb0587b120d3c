/**
 * The notification stream property: for any sequence of phone-side
 * add/modify/remove, PC-side dismissals, link drops, out-of-range windows
 * and iOS withdrawing and re-publishing ANCS, at any ATT MTU (23-517) and connection interval, once the link is
 * quiet the PC's notification list equals the phone's. One case runs a whole
 * testbed in virtual time.
 */
import fc from 'fast-check';
import { Testbed } from '../testbed';

export type StreamCommand =
  | { kind: 'post'; app: number; title: string; message: string; dismissible: boolean }
  | { kind: 'modify'; which: number; message: string }
  | { kind: 'remove'; which: number }
  | { kind: 'dismiss'; which: number }
  | { kind: 'wait'; ms: number }
  | { kind: 'drop' }
  | { kind: 'outOfRange'; ms: number }
  | { kind: 'withdrawAncs'; ms: number };

export interface StreamCase {
  seed: number;
  mtu: number;
  connectionIntervalMs: number;
  commands: StreamCommand[];
}

const APPS = ['com.apple.MobileSMS', 'com.apple.mobilemail', 'com.whatsapp.WhatsApp', 'com.example.unknown'] as const;

const text = fc.string({ unit: 'grapheme', maxLength: 40 });

export const streamCommandArb: fc.Arbitrary<StreamCommand> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('post' as const), app: fc.nat(APPS.length - 1), title: text, message: text, dismissible: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('modify' as const), which: fc.nat(20), message: text }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('remove' as const), which: fc.nat(20) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('dismiss' as const), which: fc.nat(20) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('wait' as const), ms: fc.integer({ min: 0, max: 3000 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('drop' as const) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('outOfRange' as const), ms: fc.integer({ min: 50, max: 8000 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('withdrawAncs' as const), ms: fc.integer({ min: 0, max: 3000 }) }) },
);

/** Connection intervals a central may pick: multiples of 1.25 ms from 7.5 ms up, as iOS uses 15 ms steps. */
const INTERVALS = [7.5, 15, 30, 45, 60, 105] as const;

export const streamCaseArb: fc.Arbitrary<StreamCase> = fc.record({
  seed: fc.integer({ min: 1, max: 0x7fffffff }),
  mtu: fc.integer({ min: 23, max: 517 }),
  connectionIntervalMs: fc.constantFrom(...INTERVALS),
  commands: fc.array(streamCommandArb, { maxLength: 30 }),
});

export class StreamDivergence extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StreamDivergence';
  }
}

const keyOf = (n: { appId: string; title: string; subtitle: string; message: string }): string =>
  JSON.stringify([n.appId, n.title, n.subtitle, n.message]);

/** Runs one case; throws StreamDivergence when the PC and the phone disagree once quiet. */
export async function runStreamCase(c: StreamCase): Promise<void> {
  const tb = new Testbed({
    seed: c.seed,
    linkModel: { maxMtu: c.mtu, connectionIntervalMs: c.connectionIntervalMs },
    pcMaxMtu: c.mtu,
    recordPdus: false,
  });
  const unexpected: unknown[] = [];
  tb.air.events.on('handlerError', (e) => unexpected.push(e.error));
  try {
    tb.phone.backchannel.allowShareSystemNotifications(tb.pcAddress);
    await tb.pair();
    await tb.connectPc(30_000);
    for (const cmd of c.commands) await apply(tb, cmd);
    // Quiet: let any outage end, the PC reconnect, replays settle and every request finish.
    await tb.clock.runUntil(() => tb.pc.health().connected, 180_000).catch(() => undefined);
    await tb.clock.runFor(20_000);
    if (!tb.pc.health().connected) throw new StreamDivergence(`the PC did not reconnect: ${JSON.stringify(tb.pc.health())}`);
    const phone = tb.phone.model.notifications.all().map(keyOf).sort();
    const pc = tb.pc.notifications.list().map(keyOf).sort();
    if (JSON.stringify(phone) !== JSON.stringify(pc)) {
      throw new StreamDivergence(`phone shows ${phone.length}: ${phone.join(' ')}\nPC shows ${pc.length}: ${pc.join(' ')}`);
    }
    if (unexpected.length > 0) throw new StreamDivergence(`a GATT handler threw: ${String(unexpected[0])}`);
  } finally {
    await tb.shutdown().catch(() => undefined);
  }
}

async function apply(tb: Testbed, cmd: StreamCommand): Promise<void> {
  const phoneList = tb.phone.model.notifications.all();
  switch (cmd.kind) {
    case 'post':
      tb.phone.backchannel.postNotification({
        appId: APPS[cmd.app] ?? APPS[0],
        title: cmd.title,
        message: cmd.message,
        ...(cmd.dismissible ? { negativeActionLabel: 'Clear' } : {}),
      });
      break;
    case 'modify': {
      const target = phoneList[cmd.which % Math.max(1, phoneList.length)];
      if (target) tb.phone.backchannel.modifyNotification(target.id, { message: cmd.message });
      break;
    }
    case 'remove': {
      const target = phoneList[cmd.which % Math.max(1, phoneList.length)];
      if (target) tb.phone.backchannel.removeNotification(target.id);
      break;
    }
    case 'dismiss': {
      const entries = tb.pc.notifications.list().filter((e) => e.dismissible && !e.stale);
      const target = entries[cmd.which % Math.max(1, entries.length)];
      // A dismissal may race a removal or a drop; the PC answers those with typed errors.
      if (target) void tb.pc.notifications.dismiss(target.id).catch(() => undefined);
      break;
    }
    case 'wait':
      await tb.clock.runFor(cmd.ms);
      break;
    case 'drop':
      tb.air.faults.dropLink();
      await tb.clock.runFor(1);
      break;
    case 'outOfRange':
      tb.air.faults.outOfRange(cmd.ms);
      break;
    case 'withdrawAncs':
      // iOS withdraws the service and publishes it again `ms` later.
      tb.phone.backchannel.withdrawAncs();
      await tb.clock.runFor(cmd.ms);
      tb.phone.backchannel.publishAncs();
      break;
  }
}

/** The property for a campaign; `tick` counts runs for progress. */
export const streamProperty = (tick: () => void = () => undefined): fc.IAsyncPropertyWithHooks<[StreamCase]> =>
  fc.asyncProperty(streamCaseArb, async (c) => {
    tick();
    await runStreamCase(c);
  });
