/**
 * The phone's MNS client for one PC: after the PC turns notification
 * registration on, it finds the PC's MNS record by SDP, opens that channel
 * over the ACL that is up, OBEX-Connects with the MNS Target, and sends
 * each event report as a PUT x-bt/MAP-event-report (AppParam MASInstanceID),
 * one at a time, waiting for each answer. Events wait in a bounded queue
 * while the connection comes up. A failed connection (no record, channel
 * refused, Connect refused, timeout) or a lost one is retried a bounded
 * number of times with doubling delays, then given up (`gaveUp`).
 */
import type { ByteChannel, ClassicHost } from '../../link/classic';
import type { Clock, Timer } from '../../link/clock';
import { encodeEventReport, encodeMapParams, MapMime, MapUuid, MNS_TARGET, type MapEvent } from '../../protocol/map';
import { ObexClientSession } from '../../protocol/obex';
import { Emitter } from '../../util/emitter';
import { SimPhoneError } from '../errors';
import { MnsQueueFullError, MnsUnreachableError } from './map-errors';
import { PHONE_MNS_QUEUE_LIMIT } from '../../limits';

export const DEFAULT_MNS_QUEUE_LIMIT = PHONE_MNS_QUEUE_LIMIT;
export const DEFAULT_MNS_RETRIES = 3;
export const DEFAULT_MNS_BACKOFF_MS = 1_000;
export const DEFAULT_MNS_MAX_BACKOFF_MS = 30_000;
export const DEFAULT_MNS_TIMEOUT_MS = 10_000;

export interface MnsClientOptions {
  host: ClassicHost;
  clock: Clock;
  pcAddress: string;
  masInstanceId: number;
  /** Largest OBEX packet we announce. */
  maxPacketLength: number;
  /** Most events waiting to be sent (default 256); more are dropped with MnsQueueFullError. */
  queueLimit?: number;
  /** Retries after the first failed connection (default 3). */
  retries?: number;
  /** Delay before the first retry (default 1 s); it doubles each time. */
  backoffMs?: number;
  /** Longest delay between retries (default 30 s). */
  maxBackoffMs?: number;
  /** OBEX response timeout (default 10 s). */
  timeoutMs?: number;
}

export type MnsState = 'idle' | 'connecting' | 'ready' | 'waiting-retry' | 'failed' | 'closed';

export interface MnsClientEvents {
  /** OBEX Connect to the PC's MNS succeeded, on this RFCOMM channel. */
  connected: [channel: number];
  /** The PC answered the event report with success. */
  sent: [event: MapEvent];
  /** The PC refused an event report (or its PUT failed); the client moves on to the next. */
  eventFailed: [event: MapEvent, error: unknown];
  /** An event could not be queued. */
  dropped: [event: MapEvent, error: MnsQueueFullError];
  /** A connection attempt failed; another follows after `delayMs`. */
  retrying: [attempt: number, delayMs: number, error: unknown];
  /** No more attempts: queued and later events are dropped. */
  gaveUp: [error: MnsUnreachableError];
}

interface Pending {
  event: MapEvent;
  body: Uint8Array;
}

export class MnsClient {
  readonly events = new Emitter<MnsClientEvents>();
  private current: MnsState = 'idle';
  private readonly queue: Pending[] = [];
  private channel: ByteChannel | undefined;
  private obex: ObexClientSession | undefined;
  private retryTimer: Timer | undefined;
  private failures = 0;
  private pumping = false;
  private readonly queueLimit: number;
  private readonly retries: number;
  private readonly backoffMs: number;
  private readonly maxBackoffMs: number;

  constructor(private readonly options: MnsClientOptions) {
    this.queueLimit = options.queueLimit ?? DEFAULT_MNS_QUEUE_LIMIT;
    this.retries = options.retries ?? DEFAULT_MNS_RETRIES;
    this.backoffMs = options.backoffMs ?? DEFAULT_MNS_BACKOFF_MS;
    this.maxBackoffMs = options.maxBackoffMs ?? DEFAULT_MNS_MAX_BACKOFF_MS;
    if (!(Number.isInteger(this.queueLimit) && this.queueLimit >= 1)) throw new RangeError(`MNS queue limit ${this.queueLimit} must be a positive integer`);
    if (!(Number.isInteger(this.retries) && this.retries >= 0)) throw new RangeError(`MNS retries ${this.retries} must be a non-negative integer`);
    if (!(this.backoffMs > 0 && this.maxBackoffMs >= this.backoffMs)) throw new RangeError('MNS backoff must be positive and at most its maximum');
  }

  get pcAddress(): string {
    return this.options.pcAddress;
  }

  get state(): MnsState {
    return this.current;
  }

  /** Events waiting (the one being sent included). */
  get queued(): number {
    return this.queue.length;
  }

  /** Starts connecting (once). */
  start(): void {
    if (this.current !== 'idle') return;
    void this.attempt();
  }

  /** Queues an event report (version "1.0" or "1.1"); dropped when the queue is full or the client gave up. */
  send(event: MapEvent, version: string): void {
    if (this.current === 'closed' || this.current === 'failed') return;
    if (this.queue.length >= this.queueLimit) {
      this.events.emit('dropped', event, new MnsQueueFullError(this.queueLimit));
      return;
    }
    let body: Uint8Array;
    try {
      body = encodeEventReport({ version, events: [event] });
    } catch (err) {
      this.events.emit('eventFailed', event, err);
      return;
    }
    this.queue.push({ event, body });
    void this.pump();
  }

  /** Disconnects (OBEX Disconnect when idle), closes the channel and stops retrying; queued events are dropped. */
  async close(): Promise<void> {
    if (this.current === 'closed') return;
    const wasReady = this.current === 'ready';
    this.current = 'closed';
    this.retryTimer?.cancel();
    this.retryTimer = undefined;
    this.queue.length = 0;
    const { obex, channel } = this;
    this.obex = undefined;
    this.channel = undefined;
    if (wasReady && obex !== undefined && obex.state === 'idle') {
      await obex.disconnect().catch(() => undefined);
    }
    obex?.close();
    if (channel?.open === true) await channel.close().catch(() => undefined);
  }

  private async attempt(): Promise<void> {
    this.current = 'connecting';
    const { host, pcAddress, clock } = this.options;
    let channel: ByteChannel | undefined;
    try {
      const info = await host.discoverPeer(pcAddress);
      if (this.isClosed()) return;
      const record = info.records.find((r) => r.serviceClasses.includes(MapUuid.MNS));
      if (record === undefined) throw new SimPhoneError('sim-phone.mns-no-record', `${pcAddress} publishes no MNS record`);
      channel = await host.openChannel(pcAddress, record.channel);
      if (this.isClosed()) {
        await channel.close().catch(() => undefined);
        return;
      }
      const opened = channel;
      const obex = new ObexClientSession({
        send: (bytes) => opened.write(bytes),
        clock,
        maxPacketLength: this.options.maxPacketLength,
        timeoutMs: this.options.timeoutMs ?? DEFAULT_MNS_TIMEOUT_MS,
        onClose: () => this.lost(obex),
      });
      this.obex = obex;
      this.channel = opened;
      opened.events.on('data', (chunk) => obex.receive(chunk));
      opened.events.on('close', () => obex.close());
      await obex.connect({ target: MNS_TARGET });
      if (this.isClosed()) return;
      this.current = 'ready';
      this.failures = 0;
      this.events.emit('connected', opened.channel);
      void this.pump();
    } catch (err) {
      if (this.isClosed()) return;
      this.obex?.close();
      this.obex = undefined;
      this.channel = undefined;
      if (channel?.open === true) void channel.close().catch(() => undefined);
      this.failed(err);
    }
  }

  /** The OBEX session closed (channel gone, timeout, garbage from the PC). */
  private lost(obex: ObexClientSession): void {
    if (obex !== this.obex || this.isClosed()) return;
    const channel = this.channel;
    this.obex = undefined;
    this.channel = undefined;
    if (channel?.open === true) void channel.close().catch(() => undefined);
    // While connecting, the attempt's own catch handles it.
    if (this.current === 'ready') this.failed(new SimPhoneError('sim-phone.mns-lost', `the MNS connection to ${this.options.pcAddress} closed`));
  }

  private failed(error: unknown): void {
    this.failures++;
    if (this.failures > this.retries) {
      this.current = 'failed';
      this.queue.length = 0;
      this.events.emit('gaveUp', new MnsUnreachableError(this.options.pcAddress, this.failures, error));
      return;
    }
    const delay = Math.min(this.backoffMs * 2 ** (this.failures - 1), this.maxBackoffMs);
    this.current = 'waiting-retry';
    this.events.emit('retrying', this.failures, delay, error);
    this.retryTimer = this.options.clock.schedule(delay, () => {
      this.retryTimer = undefined;
      if (this.current === 'waiting-retry') void this.attempt();
    });
  }

  /** Sends queued reports one at a time while the connection is ready. */
  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      for (;;) {
        const obex = this.obex;
        const next = this.queue[0];
        if (this.current !== 'ready' || obex === undefined || next === undefined) break;
        try {
          await obex.put({ type: MapMime.eventReport, appParams: encodeMapParams({ masInstanceId: this.options.masInstanceId }) }, next.body);
          if (this.queue[0] === next) this.queue.shift();
          this.events.emit('sent', next.event);
        } catch (err) {
          // The connection went away: keep the event for the next connection.
          if (this.current !== 'ready' || obex !== this.obex) continue;
          if (this.queue[0] === next) this.queue.shift();
          this.events.emit('eventFailed', next.event, err);
        }
      }
    } finally {
      this.pumping = false;
    }
  }

  private isClosed(): boolean {
    return this.current === 'closed';
  }
}
