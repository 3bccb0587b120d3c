/**
 * Options, events, states and defaults of the PC's hands-free unit
 * (HandsFree), kept apart so the Calls service and the facade can use them
 * without pulling in the state machine.
 */
import type { ByteChannel } from '../../link/classic';
import type { Clock } from '../../link/clock';
import { AudioCodec, HfFeature, HfIndicator, XaplFeature } from '../../protocol/hfp/constants';
import type { HfCall } from './call-tracker';
import type { AgInfo } from './slc';

/** What this PC offers in AT+BRSF by default: everything up to eSCO S4 (no 1.8 enhanced voice recognition). */
export const DEFAULT_HF_FEATURES =
  HfFeature.EcNr |
  HfFeature.ThreeWayCalling |
  HfFeature.CallerId |
  HfFeature.VoiceRecognition |
  HfFeature.RemoteVolume |
  HfFeature.EnhancedCallStatus |
  HfFeature.EnhancedCallControl |
  HfFeature.CodecNegotiation |
  HfFeature.HfIndicators |
  HfFeature.EscoS4;

export const DEFAULT_CODECS: readonly number[] = [AudioCodec.Cvsd, AudioCodec.Msbc];
export const DEFAULT_HF_INDICATORS: readonly number[] = [HfIndicator.EnhancedSafety, HfIndicator.BatteryLevel];
export const DEFAULT_MAX_CONSECUTIVE_TIMEOUTS = 3;
/** How long a RING waits for the +CLIP that usually follows it before `ring` fires without a number. */
export const DEFAULT_RING_CLIP_WAIT_MS = 250;
export const MAX_GAIN = 15;

/** How this PC introduces itself to an iPhone with AT+XAPL. */
export interface AppleAccessory {
  vendorId: number;
  productId: number;
  version: string;
  /** XaplFeature bits. */
  features: number;
}

export const DEFAULT_APPLE_ACCESSORY: AppleAccessory = {
  vendorId: 0x1d6b,
  productId: 0x0246,
  version: '0100',
  features: XaplFeature.BatteryReporting,
};

export interface HandsFreeOptions {
  /** The RFCOMM channel to the AG, already open. */
  channel: ByteChannel;
  clock: Clock;
  /** HfFeature bits for AT+BRSF. Default DEFAULT_HF_FEATURES. */
  features?: number;
  /** Codec ids for AT+BAC. Default [1 CVSD, 2 mSBC]. */
  codecs?: readonly number[];
  /** Time limit per AT command. Default 5 s. */
  commandTimeoutMs?: number;
  /** Commands allowed to wait behind the one in flight. Default 16. */
  maxQueuedCommands?: number;
  /** HF indicators for AT+BIND. Default [1 enhanced safety, 2 battery]. */
  hfIndicators?: readonly number[];
  /** AT+XAPL identity, or false to send no Apple commands. Default DEFAULT_APPLE_ACCESSORY. */
  apple?: AppleAccessory | false;
  /** This PC's battery level (0-100) to report once the SLC is up; undefined reports nothing. */
  batteryPercent?: number;
  /** After this many timeouts in a row the AG is taken for gone and the session closes. Default 3. */
  maxConsecutiveTimeouts?: number;
  ringClipWaitMs?: number;
}

export type HandsFreeState = 'idle' | 'connecting' | 'connected' | 'closed';

export type CallFailure = 'no-carrier' | 'busy' | 'no-answer' | 'delayed' | 'blacklisted';

export interface VolumeChange {
  target: 'speaker' | 'microphone';
  gain: number;
  /** Who changed it: the AG (+VGS/+VGM) or this PC (AT+VGS/AT+VGM accepted). */
  from: 'ag' | 'hf';
}

/** The AG wants call audio: open SCO/eSCO with this codec. */
export interface AudioRequest {
  codec: number;
}

export interface HandsFreeEvents {
  /** The service-level connection is up. */
  slc: [ag: AgInfo];
  /** The setup after the SLC (caller id, operator, +CLCC, XAPL, ...) is done. */
  ready: [ag: AgInfo];
  /** The call list changed. */
  calls: [calls: HfCall[]];
  /** An incoming call rings (once per RING); number and name when the AG sent them. */
  ring: [number: string | undefined, name: string | undefined];
  /** A second call is waiting (+CCWA). */
  waiting: [number: string | undefined, name: string | undefined];
  /** A non-call indicator changed: service, signal, roam, battchg, or one we do not know. */
  indicator: [name: string, value: number];
  operator: [name: string];
  volume: [change: VolumeChange];
  /** The codec for the next audio connection was agreed (AT+BCS=n accepted). */
  codec: [codec: number];
  audio: [request: AudioRequest];
  inBandRing: [enabled: boolean];
  /** NO CARRIER, BUSY, NO ANSWER, DELAYED or BLACKLISTED arrived. */
  callFailed: [reason: CallFailure];
  /** Something went wrong that no caller is waiting for: a garbled line, a failed background command. */
  error: [error: Error];
  close: [reason: Error];
}
