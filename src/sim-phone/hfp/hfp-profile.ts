/**
 * The `hfp` section of a phone profile: how the phone behaves as an HFP
 * Audio Gateway (RFCOMM channel, SDP version, +BRSF bits, the +CIND order
 * and ranges, +CHLD options, codecs, Apple extensions, ring cadence,
 * operator and own number, and the +CME ERROR codes it refuses with), its
 * typed form, and its field-by-field validation.
 */
import { AgFeature, AgSdpFeature, AudioCodec } from '../../protocol/hfp/constants';
import type { CindIndicatorSpec, ValueRange } from '../../protocol/hfp/results';
import {
  Fail,
  checkArray,
  checkBoolean,
  checkKeys,
  checkNumber,
  checkObject,
  checkOneOf,
  checkString,
  join,
  required,
} from '../json-check';

/** Indicator names the simulated AG can drive, with the values the call model produces for each. */
export const AG_INDICATOR_VALUES = {
  service: [0, 1],
  call: [0, 1],
  callsetup: [0, 3],
  callheld: [0, 2],
  signal: [0, 5],
  roam: [0, 1],
  battchg: [0, 5],
} as const satisfies Record<string, readonly [number, number]>;

export type AgIndicatorName = keyof typeof AG_INDICATOR_VALUES;
export const AG_INDICATOR_NAMES = Object.keys(AG_INDICATOR_VALUES) as AgIndicatorName[];

/** One +CIND entry in the order the phone lists them. */
export interface AgIndicatorSpec {
  name: AgIndicatorName;
  /** As listed on the wire: `(0-1)` is one range, `(0,1)` two single values. */
  ranges: ValueRange[];
}

/** +CHLD options an AG may list. */
export const CHLD_OPTIONS = ['0', '1', '1x', '2', '2x', '3', '4'] as const;
export type ChldOption = (typeof CHLD_OPTIONS)[number];

/** The refusals a phone answers with; with AT+CMEE=1 each becomes `+CME ERROR: <code>`, otherwise `ERROR`. */
export const REFUSAL_REASONS = ['unsupported', 'notAllowed', 'invalidIndex', 'notFound', 'noService', 'invalidDialString'] as const;
export type RefusalReason = (typeof REFUSAL_REASONS)[number];

export interface HfpProfile {
  /** RFCOMM server channel, 1..30. */
  channel: number;
  /** HFP version in the SDP record (0x0107 = 1.7; the iPhone's was not captured). */
  version: number;
  /** ServiceName of the AG record. */
  serviceName: string;
  /** +BRSF: <features> (AgFeature bits). */
  agFeatures: number;
  /** +CIND test order and ranges; +CIEV indexes follow this order. */
  indicators: AgIndicatorSpec[];
  /** +CHLD: (...) options; empty when the phone has no 3-way calling. */
  chld: ChldOption[];
  /** Codec ids the phone supports (1 CVSD, 2 mSBC, 3 LC3-SWB); CVSD is mandatory. */
  codecs: number[];
  /** HF indicators the phone supports (+BIND: (...)); 1 enhanced safety, 2 battery. */
  hfIndicators: number[];
  /** Answers AT+XAPL and AT+IPHONEACCEV (Apple accessory extensions). */
  appleExtensions: boolean;
  /** XAPL features the phone can use; it answers `+XAPL=iPhone,<hf features AND these>`. */
  xaplFeatures: number;
  /** RING (and +CLIP) repeat this often while a call rings. */
  ringIntervalMs: number;
  /** Rings in-band: call audio opens as soon as a call rings. */
  inBandRing: boolean;
  /** +CLIP and +CCWA carry the caller's name as their alpha field. */
  callerNameInClip: boolean;
  /** +COPS operator name (at most 16 characters). */
  operatorName: string;
  /** +CNUM subscriber number; absent: AT+CNUM answers only OK. */
  ownNumber?: string;
  /** No +BCS until call audio is needed (the iPhone); otherwise the codec is chosen right after the SLC. */
  codecOnlyWhenAudio: boolean;
  /** +CME ERROR code for each kind of refusal. */
  refusals: Record<RefusalReason, number>;
}

const HFP_KEYS = [
  'channel',
  'version',
  'serviceName',
  'agFeatures',
  'indicators',
  'chld',
  'codecs',
  'hfIndicators',
  'appleExtensions',
  'xaplFeatures',
  'ringIntervalMs',
  'inBandRing',
  'callerNameInClip',
  'operatorName',
  'ownNumber',
  'codecOnlyWhenAudio',
  'refusals',
] as const;

const VALUES = /^\s*\d{1,3}(\s*-\s*\d{1,3})?(\s*,\s*\d{1,3}(\s*-\s*\d{1,3})?)*\s*$/;
const DIAL_NUMBER = /^\+?[0-9*#]{1,32}$/;
const NO_QUOTES = /^[^"\r\n\u0000-\u001f]*$/;

/** An unsigned integer up to `max`, written as a JSON number or a "0x..." string. */
function checkUint(value: unknown, field: string, fail: Fail, max: number): number {
  if (typeof value === 'string') {
    if (!/^0x[0-9A-Fa-f]{1,8}$/.test(value)) fail(field, `must be an integer or a "0x..." hex string, got ${JSON.stringify(value)}`);
    return checkNumber(parseInt(value.slice(2), 16), field, fail, { integer: true, min: 0, max });
  }
  return checkNumber(value, field, fail, { integer: true, min: 0, max });
}

/** Parses "0-1" or "0,1" or "0-3,5" into ranges. */
function parseValues(value: unknown, field: string, fail: Fail): ValueRange[] {
  const text = checkString(value, field, fail, { pattern: VALUES });
  return text.split(',').map((part) => {
    const [lo, hi] = part.split('-').map((s) => Number(s.trim()));
    const min = lo ?? 0;
    const max = hi ?? min;
    if (max < min) fail(field, `range ${part.trim()} runs backwards`);
    return { min, max };
  });
}

function parseIndicators(value: unknown, field: string, fail: Fail): AgIndicatorSpec[] {
  const list = checkArray(value, field, fail);
  const out: AgIndicatorSpec[] = [];
  list.forEach((item, i) => {
    const at = join(field, i);
    const obj = checkObject(item, at, fail);
    checkKeys(obj, ['name', 'values'], at, fail);
    const name = checkOneOf(required(obj, 'name', at, fail), AG_INDICATOR_NAMES, join(at, 'name'), fail);
    if (out.some((s) => s.name === name)) fail(join(at, 'name'), `repeats "${name}"`);
    const ranges = parseValues(required(obj, 'values', at, fail), join(at, 'values'), fail);
    const [min, max] = AG_INDICATOR_VALUES[name];
    for (let v = min; v <= max; v++) {
      if (!ranges.some((r) => v >= r.min && v <= r.max)) fail(join(at, 'values'), `must allow ${v}, a value "${name}" takes`);
    }
    out.push({ name, ranges });
  });
  for (const name of ['service', 'call', 'callsetup'] as const) {
    if (!out.some((s) => s.name === name)) fail(field, `must list "${name}"`);
  }
  return out;
}

function parseUniqueInts(value: unknown, field: string, fail: Fail, min: number, max: number): number[] {
  const out: number[] = [];
  checkArray(value, field, fail).forEach((v, i) => {
    const n = checkNumber(v, join(field, i), fail, { integer: true, min, max });
    if (out.includes(n)) fail(join(field, i), `repeats ${n}`);
    out.push(n);
  });
  return out;
}

/** Validates the `hfp` section of a phone profile. */
export function parseHfpProfile(value: unknown, fail: Fail): HfpProfile {
  const obj = checkObject(value, 'hfp', fail);
  checkKeys(obj, HFP_KEYS, 'hfp', fail);
  const at = (key: (typeof HFP_KEYS)[number]): string => join('hfp', key);
  const need = (key: (typeof HFP_KEYS)[number]): unknown => required(obj, key, 'hfp', fail);
  const flag = (key: (typeof HFP_KEYS)[number]): boolean => checkBoolean(need(key), at(key), fail);

  const agFeatures = checkUint(need('agFeatures'), at('agFeatures'), fail, 0xffffffff);
  const has = (bit: number): boolean => (agFeatures & bit) !== 0;

  const chld: ChldOption[] = [];
  checkArray(need('chld'), at('chld'), fail).forEach((v, i) => {
    const option = checkOneOf(v, CHLD_OPTIONS, join(at('chld'), i), fail);
    if (chld.includes(option)) fail(join(at('chld'), i), `repeats "${option}"`);
    chld.push(option);
  });
  if (chld.length > 0 && !has(AgFeature.ThreeWayCalling)) fail(at('chld'), 'needs the 3-way calling bit in agFeatures');
  if ((chld.includes('1x') || chld.includes('2x')) && !has(AgFeature.EnhancedCallControl)) {
    fail(at('chld'), 'lists 1x or 2x, which need the enhanced call control bit in agFeatures');
  }

  const indicators = parseIndicators(need('indicators'), at('indicators'), fail);
  if (chld.length > 0 && !indicators.some((s) => s.name === 'callheld')) fail(at('indicators'), 'must list "callheld" when chld is not empty');

  const codecs = parseUniqueInts(need('codecs'), at('codecs'), fail, 1, 255);
  if (!codecs.includes(AudioCodec.Cvsd)) fail(at('codecs'), 'must include 1 (CVSD, mandatory)');
  if (codecs.length > 1 && !has(AgFeature.CodecNegotiation)) fail(at('codecs'), 'lists more than CVSD without the codec negotiation bit in agFeatures');

  const hfIndicators = parseUniqueInts(need('hfIndicators'), at('hfIndicators'), fail, 1, 0xffff);
  if (hfIndicators.length > 0 && !has(AgFeature.HfIndicators)) fail(at('hfIndicators'), 'needs the HF indicators bit in agFeatures');

  const inBandRing = flag('inBandRing');
  if (inBandRing && !has(AgFeature.InBandRing)) fail(at('inBandRing'), 'needs the in-band ring bit in agFeatures');

  const refusalsObj = checkObject(need('refusals'), at('refusals'), fail);
  checkKeys(refusalsObj, REFUSAL_REASONS, at('refusals'), fail);
  const refusal = (key: RefusalReason): number =>
    checkNumber(required(refusalsObj, key, at('refusals'), fail), join(at('refusals'), key), fail, { integer: true, min: 0, max: 65535 });

  const profile: HfpProfile = {
    channel: checkNumber(need('channel'), at('channel'), fail, { integer: true, min: 1, max: 30 }),
    version: checkUint(need('version'), at('version'), fail, 0xffff),
    serviceName: checkString(need('serviceName'), at('serviceName'), fail, { nonEmpty: true }),
    agFeatures,
    indicators,
    chld,
    codecs,
    hfIndicators,
    appleExtensions: flag('appleExtensions'),
    xaplFeatures: checkUint(need('xaplFeatures'), at('xaplFeatures'), fail, 0xffff),
    ringIntervalMs: checkNumber(need('ringIntervalMs'), at('ringIntervalMs'), fail, { integer: true, min: 100, max: 60_000 }),
    inBandRing,
    callerNameInClip: flag('callerNameInClip'),
    operatorName: checkString(need('operatorName'), at('operatorName'), fail, { pattern: NO_QUOTES }),
    codecOnlyWhenAudio: flag('codecOnlyWhenAudio'),
    refusals: {
      unsupported: refusal('unsupported'),
      notAllowed: refusal('notAllowed'),
      invalidIndex: refusal('invalidIndex'),
      notFound: refusal('notFound'),
      noService: refusal('noService'),
      invalidDialString: refusal('invalidDialString'),
    },
  };
  if (profile.operatorName.length > 16) fail(at('operatorName'), 'must be at most 16 characters');
  if (obj.ownNumber !== undefined) profile.ownNumber = checkString(obj.ownNumber, at('ownNumber'), fail, { pattern: DIAL_NUMBER });
  return profile;
}

/** The +CIND test entries the phone lists, in its order. */
export function cindSpecs(hfp: HfpProfile): CindIndicatorSpec[] {
  return hfp.indicators.map((s) => ({ name: s.name, ranges: s.ranges.map((r) => ({ ...r })) }));
}

/**
 * The SupportedFeatures attribute (0x0311) of the AG's SDP record, which
 * lays bits out unlike +BRSF: derived from the +BRSF bits, with wide-band
 * speech set when mSBC is supported and super-wide-band when LC3-SWB is.
 */
export function agSdpFeatures(hfp: HfpProfile): number {
  const f = hfp.agFeatures;
  const map: [number, number][] = [
    [AgFeature.ThreeWayCalling, AgSdpFeature.ThreeWayCalling],
    [AgFeature.EcNr, AgSdpFeature.EcNr],
    [AgFeature.VoiceRecognition, AgSdpFeature.VoiceRecognition],
    [AgFeature.InBandRing, AgSdpFeature.InBandRing],
    [AgFeature.VoiceTag, AgSdpFeature.VoiceTag],
    [AgFeature.EnhancedVoiceRecognitionStatus, AgSdpFeature.EnhancedVoiceRecognitionStatus],
    [AgFeature.VoiceRecognitionText, AgSdpFeature.VoiceRecognitionText],
  ];
  let sdp = 0;
  for (const [brsf, bit] of map) if (f & brsf) sdp |= bit;
  if (hfp.codecs.includes(AudioCodec.Msbc)) sdp |= AgSdpFeature.WideBandSpeech;
  if (hfp.codecs.includes(AudioCodec.Lc3Swb)) sdp |= AgSdpFeature.SuperWideBandSpeech;
  return sdp;
}
