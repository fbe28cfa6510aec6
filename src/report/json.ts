import type { AnalysisResult, CompareResult } from '../types/analysis.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { toJson } from './json-text.js';

export { toJson } from './json-text.js';

/** Writes the JSON of analyze/compare (json-text.ts) atomically. */
export function writeJson(path: string, result: AnalysisResult | CompareResult): void {
  writeFileAtomic(path, toJson(result));
}
