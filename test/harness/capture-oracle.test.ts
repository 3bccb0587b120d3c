/**
 * The capture oracle: its judgement on hand-made tshark rows (expert items,
 * the documented limitations, ATT order and values, AT names), and on a
 * real recorded flow read by tshark: the untouched capture and sent log
 * pass; one byte changed in the sent log (an ATT value, an OBEX name) is a
 * mismatch naming the capture frame; a capture with a corrupted OBEX header
 * is malformed. The tshark parts skip when tshark is missing.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { checkExpert, judge, verifyCapture, findCaptures, inPool, KNOWN_LIMITATIONS } from '../../src/harness/capture-oracle';
import { ORACLE_FIELDS, parseFieldRows, Severity } from '../../src/harness/capture-oracle-tshark';
import { RfcommSentLog, SENT_LOG_FORMAT, sentLogFromTaps, sentLogPathFor, writeSentLog, type SentLog } from '../../src/harness/capture-oracle-sent-log';
import { recordFlow, removeTempCaptures, tempCaptureFile, type RecordedFlow } from '../link/capture/capture-flows';

after(removeTempCaptures);

const TSHARK = process.env.TSHARK ?? 'tshark';
const available = spawnSync(TSHARK, ['--version'], { encoding: 'utf8' }).status === 0;

/** One tshark output line for ORACLE_FIELDS from a field -> value map. */
function line(values: Record<string, string>): string {
  return ORACLE_FIELDS.map((f) => values[f] ?? '').join('\t');
}

function emptyLog(overrides: Partial<SentLog> = {}): SentLog {
  return { format: SENT_LOG_FORMAT, transport: 'memory', source: 'test', attOpcodes: [0x12, 0x1b], att: [], obex: [], at: [], truncated: false, ...overrides };
}

test('expert items: errors and unlisted warnings fail, documented limitations and chats do not', () => {
  const rows = parseFieldRows(
    [
      line({ 'frame.number': '1', '_ws.expert.severity': String(Severity.Chat), '_ws.expert.message': 'Connection established' }),
      line({ 'frame.number': '2', '_ws.expert.severity': String(Severity.Warning), '_ws.expert.message': 'Non mandatory type or command in this role', 'bthfp.at_cmd': 'D' }),
      line({ 'frame.number': '3', '_ws.expert.severity': String(Severity.Warning), '_ws.expert.message': 'Non mandatory type or command in this role', 'bthfp.at_cmd': 'CHLD' }),
      line({ 'frame.number': '4', '_ws.malformed': '_ws.malformed' }),
      line({ 'frame.number': '5', '_ws.expert.severity': String(Severity.Error), '_ws.expert.message': 'Something broke' }),
    ].join('\n'),
  );
  const { expert, limitations } = checkExpert(rows);
  assert.deepEqual(
    expert.map((e) => [e.frame, e.severity]),
    [
      [3, 'warning'],
      [4, 'malformed'],
      [5, 'error'],
    ],
  );
  assert.deepEqual(limitations.map((l) => [l.frame, l.limitation]), [[2, 'hfp-atd-type']]);
  assert.ok(KNOWN_LIMITATIONS.every((k) => k.evidence.length > 40), 'each limitation carries its evidence');
});

test('ATT: values compared per direction, in order, and a differing one names its frame', () => {
  const rows = parseFieldRows(
    [
      line({ 'frame.number': '10', 'frame.p2p_dir': '0', 'btatt.opcode': '0x12', 'btatt.value': '00:01:02' }),
      line({ 'frame.number': '11', 'frame.p2p_dir': '1', 'btatt.opcode': '0x1b', 'btatt.value': 'aa:bb' }),
      line({ 'frame.number': '12', 'frame.p2p_dir': '1', 'btatt.opcode': '0x1b', 'btatt.characteristic_configuration_client': '0x0001' }),
    ].join('\n'),
  );
  const att = [
    { dir: 'toPeripheral' as const, opcode: 0x12, value: '000102' },
    { dir: 'toCentral' as const, opcode: 0x1b, value: 'aabb' },
    { dir: 'toCentral' as const, opcode: 0x1b, value: '0100' },
  ];
  assert.equal(judge('x', emptyLog({ att }), rows).passed, true);
  const changed = judge('x', emptyLog({ att: att.map((p, i) => (i === 1 ? { ...p, value: 'aabc' } : p)) }), rows);
  assert.equal(changed.passed, false);
  assert.deepEqual(changed.mismatches.map((m) => [m.frame, m.area]), [[11, 'att']]);
  const missing = judge('x', emptyLog({ att: att.slice(0, 2) }), rows);
  assert.match(missing.mismatches[0]?.what ?? '', /1 sent, tshark shows 2/);
  // Across the air (hci), the phone may have sent more than arrived, but never less.
  assert.equal(judge('x', emptyLog({ att: [...att, { dir: 'toCentral', opcode: 0x1b, value: 'ff' }], airBetween: true }), rows).passed, true);
  assert.equal(judge('x', emptyLog({ att: att.slice(0, 2), airBetween: true }), rows).passed, false);
});

test('AT lines from the RFCOMM tap: split per channel and direction, names checked against tshark', () => {
  const rfcomm = new RfcommSentLog();
  const frame = (direction: 'toHost' | 'toClient', text: string): void =>
    rfcomm.frame({ time: 0, connectionId: 1, channel: 8, direction, kind: 'data', bytes: text.length, wireBytes: text.length, data: Buffer.from(text, 'latin1') });
  frame('toHost', 'AT+BRSF=');
  frame('toHost', '1\r');
  frame('toClient', '\r\n+BRSF: 4079\r\n\r\nOK\r\n');
  assert.deepEqual(rfcomm.at, [
    { channel: 8, dir: 'toHost', line: 'AT+BRSF=1' },
    { channel: 8, dir: 'toClient', line: '+BRSF: 4079' },
    { channel: 8, dir: 'toClient', line: 'OK' },
  ]);
  const rows = parseFieldRows(
    [
      line({ 'frame.number': '1', 'frame.p2p_dir': '0', 'btrfcomm.dlci': '0x10', 'bthfp.data': 'AT+BRSF=1\\r', 'bthfp.at_cmd': '+BRSF' }),
      line({ 'frame.number': '2', 'frame.p2p_dir': '1', 'btrfcomm.dlci': '0x10', 'bthfp.data': '\\r\\n+BRSF: 4079\\r\\n\\r\\nOK\\r\\n', 'bthfp.at_cmd': '+BRSF|OK' }),
    ].join('\n'),
  );
  assert.equal(judge('x', emptyLog({ at: rfcomm.at }), rows).passed, true);
  const renamed = judge('x', emptyLog({ at: rfcomm.at.map((l, i) => (i === 2 ? { ...l, line: 'ERROR' } : l)) }), rows);
  assert.deepEqual(renamed.mismatches.map((m) => m.frame), [2]);
  // A log cut at its limit says so, and only its prefix is held against the capture.
  const bounded = new RfcommSentLog(2);
  for (const [direction, text] of [['toHost', 'AT+BRSF=1\r'], ['toClient', '\r\n+BRSF: 4079\r\n\r\nOK\r\n']] as const) {
    bounded.frame({ time: 0, connectionId: 1, channel: 8, direction, kind: 'data', bytes: text.length, wireBytes: text.length, data: Buffer.from(text, 'latin1') });
  }
  assert.equal(bounded.at.length, 2);
  assert.equal(bounded.truncated, true);
  assert.equal(judge('x', emptyLog({ at: bounded.at, truncated: true }), rows).passed, true);
  assert.equal(judge('x', emptyLog({ at: bounded.at }), rows).passed, false);
});

let flow: RecordedFlow | undefined;
let log: SentLog | undefined;

before(async () => {
  if (!available) return;
  flow = await recordFlow(tempCaptureFile('oracle-flow'));
  log = sentLogFromTaps(flow.pdus, flow.frames);
  writeSentLog(sentLogPathFor(flow.file), log);
});

test('a recorded flow: tshark agrees with the sent log; one byte changed is a mismatch naming the frame', async (t) => {
  if (!available || !flow || !log) {
    t.skip('tshark is not installed');
    return;
  }
  const report = await verifyCapture(flow.file);
  assert.deepEqual(report.mismatches, []);
  assert.deepEqual(report.expert, []);
  assert.equal(report.passed, true);
  assert.ok(report.counts.att >= 10 && report.counts.obex >= 7 && report.counts.at >= 20, JSON.stringify(report.counts));
  assert.ok(report.limitations.some((l) => l.limitation === 'hfp-atd-type'), 'the outgoing call\'s ATD raises the documented warning');

  // One ATT value byte changed.
  const index = log.att.findIndex((p) => p.opcode === 0x1b && (p.value ?? '').length >= 2);
  const att = log.att.map((p, i) => (i === index ? { ...p, value: `${(parseInt((p.value ?? '').slice(0, 2), 16) ^ 1).toString(16).padStart(2, '0')}${(p.value ?? '').slice(2)}` } : p));
  const attReport = await verifyCapture(flow.file, { log: { ...log, att } });
  assert.equal(attReport.passed, false);
  assert.equal(attReport.mismatches.length, 1);
  assert.equal(attReport.mismatches[0]?.area, 'att');
  assert.ok((attReport.mismatches[0]?.frame ?? 0) > 0, 'the mismatch names a frame');

  // One byte of an OBEX name changed (a PBAP Get's Name header, UTF-16).
  const named = log.obex.findIndex((p) => p.role === 'request' && p.hex.startsWith('83') && p.hex.includes('0100'));
  assert.ok(named >= 0, 'the flow has a PBAP Get');
  const packet = Buffer.from(log.obex[named]?.hex ?? '', 'hex');
  const nameAt = packet.indexOf(0x01, 3);
  packet[nameAt + 4] = (packet[nameAt + 4] ?? 0) ^ 0x01;
  const obex = log.obex.map((p, i) => (i === named ? { ...p, hex: packet.toString('hex') } : p));
  const obexReport = await verifyCapture(flow.file, { log: { ...log, obex } });
  assert.equal(obexReport.passed, false);
  assert.deepEqual(obexReport.mismatches.map((m) => m.area), ['obex']);
  assert.ok((obexReport.mismatches[0]?.frame ?? 0) > 0);
});

test('a capture with a corrupted OBEX header is malformed', async (t) => {
  if (!available || !flow || !log) {
    t.skip('tshark is not installed');
    return;
  }
  const bytes = Buffer.from(readFileSync(flow.file));
  // The PBAP Connect: 0x80, length, version 1.0, flags, max packet length, then Target (0x46) and its length.
  const connect = bytes.indexOf(Buffer.from([0x80, 0x00, 0x1a, 0x10, 0x00]));
  assert.ok(connect > 0, 'the capture holds the PBAP Connect');
  bytes[connect + 8] = 0x7f;
  const corrupt = tempCaptureFile('oracle-corrupt');
  writeFileSync(corrupt, bytes);
  const report = await verifyCapture(corrupt, { log });
  assert.equal(report.passed, false);
  assert.ok(report.counts.malformed >= 1);
  assert.ok(report.expert.some((e) => e.severity === 'malformed'));
});

test('findCaptures pairs captures with their sent logs; inPool keeps order', async () => {
  const file = tempCaptureFile('lonely');
  writeFileSync(file, Buffer.alloc(0));
  const found = findCaptures([file.replace(/\/[^/]+$/, '')]);
  assert.deepEqual(found, [{ file, hasSentLog: false }]);
  writeSentLog(sentLogPathFor(file), emptyLog());
  assert.equal(findCaptures([file.replace(/\/[^/]+$/, '')])[0]?.hasSentLog, true);
  const order = await inPool([30, 10, 20], 2, (ms) => new Promise<number>((resolve) => setImmediate(() => resolve(ms))));
  assert.deepEqual(order, [30, 10, 20]);
});
