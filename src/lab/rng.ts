import { Rng as Xoshiro } from '../nn/rng.js';

/**
 * Seeded pseudo-random numbers for the lab: the same xoshiro128** generator as src/nn/rng.ts
 * (seeded through splitmix32, 53-bit uniforms, Box-Muller normals), plus what the lab's samplers
 * need. Everything the lab draws goes through one of these, so a run is reproducible bit for bit
 * from its seed. `fork(k)` derives an independent stream (seeded from this stream's seed and k),
 * so that e.g. the first-stage draw of distribution i does not depend on how many samples other
 * bags used.
 */
export class Rng extends Xoshiro {
  constructor(readonly seed: number) {
    super(seed);
  }

  /** A derived, independent stream: same parent seed and k give the same stream. */
  fork(k: number): Rng {
    return new Rng((Math.imul(this.seed ^ 0x5bd1e995, 0x27d4eb2d) + Math.imul(k + 1, 0x165667b1)) >>> 0);
  }

  /** Uniform on (0, 1): never exactly 0 (safe under log). */
  uniformOpen(): number {
    let u = this.uniform();
    while (u === 0) u = this.uniform();
    return u;
  }

  /** Uniform on [lo, hi). */
  range(lo: number, hi: number): number {
    return lo + (hi - lo) * this.uniform();
  }

  /**
   * Uniform integer in [0, k) as floor(uniform·k): two outputs per draw, unlike the base class's
   * rejection sampler; kept so the lab's recorded streams stay what they were.
   */
  override int(k: number): number {
    return Math.floor(this.uniform() * k);
  }

  /** Gamma(shape, 1) by Marsaglia & Tsang (2000); shape < 1 via the U^(1/shape) boost. */
  gamma(shape: number): number {
    if (shape < 1) return this.gamma(shape + 1) * Math.pow(this.uniformOpen(), 1 / shape);
    const d = shape - 1 / 3;
    const c = 1 / Math.sqrt(9 * d);
    for (;;) {
      let x: number;
      let v: number;
      do {
        x = this.normal();
        v = 1 + c * x;
      } while (v <= 0);
      v = v * v * v;
      const u = this.uniformOpen();
      if (u < 1 - 0.0331 * x * x * x * x) return d * v;
      if (Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
    }
  }

  /** Beta(a, b) as G_a / (G_a + G_b). */
  beta(a: number, b: number): number {
    const x = this.gamma(a);
    const y = this.gamma(b);
    return x / (x + y);
  }

  /** Dirichlet(alpha) as normalised gammas. */
  dirichlet(alpha: readonly number[]): number[] {
    const g = alpha.map((a) => this.gamma(a));
    const s = g.reduce((p, q) => p + q, 0);
    return g.map((v) => v / s);
  }

  /** Index drawn with probabilities proportional to `p` (cumulative search). */
  categorical(p: ArrayLike<number>): number {
    let total = 0;
    for (let i = 0; i < p.length; i++) total += p[i];
    let u = this.uniform() * total;
    for (let i = 0; i < p.length; i++) {
      u -= p[i];
      if (u < 0) return i;
    }
    return p.length - 1;
  }
}
