/**
 * Service Changed for the bleno child: bleno 0.12 serves the GATT service
 * (0x1801) with a Service Changed characteristic (0x2A05, indicate) but
 * never indicates it. This follows that characteristic through bleno's own
 * events and indicates it after each attribute-table rebuild.
 *
 * - Who is told: the peers that enabled indications on 0x2A05's CCCD on
 *   their current connection (Core Vol 3 Part G 7.1: the server indicates
 *   to clients that configured it). bleno keeps no bonds, so a bonded
 *   peer's configuration does not carry over to its next connection; every
 *   connection's client subscribes again.
 * - How: with the indication sender bleno hands out when the CCCD is
 *   written (its `subscribe` event), value 0x0001..0xFFFF (start and end
 *   handle, little-endian): every handle may have changed.
 * - A rebuild gives every CCCD a fresh, empty store; the configuration of
 *   0x2A05 is written back into the new table so it stays readable and a
 *   later write of 0 is reported.
 * - One indication at a time per connection: another rebuild before the
 *   Handle Value Confirmation (bleno's `indicate` event) is sent once the
 *   confirmation arrives; with no confirmation within the timeout (30 s, the
 *   ATT transaction timeout) that is reported and any pending one is sent.
 * - Also here: which subscriptions to other characteristics survive a
 *   rebuild. bleno's senders keep the value handle they were made for, so a
 *   subscription survives only where its characteristic kept its handle.
 */
import type { EventEmitter } from 'node:events';
import { Uuid } from '../../ble';
import { Clock, Timer } from '../../clock';
import { blenoServiceChanged, blenoValueHandles, setBlenoCccd } from './bleno-internals';
import type { WireService } from './bleno-protocol';
import { toLibraryUuid } from './uuid-form';

/** The Service Changed value: the whole handle range, 0x0001..0xFFFF, little-endian. */
export const SERVICE_CHANGED_VALUE: Readonly<Uint8Array> = Uint8Array.of(0x01, 0x00, 0xff, 0xff);
/** How long a Handle Value Confirmation may take (ATT's transaction timeout). */
export const DEFAULT_CONFIRM_TIMEOUT_MS = 30_000;
/** CCCD values: notifications, indications. */
export const CCCD_NOTIFY: Readonly<Uint8Array> = Uint8Array.of(0x01, 0x00);
export const CCCD_INDICATE: Readonly<Uint8Array> = Uint8Array.of(0x02, 0x00);

type UpdateValue = (data: Buffer) => void;

export interface ServiceChangedOptions {
  clock: Clock;
  confirmTimeoutMs?: number;
  /** True while the connection is up and not closing. */
  isOpen(connection: number): boolean;
  /** Something the parent should hear about (never fatal). */
  problem(code: string, message: string): void;
}

interface Subscriber {
  /** bleno's indication sender for this connection. */
  update: UpdateValue;
  /** The value handle the sender was made for. */
  valueHandle: number;
  /** An indication waits for its confirmation. */
  waiting: Timer | undefined;
  /** The table changed again meanwhile. */
  again: boolean;
}

export class ServiceChangedAnnouncer {
  private readonly subscribers = new Map<number, Subscriber>();
  private readonly hooked = new WeakSet<EventEmitter>();
  private valueHandle: number | undefined;
  private readonly confirmTimeoutMs: number;
  /** Indications sent and confirmations seen (for tests and diagnostics). */
  readonly counts = { sent: 0, confirmed: 0, timedOut: 0 };

  constructor(
    private readonly bleno: unknown,
    private readonly options: ServiceChangedOptions,
  ) {
    this.confirmTimeoutMs = options.confirmTimeoutMs ?? DEFAULT_CONFIRM_TIMEOUT_MS;
  }

  /** Connections that enabled Service Changed indications. */
  get subscribed(): number[] {
    return [...this.subscribers.keys()];
  }

  /**
   * Follows the Service Changed characteristic of bleno's current table
   * (bleno makes a new one on every rebuild). False when it is not there.
   */
  hook(): boolean {
    const found = blenoServiceChanged(this.bleno);
    this.valueHandle = found?.valueHandle;
    if (!found) return false;
    const { characteristic, valueHandle } = found;
    if (this.hooked.has(characteristic)) return true;
    this.hooked.add(characteristic);
    characteristic.on('subscribe', (connection: unknown, _maxValueSize: unknown, update: unknown) => {
      if (typeof connection !== 'number' || typeof update !== 'function') return;
      const previous = this.subscribers.get(connection);
      previous?.waiting?.cancel();
      this.subscribers.set(connection, { update: update as UpdateValue, valueHandle, waiting: undefined, again: false });
    });
    characteristic.on('unsubscribe', (connection: unknown) => {
      if (typeof connection === 'number') this.drop(connection);
    });
    // bleno emits this on the characteristic it last indicated when the confirmation arrives.
    characteristic.on('indicate', (connection: unknown) => {
      if (typeof connection === 'number') this.onConfirmation(connection);
    });
    return true;
  }

  /** bleno rebuilt its attribute table: keep the subscribers' CCCDs and indicate to each. */
  rebuilt(): void {
    const hooked = this.hook();
    for (const [connection, subscriber] of [...this.subscribers]) {
      if (!this.options.isOpen(connection)) {
        this.drop(connection);
        continue;
      }
      if (!hooked || subscriber.valueHandle !== this.valueHandle) {
        // The sender would indicate the wrong handle now.
        this.drop(connection);
        this.options.problem('link.service-changed-lost', `Service Changed moved in bleno's table; connection ${connection} cannot be told`);
        continue;
      }
      setBlenoCccd(this.bleno, subscriber.valueHandle, connection, CCCD_INDICATE);
      this.indicate(connection, subscriber);
    }
  }

  /** The link ended (or its client turned indications off). */
  drop(connection: number): void {
    const subscriber = this.subscribers.get(connection);
    if (!subscriber) return;
    subscriber.waiting?.cancel();
    this.subscribers.delete(connection);
  }

  /** Stops every timer. */
  close(): void {
    for (const connection of [...this.subscribers.keys()]) this.drop(connection);
  }

  private indicate(connection: number, subscriber: Subscriber): void {
    if (subscriber.waiting) {
      subscriber.again = true;
      return;
    }
    try {
      subscriber.update(Buffer.from(SERVICE_CHANGED_VALUE));
    } catch (error) {
      // bleno's sender throws when its connection record is already gone.
      this.drop(connection);
      this.options.problem('link.indication-failed', `Service Changed to connection ${connection}: ${error instanceof Error ? error.message : String(error)}`);
      return;
    }
    this.counts.sent++;
    subscriber.again = false;
    subscriber.waiting = this.options.clock.schedule(this.confirmTimeoutMs, () => {
      subscriber.waiting = undefined;
      this.counts.timedOut++;
      this.options.problem('link.indication-timeout', `no confirmation of Service Changed from connection ${connection} within ${this.confirmTimeoutMs} ms`);
      this.sendPending(connection, subscriber);
    });
  }

  private onConfirmation(connection: number): void {
    const subscriber = this.subscribers.get(connection);
    if (!subscriber?.waiting) return;
    subscriber.waiting.cancel();
    subscriber.waiting = undefined;
    this.counts.confirmed++;
    this.sendPending(connection, subscriber);
  }

  private sendPending(connection: number, subscriber: Subscriber): void {
    if (!subscriber.again || this.subscribers.get(connection) !== subscriber) return;
    if (this.options.isOpen(connection)) this.indicate(connection, subscriber);
    else this.drop(connection);
  }
}

/** What became of one subscription (key `connection|service|characteristic`) in a rebuild. */
export interface CarriedSubscription {
  key: string;
  connection: number;
  service: Uuid;
  characteristic: Uuid;
  /** `kept`: same value handle, CCCD written back; `moved`: a new handle; `gone`: no longer served. */
  outcome: 'kept' | 'moved' | 'gone';
}

/**
 * After a rebuild of bleno's table: compares each subscription's value
 * handle with the one `before` the rebuild (see blenoValueHandles), writes
 * the CCCD back into the new table for those that kept theirs, and says
 * what became of each. Empty when either table cannot be read (nothing is
 * known, so nothing is ended).
 */
export function carrySubscriptions(
  bleno: unknown,
  services: readonly WireService[],
  keys: Iterable<string>,
  before: ReadonlyMap<string, number> | undefined,
): CarriedSubscription[] {
  const after = blenoValueHandles(bleno);
  if (!before || !after) return [];
  const notifying = new Set(services.flatMap((s) => s.characteristics.filter((c) => c.properties.includes('notify')).map((c) => `${s.uuid}|${c.uuid}`)));
  const out: CarriedSubscription[] = [];
  for (const key of keys) {
    const [connectionText = '', service = '', characteristic = ''] = key.split('|');
    const connection = Number(connectionText);
    let at: string | undefined;
    try {
      at = `${toLibraryUuid(service)}|${toLibraryUuid(characteristic)}`;
    } catch {
      at = undefined;
    }
    const was = at === undefined ? undefined : before.get(at);
    const now = at === undefined ? undefined : after.get(at);
    let outcome: CarriedSubscription['outcome'] = 'gone';
    if (now !== undefined && now === was) {
      outcome = 'kept';
      // The new table's CCCD starts empty; bleno's sender made for the old one still fits.
      setBlenoCccd(bleno, now, connection, notifying.has(`${service}|${characteristic}`) ? CCCD_NOTIFY : CCCD_INDICATE);
    } else if (now !== undefined) {
      outcome = 'moved';
    }
    out.push({ key, connection, service, characteristic, outcome });
  }
  return out;
}
