/**
 * Parameter-count baseline: the number of weights in the analysed matrices (the classic
 * VC-style capacity measure that grows linearly with parameters; biases, LayerNorm and
 * embeddings are left out like in the other proxies). A factored head product A·B counts the
 * entries of both factors, so W_Q, W_K, W_V, W_O are each counted once (under grouped-query
 * attention a shared K/V slice is counted once per query head that uses it).
 */
export interface ParamShape {
  /** Shapes of the stored factors, or of the dense matrix. */
  shapes: readonly (readonly [number, number])[];
}

export function parameterCount(matrices: readonly ParamShape[]): number {
  let n = 0;
  for (const m of matrices) for (const [r, c] of m.shapes) n += r * c;
  return n;
}
