/**
 * The simulated phone's HFP Audio Gateway: publishes the AG SDP record from
 * the phone profile, accepts hands-free units on its RFCOMM channel (one
 * AgSession each; the calls are shared), and fans every call-model change
 * out to them as +CCWA / +CIEV / NO CARRIER. It rings (RING and +CLIP,
 * every `ringIntervalMs`) while a call is incoming, and decides when call
 * audio is needed and for which HF, raising `audioRequested` once the codec
 * is settled and `audioReleased` when no call needs audio any more; the SCO
 * layer acts on those two events.
 */
import type { ByteChannel, ClassicHost, ClassicPeer, ServiceRecord } from '../../link/classic';
import type { Clock, Timer } from '../../link/clock';
import type { HfCommand } from '../../protocol/hfp/commands';
import { Emitter } from '../../util/emitter';
import { ProfileError } from '../errors';
import type { PhoneModel } from '../phone-model';
import type { PhoneProfile } from '../profile';
import { agServiceRecord, cievUpdates } from './ag-replies';
import { AgSession, type AgSessionContext } from './ag-session';
import type { CallChange, CallModel } from './call-model';
import type { CallIndicators } from './call-state';
import type { HfpProfile } from './hfp-profile';

export const DEFAULT_MAX_HF_SESSIONS = 4;

export interface AudioGatewayOptions {
  host: ClassicHost;
  /** The phone; its `telephony` holds the calls. */
  model: PhoneModel;
  profile: PhoneProfile;
  clock: Clock;
  /** Most HFs connected at once (default 4); more channels are refused. */
  maxSessions?: number;
}

/** Ask the SCO layer for an audio link to `peer` with this codec (1 CVSD, 2 mSBC, 3 LC3-SWB). */
export interface AudioRequest {
  peer: ClassicPeer;
  codec: number;
}

export type HfChannelRefusal = 'stopped' | 'session-limit';

export interface AudioGatewayEvents {
  sessionOpened: [peer: ClassicPeer];
  slcEstablished: [peer: ClassicPeer];
  sessionClosed: [peer: ClassicPeer];
  channelRefused: [peer: ClassicPeer, reason: HfChannelRefusal];
  /** Every line an HF sent; `command` is undefined when it did not decode. */
  received: [peer: ClassicPeer, line: string, command: HfCommand | undefined];
  audioRequested: [request: AudioRequest];
  audioReleased: [peer: ClassicPeer];
  /** A bug, caught so that one HF cannot stop the phone. */
  internalError: [peer: ClassicPeer, error: unknown];
}

export class AudioGateway {
  readonly events = new Emitter<AudioGatewayEvents>();
  readonly hfp: HfpProfile;
  private readonly calls: CallModel;
  private readonly active = new Map<ByteChannel, AgSession>();
  private readonly context: AgSessionContext;
  private reported: CallIndicators;
  private ringTimer: Timer | undefined;
  private audioNeeded = false;
  private lastActor: AgSession | undefined;
  private running = false;

  constructor(private readonly options: AudioGatewayOptions) {
    const hfp = options.profile.hfp;
    if (hfp === undefined) throw new ProfileError('hfp', 'is required to run an Audio Gateway', options.profile.id);
    this.hfp = hfp;
    this.calls = options.model.telephony;
    this.reported = this.calls.indicators();
    this.context = this.makeContext();
    this.calls.events.on('changed', (change) => this.onChange(change));
  }

  get started(): boolean {
    return this.running;
  }

  /** The SDP record the phone publishes for its AG. */
  serviceRecord(): ServiceRecord {
    return agServiceRecord(this.hfp);
  }

  /** Connected HFs, oldest first. */
  sessions(): AgSession[] {
    return [...this.active.values()];
  }

  /** The session of the HF with this address (the newest, if it connected twice). */
  session(address: string): AgSession | undefined {
    const key = address.toUpperCase();
    return this.sessions()
      .reverse()
      .find((s) => s.peer.address.toUpperCase() === key);
  }

  /** Publishes the record and listens on the profile's channel. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.reported = this.calls.indicators();
    this.audioNeeded = false;
    const { host } = this.options;
    host.addServiceRecord(this.serviceRecord());
    host.listen(this.hfp.channel, (peer, channel) => this.accept(peer, channel));
  }

  /** Withdraws the record, stops listening and closes every HF's channel. */
  stop(): void {
    if (!this.running) return;
    this.running = false;
    const { host } = this.options;
    host.unlisten(this.hfp.channel);
    host.removeServiceRecord(this.hfp.channel);
    this.ringTimer?.cancel();
    this.ringTimer = undefined;
    for (const session of this.sessions()) session.close();
    this.audioNeeded = false;
  }

  /** The SCO layer reports that the audio link to this HF closed (the HF released it, or the link dropped). */
  audioLinkClosed(address: string): void {
    this.session(address)?.audioLinkClosed();
  }

  private accept(peer: ClassicPeer, channel: ByteChannel): boolean {
    if (!this.running) {
      this.events.emit('channelRefused', peer, 'stopped');
      return false;
    }
    if (this.active.size >= (this.options.maxSessions ?? DEFAULT_MAX_HF_SESSIONS)) {
      this.events.emit('channelRefused', peer, 'session-limit');
      return false;
    }
    this.active.set(channel, new AgSession(peer, channel, this.context));
    this.events.emit('sessionOpened', peer);
    return true;
  }

  private onChange(change: CallChange): void {
    const now = this.calls.indicators();
    const updates = cievUpdates(this.hfp, this.reported, now, change.swapped ? ['callheld'] : []);
    this.reported = now;
    if (!this.running) return;
    for (const session of this.sessions()) {
      this.guard(session, () => session.notifyChange(change, updates));
    }
    this.updateRing();
    this.updateAudio();
  }

  /** Rings now and every ringIntervalMs while a call is incoming; no timer otherwise. */
  private updateRing(): void {
    const ringing = this.calls.calls().some((c) => c.state === 'incoming');
    if (!ringing) {
      this.ringTimer?.cancel();
      this.ringTimer = undefined;
    } else if (!this.ringTimer?.pending) {
      this.ringOnce();
    }
  }

  private ringOnce(): void {
    const call = this.calls.calls().find((c) => c.state === 'incoming');
    if (!call || !this.running) {
      this.ringTimer = undefined;
      return;
    }
    for (const session of this.sessions()) this.guard(session, () => session.ring(call));
    this.ringTimer = this.options.clock.schedule(this.hfp.ringIntervalMs, () => this.ringOnce());
  }

  private updateAudio(): void {
    const needed = this.calls.needsAudio(this.hfp.inBandRing);
    if (needed && !this.audioNeeded) {
      const target = this.audioTarget();
      if (target) this.guard(target, () => target.startAudio());
    } else if (!needed && this.audioNeeded) {
      for (const session of this.sessions()) this.guard(session, () => session.releaseAudio());
    }
    this.audioNeeded = needed;
  }

  /** Call audio goes to the HF that last acted on a call, else to the first HF with an SLC. */
  private audioTarget(): AgSession | undefined {
    if (this.lastActor && !this.lastActor.closed && this.lastActor.slc) return this.lastActor;
    return this.sessions().find((s) => s.slc);
  }

  private audioIdle(): boolean {
    return this.sessions().every((s) => s.audio === 'idle');
  }

  private guard(session: AgSession, action: () => void): void {
    try {
      action();
    } catch (err) {
      this.events.emit('internalError', session.peer, err);
    }
  }

  private makeContext(): AgSessionContext {
    return {
      profile: this.hfp,
      calls: this.calls,
      clock: this.options.clock,
      slcEstablished: (session) => {
        this.events.emit('slcEstablished', session.peer);
        if (this.audioNeeded && this.audioIdle()) session.startAudio();
        else if (!this.hfp.codecOnlyWhenAudio) session.preselectCodec();
      },
      tookCallAction: (session) => {
        this.lastActor = session;
      },
      audioWanted: (session) => session.startAudio(),
      audioRequested: (session, codec) => this.events.emit('audioRequested', { peer: session.peer, codec }),
      audioReleased: (session) => this.events.emit('audioReleased', session.peer),
      received: (session, line, command) => this.events.emit('received', session.peer, line, command),
      internalError: (session, error) => this.events.emit('internalError', session.peer, error),
      closed: (session) => {
        this.active.delete(session.channel);
        if (this.lastActor === session) this.lastActor = undefined;
        this.events.emit('sessionClosed', session.peer);
        if (this.running && this.audioNeeded && this.audioIdle()) {
          const target = this.audioTarget();
          if (target) this.guard(target, () => target.startAudio());
        }
      },
    };
  }
}
