import { logAlphas, logSumExp, type LayerSummary } from './layer-summary.js';

/**
 * The norm-based baseline ("Edelman et al." in the figures of Sakai & Imaizumi 2026, after
 * Edelman, Goel, Kakade & Zhang 2022), as fixed in ../shared/spec/spectrum-adaptive-bound.md:
 *
 *     B_edelman = ( 1 + sum_l alpha_l^(2/3) xi_l )^(3/2)
 *     xi_l = sum_h [ (C2(M_out) C2(M_in) C2(V_h) ||QK_h||_{2,1})^(2/3) + (C2(M_out) C2(M_in) ||V_h||_{2,1})^(2/3) ]
 *            + (C2(M_out) ||M_in||_{2,1})^(2/3) + ||M_out||_{2,1}^(2/3)
 *
 * with the same alpha_l as the spectrum-adaptive proxy and (2,1) = sum of column norms of the
 * row-vector matrix. Evaluated in log space (log-sum-exp).
 */
export function edelmanBound(layers: readonly LayerSummary[], lPhi: number): { value: number; log: number } {
  const la = logAlphas(layers, lPhi);
  const terms: number[] = [0];
  const ln = Math.log;
  layers.forEach((s, l) => {
    const a = la[l];
    const outIn = ln(s.mOut.spectral) + ln(s.mIn.spectral);
    for (let h = 0; h < s.qk.length; h++) {
      terms.push((2 / 3) * (a + outIn + ln(s.v[h].spectral) + ln(s.qk[h].norm21)));
      terms.push((2 / 3) * (a + outIn + ln(s.v[h].norm21)));
    }
    terms.push((2 / 3) * (a + ln(s.mOut.spectral) + ln(s.mIn.norm21)));
    terms.push((2 / 3) * (a + ln(s.mOut.norm21)));
  });
  const log = 1.5 * logSumExp(terms);
  return { value: Math.exp(log), log };
}
