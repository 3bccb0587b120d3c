/**
 * The PC's call audio as a hands-free unit: accepts the SCO channel the
 * phone (the AG) sets up, decodes it with the codec the hands-free session
 * agreed (AT+BCS; CVSD when codecs are not negotiated), plays test tones
 * into it (the PC's microphone) and records what the phone sends (the PC's
 * speaker). A channel whose air mode does not fit the agreed codec, one
 * from another device, or a second one while a call's audio is open is
 * refused. One call's audio at a time; the last recording is kept until
 * the next channel opens.
 */
import { AudioEndpoint, RecordingSink, ToneSource, ToneSourceOptions } from '../../audio/audio-endpoint';
import { Concealment, VoiceCodec, VoicePath, VoicePathError } from '../../audio/voice-path';
import type { Clock } from '../../link/clock';
import { DisconnectedError } from '../../link/errors';
import type { ScoChannel, ScoEndpoint } from '../../link/sco';
import { AudioCodec } from '../../protocol/hfp/constants';
import { Emitter } from '../../util/emitter';

/** Seconds of the phone's audio one call's recording keeps (default). */
export const DEFAULT_PC_RECORDING_SECONDS = 60;

/** The voice codec for an HFP codec id; undefined for codecs the PC cannot decode. */
export function voiceCodecFor(codec: number): VoiceCodec | undefined {
  if (codec === AudioCodec.Cvsd) return 'cvsd';
  if (codec === AudioCodec.Msbc) return 'msbc';
  return undefined;
}

export interface CallAudioOpened {
  peer: string;
  /** HFP codec id (1 CVSD, 2 mSBC). */
  codec: number;
  voice: VoiceCodec;
  airMode: string;
  handle: number;
}

export interface CallAudioClosed extends CallAudioOpened {
  /** HCI-style reason the channel closed with. */
  reason: number;
}

export type CallAudioRefusal = 'busy' | 'unknown-device' | 'codec-mismatch' | 'unsupported-codec';

export interface CallAudioEvents {
  opened: [event: CallAudioOpened];
  closed: [event: CallAudioClosed];
  refused: [peer: string, reason: CallAudioRefusal, detail: string];
}

export interface CallAudioStats {
  /** HFP codec id of the call these figures are for (undefined before any call). */
  codec: number | undefined;
  packetsSent: number;
  packetsReceived: number;
  /** Frames that arrived intact (mSBC frames decoded; CVSD packets received clean). */
  frames: number;
  /** Frames lost on the air and concealed. */
  lost: number;
}

export interface CallAudioOptions {
  endpoint: ScoEndpoint;
  clock: Clock;
  /** The codec the hands-free session agreed (HandsFree.codec); undefined means CVSD. */
  codec?: () => number | undefined;
  /** Only this device may open audio (the phone's address); default any. */
  phoneAddress?: string;
  /** How lost frames are filled; default 'silence'. */
  concealment?: Concealment;
  /** Bound on each call's recording, seconds; default 60. */
  maxRecordedSeconds?: number;
}

interface Current {
  audio: AudioEndpoint;
  codec: number;
}

export class CallAudio {
  readonly events = new Emitter<CallAudioEvents>();
  private current: Current | undefined;
  private last: Current | undefined;
  private listening = false;

  constructor(private readonly options: CallAudioOptions) {}

  get started(): boolean {
    return this.listening;
  }

  get open(): boolean {
    return this.current !== undefined;
  }

  /** HFP codec id of the open call's audio. */
  get codec(): number | undefined {
    return this.current?.codec;
  }

  /** The open SCO channel. */
  get channel(): ScoChannel | undefined {
    return this.current?.audio.path.channel;
  }

  /** The voice path of the open call, or of the last one after it closed. */
  get path(): VoicePath | undefined {
    return (this.current ?? this.last)?.audio.path;
  }

  /** What the phone sent on the open call, or on the last one. */
  get recording(): RecordingSink | undefined {
    return (this.current ?? this.last)?.audio.recording;
  }

  get stats(): CallAudioStats {
    const call = this.current ?? this.last;
    if (!call) return { codec: undefined, packetsSent: 0, packetsReceived: 0, frames: 0, lost: 0 };
    const s = call.audio.path.stats;
    const frames = call.audio.path.codec === 'msbc' ? s.framesDecoded : s.packetsReceived - s.flaggedPackets;
    return { codec: call.codec, packetsSent: s.packetsSent, packetsReceived: s.packetsReceived, frames, lost: s.lostFrames };
  }

  /** Starts accepting SCO channels from the phone. */
  start(): void {
    if (this.listening) return;
    this.listening = true;
    this.options.endpoint.listen((channel, peer) => this.accept(channel, peer));
  }

  /** Stops accepting channels and closes the open one (resolves once the phone's end closed too). */
  async stop(): Promise<void> {
    if (this.listening) this.options.endpoint.unlisten();
    this.listening = false;
    const channel = this.current?.audio.path.channel;
    if (channel) await channel.close();
  }

  /** Plays a tone into the open call. Throws DisconnectedError without one. */
  playTone(options: ToneSourceOptions): ToneSource {
    const audio = this.current?.audio;
    if (!audio || !audio.path.channel.open) throw new DisconnectedError(0x16, 'no call audio is open on the PC');
    return audio.playTone(options);
  }

  stopTone(): void {
    this.current?.audio.stopTone();
  }

  private accept(channel: ScoChannel, peer: string): boolean {
    const expected = this.options.phoneAddress;
    if (expected !== undefined && expected.toUpperCase() !== peer.toUpperCase()) {
      return this.refuse(peer, 'unknown-device', `audio from ${peer}, not the phone`);
    }
    if (this.current) return this.refuse(peer, 'busy', 'call audio is already open');
    const codec = this.options.codec?.() ?? AudioCodec.Cvsd;
    const voice = voiceCodecFor(codec);
    if (!voice) return this.refuse(peer, 'unsupported-codec', `codec ${codec} cannot be decoded here`);
    let path: VoicePath;
    try {
      path = new VoicePath(channel, { codec: voice, concealment: this.options.concealment });
    } catch (error) {
      if (!(error instanceof VoicePathError)) throw error;
      return this.refuse(peer, 'codec-mismatch', `${voice} agreed, channel air mode ${channel.airMode}: ${error.message}`);
    }
    const seconds = this.options.maxRecordedSeconds ?? DEFAULT_PC_RECORDING_SECONDS;
    const audio = new AudioEndpoint(this.options.clock, path, { maxRecordedSamples: Math.round(seconds * path.sampleRate) });
    const call: Current = { audio, codec };
    this.current = call;
    this.last = call;
    const base: CallAudioOpened = { peer, codec, voice, airMode: channel.airMode, handle: channel.handle };
    path.events.on('close', (reason) => {
      audio.detach();
      if (this.current === call) this.current = undefined;
      this.events.emit('closed', { ...base, reason });
    });
    this.events.emit('opened', base);
    return true;
  }

  private refuse(peer: string, reason: CallAudioRefusal, detail: string): false {
    this.events.emit('refused', peer, reason, detail);
    return false;
  }
}
