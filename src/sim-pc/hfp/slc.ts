/**
 * The service-level connection procedure, HF side, in the order HFP
 * prescribes: AT+BRSF; AT+BAC when both sides negotiate codecs; AT+CIND=?
 * (the indicator table, used by name from then on); AT+CIND?; AT+CMER;
 * AT+CHLD=? when both sides do three-way calling; AT+BIND=, =? and ? when
 * both sides do HF indicators. Reserved BRSF bits are kept but never acted
 * on. Steps that only describe optional features tolerate ERROR; the
 * indicator steps and AT+CMER do not. Any failure is an SlcError naming the
 * step.
 */
import { CMER_MODE_FORWARD, AgFeature, HfFeature, agFeatureNames, bothSupport } from '../../protocol/hfp/constants';
import type { HfCommand } from '../../protocol/hfp/commands';
import { IndicatorMap } from '../../protocol/hfp/indicators';
import type { AgResult, AgResultOf } from '../../protocol/hfp/results';
import { SlcError, isAgRefusal } from './errors';

/** What the SLC learnt about the AG. */
export interface AgInfo {
  /** The +BRSF value as sent, reserved bits included (0 when the AG refused AT+BRSF). */
  features: number;
  featureNames: string[];
  /** The AG's indicators, by name. */
  indicators: IndicatorMap;
  /** +CIND read values by indicator name (lower case). */
  initialValues: Record<string, number>;
  /** +CHLD options as sent (`['0','1','1x','2','2x','3']`); empty when three-way calling is not used. */
  holdOptions: string[];
  /** Both sides negotiate codecs (AT+BAC was sent and accepted). */
  codecNegotiation: boolean;
  threeWayCalling: boolean;
  /** HF indicators the AG supports (+BIND list) and which it has enabled; empty when not used. */
  hfIndicators: number[];
  hfIndicatorsEnabled: Record<number, boolean>;
}

export interface SlcConfig {
  features: number;
  codecs: readonly number[];
  hfIndicators: readonly number[];
  /** Called once the indicator table and values are known, before AT+CMER turns +CIEV on. */
  onIndicators?: (map: IndicatorMap, values: Record<string, number>) => void;
}

export type SendCommand = (command: HfCommand) => Promise<AgResult[]>;

/** Indicator names some AGs spell differently, mapped to the HFP names. */
const ALIASES: Record<string, string> = { call_setup: 'callsetup', call_held: 'callheld' };

/** The HFP name of an indicator as the AG spelled it (lower case, known aliases resolved). */
export function canonicalIndicatorName(name: string): string {
  const lower = name.toLowerCase();
  return ALIASES[lower] ?? lower;
}

function results<K extends AgResult['kind']>(list: AgResult[], kind: K): AgResultOf<K>[] {
  return list.filter((r): r is AgResultOf<K> => r.kind === kind);
}

async function step<T>(name: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof SlcError) throw err;
    const detail = err instanceof Error ? err.message : String(err);
    throw new SlcError(name, detail, err);
  }
}

/** An optional step: ERROR or +CME ERROR gives `fallback`, other failures (timeout, link) end the SLC. */
async function optionalStep<T>(name: string, run: () => Promise<T>, fallback: T): Promise<T> {
  return step(name, async () => {
    try {
      return await run();
    } catch (err) {
      if (isAgRefusal(err)) return fallback;
      throw err;
    }
  });
}

/** Runs the SLC procedure over `send`; resolves once the last applicable step is done. */
export async function establishSlc(send: SendCommand, config: SlcConfig): Promise<AgInfo> {
  const features = await optionalStep(
    'AT+BRSF',
    async () => results(await send({ kind: 'brsf', features: config.features }), 'brsf')[0]?.features ?? 0,
    0,
  );

  let codecNegotiation = bothSupport(config.features, HfFeature.CodecNegotiation, features, AgFeature.CodecNegotiation);
  if (codecNegotiation) {
    codecNegotiation = await optionalStep(
      'AT+BAC',
      async () => {
        await send({ kind: 'bac', codecs: [...config.codecs] });
        return true;
      },
      false,
    );
  }

  const indicators = await step('AT+CIND=?', async () => {
    const list = results(await send({ kind: 'cindTest' }), 'cindTest')[0];
    if (!list) throw new SlcError('AT+CIND=?', 'the AG listed no indicators');
    const map = IndicatorMap.fromCindTest(list);
    const names = new Set(map.indicators.map((i) => canonicalIndicatorName(i.name)));
    for (const needed of ['call', 'callsetup']) {
      if (!names.has(needed)) throw new SlcError('AT+CIND=?', `the AG lists no "${needed}" indicator`);
    }
    return map;
  });

  const initialValues = await step('AT+CIND?', async () => {
    const read = results(await send({ kind: 'cindRead' }), 'cindRead')[0];
    if (!read) throw new SlcError('AT+CIND?', 'the AG sent no indicator values');
    const values: Record<string, number> = {};
    // Extra values beyond the table are ignored; missing ones stay unknown.
    read.values.slice(0, indicators.size).forEach((value, i) => {
      values[canonicalIndicatorName(indicators.nameOf(i + 1))] = value;
    });
    return values;
  });

  config.onIndicators?.(indicators, initialValues);
  await step('AT+CMER', () => send({ kind: 'cmer', mode: CMER_MODE_FORWARD, keyp: 0, disp: 0, ind: 1 }));

  const threeWayCalling = bothSupport(config.features, HfFeature.ThreeWayCalling, features, AgFeature.ThreeWayCalling);
  let holdOptions: string[] = [];
  if (threeWayCalling) {
    holdOptions = await optionalStep(
      'AT+CHLD=?',
      async () => results(await send({ kind: 'chldTest' }), 'chld')[0]?.options ?? [],
      [],
    );
  }

  let hfIndicators: number[] = [];
  const hfIndicatorsEnabled: Record<number, boolean> = {};
  const useIndicators =
    config.hfIndicators.length > 0 && bothSupport(config.features, HfFeature.HfIndicators, features, AgFeature.HfIndicators);
  if (useIndicators) {
    const listed = await optionalStep(
      'AT+BIND',
      async () => {
        await send({ kind: 'bind', indicators: [...config.hfIndicators] });
        return results(await send({ kind: 'bindTest' }), 'bindList')[0]?.indicators ?? [];
      },
      undefined,
    );
    if (listed !== undefined) {
      hfIndicators = listed;
      const statuses = await optionalStep('AT+BIND?', async () => results(await send({ kind: 'bindRead' }), 'bindStatus'), []);
      for (const s of statuses) hfIndicatorsEnabled[s.indicator] = s.enabled;
    }
  }

  return {
    features,
    featureNames: agFeatureNames(features),
    indicators,
    initialValues,
    holdOptions,
    codecNegotiation,
    threeWayCalling,
    hfIndicators,
    hfIndicatorsEnabled,
  };
}

