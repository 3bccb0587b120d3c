/**
 * `phonebridge verify-captures <dir...>`: reads every btsnoop capture under
 * the folders that has a sent log beside it with tshark and checks it with
 * the capture oracle (src/harness/capture-oracle.ts): one line per file and
 * a summary. Exit code 1 on any mismatch, malformed packet or unexplained
 * expert item; 2 when tshark is missing or there is nothing to verify.
 * Values (message text, names, numbers) are printed only with --no-redact.
 */
import path from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { findCaptures, inPool, verifyCapture, type CaptureReport } from '../../harness/capture-oracle';
import { tsharkBinary, tsharkVersion } from '../../harness/capture-oracle-tshark';
import { redactText } from '../../harness/report/redact';
import { EXIT_FAILURE, UsageError } from '../main';

interface VerifyArgs {
  dirs: string[];
  redact: boolean;
  jobs: number;
}

/** Detail lines printed per failing file. */
const MAX_DETAIL_LINES = 20;

/** The lines describing one report. */
export function reportLines(report: CaptureReport, redact: boolean, base: string = process.cwd()): string[] {
  const name = path.relative(base, report.file) || report.file;
  const c = report.counts;
  const figures = `ATT ${c.att}, OBEX ${c.obex}, AT ${c.at}${c.excused > 0 ? `, ${c.excused} excused (known limitations, lost on the air)` : ''}${report.truncated ? ', sent log truncated' : ''}`;
  const lines = [`${report.passed ? 'ok  ' : 'FAIL'} ${name} (${report.frames} frames; ${figures})`];
  const text = (s: string): string => (redact ? redactText(s) : s);
  const details: string[] = [];
  for (const e of report.expert) details.push(`  frame ${e.frame}: ${e.severity} ${text(e.message)}`);
  for (const m of report.mismatches) {
    const values = !redact && (m.expected !== undefined || m.actual !== undefined) ? `: sent ${m.expected ?? '-'}, tshark ${m.actual ?? '-'}` : '';
    details.push(`  frame ${m.frame}: ${m.area} ${m.what}${values}`);
  }
  lines.push(...details.slice(0, MAX_DETAIL_LINES));
  if (details.length > MAX_DETAIL_LINES) lines.push(`  ... and ${details.length - MAX_DETAIL_LINES} more`);
  return lines;
}

const command: CommandModule<object, VerifyArgs> = {
  command: 'verify-captures <dirs...>',
  describe: 'Check every capture (with its .sent.json) under the folders with tshark against what our stack sent',
  builder: (y: Argv) =>
    y
      .positional('dirs', { type: 'string', array: true, demandOption: true, describe: 'Folders written by `run --capture`' })
      .option('redact', { type: 'boolean', default: true, describe: 'Hide message text, names and numbers in mismatches (--no-redact shows them)' })
      .option('jobs', { type: 'number', default: 2, describe: 'tshark processes at once (1-8)' })
      .check((argv) => (Number.isInteger(argv.jobs) && argv.jobs >= 1 && argv.jobs <= 8 ? true : '--jobs must be 1 to 8')),
  handler: async (argv) => {
    const binary = tsharkBinary();
    const version = /\d+\.\d+(\.\d+)?/.exec(tsharkVersion(binary))?.[0] ?? 'unknown version';
    const found = findCaptures(argv.dirs.map((d) => path.resolve(d)));
    const captures = found.filter((c) => c.hasSentLog);
    if (captures.length === 0) {
      throw new UsageError(`no capture with a sent log under ${argv.dirs.join(', ')}${found.length > 0 ? ` (${found.length} .btsnoop without .sent.json)` : ''}`);
    }
    const started = Date.now();
    const reports = await inPool(captures, argv.jobs, async (c) => {
      const report = await verifyCapture(c.file, { tshark: binary });
      for (const line of reportLines(report, argv.redact)) process.stdout.write(`${line}\n`);
      return report;
    });
    const failed = reports.filter((r) => !r.passed).length;
    const total = (key: keyof CaptureReport['counts']): number => reports.reduce((n, r) => n + r.counts[key], 0);
    const skipped = found.length - captures.length;
    process.stdout.write(
      `${failed === 0 ? 'All' : `${reports.length - failed} of`} ${reports.length} captures agree with tshark ${version}: ATT ${total('att')}, OBEX ${total('obex')}, AT ${total('at')} compared; ` +
        `${total('malformed')} malformed, ${total('excused')} excused (known limitations, lost on the air)${skipped > 0 ? `; ${skipped} without a sent log skipped` : ''}; ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
    );
    if (failed > 0) process.exitCode = EXIT_FAILURE;
  },
};

export default command;
