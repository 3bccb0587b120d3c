/**
 * `phonebridge report <runDirs...>`: merges the compat.json of earlier runs
 * into one matrix (each run a column) and writes it as a new report, with
 * each source run's cucumber files copied beside it.
 */
import path from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { RealClock } from '../../link/clock';
import { mergeRunDirs } from '../../harness/report/merge';
import { toolVersion } from '../../harness/report/tool-info';
import { createRunDir, CUCUMBER_FILES, makeRunId, writeReport } from '../../harness/report/write';
import { summaryLines } from '../../harness/report/summary';
import { redactCucumberOutputs } from '../../harness/report/redact-cucumber';


interface ReportArgs {
  runDirs: string[];
  out: string;
  redact: boolean;
}

const command: CommandModule<object, ReportArgs> = {
  command: 'report <runDirs...>',
  describe: 'Merge the reports of earlier runs into one compatibility matrix',
  builder: (y: Argv) =>
    y
      .positional('runDirs', { type: 'string', array: true, demandOption: true, describe: 'Run directories (or their compat.json)' })
      .option('out', { type: 'string', default: 'reports', describe: 'Reports folder; the merged report goes to <out>/<run-id>/' })
      .option('redact', {
        type: 'boolean',
        default: true,
        describe: 'Mask phone numbers and message text in the merged report and the cucumber files copied beside it (--no-redact keeps what the sources hold)',
      }),
  handler: async (argv) => {
    const outDir = path.resolve(argv.out);
    const merged = mergeRunDirs(argv.runDirs, { runId: 'merged', toolVersion: toolVersion() });
    const phones = merged.report.runs.map((r) => r.phone.id);
    const transports = merged.report.runs.map((r) => r.transport);
    const { runId } = createRunDir(outDir, makeRunId(new RealClock().date(), phones, transports));
    const written = writeReport({ outDir, report: { ...merged.report, runId }, copies: merged.copies, redact: argv.redact });
    // A source run made with --no-redact holds raw cucumber files: the merged copies are redacted like a fresh run's.
    if (argv.redact) {
      const cells = new Set(merged.copies.filter((c) => path.basename(c.to) === CUCUMBER_FILES.messages).map((c) => path.dirname(path.resolve(written.dir, c.to))));
      for (const cell of cells) await redactCucumberOutputs(cell);
    }
    process.stdout.write(`Merged ${argv.runDirs.length} runs into ${path.relative(process.cwd(), written.markdown) || written.markdown}\n`);
    for (const line of summaryLines(written.report)) process.stdout.write(`${line}\n`);
  },
};

export default command;
