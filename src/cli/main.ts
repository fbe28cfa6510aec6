import { Command, CommanderError } from 'commander';
import { GenboundError } from '../errors.js';
import { registerCommands } from './commands.js';

/**
 * The whole command tree, as commander sees it. Built without importing any heavy module, so the
 * build can also render its help text (scripts/build.mjs -> dist/cli/help.json, which bin/ prints
 * for a bare `--help` without loading commander; test/cli/help-fast-path.test.ts keeps them equal).
 */
export function buildProgram(): Command {
  const program = new Command();
  program
    .name('genbound')
    .description('Generalization analysis of trained Transformers')
    .option('--debug', 'show stack traces for errors')
    .option('--backend <name>', 'linear-algebra backend: native or js (env GENBOUND_BACKEND)')
    .showHelpAfterError(false)
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  // --backend picks the linear-algebra backend before any command runs (setBackend validates the
  // name and throws BadOptionError if native is requested but unavailable).
  program.hook('preAction', async () => {
    const name = program.opts<{ backend?: string }>().backend;
    if (name !== undefined) (await import('../linalg/registry.js')).setBackend(name);
  });
  registerCommands(program);
  return program;
}

/** Runs the CLI; every GenboundError becomes one line on stderr and a non-zero exit. */
export async function main(argv: string[]): Promise<void> {
  const debug = argv.includes('--debug');
  try {
    await buildProgram().parseAsync(argv);
  } catch (err) {
    process.exitCode = reportError(err, debug);
  }
}

function reportError(err: unknown, debug: boolean): number {
  if (err instanceof CommanderError) {
    // commander has already printed its one-line message (or the help text).
    return err.exitCode === 0 ? 0 : 2;
  }
  if (err instanceof GenboundError) {
    process.stderr.write(`genbound: ${err.message}\n`);
    if (debug && err.stack) process.stderr.write(`${err.stack}\n`);
    return err.exitCode;
  }
  const e = err instanceof Error ? err : new Error(String(err));
  process.stderr.write(`genbound: internal error: ${e.message} (please report this; --debug shows the stack)\n`);
  if (debug && e.stack) process.stderr.write(`${e.stack}\n`);
  return 70;
}
