/**
 * Wires a HandsFree to a FakeAg over a fake channel pair on a
 * VirtualClock, records the HF's events, and settles promises in virtual
 * time.
 */
import assert from 'node:assert/strict';
import { VirtualClock } from '../../../src/link/virtual-clock';
import type { HfCall } from '../../../src/sim-pc/hfp/call-tracker';
import { HandsFree } from '../../../src/sim-pc/hfp/hands-free';
import type { HandsFreeOptions, VolumeChange } from '../../../src/sim-pc/hfp/hands-free-types';
import { FakeAg, channelPair, iphoneProfile, type AgProfile } from './fake-ag';

export interface Recorded {
  calls: HfCall[][];
  rings: { number: string | undefined; name: string | undefined; at: number }[];
  errors: Error[];
  volumes: VolumeChange[];
  codecs: number[];
  audio: number[];
  indicators: [string, number][];
  failures: string[];
  closes: Error[];
  waiting: (string | undefined)[];
}

export interface Rig {
  clock: VirtualClock;
  ag: FakeAg;
  hf: HandsFree;
  seen: Recorded;
}

/** A new HandsFree and FakeAg; pass `options.clock` (a VirtualClock) to share time with an earlier rig. */
export function rig(profile: AgProfile = iphoneProfile(), options: Partial<HandsFreeOptions> = {}): Rig {
  const clock = options.clock instanceof VirtualClock ? options.clock : new VirtualClock();
  const pair = channelPair(clock);
  const ag = new FakeAg(pair.ag, profile);
  const hf = new HandsFree({ commandTimeoutMs: 2_000, ...options, channel: pair.hf, clock });
  const seen: Recorded = {
    calls: [],
    rings: [],
    errors: [],
    volumes: [],
    codecs: [],
    audio: [],
    indicators: [],
    failures: [],
    closes: [],
    waiting: [],
  };
  hf.events.on('calls', (calls) => seen.calls.push(calls));
  hf.events.on('ring', (number, name) => seen.rings.push({ number, name, at: clock.now() }));
  hf.events.on('error', (error) => seen.errors.push(error));
  hf.events.on('volume', (change) => seen.volumes.push(change));
  hf.events.on('codec', (codec) => seen.codecs.push(codec));
  hf.events.on('audio', (request) => seen.audio.push(request.codec));
  hf.events.on('indicator', (name, value) => seen.indicators.push([name, value]));
  hf.events.on('callFailed', (reason) => seen.failures.push(reason));
  hf.events.on('close', (reason) => seen.closes.push(reason));
  hf.events.on('waiting', (number) => seen.waiting.push(number));
  return { clock, ag, hf, seen };
}

export type Outcome<T> = { ok: true; value: T } | { ok: false; error: unknown };

/** Runs the clock until `promise` settles (at most an hour of virtual time). */
export async function settle<T>(clock: VirtualClock, promise: Promise<T>): Promise<Outcome<T>> {
  let outcome: Outcome<T> | undefined;
  promise.then(
    (value) => (outcome = { ok: true, value }),
    (error: unknown) => (outcome = { ok: false, error }),
  );
  await clock.runUntil(() => outcome !== undefined, 3_600_000);
  assert.ok(outcome);
  return outcome;
}

/** Settles and expects success. */
export async function ok<T>(clock: VirtualClock, promise: Promise<T>): Promise<T> {
  const outcome = await settle(clock, promise);
  if (!outcome.ok) throw outcome.error;
  return outcome.value;
}

/** Settles and expects failure; returns the error. */
export async function fails(clock: VirtualClock, promise: Promise<unknown>): Promise<unknown> {
  const outcome = await settle(clock, promise);
  assert.equal(outcome.ok, false, 'expected the promise to reject');
  return outcome.ok ? undefined : outcome.error;
}

/** A rig with the SLC and setup done. */
export async function connected(profile?: AgProfile, options: Partial<HandsFreeOptions> = {}): Promise<Rig> {
  const r = rig(profile, options);
  await ok(r.clock, r.hf.start());
  await r.clock.runUntilIdle();
  return r;
}

/** The calls as compact tuples [index, direction, status, number, multiparty] for assertions. */
export function brief(calls: readonly HfCall[]): [number, number, number, string | undefined, boolean][] {
  return calls.map((c) => [c.index, c.direction, c.status, c.number, c.multiparty]);
}
