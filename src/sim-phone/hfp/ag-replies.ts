/**
 * Pure helpers that turn the phone's profile and calls into what the AG
 * says: its SDP record, +CIND values in the profile's order, the +CIEV
 * updates between two indicator snapshots (in the order phones send them),
 * +CLCC / +CLIP / +CCWA results for calls, and the codec it picks.
 */
import type { ServiceRecord } from '../../link/classic';
import { AgFeature, AudioCodec, ClccMode, ClccStatus } from '../../protocol/hfp/constants';
import type { AgResult, AgResultOf } from '../../protocol/hfp/results';
import type { Call, CallIndicators, CallState } from './call-state';
import { type AgIndicatorName, type HfpProfile, agSdpFeatures } from './hfp-profile';

/** SDP UUIDs and attribute ids of an HFP Audio Gateway record. */
export const HfpSdp = {
  AudioGatewayClass: 0x111f,
  GenericAudioClass: 0x1203,
  HandsfreeProfile: 0x111e,
  NetworkAttribute: 0x0301,
  SupportedFeaturesAttribute: 0x0311,
} as const;

/**
 * The order in which one change's +CIEV updates go out: call before
 * callsetup (an answered call: `+CIEV: call,1` then `+CIEV: callsetup,0`),
 * callheld before callsetup (a waiting call taken with AT+CHLD=2), then the
 * radio indicators.
 */
export const CIEV_ORDER: readonly AgIndicatorName[] = ['call', 'callheld', 'callsetup', 'service', 'signal', 'roam', 'battchg'];

/** The AG's SDP record for this profile. */
export function agServiceRecord(hfp: HfpProfile): ServiceRecord {
  return {
    serviceClasses: [HfpSdp.AudioGatewayClass, HfpSdp.GenericAudioClass],
    profile: { uuid: HfpSdp.HandsfreeProfile, version: hfp.version },
    channel: hfp.channel,
    name: hfp.serviceName,
    attributes: {
      // Network: 1 = the phone can reject a call.
      [HfpSdp.NetworkAttribute]: hfp.agFeatures & AgFeature.RejectCall ? 1 : 0,
      [HfpSdp.SupportedFeaturesAttribute]: agSdpFeatures(hfp),
    },
  };
}

/** +CIND read values, in the profile's order. */
export function cindValues(hfp: HfpProfile, values: CallIndicators): number[] {
  return hfp.indicators.map((s) => values[s.name]);
}

/** The +CIEV updates from `before` to `after` for the indicators the profile lists, in CIEV_ORDER; `force` names go out even if unchanged. */
export function cievUpdates(
  hfp: HfpProfile,
  before: CallIndicators,
  after: CallIndicators,
  force: readonly AgIndicatorName[] = [],
): { name: AgIndicatorName; result: AgResultOf<'ciev'> }[] {
  const out: { name: AgIndicatorName; result: AgResultOf<'ciev'> }[] = [];
  for (const name of CIEV_ORDER) {
    const position = hfp.indicators.findIndex((s) => s.name === name);
    if (position < 0) continue;
    if (before[name] === after[name] && !force.includes(name)) continue;
    out.push({ name, result: { kind: 'ciev', index: position + 1, value: after[name] } });
  }
  return out;
}

const CLCC_STATUS: Record<CallState, number> = {
  active: ClccStatus.Active,
  held: ClccStatus.Held,
  dialing: ClccStatus.Dialing,
  alerting: ClccStatus.Alerting,
  incoming: ClccStatus.Incoming,
  waiting: ClccStatus.Waiting,
};

/** One +CLCC line per call, by index. */
export function clccResults(calls: readonly Call[]): AgResult[] {
  return [...calls]
    .sort((a, b) => a.index - b.index)
    .map((c) => ({
      kind: 'clcc',
      index: c.index,
      direction: c.direction === 'mo' ? 0 : 1,
      status: CLCC_STATUS[c.state],
      mode: ClccMode.Voice,
      multiparty: c.multiparty,
      number: c.number,
      type: c.numberType,
    }));
}

/** +CLIP for a ringing call; the name rides in the alpha field when the profile says so. */
export function clipResult(call: Call, withName: boolean): AgResult {
  const clip: AgResultOf<'clip'> = { kind: 'clip', number: call.number, type: call.numberType };
  if (withName && call.name !== undefined) clip.alpha = call.name;
  return clip;
}

/** +CCWA for a waiting call (class 1, voice). */
export function ccwaResult(call: Call, withName: boolean): AgResult {
  const ccwa: AgResultOf<'ccwa'> = { kind: 'ccwa', number: call.number, type: call.numberType, callClass: 1 };
  if (withName && call.name !== undefined) ccwa.alpha = call.name;
  return ccwa;
}

const CODEC_PREFERENCE: readonly number[] = [AudioCodec.Lc3Swb, AudioCodec.Msbc, AudioCodec.Cvsd];

/** The best codec both sides list (LC3-SWB, then mSBC, then CVSD); CVSD when they share nothing better. */
export function bestCodec(agCodecs: readonly number[], hfCodecs: readonly number[]): number {
  for (const codec of CODEC_PREFERENCE) if (agCodecs.includes(codec) && hfCodecs.includes(codec)) return codec;
  return AudioCodec.Cvsd;
}
