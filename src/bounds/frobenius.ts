import type { ChainLink } from './bartlett.js';

/**
 * Frobenius-product baseline, after Neyshabur, Tomioka & Srebro (2015), "Norm-based capacity
 * control in neural networks" (the product of the layers' Frobenius norms, here with the
 * activations' Lipschitz constants):
 *
 *     B_frob = prod_i rho_i ||A_i||_F
 *
 * over the same chain as bartlett.ts. Log space.
 */
export function frobeniusProductBound(chain: readonly ChainLink[]): { value: number; log: number } {
  let log = 0;
  for (const c of chain) log += Math.log(c.rho) + Math.log(c.frobenius);
  return { value: Math.exp(log), log };
}
