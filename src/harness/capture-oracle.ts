/**
 * Wireshark as an independent oracle for our captures: runs tshark once
 * over a btsnoop file (capture-oracle-tshark.ts) and holds what it
 * dissects against the sent log written beside the capture: no malformed
 * packet, no expert item beyond the documented limitations below, and ATT
 * values, OBEX packets and AT lines equal to what our stack sent
 * (capture-oracle-compare.ts). Returns a typed report per file.
 *
 *   const report = await verifyCapture('captures/x.btsnoop');
 *   if (!report.passed) ... report.mismatches, report.expert ...
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { compareAt, compareAtt, compareObex, type OracleMismatch } from './capture-oracle-compare';
import { readSentLog, sentLogPathFor, type SentLog } from './capture-oracle-sent-log';
import { runFieldsPass, Severity, tsharkBinary, type FrameFields } from './capture-oracle-tshark';

export type { OracleMismatch };

/** One expert item or malformed marker tshark raised. */
export interface ExpertFinding {
  frame: number;
  severity: 'error' | 'warning' | 'note' | 'malformed';
  message: string;
  /** The documented limitation that explains it, when one does. */
  limitation?: string;
}

export interface CaptureReport {
  file: string;
  passed: boolean;
  frames: number;
  counts: { att: number; obex: number; at: number; malformed: number; errors: number; warnings: number; notes: number; excused: number };
  /** Expert items and malformed packets not explained by a documented limitation. */
  expert: ExpertFinding[];
  /** Items a documented limitation explains (reported, not failed). */
  limitations: ExpertFinding[];
  mismatches: OracleMismatch[];
  /** The sent log was cut at its limit; only its prefix was compared. */
  truncated: boolean;
}

/** Findings and mismatches kept per report. */
export const MAX_FINDINGS = 100;

/**
 * Expert items tshark 4.0 (Debian 12, 4.0.17) raises on traffic we believe
 * valid, each with the evidence. Anything not here fails the check.
 */
export const KNOWN_LIMITATIONS: ReadonlyArray<{ id: string; evidence: string; applies(message: string, frame: FrameFields, context: LimitationContext): boolean }> = [
  {
    id: 'hfp-atd-type',
    evidence: 'packet-bthfp.c parses ATD without setting a command type, so every valid ATD<number>; gets "Non mandatory type or command in this role"',
    applies: (message, frame) => message === 'Non mandatory type or command in this role' && frame.get('bthfp.at_cmd').some((c) => c.toUpperCase() === 'D'),
  },
  {
    id: 'hfp-no-carrier',
    evidence: 'NO CARRIER (HFP 1.8 call setup failure result) is missing from packet-bthfp.c\'s command table: "Non-mandatory command in HFP"',
    applies: (message, frame) => message === 'Non-mandatory command in HFP' && frame.get('bthfp.at_cmd').some((c) => c.toUpperCase() === 'NO CARRIER'),
  },
  {
    id: 'obex-reassembly-per-direction',
    evidence:
      'packet-obex.c keys OBEX fragment reassembly by p2p direction only (fragment_add_check(..., pinfo->p2p_dir, ...)), not by RFCOMM channel: when a MAS response spans RFCOMM frames while MNS sends on another channel in the same direction, the MNS packet is glued into the MAS body and the XML dissector flags the garbled body',
    applies: (_message, frame, context) => context.mixedReassembly(frame),
  },
];

export interface LimitationContext {
  /** True when the frame's OBEX packet was reassembled from frames of more than one RFCOMM channel. */
  mixedReassembly(frame: FrameFields): boolean;
}

function severityName(value: number): ExpertFinding['severity'] | undefined {
  if (value >= Severity.Error) return 'error';
  if (value >= Severity.Warning) return 'warning';
  if (value >= Severity.Note) return 'note';
  return undefined;
}

/** Expert items and malformed markers, split into unexplained and documented. */
export function checkExpert(rows: readonly FrameFields[]): { expert: ExpertFinding[]; limitations: ExpertFinding[] } {
  const dlciOf = new Map(rows.map((r) => [r.frame, r.first('btrfcomm.dlci')]));
  const context: LimitationContext = {
    mixedReassembly: (frame) => frame.get('obex.fragment').some((f) => dlciOf.get(Number(f)) !== frame.first('btrfcomm.dlci')),
  };
  const expert: ExpertFinding[] = [];
  const limitations: ExpertFinding[] = [];
  const add = (finding: ExpertFinding, frame: FrameFields): void => {
    const known = KNOWN_LIMITATIONS.find((k) => k.applies(finding.message, frame, context));
    if (known) limitations.push({ ...finding, limitation: known.id });
    else expert.push(finding);
  };
  for (const row of rows) {
    if (row.get('_ws.malformed').length > 0) add({ frame: row.frame, severity: 'malformed', message: 'Malformed Packet' }, row);
    const severities = row.get('_ws.expert.severity');
    const messages = row.get('_ws.expert.message');
    severities.forEach((s, i) => {
      const severity = severityName(Number(s));
      if (severity) add({ frame: row.frame, severity, message: messages[i] ?? '' }, row);
    });
  }
  return { expert, limitations };
}

/** Verifies one capture against its sent log (read from beside it unless given). */
export async function verifyCapture(file: string, options: { log?: SentLog; tshark?: string } = {}): Promise<CaptureReport> {
  const log = options.log ?? readSentLog(sentLogPathFor(file));
  const rows = await runFieldsPass(file, options.tshark ?? tsharkBinary());
  return judge(file, log, rows);
}

/** The report for rows tshark printed for `file` and its sent log. */
export function judge(file: string, log: SentLog, rows: readonly FrameFields[]): CaptureReport {
  const { expert, limitations } = checkExpert(rows);
  const att = compareAtt(log, rows);
  const obex = compareObex(log, rows);
  const at = compareAt(log, rows);
  const mismatches = [...att.mismatches, ...obex.mismatches, ...at.mismatches];
  const count = (list: readonly ExpertFinding[], s: ExpertFinding['severity']): number => list.filter((f) => f.severity === s).length;
  const all = [...expert, ...limitations];
  return {
    file,
    passed: expert.length === 0 && mismatches.length === 0,
    frames: rows.length,
    counts: {
      att: att.compared,
      obex: obex.compared,
      at: at.compared,
      malformed: count(all, 'malformed'),
      errors: count(all, 'error'),
      warnings: count(all, 'warning'),
      notes: count(all, 'note'),
      excused: limitations.length + obex.excused + att.excused,
    },
    expert: expert.slice(0, MAX_FINDINGS),
    limitations: limitations.slice(0, MAX_FINDINGS),
    mismatches: mismatches.slice(0, MAX_FINDINGS),
    truncated: log.truncated,
  };
}

/** Folders walked below each root. */
const MAX_DEPTH = 8;
/** Captures found per call. */
export const MAX_CAPTURES = 10_000;

/** Every `.btsnoop` under `roots` (sorted), with whether its sent log exists. */
export function findCaptures(roots: readonly string[]): Array<{ file: string; hasSentLog: boolean }> {
  const found: Array<{ file: string; hasSentLog: boolean }> = [];
  const walk = (dir: string, depth: number): void => {
    if (depth > MAX_DEPTH || found.length >= MAX_CAPTURES) return;
    let names: string[];
    try {
      names = readdirSync(dir).sort();
    } catch {
      return;
    }
    for (const name of names) {
      const full = path.join(dir, name);
      let isDir = false;
      try {
        isDir = statSync(full).isDirectory();
      } catch {
        continue;
      }
      if (isDir) walk(full, depth + 1);
      else if (name.toLowerCase().endsWith('.btsnoop') && found.length < MAX_CAPTURES) found.push({ file: full, hasSentLog: existsSync(sentLogPathFor(full)) });
    }
  };
  for (const root of roots) walk(root, 0);
  return found;
}

/** Runs `work` over `items` with at most `width` at once, keeping order. */
export async function inPool<T, R>(items: readonly T[], width: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(width, items.length)) }, lane));
  return results;
}
