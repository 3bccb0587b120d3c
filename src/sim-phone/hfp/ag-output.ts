/**
 * The AG's writing side of one AT channel: writes result codes framed as
 * `\r\n<line>\r\n`, gives every command exactly one final result (ERROR
 * when its handler gave none), holds back unsolicited results raised while
 * a command is being answered until after its final result, and keeps a
 * bounded transcript of the lines both ways.
 */
import type { ByteChannel } from '../../link/classic';
import type { Clock } from '../../link/clock';
import { type AgResult, encodeResult } from '../../protocol/hfp/results';

export interface TranscriptEntry {
  atMs: number;
  from: 'hf' | 'ag';
  line: string;
}

/** Transcript entries kept per session; older ones are dropped and counted. */
export const MAX_TRANSCRIPT = 1000;

export interface AtOutputHooks {
  /** The channel refused a write (closed, or its queue is full). */
  writeFailed(): void;
  /** A result could not be encoded (a bug). */
  encodeFailed(error: unknown): void;
}

const utf8 = new TextDecoder();

export class AtOutput {
  private readonly entries: TranscriptEntry[] = [];
  private dropped = 0;
  private inCommand = false;
  private finalSent = false;
  private deferred: AgResult[] = [];
  private stopped = false;

  constructor(
    private readonly channel: ByteChannel,
    private readonly clock: Clock,
    private readonly hooks: AtOutputHooks,
  ) {}

  /** Lines both ways, oldest first (at most MAX_TRANSCRIPT). */
  get transcript(): readonly TranscriptEntry[] {
    return this.entries;
  }

  /** Transcript entries dropped to stay within the bound. */
  get transcriptDropped(): number {
    return this.dropped;
  }

  record(from: 'hf' | 'ag', line: string): void {
    this.entries.push({ atMs: this.clock.now(), from, line });
    if (this.entries.length > MAX_TRANSCRIPT) {
      this.entries.shift();
      this.dropped++;
    }
  }

  /**
   * Answers one command: runs `handler`; if it throws, `onError` may send
   * the final result; without one, ERROR goes out. Then the unsolicited
   * results raised meanwhile follow.
   */
  command(handler: () => void, onError: (error: unknown) => void): void {
    this.inCommand = true;
    this.finalSent = false;
    try {
      handler();
    } catch (err) {
      onError(err);
    } finally {
      if (!this.finalSent) this.finish({ kind: 'error' });
      this.inCommand = false;
      const pending = this.deferred;
      this.deferred = [];
      for (const result of pending) this.send(result);
    }
  }

  /** The command's final result (OK, ERROR, +CME ERROR); later calls for the same command are ignored. */
  finish(result: AgResult): void {
    if (this.finalSent) return;
    this.finalSent = true;
    this.send(result);
  }

  /** An information line of the command being answered. */
  respond(result: AgResult): void {
    this.send(result);
  }

  /** A result not tied to a command: sent now, or after the final result of the command being answered. */
  unsolicited(result: AgResult): void {
    if (this.inCommand) this.deferred.push(result);
    else this.send(result);
  }

  /** Writes nothing more. */
  stop(): void {
    this.stopped = true;
    this.deferred = [];
  }

  private send(result: AgResult): void {
    if (this.stopped || !this.channel.open) return;
    let bytes: Uint8Array;
    try {
      bytes = encodeResult(result);
    } catch (err) {
      this.hooks.encodeFailed(err);
      return;
    }
    this.record('ag', utf8.decode(bytes).trim());
    try {
      this.channel.write(bytes);
    } catch {
      this.hooks.writeFailed();
    }
  }
}
