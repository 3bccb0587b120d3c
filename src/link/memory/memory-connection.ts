/**
 * One in-memory LE connection as the PC sees it: the GATT client, pairing
 * (a fresh key after model.pairingMs, if the phone's policy accepts),
 * encryption with a stored bond (an LL_ENC_REQ round trip), and disconnect
 * (LL_TERMINATE at the next connection event: 0x16 here, 0x13 at the phone).
 */
import { BleConnection, BleConnectionEvents } from '../ble';
import { DisconnectReason } from '../att-codes';
import { Timer } from '../clock';
import { DisconnectedError, PairingError } from '../errors';
import { Emitter } from '../../util/emitter';
import type { MemoryGattClient } from './memory-gatt-client';
import type { MemoryLink } from './memory-link';
import { ControlPdu } from './pdu';

interface Deferred {
  promise: Promise<void>;
  resolve(): void;
  reject(error: Error): void;
}

function deferred(): Deferred {
  let resolve: () => void = () => undefined;
  let reject: (error: Error) => void = () => undefined;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

export class MemoryConnection implements BleConnection {
  readonly events = new Emitter<BleConnectionEvents>();
  private pairing: Deferred | undefined;
  private pairingTimer: Timer | undefined;
  private encrypting: Deferred | undefined;
  private disconnecting: Deferred | undefined;

  constructor(private readonly link: MemoryLink) {
    this.events.onListenerError = (error) =>
      link.air.reportHandlerError({ connectionId: link.id, side: 'central', error });
  }

  /** Identifies this connection in tap events and fault targets. */
  get connectionId(): number {
    return this.link.id;
  }
  get peerAddress(): string {
    return this.link.peripheral.address;
  }
  get gatt(): MemoryGattClient {
    return this.link.client;
  }
  get connected(): boolean {
    return this.link.isOpen;
  }
  get encrypted(): boolean {
    return this.link.isOpen && this.link.clientEncrypted;
  }
  get bonded(): boolean {
    return this.link.central.bonds.has(this.peerAddress);
  }

  /**
   * Pairs afresh (re-pairing replaces the key on both sides). After
   * model.pairingMs of link time (postponed while out of range) the phone's
   * pairing policy decides; on refusal this rejects with PairingError and the
   * link stays up, unencrypted.
   */
  pair(): Promise<void> {
    if (!this.link.isOpen) return Promise.reject(this.disconnected());
    if (this.pairing) return Promise.reject(new PairingError('pairing already in progress'));
    const pending = deferred();
    this.pairing = pending;
    this.pairingTimer = this.link.clock.schedule(this.link.model.pairingMs, () => this.finishPairing());
    return pending.promise;
  }

  /** Encrypts with the stored bond; PairingError if this side has none or the phone's differs. */
  encrypt(): Promise<void> {
    if (!this.link.isOpen) return Promise.reject(this.disconnected());
    if (this.link.clientEncrypted) return Promise.resolve();
    if (this.encrypting) return this.encrypting.promise;
    if (!this.bonded) return Promise.reject(new PairingError(`no bond with ${this.peerAddress}`));
    const pending = deferred();
    this.encrypting = pending;
    this.link.send('toPeripheral', { op: 'encReq' });
    return pending.promise;
  }

  /** Stops traffic at once and terminates at the next connection event; resolves once the link is down. */
  disconnect(): Promise<void> {
    if (!this.link.isOpen) return Promise.resolve();
    if (this.disconnecting) return this.disconnecting.promise;
    const pending = deferred();
    this.disconnecting = pending;
    this.link.terminate(DisconnectReason.LocalHostTerminated, DisconnectReason.RemoteUserTerminated);
    return pending.promise;
  }

  /** An LL control PDU from the phone arrived (answer to LL_ENC_REQ). */
  onControl(pdu: ControlPdu): void {
    const pending = this.encrypting;
    if (!pending) return;
    if (pdu.op === 'startEncRsp') {
      this.encrypting = undefined;
      this.link.setClientEncrypted(false);
      pending.resolve();
    } else if (pdu.op === 'rejectInd') {
      this.encrypting = undefined;
      pending.reject(new PairingError(`${this.peerAddress} has no matching bond (key missing)`));
    }
  }

  /** The link went down: settle everything pending and tell listeners. */
  end(reason: number): void {
    this.pairingTimer?.cancel();
    const { pairing, encrypting, disconnecting } = this;
    this.pairing = this.encrypting = this.disconnecting = undefined;
    pairing?.reject(new DisconnectedError(reason));
    encrypting?.reject(new DisconnectedError(reason));
    disconnecting?.resolve();
    this.events.emit('disconnect', reason);
  }

  private finishPairing(): void {
    this.pairingTimer = undefined;
    const pending = this.pairing;
    // Without the phone's end the exchange stalls until the supervision timeout ends the link.
    if (!pending || !this.link.isAttached) return;
    const clock = this.link.clock;
    const resume = this.link.air.faults.outOfRangeUntil(this.link, clock.now());
    if (resume !== undefined) {
      this.pairingTimer = clock.schedule(resume - clock.now(), () => this.finishPairing());
      return;
    }
    this.pairing = undefined;
    const { peripheral, central } = this.link;
    if (!peripheral.acceptsPairing(this.link.server.peer)) {
      pending.reject(new PairingError(`${peripheral.address} refused pairing`));
      return;
    }
    const key = this.link.air.newBondKey();
    peripheral.bonds.set(central.address, key);
    central.bonds.set(peripheral.address, key.slice());
    this.link.setServerEncrypted();
    this.link.setClientEncrypted(true);
    pending.resolve();
  }

  private disconnected(): DisconnectedError {
    return new DisconnectedError(this.link.reason ?? DisconnectReason.ConnectionTimeout);
  }
}
