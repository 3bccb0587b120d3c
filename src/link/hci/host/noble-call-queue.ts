/**
 * The GATT client's calls, run one at a time from a bounded queue: noble
 * keeps one callback per kind of call, and one call at a time lets an ATT
 * Error Response be pinned on the call that caused it.
 *
 * - ATT errors: noble drops their codes; the ATT tap (noble-att-tap.ts)
 *   reports the Error Response here and the call rejects with AttError(code).
 *   Without the tap, a refused write or subscribe times out instead.
 * - Insufficient Authentication/Authorization/Encryption on an unencrypted
 *   link: noble pairs by itself (Just Works) and repeats the request, so the
 *   call waits and succeeds after pairing; if pairing fails the connection
 *   fails the call with AttError(code) and drops the link (noble's ATT queue
 *   cannot move past it).
 * - A call with no answer within `requestTimeoutMs` (30 s, as ATT's own
 *   transaction timeout) rejects with `link.att-timeout` and drops the link.
 * - While the connection pairs or encrypts on request, calls wait
 *   (`hold`/`release`), so noble never has a request to repeat.
 */
import { AttErrorCode } from '../../att-codes';
import { Clock, Timer } from '../../clock';
import { AttError, DisconnectedError, LinkError, QueueFullError } from '../../errors';

/** Calls waiting behind the one in progress. */
export const MAX_QUEUED_CALLS = 256;

/** Security refusals noble answers by pairing on its own. */
const PAIRING_TRIGGERS: ReadonlySet<number> = new Set([
  AttErrorCode.InsufficientAuthentication,
  AttErrorCode.InsufficientAuthorization,
  AttErrorCode.InsufficientEncryption,
]);

/** What the queue needs from the connection it runs on. */
export interface CallQueueLink {
  readonly clock: Clock;
  readonly requestTimeoutMs: number;
  readonly isOpen: boolean;
  readonly encrypted: boolean;
  disconnectedError(): DisconnectedError;
  /** noble's ATT queue can no longer make progress: the link must go. */
  abandon(reason: string): void;
  /** The server refused on security grounds on an unencrypted link: noble is pairing now. */
  pairingStarted(attCode: number): void;
}

/** How a call ends: a LinkError, or its value. */
export type Done<T> = (outcome: LinkError | { value: T }) => void;

export interface Call {
  /** Request opcodes whose Error Responses belong to this call; empty for discovery. */
  readonly requests: readonly number[];
  /** An Error Response for this call was seen (cleared when noble repeats the request after pairing). */
  attCode?: number;
  /** Starts the call; `claim` is true while the call is still the one in progress. */
  start(claim: () => boolean): void;
  fail(error: LinkError): void;
}

export class GattCallQueue {
  private readonly queue: Call[] = [];
  private current: { call: Call; timer: Timer; done: boolean } | undefined;
  private ended = false;
  private holds = 0;
  private readonly idleWaiters: (() => void)[] = [];

  constructor(private readonly link: CallQueueLink) {}

  /** Queues a call; it runs when every earlier one has finished. */
  call<T>(requests: readonly number[], run: (done: Done<T>, call: Call) => void): Promise<T> {
    if (!this.link.isOpen || this.ended) return Promise.reject(this.link.disconnectedError());
    if (this.queue.length >= MAX_QUEUED_CALLS) return Promise.reject(new QueueFullError('GATT call', MAX_QUEUED_CALLS));
    return new Promise<T>((resolve, reject) => {
      const call: Call = {
        requests,
        fail: reject,
        start: (claim) =>
          run((outcome) => {
            if (!claim()) return;
            if (outcome instanceof LinkError) reject(outcome);
            else resolve(outcome.value);
            this.pump();
          }, call),
      };
      this.queue.push(call);
      this.pump();
    });
  }

  /** An ATT Error Response arrived (from the tap, before noble handles it). */
  onErrorResponse(requestOpcode: number, attCode: number): void {
    const current = this.current;
    if (!current || current.done || !current.call.requests.includes(requestOpcode)) return;
    if (PAIRING_TRIGGERS.has(attCode) && !this.link.encrypted) {
      // noble pairs now and repeats the request when the link is encrypted.
      current.call.attCode = attCode;
      this.link.pairingStarted(attCode);
      return;
    }
    current.call.attCode = attCode;
    if (attCode === AttErrorCode.InvalidPdu) {
      // noble swallows this one and waits forever for another answer.
      this.failCurrent(new AttError(attCode));
      this.link.abandon('noble ignored an Invalid PDU error and its ATT queue is stuck');
      return;
    }
    // A read completes (with no data) in noble's own handling of this PDU, just after us; anything else never completes.
    queueMicrotask(() => {
      if (this.current === current && !current.done) this.failCurrent(new AttError(attCode));
    });
  }

  /** Noble's pairing succeeded; the refused request is being repeated. */
  onEncrypted(): void {
    if (this.current) delete this.current.call.attCode;
  }

  /** Resolves once no call is in flight; no new call starts until release(). For pairing on request. */
  hold(): Promise<void> {
    this.holds++;
    if (!this.current) return Promise.resolve();
    return new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  release(): void {
    if (this.holds > 0) this.holds--;
    this.pump();
  }

  /** Fails the call in progress (pairing failed, or its answer will never come). */
  failCurrent(error: LinkError): void {
    const current = this.current;
    if (!current || current.done) return;
    current.done = true;
    current.timer.cancel();
    this.current = undefined;
    current.call.fail(error);
    this.pump();
  }

  /** The link went down: every pending call rejects with `error`. */
  end(error: LinkError): void {
    if (this.ended) return;
    this.ended = true;
    const current = this.current;
    this.current = undefined;
    if (current && !current.done) {
      current.done = true;
      current.timer.cancel();
      current.call.fail(error);
    }
    for (const call of this.queue.splice(0)) call.fail(error);
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  /** Starts the next call when none is in progress. */
  private pump(): void {
    if (!this.current) for (const resolve of this.idleWaiters.splice(0)) resolve();
    while (!this.current && this.holds === 0 && this.link.isOpen && !this.ended) {
      const call = this.queue.shift();
      if (!call) return;
      const current = {
        call,
        done: false,
        timer: this.link.clock.schedule(this.link.requestTimeoutMs, () => {
          if (this.current !== current || current.done) return;
          this.failCurrent(new LinkError('link.att-timeout', `no ATT answer within ${this.link.requestTimeoutMs} ms`));
          this.link.abandon('an ATT request went unanswered');
        }),
      };
      this.current = current;
      const claim = (): boolean => {
        if (current.done) return false;
        current.done = true;
        current.timer.cancel();
        if (this.current === current) this.current = undefined;
        return true;
      };
      try {
        call.start(claim);
      } catch (error) {
        if (claim()) call.fail(new LinkError('link.noble-error', error instanceof Error ? error.message : String(error)));
      }
    }
  }
}
