/** The registry of lab experiments (`genbound lab list`). */
import type { Experiment } from './experiment.js';
import { BadOptionError } from '../../errors.js';
import { silentProgress, writeOutputs, type ExperimentOutput, type Progress, type RunContext } from './runner.js';
import { curve, lengthGen, rateM, rateN, surface } from './curves.js';
import { capacity, hierarchy, tokenBudget } from './scaling.js';
import { compression } from './compression.js';
import { finetune } from './finetune.js';
import { loopback } from './loopback.js';
import { growth } from './growth.js';

export const EXPERIMENTS: readonly Experiment[] = [curve, rateM, rateN, surface, hierarchy, compression, capacity, tokenBudget, finetune, lengthGen, loopback, growth];

export function findExperiment(name: string): Experiment | undefined {
  return EXPERIMENTS.find((e) => e.name === name);
}

/** What runExperiment returns: the effective config, the rows and summary, the wall time. */
export interface ExperimentRun {
  config: unknown;
  result: ExperimentOutput;
  seconds: number;
}

/**
 * Runs one lab experiment by name (docs/lab.md): `config` overrides the defaults (after the quick
 * overrides with `quick`); runs are checkpointed under `out`/runs, so a rerun resumes; results.json,
 * results.csv and report/ are written into `out`.
 */
export async function runExperiment(name: string, opts: { out: string; config?: unknown; quick?: boolean; progress?: Progress;
  executor?: (config: unknown) => RunContext['executor'] }): Promise<ExperimentRun> {
  const exp = findExperiment(name);
  if (!exp) throw new BadOptionError(`unknown experiment "${name}" (known: ${EXPERIMENTS.map((e) => e.name).join(', ')})`);
  if (opts.config !== undefined && (typeof opts.config !== 'object' || opts.config === null || Array.isArray(opts.config))) {
    throw new BadOptionError('the experiment config must be an object of config keys');
  }
  const quick = opts.quick === true;
  const config = exp.resolve(opts.config, quick);
  const t0 = performance.now();
  const result = await exp.run(config, { out: opts.out, quick, progress: opts.progress ?? silentProgress, executor: opts.executor?.(config) });
  const seconds = (performance.now() - t0) / 1000;
  await writeOutputs(opts.out, name, config, result, seconds);
  return { config, result, seconds };
}
