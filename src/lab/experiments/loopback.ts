/**
 * The loop back to the bound: each trained lab Transformer is saved as a genbound-transformer
 * folder (config.json + model.safetensors, read by src/models/genbound.ts), analysed by the same
 * pipeline as `genbound analyze`, and its spectrum-adaptive and norm-based proxies are set beside
 * its measured generalisation gap (test − train MSE). Reported: Kendall's τ-b between each proxy
 * and the gap across models, for the raw proxy and for proxy/√m (the bounds' sample-size scaling).
 */
import { join } from 'node:path';
import { saveTransformer, type TransformerRegressor } from '../../nn/index.js';
import { createEngine } from '../../analysis/engine.js';
import { analyzePath } from '../../analysis/run.js';
import { DEFAULT_SETTINGS } from '../../analysis/settings.js';
import { writeFileAtomic } from '../../util/atomic-write.js';
import { NeuralRegressor } from '../models/neural.js';
import { kendallTau } from '../stats.js';
import { BASE_DEFAULTS, checkPositiveInts, fitAndScore, problemOf, testSet, trainingSet, type BaseConfig } from './common.js';
import { defineExperiment, runJobs, type Job } from './experiment.js';
import { table, type Row } from './runner.js';
import { scatterSpec } from './viz.js';

interface LoopbackConfig extends BaseConfig {
  hidden: number[];
  m: number[];
  n: number;
}

export const loopback = defineExperiment<LoopbackConfig>({
  name: 'loopback',
  description: 'train lab Transformers, save them as safetensors, compute spectrum-adaptive and norm-based proxies with the analyze pipeline, and report Kendall τ against the measured generalisation gaps',
  defaults: { ...BASE_DEFAULTS, hidden: [8, 16, 32], m: [32, 64, 128, 256], n: 32, seeds: [1, 2] },
  quick: { hidden: [8, 16], m: [16, 32, 64, 128], n: 16, seeds: [1], testM: 100, size: { hidden: 8, heads: 2, layers: 2, ffnMult: 2 }, train: { steps: 150, batch: 16, lr: 5e-3, weightDecay: 0 } },
  async run(c, ctx) {
    const hs = checkPositiveInts(c.hidden, 'hidden');
    const ms = checkPositiveInts(c.m, 'm');
    const [n] = checkPositiveInts(c.n, 'n');
    const p = problemOf(c);
    const engine = createEngine(1);
    const jobs: Job[] = [];
    try {
      for (const seed of c.seeds) for (const h of hs) for (const m of ms) {
        const id = `${p.family.name}-${p.functional.name}-h${h}-l${c.size.layers}-m${m}-n${n}-s${seed}-st${c.train.steps}`;
        jobs.push({
          key: `loop-${id}`,
          meta: { model: id, hidden: h, m, seed },
          run: async () => {
            const size = { ...c.size, hidden: h, heads: h % c.size.heads === 0 ? c.size.heads : 1 };
            const r = new NeuralRegressor('transformer', p.family.dim, size, { ...c.train, seed });
            const s = fitAndScore(r, trainingSet(p, m, n, seed, c.noise), testSet(p, c.testM, n, seed));
            const dir = join(ctx.out, 'models', id);
            await saveTransformer(r.net as TransformerRegressor, dir, { metadata: { lab: JSON.stringify({ family: c.family, functional: c.functional, m, n, seed }) } });
            writeFileAtomic(join(dir, 'lab.json'), JSON.stringify({ ...s, normalisation: r.normalisation }, null, 1));
            const a = await analyzePath(dir, engine, { ...DEFAULT_SETTINGS, notice: () => {} });
            const out: Row = { ...s };
            for (const [k, v] of Object.entries(a.boundsLog10 ?? {})) out[`log10_${k}`] = v;
            for (const [k, v] of Object.entries(a.bounds)) if (!(`log10_${k}` in out)) out[`log10_${k}`] = Math.log10(v);
            return out;
          },
        });
      }
      const rows = await runJobs(ctx, 'loopback', jobs);
      const proxies = [...new Set(rows.flatMap((r) => Object.keys(r).filter((k) => k.startsWith('log10_'))))];
      const gaps = rows.map((r) => Number(r.gap));
      const taus: Row[] = proxies.map((k) => {
        const raw = rows.map((r) => Number(r[k]));
        const perM = rows.map((r) => Number(r[k]) - 0.5 * Math.log10(Number(r.m)));
        return { proxy: k.slice(6), tauRaw: kendallTau(raw, gaps), tauOverSqrtM: kendallTau(perM, gaps) };
      });
      const sa = proxies.find((k) => /spectrum/i.test(k)) ?? proxies[0];
      return {
        rows,
        summary: { kendallTau: taus, models: rows.length },
        notes: ['Proxies are log10 of the bounds computed by the analyze pipeline on the saved model (attention and FFN matrices; input projection, head and LayerNorm left out, as for any genbound-transformer). The measured gap is test MSE on fresh distributions minus training MSE, in label units.'],
        sections: [{
          title: `Bound proxies against measured gaps (${rows.length} Transformers)`,
          text: 'Kendall τ-b across models between each proxy and the generalisation gap; “over √m” divides the proxy by √m, the sample-size factor of the bounds.',
          figures: sa ? [{ name: 'loopback', title: `${sa.slice(6)} / √m against the gap`, spec: scatterSpec(rows.map((r) => ({ x: Number(r[sa]) - 0.5 * Math.log10(Number(r.m)), y: Number(r.gap), series: `hidden ${r.hidden}` })), { xTitle: `log10 ${sa.slice(6)} − ½ log10 m`, yTitle: 'test − train MSE' }) }] : [],
          tables: [table('tau', 'Kendall τ-b between proxies and gaps', taus, ['proxy', 'tauRaw', 'tauOverSqrtM']), table('models', 'Models', rows, ['model', 'hidden', 'm', 'seed', 'params', 'trainMse', 'testMse', 'gap', ...proxies])],
        }],
      };
    } finally {
      await engine.close();
    }
  },
});
