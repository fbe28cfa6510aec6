import type { Command } from 'commander';
import { registerAnalyze } from './analyze.js';
import { registerCompare } from './compare.js';
import { registerLab } from './lab.js';
import { registerServe } from './serve.js';

/** Wires every sub-command. Each command lives in its own file under src/cli/. */
export function registerCommands(program: Command): void {
  program.version('0.1.0');
  registerAnalyze(program);
  registerCompare(program);
  registerLab(program);
  registerServe(program);
}
