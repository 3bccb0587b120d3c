/**
 * The virtual-time soak: one in-memory testbed driven for hours of link
 * time with every profile busy (a Poisson stream of notification posts and
 * removals, texts from contacts, calls now and then, phonebook refreshes)
 * and one fault at a time (link drops, out-of-range windows either side of
 * the supervision timeouts, phone reboots, Bluetooth off and on, a
 * permission revoked and restored). After each fault settles, and at least
 * hourly, a quiet checkpoint compares the two sides (soak-checks.ts); the
 * first broken invariant ends the run with the seed, the hour and a replay
 * command. Everything is drawn from one seeded Random, so a seed replays.
 */
import { RealClock } from '../../link/clock';
import { Random } from '../../util/random';
import { inboxView } from '../fuzz/message-stream';
import { pcView, phoneView } from '../fuzz/call-stream';
import { Testbed } from '../testbed';
import { applyFault, type ActiveFault } from './soak-faults';
import { DEFAULT_HEAP_MARGIN, checkBounded, checkHeap, checkMessages, checkReconnects, checkSameMultiset, isTypedError, reconnectBoundMs } from './soak-checks';
import { SoakWorkload, describe, keyOf } from './soak-workload';
import {
  DEFAULT_REPLAY,
  FAULT_KINDS,
  SOAK_QUIET_MS,
  SOAK_RATES,
  SOAK_SETTLE_MS,
  type FaultKind,
  type SoakFailure,
  type SoakOptions,
  type SoakReport,
} from './soak-types';

const HOUR_MS = 3_600_000;
/** A broken invariant: ends the soak. */
class SoakViolation extends Error {
  constructor(
    readonly check: string,
    readonly problems: string[],
  ) {
    super(`${check}: ${problems.join('; ')}`);
    this.name = 'SoakViolation';
  }
}

type StreamName = 'post' | 'remove' | 'message' | 'call' | 'phonebook' | 'fault' | 'checkpoint';

/** Runs a soak and returns its report; never throws for a broken invariant (the report says so). */
export async function runSoak(options: SoakOptions): Promise<SoakReport> {
  return new Soak(options).run();
}

class Soak {
  private readonly random: Random;
  private readonly tb: Testbed;
  private readonly wall = new RealClock();
  private readonly startMs: number;
  private readonly endMs: number;
  private readonly warmUpMs: number;
  private readonly next = new Map<StreamName, number>();
  private readonly unexpected: string[] = [];
  private readonly work: SoakWorkload;
  private readonly faults: Record<FaultKind, number> = { drop: 0, outOfRangeShort: 0, outOfRangeLong: 0, reboot: 0, bluetoothOff: 0, permission: 0 };
  private active: ActiveFault | undefined;
  private connectedEvents = 0;
  private checkpoints = 0;
  private checksPassed = 0;
  private reconnectsTimed = 0;
  private longestReconnectMs = 0;
  private typedErrors = 0;
  private warmUpHeap: number | undefined;

  constructor(private readonly options: SoakOptions) {
    if (!(options.hours > 0 && Number.isFinite(options.hours))) throw new RangeError(`soak hours must be positive, got ${options.hours}`);
    if (!Number.isInteger(options.seed)) throw new RangeError(`soak seed must be a whole number, got ${options.seed}`);
    this.random = new Random(options.seed);
    this.tb = new Testbed({ seed: options.seed, recordPdus: false });
    this.startMs = this.tb.clock.now();
    this.endMs = this.startMs + options.hours * HOUR_MS;
    this.warmUpMs = (options.warmUpHours ?? Math.min(1, options.hours / 2)) * HOUR_MS;
    const sink = { typed: () => void this.typedErrors++, unexpected: (line: string) => void this.unexpected.push(line) };
    this.work = new SoakWorkload(this.tb, this.random, sink, options.strict === true);
  }

  async run(): Promise<SoakReport> {
    const wallStart = this.wall.now();
    const onUncaught = (err: unknown): void => void this.unexpected.push(`uncaught: ${describe(err)}`);
    process.on('uncaughtException', onUncaught);
    process.on('unhandledRejection', onUncaught);
    let failure: SoakFailure | undefined;
    let endHeap: number | undefined;
    try {
      this.listen();
      await this.setUp();
      await this.loop();
      // A fault still open at the end is cut short and settled like any other.
      if (this.active !== undefined) await this.settleFault(this.active);
      await this.checkpoint('final');
      endHeap = this.readHeap();
      if (this.warmUpHeap !== undefined) this.verify('heap', checkHeap(this.warmUpHeap, endHeap, this.options.heapMargin ?? DEFAULT_HEAP_MARGIN));
    } catch (err) {
      failure = this.failureOf(err);
      this.options.onProgress?.(`FAIL at hour ${failure.hour.toFixed(2)}: ${failure.check}: ${failure.problems.join('; ')}\n  replay: ${failure.replay}`);
    } finally {
      await this.tb.shutdown().catch(() => undefined);
      process.off('uncaughtException', onUncaught);
      process.off('unhandledRejection', onUncaught);
    }
    return {
      ok: failure === undefined,
      seed: this.options.seed,
      hoursRequested: this.options.hours,
      hoursSimulated: (this.tb.clock.now() - this.startMs) / HOUR_MS,
      wallMs: Math.round(this.wall.now() - wallStart),
      events: { ...this.work.events },
      faults: { ...this.faults },
      checkpoints: this.checkpoints,
      checksPassed: this.checksPassed,
      reconnectsTimed: this.reconnectsTimed,
      longestReconnectMs: this.longestReconnectMs,
      typedErrors: this.typedErrors,
      silentRemovalsTolerated: this.work.silentRemovalsTolerated,
      heap: { gcExposed: this.options.gc !== undefined, warmUpBytes: this.warmUpHeap, endBytes: endHeap, margin: this.options.heapMargin ?? DEFAULT_HEAP_MARGIN },
      failure,
    };
  }

  private hour(): number {
    return (this.tb.clock.now() - this.startMs) / HOUR_MS;
  }

  private failureOf(err: unknown): SoakFailure {
    const replay = (this.options.replayTemplate ?? DEFAULT_REPLAY)
      .replace('{hours}', String(this.options.hours))
      .replace('{seed}', String(this.options.seed))
      .concat(this.options.strict === true ? ' --strict' : '');
    if (err instanceof SoakViolation) return { hour: this.hour(), check: err.check, problems: err.problems, replay };
    return { hour: this.hour(), check: 'soak driver', problems: [describe(err)], replay };
  }

  private listen(): void {
    const tb = this.tb;
    tb.air.events.on('handlerError', (e) => this.unexpected.push(`BLE handler threw: ${describe(e.error)}`));
    tb.classicAir.events.on('handlerError', (e) => this.unexpected.push(`classic handler threw: ${describe(e.error)}`));
    tb.phone.hfp?.events.on('internalError', (_peer, err) => this.unexpected.push(`phone AG internal error: ${describe(err)}`));
    tb.pc.events.on('error', (err) => {
      if (isTypedError(err)) this.typedErrors++;
      else this.unexpected.push(`PC error without a code: ${describe(err)}`);
    });
    tb.pc.events.on('connected', () => {
      this.connectedEvents++;
      // A new ANCS session (replayed while sharing is on) settles the PC's list: no tolerance past it.
      if (tb.phone.model.hasPermission(tb.pcAddress, 'shareSystemNotifications')) this.work.silentRemovals.clear();
    });
  }

  private async setUp(): Promise<void> {
    const tb = this.tb;
    this.work.setUpPhone(this.options.seed);
    await tb.pair();
    tb.startPc();
    await tb.clock.runUntil(() => this.allUp(), SOAK_SETTLE_MS).catch(() => undefined);
    if (!this.allUp()) throw new SoakViolation('start-up', [`not every profile came up: ${this.healthLine()}`]);
    const now = tb.clock.now();
    for (const name of ['post', 'remove', 'message', 'call', 'phonebook', 'fault'] as const) this.next.set(name, now + this.gap(name));
    this.next.set('checkpoint', now + SOAK_RATES.checkpointMs);
  }

  private gap(name: StreamName): number {
    const mean = {
      post: SOAK_RATES.notificationPostMs,
      remove: SOAK_RATES.notificationRemoveMs,
      message: SOAK_RATES.messageMs,
      call: SOAK_RATES.callMs,
      phonebook: SOAK_RATES.phonebookMs,
      fault: SOAK_RATES.faultMs,
      checkpoint: SOAK_RATES.checkpointMs,
    }[name];
    if (name === 'checkpoint') return mean;
    // Exponential gaps (a Poisson stream), at least 50 ms apart.
    return Math.max(50, Math.round(-Math.log(1 - this.random.next()) * mean));
  }

  private async loop(): Promise<void> {
    const clock = this.tb.clock;
    let nextHourLine = this.startMs + HOUR_MS;
    while (clock.now() < this.endMs) {
      const [name, at] = this.earliest();
      const callAt = this.work.nextCallAt();
      const restoreAt = this.active?.endsAt ?? Number.POSITIVE_INFINITY;
      const target = Math.min(at, callAt, restoreAt, this.endMs, nextHourLine);
      await clock.runFor(Math.max(0, target - clock.now()));
      this.failOnUnexpected();
      if (clock.now() >= nextHourLine) {
        this.hourly();
        nextHourLine += HOUR_MS;
      }
      if (this.warmUpHeap === undefined && clock.now() - this.startMs >= this.warmUpMs) this.warmUpHeap = this.readHeap();
      if (target === restoreAt && this.active !== undefined) {
        await this.settleFault(this.active);
        continue;
      }
      if (target === callAt) {
        this.work.callStep();
        continue;
      }
      if (target === at && target < this.endMs) await this.step(name);
    }
  }

  private earliest(): [StreamName, number] {
    let best: [StreamName, number] = ['checkpoint', Number.POSITIVE_INFINITY];
    for (const [name, at] of this.next) if (at < best[1]) best = [name, at];
    return best;
  }

  private hourly(): void {
    const e = this.work.events;
    const faults = Object.values(this.faults).reduce((a, b) => a + b, 0);
    this.options.onProgress?.(
      `hour ${Math.round(this.hour())}: ${e.notificationsPosted} posts, ${e.messages} texts, ${e.calls} calls, ${faults} faults, ${this.checkpoints} checkpoints, heap ${(this.readHeap() / 1048576).toFixed(1)} MB`,
    );
  }

  private async step(name: StreamName): Promise<void> {
    this.next.set(name, this.tb.clock.now() + this.gap(name));
    switch (name) {
      case 'post':
        return this.work.post();
      case 'remove':
        return this.work.remove();
      case 'message':
        return this.work.receive();
      case 'call':
        return this.work.ring();
      case 'phonebook':
        return this.work.refresh();
      case 'fault':
        if (this.active === undefined) this.startFault();
        return;
      case 'checkpoint':
        if (this.active === undefined) await this.checkpoint('hourly');
        return;
    }
  }

  private startFault(): void {
    const kind = this.random.pick(FAULT_KINDS);
    this.faults[kind]++;
    // Calls end before a reboot: a rebooting phone drops them.
    if (kind === 'reboot') this.work.endCalls();
    this.active = applyFault(this.tb, kind, this.random, this.connectedEvents);
  }

  /** The fault's window is over: undo it, wait for every profile, check the reconnect times, then a quiet checkpoint. */
  private async settleFault(fault: ActiveFault): Promise<void> {
    const tb = this.tb;
    fault.restore();
    this.active = undefined;
    const bound = reconnectBoundMs(fault.awayMs, tb.model);
    await tb.clock.runUntil(() => this.allUp(), bound + SOAK_SETTLE_MS).catch(() => undefined);
    if (!this.allUp()) throw new SoakViolation(`recovery after ${fault.kind}`, [`not every profile came back within ${Math.round((bound + SOAK_SETTLE_MS) / 1000)} s: ${this.healthLine()}`]);
    const timings = tb.pc.health().reconnectTimingsMs;
    const fresh = timings.slice(Math.max(0, timings.length - (this.connectedEvents - fault.connectedBefore)));
    this.verify(`reconnect bound after ${fault.kind}`, checkReconnects(fresh, bound));
    this.reconnectsTimed += fresh.length;
    for (const t of fresh) this.longestReconnectMs = Math.max(this.longestReconnectMs, t);
    await this.checkpoint(`after ${fault.detail} at hour ${((fault.endsAt - fault.awayMs - this.startMs) / HOUR_MS).toFixed(3)}`);
  }

  private allUp(): boolean {
    const pc = this.tb.pc;
    const link = pc.health();
    const messages = pc.messagesHealth();
    return link.connected && link.ancs.state === 'up' && messages?.state === 'up' && messages.notifications === 'connected' && pc.callsHealth()?.state === 'up';
  }

  private healthLine(): string {
    const pc = this.tb.pc;
    const link = pc.health();
    const messages = pc.messagesHealth();
    return `link ${link.connected ? 'connected' : 'down'}, ANCS ${link.ancs.state}, messages ${messages?.state ?? '-'}/${messages?.notifications ?? '-'}${messages?.blocked ? ` (${messages.blocked})` : ''}, calls ${pc.callsHealth()?.state ?? '-'}`;
  }

  /** Quiet: nothing new happens for a while, then both sides must agree. */
  private async checkpoint(label: string): Promise<void> {
    const tb = this.tb;
    await tb.clock.runUntil(() => this.allUp() && !this.work.syncRunning, SOAK_SETTLE_MS).catch(() => undefined);
    await tb.clock.runFor(SOAK_QUIET_MS);
    this.failOnUnexpected();
    if (!this.allUp()) throw new SoakViolation(`checkpoint ${label}`, [`a profile is down once quiet: ${this.healthLine()}`]);
    this.checkpoints++;
    this.verify(`notifications converge (${label})`, checkSameMultiset('notifications', tb.phone.model.notifications.all().map(keyOf), this.work.pcNotifications()));
    this.verify(`messages (${label})`, checkMessages(this.work.messageSnapshot(), inboxView(this.requireInbox())));
    this.verify(`call state (${label})`, checkSameMultiset('calls', phoneView(tb), pcView(tb)));
    // PBAP lists the owner's card (0.vcf) besides the contacts the book counts.
    const cards = tb.phone.model.contacts.size + 1;
    if (this.work.lastSyncCount !== undefined) this.verify(`phonebook (${label})`, this.work.lastSyncCount === cards ? [] : [`the last refresh copied ${this.work.lastSyncCount} cards, the phone has ${cards}`]);
    this.verify(`bounded logs (${label})`, checkBounded('the PDU log', tb.pdus.length, 0));
    // Streams paused while settling and quiet pick up from now.
    const now = tb.clock.now();
    for (const [name, at] of this.next) if (at < now) this.next.set(name, now + this.gap(name));
  }

  private requireInbox(): NonNullable<Testbed['pc']['inbox']> {
    const inbox = this.tb.pc.inbox;
    if (inbox === undefined) throw new SoakViolation('set-up', ['the PC has no Inbox (the phone profile has no BR/EDR)']);
    return inbox;
  }

  private verify(check: string, problems: string[]): void {
    if (problems.length > 0) throw new SoakViolation(check, problems);
    this.checksPassed++;
  }

  private failOnUnexpected(): void {
    if (this.unexpected.length > 0) throw new SoakViolation('no uncaught or untyped error', this.unexpected.slice(0, 5));
  }

  private readHeap(): number {
    this.options.gc?.();
    return (this.options.heapUsed ?? (() => process.memoryUsage().heapUsed))();
  }
}
