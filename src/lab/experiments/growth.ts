/**
 * The paper's central figure on models we can train: a depth × width family of lab Transformers
 * (heads = N / headDim) trained with early stopping on one fixed task, every bound computed by the
 * analyze pipeline, and the growth view of `genbound compare` (src/analysis/compare.ts): each
 * proxy divided by its value at the smallest width with the same depth (byWidth) and at the
 * smallest depth with the same width (byDepth), and log-log slopes against width (fixed depth) and
 * depth (fixed width) — here with 95 % intervals that resample whole seeds (one seed = one family).
 * The measured generalisation gap is analysed the same way, and Kendall τ between each proxy and
 * the gap across all models (bootstrap over models) says whether a proxy tracks it.
 */
import { join } from 'node:path';
import { createEngine } from '../../analysis/engine.js';
import { olsSlope } from '../../analysis/compare.js';
import { BadOptionError } from '../../errors.js';
import { Rng } from '../rng.js';
import { mean, tauDifference, tauVerdict, tauWithInterval } from '../stats.js';
import { trainSaveAnalyse } from './analysed.js';
import { BASE_DEFAULTS, checkPositiveInts, problemOf, type BaseConfig } from './common.js';
import { defineExperiment, runJobs, type Job } from './experiment.js';
import { table, type Row } from './runner.js';
import { curveSpec, type Point } from './viz.js';

interface GrowthConfig extends BaseConfig {
  depths: number[];
  widths: number[];
  /** Head dimension: heads = width / headDim. */
  headDim: number;
  m: number;
  n: number;
}

/** Quantities analysed: every bound (log10) and the gap. */
function quantities(rows: readonly Row[]): string[] {
  return [...new Set(rows.flatMap((r) => Object.keys(r).filter((k) => k.startsWith('log10_'))))];
}

/**
 * The analysed value of a row: log10 of a bound; the gap itself (it can be ≤ 0, so no log: its
 * "slope" is the change of the gap in MSE units per decade of width or depth).
 */
function lg(r: Row, q: string): number {
  return q === 'gap' ? Number(r.gap) : Number(r[q]);
}

/** Slope of mean log10 q against log10 of `against` over the rows of the given seeds. */
function slopeOver(rows: readonly Row[], seeds: readonly number[], q: string, against: 'hidden' | 'layers'): number {
  const xs = [...new Set(rows.map((r) => Number(r[against])))].sort((a, b) => a - b);
  const px: number[] = [];
  const py: number[] = [];
  for (const x of xs) {
    const v = seeds.flatMap((s) => rows.filter((r) => Number(r.seed) === s && Number(r[against]) === x).map((r) => lg(r, q))).filter(Number.isFinite);
    if (v.length === 0) continue;
    px.push(Math.log10(x));
    py.push(mean(v));
  }
  return olsSlope(px, py) ?? NaN;
}

function slopeWithInterval(rows: readonly Row[], q: string, against: 'hidden' | 'layers', reps = 1000): { slope: number; lo: number; hi: number } {
  const seeds = [...new Set(rows.map((r) => Number(r.seed)))];
  const slope = slopeOver(rows, seeds, q, against);
  if (seeds.length < 2) return { slope, lo: NaN, hi: NaN };
  const rng = new Rng(7);
  const b: number[] = [];
  for (let i = 0; i < reps; i++) {
    const s = slopeOver(rows, seeds.map(() => seeds[rng.int(seeds.length)]), q, against);
    if (Number.isFinite(s)) b.push(s);
  }
  b.sort((x, y) => x - y);
  return { slope, lo: b[Math.floor(0.025 * b.length)] ?? NaN, hi: b[Math.min(b.length - 1, Math.floor(0.975 * b.length))] ?? NaN };
}

export const growth = defineExperiment<GrowthConfig>({
  name: 'growth',
  description: 'the paper’s growth figure on lab Transformers: depth × width family trained to convergence, every proxy relative to the smallest width/depth, log-log slopes with intervals, beside the measured gap',
  defaults: {
    ...BASE_DEFAULTS, family: { kind: 'rotgauss' }, functional: 'entropy', seeds: [1, 2, 3],
    depths: [1, 2, 4], widths: [16, 32, 64], headDim: 16, m: 256, n: 16,
    train: { steps: 1000, batch: 16, lr: 1e-3, weightDecay: 0, valFraction: 0.2, evalEvery: 50, patience: 5 },
  },
  quick: {
    depths: [1, 2], widths: [16, 32], m: 128, n: 16, testM: 100,
    train: { steps: 300, batch: 16, lr: 3e-3, weightDecay: 0, valFraction: 0.2, evalEvery: 25, patience: 4 },
  },
  async run(c, ctx) {
    const depths = checkPositiveInts(c.depths, 'depths');
    const widths = checkPositiveInts(c.widths, 'widths');
    const [headDim] = checkPositiveInts(c.headDim, 'headDim');
    const [m] = checkPositiveInts(c.m, 'm');
    const [n] = checkPositiveInts(c.n, 'n');
    for (const N of widths) if (N % headDim !== 0) throw new BadOptionError(`config.widths: ${N} is not a multiple of headDim ${headDim}`);
    const p = problemOf(c);
    const engine = createEngine(1);
    const jobs: Job[] = [];
    try {
      for (const seed of c.seeds) for (const L of depths) for (const N of widths) {
        const id = `${p.family.name}-${p.functional.name}-L${L}-N${N}-m${m}-n${n}-s${seed}`;
        const t = c.train;
        jobs.push({
          key: `growth-${id}-st${t.steps}b${t.batch}lr${t.lr}v${t.valFraction}p${t.patience}-t${c.testM}`,
          meta: { model: id, layers: L, hidden: N, heads: N / headDim, seed },
          run: () => trainSaveAnalyse({
            p, config: c, m, n, seed, dir: join(ctx.out, 'models', id),
            size: { hidden: N, heads: N / headDim, layers: L, ffnMult: c.size.ffnMult },
            train: { ...c.train, seed },
          }, engine),
        });
      }
      const rows = await runJobs(ctx, 'growth', jobs);
      const qs = [...quantities(rows), 'gap'];
      const name = (q: string): string => (q.startsWith('log10_') ? q.slice(6) : 'gap (MSE per decade)');
      // ratios (means of log10 over seeds), as compare's growth view
      const cell = (q: string, L: number, N: number): number => mean(rows.filter((r) => Number(r.layers) === L && Number(r.hidden) === N).map((r) => lg(r, q)));
      const ratios: Row[] = [];
      for (const q of quantities(rows)) for (const L of depths) for (const N of widths) {
        ratios.push({ quantity: name(q), layers: L, hidden: N, byWidth: 10 ** (cell(q, L, N) - cell(q, L, widths[0])), byDepth: 10 ** (cell(q, L, N) - cell(q, depths[0], N)) });
      }
      const slopes: Row[] = [];
      for (const q of qs) {
        for (const L of depths) {
          const s = slopeWithInterval(rows.filter((r) => Number(r.layers) === L), q, 'hidden');
          slopes.push({ quantity: name(q), against: 'width', fixed: `L = ${L}`, slope: s.slope, lo95: s.lo, hi95: s.hi });
        }
        for (const N of widths) {
          const s = slopeWithInterval(rows.filter((r) => Number(r.hidden) === N), q, 'layers');
          slopes.push({ quantity: name(q), against: 'depth', fixed: `N = ${N}`, slope: s.slope, lo95: s.lo, hi95: s.hi });
        }
      }
      const gaps = rows.map((r) => Number(r.gap));
      // Paired against the parameter count (same resamples), as loopback does against 1/√m:
      // a proxy earns its training only if it ranks the gaps better than the architecture alone.
      // The parameter count of the bound's matrices (the `paramCount` proxy), not of the whole model.
      const params = rows.map((r) => Number(r.log10_paramCount));
      const taus: Row[] = quantities(rows).map((q) => {
        const x = rows.map((r) => Number(r[q]));
        const t = tauWithInterval(x, gaps);
        const d = tauDifference(x, params, gaps);
        const verdict = tauVerdict(d.ci);
        return { proxy: name(q), tau: t.tau, lo95: t.ci[0], hi95: t.ci[1], vsParamCount: d.diff, vsLo95: d.ci[0], vsHi95: d.ci[1], verdict };
      });
      const degenerate = rows.filter((r) => Number(r.pOptPositive) === 0).length;
      const fig = (q: string, by: 'byWidth' | 'byDepth', fixedKey: 'layers' | 'hidden', x: 'hidden' | 'layers'): Point[] => ratios.filter((r) => r.quantity === name(q)).map((r) => ({ x: Number(r[x]), y: Number(r[by]), lo: Number(r[by]), hi: Number(r[by]), series: `${name(q)}, ${fixedKey === 'layers' ? 'L' : 'N'} = ${r[fixedKey]}` }));
      const sa = qs.find((q) => /spectrum/i.test(q)) ?? qs[0];
      const nb = qs.find((q) => /bartlett/i.test(q)) ?? qs[0];
      return {
        rows,
        summary: {
          models: rows.length,
          degenerateModels: degenerate,
          slopes: slopes.map((s) => ({ quantity: s.quantity, against: s.against, fixed: s.fixed, slope: s.slope, ci: [s.lo95, s.hi95] })),
          kendallTau: taus.map((t) => ({ proxy: t.proxy, tau: t.tau, ci: [t.lo95, t.hi95], minusParamCount: t.vsParamCount, minusCi: [t.vsLo95, t.vsHi95], verdict: t.verdict })),
        },
        notes: [
          `${rows.length} models (${depths.length} depths × ${widths.length} widths × ${c.seeds.length} seeds), heads = N/${headDim}, trained with early stopping on a validation split (at most ${c.train.steps} steps, learning rate ${c.train.lr}).`,
          `Degeneracy: ${degenerate} of ${rows.length} models have p_opt = 0 for every matrix (their spectrum-adaptive value is Σ√(rank·N) + √L).`,
          'Slopes are of log10(bound) against log10(width) at fixed depth and against log10(depth) at fixed width, through the means over seeds; intervals resample whole seeds. Ratios use the seed means of log10. The gap can be zero or negative, so it is not logged: its slope is its change in MSE units per decade.',
        ],
        sections: [{
          title: `Growth with width and depth (${p.family.name} / ${p.functional.name}, m = ${m}, n = ${n})`,
          text: 'As in the paper’s figure: each proxy divided by its value at the smallest width (same depth) and at the smallest depth (same width). The gap is analysed the same way; a proxy that tracks the gap should grow where the gap grows.',
          figures: [
            { name: 'growth-width-sa', title: `${name(sa)} / its value at N = ${widths[0]}`, spec: curveSpec(fig(sa, 'byWidth', 'layers', 'hidden'), { xTitle: 'width N', yTitle: 'ratio to smallest width' }) },
            { name: 'growth-width-nb', title: `${name(nb)} / its value at N = ${widths[0]}`, spec: curveSpec(fig(nb, 'byWidth', 'layers', 'hidden'), { xTitle: 'width N', yTitle: 'ratio to smallest width' }) },
            { name: 'growth-depth-sa', title: `${name(sa)} / its value at L = ${depths[0]}`, spec: curveSpec(fig(sa, 'byDepth', 'hidden', 'layers'), { xTitle: 'depth L', yTitle: 'ratio to smallest depth' }) },
            { name: 'growth-gap', title: 'Measured gap against width', spec: curveSpec(rows.length ? depths.flatMap((L) => widths.map((N) => ({ x: N, y: Math.max(mean(rows.filter((r) => Number(r.layers) === L && Number(r.hidden) === N).map((r) => Number(r.gap))), 1e-12), lo: NaN, hi: NaN, series: `L = ${L}` }))).map((q) => ({ ...q, lo: q.y, hi: q.y })) : [], { xTitle: 'width N', yTitle: 'test − train MSE' }) },
          ],
          tables: [
            table('slopes', 'Log-log slopes (95 % interval, whole seeds resampled)', slopes, ['quantity', 'against', 'fixed', 'slope', 'lo95', 'hi95']),
            table('tau', 'Kendall τ-b between each proxy and the gap across all models (95 % bootstrap over models), and its paired difference from the parameter count’s τ', taus, ['proxy', 'tau', 'lo95', 'hi95', 'vsParamCount', 'vsLo95', 'vsHi95', 'verdict']),
            table('ratios', 'Ratios to the smallest width / depth (seed means)', ratios, ['quantity', 'layers', 'hidden', 'byWidth', 'byDepth']),
            table('models', 'Models', rows, ['model', 'layers', 'hidden', 'heads', 'seed', 'params', 'steps', 'trainMse', 'testMse', 'gap', 'pOptPositive', 'matrices']),
          ],
        }],
      };
    } finally {
      await engine.close();
    }
  },
});
