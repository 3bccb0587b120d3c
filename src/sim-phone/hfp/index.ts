/**
 * The simulated phone's HFP side: the `hfp` profile section, the live-call
 * model and its stimuli, and the Audio Gateway with its per-HF sessions.
 */
export { AG_INDICATOR_NAMES, AG_INDICATOR_VALUES, CHLD_OPTIONS, REFUSAL_REASONS, agSdpFeatures, cindSpecs, parseHfpProfile } from './hfp-profile';
export type { AgIndicatorName, AgIndicatorSpec, ChldOption, HfpProfile, RefusalReason } from './hfp-profile';
export { MAX_CALLER_NAME_LENGTH, MAX_NUMBER_LENGTH, callIndicators, numberTypeOf } from './call-state';
export type { Call, CallDirection, CallIndicators, CallState, RadioState } from './call-state';
export { CallModel, CallRefusedError, DEFAULT_ALERT_AFTER_MS, MAX_CALLS } from './call-model';
export type { CallChange, CallChangeCause, CallModelEvents, CallModelOptions } from './call-model';
export { CALL_STIMULUS_KINDS, applyCallStimulus, isCallStimulus, isCallStimulusKind, parseCallStimulus } from './call-stimulus';
export type { CallStimulus, CallStimulusKind } from './call-stimulus';
export { CIEV_ORDER, HfpSdp, agServiceRecord, bestCodec, cievUpdates, cindValues, clccResults } from './ag-replies';
export { AgSession } from './ag-session';
export type { AgSessionContext } from './ag-session';
export { AudioNegotiation, BCS_TIMEOUT_MS } from './ag-audio';
export type { AudioHooks, AudioState } from './ag-audio';
export { AtOutput, MAX_TRANSCRIPT } from './ag-output';
export type { AtOutputHooks, TranscriptEntry } from './ag-output';
export { AudioGateway, DEFAULT_MAX_HF_SESSIONS } from './audio-gateway';
export type { AudioGatewayEvents, AudioGatewayOptions, AudioRequest, HfChannelRefusal } from './audio-gateway';
