/**
 * The `message-stream` property of the `messages` fuzz campaign: a whole
 * testbed in virtual time, on the `iphone` or the `android` profile. A
 * random mix of texts and iMessages (now and then a group message or an
 * MMS) from a handful of contacts, PC sends and replies, mark-read, link
 * drops, out-of-range windows shorter and longer than the link's
 * supervision timeout, the user turning "Show Message Notifications" off
 * and on (iphone) or quitting and reopening the PC app, and waits. Once
 * quiet (every outage over, messages up with the phone's notification
 * session connected, then 30 s of link time):
 * - iphone: the Inbox holds exactly the delivered messages that arrived
 *   while the phone's MAP server had notification registration on for this
 *   PC (read from the server at each arrival), each once, in arrival order;
 * - android: it holds every received message, each once, in arrival order;
 * - every send the PC saw succeed is on the phone's sent list once and in
 *   the Inbox once; nothing is on the phone's sent list twice or unasked;
 * - every PC action settled, and failed only with a typed error.
 */
import fc from 'fast-check';
import { messageHandle } from '../../sim-phone/map/message-view';
import type { MessageSpec } from '../../sim-phone/map/message-stimulus';
import { handleKey, type Inbox, type InboxEntry } from '../../sim-pc/services/inbox';
import { Testbed } from '../testbed';

export const MESSAGE_PROFILES = ['iphone', 'android'] as const;
export type MessageProfile = (typeof MESSAGE_PROFILES)[number];

/** A handful of senders: two forms of one number, other numbers, and an iMessage address. */
const CONTACTS = [
  { from: '+447700900123', name: 'Ann' },
  { from: '07700 900123', name: 'Ann' },
  { from: '+447700900456', name: 'Bob' },
  { from: '+15555550123', name: undefined },
  { from: 'cat@example.com', name: 'Cat' },
] as const;

export type MessageStreamCommand =
  | { kind: 'receive'; contact: number; imessage: boolean; extra: 'none' | 'group' | 'mms'; count: number }
  | { kind: 'pcSend'; contact: number }
  | { kind: 'pcReply'; which: number }
  | { kind: 'markRead'; which: number }
  | { kind: 'wait'; ms: number }
  | { kind: 'drop' }
  | { kind: 'outOfRange'; ms: number }
  | { kind: 'permission'; on: boolean }
  | { kind: 'pcRestart'; offMs: number };

export interface MessageStreamCase {
  profile: MessageProfile;
  seed: number;
  /** Wait for messages to be up before the first command (else the commands race the first connection). */
  startUp: boolean;
  commands: MessageStreamCommand[];
}

const contactIndex = fc.nat(CONTACTS.length - 1);
const plain = { noNullPrototype: true } as const;

export const messageStreamCommandArb: fc.Arbitrary<MessageStreamCommand> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record(
      {
        kind: fc.constant('receive' as const),
        contact: contactIndex,
        imessage: fc.boolean(),
        extra: fc.oneof({ weight: 8, arbitrary: fc.constant('none' as const) }, { weight: 1, arbitrary: fc.constantFrom('group' as const, 'mms' as const) }),
        // Mostly one message, now and then a burst.
        count: fc.oneof({ weight: 6, arbitrary: fc.constant(1) }, { weight: 1, arbitrary: fc.integer({ min: 2, max: 15 }) }),
      },
      plain,
    ),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('pcSend' as const), contact: contactIndex }, plain) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('pcReply' as const), which: fc.nat(7) }, plain) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('markRead' as const), which: fc.nat(7) }, plain) },
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('wait' as const), ms: fc.oneof(fc.integer({ min: 0, max: 3_000 }), fc.integer({ min: 3_000, max: 40_000 })) }, plain) },
  { weight: 1, arbitrary: fc.constant<MessageStreamCommand>({ kind: 'drop' }) },
  // The classic link's supervision timeout is 20 s on both profiles: windows fall either side of it.
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('outOfRange' as const), ms: fc.oneof(fc.integer({ min: 50, max: 19_000 }), fc.integer({ min: 21_000, max: 45_000 })) }, plain) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('permission' as const), on: fc.boolean() }, plain) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('pcRestart' as const), offMs: fc.integer({ min: 0, max: 10_000 }) }, plain) },
);

export const messageStreamCaseArb: fc.Arbitrary<MessageStreamCase> = fc.record(
  {
    profile: fc.constantFrom(...MESSAGE_PROFILES),
    seed: fc.integer({ min: 1, max: 0x7fffffff }),
    startUp: fc.boolean(),
    commands: fc.array(messageStreamCommandArb, { maxLength: 30 }),
  },
  plain,
);

export class MessageStreamDivergence extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MessageStreamDivergence';
  }
}

/** A message the phone received, with the facts read from the phone as it arrived. */
export interface Arrival {
  id: number;
  text: string;
  /** The MAP server had notification registration on for the PC when it arrived. */
  registered: boolean;
  /** The phone shows it over MAP at all (iOS drops MMS). */
  delivered: boolean;
}

/** What happened during a run, for the final comparison. */
export interface StreamRecord {
  profile: MessageProfile;
  arrivals: Arrival[];
  /** Texts of the PC sends that resolved. */
  sent: string[];
  /** Every text the PC tried to send. */
  attempted: Set<string>;
  /** Actions that failed untyped, handler failures, errors without a code. */
  unexpected: unknown[];
  /** PC actions still running. */
  pending: Set<string>;
  /** Clock time when the last out-of-range window ends. */
  outageEnds: number;
}

/** The entries the PC files for incoming messages, oldest first, as "handle text". */
export type InboxView = (inbox: Inbox) => string[];

const incomingText = (e: InboxEntry): string | undefined => (e.kind === 'open-on-phone' ? e.preview : e.direction === 'in' ? e.text : undefined);

export const inboxView: InboxView = (inbox) =>
  inbox
    .entries()
    .reverse()
    .flatMap((e) => {
      const text = incomingText(e);
      return text === undefined ? [] : [`${handleKey(e.handle ?? '')} ${text}`];
    });

/** What the Inbox must hold: iphone, the delivered messages that arrived while registered; android, every one. */
export function expectedInbox(record: StreamRecord): string[] {
  return record.arrivals
    .filter((a) => a.delivered && (record.profile === 'android' || a.registered))
    .map((a) => `${handleKey(messageHandle(a.id))} ${a.text}`);
}

const typed = (err: unknown): boolean => err instanceof Error && 'code' in err && typeof err.code === 'string';

/** Runs one case; throws MessageStreamDivergence when a rule breaks. `view` can be swapped to prove the check fails. */
export async function runMessageStreamCase(c: MessageStreamCase, view: InboxView = inboxView): Promise<void> {
  const tb = new Testbed({ phone: c.profile, seed: c.seed, recordPdus: false });
  const record: StreamRecord = { profile: c.profile, arrivals: [], sent: [], attempted: new Set(), unexpected: [], pending: new Set(), outageEnds: 0 };
  tb.classicAir.events.on('handlerError', (e) => record.unexpected.push(e.error));
  tb.pc.events.on('error', (err) => {
    if (!typed(err)) record.unexpected.push(err);
  });
  try {
    const inbox = tb.pc.inbox;
    const map = tb.phone.map;
    if (inbox === undefined || map === undefined) throw new MessageStreamDivergence(`the ${c.profile} testbed has no MAP on one side`);
    await tb.pair();
    tb.phone.backchannel.allowMessageNotifications(tb.pcAddress);
    tb.startPc();
    if (c.startUp) await tb.clock.runUntil(() => messagesUp(tb), 60_000);
    const counter = { next: 1 };
    for (const cmd of c.commands) await apply(tb, inbox, cmd, record, counter);
    // Quiet: the user allows messages again, every outage ends, the PC reconnects, and the sync settles.
    if (!tb.phone.model.hasPermission(tb.pcAddress, 'showMessageNotifications')) {
      tb.phone.backchannel.allowMessageNotifications(tb.pcAddress);
      tb.pc.retryMessages();
    }
    await tb.clock.runFor(Math.max(0, record.outageEnds - tb.clock.now()));
    await tb.clock.runUntil(() => messagesUp(tb), 300_000).catch(() => undefined);
    await tb.clock.runFor(30_000);
    check(tb, inbox, record, view);
  } finally {
    await tb.shutdown().catch(() => undefined);
  }
}

/** The PC's MAS session is up and the phone's notification session is connected to it. */
function messagesUp(tb: Testbed): boolean {
  const health = tb.pc.messagesHealth();
  return health?.state === 'up' && health.notifications === 'connected';
}

function check(tb: Testbed, inbox: Inbox, record: StreamRecord, view: InboxView): void {
  const health = tb.pc.messagesHealth();
  if (!messagesUp(tb)) throw new MessageStreamDivergence(`messages did not come back: ${JSON.stringify(health)}`);
  if (record.pending.size > 0) throw new MessageStreamDivergence(`PC actions never settled: ${[...record.pending].join(', ')}`);
  // The phone's own view must agree with what its server said at each arrival (iOS: no history).
  const map = tb.phone.map;
  for (const a of record.arrivals) {
    const message = tb.phone.model.messages.get(a.id);
    if (map === undefined || message === undefined) continue;
    const visible = map.view.visibleTo(message, tb.pcAddress);
    const want = a.delivered && (record.profile === 'android' || a.registered);
    if (visible !== want) throw new MessageStreamDivergence(`the phone shows "${a.text}" to the PC: ${visible}, but registered=${a.registered} delivered=${a.delivered} at arrival`);
  }
  const want = expectedInbox(record);
  const got = view(inbox);
  if (JSON.stringify(got) !== JSON.stringify(want)) {
    throw new MessageStreamDivergence(`the Inbox holds ${got.length}: [${got.join(' | ')}]\n  expected ${want.length}: [${want.join(' | ')}]`);
  }
  checkSent(tb, inbox, record);
  if (record.unexpected.length > 0) {
    const first = record.unexpected[0];
    throw new MessageStreamDivergence(`unexpected error: ${first instanceof Error ? `${first.name}: ${first.message}` : String(first)}`);
  }
}

/** Sends: once on the phone and once in the Inbox when the PC saw success; never twice, never unasked. */
function checkSent(tb: Testbed, inbox: Inbox, record: StreamRecord): void {
  const onPhone = tb.phone.model.messages.sent().map((m) => m.text);
  const outInInbox = inbox.entries().flatMap((e) => (e.kind === 'message' && e.direction === 'out' ? [e.text] : []));
  const count = (list: readonly string[], text: string): number => list.filter((t) => t === text).length;
  for (const text of new Set(onPhone)) {
    if (!record.attempted.has(text)) throw new MessageStreamDivergence(`the phone sent "${text}", which the PC never asked for`);
    if (count(onPhone, text) > 1) throw new MessageStreamDivergence(`the phone sent "${text}" ${count(onPhone, text)} times`);
  }
  for (const text of record.sent) {
    if (count(onPhone, text) !== 1) throw new MessageStreamDivergence(`the PC sent "${text}" but the phone's sent list has it ${count(onPhone, text)} times`);
    if (count(outInInbox, text) !== 1) throw new MessageStreamDivergence(`the PC sent "${text}" but the Inbox files it ${count(outInInbox, text)} times`);
  }
  for (const text of outInInbox) {
    if (!record.sent.includes(text)) throw new MessageStreamDivergence(`the Inbox shows "${text}" as sent, but sending it did not succeed`);
  }
}

/** Tracks a PC action: it must settle, and fail only with a typed error. */
function pcAction(record: StreamRecord, label: string, promise: Promise<unknown>, onSuccess: () => void = () => undefined): void {
  record.pending.add(label);
  promise.then(
    () => {
      record.pending.delete(label);
      onSuccess();
    },
    (err: unknown) => {
      record.pending.delete(label);
      if (!typed(err)) record.unexpected.push(err);
    },
  );
}

function send(record: StreamRecord, label: string, text: string, run: () => Promise<unknown>): void {
  record.attempted.add(text);
  pcAction(record, label, run(), () => record.sent.push(text));
}

async function apply(tb: Testbed, inbox: Inbox, cmd: MessageStreamCommand, record: StreamRecord, counter: { next: number }): Promise<void> {
  switch (cmd.kind) {
    case 'receive':
      for (let i = 0; i < cmd.count; i++) receive(tb, cmd, record, counter.next++);
      break;
    case 'pcSend': {
      const contact = CONTACTS[cmd.contact] ?? CONTACTS[0];
      const text = `out ${counter.next++}`;
      send(record, `send "${text}"`, text, () => inbox.send({ number: contact.from }, text));
      break;
    }
    case 'pcReply': {
      const threads = inbox.threads();
      const thread = threads[cmd.which % Math.max(1, threads.length)];
      if (thread === undefined) break;
      const text = `reply ${counter.next++}`;
      send(record, `reply "${text}"`, text, () => inbox.reply(thread.id, text));
      break;
    }
    case 'markRead': {
      const entries = inbox.entries();
      const entry = entries[cmd.which % Math.max(1, entries.length)];
      if (entry !== undefined) pcAction(record, `mark ${entry.id} read (${counter.next++})`, inbox.markRead(entry.id));
      break;
    }
    case 'wait':
      await tb.clock.runFor(cmd.ms);
      break;
    case 'drop':
      tb.dropLinks();
      await tb.clock.runFor(1);
      break;
    case 'outOfRange':
      tb.outOfRange(cmd.ms);
      record.outageEnds = Math.max(record.outageEnds, tb.clock.now() + cmd.ms);
      break;
    case 'pcRestart': {
      // The user quits the PC app (it turns registration off and disconnects) and opens it again later.
      let stopped = false;
      void tb.pc.stop().finally(() => (stopped = true));
      await tb.clock.runFor(cmd.offMs);
      await tb.clock.runUntil(() => stopped, 60_000).catch(() => undefined);
      if (!stopped) throw new MessageStreamDivergence('the PC did not stop within 60 s');
      tb.pc.start();
      break;
    }
    case 'permission':
      // Only iOS gates MAP on the toggle; on android it changes nothing.
      if (cmd.on) {
        tb.phone.backchannel.allowMessageNotifications(tb.pcAddress);
        tb.pc.retryMessages();
      } else {
        tb.phone.backchannel.revokeMessageNotifications(tb.pcAddress);
      }
      break;
  }
}

/** One message arrives on the phone; what the phone's MAP server says about it at that moment is recorded. */
function receive(tb: Testbed, cmd: Extract<MessageStreamCommand, { kind: 'receive' }>, record: StreamRecord, n: number): void {
  const contact = CONTACTS[cmd.contact] ?? CONTACTS[0];
  const spec: MessageSpec = { from: contact.from, text: `in ${n}${cmd.imessage ? ' (iMessage)' : ''}`, service: cmd.imessage ? 'imessage' : 'sms' };
  if (contact.name !== undefined) spec.name = contact.name;
  if (cmd.extra === 'group') spec.group = ['+447700900999', '+447700900888'];
  if (cmd.extra === 'mms') spec.attachment = { mimeType: 'image/jpeg', size: 40_000 };
  const map = tb.phone.map;
  // The phone's own fact at the moment of arrival: does its MAP server hold a registration for this PC?
  const registered = map?.mnsState(tb.pcAddress) !== undefined;
  const id = tb.phone.backchannel.receiveMessage(spec);
  const message = tb.phone.model.messages.get(id);
  const delivered = message !== undefined && map !== undefined && map.view.delivers(message);
  record.arrivals.push({ id, text: spec.text, registered, delivered });
}

/** The property for a campaign; `tick` counts runs for progress. */
export const messageStreamProperty = (view?: InboxView) => (tick: () => void) =>
  fc.asyncProperty(messageStreamCaseArb, async (c) => {
    tick();
    await runMessageStreamCase(c, view);
  });
