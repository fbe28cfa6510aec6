import assert from 'node:assert/strict';

/** The spec's accuracy: |σᵢ − σᵢ^ref| ≤ 1e-9·σᵢ^ref + 1e-13·σ₁. */
export function assertClose(got: Float64Array, ref: number[], what: string): void {
  assert.equal(got.length, ref.length, `${what}: number of singular values`);
  const s1 = ref.length ? ref[0] : 0;
  for (let i = 0; i < ref.length; i++) {
    const err = Math.abs(got[i] - ref[i]);
    assert.ok(err <= 1e-9 * ref[i] + 1e-13 * s1, `${what}: σ[${i}] = ${got[i]} vs ${ref[i]} (error ${err})`);
  }
}

/** numpy.linalg.matrix_rank's default tolerance σ₁·max(m, n)·ε. */
export function numericalRank(s: Float64Array, m: number, n: number): number {
  const tol = (s.length ? s[0] : 0) * Math.max(m, n) * 2.220446049250313e-16;
  return s.filter((x) => x > tol).length;
}
