/**
 * Verdict rules: how a scenario's cucumber status becomes a verdict, how a
 * capability's verdict is the worst of its scenarios', and the words the
 * readable report uses for each verdict.
 */
import { AttachedVerdict, ScenarioStatus, Verdict } from './types';

/** Every verdict, worst first: failed > deviation > not run > limited > supported. */
export const VERDICTS_WORST_FIRST: readonly Verdict[] = ['failed', 'deviation', 'not-run', 'limited', 'supported'];

const ATTACHABLE: readonly AttachedVerdict[] = ['supported', 'limited', 'deviation'];

const WORDS: Record<Verdict, string> = {
  supported: 'supported',
  limited: 'limited, as documented',
  deviation: 'deviation',
  failed: 'failed',
  'not-run': 'not run',
};

/** The prose for a verdict, e.g. "limited, as documented". */
export function verdictWord(verdict: Verdict): string {
  return WORDS[verdict];
}

export function isVerdict(value: unknown): value is Verdict {
  return typeof value === 'string' && (VERDICTS_WORST_FIRST as readonly string[]).includes(value);
}

export function isAttachedVerdict(value: unknown): value is AttachedVerdict {
  return typeof value === 'string' && (ATTACHABLE as readonly string[]).includes(value);
}

/** Lower number = worse. */
export function verdictRank(verdict: Verdict): number {
  return VERDICTS_WORST_FIRST.indexOf(verdict);
}

/** The worst verdict in `verdicts`, or undefined when there is none. */
export function worstVerdict<V extends Verdict>(verdicts: Iterable<V>): V | undefined {
  let worst: V | undefined;
  for (const v of verdicts) {
    if (worst === undefined || verdictRank(v) < verdictRank(worst)) worst = v;
  }
  return worst;
}

/**
 * A scenario's verdict. Passed: the attached verdict, else "limited" for a
 * `@limitation` scenario and "supported" for the rest. Failed, ambiguous or
 * undefined steps: "failed". Skipped, pending, unknown or never finished: "not-run".
 */
export function scenarioVerdict(status: ScenarioStatus, attached: AttachedVerdict | undefined, limitation: boolean): Verdict {
  switch (status) {
    case 'passed':
      return attached ?? (limitation ? 'limited' : 'supported');
    case 'failed':
    case 'ambiguous':
    case 'undefined':
      return 'failed';
    case 'pending':
    case 'skipped':
    case 'unknown':
    case 'not-executed':
      return 'not-run';
  }
}
