/**
 * One in-memory ACL connection as the PC sees it: opening RFCOMM channels,
 * pairing (a fresh link key after model.pairingMs if the phone's policy
 * accepts, or authentication with a stored key in one round trip), and
 * disconnecting (0x16 here, 0x13 at the phone, one latency later).
 */
import { ClassicConnection, ClassicConnectionEvents } from '../../classic';
import { DisconnectReason } from '../../att-codes';
import { Timer } from '../../clock';
import { DisconnectedError, LinkError, PairingError } from '../../errors';
import { RFCOMM_MAX_CHANNEL, RFCOMM_MIN_CHANNEL } from '../../classic-model';
import { Emitter } from '../../../util/emitter';
import type { MemoryClassicLink } from './classic-link';
import { Deferred, deferred } from './deferred';
import { MemoryByteChannel } from './memory-byte-channel';
import { RfcommDlc } from './rfcomm-dlc';

export class MemoryClassicConnection implements ClassicConnection {
  readonly events = new Emitter<ClassicConnectionEvents>();
  private pairing: { pending: Deferred<void>; timer: Timer; authenticate: boolean } | undefined;
  private disconnecting: Deferred<void> | undefined;

  constructor(private readonly link: MemoryClassicLink) {
    this.events.onListenerError = (error) => link.air.reportHandlerError({ connectionId: link.id, side: 'client', error });
  }

  /** Identifies this connection in tap events and fault targets. */
  get connectionId(): number {
    return this.link.id;
  }
  get peerAddress(): string {
    return this.link.host.address;
  }
  get connected(): boolean {
    return this.link.isOpen;
  }
  get encrypted(): boolean {
    return this.link.isOpen && this.link.clientEncrypted;
  }
  get bonded(): boolean {
    return this.link.client.bonds.has(this.peerAddress);
  }

  /** The PC's ends of the channels that are open now. */
  channels(): MemoryByteChannel[] {
    return this.link
      .channels()
      .map((dlc) => dlc.client)
      .filter((end): end is MemoryByteChannel => end !== undefined && end.open);
  }

  /**
   * Encrypts the link. With a stored key this authenticates in one round
   * trip (2 * latencyMs); if the phone no longer holds the same key it
   * rejects with PairingError and the PC's stale key is deleted, so the next
   * call pairs afresh. Without a key it pairs: after model.pairingMs the
   * phone's policy decides; on consent both sides store a fresh key. Out of
   * range, the step waits for range to return. Resolves at once when the
   * link is already encrypted.
   */
  pair(): Promise<void> {
    if (!this.link.isOpen) return Promise.reject(this.disconnected());
    if (this.pairing) return Promise.reject(new PairingError('pairing already in progress'));
    if (this.link.clientEncrypted) return Promise.resolve();
    const authenticate = this.bonded;
    const model = this.link.model;
    const pending = deferred<void>();
    const delay = authenticate ? 2 * model.latencyMs : model.pairingMs;
    this.pairing = { pending, authenticate, timer: this.link.clock.schedule(delay, () => this.finishPairing()) };
    return pending.promise;
  }

  /**
   * Opens RFCOMM channel `channel` (1..30). Rejects with LinkError
   * `link.channel-refused` when nothing listens there or the phone's
   * acceptor says no, `link.channel-busy` when this connection already has
   * that channel, DisconnectedError when the link goes down first.
   */
  openChannel(channel: number): Promise<MemoryByteChannel> {
    if (!(Number.isInteger(channel) && channel >= RFCOMM_MIN_CHANNEL && channel <= RFCOMM_MAX_CHANNEL)) {
      return Promise.reject(new LinkError('link.bad-argument', `RFCOMM channel ${channel} is outside 1..30`));
    }
    if (!this.link.isOpen) return Promise.reject(this.disconnected());
    if (this.link.hasChannel(channel)) {
      return Promise.reject(new LinkError('link.channel-busy', `channel ${channel} to ${this.peerAddress} is already in use`));
    }
    const dlc = new RfcommDlc(this.link, channel, 'client', this.link.client.maxFrameSize);
    this.link.addDlc(dlc);
    return dlc.open();
  }

  /** Stops traffic at once; resolves when the link is down (one latency later). */
  disconnect(): Promise<void> {
    if (!this.link.isOpen) return Promise.resolve();
    if (this.disconnecting) return this.disconnecting.promise;
    const pending = deferred<void>();
    this.disconnecting = pending;
    this.link.terminate(DisconnectReason.LocalHostTerminated, DisconnectReason.RemoteUserTerminated);
    return pending.promise;
  }

  /** The link went down: settle everything pending and tell listeners. */
  end(reason: number): void {
    const { pairing, disconnecting } = this;
    this.pairing = undefined;
    this.disconnecting = undefined;
    pairing?.timer.cancel();
    pairing?.pending.reject(new DisconnectedError(reason));
    disconnecting?.resolve();
    this.events.emit('disconnect', reason);
  }

  private finishPairing(): void {
    const pairing = this.pairing;
    // Without the phone's end the exchange stalls until the supervision timeout ends the link.
    if (!pairing || !this.link.isAttached) return;
    const clock = this.link.clock;
    const resume = this.link.outOfRangeUntil(clock.now());
    if (resume !== undefined) {
      pairing.timer = clock.schedule(resume - clock.now(), () => this.finishPairing());
      return;
    }
    this.pairing = undefined;
    const { host, client, air } = this.link;
    if (pairing.authenticate) {
      const clientKey = client.bonds.get(host.address);
      const hostKey = host.bonds.get(client.address);
      if (clientKey && hostKey && sameBytes(clientKey, hostKey)) {
        this.link.setEncrypted(false);
        pairing.pending.resolve();
        return;
      }
      client.bonds.delete(host.address);
      pairing.pending.reject(new PairingError(`${host.address} has no matching link key (key missing); the stale key was removed`));
      return;
    }
    if (!host.acceptsPairing(this.link.peer)) {
      pairing.pending.reject(new PairingError(`${host.address} refused pairing`));
      return;
    }
    const key = air.newBondKey();
    host.bonds.set(client.address, key);
    client.bonds.set(host.address, key.slice());
    this.link.setEncrypted(true);
    pairing.pending.resolve();
  }

  private disconnected(): DisconnectedError {
    return new DisconnectedError(this.link.reason ?? DisconnectReason.ConnectionTimeout);
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
