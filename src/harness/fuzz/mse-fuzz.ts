/**
 * The `hostile-mse` property of the `messages` fuzz campaign: the PC's
 * whole messages stack (MapSupervisor with its MAP client, MNS server,
 * InboxSync and the Inbox) against a hostile MSE (hostile-mse.ts) on the
 * in-memory classic link. Whatever the MSE answers (error codes, garbage,
 * edited listings and bMessages, answers that never come, unasked bytes,
 * hostile or garbled event reports) while the user marks read and sends:
 * - every Inbox call settles, and fails only with a typed error (a `code`);
 *   every error the stack reports is typed too; no link handler throws; a
 *   send that succeeded reached the MSE;
 * - the Inbox stays intact after every step: each handle filed once, only
 *   handles the MSE has, an entry the MSE served cleanly shows its text and
 *   sender, and nothing filed earlier changes or disappears;
 * - once the MSE behaves, the stack comes back by itself (MAS session and
 *   notifications) and a new announced message is filed within a minute;
 * - after stop() no timer is left (virtual time runs idle).
 */
import fc from 'fast-check';
import { MemoryClassicAir } from '../../link/memory/classic';
import { VirtualClock } from '../../link/virtual-clock';
import { encodeEventReport, encodeMapParams, type MapEvent } from '../../protocol/map';
import { ResponseCode } from '../../protocol/obex/constants';
import { MapSupervisor } from '../../sim-pc/map/map-supervisor';
import { handleKey, Inbox, type InboxEntry } from '../../sim-pc/services/inbox';
import { applyByteEdits, byteEditsArb, handleArb, mapEventArb } from './map-arbitraries';
import { HostileMse, mceRadio, MSE_ADDRESS, newMessageEvent, type MseAnswer } from './hostile-mse';

const SENDERS = ['+447700900123', '+447700900456', '07700 900789'] as const;

/** An event naming a message the MSE has (by index), or any event at all. */
export type MseEventSpec = { kind: 'known'; which: number; type: string; folder: string } | { kind: 'any'; event: MapEvent };

export type MseStep =
  | { kind: 'arrive'; sender: number; announce: boolean }
  | { kind: 'events'; events: MseEventSpec[] }
  | { kind: 'rawReport'; bytes: Uint8Array; badParams: boolean }
  | { kind: 'rawMns'; bytes: Uint8Array }
  | { kind: 'rawMas'; bytes: Uint8Array }
  | { kind: 'plan'; answers: MseAnswer[] }
  | { kind: 'user'; action: 'markRead' | 'send' | 'reply'; which: number }
  | { kind: 'wait'; ms: number }
  | { kind: 'closeAll' };

export interface MseCase {
  seed: number;
  steps: MseStep[];
}

const plain = { noNullPrototype: true } as const;

/** OBEX error codes an MSE might answer, Forbidden and Service Unavailable included, and some that are no errors at all. */
const codeArb = fc.oneof(
  fc.constantFrom(ResponseCode.BadRequest, ResponseCode.Forbidden, ResponseCode.NotFound, ResponseCode.NotAcceptable, ResponseCode.InternalServerError, ResponseCode.ServiceUnavailable, ResponseCode.NotImplemented),
  fc.integer({ min: 0, max: 0xff }),
);

export const mseAnswerArb: fc.Arbitrary<MseAnswer> = fc.oneof(
  { weight: 3, arbitrary: fc.constant<MseAnswer>({ kind: 'good' }) },
  { weight: 2, arbitrary: codeArb.map((code): MseAnswer => ({ kind: 'code', code })) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 120 }).map((bytes): MseAnswer => ({ kind: 'bytes', bytes })) },
  { weight: 3, arbitrary: byteEditsArb.map((edits): MseAnswer => ({ kind: 'edit', edits })) },
  { weight: 1, arbitrary: fc.constant<MseAnswer>({ kind: 'stall' }) },
);

const eventSpecArb: fc.Arbitrary<MseEventSpec> = fc.oneof(
  {
    weight: 2,
    arbitrary: fc.record(
      {
        kind: fc.constant('known' as const),
        which: fc.nat(12),
        type: fc.constantFrom('NewMessage', 'MessageShift', 'ReadStatusChanged', 'MessageDeleted'),
        folder: fc.constantFrom('TELECOM/MSG/INBOX', 'telecom/msg/inbox', 'inbox', 'msg/inbox', 'TELECOM/MSG/SENT', ''),
      },
      plain,
    ),
  },
  { weight: 1, arbitrary: mapEventArb.map((event): MseEventSpec => ({ kind: 'any', event })) },
);

export const mseStepArb: fc.Arbitrary<MseStep> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('arrive' as const), sender: fc.nat(SENDERS.length - 1), announce: fc.boolean() }, plain) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('events' as const), events: fc.array(eventSpecArb, { minLength: 1, maxLength: 4 }) }, plain) },
  {
    weight: 2,
    arbitrary: fc.record(
      {
        kind: fc.constant('rawReport' as const),
        bytes: fc.oneof(fc.uint8Array({ maxLength: 200 }), fc.tuple(handleArb, byteEditsArb).map(([h, edits]) => applyByteEdits(encodeEventReport({ version: '1.0', events: [newMessageEvent(h)] }), edits))),
        badParams: fc.boolean(),
      },
      plain,
    ),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('rawMns' as const), bytes: fc.uint8Array({ minLength: 1, maxLength: 40 }) }, plain) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('rawMas' as const), bytes: fc.uint8Array({ minLength: 1, maxLength: 40 }) }, plain) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('plan' as const), answers: fc.array(mseAnswerArb, { minLength: 1, maxLength: 6 }) }, plain) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('user' as const), action: fc.constantFrom('markRead' as const, 'send' as const, 'reply' as const), which: fc.nat(9) }, plain) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('wait' as const), ms: fc.oneof(fc.integer({ min: 0, max: 500 }), fc.integer({ min: 500, max: 20_000 })) }, plain) },
  { weight: 1, arbitrary: fc.constant<MseStep>({ kind: 'closeAll' }) },
);

export const mseCaseArb: fc.Arbitrary<MseCase> = fc.record({ seed: fc.integer({ min: 1, max: 0x7fffffff }), steps: fc.array(mseStepArb, { maxLength: 25 }) }, plain);

export class MseFuzzFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MseFuzzFailure';
  }
}

/** A snapshot of one entry: what must not change once filed. */
type Filed = { id: string; handle: string; text: string };

const filedOf = (e: InboxEntry): Filed => ({ id: e.id, handle: e.handle ?? '', text: e.kind === 'message' ? e.text : e.preview });

const typed = (err: unknown): boolean => err instanceof Error && 'code' in err && typeof err.code === 'string';

const describeError = (err: unknown): string => (err instanceof Error ? `${err.name}: ${err.message}` : String(err));

/** The rig: a clock, the air, the hostile MSE and the PC's messages stack. */
function rig(seed: number) {
  const clock = new VirtualClock({ seed });
  const air = new MemoryClassicAir(clock, { seed });
  const mse = new HostileMse(clock, air);
  const inbox = new Inbox({ clock, dateZone: 'utc' });
  const supervisor = new MapSupervisor({
    classic: mceRadio(air),
    phoneAddress: MSE_ADDRESS,
    clock,
    inbox,
    backoff: { initialMs: 500, factor: 2, maxMs: 5_000, jitter: 0 },
    client: { timeoutMs: 5_000 },
    mns: { timeoutMs: 5_000 },
  });
  return { clock, air, mse, inbox, supervisor };
}

type Rig = ReturnType<typeof rig>;

/** Runs one case; throws MseFuzzFailure when the PC breaks a rule. `intact` can be swapped to prove the check fails. */
export async function runMseCase(c: MseCase, intact: (r: Rig, before: readonly Filed[]) => void = checkIntact): Promise<void> {
  const r = rig(c.seed);
  const { clock, mse, inbox, supervisor } = r;
  const unexpected: string[] = [];
  const pending = new Set<string>();
  r.air.events.on('handlerError', (e) => unexpected.push(`a link handler threw ${describeError(e.error)}`));
  supervisor.events.on('error', (err) => {
    if (!typed(err)) unexpected.push(`the stack reported an untyped error ${describeError(err)}`);
  });
  const sent: string[] = [];
  const track = (label: string, run: () => Promise<unknown>, onSuccess: () => void = () => undefined): void => {
    pending.add(label);
    let promise: Promise<unknown>;
    try {
      promise = run();
    } catch (err) {
      pending.delete(label);
      unexpected.push(`${label} threw synchronously: ${describeError(err)}`);
      return;
    }
    promise.then(
      () => {
        pending.delete(label);
        onSuccess();
      },
      (err: unknown) => {
        pending.delete(label);
        if (!typed(err)) unexpected.push(`${label} failed untyped: ${describeError(err)}`);
      },
    );
  };
  supervisor.start();
  await clock.runUntil(() => supervisor.health().state === 'up' && mse.mnsConnected, 30_000).catch(() => undefined);
  let before: Filed[] = [];
  let n = 0;
  for (const step of c.steps) {
    apply(r, step, ++n, track, sent);
    await clock.runFor(step.kind === 'wait' ? step.ms : 1);
    intact(r, before);
    before = inbox.entries().map(filedOf);
  }
  // The MSE behaves again: the stack must come back by itself and file a new message.
  mse.behave();
  // Not Implemented said "this phone has no notifications": only a new session can unsay it.
  if (mse.refusedRegistrationForGood) mse.closeAll();
  await clock.runUntil(() => supervisor.health().state === 'up', 120_000).catch(() => undefined);
  // A fresh notification session: garbage sent on the old one may have cost it its framing.
  mse.restartMns();
  await clock.runUntil(() => supervisor.health().state === 'up' && supervisor.health().notifications === 'connected' && mse.mnsConnected, 60_000).catch(() => undefined);
  const health = supervisor.health();
  if (!(health.state === 'up' && health.notifications === 'connected' && mse.mnsConnected)) {
    throw new MseFuzzFailure(`the stack did not come back once the MSE behaved: ${JSON.stringify(health)}, MSE MNS connected: ${mse.mnsConnected}`);
  }
  const last = mse.arrive(SENDERS[0], 'the last word', true);
  await clock.runUntil(() => inbox.knows(last.handle), 60_000).catch(() => undefined);
  if (!inbox.knows(last.handle)) throw new MseFuzzFailure(`a message announced once the MSE behaved was not filed within 60 s: ${JSON.stringify(supervisor.health())}`);
  await clock.runFor(20_000);
  intact(r, before);
  if (pending.size > 0) throw new MseFuzzFailure(`Inbox calls never settled: ${[...pending].join(', ')}`);
  for (const text of sent) if (!mse.pushed.includes(text)) throw new MseFuzzFailure(`the PC says "${text}" was sent, but the MSE never took it`);
  if (unexpected.length > 0) throw new MseFuzzFailure(unexpected[0] ?? '');
  const stopping = supervisor.stop();
  try {
    await clock.runUntilIdle({ until: clock.now() + 600_000 });
  } catch (err) {
    throw new MseFuzzFailure(`timers still running after stop(): ${describeError(err)}`);
  }
  await stopping;
}

/** Each handle once, only the MSE's handles, clean messages as served, nothing filed earlier changed. */
export function checkIntact(r: Rig, before: readonly Filed[]): void {
  const entries = r.inbox.entries();
  const byHandle = new Map<string, number>();
  const known = new Map(r.mse.messages.map((m) => [handleKey(m.handle), m]));
  for (const e of entries) {
    if (e.kind === 'message' && e.direction === 'out') continue;
    const key = handleKey(e.handle ?? '');
    byHandle.set(key, (byHandle.get(key) ?? 0) + 1);
    const message = known.get(key);
    if (message === undefined) throw new MseFuzzFailure(`the Inbox filed handle ${String(e.handle)}, which the MSE never had`);
    if (r.mse.tainted.has(message.handle.toLowerCase())) continue;
    const text = e.kind === 'message' ? e.text : e.preview;
    if (text !== message.text || e.from !== message.from) {
      throw new MseFuzzFailure(`handle ${message.handle} was served cleanly as ${JSON.stringify([message.from, message.text])} but filed as ${JSON.stringify([e.from, text])}`);
    }
  }
  for (const [key, count] of byHandle) if (count > 1) throw new MseFuzzFailure(`handle ${key} is filed ${count} times`);
  const now = new Map(entries.map((e) => [e.id, filedOf(e)]));
  for (const old of before) {
    const still = now.get(old.id);
    if (still === undefined || still.handle !== old.handle || still.text !== old.text) {
      throw new MseFuzzFailure(`entry ${JSON.stringify(old)} changed or went away: ${JSON.stringify(still)}`);
    }
  }
}

type Track = (label: string, run: () => Promise<unknown>, onSuccess?: () => void) => void;

function apply(r: Rig, step: MseStep, n: number, track: Track, sent: string[]): void {
  const { mse, inbox } = r;
  switch (step.kind) {
    case 'arrive':
      mse.arrive(SENDERS[step.sender] ?? SENDERS[0], `message ${n}`, step.announce);
      break;
    case 'events': {
      const events = step.events.map((spec): MapEvent => {
        if (spec.kind === 'any') return spec.event;
        const message = mse.messages[spec.which % Math.max(1, mse.messages.length)];
        return { type: spec.type, handle: message?.handle ?? '1', folder: spec.folder, msg_type: 'SMS_GSM' };
      });
      mse.sendReport(encodeEventReport({ version: '1.0', events }));
      break;
    }
    case 'rawReport':
      mse.sendReport(step.bytes, step.badParams ? Uint8Array.of(0x0f, 0x02, 0x00) : encodeMapParams({ masInstanceId: 0 }));
      break;
    case 'rawMns':
      mse.rawMns(step.bytes);
      break;
    case 'rawMas':
      mse.rawMas(step.bytes);
      break;
    case 'plan':
      mse.planAnswers(step.answers);
      break;
    case 'user': {
      const entries = inbox.entries();
      const entry = entries[step.which % Math.max(1, entries.length)];
      if (step.action === 'markRead' && entry !== undefined) track(`markRead ${entry.id} (step ${n})`, () => inbox.markRead(entry.id));
      if (step.action === 'reply' && entry !== undefined) track(`reply to ${entry.id} (step ${n})`, () => inbox.reply(entry.id, `reply ${n}`), () => sent.push(`reply ${n}`));
      if (step.action === 'send') track(`send (step ${n})`, () => inbox.send(SENDERS[step.which % SENDERS.length] ?? SENDERS[0], `sent ${n}`), () => sent.push(`sent ${n}`));
      break;
    }
    case 'wait':
      break;
    case 'closeAll':
      mse.closeAll();
      break;
  }
}

/** The property for a campaign; `tick` counts runs for progress. */
export const mseProperty = (intact?: (r: Rig, before: readonly Filed[]) => void) => (tick: () => void) =>
  fc.asyncProperty(mseCaseArb, async (c) => {
    tick();
    await runMseCase(c, intact);
  });
