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
 */
export function norm11Quantities(layers: readonly LayerSummary[], lPhi: number): {
  sum: number; product: number; logProduct: number; perLayer: number[];
} {
  let sum = 0;
  let logProduct = 0;
  const perLayer: number[] = [];
  for (const s of layers) {
    let layerSum = s.mIn.norm11 + s.mOut.norm11;
    const heads: number[] = [];
    for (let h = 0; h < s.v.length; h++) {
      layerSum += s.v[h].norm11 + s.qk[h].norm11;
      heads.push(Math.log(s.v[h].norm11) + Math.log(1 + 4 * s.qk[h].norm11));
    }
    perLayer.push(layerSum);
    sum += layerSum;
    logProduct += Math.log(lPhi) + Math.log(s.mIn.norm11) + Math.log(s.mOut.norm11) + logSumExp(heads);
  }
  return { sum, product: Math.exp(logProduct), logProduct, perLayer };
}
