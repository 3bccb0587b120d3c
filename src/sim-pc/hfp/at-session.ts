/**
 * The HF end of the AT channel: turns the AG's byte stream into result
 * lines (ResultLineSplitter) and typed results, and runs our commands one
 * at a time from a bounded queue. A command ends with OK, ERROR or
 * +CME ERROR, or fails after its time limit; the information results it
 * asked for (+CIND for AT+CIND?, +CLCC for AT+CLCC, ...) are collected for
 * it, and every other result is unsolicited and goes to `onUnsolicited`
 * whenever it comes, even while a command is waiting. Lines that do not
 * decode are reported to `onProtocolError` once each and skipped.
 *
 * After a timeout the channel is out of step: the AG may still answer the
 * command we gave up on (it was only slow, e.g. the link stalled just short
 * of its supervision timeout). So the session sends nothing until it has
 * resynchronised: the first final result that arrives is taken as that late
 * answer and dropped, or, if none comes within another time limit, the
 * answer is taken as lost. Only then does the next command go out, so a
 * late answer is never read as the answer to a later command.
 */
import type { ByteChannel } from '../../link/classic';
import type { Clock, Timer } from '../../link/clock';
import { DisconnectedError } from '../../link/errors';
import { commandText, type HfCommand } from '../../protocol/hfp/commands';
import { ProtocolError } from '../../protocol/errors';
import { HfpError, HfpErrorCode } from '../../protocol/hfp/errors';
import { decodeResult, type AgResult, type AgResultKind } from '../../protocol/hfp/results';
import { ResultLineSplitter } from '../../protocol/hfp/splitter';
import { TimeoutError } from '../errors';
import { AgCmeError, AgRefusedError, HfpQueueFullError } from './errors';
import { HFP_COMMAND_TIMEOUT_MS, HFP_MAX_QUEUED_COMMANDS, HFP_MAX_RESPONSES_PER_COMMAND } from '../../limits';

export const DEFAULT_COMMAND_TIMEOUT_MS = HFP_COMMAND_TIMEOUT_MS;
export const DEFAULT_MAX_QUEUED_COMMANDS = HFP_MAX_QUEUED_COMMANDS;
/** Information results kept for one command at most; more are dropped (a bounded buffer). */
export const MAX_RESPONSES_PER_COMMAND = HFP_MAX_RESPONSES_PER_COMMAND;

export interface AtSessionOptions {
  channel: ByteChannel;
  clock: Clock;
  timeoutMs?: number;
  maxQueued?: number;
  maxLineLength?: number;
  onUnsolicited: (result: AgResult) => void;
  onProtocolError: (error: ProtocolError) => void;
  /** Called after a command timed out (its promise is already rejected). */
  onTimeout?: (command: string) => void;
}

export interface SendOptions {
  /** Put the command at the head of the queue (an answer the AG is waiting for, like AT+BCS). */
  urgent?: boolean;
  timeoutMs?: number;
}

interface Pending {
  command: HfCommand;
  text: string;
  expects: ReadonlySet<AgResultKind>;
  responses: AgResult[];
  /** Information lines dropped past MAX_RESPONSES_PER_COMMAND (reported once per command). */
  dropped: number;
  timeoutMs: number;
  resolve: (responses: AgResult[]) => void;
  reject: (error: Error) => void;
}

/** Counters for health reports and tests. */
export interface AtSessionStats {
  lines: number;
  unsolicited: number;
  unknown: number;
  badLines: number;
  commands: number;
  timeouts: number;
  /** Final results that arrived after their command had timed out, and were dropped. */
  lateFinals: number;
}

const EXPECTED: Partial<Record<HfCommand['kind'], AgResultKind[]>> = {
  brsf: ['brsf'],
  cindTest: ['cindTest'],
  cindRead: ['cindRead'],
  chldTest: ['chld'],
  bindTest: ['bindList'],
  bindRead: ['bindStatus'],
  copsRead: ['cops'],
  clcc: ['clcc'],
  cnum: ['cnum'],
  xapl: ['xapl'],
  btrhRead: ['btrh'],
};

const NOTHING: ReadonlySet<AgResultKind> = new Set();
const encoder = new TextEncoder();

/** The information results that answer `command` (empty for commands answered by OK alone). */
export function expectedResults(command: HfCommand): ReadonlySet<AgResultKind> {
  const kinds = EXPECTED[command.kind];
  return kinds === undefined ? NOTHING : new Set(kinds);
}

export class AtSession {
  readonly stats: AtSessionStats = { lines: 0, unsolicited: 0, unknown: 0, badLines: 0, commands: 0, timeouts: 0, lateFinals: 0 };
  private readonly splitter: ResultLineSplitter;
  private readonly timeoutMs: number;
  private readonly maxQueued: number;
  private readonly queue: Pending[] = [];
  private current: Pending | undefined;
  private timer: Timer | undefined;
  /** Set while waiting for the late final result of a timed-out command. */
  private resync: Timer | undefined;
  private closedBy: Error | undefined;
  private readonly unsubscribe: () => void;

  constructor(private readonly options: AtSessionOptions) {
    this.timeoutMs = options.timeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
    this.maxQueued = options.maxQueued ?? DEFAULT_MAX_QUEUED_COMMANDS;
    this.splitter = new ResultLineSplitter(
      options.maxLineLength === undefined ? {} : { maxLineLength: options.maxLineLength },
    );
    this.unsubscribe = options.channel.events.on('data', (chunk) => this.receive(chunk));
  }

  /** Commands waiting, not counting the one in flight. */
  get queued(): number {
    return this.queue.length;
  }

  /** The text of the command waiting for its final result, if any. */
  get inFlight(): string | undefined {
    return this.current?.text;
  }

  get closed(): boolean {
    return this.closedBy !== undefined;
  }

  /** True when a command of this kind is waiting in the queue (not yet sent). */
  isQueued(kind: HfCommand['kind']): boolean {
    return this.queue.some((p) => p.command.kind === kind);
  }

  /**
   * Queues a command; resolves with the information results that answered
   * it once OK arrives. Rejects with AgRefusedError (ERROR), AgCmeError
   * (+CME ERROR), TimeoutError, HfpQueueFullError, an HfpError for a value
   * that cannot be encoded, or DisconnectedError when the session closes.
   */
  send(command: HfCommand, options: SendOptions = {}): Promise<AgResult[]> {
    if (this.closedBy) return Promise.reject(this.closedBy);
    let text: string;
    try {
      text = commandText(command);
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new HfpError(HfpErrorCode.Unencodable, String(err)));
    }
    if (this.queue.length >= this.maxQueued) return Promise.reject(new HfpQueueFullError(this.maxQueued));
    return new Promise<AgResult[]>((resolve, reject) => {
      const pending: Pending = {
        command,
        text,
        expects: expectedResults(command),
        responses: [],
        dropped: 0,
        timeoutMs: options.timeoutMs ?? this.timeoutMs,
        resolve,
        reject,
      };
      if (options.urgent === true) this.queue.unshift(pending);
      else this.queue.push(pending);
      this.pump();
    });
  }

  /** Fails the command in flight and every queued one with `reason`, and stops listening. Idempotent. */
  close(reason: Error = new DisconnectedError(0x16, 'the hands-free session was closed')): void {
    if (this.closedBy) return;
    this.closedBy = reason;
    this.unsubscribe();
    this.timer?.cancel();
    this.timer = undefined;
    this.resync?.cancel();
    this.resync = undefined;
    const failed = this.current ? [this.current, ...this.queue] : [...this.queue];
    this.current = undefined;
    this.queue.length = 0;
    for (const p of failed) p.reject(reason);
  }

  private receive(chunk: Uint8Array): void {
    if (this.closedBy) return;
    for (const event of this.splitter.push(chunk)) {
      if (event.kind === 'error') {
        this.stats.badLines++;
        this.options.onProtocolError(event.error);
        continue;
      }
      this.stats.lines++;
      let result: AgResult;
      try {
        result = decodeResult(event.text);
      } catch (err) {
        this.stats.badLines++;
        this.options.onProtocolError(asProtocolError(err, event.offset));
        continue;
      }
      this.route(result);
      if (this.closedBy) return;
    }
  }

  private route(result: AgResult): void {
    const current = this.current;
    switch (result.kind) {
      case 'ok':
      case 'error':
      case 'cmeError':
        if (this.resync) {
          // The late answer to the command that timed out: drop it; we are back in step.
          this.stats.lateFinals++;
          this.endResync();
          return;
        }
        // A final result with nothing in flight answers nothing we asked: drop it.
        if (current) this.finish(current, result);
        return;
      case 'unknown':
        this.stats.unknown++;
        return;
      default:
        if (current?.expects.has(result.kind)) {
          if (current.responses.length < MAX_RESPONSES_PER_COMMAND) current.responses.push(result);
          else if (current.dropped++ === 0) {
            this.options.onProtocolError(
              new HfpError(HfpErrorCode.TooManyResponses, `the AG sent more than ${MAX_RESPONSES_PER_COMMAND} information lines for ${current.text}; the rest are dropped`),
            );
          }
          return;
        }
        this.stats.unsolicited++;
        this.options.onUnsolicited(result);
    }
  }

  private finish(pending: Pending, result: AgResult): void {
    this.timer?.cancel();
    this.timer = undefined;
    this.current = undefined;
    if (result.kind === 'ok') pending.resolve(pending.responses);
    else if (result.kind === 'cmeError') pending.reject(new AgCmeError(pending.text, result.code));
    else pending.reject(new AgRefusedError(pending.text));
    this.pump();
  }

  private pump(): void {
    while (!this.current && !this.closedBy && !this.resync) {
      const next = this.queue.shift();
      if (!next) return;
      this.current = next;
      this.stats.commands++;
      try {
        this.options.channel.write(encoder.encode(`${next.text}\r`));
      } catch (err) {
        this.current = undefined;
        next.reject(err instanceof Error ? err : new DisconnectedError(0x16, String(err)));
        continue;
      }
      this.timer = this.options.clock.schedule(next.timeoutMs, () => this.expire(next));
    }
  }

  private expire(pending: Pending): void {
    if (this.current !== pending) return;
    this.timer = undefined;
    this.current = undefined;
    this.stats.timeouts++;
    this.resync = this.options.clock.schedule(pending.timeoutMs, () => {
      this.resync = undefined;
      this.pump();
    });
    pending.reject(new TimeoutError(pending.text, pending.timeoutMs));
    this.options.onTimeout?.(pending.text);
  }

  /** True while the session holds its queue back, waiting for a timed-out command's late answer. */
  get resynchronising(): boolean {
    return this.resync !== undefined;
  }

  private endResync(): void {
    this.resync?.cancel();
    this.resync = undefined;
    this.pump();
  }
}

function asProtocolError(err: unknown, offset: number): ProtocolError {
  if (err instanceof ProtocolError) return err;
  return new HfpError(HfpErrorCode.BadSyntax, `undecodable line: ${String(err)}`, offset);
}
