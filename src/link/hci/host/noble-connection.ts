/**
 * One LE connection made by noble, seen from the PC: its GATT client, link
 * security, and disconnect with the controller's reason.
 *
 * Security. noble pairs by itself (legacy Just Works) when a request meets
 * Insufficient Authentication, Authorization or Encryption, then repeats the
 * request; `pair()` and `encrypt()` wait for such a pairing when one is
 * running. Otherwise `pair()` starts noble's pairing itself and `encrypt()`
 * encrypts with the key kept from an earlier pairing, both through noble's
 * private objects (noble-security.ts); GATT calls wait meanwhile. The key the
 * phone distributes after pairing goes into the central's bond store, so
 * `bonded` means what it does on the in-memory link. Unlike there, `pair()`
 * on a link that is already encrypted resolves without pairing again.
 */
import type { Peripheral } from '@stoprocent/noble';
import { BleConnection, BleConnectionEvents, BondStore, Uuid } from '../../ble';
import { DisconnectReason } from '../../att-codes';
import { Clock, Timer } from '../../clock';
import { AttError, DisconnectedError, PairingError } from '../../errors';
import { Emitter } from '../../../util/emitter';
import { AttTap, attachAttTap } from './noble-att-tap';
import { forgetNobleAttributes } from './noble-gatt-cache';
import { GattClientLink, NobleGattClient } from './noble-gatt-client';
import { NobleSecurity, decodeBondKey, encodeBondKey, nobleSecurity } from './noble-security';

export interface NobleConnectionOptions {
  noble: unknown;
  peripheral: Peripheral;
  peerAddress: string;
  clock: Clock;
  /** The central's bond store: read by encrypt(), written when the phone distributes a key. */
  bonds: BondStore;
  requestTimeoutMs: number;
  /** How long a pairing or encryption may take. */
  pairingTimeoutMs: number;
  /** How long `disconnect()` waits for the controller before ending the link locally. */
  disconnectTimeoutMs: number;
  /** Called once when the link has ended. */
  onEnd(connection: NobleConnection): void;
  /** Gets errors thrown by listeners (notification listeners, event listeners). */
  onHandlerError(error: unknown, characteristic: Uuid | undefined): void;
}

/** Why pair() cannot start pairing when noble's private objects are not as expected. */
export const PAIR_ON_REQUEST_UNSUPPORTED =
  "cannot pair on request: noble's HCI objects are not as expected; noble still pairs by itself when the server answers Insufficient Authentication or Encryption";

/** How long pair() waits, after encryption, for the phone's key before resolving without a bond. */
export const KEY_DISTRIBUTION_GRACE_MS = 1000;

interface Waiter {
  resolve(): void;
  reject(error: Error): void;
}

/** A pairing or encryption in progress: noble's own after a refusal (`auto`), or one we asked for. */
interface SecurityProcedure {
  kind: 'auto' | 'pair' | 'encrypt';
  /** For `auto`: the ATT code that started it. */
  attCode: number;
  timer: Timer;
  waiters: Waiter[];
  /** Explicit procedures hold the GATT queue until they end. */
  holding: boolean;
}

export class NobleConnection implements BleConnection, GattClientLink {
  readonly events = new Emitter<BleConnectionEvents>();
  readonly gatt: NobleGattClient;
  readonly peripheral: Peripheral;
  readonly peerAddress: string;
  readonly clock: Clock;
  readonly requestTimeoutMs: number;
  /** Whether the ATT tap is in place (ATT error codes and encryption state known). */
  readonly tapped: boolean;
  private open = true;
  private linkEncrypted = false;
  private endReason: number | undefined;
  private readonly tap: AttTap | undefined;
  private readonly security: NobleSecurity | undefined;
  private procedure: SecurityProcedure | undefined;
  private keyWaiters: (() => void)[] = [];
  private readonly disconnectWaiters: (() => void)[] = [];
  private disconnectTimer: Timer | undefined;
  private readonly onPeripheralDisconnect = (reason: unknown): void => this.end(disconnectReasonOf(reason));

  constructor(private readonly options: NobleConnectionOptions) {
    this.peripheral = options.peripheral;
    this.peerAddress = options.peerAddress;
    this.clock = options.clock;
    this.requestTimeoutMs = options.requestTimeoutMs;
    this.events.onListenerError = (error) => options.onHandlerError(error, undefined);
    this.gatt = new NobleGattClient(this);
    this.tap = attachAttTap(options.noble, options.peripheral.id, {
      errorResponse: (requestOpcode, _handle, attCode) => this.gatt.onErrorResponse(requestOpcode, attCode),
      encryptionChanged: (encrypted) => this.onEncryptionChanged(encrypted),
      pairingFailed: () => this.procedureFailed('the phone refused pairing'),
    });
    this.tapped = this.tap !== undefined;
    // Without the tap nothing would tell us the outcome, so no pairing on request either.
    this.security = this.tapped
      ? nobleSecurity(options.noble, options.peripheral.id, (key) => {
          options.bonds.set(this.peerAddress, encodeBondKey(key));
          for (const resolve of this.keyWaiters.splice(0)) resolve();
        })
      : undefined;
    this.peripheral.on('disconnect', this.onPeripheralDisconnect);
  }

  get connected(): boolean {
    return this.open;
  }
  get isOpen(): boolean {
    return this.open;
  }
  get encrypted(): boolean {
    return this.open && this.linkEncrypted;
  }
  get bonded(): boolean {
    return this.options.bonds.has(this.peerAddress);
  }
  /** Whether pair()/encrypt() can start a procedure themselves. */
  get canPairOnRequest(): boolean {
    return this.security !== undefined;
  }

  /**
   * Pairs and bonds (Just Works). Resolves at once on an encrypted link,
   * waits for a pairing already running, else starts one. Rejects with
   * PairingError when the phone refuses or nothing happens in time.
   */
  async pair(): Promise<void> {
    const early = this.settledSecurity();
    if (early) return early;
    const security = this.security;
    if (!security) throw new PairingError(PAIR_ON_REQUEST_UNSUPPORTED);
    await this.gatt.exchangeMtu(this.gatt.mtu); // noble's own exchange must be over first
    await this.runProcedure('pair', () => security.startPairing());
    if (!this.bonded) await this.waitForKey();
  }

  /** Encrypts with the stored bond; PairingError when there is none or the phone no longer has it. */
  async encrypt(): Promise<void> {
    const early = this.settledSecurity();
    if (early) return early;
    const stored = this.options.bonds.get(this.peerAddress);
    const key = stored ? decodeBondKey(stored) : undefined;
    if (!key) throw new PairingError(`no bond with ${this.peerAddress}`);
    const security = this.security;
    if (!security) throw new PairingError(PAIR_ON_REQUEST_UNSUPPORTED);
    await this.gatt.exchangeMtu(this.gatt.mtu);
    await this.runProcedure('encrypt', () => security.startEncryption(key));
  }

  /** HCI Disconnect; resolves once the link is down (at the latest after disconnectTimeoutMs). */
  disconnect(): Promise<void> {
    if (!this.open) return Promise.resolve();
    return new Promise<void>((resolve) => {
      this.disconnectWaiters.push(resolve);
      if (this.disconnectTimer) return;
      this.disconnectTimer = this.clock.schedule(this.options.disconnectTimeoutMs, () => this.end(DisconnectReason.LocalHostTerminated));
      try {
        this.peripheral.disconnect();
      } catch {
        this.end(DisconnectReason.LocalHostTerminated);
      }
    });
  }

  reportHandlerError(error: unknown, characteristic: Uuid | undefined): void {
    this.options.onHandlerError(error, characteristic);
  }

  /** Drops noble's GATT-layer records of characteristics (and of services not named); see noble-gatt-cache.ts. */
  forgetAttributes(keepServices: readonly string[]): void {
    if (this.open) forgetNobleAttributes(this.options.noble, this.peripheral.id, keepServices);
  }

  disconnectedError(): DisconnectedError {
    return new DisconnectedError(this.endReason ?? DisconnectReason.ConnectionTimeout);
  }

  /** noble's ATT queue is stuck: drop the link so the caller can start afresh. */
  abandon(_reason: string): void {
    if (this.open) void this.disconnect();
  }

  /** A request met a security refusal on an unencrypted link: noble is pairing now. */
  pairingStarted(attCode: number): void {
    if (this.procedure || !this.open) return;
    this.procedure = this.newProcedure('auto', attCode, false);
  }

  /** The link went down: settle everything and tell listeners, once. */
  end(reason: number): void {
    if (!this.open) return;
    this.open = false;
    this.endReason = reason;
    this.tap?.detach();
    this.security?.detach();
    this.peripheral.removeListener('disconnect', this.onPeripheralDisconnect);
    this.disconnectTimer?.cancel();
    const procedure = this.procedure;
    this.procedure = undefined;
    procedure?.timer.cancel();
    for (const w of procedure?.waiters ?? []) w.reject(new DisconnectedError(reason));
    for (const resolve of this.keyWaiters.splice(0)) resolve();
    this.gatt.end(reason);
    for (const resolve of this.disconnectWaiters.splice(0)) resolve();
    this.options.onEnd(this);
    this.events.emit('disconnect', reason);
  }

  /** The outcome when no procedure needs starting: disconnected, already encrypted, or one running. */
  private settledSecurity(): Promise<void> | undefined {
    if (!this.open) return Promise.reject(this.disconnectedError());
    if (this.linkEncrypted) return Promise.resolve();
    const running = this.procedure;
    if (running) return new Promise<void>((resolve, reject) => running.waiters.push({ resolve, reject }));
    return undefined;
  }

  /** Holds GATT calls, starts the procedure once none is in flight, resolves on encryption. */
  private async runProcedure(kind: 'pair' | 'encrypt', start: () => void): Promise<void> {
    await this.gatt.hold();
    const early = this.settledSecurity();
    if (early) {
      this.gatt.release();
      return early;
    }
    const procedure = this.newProcedure(kind, 0, true);
    this.procedure = procedure;
    const done = new Promise<void>((resolve, reject) => procedure.waiters.push({ resolve, reject }));
    try {
      start();
    } catch (error) {
      this.procedureFailed(`noble could not start ${kind === 'pair' ? 'pairing' : 'encryption'}: ${error instanceof Error ? error.message : String(error)}`);
    }
    return done;
  }

  private newProcedure(kind: SecurityProcedure['kind'], attCode: number, holding: boolean): SecurityProcedure {
    const what = kind === 'encrypt' ? 'encryption' : 'pairing';
    return {
      kind,
      attCode,
      holding,
      waiters: [],
      timer: this.clock.schedule(this.options.pairingTimeoutMs, () => this.procedureFailed(`${what} did not finish within ${this.options.pairingTimeoutMs} ms`)),
    };
  }

  private onEncryptionChanged(encrypted: boolean): void {
    if (!this.open) return;
    if (!encrypted) {
      // A refused encryption (the phone has no such key) reports "not encrypted".
      if (this.procedure?.kind === 'encrypt') this.procedureFailed(`${this.peerAddress} has no matching bond (key missing)`);
      this.linkEncrypted = false;
      return;
    }
    if (this.linkEncrypted) return;
    this.linkEncrypted = true;
    const procedure = this.procedure;
    this.procedure = undefined;
    procedure?.timer.cancel();
    if (procedure?.kind === 'auto') this.gatt.onEncrypted();
    if (procedure?.holding) this.gatt.release();
    for (const w of procedure?.waiters ?? []) w.resolve();
    this.events.emit('encrypted');
  }

  private procedureFailed(message: string): void {
    const procedure = this.procedure;
    if (!procedure) return;
    this.procedure = undefined;
    procedure.timer.cancel();
    for (const w of procedure.waiters) w.reject(new PairingError(message));
    if (procedure.holding) this.gatt.release();
    if (procedure.kind === 'auto') {
      // The refused request stays noble's current one forever: fail it as the server answered, then drop the link.
      this.gatt.failCurrent(new AttError(procedure.attCode));
      this.abandon(message);
    }
  }

  /** After pairing the phone distributes its key just after encrypting; wait briefly for it. */
  private waitForKey(): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = this.clock.schedule(KEY_DISTRIBUTION_GRACE_MS, () => finish());
      const finish = (): void => {
        timer.cancel();
        this.keyWaiters = this.keyWaiters.filter((w) => w !== finish);
        resolve();
      };
      this.keyWaiters.push(finish);
    });
  }
}

/** noble reports the controller's numeric reason, or a string when it ended the link itself. */
export function disconnectReasonOf(reason: unknown): number {
  if (typeof reason === 'number' && Number.isInteger(reason) && reason >= 0 && reason <= 0xff) return reason;
  if (typeof reason === 'string') {
    const code = /\(0x([0-9a-f]{1,2})\)/i.exec(reason);
    if (code?.[1]) return parseInt(code[1], 16);
  }
  return DisconnectReason.LocalHostTerminated;
}
