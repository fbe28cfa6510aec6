/**
 * The attention operator on a (weighted) measure (spec: distribution-regression.md, "The attention
 * operator"): for a measure μ = Σ_j w_j δ_{y_j} and a query x,
 *   Att_μ(x) = Σ_j w_j exp(<Qx, Ky_j>) V y_j / Σ_j w_j exp(<Qx, Ky_j>).
 * With equal weights 1/n on the n tokens of a bag this is softmax self-attention without positional
 * encoding (rows of Q, K, V are the head's projections, row-vector convention x -> W x here with W
 * stored r × d row-major). With a quadrature rule for μ it approximates the population operator.
 */
export interface Head {
  /** r × d, row-major. */
  Q: Float64Array;
  K: Float64Array;
  V: Float64Array;
  r: number;
  d: number;
}

function project(W: Float64Array, r: number, d: number, x: Float64Array, n: number): Float64Array {
  const out = new Float64Array(n * r);
  for (let i = 0; i < n; i++) {
    for (let a = 0; a < r; a++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += W[a * d + j] * x[i * d + j];
      out[i * r + a] = s;
    }
  }
  return out;
}

/**
 * Att_μ at each of the nq query points (nq × d) for the measure (points N × d, weights N); returns
 * nq × r. Log-sum-exp stabilised.
 */
export function attentionOperator(head: Head, points: Float64Array, weights: Float64Array, queries: Float64Array): Float64Array {
  const { r, d } = head;
  const N = weights.length;
  const nq = queries.length / d;
  const q = project(head.Q, r, d, queries, nq);
  const k = project(head.K, r, d, points, N);
  const v = project(head.V, r, d, points, N);
  const out = new Float64Array(nq * r);
  const logits = new Float64Array(N);
  for (let i = 0; i < nq; i++) {
    let mx = -Infinity;
    for (let j = 0; j < N; j++) {
      let s = 0;
      for (let a = 0; a < r; a++) s += q[i * r + a] * k[j * r + a];
      logits[j] = s;
      if (weights[j] > 0 && s > mx) mx = s;
    }
    let z = 0;
    for (let j = 0; j < N; j++) {
      const e = weights[j] * Math.exp(logits[j] - mx);
      z += e;
      for (let a = 0; a < r; a++) out[i * r + a] += e * v[j * r + a];
    }
    for (let a = 0; a < r; a++) out[i * r + a] /= z;
  }
  return out;
}

/** Uniform weights 1/n: the empirical measure of a bag. */
export function uniformWeights(n: number): Float64Array {
  return new Float64Array(n).fill(1 / n);
}
