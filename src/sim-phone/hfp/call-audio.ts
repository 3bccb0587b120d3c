/**
 * The simulated phone's call audio: turns the Audio Gateway's decisions
 * into an SCO channel. When the AG asks for audio it connects SCO to that
 * hands-free unit (air mode 'transparent' for mSBC, 'cvsd' for CVSD),
 * puts a VoicePath and an AudioEndpoint on it (the phone plays test tones
 * and records what the PC sends), closes the channel when the AG releases
 * audio, and tells the AG whenever the channel goes away. One audio link
 * at a time, as a phone routes one call's audio to one HF.
 */
import { AudioEndpoint, RecordingSink, ToneSource, ToneSourceOptions } from '../../audio/audio-endpoint';
import { Concealment, VoiceCodec, VoicePath, VoicePathStats } from '../../audio/voice-path';
import type { Clock } from '../../link/clock';
import { DisconnectedError } from '../../link/errors';
import type { ScoAirMode, ScoChannel, ScoEndpoint } from '../../link/sco';
import { AudioCodec } from '../../protocol/hfp/constants';
import { Emitter } from '../../util/emitter';
import type { AudioGateway, AudioRequest } from './audio-gateway';

/** Seconds of the PC's audio one call's recording keeps (default). */
export const DEFAULT_PHONE_RECORDING_SECONDS = 60;

/** The voice codec and air mode for an HFP codec id; undefined for codecs the phone's SCO cannot carry. */
export function scoSettingsFor(codec: number): { voice: VoiceCodec; airMode: ScoAirMode } | undefined {
  if (codec === AudioCodec.Cvsd) return { voice: 'cvsd', airMode: 'cvsd' };
  if (codec === AudioCodec.Msbc) return { voice: 'msbc', airMode: 'transparent' };
  return undefined;
}

export type PhoneAudioState = 'idle' | 'connecting' | 'open';

export interface PhoneAudioOpened {
  peer: string;
  /** HFP codec id (1 CVSD, 2 mSBC). */
  codec: number;
  voice: VoiceCodec;
  handle: number;
}

export interface PhoneAudioClosed extends PhoneAudioOpened {
  /** HCI-style reason the channel closed with. */
  reason: number;
}

export interface PhoneCallAudioEvents {
  opened: [event: PhoneAudioOpened];
  closed: [event: PhoneAudioClosed];
  /** The SCO channel could not be set up (refused, limit, link down, codec the link cannot carry). */
  failed: [peer: string, codec: number, error: unknown];
}

/** What call audio needs of the Audio Gateway: its events and the report that the link closed. */
export type AudioGatewayLink = Pick<AudioGateway, 'events' | 'audioLinkClosed'>;

export interface PhoneCallAudioOptions {
  gateway: AudioGatewayLink;
  endpoint: ScoEndpoint;
  clock: Clock;
  /** How lost frames are filled; default 'silence'. */
  concealment?: Concealment;
  /** Bound on each call's recording, seconds; default 60. */
  maxRecordedSeconds?: number;
}

interface Link {
  peer: string;
  codec: number;
  voice: VoiceCodec;
  /** Set once the channel is up. */
  audio?: AudioEndpoint;
  /** Release asked for while connecting: close as soon as the channel is up. */
  released: boolean;
}

export class PhoneCallAudio {
  readonly events = new Emitter<PhoneCallAudioEvents>();
  private link: Link | undefined;
  private last: AudioEndpoint | undefined;
  private readonly offs: (() => void)[];

  constructor(private readonly options: PhoneCallAudioOptions) {
    const { gateway } = options;
    this.offs = [
      gateway.events.on('audioRequested', (request) => this.open(request)),
      gateway.events.on('audioReleased', (peer) => this.release(peer.address)),
    ];
  }

  get state(): PhoneAudioState {
    if (!this.link) return 'idle';
    return this.link.audio ? 'open' : 'connecting';
  }

  /** The open channel's HFP codec id. */
  get codec(): number | undefined {
    return this.link?.audio ? this.link.codec : undefined;
  }

  /** The open SCO channel. */
  get channel(): ScoChannel | undefined {
    return this.link?.audio?.path.channel;
  }

  /** The voice path of the open call, or of the last one after it closed. */
  get path(): VoicePath | undefined {
    return (this.link?.audio ?? this.last)?.path;
  }

  /** What the PC sent on the open call, or on the last one (kept until the next call opens). */
  get recording(): RecordingSink | undefined {
    return (this.link?.audio ?? this.last)?.recording;
  }

  get stats(): VoicePathStats | undefined {
    return this.path?.stats;
  }

  /** Plays a tone into the open call (the phone's microphone). Throws DisconnectedError without one. */
  playTone(options: ToneSourceOptions): ToneSource {
    const audio = this.link?.audio;
    if (!audio || !audio.path.channel.open) throw new DisconnectedError(0x16, 'no call audio is open on the phone');
    return audio.playTone(options);
  }

  stopTone(): void {
    this.link?.audio?.stopTone();
  }

  /** Closes any audio link (the phone stops); resolves once the PC's end has closed too. */
  async close(): Promise<void> {
    const link = this.link;
    if (!link) return;
    link.released = true;
    const channel = link.audio?.path.channel;
    if (channel) await channel.close();
  }

  /** Closes any audio link and stops following the gateway. */
  dispose(): void {
    void this.close();
    for (const off of this.offs.splice(0)) off();
  }

  private open(request: AudioRequest): void {
    const peer = request.peer.address;
    const current = this.link;
    if (current) {
      // Same HF and codec already under way: nothing to do; otherwise the old link gives way.
      if (current.peer.toUpperCase() === peer.toUpperCase() && current.codec === request.codec && !current.released) return;
      void this.close();
    }
    const settings = scoSettingsFor(request.codec);
    if (!settings) {
      this.events.emit('failed', peer, request.codec, new RangeError(`codec ${request.codec} has no SCO setting on this phone`));
      this.options.gateway.audioLinkClosed(peer);
      return;
    }
    const link: Link = { peer, codec: request.codec, voice: settings.voice, released: false };
    this.link = link;
    this.options.endpoint.connect(peer, { airMode: settings.airMode }).then(
      (channel) => this.attach(link, channel),
      (error: unknown) => {
        if (this.link === link) this.link = undefined;
        this.events.emit('failed', peer, request.codec, error);
        this.options.gateway.audioLinkClosed(peer);
      },
    );
  }

  private attach(link: Link, channel: ScoChannel): void {
    if (this.link !== link || link.released || !channel.open) {
      if (this.link === link) this.link = undefined;
      void channel.close();
      return;
    }
    const path = new VoicePath(channel, { codec: link.voice, concealment: this.options.concealment });
    const seconds = this.options.maxRecordedSeconds ?? DEFAULT_PHONE_RECORDING_SECONDS;
    const audio = new AudioEndpoint(this.options.clock, path, { maxRecordedSamples: Math.round(seconds * path.sampleRate) });
    link.audio = audio;
    this.last = audio;
    const base = { peer: link.peer, codec: link.codec, voice: link.voice, handle: channel.handle };
    path.events.on('close', (reason) => {
      audio.detach();
      if (this.link === link) this.link = undefined;
      this.events.emit('closed', { ...base, reason });
      this.options.gateway.audioLinkClosed(link.peer);
    });
    this.events.emit('opened', base);
  }

  private release(peer: string): void {
    const link = this.link;
    if (!link || link.peer.toUpperCase() !== peer.toUpperCase()) return;
    link.released = true;
    const channel = link.audio?.path.channel;
    if (channel) void channel.close();
  }
}
