/**
 * The bounds in src/limits.ts: each is a positive finite number that some src
 * module uses, and each is enforced. Limits without a test elsewhere are
 * exceeded here (typed error, state left intact); the rest are mapped to the
 * test file that exceeds them, and that mapping is checked against the files.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as limits from '../src/limits';
import { LinkError, QueueFullError } from '../src/link/errors';
import { VirtualClock } from '../src/link/virtual-clock';
import { MemoryAir } from '../src/link/memory/memory-air';
import { DEFAULT_BLE_MODEL } from '../src/link/link-model';
import { MemoryClassicAir } from '../src/link/memory/classic/classic-air';
import { decodeBMessage, simpleBMessage, encodeBMessage } from '../src/protocol/map/bmessage';
import { decodeFolderListing, decodeMessageListing } from '../src/protocol/map/listing';
import { MapError } from '../src/protocol/map/errors';
import { MapBodyCollector } from '../src/sim-pc/map/map-operations';
import { MapLimitError } from '../src/sim-pc/map/errors';
import { BufferCollector } from '../src/sim-pc/pbap/body-collectors';
import { PbapLimitError } from '../src/sim-pc/pbap/errors';
import { checkOutgoing } from '../src/sim-pc/map/outgoing';
import { SendRefusedError } from '../src/sim-pc/map/errors';
import { bodyHeader, connectionIdHeader, encodeRequest, endOfBodyHeader, nameHeader, ObexServerSession, typeHeader } from '../src/protocol/obex';
import { MapMime } from '../src/protocol/map';
import { toHex, Wire } from './protocol/obex/obex-test-kit';
import { Inbox } from '../src/sim-pc/services/inbox';
import { InboxSync, type MessageSource } from '../src/sim-pc/map/inbox-sync';
import type { ListMessagesOptions, MessageFetch, MessagesListingPage } from '../src/sim-pc/map/map-types';
import { bMessageOf, mapRig, PHONE, settle } from './sim-pc/map/fake-mse';
import { MapClient } from '../src/sim-pc/map/map-client';
import { MnsServer } from '../src/sim-pc/map/mns-server';
import type { MapProtocolError } from '../src/sim-pc/map/errors';

const REPO = path.resolve(__dirname, '..');

/** Every `.ts` file under `dir`, recursively. */
function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(full));
    else if (entry.name.endsWith('.ts')) out.push(full);
  }
  return out;
}

const limitEntries = Object.entries(limits) as [string, unknown][];

test('every limit is a positive finite number used by at least one src module', () => {
  assert.ok(limitEntries.length >= 40, `expected the full list of limits, found ${limitEntries.length}`);
  const limitsFile = path.join(REPO, 'src', 'limits.ts');
  const users = sourceFiles(path.join(REPO, 'src'))
    .filter((f) => f !== limitsFile)
    .map((f) => ({ file: f, text: fs.readFileSync(f, 'utf8') }));
  for (const [name, value] of limitEntries) {
    assert.equal(typeof value, 'number', `${name} is a number`);
    assert.ok(Number.isFinite(value) && (value as number) > 0, `${name} = ${String(value)} is positive and finite`);
    const word = new RegExp(`\\b${name}\\b`);
    const user = users.find((u) => /from '[./]*limits'/.test(u.text) && word.test(u.text));
    assert.ok(user, `${name} is imported by some src module`);
  }
});

// ---- limits exceeded here --------------------------------------------------

test('MEMORY_AIR_MAX_DEVICES: one device too many on a BLE air is link.too-many-devices, the rest stay', () => {
  const air = new MemoryAir(new VirtualClock(), { seed: 1 });
  const address = (i: number): string => `AA:BB:CC:00:${(i >> 8).toString(16).padStart(2, '0')}:${(i & 0xff).toString(16).padStart(2, '0')}`;
  for (let i = 0; i < limits.MEMORY_AIR_MAX_DEVICES; i++) air.createCentral({ address: address(i) });
  assert.throws(
    () => air.createPeripheral({ address: address(limits.MEMORY_AIR_MAX_DEVICES), model: DEFAULT_BLE_MODEL }),
    (err: unknown) => err instanceof LinkError && err.code === 'link.too-many-devices',
  );
  assert.equal(air.peripheral(address(limits.MEMORY_AIR_MAX_DEVICES)), undefined);
  assert.equal(air.peripherals().length, 0);
});

test('MEMORY_AIR_MAX_DEVICES: the same bound holds on a classic air', () => {
  const air = new MemoryClassicAir(new VirtualClock(), { seed: 1 });
  const address = (i: number): string => `AA:BB:CC:01:00:${i.toString(16).padStart(2, '0')}`;
  for (let i = 0; i < limits.MEMORY_AIR_MAX_DEVICES; i++) air.createClient({ address: address(i), classOfDevice: 0x200404 });
  assert.throws(
    () => air.createHost({ address: address(limits.MEMORY_AIR_MAX_DEVICES), name: 'extra', classOfDevice: 0x5a020c }),
    (err: unknown) => err instanceof LinkError && err.code === 'link.too-many-devices',
  );
  assert.equal(air.host(address(limits.MEMORY_AIR_MAX_DEVICES)), undefined);
});

test('MEMORY_MAX_PENDING_CONNECTS: one BLE connect too many is link.queue-full, the pending ones still wait', async () => {
  const clock = new VirtualClock();
  const air = new MemoryAir(clock, { seed: 1 });
  const pc = air.createCentral({ address: 'AA:BB:CC:00:00:01' });
  const pending = Array.from({ length: limits.MEMORY_MAX_PENDING_CONNECTS }, (_, i) =>
    pc.connect(`AA:BB:CC:00:10:${i.toString(16).padStart(2, '0')}`, { timeoutMs: 1000 }).then(
      () => 'connected',
      (err: unknown) => (err instanceof LinkError ? err.code : 'other'),
    ),
  );
  await assert.rejects(pc.connect('AA:BB:CC:00:20:00'), (err: unknown) => err instanceof QueueFullError && err.code === 'link.queue-full');
  clock.advance(1000);
  const outcomes = await Promise.all(pending);
  assert.equal(outcomes.length, limits.MEMORY_MAX_PENDING_CONNECTS);
  for (const outcome of outcomes) assert.notEqual(outcome, 'connected');
  assert.ok(outcomes.every((o) => o !== 'link.queue-full'), 'the queued attempts were not the ones refused');
});

test('CLASSIC_MAX_PENDING_PAGES and CLASSIC_PAGE_TIMEOUT_MS: one page too many is link.queue-full; the others fail at the page timeout', async () => {
  const clock = new VirtualClock();
  const air = new MemoryClassicAir(clock, { seed: 1 });
  const pc = air.createClient({ address: 'AA:BB:CC:00:00:02', classOfDevice: 0x200404 });
  const settledAt: number[] = [];
  const pending = Array.from({ length: limits.CLASSIC_MAX_PENDING_PAGES }, (_, i) =>
    pc.connect(`AA:BB:CC:00:30:${i.toString(16).padStart(2, '0')}`).then(
      () => 'connected',
      (err: unknown) => {
        settledAt.push(clock.now());
        return err instanceof LinkError ? 'link-error' : 'other';
      },
    ),
  );
  await assert.rejects(pc.connect('AA:BB:CC:00:40:00'), (err: unknown) => err instanceof QueueFullError && err.code === 'link.queue-full');
  clock.advance(limits.CLASSIC_PAGE_TIMEOUT_MS - 1);
  await Promise.resolve();
  assert.equal(settledAt.length, 0, 'no page gives up before the page timeout');
  clock.advance(1);
  const outcomes = await Promise.all(pending);
  assert.deepEqual(outcomes, Array<string>(limits.CLASSIC_MAX_PENDING_PAGES).fill('link-error'));
  assert.ok(settledAt.every((t) => t === limits.CLASSIC_PAGE_TIMEOUT_MS));
});

test('MAX_PLANNED_FAULTS: one planned fault too many is link.queue-full (BLE and classic), earlier plans still fire', () => {
  const clock = new VirtualClock();
  const air = new MemoryAir(clock, { seed: 1 });
  const handles = Array.from({ length: limits.MAX_PLANNED_FAULTS }, (_, i) => air.faults.dropLinkAt(1000 + i));
  assert.throws(() => air.faults.dropLinkAt(5000), (err: unknown) => err instanceof QueueFullError && err.code === 'link.queue-full');
  assert.equal(handles.length, limits.MAX_PLANNED_FAULTS);
  const classic = new MemoryClassicAir(clock, { seed: 1 });
  for (let i = 0; i < limits.MAX_PLANNED_FAULTS; i++) classic.faults.dropLinkAt(1000 + i);
  assert.throws(() => classic.faults.dropLinkAt(5000), (err: unknown) => err instanceof QueueFullError && err.code === 'link.queue-full');
  // Once the planned faults have fired, the plan has room again.
  clock.advance(2000);
  assert.doesNotThrow(() => air.faults.dropLinkAt(6000));
  assert.doesNotThrow(() => classic.faults.dropLinkAt(6000));
});

const textBMessage = (text: string): Uint8Array =>
  encodeBMessage(simpleBMessage({ type: 'SMS_GSM', folder: 'telecom/msg/inbox', recipients: [{ version: '2.1', phones: ['+441234567890'], emails: [] }], text }));

test('BMESSAGE_MAX_BYTES: a bMessage over the default is map.too-large; the largest one within it decodes', () => {
  // The LENGTH field grows with the text, so step the filler until the encoding crosses the limit.
  let fill = limits.BMESSAGE_MAX_BYTES - textBMessage('x').length - 8;
  while (textBMessage('x'.repeat(fill + 1)).length <= limits.BMESSAGE_MAX_BYTES) fill++;
  const within = textBMessage('x'.repeat(fill));
  assert.ok(within.length <= limits.BMESSAGE_MAX_BYTES && within.length > limits.BMESSAGE_MAX_BYTES - 8);
  assert.equal(decodeBMessage(within).version, '1.0');
  const over = textBMessage('x'.repeat(fill + 1));
  assert.ok(over.length > limits.BMESSAGE_MAX_BYTES);
  assert.throws(() => decodeBMessage(over), (err: unknown) => err instanceof MapError && err.code === 'map.too-large');
});

/** A message listing of `count` entries, padded with `pad` bytes of whitespace. */
function messageListing(count: number, pad = 0): Uint8Array {
  // Short entries, so that the entry bound is reached well inside the byte bound.
  const body = Array.from({ length: count }, (_, i) => `<msg handle="${(i + 1).toString(16)}"/>`).join('\n');
  return new TextEncoder().encode(`<MAP-msg-listing version="1.0">\n${body}\n${' '.repeat(pad)}</MAP-msg-listing>`);
}

test('MAP_XML_MAX_ENTRIES: one entry over the default is map.too-large; exactly the limit decodes', () => {
  assert.equal(decodeMessageListing(messageListing(limits.MAP_XML_MAX_ENTRIES)).messages.length, limits.MAP_XML_MAX_ENTRIES);
  assert.throws(
    () => decodeMessageListing(messageListing(limits.MAP_XML_MAX_ENTRIES + 1)),
    (err: unknown) => err instanceof MapError && err.code === 'map.too-large',
  );
});

test('MAP_XML_MAX_BYTES: an XML document one byte over the default is map.too-large', () => {
  const base = messageListing(1);
  const atLimit = messageListing(1, limits.MAP_XML_MAX_BYTES - base.length);
  assert.equal(atLimit.length, limits.MAP_XML_MAX_BYTES);
  assert.equal(decodeMessageListing(atLimit).messages.length, 1);
  const over = messageListing(1, limits.MAP_XML_MAX_BYTES - base.length + 1);
  assert.throws(() => decodeMessageListing(over), (err: unknown) => err instanceof MapError && err.code === 'map.too-large');
  const folders = new TextEncoder().encode(`<folder-listing version="1.0">${' '.repeat(limits.MAP_XML_MAX_BYTES)}</folder-listing>`);
  assert.throws(() => decodeFolderListing(folders), (err: unknown) => err instanceof MapError && err.code === 'map.too-large');
});

test('MAP_MAX_LISTING_BYTES and MAP_MAX_MESSAGE_BYTES: a MAP body past its bound is sim-pc.map-limit, the collected bytes unchanged', () => {
  for (const bound of [limits.MAP_MAX_LISTING_BYTES, limits.MAP_MAX_MESSAGE_BYTES]) {
    const sink = new MapBodyCollector('listing', bound);
    sink.onBody(new Uint8Array(bound - 1));
    assert.throws(() => sink.onBody(new Uint8Array(2)), (err: unknown) => err instanceof MapLimitError && err.code === 'sim-pc.map-limit');
    assert.equal(sink.bytes, bound - 1);
    sink.onBody(new Uint8Array(1));
    assert.equal(sink.body().length, bound);
  }
});

test('PBAP_MAX_BODY_BYTES: a PBAP listing body past the bound is sim-pc.pbap-limit, the collected bytes unchanged', () => {
  const progress: number[] = [];
  const sink = new BufferCollector('listing', limits.PBAP_MAX_BODY_BYTES, (bytes) => progress.push(bytes));
  sink.onBody(new Uint8Array(limits.PBAP_MAX_BODY_BYTES));
  assert.throws(() => sink.onBody(new Uint8Array(1)), (err: unknown) => err instanceof PbapLimitError && err.code === 'sim-pc.pbap-limit');
  assert.equal(sink.bytes, limits.PBAP_MAX_BODY_BYTES);
  assert.deepEqual(progress, [limits.PBAP_MAX_BODY_BYTES]);
});

test('INBOX_MAX_TEXT_BYTES: an outgoing text one byte over is refused as too-long; at the limit it passes', () => {
  const to = [{ number: '+441234567890' }];
  const bounds = { mms: false, maxTextBytes: limits.INBOX_MAX_TEXT_BYTES };
  assert.doesNotThrow(() => checkOutgoing(to, 'é'.repeat(limits.INBOX_MAX_TEXT_BYTES / 2), {}, bounds));
  assert.throws(
    () => checkOutgoing(to, 'x'.repeat(limits.INBOX_MAX_TEXT_BYTES + 1), {}, bounds),
    (err: unknown) => err instanceof SendRefusedError && err.code === 'sim-pc.map-send-refused' && err.refusal === 'too-long',
  );
});

test('OBEX_MAX_REQUEST_HEADER_BYTES: a GET whose headers grow past it is answered Bad Request; the session serves the next GET', async () => {
  const clock = new VirtualClock();
  const wire = new Wire();
  const names: string[] = [];
  const server = new ObexServerSession({
    send: wire.send,
    clock,
    handlers: { get: (r) => (names.push(r.name ?? ''), { body: Uint8Array.of(0x41) }) },
  });
  const exchange = async (request: Uint8Array): Promise<string[]> => {
    server.receive(request);
    await clock.runFor(10);
    return wire.take().map(toHex);
  };
  // Non-final GET packets of about 3 KB of headers each; the server answers Continue until the total passes the bound.
  const part = encodeRequest({ opcode: 0x03, headers: [nameHeader('n'.repeat(1500))] });
  let sent = 0;
  let answer: string[] = [];
  for (let i = 0; i < 64; i++) {
    answer = await exchange(part);
    sent += part.length - 3;
    if (answer[0] !== '900003') break;
  }
  assert.deepEqual(answer, ['c00003'], 'Bad Request once the headers pass the bound');
  assert.ok(sent > limits.OBEX_MAX_REQUEST_HEADER_BYTES && sent < limits.OBEX_MAX_REQUEST_HEADER_BYTES + 2 * part.length);
  assert.deepEqual(names, [], 'the handler never saw the oversized request');
  const next = await exchange(encodeRequest({ opcode: 0x83, headers: [nameHeader('ok')] }));
  // Continue carrying the one-byte Body: the session is serving the new GET.
  assert.deepEqual(next, ['90000748000441']);
  assert.deepEqual(names, ['ok']);
});

test('INBOX_SYNC_MAX_LISTED: a full pass lists and files at most that many messages and reports the cut once', async () => {
  const clock = new VirtualClock();
  const inbox = new Inbox({ clock, defaultRegion: 'GB', dateZone: 'utc' });
  const total = limits.INBOX_SYNC_MAX_LISTED + 50;
  const offsets: number[] = [];
  // Newest first, as phones list; handle n is the n-th message received.
  const source: MessageSource = {
    async listMessages(folder: string, options: ListMessagesOptions = {}): Promise<MessagesListingPage> {
      const start = options.listStartOffset ?? 0;
      offsets.push(start);
      const count = Math.max(0, Math.min(options.maxListCount ?? 1024, total - start));
      const messages = Array.from({ length: count }, (_, i) => ({ handle: (total - start - i).toString(16), datetime: '20240101T000000', type: 'SMS_GSM' }));
      return { folder, messages, size: total, newMessage: undefined, mseTime: undefined, params: {} };
    },
    async getMessage(handle: string): Promise<MessageFetch> {
      return { handle, message: bMessageOf({ handle, from: '+447700900123', text: `t${handle}` }), bytes: 1 };
    },
  };
  const sync = new InboxSync({ inbox });
  const errors: Error[] = [];
  const fetched: number[] = [];
  sync.events.on('error', (e) => errors.push(e));
  sync.events.on('listed', (p) => fetched.push(p.fetched));
  sync.attach(source);
  sync.requestListing();
  await clock.runUntil(() => !sync.busy, 10_000);
  assert.deepEqual(errors.map((e) => e instanceof MapLimitError && e.limit), [limits.INBOX_SYNC_MAX_LISTED]);
  assert.ok(offsets.length > 0 && offsets.every((o) => o < limits.INBOX_SYNC_MAX_LISTED), `listing offsets ${offsets.join(',')}`);
  assert.deepEqual(fetched, [limits.INBOX_SYNC_MAX_LISTED]);
  assert.equal(inbox.size, limits.INBOX_SYNC_MAX_LISTED);
  // A second full pass over the same phone is the same cut: not reported again.
  sync.requestListing();
  await clock.runUntil(() => !sync.busy, 10_000);
  assert.deepEqual(fetched, [limits.INBOX_SYNC_MAX_LISTED, 0]);
  assert.equal(errors.length, 1);
});

test('MNS_MAX_EVENT_REPORT_BYTES: a report one byte over is answered Request Entity Too Large and reported once; the next report works', async () => {
  const rig = mapRig({ connectMns: false });
  const client = new MapClient({ client: rig.pc, phoneAddress: PHONE, clock: rig.clock });
  const server = new MnsServer({ classic: rig.pc, phoneAddress: PHONE.toLowerCase(), clock: rig.clock, masUp: () => client.state === 'connected' });
  const faults: MapProtocolError[] = [];
  let events = 0;
  server.events.on('fault', (err) => faults.push(err));
  server.events.on('event', () => events++);
  server.start();
  assert.ok((await settle(rig.clock, client.connect())).ok);
  assert.ok((await settle(rig.clock, rig.mse.connectMns())).ok);
  const head = '<MAP-event-report version="1.0">';
  const tail = '</MAP-event-report>';
  const over = new TextEncoder().encode(head + ' '.repeat(limits.MNS_MAX_EVENT_REPORT_BYTES - head.length - tail.length + 1) + tail);
  assert.equal(over.length, limits.MNS_MAX_EVENT_REPORT_BYTES + 1);
  const refused = await settle(rig.clock, rig.mse.sendEvents(over));
  assert.ok(refused.ok);
  assert.equal(refused.value, 0xcd);
  assert.deepEqual(faults.map((f) => [f.code, f.causeCode]), [['sim-pc.map-protocol', 'map.too-large']]);
  assert.equal(server.state, 'connected');
  const good = await settle(rig.clock, rig.mse.sendEvents([{ type: 'NewMessage', handle: '1', folder: 'telecom/msg/inbox', msg_type: 'SMS_GSM' }]));
  assert.ok(good.ok);
  assert.equal(good.value, 0xa0);
  assert.equal(events, 1);
  assert.equal(faults.length, 1);
});

test('MNS_SERVER_TIMEOUT_MS: a report the phone starts and never finishes is dropped after the limit and reported once; the next report works', async () => {
  const rig = mapRig({ connectMns: false });
  const client = new MapClient({ client: rig.pc, phoneAddress: PHONE, clock: rig.clock });
  const server = new MnsServer({ classic: rig.pc, phoneAddress: PHONE.toLowerCase(), clock: rig.clock, masUp: () => client.state === 'connected' });
  const faults: MapProtocolError[] = [];
  const events: string[] = [];
  server.events.on('fault', (err) => faults.push(err));
  server.events.on('event', (e) => events.push(e.handle ?? ''));
  server.start();
  assert.ok((await settle(rig.clock, client.connect())).ok);
  assert.ok((await settle(rig.clock, rig.mse.connectMns())).ok);
  const raw = rig.mse.rawMns();
  const cid = raw.connectionId === undefined ? [] : [connectionIdHeader(raw.connectionId)];
  const report = new TextEncoder().encode(
    '<MAP-event-report version="1.0"><event type="NewMessage" handle="7" folder="telecom/msg/inbox" msg_type="SMS_GSM"/></MAP-event-report>',
  );
  // The first half of a report, not final: the PC asks for more.
  raw.write(encodeRequest({ opcode: 0x02, headers: [...cid, typeHeader(MapMime.eventReport), bodyHeader(report.subarray(0, 40))] }));
  await rig.clock.runFor(20);
  assert.deepEqual(raw.replies.map((r) => r[0]), [0x90]);
  await rig.clock.runFor(limits.MNS_SERVER_TIMEOUT_MS - 40);
  assert.equal(faults.length, 0, 'nothing dropped before the limit');
  await rig.clock.runFor(40);
  assert.deepEqual(faults.map((f) => [f.code, f.causeCode]), [['sim-pc.map-protocol', 'obex.timeout']]);
  assert.equal(server.state, 'connected');
  // A whole report afterwards is read on its own, not glued to the dropped half.
  raw.write(encodeRequest({ opcode: 0x82, headers: [...cid, typeHeader(MapMime.eventReport), endOfBodyHeader(report)] }));
  await rig.clock.runFor(50);
  assert.deepEqual(raw.replies.map((r) => r[0]), [0x90, 0xa0]);
  assert.deepEqual(events, ['7']);
  assert.equal(faults.length, 1);
});

// ---- limits exceeded by other test files ------------------------------------

/**
 * Limits whose enforcement is already exercised elsewhere: the test file and a
 * string that file uses to provoke or assert the bound (an option name or the
 * error code). Limits exceeded above are not listed.
 */
const COVERED_ELSEWHERE: Record<string, { file: string; marker: string }> = {
  CLASSIC_MAX_CONTROL_FRAMES: { file: 'test/link/memory/classic/control-queue.test.ts', marker: 'instanceof QueueFullError' },
  PDU_LOG_LIMIT: { file: 'test/harness/pdu-log.test.ts', marker: 'PduLogOverflowError' },
  PHONE_LINK_FAULT_LIMIT: { file: 'test/sim-pc/phone-link-faults.test.ts', marker: 'tb.pc.faultsDropped, 2' },
  LINK_TX_QUEUE_LIMIT: { file: 'test/link/memory/timing.test.ts', marker: 'the transmit queue is bounded by txQueueLimit' },
  CLASSIC_TX_QUEUE_LIMIT_BYTES: { file: 'test/link/memory/classic/connection.test.ts', marker: 'beyond that QueueFullError' },
  GATT_MAX_ATTRIBUTE_LENGTH: { file: 'test/link/memory/handlers.test.ts', marker: 'rig.readValue.current = bytes(513)' },
  HCI_MAX_ACL_LENGTH: { file: 'test/link/hci/controller/faults.test.ts', marker: 'an ACL header that announces 0x0fff bytes' },
  ANCS_MAX_REPLY_BYTES: { file: 'test/protocol/ancs/reassembler.test.ts', marker: 'ancs.reply-too-large' },
  ANCS_MAX_PENDING_REPLIES: { file: 'test/protocol/ancs/reassembler.test.ts', marker: 'ancs.too-many-pending' },
  OBEX_MAX_QUEUED_REQUESTS: { file: 'test/protocol/obex/server-session.test.ts', marker: 'a full request queue closes the session' },
  OBEX_MAX_QUEUED_RESPONSES: { file: 'test/protocol/obex/client-session.test.ts', marker: 'an SRM backlog over maxQueuedResponses closes the session' },
  OBEX_SERVER_TIMEOUT_MS: { file: 'test/protocol/obex/server-session.test.ts', marker: 'has it dropped after the timeout' },
  OBEX_CLIENT_TIMEOUT_MS: { file: 'test/protocol/obex/client-session.test.ts', marker: "'obex.timeout'" },
  HFP_MAX_LINE_LENGTH: { file: 'test/protocol/hfp/splitter.test.ts', marker: 'hfp.line-too-long' },
  HFP_MAX_TOKEN_DEPTH: { file: 'test/protocol/hfp/tokenizer.test.ts', marker: "'hfp.too-deep', 8" },
  BMESSAGE_MAX_ENVELOPE_DEPTH: { file: 'test/protocol/map/bmessage.test.ts', marker: 'the fourth level is refused both ways' },
  PBAP_LISTING_MAX_BYTES: { file: 'test/protocol/pbap/listing.test.ts', marker: '{ maxBytes: 100 }' },
  PBAP_LISTING_MAX_CARDS: { file: 'test/protocol/pbap/listing.test.ts', marker: '{ maxCards: 10 }' },
  VCARD_MAX_INPUT_BYTES: { file: 'test/protocol/vcard/robustness.test.ts', marker: '{ maxInputBytes: 50 }' },
  VCARD_MAX_LINE_LENGTH: { file: 'test/protocol/vcard/robustness.test.ts', marker: '{ maxLineLength: 2 }' },
  VCARD_MAX_PROPERTIES_PER_CARD: { file: 'test/protocol/vcard/robustness.test.ts', marker: '{ maxPropertiesPerCard: 19 }' },
  VCARD_MAX_CARDS: { file: 'test/protocol/vcard/robustness.test.ts', marker: '{ maxCards: 0 }' },
  VCARD_MAX_DEPTH: { file: 'test/protocol/vcard/hostile.test.ts', marker: "'vcard.too-deep'" },
  ANCS_CONTROL_POINT_QUEUE_LIMIT: { file: 'test/sim-pc/ancs/ancs-consumer.test.ts', marker: 'instanceof QueueFullError' },
  ANCS_REQUEST_TIMEOUT_MS: { file: 'test/sim-pc/ancs/ancs-consumer.test.ts', marker: "'sim-pc.timeout'" },
  ANCS_MAX_NOTIFICATIONS: { file: 'test/sim-pc/ancs/ancs-consumer.test.ts', marker: 'maxNotifications: 3' },
  NOTIFICATION_CENTER_MAX_ENTRIES: { file: 'test/sim-pc/services/notification-center.test.ts', marker: "'NOTIFICATION_CENTER_MAX_ENTRIES'" },
  HFP_MAX_QUEUED_COMMANDS: { file: 'test/sim-pc/hfp/hands-free.test.ts', marker: 'instanceof HfpQueueFullError' },
  HFP_COMMAND_TIMEOUT_MS: { file: 'test/sim-pc/hfp/at-session.test.ts', marker: 'err instanceof TimeoutError' },
  HFP_MAX_RESPONSES_PER_COMMAND: { file: 'test/sim-pc/hfp/at-session.test.ts', marker: 'hfp.too-many-responses' },
  INBOX_MAX_ENTRIES: { file: 'test/sim-pc/services/inbox.test.ts', marker: "limitName === 'INBOX_MAX_ENTRIES'" },
  PHONEBOOK_MAX_CONTACTS: { file: 'test/sim-pc/services/contacts.test.ts', marker: 'maxContacts: 20' },
  PBAP_MAX_QUEUED_OPERATIONS: { file: 'test/sim-pc/pbap/pbap-client.test.ts', marker: 'maxQueuedOperations: 2' },
  PBAP_CLIENT_TIMEOUT_MS: { file: 'test/sim-pc/obex-profile-client.test.ts', marker: 'an operation silent for timeoutMs fails with TimeoutError' },
  PBAP_MAX_CARD_BYTES: { file: 'test/sim-pc/pbap/vcard-splitter.test.ts', marker: "'too-large'" },
  PBAP_MAX_CARDS_PER_PULL: { file: 'test/sim-pc/pbap/pbap-client.test.ts', marker: 'maxCards bounds one pull' },
  MAP_MAX_QUEUED_OPERATIONS: { file: 'test/sim-pc/obex-profile-client.test.ts', marker: 'the queue is bounded by the queueFull hook' },
  MAP_CLIENT_TIMEOUT_MS: { file: 'test/sim-pc/map/map-client.test.ts', marker: 'times out (TimeoutError)' },
  INBOX_SYNC_MAX_PENDING_HANDLES: { file: 'test/sim-pc/map/inbox-sync.test.ts', marker: 'past maxPendingHandles' },
  PHONE_NOTIFICATION_LIMIT: { file: 'test/sim-phone/notification-store.test.ts', marker: 'StoreFullError' },
  PHONE_CONTACT_LIMIT: { file: 'test/sim-phone/contact-book.test.ts', marker: 'ContactBookFullError' },
  PHONE_MESSAGE_LIMIT: { file: 'test/sim-phone/map/message-store.test.ts', marker: 'the store never holds more than its limit' },
  PHONE_MNS_QUEUE_LIMIT: { file: 'test/sim-phone/map/map-mns.test.ts', marker: 'sim-phone.mns-queue-full' },
  PHONE_MAX_PUSH_BYTES: { file: 'test/sim-phone/map/map-hostile.test.ts', marker: 'Streamed past the limit' },
};

const TESTED_HERE = new Set([
  'MEMORY_AIR_MAX_DEVICES',
  'MEMORY_MAX_PENDING_CONNECTS',
  'CLASSIC_MAX_PENDING_PAGES',
  'CLASSIC_PAGE_TIMEOUT_MS',
  'MAX_PLANNED_FAULTS',
  'BMESSAGE_MAX_BYTES',
  'MAP_XML_MAX_ENTRIES',
  'MAP_XML_MAX_BYTES',
  'MAP_MAX_LISTING_BYTES',
  'MAP_MAX_MESSAGE_BYTES',
  'PBAP_MAX_BODY_BYTES',
  'INBOX_MAX_TEXT_BYTES',
  'OBEX_MAX_REQUEST_HEADER_BYTES',
  'INBOX_SYNC_MAX_LISTED',
  'MNS_MAX_EVENT_REPORT_BYTES',
  'MNS_SERVER_TIMEOUT_MS',
]);

test('every limit is exceeded by this file or by a named test file that still provokes it', () => {
  for (const [name] of limitEntries) {
    if (TESTED_HERE.has(name)) continue;
    const entry = COVERED_ELSEWHERE[name];
    assert.ok(entry, `${name} has a test that exceeds it`);
    const file = path.join(REPO, entry.file);
    assert.ok(fs.existsSync(file), `${entry.file} exists (for ${name})`);
    assert.ok(fs.readFileSync(file, 'utf8').includes(entry.marker), `${entry.file} still mentions ${entry.marker} (for ${name})`);
  }
});
