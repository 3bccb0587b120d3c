/**
 * The engine under the OBEX client session: frames incoming bytes, runs one
 * operation at a time, hands responses to it with a timeout, counts the
 * responses the peer still owes, and carries out Abort (asked for by the
 * caller, or used to bring the peer back in step after a failure mid-GET
 * or mid-PUT). The session builds the OBEX operations on top of it.
 */
import type { Clock } from '../../link/clock';
import { isContinue } from './constants';
import { isObexError, ObexError, ObexErrorKind } from './errors';
import { isBodyHeader } from './header-values';
import type { ObexHeader } from './headers';
import { PacketInbox } from './packet-inbox';
import { decodeResponse, encodeRequest, type ObexRequest } from './packet';
import { FramingError, PacketSplitter } from './packet-splitter';
import type { AbortOutcome, ClientState } from './client-types';
import { abortedError, busyError, closedError, queueFullError, timeoutError } from './session-errors';

/** One running operation, as the engine tracks it. */
export interface Operation {
  readonly what: string;
  readonly abortable: boolean;
  /** Responses owed by the peer and not yet taken. */
  owed: number;
  /** SRM GET: responses arrive without requests, so `owed` says nothing. */
  streaming: boolean;
  /** The peer is inside this operation (it has not sent a final answer yet). */
  peerActive: boolean;
  aborted: boolean;
  abortDone: Promise<AbortOutcome> | undefined;
}

export interface ClientExchangeOptions {
  send: (bytes: Uint8Array) => void;
  clock: Clock;
  timeoutMs: number;
  maxQueuedResponses: number;
  /** Largest packet accepted from the peer. */
  receiveLimit: number;
  /** Largest packet the peer accepts, as currently known. */
  sendLimit: () => number;
  /** Headers of an Abort request (the Connection ID, if any). */
  abortHeaders: () => ObexHeader[];
  onClose: (reason: Error | undefined) => void;
}

export class ClientExchange {
  private readonly splitter: PacketSplitter;
  private readonly inbox: PacketInbox;
  private op: Operation | undefined;
  private closed = false;
  private closeReason: Error | undefined;

  constructor(private readonly options: ClientExchangeOptions) {
    this.splitter = new PacketSplitter({ maxPacketLength: options.receiveLimit });
    this.inbox = new PacketInbox(options.clock, options.maxQueuedResponses);
  }

  get state(): ClientState {
    if (this.closed) return 'closed';
    return this.op ? 'busy' : 'idle';
  }

  set receiveLimit(value: number) {
    this.splitter.maxPacketLength = value;
  }

  receive(chunk: Uint8Array): void {
    if (this.closed) return;
    let packets: Uint8Array[];
    try {
      packets = this.splitter.push(chunk);
    } catch (err) {
      if (err instanceof FramingError) for (const packet of err.packets) this.accept(packet);
      this.close(err instanceof Error ? err : undefined);
      return;
    }
    for (const packet of packets) this.accept(packet);
  }

  close(reason?: Error): void {
    if (this.closed) return;
    this.closed = true;
    this.closeReason = reason;
    this.inbox.interrupt(reason instanceof ObexError ? reason : closedError(reason?.message));
    this.inbox.clear();
    this.options.onClose(reason);
  }

  /**
   * Runs `body` as the one operation. Afterwards: a timeout closes the
   * session; a failure while the peer is still inside an abortable
   * operation triggers an Abort first; a caller's abort() turns any
   * outcome into `obex.aborted` once the Abort is settled.
   */
  async run<T>(what: string, abortable: boolean, body: (op: Operation) => Promise<T>): Promise<T> {
    if (this.closed) throw closedError(this.closeReason?.message);
    if (this.op) throw busyError(what, this.op.what);
    const op: Operation = { what, abortable, owed: 0, streaming: false, peerActive: false, aborted: false, abortDone: undefined };
    this.op = op;
    try {
      const result = await body(op);
      if (op.abortDone) {
        await op.abortDone;
        throw abortedError(what);
      }
      return result;
    } catch (err) {
      if (op.aborted) {
        if (op.abortDone) await op.abortDone;
        throw abortedError(what);
      }
      if (isObexError(err, ObexErrorKind.Timeout)) {
        this.close(err);
      } else if (!this.closed && abortable && op.peerActive) {
        op.abortDone = this.runAbort(op);
        await op.abortDone;
      }
      throw err;
    } finally {
      if (this.op === op) {
        this.op = undefined;
        if (!this.closed && this.inbox.length > 0) {
          this.close(new ObexError(ObexErrorKind.UnexpectedResponse, `${what}: responses left over after the operation`));
        }
      }
    }
  }

  /** Cancels the running abortable operation (see ObexClientSession.abort). */
  abort(): Promise<AbortOutcome> {
    const op = this.op;
    if (!op || !op.abortable || this.closed) return Promise.resolve('nothing-to-abort');
    if (op.abortDone) return op.abortDone;
    op.aborted = true;
    this.inbox.interrupt(abortedError(op.what));
    op.abortDone = this.runAbort(op);
    return op.abortDone;
  }

  /** Throws if the session closed or the operation was aborted. */
  check(op: Operation): void {
    if (this.closed) throw closedError(this.closeReason?.message);
    if (op.aborted) throw abortedError(op.what);
  }

  /** The operation's next response, within the timeout. */
  nextPacket(op: Operation): Promise<Uint8Array> {
    this.check(op);
    return this.inbox.next(
      this.options.timeoutMs,
      () => timeoutError(op.what, this.options.timeoutMs),
      () => {
        if (op.owed > 0) op.owed--;
      },
    );
  }

  /** A response that already arrived, without waiting (SRM PUT: an early refusal or SRMP). */
  takeArrived(): Uint8Array | undefined {
    return this.inbox.shift();
  }

  sendRequest(op: Operation, request: ObexRequest, expectsResponse = true): void {
    this.check(op);
    const bytes = encodeRequest(request);
    const limit = this.options.sendLimit();
    if (bytes.length > limit) throw tooLarge(op.what, bytes.length, limit);
    if (expectsResponse) op.owed++;
    this.send(bytes);
  }

  /**
   * Sends Abort and waits for its answer, skipping the responses still owed
   * (or, inside SRM GET, the packets still streaming). Unanswered: closed.
   */
  private async runAbort(op: Operation): Promise<AbortOutcome> {
    let skip = op.owed;
    try {
      this.send(encodeRequest({ opcode: 0xff, headers: this.options.abortHeaders() }));
      for (;;) {
        const packet = await this.inbox.next(this.options.timeoutMs, () => timeoutError('Abort', this.options.timeoutMs));
        if (op.streaming) {
          if (isStreamLeftover(packet)) continue;
        } else if (skip > 0) {
          skip--;
          continue;
        }
        return 'answered';
      }
    } catch (err) {
      if (this.closed) return 'closed';
      this.close(err instanceof Error ? err : undefined);
      return isObexError(err, ObexErrorKind.Timeout) ? 'timed-out' : 'closed';
    }
  }

  private accept(packet: Uint8Array): void {
    if (this.closed) return;
    if (!this.op) {
      this.close(new ObexError(ObexErrorKind.UnexpectedResponse, 'a response arrived while no operation was running'));
      return;
    }
    if (this.inbox.push(packet) === 'full') this.close(queueFullError('response', this.inbox.limit));
  }

  private send(bytes: Uint8Array): void {
    try {
      this.options.send(bytes);
    } catch (err) {
      const reason = err instanceof Error ? err : new Error(String(err));
      this.close(reason);
      throw closedError(reason.message);
    }
  }
}

/**
 * In SRM GET after Abort: a packet still streaming from the GET (Continue,
 * or the final one carrying End-of-Body) rather than the Abort's answer.
 */
function isStreamLeftover(packet: Uint8Array): boolean {
  if (packet.length === 0 || isContinue(packet[0] as number)) return true;
  try {
    return decodeResponse(packet).headers.some(isBodyHeader);
  } catch {
    return true;
  }
}

export function tooLarge(what: string, length: number, max: number): ObexError {
  return new ObexError(ObexErrorKind.TooLarge, `${what}: packet of ${length} bytes exceeds the maximum ${max}`);
}
