/**
 * The lab's comparison statistics on result rows: slopes per model with intervals that resample
 * whole seeds, and paired comparisons of each learner against a reference learner on the same
 * bags (same seed and cell), worded from the interval.
 */
import { pairedRatio, seedSlope } from '../stats.js';
import type { Row } from './runner.js';

/** log(error) against log(x) per model; the interval resamples whole seeds (one seed = one curve). */
export function slopeRows(rows: readonly Row[], x: string, value = 'testMse'): Row[] {
  const models = [...new Set(rows.map((r) => String(r.model)))];
  return models.map((model) => {
    const curves = new Map<number, Map<number, number>>();
    for (const r of rows.filter((q) => q.model === model)) {
      const s = Number(r.seed);
      const c = curves.get(s) ?? new Map<number, number>();
      c.set(Number(r[x]), Number(r[value]));
      curves.set(s, c);
    }
    const e = seedSlope(curves);
    return { model, slope: e.slope, lo95: e.lo, hi95: e.hi, seeds: e.seeds };
  });
}

/**
 * Each learner against `ref` in each cell (rows grouped by `cell` columns): geometric-mean error
 * ratio learner/ref over the seeds both ran, 95 % t-interval, wins, and the verdict ("better" =
 * the learner's error is lower than the reference's with 95 % confidence).
 */
export function pairedRows(rows: readonly Row[], cell: readonly string[], ref: string, value = 'testMse'): Row[] {
  const keyOf = (r: Row): string => cell.map((c) => String(r[c])).join('\u0000');
  const cells = [...new Set(rows.map(keyOf))];
  const models = [...new Set(rows.map((r) => String(r.model)))].filter((m) => m !== ref);
  const out: Row[] = [];
  for (const k of cells) {
    const inCell = rows.filter((r) => keyOf(r) === k);
    const refBySeed = new Map(inCell.filter((r) => r.model === ref).map((r) => [Number(r.seed), Number(r[value])]));
    if (refBySeed.size === 0) continue;
    for (const model of models) {
      const pairs = inCell.filter((r) => r.model === model && refBySeed.has(Number(r.seed)));
      if (pairs.length === 0) continue;
      const c = pairedRatio(pairs.map((r) => Number(r[value])), pairs.map((r) => refBySeed.get(Number(r.seed)) as number));
      const head: Row = {};
      for (const col of cell) head[col] = inCell[0][col];
      out.push({ ...head, model, against: ref, ratio: c.ratio, lo95: c.ci[0], hi95: c.ci[1], pairs: c.pairs, wins: c.wins, verdict: c.verdict });
    }
  }
  return out;
}

/** One sentence per paired row: "merr vs transformer at m = 256: 0.52× (0.41–0.66), better in 8/8 seeds". */
export function pairedSentences(rows: readonly Row[], cell: readonly string[]): string[] {
  const f = (v: unknown): string => Number(v).toPrecision(2);
  return rows.map((r) => {
    const where = cell.map((c) => `${c} = ${r[c]}`).join(', ');
    const word = r.verdict === 'better' ? 'lower error than' : r.verdict === 'worse' ? 'higher error than' : 'not distinguishable from';
    return `${r.model} vs ${r.against} (${where}): error ratio ${f(r.ratio)} (95 % CI ${f(r.lo95)}–${f(r.hi95)}), ${word} ${r.against}; lower in ${r.wins}/${r.pairs} seeds.`;
  });
}

/** The summary of steps and seconds actually used per learner (means over rows). */
export function budgetRows(rows: readonly Row[]): Row[] {
  const models = [...new Set(rows.map((r) => String(r.model)))];
  return models.map((model) => {
    const rs = rows.filter((r) => r.model === model);
    const avg = (k: string): number | null => {
      const v = rs.map((r) => r[k]).filter((x): x is number => typeof x === 'number' && Number.isFinite(x));
      return v.length ? v.reduce((a, b) => a + b, 0) / v.length : null;
    };
    return { model, runs: rs.length, grid: avg('grid'), stepsKept: avg('steps'), bestStep: avg('bestStep'), stepsTotal: avg('stepsTotal'), earlyStopped: avg('stopped'), seconds: avg('seconds'), params: avg('params') };
  });
}
