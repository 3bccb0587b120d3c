/**
 * Serialises ANCS Control Point requests for one session. The Data Source
 * carries no request id, so exactly one request is in flight at a time and
 * its reply is matched to it through the reassembler's expectation.
 *
 * - A bounded queue (QueueFullError past `queueLimit`), with a priority lane
 *   for short user-facing requests (actions, app names) ahead of fetches.
 * - Requests may carry a key; submitting a key that is already queued (not
 *   yet sent) joins the queued request instead of adding another.
 * - Each request has a time limit: on expiry the reassembler is reset and the
 *   request fails with TimeoutError.
 * - Data Source bytes that cannot be decoded, or that answer nothing we
 *   asked, are reported once through `onError`; then the sequencer drains:
 *   it drops Data Source bytes until the source has been quiet for `drainMs`,
 *   so the tail of a bad or late reply cannot be taken for the next reply.
 * - A reply that stops at a tuple boundary with fewer tuples than asked for
 *   (iOS answers GetAppAttributes for an app that is not installed with the
 *   header alone, and real captures miss a last attribute) is taken as
 *   complete once the Data Source has been quiet for `shortReplyMs` after the
 *   write was acknowledged, instead of holding the queue until the timeout.
 * Timers run only while a request is in flight or a drain is under way.
 */
import type { Clock, Timer } from '../../link/clock';
import { QueueFullError } from '../../link/errors';
import { DataSourceReassembler, encodeControlPoint, expectedReplyFor, ReassemblyError } from '../../protocol/ancs';
import { CommandId } from '../../protocol/ancs/constants';
import type { ControlPointCommand, DataSourceReply, ExpectedReply } from '../../protocol/ancs/types';
import { RequestCancelledError, TimeoutError, UnexpectedReplyError } from '../errors';

export interface ControlPointSequencerOptions {
  clock: Clock;
  /** Writes one Control Point value (Write Request); rejects with LinkError/AttError. */
  write: (value: Uint8Array) => Promise<void>;
  requestTimeoutMs: number;
  queueLimit: number;
  /** Quiet time on the Data Source that ends a drain. */
  drainMs: number;
  /** Quiet time after which a reply standing at a tuple boundary is taken as complete. Default 500 ms. */
  shortReplyMs?: number;
  /** Upper bound on one reassembled reply. */
  maxReplyBytes?: number;
  /** Problems that belong to no caller (bad Data Source bytes); reported once each. */
  onError: (err: Error) => void;
}

export interface SubmitOptions {
  /** Goes ahead of ordinary requests (behind earlier priority ones). */
  priority?: boolean;
  /** Coalescing key: a queued request with the same key is joined, not duplicated. */
  key?: string;
}

interface Request {
  command: ControlPointCommand;
  expect: ExpectedReply | undefined;
  key: string | undefined;
  priority: boolean;
  promise: Promise<DataSourceReply | undefined>;
  resolve: (reply: DataSourceReply | undefined) => void;
  reject: (err: unknown) => void;
  timer: Timer | undefined;
  written: boolean;
  reply: DataSourceReply | undefined;
}

export interface SequencerStats {
  sent: number;
  timeouts: number;
  dataSourceErrors: number;
  discardedFragments: number;
  /** Replies accepted with fewer tuples than requested. */
  shortReplies: number;
}

export class ControlPointSequencer {
  private readonly queue: Request[] = [];
  private current: Request | undefined;
  private readonly reassembler: DataSourceReassembler;
  private drainTimer: Timer | undefined;
  private shortReplyTimer: Timer | undefined;
  private drainDeadline = 0;
  private closedWith: Error | undefined;
  private readonly counters: SequencerStats = { sent: 0, timeouts: 0, dataSourceErrors: 0, discardedFragments: 0, shortReplies: 0 };

  constructor(private readonly options: ControlPointSequencerOptions) {
    this.reassembler = new DataSourceReassembler(options.maxReplyBytes === undefined ? {} : { maxReplyBytes: options.maxReplyBytes });
  }

  /** Requests waiting (not counting the one in flight). */
  get queued(): number {
    return this.queue.length;
  }

  /** The command in flight, if any. */
  get inFlight(): ControlPointCommand | undefined {
    return this.current?.command;
  }

  /** True while Data Source bytes are being dropped after an error or timeout. */
  get draining(): boolean {
    return this.drainTimer !== undefined;
  }

  get stats(): SequencerStats {
    return { ...this.counters };
  }

  /** True when a request with `key` is queued and not yet sent. */
  isQueued(key: string): boolean {
    return this.queue.some((r) => r.key === key);
  }

  /**
   * Queues a command. Resolves with the Data Source reply (GetNotificationAttributes,
   * GetAppAttributes) or undefined (PerformNotificationAction) once the phone answered.
   */
  submit(command: ControlPointCommand, options: SubmitOptions = {}): Promise<DataSourceReply | undefined> {
    if (this.closedWith) return Promise.reject(this.closedWith);
    if (options.key !== undefined) {
      const same = this.queue.find((r) => r.key === options.key);
      if (same) return same.promise;
    }
    if (this.queue.length >= this.options.queueLimit) {
      return Promise.reject(new QueueFullError('ANCS Control Point', this.options.queueLimit));
    }
    let resolve: (reply: DataSourceReply | undefined) => void = () => undefined;
    let reject: (err: unknown) => void = () => undefined;
    const promise = new Promise<DataSourceReply | undefined>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    const request: Request = {
      command,
      expect: command.commandId === CommandId.PerformNotificationAction ? undefined : expectedReplyFor(command),
      key: options.key,
      priority: options.priority === true,
      promise,
      resolve,
      reject,
      timer: undefined,
      written: false,
      reply: undefined,
    };
    if (request.priority) {
      const firstOrdinary = this.queue.findIndex((r) => !r.priority);
      this.queue.splice(firstOrdinary < 0 ? this.queue.length : firstOrdinary, 0, request);
    } else {
      this.queue.push(request);
    }
    this.pump();
    return promise;
  }

  /** Withdraws a queued (unsent) request; its promise rejects with RequestCancelledError. */
  cancel(key: string): boolean {
    const index = this.queue.findIndex((r) => r.key === key);
    if (index < 0) return false;
    const [request] = this.queue.splice(index, 1);
    request?.reject(new RequestCancelledError(`ANCS request ${key}`));
    return true;
  }

  /** Feeds one Data Source notification. Never throws. */
  onDataSource(fragment: Uint8Array): void {
    if (this.closedWith) return;
    this.cancelShortReply();
    if (this.drainTimer) {
      this.counters.discardedFragments++;
      this.extendDrain();
      return;
    }
    const request = this.current;
    if (!request || !request.expect || request.reply) {
      this.counters.discardedFragments++;
      this.reassembler.reset();
      this.reportDataSourceError(new UnexpectedReplyError(`${fragment.length} bytes while no reply was expected`));
      this.startDrain();
      return;
    }
    let replies: DataSourceReply[];
    let failure: Error | undefined;
    try {
      replies = this.reassembler.push(fragment);
    } catch (err) {
      this.reassembler.reset();
      failure = err instanceof Error ? err : new Error(String(err));
      // Bytes after a complete reply do not spoil the reply itself.
      replies = err instanceof ReassemblyError ? [...err.completed] : [];
    }
    const reply = replies[0];
    if (failure === undefined && replies.length > 1) failure = new UnexpectedReplyError(`${replies.length} replies where one was expected`);
    const mismatch = reply === undefined ? undefined : describeMismatch(request.command, reply);
    if (mismatch !== undefined) failure = new UnexpectedReplyError(mismatch);
    if (failure !== undefined) {
      this.reportDataSourceError(failure);
      // Drain first, so finishing does not send the next request into the tail of this one.
      this.startDrain();
      if (reply === undefined || mismatch !== undefined) {
        this.finish(request, failure);
        return;
      }
    }
    if (!reply) {
      this.armShortReply(request);
      return;
    }
    if (request.written) this.finish(request, undefined, reply);
    else request.reply = reply; // the reply overtook the write response
  }

  /** Ends the sequencer: cancels timers, rejects the request in flight and every queued one with `err`. */
  close(err: Error): void {
    if (this.closedWith) return;
    this.closedWith = err;
    this.stopDrain();
    this.cancelShortReply();
    this.reassembler.reset();
    const current = this.current;
    if (current) this.finish(current, err);
    for (const request of this.queue.splice(0)) request.reject(err);
  }

  private pump(): void {
    if (this.current || this.drainTimer || this.closedWith) return;
    const request = this.queue.shift();
    if (!request) return;
    this.current = request;
    void this.send(request);
  }

  private async send(request: Request): Promise<void> {
    let bytes: Uint8Array;
    try {
      bytes = encodeControlPoint(request.command);
      if (request.expect) this.reassembler.expect(request.expect);
    } catch (err) {
      this.reassembler.reset();
      this.finish(request, err);
      return;
    }
    request.timer = this.options.clock.schedule(this.options.requestTimeoutMs, () => this.onTimeout(request));
    this.counters.sent++;
    try {
      await this.options.write(bytes);
    } catch (err) {
      if (this.current !== request) return; // timed out or closed meanwhile
      if (request.expect) this.reassembler.reset();
      this.finish(request, err);
      return;
    }
    if (this.current !== request) return;
    request.written = true;
    if (!request.expect || request.reply) this.finish(request, undefined, request.reply);
    else this.armShortReply(request);
  }

  /** Starts the short-reply wait when the reply so far ends at a tuple boundary and the write was acknowledged. */
  private armShortReply(request: Request): void {
    if (!request.written || !this.reassembler.atTupleBoundary) return;
    this.cancelShortReply();
    this.shortReplyTimer = this.options.clock.schedule(this.options.shortReplyMs ?? 500, () => {
      this.shortReplyTimer = undefined;
      if (this.current !== request) return;
      const reply = this.reassembler.completeAtBoundary();
      if (!reply) return;
      const mismatch = describeMismatch(request.command, reply);
      if (mismatch !== undefined) {
        this.reportDataSourceError(new UnexpectedReplyError(mismatch));
        this.finish(request, new UnexpectedReplyError(mismatch));
        return;
      }
      this.counters.shortReplies++;
      this.finish(request, undefined, reply);
    });
  }

  private cancelShortReply(): void {
    this.shortReplyTimer?.cancel();
    this.shortReplyTimer = undefined;
  }

  private onTimeout(request: Request): void {
    if (this.current !== request) return;
    this.counters.timeouts++;
    const name = describeCommand(request.command);
    if (request.expect) {
      this.reassembler.reset();
      // A late reply must not be read as the answer to the next request.
      this.startDrain();
    }
    this.finish(request, new TimeoutError(name, this.options.requestTimeoutMs));
  }

  private finish(request: Request, err: unknown, reply?: DataSourceReply): void {
    if (this.current !== request) return;
    this.cancelShortReply();
    request.timer?.cancel();
    request.timer = undefined;
    this.current = undefined;
    if (err !== undefined) request.reject(err);
    else request.resolve(reply);
    // Let the caller's continuation run first: a follow-up it submits with priority goes next.
    void Promise.resolve().then(() => this.pump());
  }

  private reportDataSourceError(err: Error): void {
    this.counters.dataSourceErrors++;
    this.options.onError(err);
  }

  private startDrain(): void {
    if (this.closedWith) return;
    // A source that never goes quiet still ends the drain after one request timeout.
    this.drainDeadline = this.options.clock.now() + this.options.requestTimeoutMs;
    this.armDrain(this.options.drainMs);
  }

  private extendDrain(): void {
    const left = this.drainDeadline - this.options.clock.now();
    this.armDrain(Math.max(0, Math.min(this.options.drainMs, left)));
  }

  private armDrain(delayMs: number): void {
    this.drainTimer?.cancel();
    this.drainTimer = this.options.clock.schedule(delayMs, () => {
      this.drainTimer = undefined;
      this.pump();
    });
  }

  private stopDrain(): void {
    this.drainTimer?.cancel();
    this.drainTimer = undefined;
  }
}

function describeCommand(command: ControlPointCommand): string {
  switch (command.commandId) {
    case CommandId.GetNotificationAttributes:
      return `GetNotificationAttributes(${command.notificationUid})`;
    case CommandId.GetAppAttributes:
      return `GetAppAttributes(${command.appIdentifier})`;
    default:
      return `PerformNotificationAction(${command.notificationUid}, ${command.actionId})`;
  }
}

/** Why `reply` does not answer `command`, or undefined when it does. */
function describeMismatch(command: ControlPointCommand, reply: DataSourceReply): string | undefined {
  if (command.commandId === CommandId.GetNotificationAttributes) {
    if (reply.commandId !== CommandId.GetNotificationAttributes) return `reply to command ${reply.commandId}, asked ${describeCommand(command)}`;
    if (reply.notificationUid !== command.notificationUid) return `reply for UID ${reply.notificationUid}, asked ${describeCommand(command)}`;
    return undefined;
  }
  if (command.commandId === CommandId.GetAppAttributes) {
    if (reply.commandId !== CommandId.GetAppAttributes) return `reply to command ${reply.commandId}, asked ${describeCommand(command)}`;
    if (reply.appIdentifier !== command.appIdentifier) return `reply for app ${reply.appIdentifier}, asked ${describeCommand(command)}`;
    return undefined;
  }
  return 'a reply to an action, which has none';
}
