/**
 * HFP identifiers: feature bit masks (AT+BRSF and SDP layouts differ), codec
 * ids, indicator names and values, CME error codes, +CLCC fields, number
 * types, Apple extension keys. All are open enums: a named value for what the
 * specs define, while decoded fields stay plain numbers so unknown values
 * survive a round trip. `*Name` helpers turn a value into a readable label.
 */

/** Bits of the HF's AT+BRSF=<features> value. */
export const HfFeature = {
  EcNr: 1 << 0,
  ThreeWayCalling: 1 << 1,
  CallerId: 1 << 2,
  VoiceRecognition: 1 << 3,
  RemoteVolume: 1 << 4,
  EnhancedCallStatus: 1 << 5,
  EnhancedCallControl: 1 << 6,
  CodecNegotiation: 1 << 7,
  HfIndicators: 1 << 8,
  EscoS4: 1 << 9,
  EnhancedVoiceRecognitionStatus: 1 << 10,
  VoiceRecognitionText: 1 << 11,
} as const;

/** Bits of the AG's +BRSF: <features> value. */
export const AgFeature = {
  ThreeWayCalling: 1 << 0,
  EcNr: 1 << 1,
  VoiceRecognition: 1 << 2,
  InBandRing: 1 << 3,
  VoiceTag: 1 << 4,
  RejectCall: 1 << 5,
  EnhancedCallStatus: 1 << 6,
  EnhancedCallControl: 1 << 7,
  ExtendedErrorCodes: 1 << 8,
  CodecNegotiation: 1 << 9,
  HfIndicators: 1 << 10,
  EscoS4: 1 << 11,
  EnhancedVoiceRecognitionStatus: 1 << 12,
  VoiceRecognitionText: 1 << 13,
  CallDurationInfo: 1 << 14,
} as const;

/** Bits of the HF's SDP SupportedFeatures attribute (0x0311); not the BRSF layout. */
export const HfSdpFeature = {
  EcNr: 1 << 0,
  ThreeWayCalling: 1 << 1,
  CallerId: 1 << 2,
  VoiceRecognition: 1 << 3,
  RemoteVolume: 1 << 4,
  WideBandSpeech: 1 << 5,
  EnhancedVoiceRecognitionStatus: 1 << 6,
  VoiceRecognitionText: 1 << 7,
  SuperWideBandSpeech: 1 << 8,
} as const;

/** Bits of the AG's SDP SupportedFeatures attribute (0x0311); not the BRSF layout. */
export const AgSdpFeature = {
  ThreeWayCalling: 1 << 0,
  EcNr: 1 << 1,
  VoiceRecognition: 1 << 2,
  InBandRing: 1 << 3,
  VoiceTag: 1 << 4,
  WideBandSpeech: 1 << 5,
  EnhancedVoiceRecognitionStatus: 1 << 6,
  VoiceRecognitionText: 1 << 7,
  SuperWideBandSpeech: 1 << 8,
} as const;

/** Codec ids used by AT+BAC, AT+BCS and +BCS. */
export const AudioCodec = { Cvsd: 1, Msbc: 2, Lc3Swb: 3 } as const;

/** Indicator names as AGs spell them in +CIND test responses. */
export const IndicatorName = {
  Service: 'service',
  Call: 'call',
  CallSetup: 'callsetup',
  CallHeld: 'callheld',
  Signal: 'signal',
  Roam: 'roam',
  BattChg: 'battchg',
} as const;

/** Values of the "service" indicator. */
export const ServiceValue = { NoService: 0, Available: 1 } as const;

/** Values of the "call" indicator. */
export const CallValue = { NoCall: 0, Active: 1 } as const;

/** Values of the "callsetup" indicator. */
export const CallSetupValue = { None: 0, Incoming: 1, OutgoingDialing: 2, OutgoingAlerting: 3 } as const;

/** Values of the "callheld" indicator. */
export const CallHeldValue = { None: 0, HeldAndActive: 1, HeldNoActive: 2 } as const;

/** Values of the "roam" indicator. */
export const RoamValue = { Home: 0, Roaming: 1 } as const;

/** Extended error codes carried by +CME ERROR: <n> (3GPP 27.007 numbering, as HFP lists it). */
export const CmeError = {
  PhoneFailure: 0,
  NoConnectionToPhone: 1,
  PhoneAdaptorLinkReserved: 2,
  OperationNotAllowed: 3,
  OperationNotSupported: 4,
  PhSimPinRequired: 5,
  SimNotInserted: 10,
  SimPinRequired: 11,
  SimPukRequired: 12,
  SimFailure: 13,
  SimBusy: 14,
  SimWrong: 15,
  IncorrectPassword: 16,
  SimPin2Required: 17,
  SimPuk2Required: 18,
  MemoryFull: 20,
  InvalidIndex: 21,
  NotFound: 22,
  MemoryFailure: 23,
  TextStringTooLong: 24,
  InvalidCharactersInTextString: 25,
  DialStringTooLong: 26,
  InvalidCharactersInDialString: 27,
  NoNetworkService: 30,
  NetworkTimeout: 31,
  NetworkNotAllowedEmergencyOnly: 32,
} as const;

/** +CLCC <dir>. */
export const ClccDirection = { MobileOriginated: 0, MobileTerminated: 1 } as const;

/** +CLCC <stat>. */
export const ClccStatus = {
  Active: 0,
  Held: 1,
  Dialing: 2,
  Alerting: 3,
  Incoming: 4,
  Waiting: 5,
  HeldByResponseAndHold: 6,
} as const;

/** +CLCC <mode>. */
export const ClccMode = { Voice: 0, Data: 1, Fax: 2 } as const;

/** Type-of-address octet that follows a phone number (+CLIP, +CCWA, +CLCC, +CNUM). */
export const NumberType = { Unknown: 129, International: 145 } as const;

/** AT+BTRH=<n> and +BTRH: <n> (response and hold). */
export const BtrhState = { Held: 0, Accepted: 1, Rejected: 2 } as const;

/** AT+BVRA=<n>: voice recognition off, on, or (HFP 1.8 enhanced VR) ready for audio. */
export const VoiceRecognitionValue = { Disable: 0, Enable: 1, ReadyForAudio: 2 } as const;

/** AT+CHLD=<n> actions (the call index, for 1x and 2x, follows the digit). */
export const ChldAction = {
  ReleaseHeldOrRejectWaiting: 0,
  ReleaseActiveAcceptOther: 1,
  HoldActiveAcceptOther: 2,
  AddHeldToConversation: 3,
  ExplicitCallTransfer: 4,
} as const;

/** Assigned numbers of HF indicators (AT+BIND, AT+BIEV, +BIND). */
export const HfIndicator = { EnhancedSafety: 1, BatteryLevel: 2 } as const;

/** Bits of the <features> value in AT+XAPL and +XAPL (Apple accessory guidelines). */
export const XaplFeature = {
  BatteryReporting: 1 << 1,
  DockedOrPowered: 1 << 2,
  SiriStatus: 1 << 3,
  NoiseReductionStatus: 1 << 4,
} as const;

/** Keys of AT+IPHONEACCEV key/value pairs. */
export const IphoneAccevKey = { BatteryLevel: 1, DockState: 2 } as const;

/** AT+CMER=<mode>,... value that turns indicator event reporting on. */
export const CMER_MODE_FORWARD = 3;

function nameOf(table: Record<string, number>, value: number): string {
  for (const [name, v] of Object.entries(table)) if (v === value) return name;
  return `Unknown(${value})`;
}

function bitNames(table: Record<string, number>, bits: number): string[] {
  const names: string[] = [];
  let known = 0;
  for (const [name, bit] of Object.entries(table)) {
    known |= bit;
    if (bits & bit) names.push(name);
  }
  for (let bit = 0; bit < 31; bit++) {
    const mask = 1 << bit;
    if (bits & mask && !(known & mask)) names.push(`Bit${bit}`);
  }
  return names;
}

export const hfFeatureNames = (bits: number): string[] => bitNames(HfFeature, bits);
export const agFeatureNames = (bits: number): string[] => bitNames(AgFeature, bits);
export const hfSdpFeatureNames = (bits: number): string[] => bitNames(HfSdpFeature, bits);
export const agSdpFeatureNames = (bits: number): string[] => bitNames(AgSdpFeature, bits);
export const xaplFeatureNames = (bits: number): string[] => bitNames(XaplFeature, bits);

export const audioCodecName = (v: number): string => nameOf(AudioCodec, v);
export const cmeErrorName = (v: number): string => nameOf(CmeError, v);
export const clccDirectionName = (v: number): string => nameOf(ClccDirection, v);
export const clccStatusName = (v: number): string => nameOf(ClccStatus, v);
export const clccModeName = (v: number): string => nameOf(ClccMode, v);
export const numberTypeName = (v: number): string => nameOf(NumberType, v);
export const btrhStateName = (v: number): string => nameOf(BtrhState, v);
export const chldActionName = (v: number): string => nameOf(ChldAction, v);
export const hfIndicatorName = (v: number): string => nameOf(HfIndicator, v);
export const iphoneAccevKeyName = (v: number): string => nameOf(IphoneAccevKey, v);
export const callSetupName = (v: number): string => nameOf(CallSetupValue, v);
export const callHeldName = (v: number): string => nameOf(CallHeldValue, v);

/** True when both feature words have `bit` set (e.g. codec negotiation is used only then). */
export function bothSupport(hfFeatures: number, hfBit: number, agFeatures: number, agBit: number): boolean {
  return (hfFeatures & hfBit) !== 0 && (agFeatures & agBit) !== 0;
}
