/**
 * A GattServerHost wrapper that lets the saboteur corrupt what the ANCS
 * provider notifies: Notification Source values and Data Source fragments
 * (frames of profile `ancs`). Every other call goes straight to the real
 * host. An out-of-order frame is held until the next ANCS frame to the same
 * peer has gone out, or until the saboteur's hold time passes, whichever is
 * first; one frame at most is held per peer.
 */
import {
  type AdvertisingData,
  type GattPeer,
  type GattServerEvents,
  type GattServerHost,
  type GattServiceDefinition,
  type Uuid,
  normalizeUuid,
} from '../../link/ble';
import type { Clock, Timer } from '../../link/clock';
import type { Emitter } from '../../util/emitter';
import { ANCS_DATA_SOURCE_UUID, ANCS_NOTIFICATION_SOURCE_UUID } from '../../protocol/ancs/constants';
import { FAULT_KINDS, type FaultKind } from './hostile-profile';
import { type Framing, malform, oversize, truncate } from './mutations';
import type { FramePart, Saboteur } from './saboteur';

const NS = normalizeUuid(ANCS_NOTIFICATION_SOURCE_UUID);
const DS = normalizeUuid(ANCS_DATA_SOURCE_UUID);

interface Held {
  peer: GattPeer;
  characteristic: Uuid;
  value: Uint8Array;
  timer: Timer;
}

export class HostileGattHost implements GattServerHost {
  /** Held out-of-order frames by peer address. */
  private readonly held = new Map<string, Held>();

  constructor(
    private readonly inner: GattServerHost,
    private readonly saboteur: Saboteur,
    private readonly clock: Clock,
  ) {}

  get address(): string {
    return this.inner.address;
  }

  get events(): Emitter<GattServerEvents> {
    return this.inner.events;
  }

  addService(service: GattServiceDefinition): void {
    this.inner.addService(service);
  }

  removeService(uuid: Uuid): void {
    this.inner.removeService(uuid);
  }

  peers(): GattPeer[] {
    return this.inner.peers();
  }

  isSubscribed(peer: GattPeer, characteristic: Uuid): boolean {
    return this.inner.isSubscribed(peer, characteristic);
  }

  startAdvertising(data: AdvertisingData): void {
    this.inner.startAdvertising(data);
  }

  stopAdvertising(): void {
    this.inner.stopAdvertising();
    for (const address of [...this.held.keys()]) this.release(address);
  }

  setPairingPolicy(policy: (peer: GattPeer) => boolean): void {
    this.inner.setPairingPolicy(policy);
  }

  /** Frames held for reordering right now (for tests and the campaign). */
  get holding(): number {
    return this.held.size;
  }

  notify(peer: GattPeer, characteristic: Uuid, value: Uint8Array): void {
    const uuid = normalizeUuid(characteristic);
    const part: FramePart | undefined = uuid === NS ? 'notificationSource' : uuid === DS ? 'dataSource' : undefined;
    if (part === undefined) {
      this.inner.notify(peer, characteristic, value);
      return;
    }
    const framing: Framing = part === 'notificationSource' ? 'ancs-ns' : 'ancs-ds';
    const room = peer.mtu - 3;
    const possible = FAULT_KINDS.filter((k) => applicable(k, value, room));
    const decision = this.saboteur.decide('ancs', part, possible);
    if (decision?.kind === 'outOfOrder') {
      // The one held before goes out now: this frame is its "next one".
      this.release(peer.address);
      const timer = this.clock.schedule(this.saboteur.holdMs, () => this.release(peer.address));
      this.held.set(peer.address, { peer, characteristic, value, timer });
      this.saboteur.commit('ancs', part, decision, value.length, value.length);
      return;
    }
    let out = value;
    if (decision) {
      const random = this.saboteur.random;
      out = decision.kind === 'malformed' ? malform(value, framing, random) : decision.kind === 'truncated' ? truncate(value, framing, random) : oversize(value, framing, random, room);
    }
    // Throws (queue full, not subscribed) before anything is committed or released.
    this.inner.notify(peer, characteristic, out);
    if (decision) this.saboteur.commit('ancs', part, decision, value.length, out.length);
    this.release(peer.address);
  }

  /** Sends the frame held for `address`, if any; a peer that has gone simply never gets it. */
  private release(address: string): void {
    const held = this.held.get(address);
    if (!held) return;
    this.held.delete(address);
    held.timer.cancel();
    try {
      this.inner.notify(held.peer, held.characteristic, held.value);
    } catch {
      // Unsubscribed, disconnected or queue full: the held frame is lost, as on a real link.
    }
  }
}

/** Whether fault `kind` changes this value at all (oversize needs room under the MTU; cutting needs bytes). */
function applicable(kind: FaultKind, value: Uint8Array, room: number): boolean {
  if (kind === 'oversized') return value.length < room;
  if (kind === 'truncated' || kind === 'malformed') return value.length > 0;
  return true;
}
