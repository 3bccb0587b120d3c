/**
 * Runs the bleno child process for the phone-side host: forks
 * bleno-child (under ts-node when running from sources), waits until bleno
 * is powered on, passes validated messages both ways, and ends the child on
 * close: a `shutdown` message first, SIGKILL if it has not exited in time.
 * Nothing here knows GATT; bleno-server-host.ts gives the messages meaning.
 */
import { ChildProcess, fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { Clock } from '../../clock';
import { LinkError } from '../../errors';
import { Emitter } from '../../../util/emitter';
import { BlenoProtocolError, ChildMessage, ChildOptions, ParentMessage, parseChildMessage } from './bleno-protocol';

export interface BlenoProcessOptions {
  child: ChildOptions;
  clock: Clock;
  /** Give up when bleno is not powered on within this long (default 15000 ms). */
  startTimeoutMs?: number;
  /** Kill the child when it has not exited this long after `shutdown` (default 3000 ms). */
  closeTimeoutMs?: number;
  /** Gets each line the child (bleno included) prints; dropped when absent. */
  log?: (line: string) => void;
}

export interface BlenoProcessEvents {
  message: [message: ChildMessage];
  /** A message from the child failed validation and was dropped. */
  invalid: [error: BlenoProtocolError];
  exit: [code: number | null, signal: NodeJS.Signals | null];
}

/** What the phone-side host needs of its child: messages both ways, and an end. */
export interface BlenoChannel {
  readonly events: Emitter<BlenoProcessEvents>;
  readonly pid: number | undefined;
  readonly running: boolean;
  /** Sends a message; false when the child is gone. */
  send(message: ParentMessage): boolean;
  /** Ends the child; resolves once it has exited. */
  close(): Promise<void>;
}

/** The longest line of child output passed to `log`; longer ones are cut. */
const MAX_LOG_LINE = 2000;

export class BlenoProcess implements BlenoChannel {
  readonly events = new Emitter<BlenoProcessEvents>();
  private exited = false;
  private closing: Promise<void> | undefined;

  private constructor(
    private readonly child: ChildProcess,
    private readonly options: BlenoProcessOptions,
  ) {
    child.on('message', (raw: unknown) => {
      let message: ChildMessage;
      try {
        message = parseChildMessage(raw);
      } catch (error) {
        if (error instanceof BlenoProtocolError) this.events.emit('invalid', error);
        return;
      }
      this.events.emit('message', message);
    });
    child.on('exit', (code, signal) => {
      this.exited = true;
      this.events.emit('exit', code, signal);
    });
    // An IPC write to a child that just died fails asynchronously; 'exit' reports the death.
    child.on('error', () => undefined);
    for (const stream of [child.stdout, child.stderr]) {
      let pending = '';
      stream?.setEncoding('utf8');
      stream?.on('data', (chunk: string) => {
        pending += chunk;
        const lines = pending.split('\n');
        pending = (lines.pop() ?? '').slice(-MAX_LOG_LINE);
        for (const line of lines) if (line.trim() !== '') options.log?.(line.slice(0, MAX_LOG_LINE));
      });
    }
  }

  /**
   * Forks the child and resolves with it and the controller address once
   * bleno is powered on. Rejects with LinkError: the child's own code when it
   * gave up (`link.controller-unavailable`, ...), `link.bleno-exited` when it
   * died, `link.controller-timeout` when it did not get ready in time.
   */
  static start(options: BlenoProcessOptions): Promise<{ process: BlenoProcess; address: string }> {
    const child = forkChild(options.child);
    const runner = new BlenoProcess(child, options);
    const timeoutMs = options.startTimeoutMs ?? 15_000;
    return new Promise((resolve, reject) => {
      let problem: string | undefined;
      let settled = false;
      const offs: (() => void)[] = [];
      const settle = (outcome: { address: string } | LinkError): void => {
        if (settled) return;
        settled = true;
        timer.cancel();
        for (const off of offs) off();
        if (outcome instanceof LinkError) {
          void runner.close().finally(() => reject(outcome));
        } else {
          resolve({ process: runner, address: outcome.address });
        }
      };
      const timer = options.clock.schedule(timeoutMs, () =>
        settle(new LinkError('link.controller-timeout', `bleno was not powered on within ${timeoutMs} ms${problem ? ` (${problem})` : ''}`)),
      );
      offs.push(
        runner.events.on('message', (message) => {
          if (message.type === 'ready') settle({ address: message.address });
          else if (message.type === 'problem') {
            problem = message.message;
            if (message.fatal) settle(new LinkError(message.code, message.message));
          }
        }),
        runner.events.on('exit', (code, signal) =>
          settle(new LinkError('link.bleno-exited', `the bleno process exited (${signal ?? `code ${code}`}) before it was ready${problem ? `: ${problem}` : ''}`)),
        ),
      );
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return !this.exited;
  }

  /** Sends a message; false when the child is gone. */
  send(message: ParentMessage): boolean {
    if (this.exited || !this.child.connected) return false;
    try {
      return this.child.send(message);
    } catch {
      return false;
    }
  }

  /** Asks the child to stop, kills it if it does not, and resolves once it has exited. */
  close(): Promise<void> {
    if (this.closing) return this.closing;
    this.closing = new Promise<void>((resolve) => {
      if (this.exited) {
        resolve();
        return;
      }
      const timeoutMs = this.options.closeTimeoutMs ?? 3000;
      const kill = this.options.clock.schedule(timeoutMs, () => this.child.kill('SIGKILL'));
      this.events.once('exit', () => {
        kill.cancel();
        resolve();
      });
      if (!this.send({ type: 'shutdown' })) this.child.kill('SIGKILL');
    });
    return this.closing;
  }
}

/** Forks bleno-child next to this file: the .js build as is, the .ts source under ts-node. */
function forkChild(options: ChildOptions): ChildProcess {
  const extension = path.extname(__filename);
  const script = path.join(__dirname, `bleno-child${extension}`);
  const env: NodeJS.ProcessEnv = { ...process.env };
  const execArgv: string[] = [];
  if (extension === '.ts') {
    // Resolved here, not by the child, which would look from its working directory.
    execArgv.push('--require', require.resolve('ts-node/register/transpile-only'));
    const project = path.resolve(__dirname, '..', '..', '..', '..', 'tsconfig.json');
    if (existsSync(project)) env['TS_NODE_PROJECT'] = project;
  }
  return fork(script, [JSON.stringify(options)], { execArgv, env, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
}
