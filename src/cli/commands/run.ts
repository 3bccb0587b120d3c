/**
 * `phonebridge run`: runs the conformance scenarios for each phone profile ×
 * transport and writes the compatibility report. Exit code 1 when any
 * scenario failed.
 */
import path from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { runSuite, DEFAULT_PHONE, DEFAULT_TRANSPORT, TRANSPORTS } from '../../harness/run-suite';
import { summaryLines } from '../../harness/report/summary';

interface RunArgs {
  phone: string[];
  transport: string[];
  tags?: string;
  out: string;
  seed: number;
  quiet: boolean;
  redact: boolean;
  capture?: string;
}

/** "a,b" or ["a", "b,c"] -> ["a", "b", "c"]. */
export function splitList(value: unknown): string[] {
  const items = Array.isArray(value) ? value : [value];
  return items
    .flatMap((v) => String(v ?? '').split(','))
    .map((v) => v.trim())
    .filter((v) => v !== '');
}

function shown(file: string): string {
  const rel = path.relative(process.cwd(), file);
  return rel === '' || rel.startsWith('..') ? file : rel;
}

const command: CommandModule<object, RunArgs> = {
  command: 'run',
  describe: 'Run the conformance scenarios and write a compatibility report',
  builder: (y: Argv) =>
    y
      .option('phone', {
        type: 'string',
        default: DEFAULT_PHONE,
        describe: 'Phone profile names (fixtures/phones) or profile files, comma-separated',
        coerce: splitList,
      })
      .option('transport', {
        type: 'string',
        default: DEFAULT_TRANSPORT,
        describe: `Transports, comma-separated (available: ${TRANSPORTS.join(', ')})`,
        coerce: splitList,
      })
      .option('tags', { type: 'string', describe: 'Cucumber tag expression selecting scenarios, e.g. "@ancs and not @limitation"' })
      .option('out', { type: 'string', default: 'reports', describe: 'Reports folder; the run goes to <out>/<run-id>/' })
      .option('seed', { type: 'number', default: 1, describe: 'Seed for the simulated link and phone' })
      .option('quiet', { type: 'boolean', default: false, describe: "Print cucumber's summary only" })
      .option('redact', {
        type: 'boolean',
        default: true,
        describe: 'Mask phone numbers and message text in compat.json/md/html and in cucumber\'s messages, HTML and JUnit files (--no-redact keeps them)',
      })
      .option('capture', { type: 'string', describe: 'Write one btsnoop capture per scenario (Wireshark reads them) into this folder' })
      .check((argv) => {
        const seed = argv.seed;
        if (typeof seed !== 'number' || !Number.isSafeInteger(seed) || seed < 0) return '--seed must be a whole number >= 0';
        if (argv.tags !== undefined && argv.tags.trim() === '') return '--tags needs a tag expression';
        if (argv.capture !== undefined && argv.capture.trim() === '') return '--capture needs a folder';
        if (argv.phone.length === 0) return '--phone needs at least one profile';
        if (argv.transport.length === 0) return '--transport needs at least one transport';
        const unknown = argv.transport.find((t) => !(TRANSPORTS as readonly string[]).includes(t));
        if (unknown !== undefined) return `unknown transport "${unknown}" (available: ${TRANSPORTS.join(', ')})`;
        return true;
      }),
  handler: async (argv) => {
    const result = await runSuite({
      phones: argv.phone,
      transports: argv.transport,
      ...(argv.tags !== undefined ? { tags: argv.tags } : {}),
      outDir: argv.out,
      seed: argv.seed,
      quiet: argv.quiet,
      redact: argv.redact,
      ...(argv.capture !== undefined ? { capture: argv.capture } : {}),
    });
    const out = process.stdout;
    out.write(`\nCompatibility report: ${shown(path.join(result.dir, 'compat.md'))} (latest: ${shown(path.join(path.resolve(argv.out), 'latest'))})\n`);
    for (const line of summaryLines(result.report)) out.write(`${line}\n`);
    if (!result.ok) process.exitCode = 1;
  },
};

export default command;
