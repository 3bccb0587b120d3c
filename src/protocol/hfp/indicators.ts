/**
 * The AG's indicator table, built from its +CIND test response, so that
 * +CIND read values and +CIEV updates are always interpreted by name
 * ("callsetup"), never by position: the iPhone lists service, call,
 * callsetup, battchg, signal, roam, callheld, while Android and BlueZ use
 * other orders. Indexes are 1-based, as on the wire. Names are matched
 * case-insensitively.
 */
import { HfpError, HfpErrorCode } from './errors';
import type { AgResultOf, CindIndicatorSpec, ValueRange } from './results';

/** One indicator: its +CIEV index, name as the AG spells it, and allowed values. */
export interface IndicatorInfo {
  index: number;
  name: string;
  ranges: ValueRange[];
}

/** A value reported for an indicator, resolved to its name. */
export interface IndicatorValue {
  index: number;
  name: string;
  value: number;
  /** False when the value lies outside what the +CIND test response allowed. */
  inRange: boolean;
}

export const MAX_INDICATORS = 32;

export class IndicatorMap {
  private readonly byName = new Map<string, IndicatorInfo>();
  readonly indicators: readonly IndicatorInfo[];

  private constructor(specs: readonly CindIndicatorSpec[]) {
    if (specs.length > MAX_INDICATORS) {
      throw new HfpError(HfpErrorCode.BadValue, `at most ${MAX_INDICATORS} indicators, got ${specs.length}`);
    }
    const list: IndicatorInfo[] = [];
    specs.forEach((spec, i) => {
      const key = spec.name.toLowerCase();
      if (key === '') throw new HfpError(HfpErrorCode.BadValue, `indicator ${i + 1} has no name`);
      if (this.byName.has(key)) {
        throw new HfpError(HfpErrorCode.DuplicateIndicator, `indicator "${spec.name}" is listed twice`);
      }
      const info: IndicatorInfo = { index: i + 1, name: spec.name, ranges: spec.ranges.map((r) => ({ ...r })) };
      this.byName.set(key, info);
      list.push(info);
    });
    this.indicators = list;
  }

  /** Builds the map from a decoded +CIND test response, or from its indicator list. */
  static fromCindTest(source: AgResultOf<'cindTest'> | readonly CindIndicatorSpec[]): IndicatorMap {
    return new IndicatorMap('kind' in source ? source.indicators : source);
  }

  get size(): number {
    return this.indicators.length;
  }

  has(name: string): boolean {
    return this.byName.has(name.toLowerCase());
  }

  /** The indicator at a 1-based index; throws `hfp.unknown-indicator`. */
  at(index: number): IndicatorInfo {
    const info = Number.isInteger(index) ? this.indicators[index - 1] : undefined;
    if (!info) throw new HfpError(HfpErrorCode.UnknownIndicator, `no indicator at index ${index} (the AG listed ${this.size})`);
    return info;
  }

  /** The indicator with this name; throws `hfp.unknown-indicator`. */
  get(name: string): IndicatorInfo {
    const info = this.byName.get(name.toLowerCase());
    if (!info) throw new HfpError(HfpErrorCode.UnknownIndicator, `the AG did not list an indicator "${name}"`);
    return info;
  }

  nameOf(index: number): string {
    return this.at(index).name;
  }

  indexOf(name: string): number {
    return this.get(name).index;
  }

  /** True when `value` is allowed for the named indicator. */
  allows(name: string, value: number): boolean {
    return this.get(name).ranges.some((r) => value >= r.min && value <= r.max);
  }

  /** Resolves a +CIEV update to its indicator; throws `hfp.unknown-indicator` for an index the AG never listed. */
  interpretCiev(ciev: { index: number; value: number }): IndicatorValue {
    const info = this.at(ciev.index);
    return { index: info.index, name: info.name, value: ciev.value, inRange: this.allows(info.name, ciev.value) };
  }

  /**
   * Resolves +CIND read values, in order. Fewer values than indicators is
   * accepted (the rest are simply not reported); more throws
   * `hfp.unknown-indicator`.
   */
  interpretCind(values: readonly number[]): IndicatorValue[] {
    return values.map((value, i) => this.interpretCiev({ index: i + 1, value }));
  }

  /** The +CIEV an AG sends to report `value` for the named indicator. */
  cievFor(name: string, value: number): AgResultOf<'ciev'> {
    return { kind: 'ciev', index: this.indexOf(name), value };
  }

  /** The +CIND test response that lists these indicators. */
  toCindTest(): AgResultOf<'cindTest'> {
    return {
      kind: 'cindTest',
      indicators: this.indicators.map((i) => ({ name: i.name, ranges: i.ranges.map((r) => ({ ...r })) })),
    };
  }
}
