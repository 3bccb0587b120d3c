/**
 * Test rig for the phone's Audio Gateway: a PhoneModel on a VirtualClock, a
 * started AudioGateway on a FakeClassicHost, and hands-free units that open
 * the AG's channel, send AT lines and collect exactly what the AG wrote.
 */
import { VirtualClock } from '../../../src/link/virtual-clock';
import { type AudioRequest, AudioGateway } from '../../../src/sim-phone/hfp/audio-gateway';
import type { CallModelOptions } from '../../../src/sim-phone/hfp/call-model';
import { PhoneModel } from '../../../src/sim-phone/phone-model';
import { type PhoneProfile, loadPhoneProfile } from '../../../src/sim-phone/profile';
import { type FakeByteChannel, FakeClassicHost } from '../fake-classic-host';

export const HF_ADDRESS = 'AA:BB:CC:DD:EE:01';
/** The Hands-free class of device a PC shows. */
export const HF_COD = 0x7c0408;

/** Bumble's HF features: EC/NR, 3-way, CLI, VR, volume, ECS, ECC, codec negotiation, HF indicators. */
export const HF_ALL = 0b1_1111_1111;
/** An HF with CLI and remote volume only: no 3-way, no codec negotiation, no HF indicators. */
export const HF_BASIC = (1 << 2) | (1 << 4);

export interface AgRig {
  clock: VirtualClock;
  profile: PhoneProfile;
  model: PhoneModel;
  host: FakeClassicHost;
  ag: AudioGateway;
  audio: { event: 'requested' | 'released'; peer: string; codec?: number; atMs: number }[];
  internalErrors: unknown[];
}

export function makeAgRig(options: { profile?: string | PhoneProfile; telephony?: Omit<CallModelOptions, 'history'>; maxChunk?: number } = {}): AgRig {
  const clock = new VirtualClock();
  const profile = typeof options.profile === 'object' ? options.profile : loadPhoneProfile(options.profile ?? 'iphone');
  const model = new PhoneModel(profile, clock, options.telephony ? { telephony: options.telephony } : {});
  const host = new FakeClassicHost(clock, options.maxChunk ?? 700);
  const ag = new AudioGateway({ host, model, profile, clock });
  const rig: AgRig = { clock, profile, model, host, ag, audio: [], internalErrors: [] };
  ag.events.on('audioRequested', (r: AudioRequest) => rig.audio.push({ event: 'requested', peer: r.peer.address, codec: r.codec, atMs: clock.now() }));
  ag.events.on('audioReleased', (peer) => rig.audio.push({ event: 'released', peer: peer.address, atMs: clock.now() }));
  ag.events.on('internalError', (_peer, err) => rig.internalErrors.push(err));
  ag.start();
  return rig;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A hands-free unit connected to the AG's channel. */
export class Hf {
  private output = '';

  constructor(
    readonly rig: AgRig,
    readonly channel: FakeByteChannel,
  ) {
    channel.events.on('data', (chunk) => {
      this.output += decoder.decode(chunk);
    });
  }

  static connect(rig: AgRig, address = HF_ADDRESS): Hf {
    const channel = rig.host.openAs({ address, classOfDevice: HF_COD }, rig.ag.hfp.channel);
    if (channel === undefined) throw new Error('the AG refused the channel');
    return new Hf(rig, channel);
  }

  /** Writes raw bytes. */
  write(data: string | Uint8Array): void {
    this.channel.write(typeof data === 'string' ? encoder.encode(data) : data);
  }

  /** Sends `line` + CR, lets the link deliver, and returns exactly what the AG wrote meanwhile. */
  at(line: string): string {
    this.write(`${line}\r`);
    this.rig.clock.advance(5);
    return this.take();
  }

  /** What the AG wrote since the last take. */
  take(): string {
    const out = this.output;
    this.output = '';
    return out;
  }

  /** Advances the clock and returns what the AG wrote meanwhile. */
  wait(ms: number): string {
    this.rig.clock.advance(ms);
    return this.take();
  }
}

/** `\r\n<line>\r\n` for each line: the exact bytes an AG sends. */
export function wire(...lines: string[]): string {
  return lines.map((l) => `\r\n${l}\r\n`).join('');
}

/** Runs the SLC the way bumble's HF does (with codec negotiation when `codecs` is given); returns the HF. */
export function slc(rig: AgRig, options: { features?: number; codecs?: number[]; address?: string; extras?: string[] } = {}): Hf {
  const hf = Hf.connect(rig, options.address);
  const features = options.features ?? HF_ALL;
  hf.at(`AT+BRSF=${features}`);
  if (options.codecs) hf.at(`AT+BAC=${options.codecs.join(',')}`);
  hf.at('AT+CIND=?');
  hf.at('AT+CIND?');
  hf.at('AT+CMER=3,0,0,1');
  const agFeatures = rig.profile.hfp?.agFeatures ?? 0;
  if (features & (1 << 1) && agFeatures & 1) hf.at('AT+CHLD=?');
  if (features & (1 << 8) && agFeatures & (1 << 10)) {
    hf.at('AT+BIND=1,2');
    hf.at('AT+BIND=?');
    hf.at('AT+BIND?');
  }
  for (const line of options.extras ?? ['AT+CLIP=1', 'AT+CCWA=1']) hf.at(line);
  return hf;
}
