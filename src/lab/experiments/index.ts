/** The registry of lab experiments (`genbound lab list`). */
import type { Experiment } from './experiment.js';
import { lengthGen, rateM, rateN, surface } from './curves.js';
import { capacity, hierarchy, tokenBudget } from './scaling.js';
import { compression } from './compression.js';
import { finetune } from './finetune.js';
import { loopback } from './loopback.js';

export const EXPERIMENTS: readonly Experiment[] = [rateM, rateN, surface, hierarchy, compression, capacity, tokenBudget, finetune, lengthGen, loopback];

export function findExperiment(name: string): Experiment | undefined {
  return EXPERIMENTS.find((e) => e.name === name);
}
