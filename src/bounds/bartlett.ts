import { logSumExp } from './layer-summary.js';

/**
 * One linear map of the chain the layerwise baselines see. genbound's chain, per layer l in order:
 *   1. V_l = sum_h V_tilde_{l,h} = W_V W_O, the whole value-output map of the attention (N x N),
 *      rho = 1 (the attention pattern itself, a row-stochastic averaging of tokens, is treated as
 *      fixed: the spectral/(2,1) bound has no term for the QK bilinear forms);
 *   2. M_in_l (N x 4N), rho = L_phi (the GELU's Lipschitz constant);
 *   3. M_out_l (4N x N), rho = 1.
 * Residual connections, biases and LayerNorm are left out, as in the paper's proxies.
 */
export interface ChainLink {
  name: string;
  /** ||A||_sigma. */
  spectral: number;
  /** ||A^T||_{2,1} of the column-vector matrix = sum of column norms of the row-vector matrix. */
  norm21: number;
  frobenius: number;
  /** Lipschitz constant of the activation that follows. */
  rho: number;
}

/**
 * Bartlett, Foster & Telgarsky (2017), "Spectrally-normalized margin bounds for neural networks",
 * Thm 1.1, spectral complexity with reference matrices M_i = 0 (or W_0 with --init):
 *
 *     R = ( prod_i rho_i ||A_i||_sigma ) * ( sum_i ( ||A_i^T||_{2,1} / ||A_i||_sigma )^(2/3) )^(3/2)
 *
 * over the chain of ChainLink (above). Evaluated in log space.
 */
export function bartlettBound(chain: readonly ChainLink[]): { value: number; log: number } {
  let logProd = 0;
  const ratios: number[] = [];
  for (const c of chain) {
    logProd += Math.log(c.rho) + Math.log(c.spectral);
    ratios.push((2 / 3) * (Math.log(c.norm21) - Math.log(c.spectral)));
  }
  const log = logProd + 1.5 * logSumExp(ratios);
  return { value: Math.exp(log), log };
}
