/**
 * The `gateway` property of the `calls` fuzz campaign: a hostile hands-free
 * unit (random bytes in random chunks, random AT lines, with or without the
 * SLC and +CMEE) against the simulated phone's AudioGateway. The AG never
 * throws or reports an internal error, keeps the session, writes only clean
 * result lines, and answers every AT line with exactly one final result
 * (OK, ERROR or +CME ERROR).
 */
import fc from 'fast-check';
import type { ClassicPeer } from '../../link/classic';
import { VirtualClock } from '../../link/virtual-clock';
import { decodeResult, isFinalResult, type AgResult } from '../../protocol/hfp/results';
import { ResultLineSplitter } from '../../protocol/hfp/splitter';
import { AudioGateway } from '../../sim-phone/hfp/audio-gateway';
import { PhoneModel } from '../../sim-phone/phone-model';
import { loadPhoneProfile } from '../../sim-phone/profile';
import { cutInto, FuzzClassicHost, type FuzzChannel } from './fuzz-channels';

export class GatewayFuzzFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GatewayFuzzFailure';
  }
}

const NAMES = [
  '+BRSF', '+BAC', '+CIND', '+CMER', '+CHLD', '+BIND', '+CLIP', '+CCWA', '+CMEE', '+COPS', '+NREC', '+CLCC', '+CNUM',
  '+VGS', '+VGM', 'A', '+CHUP', 'D', '+BLDN', '+VTS', '+BVRA', '+BIA', '+BIEV', '+BCS', '+BCC', '+BTRH', '+XAPL',
  '+IPHONEACCEV', '+FOO', 'H', '',
];
const argChars = fc.constantFrom(...'0123456789,;()"x- >*#+=?AaBb'.split(''));

/** A random AT line (no line ending): a known or unknown name, any type, odd arguments. */
export const atLineArb: fc.Arbitrary<string> = fc
  .tuple(
    fc.constantFrom('AT', 'at', 'At'),
    fc.constantFrom(...NAMES),
    fc.oneof(
      fc.constant(''),
      fc.constant('?'),
      fc.constant('=?'),
      fc.string({ unit: argChars, maxLength: 24 }).map((s) => `=${s}`),
      fc.string({ unit: argChars, maxLength: 12 }),
    ),
  )
  .map(([at, name, rest]) => `${at}${name}${rest}`);

export type HostileStep = { kind: 'line'; line: string } | { kind: 'bytes'; bytes: Uint8Array } | { kind: 'wait'; ms: number };

export const hostileStepArb: fc.Arbitrary<HostileStep> = fc.oneof(
  { weight: 4, arbitrary: atLineArb.map((line): HostileStep => ({ kind: 'line', line })) },
  { weight: 2, arbitrary: fc.uint8Array({ minLength: 1, maxLength: 120 }).map((bytes): HostileStep => ({ kind: 'bytes', bytes })) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 3000 }).map((ms): HostileStep => ({ kind: 'wait', ms })) },
);

export interface GatewayCase {
  profile: 'iphone' | 'android';
  slc: boolean;
  cmee: boolean;
  /** Sizes the HF's writes are cut into (cycled); empty: whole. */
  cuts: number[];
  steps: HostileStep[];
}

export const gatewayCaseArb: fc.Arbitrary<GatewayCase> = fc.record(
  {
    profile: fc.constantFrom('iphone' as const, 'android' as const),
    slc: fc.boolean(),
    cmee: fc.boolean(),
    cuts: fc.array(fc.integer({ min: 1, max: 9 }), { maxLength: 5 }),
    steps: fc.array(hostileStepArb, { maxLength: 30 }),
  },
  { noNullPrototype: true },
);

const SLC_LINES = ['AT+BRSF=511', 'AT+BAC=1,2', 'AT+CIND=?', 'AT+CIND?', 'AT+CMER=3,0,0,1', 'AT+CHLD=?', 'AT+BIND=1,2', 'AT+BIND=?', 'AT+BIND?', 'AT+CLIP=1', 'AT+CCWA=1'];
const PEER: ClassicPeer = { address: 'AA:BB:CC:DD:EE:01', classOfDevice: 0x7c0408, encrypted: true, bonded: true };
const encoder = new TextEncoder();

/** What the AG wrote, read as results; every line must be a clean, known result. */
class AgOutput {
  private readonly splitter = new ResultLineSplitter();
  private pending: AgResult[] = [];
  /** Lines that were not clean, known results (checked after every step). */
  readonly bad: string[] = [];

  constructor(channel: FuzzChannel) {
    channel.events.on('data', (chunk) => {
      for (const event of this.splitter.push(chunk)) {
        if (event.kind === 'error') {
          this.bad.push(`splitter error ${event.error.code}`);
          continue;
        }
        let result: AgResult;
        try {
          result = decodeResult(event.text);
        } catch (err) {
          this.bad.push(`${JSON.stringify(event.text)} (${String(err)})`);
          continue;
        }
        if (result.kind === 'unknown') this.bad.push(JSON.stringify(event.text));
        else this.pending.push(result);
      }
    });
  }

  take(): AgResult[] {
    const out = this.pending;
    this.pending = [];
    return out;
  }
}

/** Decides which final results count as a command's answer (a test swaps it to prove the check can fail). */
export type FinalFilter = (results: readonly AgResult[]) => AgResult[];
const finalsOf: FinalFilter = (results) => results.filter(isFinalResult);

/** Runs one case; throws GatewayFuzzFailure when the AG breaks a rule. */
export async function runGatewayCase(c: GatewayCase, finals: FinalFilter = finalsOf): Promise<void> {
  const clock = new VirtualClock();
  const profile = loadPhoneProfile(c.profile);
  const model = new PhoneModel(profile, clock);
  const host = new FuzzClassicHost(clock);
  const ag = new AudioGateway({ host, model, profile, clock });
  const internal: unknown[] = [];
  ag.events.on('internalError', (_peer, err) => internal.push(err));
  ag.start();
  const channel = profile.hfp ? host.open(PEER, profile.hfp.channel) : undefined;
  if (channel === undefined) throw new GatewayFuzzFailure('the AG refused the HF channel');
  const output = new AgOutput(channel);
  const at = (line: string): AgResult[] => {
    channel.write(encoder.encode(`${line}\r`));
    clock.advance(5);
    return output.take();
  };
  const prelude = [...(c.slc ? SLC_LINES : []), ...(c.cmee ? ['AT+CMEE=1'] : [])];
  for (const line of prelude) at(line);
  channel.fragment = cutInto(c.cuts);
  for (const step of c.steps) {
    if (step.kind === 'wait') {
      clock.advance(step.ms);
      output.take();
    } else if (step.kind === 'bytes') {
      channel.write(step.bytes);
      // A CR ends whatever line the bytes left open, so the next AT line starts clean.
      channel.write(Uint8Array.of(0x0d));
      clock.advance(5);
      output.take();
    } else {
      const got = finals(at(step.line));
      const kind = got[0]?.kind;
      if (got.length !== 1 || !(kind === 'ok' || kind === 'error' || kind === 'cmeError')) {
        throw new GatewayFuzzFailure(`${JSON.stringify(step.line)} got ${got.length} final results: ${JSON.stringify(got)}`);
      }
    }
    if (internal.length > 0) throw new GatewayFuzzFailure(`internal error in the AG: ${String(internal[0])}`);
    if (output.bad.length > 0) throw new GatewayFuzzFailure(`the AG wrote a line that is not a clean result: ${output.bad[0]}`);
  }
  const check = finals(at('AT+CIND?'));
  if (check.length !== 1 || check[0]?.kind !== 'ok') throw new GatewayFuzzFailure(`AT+CIND? at the end got ${JSON.stringify(check)}`);
  if (ag.sessions().length !== 1) throw new GatewayFuzzFailure(`the AG has ${ag.sessions().length} sessions, not 1`);
  ag.stop();
  clock.advance(60_000);
}

export const gatewayProperty = (finals?: FinalFilter) => (tick: () => void) =>
  fc.asyncProperty(gatewayCaseArb, async (c) => {
    tick();
    await runGatewayCase(c, finals);
  });
