/**
 * The `storm` property of the hostile-phone campaign: the phone's saboteur
 * runs at a random rate (as the `hostile` profile does outside fuzzing), so
 * faults land anywhere, connection setup included, on every profile at
 * once, while normal traffic runs. Operations may fail while the storm
 * lasts; still nothing may crash or hang, every reported fault carries a
 * code, and no profile has more reports than faults committed on it. Once
 * the storm stops, every profile works again within RECOVERY_BOUND_MS.
 */
import fc from 'fast-check';
import type { HostileTarget } from '../../sim-phone/hostile/hostile-profile';
import { type FaultView, HostileBed, NotWorkingFailure, OPERATION_BOUND_MS, PROFILES, RECOVERY_BOUND_MS, pcFaults } from './hostile-phone-bed';

export interface StormCase {
  seed: number;
  /** Chance that any one outgoing frame is faulted while the storm lasts. */
  rate: number;
  /** Operations run during the storm, in order. */
  operations: HostileTarget[];
}

export const stormCaseArb: fc.Arbitrary<StormCase> = fc.record(
  {
    seed: fc.integer({ min: 1, max: 0x7fffffff }),
    rate: fc.constantFrom(0.02, 0.05, 0.1, 0.25),
    operations: fc.array(fc.constantFrom(...PROFILES), { minLength: 1, maxLength: 6 }),
  },
  { noNullPrototype: true },
);

/** Runs one storm; throws HostilePhoneFailure when a property breaks. */
export async function runStormCase(c: StormCase, view: FaultView = pcFaults): Promise<void> {
  const bed = new HostileBed(c.seed, view);
  try {
    await bed.start();
    bed.saboteur.setRate(c.rate);
    for (const profile of c.operations) {
      try {
        await bed.operate(profile, OPERATION_BOUND_MS);
      } catch (err) {
        if (!(err instanceof NotWorkingFailure)) throw err;
      }
      bed.checkAttribution();
    }
    bed.saboteur.setRate(0);
    // Calm: what is still held or half-sent dies out, then every profile works again by itself.
    await bed.endPhoneCalls(RECOVERY_BOUND_MS);
    for (const profile of PROFILES) await bed.recover(profile, RECOVERY_BOUND_MS);
    bed.checkAttribution();
  } finally {
    await bed.shutdown();
  }
}

export const hostileStormProperty = (view?: FaultView) => (tick: () => void) =>
  fc.asyncProperty(stormCaseArb, async (c) => {
    tick();
    await runStormCase(c, view);
  });
