/**
 * One analysed training run (loopback, growth): train a lab Transformer, score it, save it as a
 * genbound-transformer folder (config.json + model.safetensors + lab.json with the input and label
 * maps), run the `genbound analyze` pipeline on it, and return the scores, every bound as log10,
 * and the degeneracy counts (matrices with p_opt > 0).
 */
import { join } from 'node:path';
import { saveTransformer, type TransformerRegressor } from '../../nn/index.js';
import { degeneracyOf } from '../../analysis/degeneracy.js';
import type { SpectralEngine } from '../../analysis/engine.js';
import { analyzePath } from '../../analysis/run.js';
import { DEFAULT_SETTINGS } from '../../analysis/settings.js';
import { writeFileAtomic } from '../../util/atomic-write.js';
import { NeuralRegressor } from '../models/neural.js';
import type { SizeConfig, TrainConfig } from '../models/types.js';
import { fitAndScore, testSet, trainingSet, type BaseConfig, type Problem } from './common.js';
import type { Row } from './runner.js';

export interface AnalysedRun {
  p: Problem;
  config: Pick<BaseConfig, 'family' | 'functional' | 'noise' | 'testM'>;
  m: number;
  n: number;
  seed: number;
  size: SizeConfig;
  train: TrainConfig;
  /** Output folder of the saved model. */
  dir: string;
}

export async function trainSaveAnalyse(o: AnalysedRun, engine: SpectralEngine): Promise<Row> {
  const { p, config: c, m, n, seed } = o;
  const r = new NeuralRegressor('transformer', p.family.dim, o.size, o.train);
  const s = fitAndScore(r, trainingSet(p, m, n, seed, c.noise), testSet(p, c.testM, n, seed), c.noise);
  await saveTransformer(r.net as TransformerRegressor, o.dir, { metadata: { lab: JSON.stringify({ family: c.family, functional: c.functional, m, n, seed }) } });
  writeFileAtomic(join(o.dir, 'lab.json'), JSON.stringify({ ...s, normalisation: r.normalisation }, null, 1));
  // headL11: the lab's models are small (the head products' (1,1)-norms cost next to nothing) and
  // its tables keep every proxy, the (1,1)-norm ones included.
  const a = await analyzePath(o.dir, engine, { ...DEFAULT_SETTINGS, headL11: true, notice: () => {} });
  const dg = degeneracyOf(a);
  const out: Row = { ...s, steps: r.report?.stepsRun ?? null, bestStep: r.report?.bestStep ?? null, matrices: dg.matrices, pOptPositive: dg.positive, rankSum: dg.rankValue };
  for (const [k, v] of Object.entries(a.boundsLog10 ?? {})) out[`log10_${k}`] = v;
  for (const [k, v] of Object.entries(a.bounds)) if (!(`log10_${k}` in out)) out[`log10_${k}`] = v === null ? null : Math.log10(v);
  return out;
}
