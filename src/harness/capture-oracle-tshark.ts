/**
 * Runs tshark for the capture oracle: one `-T fields` pass per capture file
 * that prints, per frame, the expert items, the malformed marker and every
 * ATT, RFCOMM, OBEX and HFP field the oracle compares, and parses that into
 * rows. The tshark binary comes from `TSHARK` (or `tshark` on the PATH); a
 * missing one is a TsharkMissingError. Output is bounded.
 */
import { execFile, spawnSync } from 'node:child_process';

/** Expert severities as tshark prints them. */
export const Severity = {
  Chat: 0x200000,
  Note: 0x400000,
  Warning: 0x600000,
  Error: 0x800000,
} as const;

/** Largest tshark output read for one file. */
export const TSHARK_MAX_OUTPUT = 256 * 1024 * 1024;
/** Wall-clock limit of one tshark run. */
export const TSHARK_TIMEOUT_MS = 120_000;

/** tshark could not be run. */
export class TsharkMissingError extends Error {
  readonly usage = true;
  constructor(readonly binary: string, reason: string) {
    super(`tshark is not available (${binary}: ${reason}); install Wireshark's tshark or set TSHARK`);
    this.name = 'TsharkMissingError';
  }
}

/** tshark ran but failed on a file. */
export class TsharkRunError extends Error {
  constructor(readonly file: string, reason: string) {
    super(`tshark failed on ${file}: ${reason}`);
    this.name = 'TsharkRunError';
  }
}

/** The tshark binary to run. */
export function tsharkBinary(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.TSHARK;
  return fromEnv !== undefined && fromEnv.trim() !== '' ? fromEnv : 'tshark';
}

/** tshark's version line; TsharkMissingError when it cannot be run. */
export function tsharkVersion(binary: string = tsharkBinary()): string {
  const run = spawnSync(binary, ['--version'], { encoding: 'utf8' });
  if (run.error || run.status !== 0) throw new TsharkMissingError(binary, run.error ? run.error.message : `exit ${String(run.status)}`);
  return (run.stdout.split('\n')[0] ?? '').trim();
}

/** PBAP and MAP application parameter fields tshark decodes, by profile and tag. */
export const APP_PARAM_FIELDS: Record<'pbap' | 'map', Record<number, string>> = {
  pbap: {
    0x04: 'obex.parameter.value.max_list_count',
    0x05: 'obex.parameter.value.list_start_offset',
    0x07: 'obex.parameter.value.format',
    0x08: 'obex.parameter.value.phonebook_size',
    0x09: 'obex.parameter.value.new_missed_calls',
  },
  map: {
    0x01: 'obex.parameter.value.max_list_count',
    0x02: 'obex.parameter.value.start_offset',
    0x0a: 'obex.parameter.value.attachment',
    0x0b: 'obex.parameter.value.transparent',
    0x0c: 'obex.parameter.value.retry',
    0x0d: 'obex.parameter.value.new_message',
    0x0e: 'obex.parameter.value.notification_status',
    0x0f: 'obex.parameter.value.mas_instance_id',
    0x11: 'obex.parameter.value.folder_listing_size',
    0x12: 'obex.parameter.value.messages_listing_size',
    0x13: 'obex.parameter.value.subject_length',
    0x14: 'obex.parameter.value.charset',
    0x15: 'obex.parameter.value.fraction_request',
    0x17: 'obex.parameter.value.status_indicator',
    0x18: 'obex.parameter.value.status_value',
  },
};

const BASE_FIELDS = [
  'frame.number',
  'frame.p2p_dir',
  '_ws.malformed',
  '_ws.expert.severity',
  '_ws.expert.message',
  'btatt.opcode',
  'btatt.handle',
  'btatt.value',
  'btatt.uuid128',
  'btatt.characteristic_configuration_client',
  'btatt.starting_handle',
  'btatt.ending_handle',
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
  'obex.fragment',
  'bthfp.data',
  'bthfp.at_cmd',
] as const;

/** Every field the pass prints, in column order. */
export const ORACLE_FIELDS: readonly string[] = [...new Set([...BASE_FIELDS, ...Object.values(APP_PARAM_FIELDS.pbap), ...Object.values(APP_PARAM_FIELDS.map)])];

/** One frame: each field's occurrences (empty list when absent). */
export interface FrameFields {
  frame: number;
  get(field: string): string[];
  first(field: string): string;
}

const unescape = (text: string): string => text.replace(/\\(["\\rnt])/g, (_m, c: string) => (c === 'r' ? '\r' : c === 'n' ? '\n' : c === 't' ? '\t' : c));

/** Parses `-T fields` output printed for ORACLE_FIELDS. */
export function parseFieldRows(stdout: string, names: readonly string[] = ORACLE_FIELDS): FrameFields[] {
  const column = new Map(names.map((n, i) => [n, i]));
  const rows: FrameFields[] = [];
  for (const line of stdout.split('\n')) {
    if (line === '') continue;
    const cells = line.split('\t');
    const get = (field: string): string[] => {
      const at = column.get(field);
      const cell = at === undefined ? undefined : cells[at];
      if (cell === undefined || cell === '') return [];
      const parts = field === 'bthfp.data' || field === 'obex.name' || field === 'obex.type' ? cell.split('|').map(unescape) : cell.split('|');
      return parts;
    };
    rows.push({ frame: Number(cells[0]), get, first: (field) => get(field)[0] ?? '' });
  }
  return rows;
}

/** Runs the fields pass over one file. */
export function runFieldsPass(file: string, binary: string = tsharkBinary()): Promise<FrameFields[]> {
  const args = ['-r', file, '-n', '-T', 'fields', '-E', 'separator=/t', '-E', 'occurrence=a', '-E', 'aggregator=|', '-E', 'quote=n', ...ORACLE_FIELDS.flatMap((n) => ['-e', n])];
  return new Promise((resolve, reject) => {
    execFile(binary, args, { encoding: 'utf8', maxBuffer: TSHARK_MAX_OUTPUT, timeout: TSHARK_TIMEOUT_MS }, (error, stdout, stderr) => {
      if (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'ENOENT' || code === 'EACCES') reject(new TsharkMissingError(binary, error.message));
        else reject(new TsharkRunError(file, (stderr || error.message).split('\n').filter((l) => !/Running as user/.test(l)).join(' ').trim()));
        return;
      }
      resolve(parseFieldRows(stdout));
    });
  });
}
