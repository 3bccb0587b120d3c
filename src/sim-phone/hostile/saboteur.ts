/**
 * The phone's saboteur: decides which outgoing frames of which profile are
 * faulted and keeps a bounded record of the faults actually committed.
 * Faults come from two sources: armed explicitly (`arm(profile, kind)`
 * faults the next outgoing frame of that profile) and, for profiles the
 * hostile profile names, at a seeded random rate. The host wrappers
 * (hostile-gatt-host.ts, hostile-classic-host.ts) ask `decide()` once per
 * frame and call `commit()` when they changed what went out.
 */
import type { Clock } from '../../link/clock';
import { Emitter } from '../../util/emitter';
import { Random } from '../../util/random';
import { SimPhoneError } from '../errors';
import { FAULT_KINDS, type FaultKind, type HostileProfile, type HostileTarget } from './hostile-profile';

/** Which stream of a profile a frame went out on. */
export type FramePart = 'notificationSource' | 'dataSource' | 'pbap' | 'mas' | 'mns' | 'hfp';

/** One fault the saboteur committed. */
export interface CommittedFault {
  profile: HostileTarget;
  kind: FaultKind;
  part: FramePart;
  /** Index of the faulted frame among this profile's outgoing frames, from 0. */
  frame: number;
  /** Clock time it went out (for out-of-order: when it was held). */
  at: number;
  /** Bytes the frame had and the bytes that went out in its place. */
  length: { before: number; after: number };
  /** True when the fault was armed explicitly, false when drawn at random. */
  armed: boolean;
}

export interface SaboteurEvents {
  fault: [fault: CommittedFault];
}

/** A decision for one frame: the fault to commit, or none. */
export interface FrameDecision {
  kind: FaultKind;
  frame: number;
  armed: boolean;
}

export interface SaboteurOptions {
  clock: Clock;
  /** Random-rate settings; absent: faults only when armed. */
  hostile?: HostileProfile;
  /** Faults waiting per profile; `arm` past it throws SaboteurFullError. Default 16. */
  maxArmed?: number;
}

/** Most faults waiting to be committed on one profile by default. */
export const DEFAULT_MAX_ARMED = 16;
/** Committed faults kept by default. */
export const DEFAULT_MAX_RECORDS = 1000;
/** How long an out-of-order frame waits for a next one by default, ms. */
export const DEFAULT_HOLD_MS = 2000;

/** A fault waiting for its frame; `part` narrows it to one stream of the profile. */
export interface ArmedFault {
  kind: FaultKind;
  part?: FramePart;
}

export class SaboteurFullError extends SimPhoneError {
  constructor(profile: HostileTarget, limit: number) {
    super('sim-phone.saboteur-full', `more than ${limit} faults armed on ${profile}`);
  }
}

export class Saboteur {
  readonly events = new Emitter<SaboteurEvents>();
  /** The saboteur's own random source (fault choice and garbage bytes). */
  readonly random: Random;
  readonly holdMs: number;
  private readonly clock: Clock;
  private readonly armedFaults = new Map<HostileTarget, ArmedFault[]>();
  private readonly frameCounts = new Map<HostileTarget, number>();
  private readonly record: CommittedFault[] = [];
  private readonly maxRecords: number;
  private readonly maxArmed: number;
  private rate: number;
  private readonly randomProfiles: readonly HostileTarget[];
  private readonly randomKinds: readonly FaultKind[];
  private droppedRecords = 0;

  constructor(options: SaboteurOptions) {
    this.clock = options.clock;
    const hostile = options.hostile;
    this.random = new Random(hostile?.seed ?? 1);
    this.rate = hostile?.rate ?? 0;
    this.randomProfiles = hostile?.profiles ?? [];
    this.randomKinds = hostile?.kinds.length ? hostile.kinds : FAULT_KINDS;
    this.holdMs = hostile?.holdMs ?? DEFAULT_HOLD_MS;
    this.maxRecords = hostile?.maxRecords ?? DEFAULT_MAX_RECORDS;
    this.maxArmed = options.maxArmed ?? DEFAULT_MAX_ARMED;
  }

  /**
   * Faults the next outgoing frame of `profile` (after any armed before
   * it); with `part`, the next frame of that stream only (e.g. 'mas' or
   * 'dataSource').
   */
  arm(profile: HostileTarget, kind: FaultKind, part?: FramePart): void {
    const queue = this.armedFaults.get(profile) ?? [];
    if (queue.length >= this.maxArmed) throw new SaboteurFullError(profile, this.maxArmed);
    queue.push(part === undefined ? { kind } : { kind, part });
    this.armedFaults.set(profile, queue);
  }

  /** Drops armed faults not yet committed (of one profile, or all). */
  disarm(profile?: HostileTarget): void {
    if (profile === undefined) this.armedFaults.clear();
    else this.armedFaults.delete(profile);
  }

  /** Faults armed on `profile` and not yet committed, next first. */
  armed(profile: HostileTarget): ArmedFault[] {
    return (this.armedFaults.get(profile) ?? []).map((a) => ({ ...a }));
  }

  /** The random rate now in force (0 turns random faults off; armed ones still apply). */
  get faultRate(): number {
    return this.rate;
  }

  setRate(rate: number): void {
    if (!(rate >= 0 && rate <= 1)) throw new RangeError(`fault rate ${rate} must be within 0..1`);
    this.rate = rate;
  }

  /** Faults committed, oldest first (bounded; see `dropped`). */
  faults(): CommittedFault[] {
    return this.record.map((f) => ({ ...f, length: { ...f.length } }));
  }

  /** Committed faults that fell off the bounded record. */
  get dropped(): number {
    return this.droppedRecords;
  }

  /** Outgoing frames seen on `profile` so far. */
  frames(profile: HostileTarget): number {
    return this.frameCounts.get(profile) ?? 0;
  }

  /**
   * Called once per outgoing frame of `profile` on stream `part`: counts
   * it and says whether to fault it. `possible` lists the kinds the caller
   * can apply to this frame; the first armed fault that fits the part and
   * the possible kinds is taken, the others stay armed for later frames.
   */
  decide(profile: HostileTarget, part: FramePart, possible: readonly FaultKind[] = FAULT_KINDS): FrameDecision | undefined {
    const frame = this.frames(profile);
    this.frameCounts.set(profile, frame + 1);
    const queue = this.armedFaults.get(profile) ?? [];
    const at = queue.findIndex((a) => (a.part === undefined || a.part === part) && possible.includes(a.kind));
    const armed = queue[at];
    if (armed !== undefined) {
      queue.splice(at, 1);
      if (queue.length === 0) this.armedFaults.delete(profile);
      return { kind: armed.kind, frame, armed: true };
    }
    if (this.rate > 0 && this.randomProfiles.includes(profile) && this.random.chance(this.rate)) {
      const kinds = this.randomKinds.filter((k) => possible.includes(k));
      if (kinds.length > 0) return { kind: this.random.pick(kinds), frame, armed: false };
    }
    return undefined;
  }

  /** Records a fault that went out (or, for out-of-order, a frame now held). */
  commit(profile: HostileTarget, part: FramePart, decision: FrameDecision, before: number, after: number): CommittedFault {
    const fault: CommittedFault = {
      profile,
      kind: decision.kind,
      part,
      frame: decision.frame,
      at: this.clock.now(),
      length: { before, after },
      armed: decision.armed,
    };
    this.record.push(fault);
    if (this.record.length > this.maxRecords) {
      this.record.shift();
      this.droppedRecords++;
    }
    this.events.emit('fault', fault);
    return fault;
  }
}
