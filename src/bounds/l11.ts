import { logSumExp, type LayerSummary } from './layer-summary.js';

/**
 * (1,1)-norm quantities, after Trauger & Tewari (2024), "Sequence length independent norm-based
 * generalization bounds for transformers" (AISTATS), whose covering numbers are driven by the
 * (1,1)-norms (sum of |entries|) of the attention and feed-forward weights.
 *
 *     norm11Sum     = sum over every theory matrix of ||W||_{1,1}
 *     norm11Product = prod_l L_phi ||M_in_l||_{1,1} ||M_out_l||_{1,1} sum_h ||V_{l,h}||_{1,1} (1 + 4 ||QK_{l,h}||_{1,1})
 *
 * norm11Product is alpha_0's layer product of the spectrum-adaptive proxy taken over all L layers,
 * with each spectral norm replaced by the (1,1)-norm that bounds it from above
 * (||A||_sigma <= ||A||_F <= ||A||_{1,1}): the depth/width growth of a (1,1)-norm Lipschitz
 * product, not a reproduction of Trauger & Tewari's constants. Log space.
 *
 * Both need the (1,1)-norm of every head product, which the analysis computes only with
 * `headL11` (--head-l11): null when any matrix lacks its (1,1)-norm — never a partial sum.
 */
export function norm11Quantities(layers: readonly LayerSummary[], lPhi: number): {
  sum: number; product: number; logProduct: number; perLayer: number[];
} | null {
  let sum = 0;
  let logProduct = 0;
  const perLayer: number[] = [];
  for (const s of layers) {
    const mIn = s.mIn.norm11, mOut = s.mOut.norm11;
    if (mIn === null || mOut === null) return null;
    let layerSum = mIn + mOut;
    const heads: number[] = [];
    for (let h = 0; h < s.v.length; h++) {
      const v = s.v[h].norm11, qk = s.qk[h].norm11;
      if (v === null || qk === null) return null;
      layerSum += v + qk;
      heads.push(Math.log(v) + Math.log(1 + 4 * qk));
    }
    perLayer.push(layerSum);
    sum += layerSum;
    logProduct += Math.log(lPhi) + Math.log(mIn) + Math.log(mOut) + logSumExp(heads);
  }
  return { sum, product: Math.exp(logProduct), logProduct, perLayer };
}

/** The bounds that need every head product's (1,1)-norm, and the hint shown where they are not computed. */
export const L11_BOUNDS = ['norm11Sum', 'norm11Product'] as const;
export const L11_HINT = 'needs --head-l11';
