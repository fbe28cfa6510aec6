/**
 * Parameter-efficient fine-tuning (Liu & Zhou's claim 5): a Transformer pretrained on a source
 * task (family, functional) is adapted to a target task by prompt tuning (P learnable tokens,
 * Lester et al. 2021), LoRA on the attention projections (Hu et al. 2022), the head only, or all
 * weights, against training from scratch; for each target sample size m_t the generalisation gap
 * (test − train MSE) is set against the number of tuned parameters.
 */
import { Rng as NnRng, type TransformerRegressor } from '../../nn/index.js';
import { BadOptionError } from '../../errors.js';
import type { FamilyConfig } from '../families.js';
import type { FunctionalConfig } from '../functionals.js';
import { NeuralRegressor } from '../models/neural.js';
import { mse } from '../data.js';
import { BASE_DEFAULTS, checkPositiveInts, problemOf, testSet, trainingSet, type BaseConfig } from './common.js';
import { defineExperiment, runJobs, type Job } from './experiment.js';
import { table } from './runner.js';
import { aggregate, curveSpec, scatterSpec } from './viz.js';

const METHODS = ['prompt', 'lora', 'head', 'full', 'scratch'] as const;
type Method = (typeof METHODS)[number];

interface FinetuneConfig extends BaseConfig {
  target: { family: FamilyConfig; functional: FunctionalConfig };
  sourceM: number;
  targetM: number[];
  n: number;
  methods: Method[];
  promptTokens: number;
  loraRank: number;
  finetuneSteps: number;
}

export const finetune = defineExperiment<FinetuneConfig>({
  name: 'finetune',
  description: 'prompt tuning / LoRA / head-only / full fine-tuning vs scratch: generalisation gap against tuned parameters and target sample size',
  defaults: {
    ...BASE_DEFAULTS,
    functional: 'variance',
    target: { family: { kind: 'beta' }, functional: 'gini' },
    sourceM: 512,
    targetM: [16, 32, 64, 128],
    n: 32,
    methods: [...METHODS],
    promptTokens: 4,
    loraRank: 2,
    finetuneSteps: 200,
  },
  quick: {
    sourceM: 128, targetM: [8, 16, 32, 64], n: 16, seeds: [1, 2], testM: 100, finetuneSteps: 100,
    size: { hidden: 8, heads: 2, layers: 1, ffnMult: 2 }, train: { steps: 200, batch: 16, lr: 5e-3, weightDecay: 0 },
  },
  async run(c, ctx) {
    const tms = checkPositiveInts(c.targetM, 'targetM');
    const [n] = checkPositiveInts(c.n, 'n');
    const [sourceM] = checkPositiveInts(c.sourceM, 'sourceM');
    if (!Array.isArray(c.methods) || c.methods.some((m) => !METHODS.includes(m))) {
      throw new BadOptionError(`config.methods: expected a list from ${METHODS.join(', ')}`);
    }
    const src = problemOf(c);
    const tgt = problemOf(c.target);
    if (src.family.dim !== tgt.family.dim) throw new BadOptionError('config.target: the target family must have the same dimension as the source family');
    const pretrained = new Map<number, Map<string, Float32Array | Float64Array>>();
    const pretrain = (seed: number): Map<string, Float32Array | Float64Array> => {
      let snap = pretrained.get(seed);
      if (!snap) {
        const base = new NeuralRegressor('transformer', src.family.dim, c.size, { ...c.train, seed });
        const ds = trainingSet(src, sourceM, n, seed, c.noise);
        base.fit(ds.bags, ds.y);
        snap = new Map((base.net as TransformerRegressor).namedParameters().map(([k, t]) => [k, t.data.slice()]));
        pretrained.set(seed, snap);
      }
      return snap;
    };
    const jobs: Job[] = [];
    const tag = `${JSON.stringify([c.family, c.functional, c.target]).replace(/\W+/g, '')}`.slice(0, 60);
    for (const seed of c.seeds) for (const method of c.methods) for (const mt of tms) {
      jobs.push({
        key: `ft-${tag}-${method}-mt${mt}-ms${sourceM}-n${n}-s${seed}-h${c.size.hidden}-st${c.train.steps}-ft${c.finetuneSteps}-P${c.promptTokens}-r${c.loraRank}`,
        meta: { method, targetM: mt, seed },
        run: () => {
          const steps = method === 'scratch' ? c.train.steps : c.finetuneSteps;
          const r = new NeuralRegressor('transformer', tgt.family.dim, c.size, { ...c.train, steps, seed: seed + 500 });
          if (method !== 'scratch') {
            const net = r.build() as TransformerRegressor;
            net.loadParameters(pretrain(seed));
            const rng = new NnRng(seed + 900);
            if (method === 'prompt') net.enablePromptTuning(c.promptTokens, rng);
            else if (method === 'lora') net.enableLora(c.loraRank, { rng });
            else if (method === 'head') net.enableHeadOnly();
            r.net = net;
          }
          const tr = trainingSet(tgt, mt, n, seed + 31, c.noise);
          const t0 = performance.now();
          r.prepare(tr.bags, tr.y);
          const trainMse = r.trainSteps(tr.bags, tr.y, { ...c.train, steps, seed: seed + 500 });
          const ts = testSet(tgt, c.testM, n, seed + 31);
          const testMse = mse(r.predict(ts.bags), ts.truth);
          return { tuned: (r.net as TransformerRegressor).numParameters(true), trainMse, testMse, gap: testMse - trainMse, seconds: (performance.now() - t0) / 1000 };
        },
      });
    }
    const rows = await runJobs(ctx, 'finetune', jobs);
    const largest = Math.max(...tms);
    return {
      rows,
      summary: {},
      notes: [`Source: ${src.family.name} / ${src.functional.name} with m = ${sourceM}; target: ${tgt.family.name} / ${tgt.functional.name}; n = ${n}. “tuned” counts the trainable parameters of each method (LoRA rank ${c.loraRank} on q, k, v, o; ${c.promptTokens} prompt tokens).`],
      sections: [{
        title: 'Generalisation gap and test error against the target sample size',
        figures: [
          { name: 'ft-gap', title: 'Gap (test − train MSE) against target m', spec: curveSpec(aggregate(rows, 'targetM', 'gap', (r) => String(r.method)), { xTitle: 'target m', yTitle: 'test − train MSE', logY: false }) },
          { name: 'ft-test', title: 'Test MSE against target m', spec: curveSpec(aggregate(rows, 'targetM', 'testMse', (r) => String(r.method)), { xTitle: 'target m', yTitle: 'test MSE' }) },
          { name: 'ft-params', title: `Gap against tuned parameters (all target m)`, spec: scatterSpec(rows.map((r) => ({ x: Number(r.tuned), y: Number(r.gap), series: `m_t=${r.targetM}` })), { xTitle: 'tuned parameters', yTitle: 'test − train MSE', logX: true }) },
        ],
        tables: [table('finetune', `All runs (largest target m = ${largest})`, rows, ['method', 'targetM', 'seed', 'tuned', 'trainMse', 'testMse', 'gap', 'seconds'])],
      }],
    };
  },
});
