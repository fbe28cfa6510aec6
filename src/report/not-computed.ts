import { L11_BOUNDS, L11_HINT } from '../bounds/l11.js';
import type { AnalysisResult } from '../types/analysis.js';

/**
 * Bounds a run chose not to compute: null in `bounds` AND in `boundsLog10` (a bound that overflows
 * a double is Infinity in memory, null in JSON, but keeps a finite log10; a result without
 * boundsLog10 says nothing either way and is not read as "not computed"). Today the (1,1)-norm
 * proxies without --head-l11 (src/bounds/l11.ts). Every report (summary, CSV, HTML, compare)
 * says so with the same words instead of a number.
 */
export function notComputed(r: Pick<AnalysisResult, 'bounds' | 'boundsLog10'>, bound: string): boolean {
  return r.bounds[bound] === null && r.boundsLog10 !== undefined && r.boundsLog10[bound] === null;
}

/** "not computed (needs --head-l11)" for the (1,1)-norm proxies, "not computed" otherwise. */
export function notComputedText(bound: string): string {
  return (L11_BOUNDS as readonly string[]).includes(bound) ? `not computed (${L11_HINT})` : 'not computed';
}

/** `cell`, or the not-computed text when the bound was not computed. */
export function boundCell<T>(r: Pick<AnalysisResult, 'bounds' | 'boundsLog10'>, bound: string, cell: T): T | string {
  return notComputed(r, bound) ? notComputedText(bound) : cell;
}
