/**
 * The codec side of a call over an SCO channel: host PCM in, host packets
 * out, and back, with lost frames concealed and counted.
 *
 * - 'cvsd' (air mode 'cvsd'): the host carries 16-bit little-endian PCM at
 *   8 kHz and the controller codes CVSD on the air, so a packet is just
 *   samples (60 per 120-byte packet at 7.5 ms). A lost packet is known only
 *   from its status flag.
 * - 'msbc' (air mode 'transparent'): 16 kHz PCM -> MsbcEncoder (120 samples
 *   per 57-byte frame) -> H2Wrapper -> one 60-byte packet per frame; back
 *   through H2Unwrapper -> MsbcDecoder. Losses are found in-band: a packet
 *   with no valid frame is concealed at once, and a gap in the H2 sequence
 *   conceals whatever was not yet covered. Until the first frame arrives
 *   the output is silence, and only packets flagged as lost count as lost
 *   (a clean packet with no frame is a peer not yet sending). mSBC's filterbanks
 *   delay the signal by MSBC_CODEC_DELAY_SAMPLES (73 at 16 kHz).
 *
 * Concealment: 'silence' puts zeros in place of a lost frame; 'repeat'
 * replays the last good frame, halving it for each further frame lost in
 * a row.
 */
import { DisconnectedError, QueueFullError } from '../link/errors';
import { ScoChannel, ScoPacketStatus, bytesFromPcm16, pcm16FromBytes } from '../link/sco';
import { Emitter } from '../util/emitter';
import { H2Unwrapper, H2Wrapper, H2_PACKET_LENGTH, MSBC, MsbcDecoder, MsbcEncoder, SbcError } from './sbc';

export type VoiceCodec = 'cvsd' | 'msbc';
export type Concealment = 'silence' | 'repeat';

/** Host PCM sample rate for each codec. */
export const VOICE_SAMPLE_RATES: Readonly<Record<VoiceCodec, number>> = { cvsd: 8000, msbc: MSBC.sampleRate };
/** mSBC analysis + synthesis delay in 16 kHz samples (9 * 8 subbands + 1). */
export const MSBC_CODEC_DELAY_SAMPLES = 73;

/** A codec that does not fit the channel, or bad options. */
export class VoicePathError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'VoicePathError';
  }
}

export interface VoiceReceiveStats {
  /** Packets taken from the channel. */
  packetsReceived: number;
  /** Packets whose status was not Ok. */
  flaggedPackets: number;
  /** Frames decoded from the air. */
  framesDecoded: number;
  /** Frames concealed because they were lost (or arrived undecodable). */
  lostFrames: number;
  /** mSBC frames whose H2 sequence number was not the expected one. */
  outOfSequence: number;
  /** mSBC frames that passed the CRC but did not decode. */
  undecodable: number;
}

export interface VoicePathStats extends VoiceReceiveStats {
  packetsSent: number;
}

/** Checks that `codec` fits a channel with this air mode and packet size; returns samples per packet. */
export function samplesPerPacket(codec: VoiceCodec, airMode: string, hostPacketBytes: number): number {
  if (codec === 'msbc') {
    if (airMode !== 'transparent' || hostPacketBytes !== H2_PACKET_LENGTH) {
      throw new VoicePathError('voice.codec-mismatch', `mSBC needs a transparent channel of ${H2_PACKET_LENGTH}-byte packets`);
    }
    return MSBC.samplesPerFrame;
  }
  if (codec === 'cvsd') {
    if (airMode !== 'cvsd' || hostPacketBytes <= 0 || hostPacketBytes % 2 !== 0) {
      throw new VoicePathError('voice.codec-mismatch', 'CVSD needs a cvsd channel with 16-bit host packets');
    }
    return hostPacketBytes / 2;
  }
  throw new VoicePathError('voice.bad-codec', `unknown voice codec ${String(codec)}`);
}

/** PCM -> host packets for one codec; holds back less than one packet's worth of samples. */
export class VoiceEncoder {
  readonly samplesPerPacket: number;
  private readonly msbc: MsbcEncoder | undefined;
  private readonly wrapper = new H2Wrapper();
  private held: Int16Array = new Int16Array(0);

  constructor(
    readonly codec: VoiceCodec,
    airMode: string,
    hostPacketBytes: number,
  ) {
    this.samplesPerPacket = samplesPerPacket(codec, airMode, hostPacketBytes);
    this.msbc = codec === 'msbc' ? new MsbcEncoder() : undefined;
  }

  /** Samples waiting for a whole packet. */
  get bufferedSamples(): number {
    return this.msbc ? this.msbc.bufferedSamples : this.held.length;
  }

  /** Packets `samples` more input would complete. */
  packetsFor(samples: number): number {
    return Math.floor((this.bufferedSamples + samples) / this.samplesPerPacket);
  }

  encode(pcm: Int16Array): Uint8Array[] {
    if (this.msbc) return this.msbc.encode(pcm).map((frame) => this.wrapper.wrap(frame));
    const all = new Int16Array(this.held.length + pcm.length);
    all.set(this.held, 0);
    all.set(pcm, this.held.length);
    const packets: Uint8Array[] = [];
    let pos = 0;
    for (; pos + this.samplesPerPacket <= all.length; pos += this.samplesPerPacket) {
      packets.push(bytesFromPcm16(all.subarray(pos, pos + this.samplesPerPacket)));
    }
    this.held = all.slice(pos);
    return packets;
  }

  /** Drops held samples and codec history, as for a new call. */
  reset(): void {
    this.held = new Int16Array(0);
    this.msbc?.reset();
    this.wrapper.reset();
  }
}

/** Host packets -> PCM for one codec, concealing and counting lost frames. */
export class VoiceDecoder {
  readonly samplesPerPacket: number;
  private readonly msbc: MsbcDecoder | undefined;
  private readonly unwrapper = new H2Unwrapper();
  private readonly counters: VoiceReceiveStats = {
    packetsReceived: 0,
    flaggedPackets: 0,
    framesDecoded: 0,
    lostFrames: 0,
    outOfSequence: 0,
    undecodable: 0,
  };
  private last: Int16Array;
  private lostInRow = 0;
  private synced = false;
  /** mSBC frames concealed since the last good one, which the next one's H2 gap will count again. */
  private concealedAhead = 0;

  constructor(
    readonly codec: VoiceCodec,
    airMode: string,
    hostPacketBytes: number,
    private readonly concealment: Concealment = 'silence',
  ) {
    if (concealment !== 'silence' && concealment !== 'repeat') {
      throw new VoicePathError('voice.bad-concealment', `unknown concealment ${String(concealment)}`);
    }
    this.samplesPerPacket = samplesPerPacket(codec, airMode, hostPacketBytes);
    this.msbc = codec === 'msbc' ? new MsbcDecoder() : undefined;
    this.last = new Int16Array(this.samplesPerPacket);
  }

  get stats(): VoiceReceiveStats {
    return { ...this.counters };
  }

  /** One packet (with its ScoPacketStatus) in; the PCM it stands for out (one packet's worth, more when catching up). */
  decode(packet: Uint8Array, status: number): Int16Array {
    this.counters.packetsReceived++;
    if (status !== ScoPacketStatus.Ok) this.counters.flaggedPackets++;
    const msbc = this.msbc;
    if (!msbc) return this.decodeCvsd(packet, status);
    const out: Int16Array[] = [];
    const frames = this.unwrapper.push(packet);
    if (frames.length === 0) {
      if (this.synced) {
        out.push(this.conceal());
        this.concealedAhead++;
      } else if (status !== ScoPacketStatus.Ok) {
        // Flagged before any frame: a frame was sent and lost (the first frame's H2 gap cannot show it).
        out.push(this.conceal());
      } else {
        out.push(new Int16Array(this.samplesPerPacket));
      }
    }
    for (const frame of frames) {
      if (this.synced) for (let i = this.concealedAhead; i < frame.lost; i++) out.push(this.conceal());
      if (!frame.inSequence) this.counters.outOfSequence++;
      this.concealedAhead = 0;
      this.synced = true;
      out.push(this.decodeFrame(msbc, frame.frame));
    }
    return concat(out);
  }

  private decodeCvsd(packet: Uint8Array, status: number): Int16Array {
    if (status === ScoPacketStatus.Ok) return this.good(pcm16FromBytes(packet));
    return this.conceal();
  }

  private decodeFrame(decoder: MsbcDecoder, frame: Uint8Array): Int16Array {
    try {
      const pcm = decoder.decode(frame);
      this.counters.framesDecoded++;
      return this.good(pcm);
    } catch (error) {
      if (!(error instanceof SbcError)) throw error;
      this.counters.undecodable++;
      return this.conceal();
    }
  }

  private good(pcm: Int16Array): Int16Array {
    this.last = pcm;
    this.lostInRow = 0;
    return pcm;
  }

  private conceal(): Int16Array {
    this.counters.lostFrames++;
    this.lostInRow++;
    if (this.concealment === 'silence') return new Int16Array(this.samplesPerPacket);
    const scale = 0.5 ** (this.lostInRow - 1);
    return this.last.map((v) => Math.round(v * scale));
  }
}

export interface VoicePathOptions {
  codec: VoiceCodec;
  /** Default 'silence'. */
  concealment?: Concealment;
}

export interface VoicePathEvents {
  /** Decoded (or concealed) PCM at the codec's sample rate, as each packet arrives. */
  audio: [pcm: Int16Array];
  close: [reason: number];
}

/** A call's audio over one ScoChannel: `send` PCM, hear 'audio'. */
export class VoicePath {
  readonly events = new Emitter<VoicePathEvents>();
  readonly sampleRate: number;
  private readonly encoder: VoiceEncoder;
  private readonly decoder: VoiceDecoder;
  private readonly offs: (() => void)[];
  private sent = 0;

  constructor(
    readonly channel: ScoChannel,
    options: VoicePathOptions,
  ) {
    this.encoder = new VoiceEncoder(options.codec, channel.airMode, channel.hostPacketBytes);
    this.decoder = new VoiceDecoder(options.codec, channel.airMode, channel.hostPacketBytes, options.concealment);
    this.sampleRate = VOICE_SAMPLE_RATES[options.codec];
    this.offs = [
      channel.events.on('packet', (data, status) => this.events.emit('audio', this.decoder.decode(data, status))),
      channel.events.on('close', (reason) => {
        this.detach();
        this.events.emit('close', reason);
      }),
    ];
  }

  get codec(): VoiceCodec {
    return this.encoder.codec;
  }

  /** Delay the codec itself adds, in samples at `sampleRate` (the controller's CVSD delay is the link's). */
  get codecDelaySamples(): number {
    return this.codec === 'msbc' ? MSBC_CODEC_DELAY_SAMPLES : 0;
  }

  get samplesPerPacket(): number {
    return this.encoder.samplesPerPacket;
  }

  get stats(): VoicePathStats {
    return { packetsSent: this.sent, ...this.decoder.stats };
  }

  /**
   * Encodes `pcm` and queues the packets it completes. Throws
   * DisconnectedError when the channel is closed and QueueFullError (taking
   * nothing) when the channel's queue cannot hold them.
   */
  send(pcm: Int16Array): void {
    const { channel } = this;
    if (!channel.open) throw new DisconnectedError(0x16, 'the SCO channel is closed');
    const packets = this.encoder.packetsFor(pcm.length);
    if (channel.pendingPackets + packets > channel.maxPendingPackets) {
      throw new QueueFullError(`SCO channel ${channel.handle} transmit`, channel.maxPendingPackets);
    }
    for (const packet of this.encoder.encode(pcm)) {
      channel.send(packet);
      this.sent++;
    }
  }

  /** Stops listening to the channel (it stays open). */
  detach(): void {
    for (const off of this.offs.splice(0)) off();
  }
}

function concat(parts: Int16Array[]): Int16Array {
  if (parts.length === 1) return parts[0] ?? new Int16Array(0);
  const out = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
  let pos = 0;
  for (const part of parts) {
    out.set(part, pos);
    pos += part.length;
  }
  return out;
}
