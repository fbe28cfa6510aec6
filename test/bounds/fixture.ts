import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** test/fixtures/analyze/bounds.json, written by scripts/golden/analyze_bounds.py (numpy). */
export interface FixtureMatrix {
  layer: number; head: number; type: string; rows: number; cols: number; rank: number;
  spectralNorm: number; frobeniusNorm: number; nuclearNorm: number; norm21: number; norm11: number; stableRank: number;
  svFull: number[]; svThin: number[]; alpha: number; gamma: number;
  pOpt: number; contribution: number; tCurve: number[];
  pOptReference: number; contributionReference: number; tCurveReference: number[]; pOptM5: number;
  a?: number[]; aShape?: [number, number]; b?: number[]; bShape?: [number, number]; w?: number[];
}
export interface BoundsFixture {
  L: number; N: number; heads: number; headDim: number; intermediate: number; lPhi: number; rankTol: number;
  gridM: number; grid: number[]; matrices: FixtureMatrix[];
  chain: { spectral: number; norm21: number; frobenius: number; rho: number }[];
  bounds: Record<string, number>;
}

export function loadBoundsFixture(): BoundsFixture {
  const path = fileURLToPath(new URL('../fixtures/analyze/bounds.json', import.meta.url));
  return JSON.parse(readFileSync(path, 'utf8')) as BoundsFixture;
}

/** Relative closeness check with a readable message. */
export function close(actual: number, expected: number, rel: number, what: string): void {
  const err = Math.abs(actual - expected) / Math.max(Math.abs(expected), 1e-300);
  if (!(err <= rel)) throw new Error(`${what}: got ${actual}, expected ${expected} (rel err ${err.toExponential(2)} > ${rel})`);
}
