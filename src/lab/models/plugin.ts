import type { Bags } from '../data.js';
import type { Functional } from '../functionals.js';
import type { Regressor } from './types.js';

/**
 * The plug-in estimate f(μ̂_n): the functional evaluated on each bag's empirical measure. It knows
 * f and learns nothing, so it has no first-stage error. It is one classical estimator of f, not a
 * floor: for the entropy it is Vasicek's m-spacing estimate, which is biased at small n (downwards
 * by O(m/n)), and a learner that corrects the bias from labelled bags can beat it.
 */
export class PluginEstimator implements Regressor {
  readonly kind = 'plugin' as const;
  readonly paramCount = 0;
  constructor(readonly functional: Functional) {}
  fit(train: Bags, y: Float64Array): number {
    const p = this.predict(train);
    let s = 0;
    for (let i = 0; i < y.length; i++) s += (p[i] - y[i]) ** 2;
    return s / y.length;
  }
  predict(bags: Bags): Float64Array {
    const { m, n, d } = bags;
    const out = new Float64Array(m);
    for (let i = 0; i < m; i++) out[i] = this.functional.plugin(bags.x.subarray(i * n * d, (i + 1) * n * d), n, d, bags.discrete);
    return out;
  }
}
