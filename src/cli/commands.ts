import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { registerAnalyze } from './analyze.js';
import { registerCompare } from './compare.js';
import { registerLab } from './lab.js';
import { registerServe } from './serve.js';
import { registerQueue } from './queue.js';

/**
 * Wires every sub-command. Each command lives in its own file under src/cli/ and imports its heavy
 * modules (readers, vega, the lab) only when it runs, so --version and --help start fast.
 */
export function registerCommands(program: Command): void {
  program.version(packageVersion());
  registerAnalyze(program);
  registerCompare(program);
  registerLab(program);
  registerServe(program);
  registerQueue(program);
}

/** The version in package.json (src/cli and dist/cli are both two folders below the package root). */
export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
  return typeof pkg.version === 'string' ? pkg.version : 'unknown';
}
