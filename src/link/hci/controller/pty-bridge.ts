/**
 * Pseudo-terminal plumbing between a VirtualController and a host stack that
 * speaks H4 over a UART (noble and bleno through bluetooth-hci-socket's UART
 * driver): `openPtyPair` runs socat to create two linked raw ptys, and
 * `attachController` opens the controller's end and pumps bytes both ways.
 * Writes to the host are bounded: bytes beyond `maxPendingBytes` not yet
 * taken by the pty are dropped and reported as an `hci.overflow` error.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { closeSync, constants as fsConstants, existsSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tty from 'node:tty';
import { Clock, RealClock } from '../../clock';
import { LinkError } from '../../errors';
import { HciError, HciErrorKind } from './hci-errors';
import { VirtualController } from './virtual-controller';

export class PtyBridgeError extends LinkError {
  constructor(message: string) {
    super('hci.pty-failed', message);
  }
}

export interface PtyPair {
  /** The end a host stack opens (BLUETOOTH_HCI_SOCKET_UART_PORT). */
  hostPath: string;
  /** The end the controller opens. */
  controllerPath: string;
  /** Stops socat and removes the links. */
  close(): Promise<void>;
}

export interface PtyPairOptions {
  /** socat executable. Default `socat` on PATH. */
  socatPath?: string;
  /** How long to wait for socat to create both links. Default 5000 ms. */
  timeoutMs?: number;
  clock?: Clock;
}

/** Spawns `socat pty,raw,echo=0,link=<dir>/host pty,raw,echo=0,link=<dir>/controller` and waits for both links. */
export async function openPtyPair(options: PtyPairOptions = {}): Promise<PtyPair> {
  const clock = options.clock ?? new RealClock();
  const timeoutMs = options.timeoutMs ?? 5000;
  const dir = mkdtempSync(join(tmpdir(), 'phonebridge-hci-'));
  const hostPath = join(dir, 'host');
  const controllerPath = join(dir, 'controller');
  const args = [`pty,raw,echo=0,link=${hostPath}`, `pty,raw,echo=0,link=${controllerPath}`];
  const child = spawn(options.socatPath ?? 'socat', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  let failure: Error | undefined;
  child.stderr?.on('data', (chunk: Buffer) => {
    if (stderr.length < 4096) stderr += chunk.toString();
  });
  child.on('error', (err) => {
    failure = err;
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const cleanup = async (): Promise<void> => {
    await stopChild(child, exited, clock);
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = clock.now() + timeoutMs;
  while (!(existsSync(hostPath) && existsSync(controllerPath))) {
    if (failure || child.exitCode !== null || child.signalCode !== null || clock.now() > deadline) {
      await cleanup();
      const why = failure ? failure.message : child.exitCode !== null ? `socat exited with ${child.exitCode}` : `no ptys after ${timeoutMs} ms`;
      throw new PtyBridgeError(`cannot create a pty pair: ${why}${stderr ? `; ${stderr.trim()}` : ''}`);
    }
    await clock.sleep(5);
  }
  let closed = false;
  return {
    hostPath,
    controllerPath,
    close: async () => {
      if (closed) return;
      closed = true;
      await cleanup();
    },
  };
}

export interface AttachOptions {
  /** Bytes queued towards the host before further output is dropped. Default 1 MiB. */
  maxPendingBytes?: number;
}

export interface AttachedController {
  detach(): Promise<void>;
  /** Output bytes dropped because the host did not read. */
  readonly droppedBytes: number;
}

/** Opens the controller end of a pty and connects it to `controller` in both directions. */
export async function attachController(controller: VirtualController, controllerPath: string, options: AttachOptions = {}): Promise<AttachedController> {
  const maxPending = options.maxPendingBytes ?? 1 << 20;
  const flags = fsConstants.O_RDWR | fsConstants.O_NOCTTY | fsConstants.O_NONBLOCK;
  let readFd: number;
  let writeFd: number;
  try {
    readFd = openSync(controllerPath, flags);
  } catch (err) {
    throw new PtyBridgeError(`cannot open ${controllerPath}: ${(err as Error).message}`);
  }
  try {
    writeFd = openSync(controllerPath, flags);
  } catch (err) {
    closeSync(readFd);
    throw new PtyBridgeError(`cannot open ${controllerPath}: ${(err as Error).message}`);
  }
  // Separate descriptors for the two streams, so each closes its own.
  const input = new tty.ReadStream(readFd);
  input.setRawMode(true);
  const output = new tty.WriteStream(writeFd);
  let dropped = 0;
  let detached = false;
  const onInput = (chunk: Buffer): void => controller.receive(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
  const onOutput = (bytes: Uint8Array): void => {
    if (detached) return;
    if (output.writableLength + bytes.length > maxPending) {
      dropped += bytes.length;
      controller.reportError(new HciError(HciErrorKind.Overflow, `host is not reading: dropped ${bytes.length} bytes (${maxPending} pending)`));
      return;
    }
    output.write(bytes);
  };
  // A host that closes its end makes reads fail with EIO; that is not fatal to the controller.
  const ignore = (): void => undefined;
  input.on('data', onInput);
  input.on('error', ignore);
  output.on('error', ignore);
  const offOutput = controller.output.on('data', onOutput);
  return {
    get droppedBytes() {
      return dropped;
    },
    detach: async () => {
      if (detached) return;
      detached = true;
      offOutput();
      input.off('data', onInput);
      await Promise.all([destroyed(input), destroyed(output)]);
    },
  };
}

function destroyed(stream: tty.ReadStream | tty.WriteStream): Promise<void> {
  return new Promise((resolve) => {
    if (stream.destroyed) return resolve();
    stream.once('close', () => resolve());
    stream.destroy();
  });
}

async function stopChild(child: ChildProcess, exited: Promise<void>, clock: Clock): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  child.kill('SIGTERM');
  const timer = clock.schedule(2000, () => child.kill('SIGKILL'));
  await exited;
  timer.cancel();
}
