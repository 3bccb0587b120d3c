/**
 * The `phonebridge` command line: builds the yargs parser, registers every
 * command module found in ./commands (each default-exports a yargs
 * CommandModule), and turns failures into one line on stderr — exit code 2
 * for a usage error, 1 for anything else (with the stack under --verbose).
 * Commands report their own outcome through `process.exitCode`.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import yargs from 'yargs';
import type { Argv, CommandModule } from 'yargs';
import { toolVersion } from '../harness/report/tool-info';

export const SCRIPT_NAME = 'phonebridge';
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** A mistake in how the command was called. */
export class UsageError extends Error {
  readonly usage = true;

  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** True for errors caused by the caller's input: UsageError, or any error with `usage: true` (SuiteError, ReportError). */
export function isUsageError(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { usage?: unknown }).usage === true;
}

function isCommandModule(value: unknown): value is CommandModule {
  return typeof value === 'object' && value !== null && typeof (value as { handler?: unknown }).handler === 'function';
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

/**
 * The command modules in `dir` (file name = command name). With `only`, just
 * that command's module when there is one: loading every command costs
 * seconds under ts-node, and one command line runs one command. A module
 * that fails to load becomes a command of its file's name that fails with
 * the load error when used, so a broken command does not break the others.
 */
export function loadCommands(dir: string = path.join(__dirname, 'commands'), only?: string): CommandModule[] {
  let files: string[];
  try {
    files = readdirSync(dir);
  } catch {
    return [];
  }
  const ownExt = path.extname(__filename);
  const byName = new Map<string, string>();
  for (const file of files.sort()) {
    if (file.endsWith('.d.ts') || !/\.(ts|js)$/.test(file)) continue;
    const name = file.replace(/\.(ts|js)$/, '');
    if (!byName.has(name) || path.extname(file) === ownExt) byName.set(name, file);
  }
  const chosen = only !== undefined && byName.has(only) ? [[only, byName.get(only) ?? '']] : [...byName];
  const commands: CommandModule[] = [];
  for (const [name, file] of chosen) {
    try {
      const mod: unknown = require(path.join(dir, file));
      const candidate = typeof mod === 'object' && mod !== null ? (mod as { default?: unknown }).default : undefined;
      if (isCommandModule(candidate)) commands.push(candidate);
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      commands.push({
        command: name,
        describe: false,
        handler: () => {
          throw new Error(`the ${name} command could not be loaded: ${oneLine(reason)}`);
        },
      });
    }
  }
  return commands;
}

/** The command a command line names: its first argument that is not an option (only --verbose may come before it). */
export function commandName(argv: readonly string[]): string | undefined {
  return argv.find((a) => !a.startsWith('-'));
}

/** The parser with the commands registered (all, or just the one `argv` names); exported for tests. */
export function buildParser(argv: readonly string[], commands: readonly CommandModule[] = loadCommands(undefined, commandName(argv))): Argv {
  const parser = yargs([...argv])
    .scriptName(SCRIPT_NAME)
    .usage('$0 <command> [options]')
    .option('verbose', { type: 'boolean', default: false, global: true, describe: 'Show the stack of unexpected errors' })
    .strict()
    .demandCommand(1, 'name a command')
    .recommendCommands()
    .help()
    .alias('help', 'h')
    .version(toolVersion())
    .exitProcess(false)
    .wrap(Math.min(100, process.stdout.columns || 100))
    .fail((message: string | null | undefined, err: unknown) => {
      // Errors thrown by handlers arrive here too and keep their kind. yargs'
      // own validation failures come as a message (with a YError, or the
      // string a .check() returned).
      if (err instanceof Error && err.name !== 'YError') throw err;
      throw new UsageError(message ?? (err instanceof Error ? err.message : 'invalid command line'));
    });
  for (const command of commands) parser.command(command);
  return parser;
}

/** Prints one line for `err` and sets the exit code: 2 for usage errors, 1 otherwise. */
export function reportError(err: unknown, verbose: boolean, stderr: NodeJS.WritableStream = process.stderr): number {
  const usage = isUsageError(err);
  const message = err instanceof Error ? err.message : String(err);
  stderr.write(`${SCRIPT_NAME}: ${oneLine(message)}${usage ? ` (see ${SCRIPT_NAME} --help)` : ''}\n`);
  if (verbose && !usage && err instanceof Error && err.stack) stderr.write(`${err.stack}\n`);
  return usage ? EXIT_USAGE : EXIT_FAILURE;
}

/** Runs the CLI with `argv` (without node and script). Never exits the process; sets process.exitCode. */
export async function main(argv: readonly string[]): Promise<void> {
  const verbose = argv.includes('--verbose');
  try {
    await buildParser(argv).parseAsync();
  } catch (err) {
    process.exitCode = reportError(err, verbose);
  }
}
