/**
 * A ready-to-run simulated phone: a PhoneModel, the Backchannel that drives
 * it and the ANCS provider, wired over a given GATT server host and clock.
 * `start()` publishes the services and advertises the phone's name (an ANCS
 * accessory solicits the ANCS UUID; the phone itself only shows its name).
 */
import { Clock } from '../link/clock';
import { GattServerHost } from '../link/ble';
import { AncsProvider } from './ancs-provider';
import { Backchannel } from './backchannel';
import { PhoneModel, PhoneModelOptions } from './phone-model';
import { PhoneProfile, loadPhoneProfile } from './profile';

export interface SimulatedPhoneOptions extends PhoneModelOptions {
  host: GattServerHost;
  clock: Clock;
  /** A loaded profile, or a profile id / path for `loadPhoneProfile`. Default "iphone". */
  profile?: PhoneProfile | string;
}

export class SimulatedPhone {
  readonly profile: PhoneProfile;
  readonly model: PhoneModel;
  readonly backchannel: Backchannel;
  readonly ancs: AncsProvider;
  readonly host: GattServerHost;
  private running = false;

  constructor(options: SimulatedPhoneOptions) {
    const profile = options.profile ?? 'iphone';
    this.profile = typeof profile === 'string' ? loadPhoneProfile(profile) : profile;
    this.host = options.host;
    this.model = new PhoneModel(this.profile, options.clock, options);
    this.backchannel = new Backchannel(this.model);
    this.ancs = new AncsProvider({ host: options.host, model: this.model, profile: this.profile, clock: options.clock });
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

  /** Publishes ANCS and starts advertising the phone's name. */
  start(): void {
    if (this.running) return;
    this.running = true;
    if (this.model.ancsIsPublished) this.ancs.start();
    this.host.startAdvertising({ localName: this.profile.name });
  }

  /** Stops advertising and withdraws ANCS. The phone can be started again. */
  stop(): void {
    if (!this.running) return;
    this.running = false;
    this.host.stopAdvertising();
    this.ancs.stop();
  }
}
