/**
 * `phonebridge fuzz <campaign>`: property-based fuzzing from the command
 * line. Prints progress, and on failure the shrunk counterexample and the
 * exact command that replays it; exits 1 when anything failed.
 */
import type { Argv, CommandModule } from 'yargs';
import { CAMPAIGNS, campaignNames } from '../../harness/fuzz/campaigns';
import { runCampaign } from '../../harness/fuzz/campaign';

interface FuzzArgs {
  campaign: string;
  runs: number;
  seed?: number;
  path?: string;
  only?: string[];
  json: boolean;
  quiet: boolean;
}

const command: CommandModule<object, FuzzArgs> = {
  command: 'fuzz <campaign>',
  describe: 'Property-based fuzzing of codecs and whole streams',
  builder: (yargs: Argv) =>
    yargs
      .positional('campaign', { choices: campaignNames(), describe: 'what to fuzz' })
      .option('runs', { type: 'number', default: 1000, describe: 'runs per property (heavy properties run a stated fraction)' })
      .option('seed', { type: 'number', describe: 'seed (default: random, printed)' })
      .option('path', { type: 'string', describe: 'replay path printed by a failing run' })
      .option('only', { type: 'string', array: true, describe: 'run only these properties' })
      .option('json', { type: 'boolean', default: false, describe: 'print the result as JSON' })
      .option('quiet', { type: 'boolean', default: false, describe: 'no progress lines' })
      .check((argv) => {
        if (!Number.isInteger(argv.runs) || (argv.runs as number) < 1) throw new Error('--runs must be a positive whole number');
        if (argv.seed !== undefined && !Number.isInteger(argv.seed)) throw new Error('--seed must be a whole number');
        return true;
      }) as unknown as Argv<FuzzArgs>,
  handler: async (args) => {
    const campaign = CAMPAIGNS[args.campaign];
    if (!campaign) throw new Error(`unknown campaign ${args.campaign}`);
    const seed = args.seed ?? (Date.now() ^ (Math.random() * 0x7fffffff)) | 0;
    const log = (line: string) => {
      if (!args.quiet && !args.json) process.stderr.write(`${line}\n`);
    };
    log(`fuzz ${args.campaign}: seed ${seed}, ${args.runs} runs per property`);
    const result = await runCampaign(args.campaign, campaign, {
      runs: args.runs,
      seed,
      ...(args.path ? { path: args.path } : {}),
      ...(args.only ? { only: args.only } : {}),
      onProgress: log,
    });
    if (args.json) {
      process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    } else {
      for (const o of result.outcomes) {
        process.stdout.write(`${o.failed ? 'FAIL' : 'ok  '} ${o.name}: ${o.runs} runs, ${o.wallMs} ms\n`);
        if (o.failed) {
          process.stdout.write(`  error: ${o.error}\n  shrunk counterexample (${o.shrinks} shrinks): ${JSON.stringify(o.counterexample, replacer)}\n`);
        }
      }
      if (result.replay) process.stdout.write(`replay: ${result.replay}\n`);
    }
    if (!result.ok) process.exitCode = 1;
  },
};

/** JSON for byte arrays and bigints in counterexamples. */
function replacer(_key: string, value: unknown): unknown {
  if (value instanceof Uint8Array) return `hex:${Buffer.from(value).toString('hex')}`;
  if (typeof value === 'bigint') return `${value}n`;
  return value;
}

export default command;
