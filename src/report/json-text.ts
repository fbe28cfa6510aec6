import type { AnalysisResult, CompareResult } from '../types/analysis.js';

/**
 * JSON output of analyze/compare (camelCase keys, the contract in src/types/analysis.ts), as text
 * (platform-neutral: json.ts writes it, the browser page offers it as a download).
 * JSON has no Infinity: a bound that overflows a double is written as null, and its finite
 * log10 stays in `boundsLog10`. Numbers are written with full float64 precision.
 */
export function toJson(result: AnalysisResult | CompareResult): string {
  return `${JSON.stringify(result, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2)}\n`;
}
