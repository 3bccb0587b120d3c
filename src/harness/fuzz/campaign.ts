/**
 * Runs a fuzz campaign: a named list of fast-check properties, each checked
 * for a number of runs from one seed, reporting progress, the shrunk
 * counterexample of the first failure and the exact command that replays it.
 */
import fc from 'fast-check';

export interface CampaignProperty {
  /** Short id used on the command line (`--only`). */
  name: string;
  /** What it checks, in a sentence. */
  description: string;
  /** Relative cost: runs of this property = ceil(runs * weight). */
  weight: number;
  /** Checks the property (see `checker`); the property calls `tick()` once per run for progress. */
  check: PropertyChecker;
}

/** Runs fast-check on one property with the campaign's parameters. */
export type PropertyChecker = (tick: () => void, params: { numRuns: number; seed: number; path?: string }) => Promise<fc.RunDetails<unknown>>;

/** Wraps a property builder (whatever its argument types) as a PropertyChecker. */
export function checker<Ts extends unknown[]>(build: (tick: () => void) => fc.IRawProperty<Ts>): PropertyChecker {
  return async (tick, params) => (await fc.check(build(tick), params)) as fc.RunDetails<unknown>;
}

export interface CampaignOptions {
  runs: number;
  seed: number;
  /** Replay path from an earlier failure (with its seed, and `only` set to the failing property). */
  path?: string;
  only?: string[];
  onProgress?: (line: string) => void;
}

export interface PropertyOutcome {
  name: string;
  runs: number;
  failed: boolean;
  wallMs: number;
  seed: number;
  path?: string;
  counterexample?: unknown;
  error?: string;
  shrinks?: number;
}

export interface CampaignResult {
  campaign: string;
  ok: boolean;
  outcomes: PropertyOutcome[];
  /** For the first failure: the command line that replays exactly that case. */
  replay?: string;
}

export async function runCampaign(campaign: string, properties: readonly CampaignProperty[], options: CampaignOptions): Promise<CampaignResult> {
  const selected = options.only?.length ? properties.filter((p) => options.only?.includes(p.name)) : properties;
  if (selected.length === 0) throw new RangeError(`no property named ${options.only?.join(', ')} in campaign ${campaign}`);
  const outcomes: PropertyOutcome[] = [];
  for (const p of selected) {
    const runs = Math.max(1, Math.ceil(options.runs * p.weight));
    const started = performance.now();
    let done = 0;
    let lastReport = started;
    const details = await p.check(() => {
      done++;
      const now = performance.now();
      if (options.onProgress && now - lastReport > 2000) {
        lastReport = now;
        options.onProgress(`${campaign}/${p.name}: ${done} runs (${runs} asked, shrinking counts too)`);
      }
    }, { numRuns: runs, seed: options.seed, ...(options.path ? { path: options.path } : {}) });
    const outcome: PropertyOutcome = {
      name: p.name,
      runs: details.numRuns,
      failed: details.failed,
      wallMs: Math.round(performance.now() - started),
      seed: details.seed,
    };
    if (details.failed) {
      outcome.counterexample = details.counterexample;
      outcome.shrinks = details.numShrinks;
      if (details.counterexamplePath) outcome.path = details.counterexamplePath;
      const err = details.errorInstance;
      outcome.error = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    }
    outcomes.push(outcome);
    options.onProgress?.(`${campaign}/${p.name}: ${outcome.failed ? 'FAILED' : 'ok'} after ${outcome.runs} runs in ${outcome.wallMs} ms`);
  }
  const first = outcomes.find((o) => o.failed);
  return {
    campaign,
    ok: !first,
    outcomes,
    ...(first ? { replay: `phonebridge fuzz ${campaign} --only ${first.name} --seed ${first.seed} --path ${first.path ?? ''} --runs 1` } : {}),
  };
}
