import type { Command } from 'commander';
import { addAnalysisOptions, analysisTargets, parseAnalysisOptions } from './analyze-options.js';
import { defaultModelPath } from '../models/paths.js';
import { checkOutputs } from '../util/output-targets.js';
import { QUEUE_FLAG, QUEUE_HELP, queueAddress } from './queue.js';

/** Declares `genbound analyze`; the work (analyze-action.ts) is imported when the command runs. */
export function registerAnalyze(program: Command): void {
  addAnalysisOptions(program.command('analyze [model]')
    .description('singular values, norms, ranks and every generalization-bound proxy of a trained Transformer (default: the embedded USE-lite)'))
    .option(QUEUE_FLAG, `${QUEUE_HELP}; one job per layer`)
    .action(async (model: string | undefined, { queue, ...raw }: Record<string, string | boolean | undefined>) => {
      // Options and outputs are checked before the readers and vega load, so a refusal is immediate.
      const o = parseAnalysisOptions(raw);
      const inputs = [model ?? defaultModelPath(), o.init, o.mergeInto].filter((p): p is string => p !== undefined);
      checkOutputs(analysisTargets(o), { models: inputs });
      const { runAnalyze } = await import('./analyze-action.js');
      await runAnalyze(model, o, queueAddress(queue as string | undefined));
    });
}
