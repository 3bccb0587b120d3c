/**
 * The `hostile-phone` fuzz campaign: one phone whose servers misbehave on
 * every profile at once (ANCS, PBAP, MAP MAS and MNS, HFP), driven by
 * fast-check model-based commands on the memory testbed. Normal traffic (a
 * notification, a text, a call, a phonebook sync) interleaves with faults
 * armed on any profile. After every command:
 *  - nothing threw uncaught, no rejection went unhandled, every PC call
 *    settled within a bound, and every reported fault carries a `code`;
 *  - no profile has more fault reports than faults committed on it (a fault
 *    is reported at most once, and to its own profile: a profile with no
 *    fault committed has no report);
 *  - a fault of a kind the PC must detect (DETECTABLE) added exactly one report;
 *  - after a fault, every other profile's operation works at once, and the
 *    faulted profile's within RECOVERY_BOUND_MS;
 * and after the run, shutdown leaves no timer.
 *
 * Which faults must be detected, and why:
 *  - ANCS Notification Source truncated or oversized: its length is fixed (8).
 *  - PBAP, MAP MAS and MNS malformed and oversized: the OBEX length field says
 *    0..2 or 0xFFFF, which no packet may (framing lost at once); PBAP and
 *    MAS truncated: the answer never completes, the request times out; MNS
 *    truncated: the phone's MNS client gives up and closes the channel
 *    mid-packet, or the PC's server times the half packet out.
 *  - HFP malformed (one line with a control byte) and oversized (a line past
 *    the 512-byte bound): the AT splitter drops exactly one line.
 * The rest need not be: reordered frames and garbage of a valid length
 * (an 8-byte Notification Source) can look legitimate; a Data Source reply
 * cut at a tuple boundary is taken as a short reply, which iOS really sends
 * (a cut inside a tuple times out and is reported); a cut AT line runs
 * into the next one.
 */
import fc from 'fast-check';
import type { FaultKind, HostileTarget } from '../../sim-phone/hostile/hostile-profile';
import type { FramePart } from '../../sim-phone/hostile/saboteur';
import { type CampaignProperty, checker } from './campaign';
import { hostileStormProperty } from './hostile-phone-storm';
import { FAULT_SETTLE_MS, type FaultView, HostileBed, HostilePhoneFailure, OPERATION_BOUND_MS, PROFILES, RECOVERY_BOUND_MS, pcFaults } from './hostile-phone-bed';

export { HostilePhoneFailure } from './hostile-phone-bed';

/** The streams of each profile a fault can target. */
export const TARGETS: readonly { profile: HostileTarget; part: FramePart }[] = [
  { profile: 'ancs', part: 'notificationSource' },
  { profile: 'ancs', part: 'dataSource' },
  { profile: 'pbap', part: 'pbap' },
  { profile: 'map', part: 'mas' },
  { profile: 'map', part: 'mns' },
  { profile: 'hfp', part: 'hfp' },
];

/** Faults the PC must report (exactly once), by stream; see the header for why. */
export const DETECTABLE: Readonly<Record<FramePart, readonly FaultKind[]>> = {
  notificationSource: ['truncated', 'oversized'],
  dataSource: [],
  pbap: ['malformed', 'truncated', 'oversized'],
  mas: ['malformed', 'truncated', 'oversized'],
  mns: ['malformed', 'truncated', 'oversized'],
  hfp: ['malformed', 'oversized'],
};

/** The model: how many faults the phone has committed (the real checks compare the PC's reports with the phone's record). */
export interface HostileModel {
  faults: number;
}

type HostileCommand = fc.AsyncCommand<HostileModel, HostileBed>;

/** A normal operation on one profile, with no fault armed: it works and nothing is reported. */
class OperateCommand implements HostileCommand {
  constructor(readonly profile: HostileTarget) {}
  check(): boolean {
    return true;
  }
  async run(_model: HostileModel, bed: HostileBed): Promise<void> {
    const before = bed.reports().length;
    await bed.operate(this.profile, OPERATION_BOUND_MS);
    const after = bed.reports();
    if (after.length !== before) {
      const f = after[after.length - 1];
      throw new HostilePhoneFailure(`a ${this.profile} operation with no fault armed brought a ${f?.profile} fault report: ${f?.error.message}`);
    }
    bed.checkAttribution();
  }
  toString(): string {
    return `operate(${this.profile})`;
  }
}

/** Arms one fault, makes traffic for it, and checks the report, the other profiles and the recovery. */
class FaultCommand implements HostileCommand {
  constructor(
    readonly profile: HostileTarget,
    readonly part: FramePart,
    readonly kind: FaultKind,
  ) {}
  check(): boolean {
    return true;
  }
  async run(model: HostileModel, bed: HostileBed): Promise<void> {
    const { saboteur } = bed;
    const committedBefore = saboteur.faults().length;
    const reportsBefore = bed.reports(this.profile).length;
    const othersBefore = bed.reports().length - reportsBefore;
    saboteur.arm(this.profile, this.kind, this.part);
    await this.provoke(bed);
    await bed.tb.clock.runFor(FAULT_SETTLE_MS);
    saboteur.disarm();
    const committed = saboteur.faults().length - committedBefore;
    model.faults += committed;
    const reported = bed.reports(this.profile).length - reportsBefore;
    if (bed.reports().length - bed.reports(this.profile).length !== othersBefore) {
      throw new HostilePhoneFailure(`a ${this.part} ${this.kind} fault brought a report on another profile`);
    }
    if (committed > 0 && DETECTABLE[this.part].includes(this.kind) && reported !== 1) {
      throw new HostilePhoneFailure(`a ${this.part} ${this.kind} fault was reported ${reported} times, not once`);
    }
    bed.checkAttribution();
    // Every other profile works at once; the faulted one comes back by itself.
    await bed.endPhoneCalls(RECOVERY_BOUND_MS);
    for (const other of PROFILES) if (other !== this.profile) await bed.operate(other, OPERATION_BOUND_MS);
    await bed.recover(this.profile, RECOVERY_BOUND_MS);
    bed.checkAttribution();
  }
  /** Traffic whose first frame on the targeted stream carries the fault (it does not need to succeed). */
  private async provoke(bed: HostileBed): Promise<void> {
    const back = bed.tb.phone.backchannel;
    if (this.profile === 'ancs') back.postNotification({ appId: 'com.apple.MobileSMS', title: `fault ${this.kind}`, message: 'armed' });
    else if (this.profile === 'map') back.receiveMessage({ from: '+447700900123', text: `fault ${this.kind}` });
    else if (this.profile === 'hfp') back.incomingCall('+447700900123');
    else {
      const contacts = bed.tb.pc.contacts;
      if (contacts) await bed.settle(contacts.sync(), 'Contacts.sync under a fault');
    }
  }
  toString(): string {
    return `fault(${this.part}, ${this.kind})`;
  }
}

const targetArb = fc.constantFrom(...TARGETS);
const kindArb = fc.constantFrom<FaultKind>('malformed', 'truncated', 'oversized', 'outOfOrder');

export const hostileCommandsArb = fc.commands(
  [
    fc.constantFrom(...PROFILES).map((p) => new OperateCommand(p)),
    fc.tuple(targetArb, kindArb).map(([t, kind]) => new FaultCommand(t.profile, t.part, kind)),
    fc.tuple(targetArb, kindArb).map(([t, kind]) => new FaultCommand(t.profile, t.part, kind)),
  ],
  { maxCommands: 5 },
);

/** Runs one case on a fresh bed; throws HostilePhoneFailure when a property breaks. */
export async function runHostileCase(seed: number, commands: Iterable<HostileCommand>, view: FaultView = pcFaults): Promise<void> {
  const bed = new HostileBed(seed, view);
  try {
    await bed.start();
    await fc.asyncModelRun(() => ({ model: { faults: 0 }, real: bed }), commands);
  } finally {
    await bed.shutdown();
  }
}

/** The property; `view` can be swapped to prove the checks fail. */
export const hostilePhoneProperty = (view?: FaultView) => (tick: () => void) =>
  fc.asyncProperty(fc.integer({ min: 1, max: 0x7fffffff }), hostileCommandsArb, async (seed, commands) => {
    tick();
    await runHostileCase(seed, commands, view);
  });

/** A fault command, for cases built by hand (tests, regressions). */
export function faultCommand(profile: HostileTarget, part: FramePart, kind: FaultKind): HostileCommand {
  return new FaultCommand(profile, part, kind);
}

/** A normal-operation command, for cases built by hand. */
export function operateCommand(profile: HostileTarget): HostileCommand {
  return new OperateCommand(profile);
}

export const HOSTILE_PHONE_CAMPAIGN: CampaignProperty[] = [
  {
    name: 'faults',
    description:
      'armed malformed, truncated, oversized and out-of-order frames on any profile: no crash or hang, each fault reported at most once and to its profile (detectable ones exactly once), the other profiles keep working and the faulted one recovers',
    weight: 0.1,
    check: checker(hostilePhoneProperty()),
  },
  {
    name: 'storm',
    description:
      'faults at a random rate on every profile at once, connection setup included: no crash or hang, no profile with more reports than faults, and once the storm stops every profile works again within the backoff bound',
    weight: 0.1,
    check: checker(hostileStormProperty()),
  },
];
