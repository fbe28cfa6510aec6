import type { Command } from 'commander';
import { addAnalysisOptions } from './analyze-options.js';

/** Declares `genbound compare`; the work (compare-action.ts) is imported when the command runs. */
export function registerCompare(program: Command): void {
  addAnalysisOptions(program.command('compare <models...>')
    .description('analyse a family of models (paths, a folder of checkpoints, or a list file) and tabulate how each bound grows with depth and width'))
    .action(async (models: string[], raw: Record<string, string | boolean | undefined>) => {
      const { runCompare } = await import('./compare-action.js');
      await runCompare(models, raw);
    });
}
