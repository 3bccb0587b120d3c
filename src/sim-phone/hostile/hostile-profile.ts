/**
 * The `hostile` section of a phone profile: which of the phone's profiles
 * misbehave, how (fault kinds), how often at random (rate, seed) and the
 * saboteur's bounds. This file defines the typed section and validates its
 * JSON field by field, like the rest of profile.ts.
 */
import { type Fail, checkArray, checkKeys, checkNumber, checkObject, checkOneOf, join, required } from '../json-check';

/** The phone profiles a saboteur can attack. */
export type HostileTarget = 'ancs' | 'pbap' | 'map' | 'hfp';
export const HOSTILE_TARGETS: readonly HostileTarget[] = ['ancs', 'pbap', 'map', 'hfp'];

/**
 * What a fault does to one outgoing frame:
 * `malformed`: bytes changed (garbage of the same length);
 * `truncated`: the frame cut short (on OBEX channels the rest never comes);
 * `oversized`: junk appended, or a length field claiming far more than sent;
 * `outOfOrder`: the frame is held and released after the next one.
 */
export type FaultKind = 'malformed' | 'truncated' | 'oversized' | 'outOfOrder';
export const FAULT_KINDS: readonly FaultKind[] = ['malformed', 'truncated', 'oversized', 'outOfOrder'];

export interface HostileProfile {
  /** Chance (0..1) that any one outgoing frame of an attacked profile is faulted without being armed. */
  rate: number;
  /** Seed of the saboteur's own random source. */
  seed: number;
  /** Profiles attacked at random (explicitly armed faults work on every profile). */
  profiles: HostileTarget[];
  /** Kinds picked from at random. */
  kinds: FaultKind[];
  /** Longest an out-of-order frame is held when no next frame comes, ms. Default 2000. */
  holdMs?: number;
  /** Committed faults kept in the record (oldest dropped). Default 1000. */
  maxRecords?: number;
}

const KEYS = ['rate', 'seed', 'profiles', 'kinds', 'holdMs', 'maxRecords'] as const;

function uniqueList<T extends string>(value: unknown, choices: readonly T[], field: string, fail: Fail): T[] {
  const out: T[] = [];
  checkArray(value, field, fail).forEach((v, i) => {
    const item = checkOneOf(v, choices, join(field, i), fail);
    if (out.includes(item)) fail(join(field, i), `repeats "${item}"`);
    out.push(item);
  });
  return out;
}

/** Validates the `hostile` section; throws through `fail` naming the first bad field. */
export function parseHostileProfile(value: unknown, fail: Fail): HostileProfile {
  const obj = checkObject(value, 'hostile', fail);
  checkKeys(obj, KEYS, 'hostile', fail);
  const at = (key: (typeof KEYS)[number]): string => join('hostile', key);
  const need = (key: (typeof KEYS)[number]): unknown => required(obj, key, 'hostile', fail);
  const kinds = uniqueList(need('kinds'), FAULT_KINDS, at('kinds'), fail);
  const rate = checkNumber(need('rate'), at('rate'), fail, { min: 0, max: 1 });
  if (rate > 0 && kinds.length === 0) fail(at('kinds'), 'must name at least one kind when rate is above 0');
  const hostile: HostileProfile = {
    rate,
    seed: checkNumber(need('seed'), at('seed'), fail, { integer: true, min: 0, max: 0xffffffff }),
    profiles: uniqueList(need('profiles'), HOSTILE_TARGETS, at('profiles'), fail),
    kinds,
  };
  if (obj.holdMs !== undefined) hostile.holdMs = checkNumber(obj.holdMs, at('holdMs'), fail, { integer: true, min: 1, max: 600_000 });
  if (obj.maxRecords !== undefined) hostile.maxRecords = checkNumber(obj.maxRecords, at('maxRecords'), fail, { integer: true, min: 1, max: 1_000_000 });
  return hostile;
}
