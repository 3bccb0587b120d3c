/**
 * Test double for the phone's Audio Gateway, independent of src/sim-phone:
 * a pair of in-memory byte channels on a VirtualClock and a scripted AG
 * that splits the HF's commands (CommandLineSplitter + decodeCommand),
 * logs them, and answers from a profile (BRSF, indicator table, CHLD
 * options, +BIND, operator, XAPL) and its current calls and indicator
 * values. Tests override answers per command and push unsolicited results,
 * raw bytes or garbage, optionally cut into fragments.
 */
import type { ByteChannel, ByteChannelEvents } from '../../../src/link/classic';
import type { VirtualClock } from '../../../src/link/virtual-clock';
import { DisconnectedError } from '../../../src/link/errors';
import { commandText, decodeCommand, type HfCommand } from '../../../src/protocol/hfp/commands';
import { encodeResult, type AgResult, type AgResultOf, type CindIndicatorSpec } from '../../../src/protocol/hfp/results';
import { CommandLineSplitter } from '../../../src/protocol/hfp/splitter';
import { Emitter } from '../../../src/util/emitter';

export class FakeChannel implements ByteChannel {
  readonly events = new Emitter<ByteChannelEvents>();
  readonly channel = 3;
  readonly maxFrameSize = 127;
  readonly pendingBytes = 0;
  peer: FakeChannel | undefined;
  isOpen = true;
  /** Cuts each write into chunks (default: one chunk). */
  fragment: (bytes: Uint8Array) => Uint8Array[] = (bytes) => [bytes];

  constructor(
    private readonly clock: VirtualClock,
    private readonly latencyMs: number,
  ) {}

  get open(): boolean {
    return this.isOpen;
  }

  write(data: Uint8Array): void {
    if (!this.isOpen) throw new DisconnectedError(0x16);
    for (const chunk of this.fragment(data.slice())) {
      this.clock.schedule(this.latencyMs, () => {
        const peer = this.peer;
        if (this.isOpen && peer?.isOpen) peer.events.emit('data', chunk);
      });
    }
  }

  async close(): Promise<void> {
    this.shut(0x16, 0x13);
  }

  /** Both ends close with `reason` (0x08: link lost). */
  drop(reason = 0x08): void {
    this.shut(reason, reason);
  }

  private shut(here: number, there: number): void {
    const peer = this.peer;
    if (this.isOpen) {
      this.isOpen = false;
      this.events.emit('close', here);
    }
    if (peer?.isOpen) {
      peer.isOpen = false;
      peer.events.emit('close', there);
    }
  }
}

export function channelPair(clock: VirtualClock, latencyMs = 5): { hf: FakeChannel; ag: FakeChannel } {
  const hf = new FakeChannel(clock, latencyMs);
  const ag = new FakeChannel(clock, latencyMs);
  hf.peer = ag;
  ag.peer = hf;
  return { hf, ag };
}

const range = (min: number, max: number) => [{ min, max }];

/** The iPhone's indicator table, in its order. */
export const IPHONE_CIND: CindIndicatorSpec[] = [
  { name: 'service', ranges: range(0, 1) },
  { name: 'call', ranges: range(0, 1) },
  { name: 'callsetup', ranges: range(0, 3) },
  { name: 'battchg', ranges: range(0, 5) },
  { name: 'signal', ranges: range(0, 5) },
  { name: 'roam', ranges: range(0, 1) },
  { name: 'callheld', ranges: range(0, 2) },
];

/** An Android-style table: call first, service later. */
export const ANDROID_CIND: CindIndicatorSpec[] = [
  { name: 'call', ranges: range(0, 1) },
  { name: 'callsetup', ranges: range(0, 3) },
  { name: 'service', ranges: range(0, 1) },
  { name: 'signal', ranges: range(0, 5) },
  { name: 'roam', ranges: range(0, 1) },
  { name: 'battchg', ranges: range(0, 5) },
  { name: 'callheld', ranges: range(0, 2) },
];

export interface AgProfile {
  brsf: number;
  cind: CindIndicatorSpec[];
  /** Indicator values by name. */
  values: Record<string, number>;
  chld: string[];
  bind: number[];
  bindEnabled: Record<number, boolean>;
  operator: string;
  /** +XAPL answer, or undefined to answer AT+XAPL with ERROR. */
  xapl: string | undefined;
  cnum: string | undefined;
}

export function iphoneProfile(): AgProfile {
  return {
    brsf: 4079,
    cind: IPHONE_CIND,
    values: { service: 1, call: 0, callsetup: 0, battchg: 5, signal: 3, roam: 0, callheld: 0 },
    chld: ['0', '1', '1x', '2', '2x', '3'],
    bind: [1, 2],
    bindEnabled: { 1: false, 2: true },
    operator: 'Carrier',
    xapl: 'iPhone',
    cnum: '+447700900123',
  };
}

export function androidProfile(): AgProfile {
  return {
    // 3-way, EC/NR, VR, in-band ring, reject, ECS, ECC, extended errors, codec negotiation (no HF indicators, no S4)
    brsf: 0x3ef,
    cind: ANDROID_CIND,
    values: { service: 1, call: 0, callsetup: 0, battchg: 4, signal: 4, roam: 0, callheld: 0 },
    chld: ['0', '1', '1x', '2', '2x', '3', '4'],
    bind: [],
    bindEnabled: {},
    operator: 'Android Net',
    xapl: undefined,
    cnum: undefined,
  };
}

type Answer = AgResult[] | 'silent';
export type CommandHandler = (command: HfCommand, ag: FakeAg<ByteChannel>) => Answer | undefined;

const OK: AgResult = { kind: 'ok' };

export class FakeAg<C extends ByteChannel = FakeChannel> {
  /** Every command line as received. */
  readonly lines: string[] = [];
  readonly commands: HfCommand[] = [];
  calls: AgResultOf<'clcc'>[] = [];
  /** Tried before the defaults; return undefined to fall through. */
  handler: CommandHandler | undefined;
  private readonly splitter = new CommandLineSplitter();

  constructor(
    readonly channel: C,
    readonly profile: AgProfile,
  ) {
    channel.events.on('data', (chunk) => {
      for (const event of this.splitter.push(chunk)) {
        if (event.kind !== 'line') continue;
        this.lines.push(event.text);
        let command: HfCommand;
        try {
          command = decodeCommand(event.text);
        } catch {
          this.send({ kind: 'error' });
          continue;
        }
        this.commands.push(command);
        this.answer(command);
      }
    });
  }

  /** The command lines after the first `from` (as sent, e.g. `AT+CLCC`). */
  linesSince(from: number): string[] {
    return this.lines.slice(from);
  }

  send(...results: AgResult[]): void {
    if (!this.channel.open) return;
    for (const r of results) this.channel.write(encodeResult(r));
  }

  sendRaw(text: string | Uint8Array): void {
    this.channel.write(typeof text === 'string' ? new TextEncoder().encode(text) : text);
  }

  indexOf(name: string): number {
    const i = this.profile.cind.findIndex((c) => c.name === name);
    if (i < 0) throw new Error(`no indicator ${name}`);
    return i + 1;
  }

  /** Sets an indicator and sends its +CIEV. */
  ciev(name: string, value: number): void {
    this.profile.values[name] = value;
    this.send({ kind: 'ciev', index: this.indexOf(name), value });
  }

  private answer(command: HfCommand): void {
    const scripted = this.handler?.(command, this);
    const answer = scripted ?? this.defaultAnswer(command);
    if (answer === 'silent') return;
    this.send(...answer);
  }

  private defaultAnswer(command: HfCommand): Answer {
    const p = this.profile;
    switch (command.kind) {
      case 'brsf':
        return [{ kind: 'brsf', features: p.brsf }, OK];
      case 'cindTest':
        return [{ kind: 'cindTest', indicators: p.cind }, OK];
      case 'cindRead':
        return [{ kind: 'cindRead', values: p.cind.map((c) => p.values[c.name] ?? 0) }, OK];
      case 'chldTest':
        return [{ kind: 'chld', options: p.chld }, OK];
      case 'bindTest':
        return [{ kind: 'bindList', indicators: p.bind }, OK];
      case 'bindRead':
        return [...p.bind.map((i): AgResult => ({ kind: 'bindStatus', indicator: i, enabled: p.bindEnabled[i] === true })), OK];
      case 'copsRead':
        return [{ kind: 'cops', mode: 0, format: 0, operator: p.operator }, OK];
      case 'clcc':
        return [...this.calls, OK];
      case 'cnum':
        return p.cnum === undefined ? [OK] : [{ kind: 'cnum', number: p.cnum, type: 145, service: 4 }, OK];
      case 'xapl':
        return p.xapl === undefined ? [{ kind: 'error' }] : [{ kind: 'xapl', device: p.xapl, features: 2 }, OK];
      default:
        return [OK];
    }
  }
}

/** One +CLCC entry. */
export function clcc(
  index: number,
  direction: number,
  status: number,
  number?: string,
  multiparty = false,
): AgResultOf<'clcc'> {
  return number === undefined
    ? { kind: 'clcc', index, direction, status, mode: 0, multiparty }
    : { kind: 'clcc', index, direction, status, mode: 0, multiparty, number, type: number.startsWith('+') ? 145 : 129 };
}

/** The text the HF would send for each command (for comparing sequences). */
export function texts(commands: HfCommand[]): string[] {
  return commands.map(commandText);
}
