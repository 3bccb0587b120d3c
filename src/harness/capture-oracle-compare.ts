/**
 * The capture oracle's comparisons: ATT values, OBEX packets and AT lines
 * as tshark dissected them (rows from capture-oracle-tshark.ts) against the
 * sent log, per direction (and per RFCOMM channel). Each returns mismatches
 * naming the capture's frame number; values are kept separately so a
 * report can be printed without them.
 */
import { decodeRequest, decodeResponse, type ObexHeader } from '../protocol/obex';
import type { SentLog } from './capture-oracle-sent-log';
import { APP_PARAM_FIELDS, type FrameFields } from './capture-oracle-tshark';

export interface OracleMismatch {
  /** Capture frame number (0 when tshark has no frame for what was sent). */
  frame: number;
  area: 'att' | 'obex' | 'at';
  /** What differs, without values ("value", "count", "header ids"). */
  what: string;
  expected?: string;
  actual?: string;
}

export interface CompareResult {
  compared: number;
  mismatches: OracleMismatch[];
  /** Packets tshark could not show whole because of a documented dissector limitation. */
  excused: number;
}

const num = (text: string): number => (text === '' ? NaN : Number(text));
const p2p = (dir: string): number => (dir === 'toPeripheral' || dir === 'toHost' ? 0 : 1);

/** Compares sequences; a log cut at its limit only needs to be a prefix. */
function compareSequences<T>(area: OracleMismatch['area'], expected: readonly T[], actual: ReadonlyArray<{ frame: number; row: T }>, truncated: boolean, out: OracleMismatch[], label: string): number {
  const n = Math.min(expected.length, actual.length);
  for (let i = 0; i < n; i++) {
    const want = expected[i] as T;
    const got = actual[i] as { frame: number; row: T };
    const a = JSON.stringify(want);
    const b = JSON.stringify(got.row);
    if (a !== b) out.push({ frame: got.frame, area, what: `${label} #${i + 1} differs`, expected: a, actual: b });
  }
  if (expected.length !== actual.length && !(truncated && actual.length > expected.length)) {
    const frame = actual.length > n ? (actual[n]?.frame ?? 0) : 0;
    out.push({ frame, area, what: `${label}: ${expected.length} sent, tshark shows ${actual.length}` });
  }
  return n;
}

/** A 16-bit field as its little-endian bytes in hex. */
const le16 = (text: string): string => {
  const v = Number(text);
  return Number.isInteger(v) ? Buffer.from([v & 0xff, (v >> 8) & 0xff]).toString('hex') : '';
};

/**
 * The value bytes of an ATT PDU as tshark shows them: raw where it has no
 * meaning for them, else rebuilt from the fields it decodes them into
 * (a CCCD write, a Service Changed range).
 */
function attValue(r: FrameFields): string {
  const raw = r.first('btatt.value');
  if (raw !== '') return raw.replace(/:/g, '');
  const cccd = r.first('btatt.characteristic_configuration_client');
  if (cccd !== '') return le16(cccd);
  const start = r.first('btatt.starting_handle');
  const end = r.first('btatt.ending_handle');
  if (num(r.first('btatt.opcode')) === 0x1d && start !== '' && end !== '') return le16(start) + le16(end);
  return '';
}

/** ATT: per direction, each logged opcode's value (and characteristic, where tshark names the handle). */
export function compareAtt(log: SentLog, rows: readonly FrameFields[]): CompareResult {
  const opcodes = new Set(log.attOpcodes);
  const mismatches: OracleMismatch[] = [];
  let compared = 0;
  let excused = 0;
  for (const dir of [0, 1]) {
    const actual = rows
      .filter((r) => num(r.first('frame.p2p_dir')) === dir && opcodes.has(num(r.first('btatt.opcode'))))
      .map((r) => ({ frame: r.frame, uuid: r.first('btatt.uuid128').replace(/:/g, ''), row: { opcode: num(r.first('btatt.opcode')), value: attValue(r) } }));
    const expected = log.att.filter((p) => p2p(p.dir) === dir && opcodes.has(p.opcode));
    // A PDU the tap saw without its value (the memory link's Service Changed indication) is compared by opcode only.
    actual.forEach((a, i) => {
      if (expected[i] !== undefined && expected[i]?.value === undefined) a.row.value = '';
    });
    const label = `ATT ${dir === 0 ? 'PC->phone' : 'phone->PC'} PDU`;
    const want = expected.map((p) => ({ opcode: p.opcode, value: p.value ?? '' }));
    if (log.airBetween) {
      // The phone's log and the PC's capture sit at two ends of the air: what the phone
      // sent may not have arrived, and the PC's writes count only once the phone got them.
      const r = dir === 1 ? compareSubsequence(actual, want, 'capture', label) : compareSubsequence(expected.map((_, i) => ({ frame: 0, row: want[i] })), actual.map((a) => a.row), 'log', label);
      compared += r.matched;
      excused += r.skipped;
      mismatches.push(...r.mismatches);
      continue;
    }
    compared += compareSequences('att', want, actual, log.truncated, mismatches, label);
    // Where tshark resolved the handle's characteristic, it must be the one our stack addressed.
    actual.forEach((a, i) => {
      const want = expected[i];
      if (!want || a.uuid === '' || want.descriptor !== undefined || want.characteristic === undefined || want.opcode === 0x0b || want.opcode === 0x0d) return;
      const uuid = want.characteristic.replace(/-/g, '').toLowerCase();
      if (uuid !== a.uuid) mismatches.push({ frame: a.frame, area: 'att', what: 'characteristic of the handle differs', expected: uuid, actual: a.uuid });
    });
  }
  return { compared, mismatches, excused };
}

/**
 * Every item of `inner` must appear in `outer`, in order (`innerIs` says
 * which side `inner` is, for the message); returns matches and skipped outer items.
 */
function compareSubsequence<T>(inner: ReadonlyArray<{ frame: number; row: T | undefined }>, outer: readonly T[], innerIs: 'capture' | 'log', label: string): { matched: number; skipped: number; mismatches: OracleMismatch[] } {
  const mismatches: OracleMismatch[] = [];
  let at = 0;
  let matched = 0;
  for (const [i, item] of inner.entries()) {
    const wanted = JSON.stringify(item.row);
    let found = false;
    while (at < outer.length && !found) found = JSON.stringify(outer[at++]) === wanted;
    if (found) matched++;
    else {
      mismatches.push({ frame: item.frame, area: 'att', what: `${label} #${i + 1} ${innerIs === 'capture' ? 'in the capture was never sent' : 'the phone received is not in the capture'} (in order)`, expected: wanted });
      break;
    }
  }
  return { matched, skipped: outer.length - matched, mismatches };
}

interface ObexRow {
  code: string;
  length: number;
  headers: string[];
  names: string[];
  types: string[];
  connectionIds: string[];
  params: string[];
  values: string[];
}

const PBAP_TARGET = '796135f0f0c511d809660800200c9a66';
const MAS_TARGET = 'bb582b40420c11dbb0de0800200c9a66';
const MNS_TARGET = 'bb582b41420c11dbb0de0800200c9a66';

/** Which application parameter table a channel uses, from its Connect's Target. */
function profileOf(packets: readonly Uint8Array[]): 'pbap' | 'map' | undefined {
  for (const packet of packets) {
    if (packet[0] !== 0x80) continue;
    try {
      const target = decodeRequest(packet).headers.find((h) => h.id === 0x46);
      const value = target?.kind === 'bytes' ? Buffer.from(target.value).toString('hex') : '';
      if (value === PBAP_TARGET) return 'pbap';
      if (value === MAS_TARGET || value === MNS_TARGET) return 'map';
    } catch {
      return undefined;
    }
  }
  return undefined;
}

function paramTlv(headers: readonly ObexHeader[]): Array<[number, number]> {
  const params = headers.find((h) => h.id === 0x4c);
  const tlv = params?.kind === 'bytes' ? params.value : new Uint8Array(0);
  const out: Array<[number, number]> = [];
  for (let at = 0; at + 2 <= tlv.length; at += 2 + (tlv[at + 1] as number)) {
    const len = tlv[at + 1] as number;
    let v = 0;
    for (let i = 0; i < len && at + 2 + i < tlv.length; i++) v = v * 256 + (tlv[at + 2 + i] as number);
    out.push([tlv[at] as number, v]);
  }
  return out;
}

/** Our reading of one packet, in tshark's terms. */
function expectedObexRow(packet: Uint8Array, request: boolean, afterConnect: boolean, profile: 'pbap' | 'map' | undefined): ObexRow {
  const first = packet[0] as number;
  const decoded = request ? decodeRequest(packet) : decodeResponse(packet, { connectResponse: afterConnect });
  const tlv = paramTlv(decoded.headers);
  const table = profile ? APP_PARAM_FIELDS[profile] : {};
  return {
    code: `0x${(first & 0x7f).toString(16).padStart(2, '0')}/${first >> 7}`,
    length: packet.length,
    headers: decoded.headers.map((h) => `0x${h.id.toString(16).padStart(2, '0')}`),
    // An empty Name (the current folder) prints as an empty field tshark's output cannot tell from none.
    names: decoded.headers.flatMap((h) => (h.id === 0x01 && h.kind === 'unicode' && h.value !== '' ? [h.value] : [])),
    types: decoded.headers.flatMap((h) => (h.id === 0x42 && h.kind === 'bytes' ? [Buffer.from(h.value).toString('latin1').replace(/\0+$/, '')] : [])),
    connectionIds: decoded.headers.flatMap((h) => (h.id === 0xcb && h.kind === 'u32' ? [String(h.value)] : [])),
    params: tlv.map(([tag]) => `0x${tag.toString(16).padStart(2, '0')}`),
    values: tlv.flatMap(([tag, v]) => (table[tag] !== undefined ? [`${table[tag]}=${v}`] : [])),
  };
}

const boolOrNumber = (text: string): string => (text === 'True' ? '1' : text === 'False' ? '0' : String(Number(text)));

function tsharkObexRow(r: FrameFields, request: boolean, profile: 'pbap' | 'map' | undefined, expectedTags: readonly number[]): ObexRow {
  const table = profile ? APP_PARAM_FIELDS[profile] : {};
  const final = r.first('obex.final_flag');
  const values: string[] = [];
  const used = new Map<string, number>();
  for (const tag of expectedTags) {
    const field = table[tag];
    if (field === undefined) continue;
    const k = used.get(field) ?? 0;
    used.set(field, k + 1);
    const v = r.get(field)[k];
    values.push(`${field}=${v === undefined ? '' : boolOrNumber(v)}`);
  }
  return {
    code: `${request ? r.first('obex.opcode') : r.first('obex.resp_code')}/${final === '1' || final === 'True' ? 1 : 0}`,
    length: num(r.first('obex.pkt_len')),
    headers: r.get('obex.header.id'),
    names: r.get('obex.name').filter((n) => n !== ''),
    types: r.get('obex.type'),
    connectionIds: r.get('obex.connection_id').map((c) => String(Number(c))),
    params: r.get('obex.parameter.id'),
    values,
  };
}

/** OBEX: per channel and direction, every packet's code, length, headers, names, types and application parameters. */
export function compareObex(log: SentLog, rows: readonly FrameFields[]): CompareResult {
  const mismatches: OracleMismatch[] = [];
  let compared = 0;
  let excused = 0;
  const dlciOf = new Map(rows.map((r) => [r.frame, num(r.first('btrfcomm.dlci'))]));
  const channels = [...new Set(log.obex.map((p) => p.channel))].sort((a, b) => a - b);
  for (const channel of channels) {
    const onChannel = log.obex.filter((p) => p.channel === channel);
    const profile = profileOf(onChannel.filter((p) => p.role === 'request').map((p) => Buffer.from(p.hex, 'hex')));
    for (const dir of [0, 1]) {
      const sent = onChannel.filter((p) => p2p(p.dir) === dir);
      if (sent.length === 0) continue;
      // One side of a channel asks and the other answers (on MNS the phone asks).
      const request = sent[0]?.role === 'request';
      let afterConnect = false;
      const requestsConnect = onChannel.filter((p) => p.role === 'request').map((p) => p.hex.startsWith('80'));
      let requestIndex = 0;
      const expected: ObexRow[] = [];
      for (const p of sent) {
        const bytes = Buffer.from(p.hex, 'hex');
        if (p.role === 'response') afterConnect = requestsConnect[requestIndex++] ?? false;
        try {
          expected.push(expectedObexRow(bytes, p.role === 'request', afterConnect, profile));
        } catch (err) {
          mismatches.push({ frame: 0, area: 'obex', what: `our own log holds a packet our codec rejects (${err instanceof Error ? err.message : String(err)})` });
        }
      }
      const all = rows.filter((r) => num(r.first('frame.p2p_dir')) === dir && num(r.first('btrfcomm.dlci')) >> 1 === channel && `${r.first('obex.opcode')}${r.first('obex.resp_code')}` !== '');
      // Wireshark 4.0 reassembles OBEX fragments per direction only, not per channel: a packet
      // reassembled from frames of two channels is garbled by the dissector, not by us.
      const mixed = (r: FrameFields): boolean => r.get('obex.fragment').some((f) => dlciOf.get(Number(f)) !== num(r.first('btrfcomm.dlci')));
      const clean = all.filter((r) => !mixed(r));
      excused += all.length - clean.length;
      const expectedTags = (i: number): number[] => expected[i]?.params.map((p) => Number(p)) ?? [];
      if (clean.length === all.length) {
        const actual = clean.map((r, i) => ({ frame: r.frame, row: tsharkObexRow(r, request, profile, expectedTags(i)) }));
        compared += compareSequences('obex', expected, actual, log.truncated, mismatches, `OBEX channel ${channel} ${dir === 0 ? 'PC->phone' : 'phone->PC'} packet`);
      } else {
        // Around a garbled reassembly tshark loses packets: each packet it does show must still be one we sent, in order.
        let at = 0;
        for (const r of clean) {
          let found = false;
          while (at < expected.length && !found) {
            const want = JSON.stringify(expected[at]);
            found = want === JSON.stringify(tsharkObexRow(r, request, profile, expectedTags(at)));
            at++;
          }
          if (found) compared++;
          else mismatches.push({ frame: r.frame, area: 'obex', what: `OBEX channel ${channel} packet is not one we sent (in order)` });
        }
        excused += Math.max(0, expected.length - clean.length - (all.length - clean.length));
      }
    }
  }
  return { compared, mismatches, excused };
}

/** The AT name of a line as Wireshark 4.0 cuts it: up to '=', ';', '?' or ':', and dial as plain D. */
export function atName(line: string): string {
  const text = line.replace(/^AT/i, '').toUpperCase();
  if (/^D[^A-Z]/.test(text)) return 'D';
  return text.split(/[=;?:]/)[0]?.trim() ?? '';
}

/** AT: per channel and direction, the lines tshark shows equal the lines sent, and the names it gives are theirs. */
export function compareAt(log: SentLog, rows: readonly FrameFields[]): CompareResult {
  const mismatches: OracleMismatch[] = [];
  let compared = 0;
  const channels = [...new Set(log.at.map((l) => l.channel))].sort((a, b) => a - b);
  for (const channel of channels) {
    for (const dir of [0, 1]) {
      const expected = log.at.filter((l) => l.channel === channel && p2p(l.dir) === dir).map((l) => l.line);
      const frames = rows.filter((r) => num(r.first('frame.p2p_dir')) === dir && num(r.first('btrfcomm.dlci')) >> 1 === channel && r.get('bthfp.data').length > 0);
      const actual: Array<{ frame: number; row: string }> = [];
      let pending = '';
      for (const r of frames) {
        const parts = (pending + r.get('bthfp.data').join('')).split(/\r\n|\r|\n/);
        pending = parts.pop() ?? '';
        for (const line of parts) if (line.trim() !== '') actual.push({ frame: r.frame, row: line });
        // Wireshark 4.0 names every line of a frame, except that after a result without
        // parameters (OK, RING, ERROR, NO CARRIER) its parser eats the next line's CR LF and stops naming.
        const lines = r.get('bthfp.data').join('').split(/[\r\n]+/).filter((l) => l.trim() !== '').map(atName);
        const names = r.get('bthfp.at_cmd').map((c) => c.toUpperCase());
        const prefix = lines.slice(0, names.length);
        if (names.length === 0 || JSON.stringify(names) !== JSON.stringify(prefix)) {
          mismatches.push({ frame: r.frame, area: 'at', what: 'AT command names differ', expected: prefix.join(','), actual: names.join(',') });
        } else if (names.length < lines.length && !/^(OK|RING|ERROR|NO CARRIER|BUSY|NO ANSWER)$/.test(names[names.length - 1] ?? '')) {
          mismatches.push({ frame: r.frame, area: 'at', what: `tshark stopped naming after ${names[names.length - 1] ?? ''}` });
        }
      }
      compared += compareSequences('at', expected, actual, log.truncated, mismatches, `AT channel ${channel} ${dir === 0 ? 'PC->phone' : 'phone->PC'} line`);
    }
  }
  return { compared, mismatches, excused: 0 };
}
