/**
 * What a scenario step may use of a testbed, whatever carries the link: the
 * in-memory testbed (virtual time) and the hci testbed (noble and bleno on
 * the virtual HCI controller, wall time) both provide it. Steps for
 * profiles only the in-memory link carries (contacts, calls, messages) use
 * the full Testbed instead.
 */
import type { Clock } from '../link/clock';
import type { BleCentral, GattPeer } from '../link/ble';
import type { BleLinkModel } from '../link/link-model';
import type { PduTapEvent } from '../link/memory/air-events';
import type { SimulatedPhone } from '../sim-phone/simulated-phone';
import type { PhoneProfile } from '../sim-phone/profile';
import type { PhoneLink } from '../sim-pc/phone-link';
import type { DrivenClock } from './wall-clock';
import type { PduLog } from './pdu-log';

export interface ScenarioBed {
  readonly transport: string;
  readonly clock: Clock & DrivenClock;
  readonly profile: PhoneProfile;
  /** The BLE link model the phone's profile (and any override) gives. */
  readonly model: BleLinkModel;
  readonly phone: SimulatedPhone;
  readonly pc: PhoneLink;
  readonly pcAddress: string;
  /**
   * Connection events a request's answer may lag behind the link model
   * because of the host stacks: 0 in memory, 1 for real stacks (bleno hands
   * each write to its parent process). Timing predictions widen by it.
   */
  readonly hostTurnaroundEvents: number;
  /** ATT PDUs seen on the BLE link, oldest first (bounded: `pduLog.limit`). */
  readonly pdus: readonly PduTapEvent[];
  /** The bounded log behind `pdus`, with absolute positions for "what came since". */
  readonly pduLog: PduLog<PduTapEvent>;
  /** Whether the phone's user accepts a pairing request. */
  setPairingPolicy(policy: (peer: GattPeer) => boolean): void;
  /** The phone walks out of range of the PC for `ms`. */
  outOfRange(ms: number): void;
  /** Every link between the phone and the PC drops now. */
  dropLinks(): void;
  /** Pairs the PC with the phone the way a user does: connect, pair and bond, disconnect. */
  pair(timeoutMs?: number): Promise<void>;
  /** Starts the PC and waits until it is connected; returns the time it took. */
  connectPc(timeoutMs?: number): Promise<number>;
  startPc(): void;
  shutdown(): Promise<void>;
}

/**
 * Pairs a central with the phone the way a user does (connect, pair and
 * bond, disconnect), driving `clock` until it is done; rethrows what failed.
 */
export async function pairAsUser(central: BleCentral, phoneAddress: string, clock: DrivenClock, timeoutMs: number): Promise<void> {
  let done = false;
  let failure: unknown;
  const work = (async () => {
    const connection = await central.connect(phoneAddress);
    try {
      await connection.pair();
    } finally {
      await connection.disconnect();
    }
  })().then(
    () => (done = true),
    (err: unknown) => {
      failure = err;
      done = true;
    },
  );
  await clock.runUntil(() => done, timeoutMs);
  await work;
  if (failure) throw failure;
  await clock.runFor(100);
}
