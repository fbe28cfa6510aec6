import type { AnalysisResult, CompareResult } from '../types/analysis.js';
import { writeFileAtomic } from '../util/atomic-write.js';

/**
 * JSON output of analyze/compare (camelCase keys, the contract in src/types/analysis.ts).
 * JSON has no Infinity: a bound that overflows a double is written as null, and its finite
 * log10 stays in `boundsLog10`. Numbers are written with full float64 precision.
 */
export function toJson(result: AnalysisResult | CompareResult): string {
  return `${JSON.stringify(result, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2)}\n`;
}

export function writeJson(path: string, result: AnalysisResult | CompareResult): void {
  writeFileAtomic(path, toJson(result));
}
