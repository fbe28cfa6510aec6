/**
 * Special functions and quadrature rules for the lab's ground truths, in float64.
 * Written by hand because no maintained npm package offers the incomplete beta/gamma functions,
 * digamma and Gauss rules together without a large dependency (checked: @stdlib is 400+ MB).
 * Sources: Lanczos (g = 7, n = 9) for log Gamma; Numerical Recipes (3rd ed.) §6.2 (incomplete
 * gamma by series / continued fraction), §6.4 (incomplete beta by Lentz's continued fraction),
 * §4.6 (Gauss-Legendre and Gauss-Hermite nodes by Newton iteration on the recurrences).
 */

const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** log Γ(x) for x > 0 (Lanczos approximation, relative error ~1e-15; reflection for x < 0.5). */
export function lgamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - lgamma(1 - x);
  const z = x - 1;
  let a = LANCZOS[0];
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += LANCZOS[i] / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Digamma ψ(x) for x > 0: recurrence up to x ≥ 6, then the asymptotic series. */
export function digamma(x: number): number {
  let r = 0;
  while (x < 6) {
    r -= 1 / x;
    x += 1;
  }
  const f = 1 / (x * x);
  return r + Math.log(x) - 0.5 / x - f * (1 / 12 - f * (1 / 120 - f * (1 / 252 - f * (1 / 240 - f / 132))));
}

/** Regularised lower incomplete gamma P(a, x) (NR §6.2). */
export function gammaP(a: number, x: number): number {
  if (x <= 0) return 0;
  const gln = lgamma(a);
  if (x < a + 1) {
    let ap = a;
    let sum = 1 / a;
    let del = sum;
    for (let n = 0; n < 1000; n++) {
      ap += 1;
      del *= x / ap;
      sum += del;
      if (Math.abs(del) < Math.abs(sum) * 1e-16) break;
    }
    return sum * Math.exp(-x + a * Math.log(x) - gln);
  }
  return 1 - gammaQcf(a, x, gln);
}

function gammaQcf(a: number, x: number, gln: number): number {
  const FPMIN = 1e-300;
  let b = x + 1 - a;
  let c = 1 / FPMIN;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 1000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < FPMIN) d = FPMIN;
    c = b + an / c;
    if (Math.abs(c) < FPMIN) c = FPMIN;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-16) break;
  }
  return Math.exp(-x + a * Math.log(x) - gln) * h;
}

/** Standard normal CDF Φ(x) through erf(x/√2) = P(1/2, x²/2). */
export function normalCdf(x: number): number {
  const p = gammaP(0.5, (x * x) / 2);
  return x >= 0 ? 0.5 + 0.5 * p : 0.5 - 0.5 * p;
}

/** Standard normal density. */
export function normalPdf(x: number): number {
  return Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);
}

/** Regularised incomplete beta I_x(a, b) (NR §6.4, Lentz's continued fraction). */
export function betaInc(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const bt = Math.exp(lgamma(a + b) - lgamma(a) - lgamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  if (x < (a + 1) / (a + b + 2)) return (bt * betacf(x, a, b)) / a;
  return 1 - (bt * betacf(1 - x, b, a)) / b;
}

function betacf(x: number, a: number, b: number): number {
  const FPMIN = 1e-300;
  const qab = a + b;
  const qap = a + 1;
  const qam = a - 1;
  let c = 1;
  let d = 1 - (qab * x) / qap;
  if (Math.abs(d) < FPMIN) d = FPMIN;
  d = 1 / d;
  let h = d;
  for (let m = 1; m < 10000; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((qam + m2) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < FPMIN) d = FPMIN;
    c = 1 + aa / c;
    if (Math.abs(c) < FPMIN) c = FPMIN;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (qab + m) * x) / ((a + m2) * (qap + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < FPMIN) d = FPMIN;
    c = 1 + aa / c;
    if (Math.abs(c) < FPMIN) c = FPMIN;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-16) break;
  }
  return h;
}

/** A quadrature rule: nodes and weights. */
export interface Rule {
  x: Float64Array;
  w: Float64Array;
}

/** Gauss-Legendre rule with k nodes on [lo, hi] (NR §4.6 gauleg). */
export function gaussLegendre(k: number, lo = -1, hi = 1): Rule {
  const x = new Float64Array(k);
  const w = new Float64Array(k);
  const xm = 0.5 * (hi + lo);
  const xl = 0.5 * (hi - lo);
  const half = Math.floor((k + 1) / 2);
  for (let i = 0; i < half; i++) {
    let z = Math.cos((Math.PI * (i + 0.75)) / (k + 0.5));
    let pp = 0;
    for (let it = 0; it < 100; it++) {
      let p1 = 1;
      let p2 = 0;
      for (let j = 0; j < k; j++) {
        const p3 = p2;
        p2 = p1;
        p1 = ((2 * j + 1) * z * p2 - j * p3) / (j + 1);
      }
      pp = (k * (z * p1 - p2)) / (z * z - 1);
      const z1 = z;
      z = z1 - p1 / pp;
      if (Math.abs(z - z1) < 1e-15) break;
    }
    x[i] = xm - xl * z;
    x[k - 1 - i] = xm + xl * z;
    w[i] = (2 * xl) / ((1 - z * z) * pp * pp);
    w[k - 1 - i] = w[i];
  }
  return { x, w };
}

/** Composite Gauss-Legendre: `panels` equal panels on [lo, hi], k nodes each. */
export function compositeLegendre(lo: number, hi: number, panels: number, k = 8): Rule {
  const base = gaussLegendre(k);
  const x = new Float64Array(panels * k);
  const w = new Float64Array(panels * k);
  const h = (hi - lo) / panels;
  for (let p = 0; p < panels; p++) {
    const a = lo + p * h;
    for (let j = 0; j < k; j++) {
      x[p * k + j] = a + 0.5 * h * (base.x[j] + 1);
      w[p * k + j] = 0.5 * h * base.w[j];
    }
  }
  return { x, w };
}

/**
 * Gauss-Hermite rule for the standard normal: ∫ g(z) φ(z) dz ≈ Σ w_i g(x_i) (probabilists'
 * weights, Σ w = 1). Nodes from NR §4.6 gauher (physicists' weight e^{-t²}), rescaled z = √2 t.
 */
export function gaussHermiteNormal(k: number): Rule {
  const PIM4 = 0.7511255444649425;
  const t = new Float64Array(k);
  const wt = new Float64Array(k);
  const half = Math.floor((k + 1) / 2);
  let z = 0;
  for (let i = 0; i < half; i++) {
    if (i === 0) z = Math.sqrt(2 * k + 1) - 1.85575 * Math.pow(2 * k + 1, -0.16667);
    else if (i === 1) z -= (1.14 * Math.pow(k, 0.426)) / z;
    else if (i === 2) z = 1.86 * z - 0.86 * t[0];
    else if (i === 3) z = 1.91 * z - 0.91 * t[1];
    else z = 2 * z - t[i - 2];
    let pp = 0;
    for (let it = 0; it < 200; it++) {
      let p1 = PIM4;
      let p2 = 0;
      for (let j = 0; j < k; j++) {
        const p3 = p2;
        p2 = p1;
        p1 = z * Math.sqrt(2 / (j + 1)) * p2 - Math.sqrt(j / (j + 1)) * p3;
      }
      pp = Math.sqrt(2 * k) * p2;
      const z1 = z;
      z = z1 - p1 / pp;
      if (Math.abs(z - z1) < 1e-14) break;
    }
    t[i] = z;
    t[k - 1 - i] = -z;
    wt[i] = 2 / (pp * pp);
    wt[k - 1 - i] = wt[i];
  }
  const x = new Float64Array(k);
  const w = new Float64Array(k);
  for (let i = 0; i < k; i++) {
    x[i] = Math.SQRT2 * t[i];
    w[i] = wt[i] / Math.sqrt(Math.PI);
  }
  return { x, w };
}

/** Root of a monotone increasing g on [lo, hi] with g(lo) ≤ target ≤ g(hi), by bisection. */
export function bisect(g: (x: number) => number, target: number, lo: number, hi: number, tol = 1e-13): number {
  for (let it = 0; it < 200 && hi - lo > tol * Math.max(1, Math.abs(lo) + Math.abs(hi)); it++) {
    const mid = 0.5 * (lo + hi);
    if (g(mid) < target) lo = mid;
    else hi = mid;
  }
  return 0.5 * (lo + hi);
}
