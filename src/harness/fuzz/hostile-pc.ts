/**
 * The `hostile-pc` fuzz campaign (issue #7): one hostile PC attacks the whole
 * SimulatedPhone at once (ANCS over GATT, PBAP and MAP MAS over raw OBEX,
 * the MNS direction, HFP over raw AT) as a fast-check model-based run, on
 * both phone profiles. Properties: the phone never throws (no handler
 * error, internal error or unhandled rejection); every answer is the
 * protocol's own code the model expects for that request; everything the
 * phone sends frames and decodes; afterwards it holds nothing of the
 * hostile PC, a well-behaved PC can use every profile, and after shutdown
 * no timer is left.
 */
import fc from 'fast-check';
import { type CampaignProperty, checker } from './campaign';
import { HostileBed } from './hostile-pc-bed';
import {
  ObexClose,
  ObexOpen,
  ObexRequestCommand,
  HfClose,
  HfJunk,
  HfLine,
  HfOpen,
  HfSlc,
  MessageArrives,
  MnsBehave,
  ToggleSyncContacts,
  ToggleMessages,
  AddContacts,
} from './hostile-pc-classic-commands';
import {
  ControlPointWrite,
  GattConnect,
  GattDisconnect,
  GattForbidden,
  GattPair,
  GattSubscribe,
  PostNotification,
  RemoveNotification,
  ToggleShare,
  type CpSpec,
  type UidChoice,
} from './hostile-pc-gatt-commands';
import { HostilePcFailure, initialModel, type CidChoice, type HostileModel } from './hostile-pc-model';
import type { GetObject, ObexService, ObexSpec, PutObject } from './hostile-pc-obex';
import { checkRecovery, checkShutdown } from './hostile-pc-recovery';
import { atLineArb } from './gateway-fuzz';
import { ResponseCode } from '../../protocol/obex';

type Cmd = fc.AsyncCommand<HostileModel, HostileBed>;

const plain = { noNullPrototype: true } as const;

// ---- ANCS ----

const uidArb: fc.Arbitrary<UidChoice> = fc.oneof(
  { weight: 4, arbitrary: fc.nat(16).map((index): UidChoice => ({ kind: 'live', index })) },
  { weight: 2, arbitrary: fc.nat(16).map((index): UidChoice => ({ kind: 'stale', index })) },
  { weight: 1, arbitrary: fc.oneof(fc.constantFrom(0, 1, 0xff, 0x100, 0xffffffff), fc.nat()).map((value): UidChoice => ({ kind: 'any', value })) },
);

const cpSpecArb: fc.Arbitrary<CpSpec> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record(
      {
        kind: fc.constant('notificationAttributes' as const),
        uid: uidArb,
        attributes: fc.array(
          fc.record({ id: fc.oneof(fc.integer({ min: 0, max: 7 }), fc.integer({ min: 8, max: 255 })), maxLength: fc.oneof(fc.constantFrom(0, 1, 8, 0xffff), fc.nat(0xffff)) }, plain),
          { maxLength: 6 },
        ),
        cut: fc.oneof({ weight: 4, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 6 }) }),
      },
      plain,
    ),
  },
  {
    weight: 2,
    arbitrary: fc.record(
      { kind: fc.constant('appAttributes' as const), app: fc.constantFrom('known' as const, 'unknown' as const, 'badUtf8' as const, 'noNul' as const), attributes: fc.array(fc.nat(255), { maxLength: 3 }) },
      plain,
    ),
  },
  {
    weight: 3,
    arbitrary: fc.record(
      { kind: fc.constant('action' as const), uid: uidArb, action: fc.oneof(fc.constantFrom(0, 1), fc.nat(255)), length: fc.oneof({ weight: 4, arbitrary: fc.constant(6) }, { weight: 1, arbitrary: fc.nat(8) }) },
      plain,
    ),
  },
  { weight: 2, arbitrary: fc.uint8Array({ maxLength: 24 }).map((bytes): CpSpec => ({ kind: 'raw', bytes })) },
  { weight: 1, arbitrary: fc.tuple(fc.integer({ min: 3, max: 255 }), fc.uint8Array({ maxLength: 8 })).map(([id, rest]): CpSpec => ({ kind: 'raw', bytes: Uint8Array.from([id, ...rest]) })) },
);

const which = fc.constantFrom('ns' as const, 'ds' as const, 'cp' as const);

/** A command arbitrary and how often it is drawn relative to the others. */
type Weighted = { weight: number; arbitrary: fc.Arbitrary<Cmd> };

const gattCommands: Weighted[] = [
  { weight: 3, arbitrary: fc.constant(new GattConnect()) },
  { weight: 1, arbitrary: fc.constant(new GattDisconnect()) },
  { weight: 3, arbitrary: fc.constant(new GattPair()) },
  { weight: 4, arbitrary: fc.tuple(which, fc.boolean()).map(([w, on]) => new GattSubscribe(w, on)) },
  { weight: 2, arbitrary: fc.tuple(fc.constantFrom('read' as const, 'write' as const), which).map(([a, w]) => new GattForbidden(a, w)) },
  { weight: 12, arbitrary: cpSpecArb.map((spec) => new ControlPointWrite(spec)) },
  { weight: 3, arbitrary: fc.nat(3).map((app) => new PostNotification(app)) },
  { weight: 2, arbitrary: fc.nat(8).map((n) => new RemoveNotification(n)) },
  { weight: 1, arbitrary: fc.boolean().map((on) => new ToggleShare(on)) },
];

// ---- OBEX ----

const cidArb: fc.Arbitrary<CidChoice> = fc.oneof({ weight: 5, arbitrary: fc.constant('right' as const) }, { weight: 1, arbitrary: fc.constantFrom('wrong' as const, 'none' as const) });

const pbapGetArb: fc.Arbitrary<GetObject> = fc.oneof(
  fc.record({ kind: fc.constant('phonebook' as const), name: fc.constantFrom('telecom/pb.vcf', 'telecom/cch.vcf', 'telecom/mch.vcf', 'nowhere.vcf', 'telecom/zz.vcf', '', 'SIM1/telecom/pb.vcf'), size: fc.boolean() }, plain),
  fc.record({ kind: fc.constant('entry' as const), name: fc.constantFrom(undefined, 'x', '9999.vcf') }, plain),
  fc.record({ kind: fc.constant('listing' as const), name: fc.constantFrom('', 'pb', 'telecom/pb', 'nowhere', '../pb') }, plain),
  fc.record({ kind: fc.constant('type' as const), type: fc.constantFrom(undefined, 'x-bt/bogus', 'text/plain') }, plain),
);

const masGetArb: fc.Arbitrary<GetObject> = fc.oneof(
  fc.record({ kind: fc.constant('listing' as const), name: fc.constantFrom('', 'inbox', 'outbox', 'nowhere', 'telecom/msg/inbox') }, plain),
  fc.record({ kind: fc.constant('message' as const), handle: fc.constantFrom('zz!', '', 'DEADBEEF0000', '0123456789ABCDEF0') }, plain),
  fc.record({ kind: fc.constant('type' as const), type: fc.constantFrom(undefined, 'x-bt/bogus') }, plain),
);

const masPutArb: fc.Arbitrary<PutObject> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('register' as const), status: fc.oneof(fc.constantFrom(0, 1, 1), fc.nat(255)) }, plain) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('push' as const), body: fc.constantFrom('garbage' as const, 'tooBig' as const) }, plain) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('type' as const), type: fc.constantFrom(undefined, 'x-bt/bogus') }, plain) },
);

const folderNames = (service: ObexService): fc.Arbitrary<string | undefined> =>
  service === 'pbap' ? fc.constantFrom(undefined, '', 'telecom', 'pb', 'nowhere', '..', 'a/b') : fc.constantFrom(undefined, '', 'telecom', 'msg', 'inbox', 'nowhere', '..');

function obexSpecArb(service: ObexService): fc.Arbitrary<ObexSpec> {
  return fc.oneof(
    { weight: 3, arbitrary: fc.record({ op: fc.constant('connect' as const), target: fc.oneof({ weight: 4, arbitrary: fc.constant('right' as const) }, { weight: 1, arbitrary: fc.constantFrom('wrong' as const, 'none' as const) }), maxPacket: fc.oneof(fc.constant(0xffff), fc.constant(1024), fc.nat(0xffff)) }, plain) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('disconnect' as const), cid: cidArb }, plain) },
    { weight: 1, arbitrary: fc.constant<ObexSpec>({ op: 'abort' }) },
    { weight: 3, arbitrary: fc.record({ op: fc.constant('setPath' as const), cid: cidArb, up: fc.boolean(), name: folderNames(service) }, plain) },
    {
      weight: 4,
      arbitrary: fc.record(
        {
          op: fc.constant('get' as const),
          cid: cidArb,
          object: service === 'pbap' ? pbapGetArb : masGetArb,
          badParams: fc.oneof({ weight: 5, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
          interrupt: fc.constantFrom(undefined, undefined, 'abort' as const, 'malformed' as const),
          split: fc.boolean(),
        },
        { ...plain, requiredKeys: ['op', 'cid', 'object', 'badParams'] },
      ),
    },
    { weight: service === 'mas' ? 3 : 1, arbitrary: fc.record({ op: fc.constant('put' as const), cid: cidArb, object: masPutArb }, plain) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('unknown' as const), cid: cidArb, opcode: fc.constantFrom(0x84, 0x88, 0x8c, 0x86, 0x87, 0xc3) }, plain) },
    { weight: 1, arbitrary: fc.constant<ObexSpec>({ op: 'malformed' }) },
    { weight: 1, arbitrary: fc.constantFrom<ObexSpec>({ op: 'badLength' }, { op: 'oversize' }) },
  );
}

const mnsCodeArb = fc.constantFrom(ResponseCode.BadRequest, ResponseCode.Forbidden, ResponseCode.NotFound, ResponseCode.ServiceUnavailable, ResponseCode.InternalServerError, 0x10, 0x7f);

const classicCommands: Weighted[] = [
  ...(['pbap', 'mas'] as const).flatMap((service): Weighted[] => [
    { weight: 3, arbitrary: fc.constant(new ObexOpen(service)) },
    { weight: 1, arbitrary: fc.constant(new ObexClose(service)) },
    { weight: 12, arbitrary: obexSpecArb(service).map((spec) => new ObexRequestCommand(service, spec)) },
  ]),
  { weight: 1, arbitrary: fc.boolean().map((on) => new ToggleSyncContacts(on)) },
  { weight: 1, arbitrary: fc.boolean().map((on) => new ToggleMessages(on)) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 30 }).map((n) => new AddContacts(n)) },
  {
    weight: 2,
    arbitrary: fc
      .oneof(
        fc.constant({ kind: 'good' as const }),
        fc.constant({ kind: 'silent' as const }),
        mnsCodeArb.map((code) => ({ kind: 'code' as const, code })),
        fc.uint8Array({ minLength: 1, maxLength: 40 }).map((bytes) => ({ kind: 'garbage' as const, bytes })),
      )
      .map((b) => new MnsBehave(b)),
  },
  { weight: 2, arbitrary: fc.constantFrom(500, 5_000, 40_000).map((ms) => new MessageArrives(ms)) },
  { weight: 2, arbitrary: fc.constant(new HfOpen()) },
  { weight: 1, arbitrary: fc.constant(new HfClose()) },
  { weight: 2, arbitrary: fc.constant(new HfSlc()) },
  {
    weight: 5,
    arbitrary: fc.tuple(fc.constantFrom('unknown' as const, 'answerNoCall' as const, 'cindRead' as const, 'cmee' as const, 'random' as const, 'random' as const), atLineArb).map(([kind, text]) => new HfLine(kind, text)),
  },
  { weight: 2, arbitrary: fc.oneof(fc.uint8Array({ minLength: 1, maxLength: 64 }), fc.integer({ min: 300, max: 2_000 }).map((n) => new Uint8Array(n).fill(0x41))).map((bytes) => new HfJunk(bytes)) },
];

export interface Prelude {
  ancs: boolean;
  pbap: boolean;
  mas: boolean;
  register: boolean;
  hfp: boolean;
}

export interface HostilePcCase {
  profile: 'iphone' | 'android';
  seed: number;
  mtu: number;
  cuts: number[];
  prelude: Prelude;
}

/** The well-behaved set-up steps a prelude asks for, as commands of the same run. */
export function preludeCommands(p: Prelude): Cmd[] {
  const out: Cmd[] = [];
  if (p.ancs) out.push(new GattConnect(), new GattPair(), new GattSubscribe('ns', true), new GattSubscribe('ds', true));
  if (p.pbap) out.push(new ObexOpen('pbap'), new ObexRequestCommand('pbap', { op: 'connect', target: 'right', maxPacket: 0xffff }));
  if (p.mas) {
    out.push(new ObexOpen('mas'), new ObexRequestCommand('mas', { op: 'connect', target: 'right', maxPacket: 0xffff }));
    for (const name of ['telecom', 'msg']) out.push(new ObexRequestCommand('mas', { op: 'setPath', cid: 'right', up: false, name }));
    if (p.register) out.push(new ObexRequestCommand('mas', { op: 'put', cid: 'right', object: { kind: 'register', status: 1 } }));
  }
  if (p.hfp) out.push(new HfOpen(), new HfSlc());
  return out.map((cmd) => new Verified(cmd));
}

/** Mostly set up, so that most hostile commands meet an open link (shrinking still turns it off). */
const mostly = fc.oneof({ weight: 4, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) });

export const hostilePcCaseArb: fc.Arbitrary<HostilePcCase> = fc.record(
  {
    profile: fc.constantFrom('iphone' as const, 'android' as const),
    seed: fc.integer({ min: 1, max: 0x7fffffff }),
    mtu: fc.oneof(fc.constant(23), fc.constant(517), fc.integer({ min: 23, max: 517 })),
    cuts: fc.array(fc.integer({ min: 1, max: 9 }), { maxLength: 4 }),
    prelude: fc.record({ ancs: mostly, pbap: mostly, mas: mostly, register: mostly, hfp: mostly }, plain),
  },
  plain,
);

/**
 * The hostile commands: a plain array (not `fc.commands`), so that a
 * shrunk failure replays from its seed and path alone, as the campaign's
 * replay line needs; commands whose precondition fails are skipped.
 */
export const hostileCommandsArb = (maxCommands: number): fc.Arbitrary<Cmd[]> =>
  fc.array(fc.oneof(...[...gattCommands, ...classicCommands].map(({ weight, arbitrary }) => ({ weight, arbitrary: arbitrary.map((cmd): Cmd => new Verified(cmd)) }))), {
    maxLength: maxCommands,
    size: 'large',
  });

/** Swappable end check. */
export type EndCheck = (bed: HostileBed) => Promise<void>;

export interface HostilePcRunOptions {
  /** What to check once the hostile commands are done (default: recovery of every profile). */
  end?: EndCheck;
  /** Tampers with the bed before the run (a test plants a phone bug this way to prove the property can fail). */
  plant?: (bed: HostileBed) => void;
}

/** Runs one case: the commands, then the recovery and shutdown checks; throws HostilePcFailure on any violation. */
export async function runHostilePcCase(c: HostilePcCase, commands: Iterable<Cmd>, options: HostilePcRunOptions = {}): Promise<void> {
  const end = options.end ?? checkRecovery;
  const bed = new HostileBed({ profile: c.profile, seed: c.seed, mtu: c.mtu, cuts: c.cuts });
  try {
    options.plant?.(bed);
    const phone = bed.tb.phone;
    phone.backchannel.allowShareSystemNotifications(bed.pcAddress);
    phone.backchannel.allowSyncContacts(bed.pcAddress);
    phone.backchannel.allowMessageNotifications(bed.pcAddress);
    phone.backchannel.addContact({ name: { family: 'Doe', given: 'Jane' }, phones: [{ number: '+447700900111', type: 'mobile' }] });
    phone.backchannel.addContact({ name: { family: 'Roe', given: 'Rick' }, phones: [{ number: '+447700900222', type: 'home' }] });
    const model = initialModel(phone.profile);
    await fc.asyncModelRun(() => ({ model, real: bed }), [...preludeCommands(c.prelude), ...commands]);
    bed.collect();
    throwProblems(bed);
    await end(bed);
    bed.collect();
    throwProblems(bed);
    await checkShutdown(bed);
    throwProblems(bed);
  } finally {
    bed.dispose();
  }
}

function throwProblems(bed: HostileBed): void {
  if (bed.problems.length > 0) throw new HostilePcFailure(`the phone misbehaved: ${bed.problems.slice(0, 3).join(' | ')}`);
}

/** A command that checks for problems right after it ran, so the shrunk case ends at the first one. */
class Verified implements Cmd {
  constructor(private readonly inner: Cmd) {}
  check(m: Readonly<HostileModel>): boolean {
    return this.inner.check(m);
  }
  async run(m: HostileModel, r: HostileBed): Promise<void> {
    try {
      await this.inner.run(m, r);
    } catch (err) {
      // A crash in the phone explains a wrong answer better than the answer does.
      r.collect();
      throwProblems(r);
      throw err;
    }
    r.collect();
    throwProblems(r);
  }
  toString(): string {
    return this.inner.toString();
  }
  [fc.toStringMethod](): string {
    return this.inner.toString();
  }
}

export const hostilePcProperty =
  (maxCommands = 40, options: HostilePcRunOptions = {}) =>
  (tick: () => void) =>
    fc.asyncProperty(hostilePcCaseArb, hostileCommandsArb(maxCommands), async (c, commands) => {
      tick();
      await runHostilePcCase(c, commands, options);
    });

export const HOSTILE_PC_CAMPAIGN: CampaignProperty[] = [
  {
    name: 'hostile-pc',
    description:
      'a hostile PC on ANCS, PBAP, MAP (MAS and MNS) and HFP at once never breaks the phone: every answer is the expected protocol code, every byte frames, nothing is kept, and a good PC can use every profile afterwards',
    weight: 1,
    check: checker(hostilePcProperty()),
  },
];
