/**
 * The hostile-phone campaign's bed: a memory Testbed running the `hostile`
 * phone profile (random faults off, so only armed faults happen), every
 * iOS permission granted and every profile up, plus the normal operations
 * the campaign checks after each fault (a notification shows and goes, a
 * text reaches the inbox, a call rings, is answered and ends, a phonebook
 * sync completes), each bounded in virtual time. A PC API call that never
 * settles, an untyped error, an uncaught exception or an unhandled
 * rejection is a HostilePhoneFailure.
 */
import type { LinkFault, FaultProfile } from '../../sim-pc/phone-link';
import type { Saboteur } from '../../sim-phone/hostile/saboteur';
import type { HostileTarget } from '../../sim-phone/hostile/hostile-profile';
import { DEFAULT_BACKOFF } from '../../sim-pc/backoff';
import { Testbed } from '../testbed';

export class HostilePhoneFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** An operation did not succeed in time (tolerated while faults are raining, never after). */
export class NotWorkingFailure extends HostilePhoneFailure {}

/** How long the PC's profile timeouts run (ANCS, PBAP and MAP requests; the phone's MNS client): 15 s each. */
export const PROFILE_TIMEOUT_MS = 15_000;
/** Virtual time a fault is given to show (a stalled answer must time out first). */
export const FAULT_SETTLE_MS = 2 * PROFILE_TIMEOUT_MS + 10_000;
/** An operation on a profile no fault touched must succeed within this. */
export const OPERATION_BOUND_MS = 30_000;
/** A faulted profile must work again within this: the longest backoff step, a timeout to notice, and the operation. */
export const RECOVERY_BOUND_MS = DEFAULT_BACKOFF.maxMs + PROFILE_TIMEOUT_MS + OPERATION_BOUND_MS;
/** Every PC API call must settle (value or typed error) within this. */
export const SETTLE_BOUND_MS = 120_000;

const CALLER = '+447700900555';

/** The phone profiles the PC reports faults for. */
export const PROFILES: readonly HostileTarget[] = ['ancs', 'pbap', 'map', 'hfp'];

/** How the PC's fault list is read; swapped by tests to prove the checks can fail. */
export type FaultView = (tb: Testbed) => LinkFault[];
export const pcFaults: FaultView = (tb) => tb.pc.faults();

export class HostileBed {
  readonly tb: Testbed;
  readonly saboteur: Saboteur;
  /** Problems seen outside the checks (uncaught exceptions, unhandled rejections, untyped errors). */
  readonly unexpected: unknown[] = [];
  private seq = 0;
  private readonly offProcess: (() => void)[] = [];

  constructor(
    seed: number,
    readonly faultView: FaultView = pcFaults,
  ) {
    this.tb = new Testbed({ phone: 'hostile', seed, recordPdus: false });
    const saboteur = this.tb.phone.saboteur;
    if (saboteur === undefined) throw new HostilePhoneFailure('the hostile profile gave the phone no saboteur');
    this.saboteur = saboteur;
    saboteur.setRate(0);
    const onUncaught = (err: unknown): void => void this.unexpected.push(err);
    process.on('uncaughtException', onUncaught);
    process.on('unhandledRejection', onUncaught);
    this.offProcess.push(() => process.off('uncaughtException', onUncaught), () => process.off('unhandledRejection', onUncaught));
  }

  /** Pairs, grants every permission, starts the PC and waits until ANCS, HFP and MAP are up and a first sync is done. */
  async start(): Promise<void> {
    const { tb } = this;
    const back = tb.phone.backchannel;
    back.allowShareSystemNotifications(tb.pcAddress);
    back.allowSyncContacts(tb.pcAddress);
    back.allowMessageNotifications(tb.pcAddress);
    back.addContact({ formattedName: 'Ann Example', phones: [{ number: CALLER, type: 'mobile' }] });
    await tb.pair();
    tb.startPc();
    await this.waitFor(() => this.allUp(), 60_000, 'every profile up after start');
    await this.sync(OPERATION_BOUND_MS);
    this.checkClean();
  }

  /** ANCS, hands-free and messages (with notifications) all up. */
  allUp(): boolean {
    const pc = this.tb.pc;
    return pc.health().ancs.state === 'up' && pc.callsHealth()?.state === 'up' && pc.messagesHealth()?.state === 'up' && pc.messagesHealth()?.notifications === 'connected';
  }

  /** Faults the PC reported for `profile` (all of them without one). */
  reports(profile?: FaultProfile): LinkFault[] {
    const all = this.faultView(this.tb);
    return profile === undefined ? all : all.filter((f) => f.profile === profile);
  }

  /** Faults the phone committed on `profile`. */
  committed(profile: HostileTarget): number {
    return this.saboteur.faults().filter((f) => f.profile === profile).length;
  }

  /** Throws for anything unexpected so far, or a fault report whose error has no `code`. */
  checkClean(): void {
    const first = this.unexpected[0];
    if (first !== undefined) throw new HostilePhoneFailure(`unexpected: ${first instanceof Error ? `${first.name}: ${first.message}` : String(first)}`);
    for (const f of this.reports()) {
      if (!hasCode(f.error)) throw new HostilePhoneFailure(`untyped ${f.profile} fault: ${f.error.name}: ${f.error.message}`);
    }
  }

  /**
   * checkClean, and no profile has more fault reports than faults committed
   * on it: each fault is reported at most once, and to its own profile.
   */
  checkAttribution(): void {
    this.checkClean();
    for (const profile of PROFILES) {
      const reported = this.reports(profile);
      const committed = this.committed(profile);
      if (reported.length > committed) {
        const codes = reported.map((f) => (f.error as Error & { code?: string }).code ?? f.error.name);
        throw new HostilePhoneFailure(`${profile}: ${reported.length} fault reports for ${committed} committed faults [${codes.join(', ')}]`);
      }
    }
  }

  /** Runs the clock until `done()` or fails (NotWorkingFailure) after `boundMs`. */
  async waitFor(done: () => boolean, boundMs: number, what: string): Promise<void> {
    await this.tb.clock.runUntil(done, boundMs).catch(() => undefined);
    if (!done()) throw new NotWorkingFailure(`${what}: not within ${boundMs} ms of link time`);
  }

  /** Drives the clock until `promise` settles; fails if it hangs or rejects with an untyped error. */
  async settle<T>(promise: Promise<T>, what: string): Promise<{ ok: true; value: T } | { ok: false; error: Error }> {
    let outcome: { ok: true; value: T } | { ok: false; error: Error } | undefined;
    promise.then(
      (value) => (outcome = { ok: true, value }),
      (err: unknown) => (outcome = { ok: false, error: err instanceof Error ? err : new Error(String(err)) }),
    );
    await this.tb.clock.runUntil(() => outcome !== undefined, SETTLE_BOUND_MS).catch(() => undefined);
    if (outcome === undefined) throw new HostilePhoneFailure(`${what} did not settle within ${SETTLE_BOUND_MS} ms of link time`);
    if (!outcome.ok && !hasCode(outcome.error)) throw new HostilePhoneFailure(`${what} rejected with an untyped error: ${outcome.error.name}: ${outcome.error.message}`);
    return outcome;
  }

  /** Posts a notification, sees it on the PC, removes it, sees it go. */
  async notification(boundMs: number): Promise<void> {
    const back = this.tb.phone.backchannel;
    const title = `hostile ${++this.seq}`;
    const id = back.postNotification({ appId: 'com.apple.MobileSMS', title, message: 'hello' });
    const shown = (): boolean => this.tb.pc.notifications.list().some((n) => n.title === title);
    await this.waitFor(shown, boundMs, `notification "${title}" shows on the PC`);
    back.removeNotification(id);
    await this.waitFor(() => !shown(), boundMs, `notification "${title}" leaves the PC`);
  }

  /** A text arrives on the phone and reaches the PC's inbox. */
  async text(boundMs: number): Promise<void> {
    const text = `hostile text ${++this.seq}`;
    this.tb.phone.backchannel.receiveMessage({ from: CALLER, text });
    const inbox = this.tb.pc.inbox;
    await this.waitFor(() => inbox?.entries().some((e) => e.kind === 'message' && e.text === text) === true, boundMs, `text "${text}" reaches the PC`);
  }

  /** A call rings on the PC, the PC answers it, the caller hangs up. */
  async call(boundMs: number): Promise<void> {
    const calls = this.tb.pc.calls;
    if (calls === undefined) throw new HostilePhoneFailure('the PC has no calls service');
    await this.endPhoneCalls(boundMs);
    this.tb.phone.backchannel.incomingCall(CALLER);
    await this.waitFor(() => calls.list.some((c) => c.state === 'incoming'), boundMs, 'the call rings on the PC');
    const ringing = calls.list.find((c) => c.state === 'incoming');
    const answered = await this.settle(calls.answer(ringing?.id), 'Calls.answer');
    if (!answered.ok) throw new NotWorkingFailure(`answering failed: ${answered.error.message}`);
    await this.waitFor(() => calls.list.some((c) => c.state === 'active'), boundMs, 'the answered call is active on the PC');
    await this.endPhoneCalls(boundMs);
  }

  /** A full phonebook sync completes. */
  async sync(boundMs: number): Promise<void> {
    const contacts = this.tb.pc.contacts;
    if (contacts === undefined) throw new HostilePhoneFailure('the PC has no contacts service');
    const started = this.tb.clock.now();
    const result = await this.settle(contacts.sync(), 'Contacts.sync');
    if (!result.ok) {
      // A sync may fail once on a session a fault broke; a second must then succeed, still within the bound.
      const retry = await this.settle(contacts.sync(), 'Contacts.sync (again)');
      if (!retry.ok) throw new NotWorkingFailure(`phonebook sync failed: ${result.error.message}; again: ${retry.error.message}`);
    }
    if (this.tb.clock.now() - started > boundMs) throw new NotWorkingFailure(`phonebook sync took over ${boundMs} ms`);
  }

  /** Every call on the phone ends (the far end hangs up) and the PC's list empties. */
  async endPhoneCalls(boundMs: number): Promise<void> {
    const back = this.tb.phone.backchannel;
    for (const call of this.tb.phone.model.telephony.calls()) back.remoteHangsUp(call.index);
    await this.waitFor(() => (this.tb.pc.calls?.list.length ?? 0) === 0, boundMs, "the PC's call list empties");
  }

  /** Whether `profile`'s connection is up (PBAP keeps none between syncs: always). */
  up(profile: HostileTarget): boolean {
    const pc = this.tb.pc;
    if (profile === 'ancs') return pc.health().ancs.state === 'up';
    if (profile === 'hfp') return pc.callsHealth()?.state === 'up';
    if (profile === 'map') return pc.messagesHealth()?.state === 'up' && pc.messagesHealth()?.notifications === 'connected';
    return true;
  }

  /**
   * The profile comes back by itself and works, all within `boundMs`: its
   * connection is up again (a message that arrives before then is, as on
   * iOS, never shown to the PC), then its operation succeeds.
   */
  async recover(profile: HostileTarget, boundMs: number): Promise<void> {
    const started = this.tb.clock.now();
    await this.waitFor(() => this.up(profile), boundMs, `${profile} is up again`);
    await this.operate(profile, Math.max(1, boundMs - (this.tb.clock.now() - started)));
  }

  /** Runs `profile`'s operation within `boundMs`. */
  async operate(profile: HostileTarget, boundMs: number): Promise<void> {
    if (profile === 'ancs') await this.notification(boundMs);
    else if (profile === 'map') await this.text(boundMs);
    else if (profile === 'hfp') await this.call(boundMs);
    else await this.sync(boundMs);
  }

  /** Stops both sides, fails if a timer is left, and removes the process listeners. */
  async shutdown(): Promise<void> {
    try {
      await this.tb.shutdown();
      const left = this.tb.clock.pendingEvents;
      if (left !== 0) throw new HostilePhoneFailure(`${left} timers left after shutdown`);
    } finally {
      for (const off of this.offProcess) off();
    }
  }
}

function hasCode(err: Error): boolean {
  return 'code' in err && typeof err.code === 'string' && err.code.length > 0;
}
