import { ModelError } from '../errors.js';

/** The norms of one theory matrix that the bounds need (row-vector convention). */
export interface MatrixNorms {
  /** Spectral norm C2 = sigma_1. */
  spectral: number;
  /** Sum of the column norms of the row-vector matrix. */
  norm21: number;
  frobenius: number;
  /** Sum of |entries|; null when not computed (a head product analysed without headL11). */
  norm11: number | null;
}

/** One layer's theory matrices, as needed by alpha_l, gamma and the norm-based baselines. */
export interface LayerSummary {
  mIn: MatrixNorms;
  mOut: MatrixNorms;
  /** Per head h: QK_h and V_tilde_h. */
  qk: MatrixNorms[];
  v: MatrixNorms[];
}

/** What buildLayerSummaries reads from each analysed matrix. */
export interface NormedMatrix extends MatrixNorms {
  layer: number;
  head: number;
  type: string;
}

/**
 * Groups per-matrix norms by layer. Every layer 0..L-1 must have M_in, M_out and, for the same
 * heads 0..H-1, both QK and V_tilde; otherwise a ModelError names what is missing.
 */
export function buildLayerSummaries(matrices: readonly NormedMatrix[], depth: number): LayerSummary[] {
  const layers: { mIn?: MatrixNorms; mOut?: MatrixNorms; qk: MatrixNorms[]; v: MatrixNorms[] }[] = [];
  for (let l = 0; l < depth; l++) layers.push({ qk: [], v: [] });
  for (const m of matrices) {
    const slot = layers[m.layer];
    if (!slot) throw new ModelError(`matrix ${m.type} has layer ${m.layer} outside 0..${depth - 1}`);
    const n: MatrixNorms = { spectral: m.spectral, norm21: m.norm21, frobenius: m.frobenius, norm11: m.norm11 };
    if (m.type === 'M_in') slot.mIn = n;
    else if (m.type === 'M_out') slot.mOut = n;
    else if (m.type === 'QK') slot.qk[m.head] = n;
    else if (m.type === 'V_tilde') slot.v[m.head] = n;
  }
  return layers.map((s, l) => {
    if (!s.mIn) throw new ModelError(`layer ${l} has no M_in (feed-forward input) matrix`);
    if (!s.mOut) throw new ModelError(`layer ${l} has no M_out (feed-forward output) matrix`);
    const heads = Math.max(s.qk.length, s.v.length);
    if (heads === 0) throw new ModelError(`layer ${l} has no attention heads`);
    for (let h = 0; h < heads; h++) {
      if (!s.qk[h]) throw new ModelError(`layer ${l} head ${h} has no QK matrix`);
      if (!s.v[h]) throw new ModelError(`layer ${l} head ${h} has no V_tilde matrix`);
    }
    return { mIn: s.mIn, mOut: s.mOut, qk: s.qk, v: s.v };
  });
}

/**
 * ln alpha_l for every layer (0-based), from ../shared/spec/spectrum-adaptive-bound.md:
 *
 *     alpha_l = prod_{k=l+1..L} L_phi * C2(M_in_k) * C2(M_out_k) * sum_h C2(V_tilde_{k,h}) * (1 + 4 C2(QK_{k,h})),
 *     alpha_L = 1.
 *
 * Summed in log space so deep products neither overflow nor underflow; a zero factor gives -Infinity.
 */
export function logAlphas(layers: readonly LayerSummary[], lPhi: number): Float64Array {
  const L = layers.length;
  const out = new Float64Array(L);
  let acc = 0;
  for (let l = L - 1; l >= 0; l--) {
    out[l] = acc;
    acc += logLayerFactor(layers[l], lPhi);
  }
  return out;
}

/** ln of layer k's factor in alpha: L_phi C2(M_in) C2(M_out) sum_h C2(V_h)(1 + 4 C2(QK_h)). */
export function logLayerFactor(s: LayerSummary, lPhi: number): number {
  let heads = 0;
  for (let h = 0; h < s.v.length; h++) heads += s.v[h].spectral * (1 + 4 * s.qk[h].spectral);
  return Math.log(lPhi) + Math.log(s.mIn.spectral) + Math.log(s.mOut.spectral) + Math.log(heads);
}

/**
 * gamma within a layer (spec): QK: 2 C2(V_tilde same head) C2(M_out) C2(M_in);
 * V_tilde: C2(M_out) C2(M_in); M_in: C2(M_out); M_out: 1.
 */
export function gammaOf(type: string, s: LayerSummary, head: number): number {
  switch (type) {
    case 'QK': return 2 * s.v[head].spectral * s.mOut.spectral * s.mIn.spectral;
    case 'V_tilde': return s.mOut.spectral * s.mIn.spectral;
    case 'M_in': return s.mOut.spectral;
    case 'M_out': return 1;
    default: throw new ModelError(`no gamma is defined for matrix type ${type}`);
  }
}

/** ln(sum_i exp(x_i)), stable; -Infinity for an empty list or all -Infinity. */
export function logSumExp(xs: readonly number[]): number {
  let mx = -Infinity;
  for (const x of xs) if (x > mx) mx = x;
  if (mx === -Infinity) return -Infinity;
  if (mx === Infinity) return Infinity;
  let s = 0;
  for (const x of xs) s += Math.exp(x - mx);
  return mx + Math.log(s);
}
