/**
 * `phonebridge soak --hours N --seed S [--json]`: the virtual-time soak
 * (src/harness/soak). Heap figures need a full collection before each
 * reading, so without `global.gc` the command re-runs itself once in a
 * child Node with --expose-gc; `--no-respawn` reports without gc instead.
 * Exits 1 when an invariant broke, printing the seed, hour and replay line.
 */
import { spawn } from 'node:child_process';
import type { Argv, CommandModule } from 'yargs';
import { runSoak } from '../../harness/soak/soak-runner';
import type { SoakReport } from '../../harness/soak/soak-types';

interface SoakArgs {
  hours: number;
  seed: number;
  json: boolean;
  quiet: boolean;
  respawn: boolean;
  strict: boolean;
}

/** Set in the child so it never spawns again. */
const CHILD_ENV = 'PHONEBRIDGE_SOAK_GC_CHILD';

const command: CommandModule<object, SoakArgs> = {
  command: 'soak',
  describe: 'Hours of link time in virtual time with every profile busy and random faults, checking invariants',
  builder: (yargs: Argv) =>
    yargs
      .option('hours', { type: 'number', default: 24, describe: 'hours of link time to simulate' })
      .option('seed', { type: 'number', default: 1, describe: 'seed (the same seed replays the same soak)' })
      .option('json', { type: 'boolean', default: false, describe: 'print the report as JSON' })
      .option('quiet', { type: 'boolean', default: false, describe: 'no progress lines' })
      .option('strict', { type: 'boolean', default: false, describe: 'also fail on notifications the phone removed while Share System Notifications was off' })
      .option('respawn', { type: 'boolean', default: true, describe: 're-run under node --expose-gc for exact heap figures' })
      .check((argv) => {
        if (!(typeof argv.hours === 'number' && argv.hours > 0 && Number.isFinite(argv.hours))) throw new Error('--hours must be a positive number');
        if (!Number.isInteger(argv.seed)) throw new Error('--seed must be a whole number');
        return true;
      }) as unknown as Argv<SoakArgs>,
  handler: async (args) => {
    const gc = exposedGc();
    if (gc === undefined && args.respawn && process.env[CHILD_ENV] === undefined) {
      process.exitCode = await rerunWithGc();
      return;
    }
    const log = (line: string): void => {
      if (!args.quiet && !args.json) process.stderr.write(`${line}\n`);
    };
    log(`soak: ${args.hours} h of link time, seed ${args.seed}${gc ? '' : ' (no --expose-gc: heap figures without a full collection)'}`);
    const report = await runSoak({ hours: args.hours, seed: args.seed, strict: args.strict, onProgress: log, ...(gc ? { gc } : {}) });
    process.stdout.write(args.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report));
    if (!report.ok) process.exitCode = 1;
  },
};

function exposedGc(): (() => void) | undefined {
  const candidate: unknown = (globalThis as { gc?: unknown }).gc;
  return typeof candidate === 'function' ? () => void (candidate as () => unknown)() : undefined;
}

/** The same command line in a child Node with --expose-gc; resolves to its exit code. */
function rerunWithGc(): Promise<number> {
  const script = process.argv[1];
  if (script === undefined) return Promise.resolve(1);
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--expose-gc', ...process.execArgv, script, ...process.argv.slice(2)], {
      stdio: 'inherit',
      env: { ...process.env, [CHILD_ENV]: '1' },
    });
    child.on('error', () => resolve(1));
    child.on('exit', (code) => resolve(code ?? 1));
  });
}

const mb = (bytes: number | undefined): string => (bytes === undefined ? '-' : `${(bytes / 1048576).toFixed(1)} MB`);

/** The report as a few readable lines. */
export function formatReport(r: SoakReport): string {
  const e = r.events;
  const faults = Object.entries(r.faults)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  const lines = [
    `${r.ok ? 'ok  ' : 'FAIL'} soak seed ${r.seed}: ${r.hoursSimulated.toFixed(2)} of ${r.hoursRequested} h of link time in ${(r.wallMs / 1000).toFixed(1)} s wall`,
    `  events: ${e.notificationsPosted} notifications posted, ${e.notificationsRemoved} removed, ${e.messages} texts, ${e.calls} calls (${e.callsAnswered} answered), ${e.phonebookRefreshes} phonebook refreshes (${e.phonebookRefreshesFailed} failed)`,
    `  faults: ${faults}`,
    `  checks: ${r.checksPassed} passed over ${r.checkpoints} checkpoints; ${r.reconnectsTimed} reconnects timed, longest ${r.longestReconnectMs} ms; ${r.typedErrors} typed errors (expected under faults); ${r.silentRemovalsTolerated} sightings of notifications removed while sharing was off`,
    `  heap${r.heap.gcExposed ? ' (after gc)' : ' (no gc)'}: ${mb(r.heap.warmUpBytes)} after warm-up, ${mb(r.heap.endBytes)} at the end (margin ${r.heap.margin.factor}x + ${mb(r.heap.margin.slackBytes)})`,
  ];
  if (r.failure) {
    lines.push(`  failed at hour ${r.failure.hour.toFixed(2)} (seed ${r.seed}): ${r.failure.check}`);
    for (const p of r.failure.problems) lines.push(`    ${p}`);
    lines.push(`  replay: ${r.failure.replay}`);
  }
  return `${lines.join('\n')}\n`;
}

export default command;
