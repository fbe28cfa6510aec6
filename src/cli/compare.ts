import type { Command } from 'commander';
import { readdir, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { BadFileError, BadOptionError } from '../errors.js';
import { checkOutputs } from '../util/output-targets.js';
import { QUEUE_FLAG, QUEUE_HELP, queueAddress } from './queue.js';
import { addAnalysisOptions, analysisTargets, parseAnalysisOptions } from './analyze-options.js';

const MODEL_FILES = /^(config\.json|model\.json|adapter_config\.json|.*\.(safetensors|onnx|bin|pt|pth|gguf))$/;
const LIST_EXT = new Set(['.txt', '.lst', '.list']);

/**
 * The models named on the command line: paths as given, a folder whose sub-folders are the
 * checkpoints (a folder that itself holds a model counts as one model), or a list file (.txt/.lst/
 * .list: one path per line, relative to the file, '#' comments; read by model-list.ts).
 */
export async function expandModels(args: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const a of args) {
    const st = await stat(a).catch(() => undefined);
    if (!st) throw new BadFileError(a, 'no such file or folder');
    if (st.isDirectory()) {
      const entries = (await readdir(a, { withFileTypes: true })).sort((x, y) => x.name.localeCompare(y.name, 'en', { numeric: true }));
      if (entries.some((e) => e.isFile() && MODEL_FILES.test(e.name))) out.push(a);
      else {
        const subs = entries.filter((e) => e.isDirectory()).map((e) => join(a, e.name));
        if (subs.length === 0) throw new BadFileError(a, 'folder holds neither a model nor model sub-folders');
        out.push(...subs);
      }
    } else if (LIST_EXT.has(extname(a))) {
      // Through the file gate, size and lines bounded, every model checked to exist (model-list.ts).
      out.push(...await (await import('./model-list.js')).readModelList(a));
    } else {
      out.push(a);
    }
  }
  return out;
}

/** Declares `genbound compare`; the work (compare-action.ts) is imported when the command runs. */
export function registerCompare(program: Command): void {
  addAnalysisOptions(program.command('compare <models...>')
    .description('analyse a family of models (paths, a folder of checkpoints, or a list file) and tabulate how each bound grows with depth and width'))
    .option(QUEUE_FLAG, `${QUEUE_HELP}; one job per checkpoint`)
    .action(async (models: string[], { queue, ...raw }: Record<string, string | boolean | undefined>) => {
      // Options, models and outputs are checked before the readers and vega load.
      const o = parseAnalysisOptions(raw);
      if (o.init || o.mergeInto) throw new BadOptionError('compare does not take --init or --merge-into (run analyze per model)');
      const paths = await expandModels(models);
      checkOutputs(analysisTargets(o), { models: paths, files: models });
      const { runCompare } = await import('./compare-action.js');
      await runCompare(paths, o, queueAddress(queue as string | undefined));
    });
}
