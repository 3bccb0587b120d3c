/**
 * A device's synchronous radio on the in-memory SCO link (the ScoEndpoint
 * seam). A setup request reaches the peer one latency after `connect`; the
 * peer's acceptor sees its end (opened if it accepts) and the answer comes
 * back one latency later, when the initiator's end opens and the slots
 * start. No acceptor, a refusal, a throwing acceptor, a device of the same
 * role or the per-device limit all reject with LinkError `link.sco-refused`;
 * a channel closed or dropped before the initiator's end opened rejects
 * with DisconnectedError.
 */
import { DisconnectReason } from '../../att-codes';
import { DisconnectedError, LinkError, QueueFullError } from '../../errors';
import { ScoAcceptor, ScoChannel, ScoConnectOptions, ScoEndpoint } from '../../sco';
import type { MemoryScoChannel, ScoSide } from './sco-channel';
import type { MemoryScoConnection } from './sco-connection';
import type { MemoryScoLink } from './sco-link';
import { ScoSettings, checkAddress, resolveScoSettings } from './sco-params';

/** Setups one endpoint may have under way at once. */
export const MAX_PENDING_SCO_SETUPS = 4;

/** HCI "connection rejected due to limited resources", the reason a refused setup's ends carry. */
const REFUSED_REASON = 0x0d;

export class MemoryScoEndpoint implements ScoEndpoint {
  private acceptor: ScoAcceptor | undefined;
  private setups = 0;

  constructor(
    private readonly link: MemoryScoLink,
    readonly address: string,
    readonly role: ScoSide,
  ) {}

  get listening(): boolean {
    return this.acceptor !== undefined;
  }

  listen(acceptor: ScoAcceptor): void {
    this.acceptor = acceptor;
  }

  unlisten(): void {
    this.acceptor = undefined;
  }

  async connect(peerAddress: string, options: ScoConnectOptions): Promise<ScoChannel> {
    const peer = checkAddress(peerAddress, 'peerAddress');
    const settings = resolveScoSettings(options, this.link.defaults);
    if (this.setups >= MAX_PENDING_SCO_SETUPS) throw new QueueFullError(`SCO setup from ${this.address}`, MAX_PENDING_SCO_SETUPS);
    this.setups++;
    try {
      await this.link.clock.sleep(settings.latencyMs);
      const connection = this.offer(peer, settings);
      await this.link.clock.sleep(settings.latencyMs);
      if (!connection) {
        this.link.stats.refused++;
        throw new LinkError('link.sco-refused', `${peer} refused the SCO channel`);
      }
      connection.start();
      const near = this.endOf(connection, this.role);
      if (!near.open) throw new DisconnectedError(near.closeReason ?? DisconnectReason.ConnectionTimeout);
      return near;
    } finally {
      this.setups--;
    }
  }

  /** The request reached the peer: returns the connection if its acceptor took it. */
  private offer(peer: string, settings: ScoSettings): MemoryScoConnection | undefined {
    const target = this.link.endpointAt(peer);
    const acceptor = target?.acceptor;
    if (!target || !acceptor || target.role === this.role) return undefined;
    const phoneAddress = this.role === 'phone' ? this.address : peer;
    const pcAddress = this.role === 'pc' ? this.address : peer;
    if (this.link.atLimit(phoneAddress, pcAddress)) return undefined;
    const connection = this.link.create(phoneAddress, pcAddress, settings, { phone: false, pc: false });
    const far = this.endOf(connection, target.role);
    far.activate();
    let accepted = false;
    try {
      accepted = acceptor(far, this.address) === true;
    } catch (error) {
      this.link.reportHandlerError(connection.handle, target.role, error);
    }
    if (accepted) return connection;
    // Never opened for the initiator: both ends go quietly (the far one saw no traffic yet).
    far.events.removeAllListeners();
    connection.drop(REFUSED_REASON);
    return undefined;
  }

  private endOf(connection: MemoryScoConnection, side: ScoSide): MemoryScoChannel {
    return side === 'phone' ? connection.phone : connection.pc;
  }
}
