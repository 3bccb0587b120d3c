/**
 * PhoneLink: the small public facade over the PC side that the CLI, the
 * harness and users' code share. It composes the link supervisor with the
 * app services (today: notifications) and forwards their events; it holds
 * no protocol logic of its own.
 */
import type { BleCentral } from '../link/ble';
import type { Clock } from '../link/clock';
import { Emitter } from '../util/emitter';
import { Random } from '../util/random';
import type { AncsConsumerOptions } from './ancs/ancs-consumer';
import type { BackoffPolicy } from './backoff';
import { LinkHealth, LinkSupervisor } from './link-supervisor';
import { NotificationCenter } from './services/notification-center';

export interface PhoneLinkOptions {
  central: BleCentral;
  phoneAddress: string;
  clock: Clock;
  /** Jitter source for reconnect backoff; seeded for reproducible runs. Default: seed 1. */
  random?: Random;
  backoff?: BackoffPolicy;
  /** ANCS consumer settings (timeouts, queue bound, attribute length). */
  ancs?: Omit<AncsConsumerOptions, 'connection' | 'clock'>;
  /** Bound on the notification list. Default 5000. */
  maxNotifications?: number;
}

export interface PhoneLinkEvents {
  health: [health: LinkHealth];
  connected: [];
  disconnected: [reason: number];
  error: [err: Error];
}

export class PhoneLink {
  readonly notifications: NotificationCenter;
  readonly events = new Emitter<PhoneLinkEvents>();
  private readonly supervisor: LinkSupervisor;

  constructor(options: PhoneLinkOptions) {
    this.notifications = new NotificationCenter({
      clock: options.clock,
      ...(options.maxNotifications === undefined ? {} : { maxEntries: options.maxNotifications }),
    });
    this.supervisor = new LinkSupervisor({
      central: options.central,
      phoneAddress: options.phoneAddress,
      clock: options.clock,
      random: options.random ?? new Random(1),
      ...(options.backoff === undefined ? {} : { backoff: options.backoff }),
      ...(options.ancs === undefined ? {} : { ancs: options.ancs }),
      notifications: this.notifications,
    });
    this.supervisor.events.on('health', (health) => this.events.emit('health', health));
    this.supervisor.events.on('connected', () => this.events.emit('connected'));
    this.supervisor.events.on('disconnected', (reason) => this.events.emit('disconnected', reason));
    this.supervisor.events.on('error', (err) => this.events.emit('error', err));
  }

  /**
   * Starts connecting and keeps reconnecting until `stop()`. Returns at once;
   * progress shows in `health()` and the `connected` event.
   */
  start(): void {
    this.supervisor.start();
  }

  /** Cancels every timer and disconnects; resolves once the link is down (drive a virtual clock meanwhile). */
  stop(): Promise<void> {
    return this.supervisor.stop();
  }

  health(): LinkHealth {
    return this.supervisor.health();
  }
}
