/**
 * Wireshark as an independent oracle: a notification flow, a PBAP pull and
 * an HFP SLC with calls run on the memory Testbed with capture on; tshark
 * then reads the file and must find no malformed packet and no expert
 * item beyond the two documented dissector limitations, and the ATT
 * values (with the characteristic each handle resolves to), OBEX packets
 * (opcodes and response codes, lengths, header ids, names and PBAP
 * application parameters) and AT commands and results it dissects must
 * equal what the taps saw our stack send. Skips when tshark is missing.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { decodeRequest, decodeResponse, PacketSplitter } from '../../../src/protocol/obex';
import type { PduTapEvent } from '../../../src/link/memory/air-events';
import { channelBytes, recordFlow, removeTempCaptures, tempCaptureFile, type RecordedFlow } from './capture-flows';

after(removeTempCaptures);

const TSHARK = process.env.TSHARK ?? 'tshark';
const available = spawnSync(TSHARK, ['--version'], { encoding: 'utf8' }).status === 0;

/** Expert severities as tshark prints them. */
const SEVERITY_NOTE = 0x400000;
const SEVERITY_WARN = 0x600000;
const SEVERITY_ERROR = 0x800000;

/** Rows of `-T fields`, each a list of field values; multi-valued fields joined with '|'. */
function fields(file: string, filter: string, names: readonly string[]): string[][] {
  const args = ['-r', file, '-Y', filter, '-T', 'fields', '-E', 'separator=/t', '-E', 'occurrence=a', '-E', 'aggregator=|', ...names.flatMap((n) => ['-e', n])];
  const run = spawnSync(TSHARK, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  assert.equal(run.status, 0, `tshark failed: ${run.stderr}`);
  return run.stdout
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => line.split('\t'));
}

const list = (cell: string | undefined): string[] => (cell === undefined || cell === '' ? [] : cell.split('|'));
const num = (text: string | undefined): number => Number(text);
/** A number field as tshark prints it (decimal or 0x hex) in decimal, '' when absent. */
const numeric = (text: string | undefined): string => (text === undefined || text === '' ? '' : String(Number(text)));
const hexOf = (bytes: Uint8Array | undefined): string => Buffer.from(bytes ?? new Uint8Array(0)).toString('hex');

/** Expert items Wireshark 4.0 raises on valid HFP: its ATD parsing never sets a command type, and NO CARRIER is not in its table. */
function knownLimitation(message: string, atCommands: readonly string[]): boolean {
  if (message === 'Non mandatory type or command in this role') return atCommands.some((c) => c.toUpperCase() === 'D');
  if (message === 'Non-mandatory command in HFP') return atCommands.some((c) => c.toUpperCase() === 'NO CARRIER');
  return false;
}

const ATT_VALUE_OPCODES: Record<string, number> = {
  ATT_WRITE_REQ: 0x12,
  ATT_WRITE_CMD: 0x52,
  ATT_HANDLE_VALUE_NTF: 0x1b,
  ATT_READ_RSP: 0x0b,
  ATT_READ_BLOB_RSP: 0x0d,
};

function attExpected(pdus: readonly PduTapEvent[]): string[] {
  return pdus
    .filter((p) => ATT_VALUE_OPCODES[p.kind] !== undefined)
    .map((p) => {
      const opcode = ATT_VALUE_OPCODES[p.kind] as number;
      const uuid = p.characteristic && p.descriptor === undefined && opcode !== 0x0b && opcode !== 0x0d ? p.characteristic.replace(/-/g, '').toLowerCase() : '';
      return `${p.direction === 'toPeripheral' ? 0 : 1} 0x${opcode.toString(16).padStart(2, '0')} ${hexOf(p.value)} ${uuid}`;
    });
}

interface ObexRow {
  code: string;
  length: number;
  headers: string[];
  names: string[];
  types: string[];
  connectionIds: string[];
  params: string[];
  maxListCount: string;
  listStartOffset: string;
  format: string;
  phonebookSize: string;
}

/** Our own reading of one direction of an OBEX channel, in tshark's terms. */
function obexPackets(bytes: Uint8Array, requests: boolean): ObexRow[] {
  const rows: ObexRow[] = [];
  let connectPending = false;
  for (const packet of new PacketSplitter().push(bytes)) {
    const first = packet[0] as number;
    const decoded = requests ? decodeRequest(packet) : decodeResponse(packet, { connectResponse: connectPending || rows.length === 0 });
    if (requests) connectPending = (first & 0x7f) === 0x00;
    const params = decoded.headers.find((h) => h.id === 0x4c);
    const tlv = params?.kind === 'bytes' ? params.value : new Uint8Array(0);
    const ids: string[] = [];
    const values = new Map<number, number>();
    for (let at = 0; at + 2 <= tlv.length; at += 2 + (tlv[at + 1] as number)) {
      const tag = tlv[at] as number;
      const len = tlv[at + 1] as number;
      ids.push(`0x${tag.toString(16).padStart(2, '0')}`);
      let v = 0;
      for (let i = 0; i < len; i++) v = v * 256 + (tlv[at + 2 + i] as number);
      values.set(tag, v);
    }
    const value = (tag: number): string => (values.has(tag) ? String(values.get(tag)) : '');
    rows.push({
      code: `0x${(first & 0x7f).toString(16).padStart(2, '0')}/${first >> 7}`,
      length: packet.length,
      headers: decoded.headers.map((h) => `0x${h.id.toString(16).padStart(2, '0')}`),
      names: decoded.headers.flatMap((h) => (h.id === 0x01 && h.kind === 'unicode' ? [h.value] : [])),
      types: decoded.headers.flatMap((h) => (h.id === 0x42 && h.kind === 'bytes' ? [Buffer.from(h.value).toString('latin1').replace(/\0+$/, '')] : [])),
      connectionIds: decoded.headers.flatMap((h) => (h.id === 0xcb && h.kind === 'u32' ? [String(h.value)] : [])),
      params: ids,
      maxListCount: value(0x04),
      listStartOffset: value(0x05),
      format: value(0x07),
      phonebookSize: value(0x08),
    });
  }
  return rows;
}

function tsharkObex(flow: RecordedFlow, channel: number, direction: 0 | 1): ObexRow[] {
  const rows = fields(flow.file, 'obex', [
    'frame.p2p_dir',
    'btrfcomm.dlci',
    'obex.opcode',
    'obex.resp_code',
    'obex.final_flag',
    'obex.pkt_len',
    'obex.header.id',
    'obex.name',
    'obex.type',
    'obex.connection_id',
    'obex.parameter.id',
    'obex.parameter.value.max_list_count',
    'obex.parameter.value.list_start_offset',
    'obex.parameter.value.format',
    'obex.parameter.value.phonebook_size',
  ]);
  return rows
    // A frame that only carries the start of a packet matches 'obex' but has no OBEX fields yet.
    .filter((r) => num(r[0]) === direction && num(list(r[1])[0]) >> 1 === channel && `${r[2] ?? ''}${r[3] ?? ''}` !== '')
    .map((r) => ({
      code: `${direction === 0 ? r[2] : r[3]}/${r[4] === '1' || r[4] === 'True' ? 1 : 0}`,
      length: num(r[5]),
      headers: list(r[6]),
      names: list(r[7]),
      types: list(r[8]),
      connectionIds: list(r[9]),
      params: list(r[10]),
      maxListCount: numeric(r[11]),
      listStartOffset: numeric(r[12]),
      format: numeric(r[13]),
      phonebookSize: numeric(r[14]),
    }));
}

/** The AT name of a line as Wireshark cuts it: up to '=', ';', '?' or ':', and dial as plain D. */
function atName(line: string): string {
  const text = line.replace(/^AT/i, '').toUpperCase();
  if (/^D[^A-Z]/.test(text)) return 'D';
  return text.split(/[=;?:]/)[0]?.trim() ?? '';
}

function unescapeTshark(text: string): string {
  return text.replace(/\\r/g, '\r').replace(/\\n/g, '\n').replace(/\\t/g, '\t').replace(/\\"/g, '"').replace(/\\\\/g, '\\');
}

test('tshark dissects a recorded notification, PBAP and HFP run as our stack sent it', async (t) => {
  if (!available) {
    t.skip('tshark is not installed');
    return;
  }
  const flow = await recordFlow(tempCaptureFile('tshark-flow'));

  await t.test('no malformed packet and no expert item beyond the known dissector limitations', () => {
    const rows = fields(flow.file, '_ws.expert || _ws.malformed', ['frame.number', '_ws.expert.severity', '_ws.expert.message', 'bthfp.at_cmd', '_ws.malformed']);
    const unexpected: string[] = [];
    let limitations = 0;
    for (const row of rows) {
      const severities = list(row[1]).map(Number);
      const messages = list(row[2]);
      if ((row[4] ?? '') !== '') unexpected.push(`frame ${row[0]}: malformed`);
      severities.forEach((severity, i) => {
        const message = messages[i] ?? '';
        if (severity >= SEVERITY_NOTE && knownLimitation(message, list(row[3]))) limitations++;
        else if (severity >= SEVERITY_NOTE) unexpected.push(`frame ${row[0]}: ${severity === SEVERITY_ERROR ? 'error' : severity === SEVERITY_WARN ? 'warning' : 'note'} ${message}`);
      });
    }
    assert.deepEqual(unexpected, []);
    // The outgoing call's ATD is in the run, so the known ATD warning must show: this check can see expert items.
    assert.ok(limitations >= 1, 'expected the documented ATD warning; tshark reported no expert items at all');
    // The same through tshark's own summary and its full dissection.
    const summary = spawnSync(TSHARK, ['-r', flow.file, '-q', '-z', 'expert,error'], { encoding: 'utf8' });
    assert.equal(summary.status, 0, summary.stderr);
    assert.doesNotMatch(summary.stdout, /Errors \(/);
    const verbose = spawnSync(TSHARK, ['-r', flow.file, '-V'], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
    assert.equal(verbose.status, 0, verbose.stderr);
    assert.doesNotMatch(verbose.stdout, /Malformed Packet|Dissector bug|Unreassembled/);
    assert.match(verbose.stdout, /Phone Book Access Profile/);
  });

  await t.test('ATT: opcodes, values and the characteristic of each handle', () => {
    const rows = fields(flow.file, 'btatt', ['frame.p2p_dir', 'btatt.opcode', 'btatt.value', 'btatt.uuid128']);
    const wanted = new Set(Object.values(ATT_VALUE_OPCODES));
    const got = rows
      .filter((r) => wanted.has(num(r[1])))
      .map((r) => {
        const opcode = num(r[1]);
        const uuid = opcode === 0x0b || opcode === 0x0d ? '' : (r[3] ?? '').replace(/:/g, '');
        return `${r[0]} 0x${opcode.toString(16).padStart(2, '0')} ${(r[2] ?? '').replace(/:/g, '')} ${uuid}`;
      });
    const expected = attExpected(flow.pdus);
    assert.ok(expected.length >= 10, `the flow moved only ${expected.length} ATT values`);
    // CCCD writes: Wireshark cannot name the descriptor without Find Information, so it reports no UUID; neither do we expect one.
    assert.deepEqual(got, expected);
  });

  await t.test('OBEX: each PBAP packet both ways, with headers and application parameters', () => {
    const requests = obexPackets(channelBytes(flow.frames, flow.channels.pbap, 'toHost'), true);
    const responses = obexPackets(channelBytes(flow.frames, flow.channels.pbap, 'toClient'), false);
    assert.ok(requests.length >= 4 && responses.length >= 3, 'the PBAP pull was too short to compare');
    assert.ok(requests.some((r) => r.maxListCount !== '' && r.format !== ''), 'no PBAP application parameters were sent');
    assert.deepEqual(tsharkObex(flow, flow.channels.pbap, 0), requests);
    assert.deepEqual(tsharkObex(flow, flow.channels.pbap, 1), responses);
  });

  await t.test('HFP: the AT stream each way and the command names', () => {
    const rows = fields(flow.file, 'bthfp', ['frame.p2p_dir', 'btrfcomm.dlci', 'bthfp.data', 'bthfp.at_cmd']);
    for (const [direction, tap] of [
      [0, 'toHost'],
      [1, 'toClient'],
    ] as const) {
      const mine = rows.filter((r) => num(r[0]) === direction && num(list(r[1])[0]) >> 1 === flow.channels.hfp);
      const sent = Buffer.from(channelBytes(flow.frames, flow.channels.hfp, tap)).toString('latin1');
      assert.equal(mine.map((r) => unescapeTshark(r[2] ?? '')).join(''), sent);
      let named = 0;
      for (const row of mine) {
        const lines = unescapeTshark(row[2] ?? '')
          .split(/[\r\n]+/)
          .filter((l) => l.trim() !== '')
          .map(atName);
        const names = list(row[3]).map((c) => c.toUpperCase());
        named += names.length;
        // Wireshark 4.0 names every line of a frame, except that after a result without
        // parameters (OK, RING) its parser eats the next line's CR LF and stops naming.
        assert.ok(names.length >= 1, `tshark named nothing in ${JSON.stringify(row[2])}`);
        assert.deepEqual(names, lines.slice(0, names.length));
        if (names.length < lines.length) assert.match(names[names.length - 1] ?? '', /^(OK|RING|ERROR)$/, `tshark stopped naming after ${names[names.length - 1]}`);
      }
      assert.ok(named >= 20, `tshark named only ${named} AT lines`);
    }
  });
});
