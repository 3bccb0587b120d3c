/**
 * A ready-to-run simulated phone: a PhoneModel, the Backchannel that drives
 * it and the ANCS provider, wired over a given GATT server host and clock;
 * with a classic host as well, the PBAP server, the MAP server (with its
 * MNS client) and the HFP Audio Gateway too, and with an SCO endpoint as
 * well, call audio. `start()` publishes the services and advertises the
 * phone's name (an ANCS accessory solicits the ANCS UUID; the phone itself
 * only shows its name). A profile with a `hostile` section gets a saboteur
 * between the profile servers and the given hosts (see `hostile/`).
 */
import { Clock } from '../link/clock';
import { GattServerHost } from '../link/ble';
import type { ClassicHost } from '../link/classic';
import { AncsProvider } from './ancs-provider';
import { Backchannel } from './backchannel';
import { AudioGateway, type AudioGatewayOptions } from './hfp/audio-gateway';
import { PhoneCallAudio, type PhoneCallAudioOptions } from './hfp/call-audio';
import type { ScoEndpoint } from '../link/sco';
import { MapServer, type MapServerOptions } from './map/map-server';
import { PbapServer, type PbapServerOptions } from './pbap-server';
import { PhoneModel, PhoneModelOptions } from './phone-model';
import { PhoneProfile, loadPhoneProfile } from './profile';
import { Saboteur } from './hostile/saboteur';
import { HostileGattHost } from './hostile/hostile-gatt-host';
import { HostileClassicHost } from './hostile/hostile-classic-host';

export interface SimulatedPhoneOptions extends PhoneModelOptions {
  host: GattServerHost;
  clock: Clock;
  /** A loaded profile, or a profile id / path for `loadPhoneProfile`. Default "iphone". */
  profile?: PhoneProfile | string;
  /** The phone's BR/EDR side; given, the phone runs the PBAP server (when its profile has a `pbap` section). */
  classicHost?: ClassicHost;
  /** Tuning for the PBAP server (session limit, chunk size, OBEX packet length and timeout). */
  pbapOptions?: Pick<PbapServerOptions, 'maxSessions' | 'cardsPerChunk' | 'maxPacketLength' | 'timeoutMs'>;
  /** Tuning for the MAP server (OBEX packet length and timeout, push size, MNS queue and retries). */
  mapOptions?: Pick<MapServerOptions, 'maxPacketLength' | 'timeoutMs' | 'maxPushBytes' | 'mns'>;
  /** Tuning for the HFP Audio Gateway (how many HFs at once). */
  hfpOptions?: Pick<AudioGatewayOptions, 'maxSessions'>;
  /** The phone's synchronous (SCO) radio; given with HFP, call audio runs over it (`phone.audio`). */
  scoEndpoint?: ScoEndpoint;
  /** Tuning for call audio (concealment, recording bound). */
  audioOptions?: Pick<PhoneCallAudioOptions, 'concealment' | 'maxRecordedSeconds'>;
}

export class SimulatedPhone {
  readonly profile: PhoneProfile;
  readonly model: PhoneModel;
  readonly backchannel: Backchannel;
  readonly ancs: AncsProvider;
  readonly host: GattServerHost;
  readonly classicHost: ClassicHost | undefined;
  /** Present when a classic host was given and the profile has a `pbap` section. */
  readonly pbap: PbapServer | undefined;
  /** Present when a classic host was given and the profile has a `map` section. */
  readonly map: MapServer | undefined;
  /** Present when a classic host was given and the profile has an `hfp` section. */
  readonly hfp: AudioGateway | undefined;
  /** Call audio over SCO; present when the AG runs and an SCO endpoint was given. */
  readonly audio: PhoneCallAudio | undefined;
  /** Present when the profile has a `hostile` section: arms faults and records those committed. */
  readonly saboteur: Saboteur | undefined;
  private running = false;

  constructor(options: SimulatedPhoneOptions) {
    const profile = options.profile ?? 'iphone';
    this.profile = typeof profile === 'string' ? loadPhoneProfile(profile) : profile;
    const hostile = this.profile.hostile;
    this.saboteur = hostile === undefined ? undefined : new Saboteur({ clock: options.clock, hostile });
    this.host = this.saboteur === undefined ? options.host : new HostileGattHost(options.host, this.saboteur, options.clock);
    this.model = new PhoneModel(this.profile, options.clock, options);
    this.backchannel = new Backchannel(this.model);
    this.ancs = new AncsProvider({ host: this.host, model: this.model, profile: this.profile, clock: options.clock });
    this.classicHost =
      this.saboteur === undefined || options.classicHost === undefined
        ? options.classicHost
        : new HostileClassicHost(options.classicHost, this.saboteur, options.clock, {
            ...(this.profile.pbap ? { pbap: this.profile.pbap.channel } : {}),
            ...(this.profile.map ? { map: this.profile.map.channel } : {}),
            ...(this.profile.hfp ? { hfp: this.profile.hfp.channel } : {}),
          });
    if (this.classicHost !== undefined && this.profile.classic !== undefined) {
      this.classicHost.setName(this.profile.classic.name);
      this.classicHost.setClassOfDevice(this.profile.classic.classOfDevice);
    }
    this.pbap =
      this.classicHost !== undefined && this.profile.pbap !== undefined
        ? new PbapServer({ ...options.pbapOptions, host: this.classicHost, model: this.model, profile: this.profile, clock: options.clock })
        : undefined;
    this.map =
      this.classicHost !== undefined && this.profile.map !== undefined
        ? new MapServer({ ...options.mapOptions, host: this.classicHost, model: this.model, profile: this.profile, clock: options.clock })
        : undefined;
    this.hfp =
      this.classicHost !== undefined && this.profile.hfp !== undefined
        ? new AudioGateway({ ...options.hfpOptions, host: this.classicHost, model: this.model, profile: this.profile, clock: options.clock })
        : undefined;
    this.audio =
      this.hfp !== undefined && options.scoEndpoint !== undefined
        ? new PhoneCallAudio({ ...options.audioOptions, gateway: this.hfp, endpoint: options.scoEndpoint, clock: options.clock })
        : undefined;
    // The GATT server follows iOS publishing or withdrawing ANCS.
    this.model.events.on('ancsPublication', (published) => {
      if (!this.running) return;
      if (published) this.ancs.start();
      else this.ancs.stop();
    });
  }

  get started(): boolean {
    return this.running;
  }

  /** Publishes ANCS (and PBAP, MAP and HFP) and starts advertising the phone's name. */
  start(): void {
    if (this.running) return;
    this.running = true;
    if (this.model.ancsIsPublished) this.ancs.start();
    this.pbap?.start();
    this.map?.start();
    this.hfp?.start();
    this.host.startAdvertising({ localName: this.profile.name });
  }

  /** Stops advertising and withdraws ANCS, PBAP, MAP and HFP. The phone can be started again. */
  stop(): void {
    if (!this.running) return;
    this.running = false;
    this.host.stopAdvertising();
    this.ancs.stop();
    this.pbap?.stop();
    this.map?.stop();
    this.hfp?.stop();
    void this.audio?.close();
  }
}
