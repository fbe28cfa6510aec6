import type { Command } from 'commander';
import { addAnalysisOptions } from './analyze-options.js';

/** Declares `genbound analyze`; the work (analyze-action.ts) is imported when the command runs. */
export function registerAnalyze(program: Command): void {
  addAnalysisOptions(program.command('analyze [model]')
    .description('singular values, norms, ranks and every generalization-bound proxy of a trained Transformer (default: the embedded USE-lite)'))
    .action(async (model: string | undefined, raw: Record<string, string | boolean | undefined>) => {
      const { runAnalyze } = await import('./analyze-action.js');
      await runAnalyze(model, raw);
    });
}
