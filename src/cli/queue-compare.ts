import type { AnalysisCliOptions } from './analyze-options.js';
import type { AnalysisResult } from '../types/analysis.js';
import type { QueueAddress } from '../queue/url.js';
import { runUnits } from '../queue/submit.js';
import { modelUnits } from '../queue/plan.js';
import { queueProgress } from './queue-progress.js';

/**
 * compare --queue: one job per checkpoint. Each worker analyses its checkpoint exactly as
 * `genbound analyze` would; the results come back in the order of the models, and the growth
 * view is computed here from them, as without a queue.
 */
export async function compareOnQueue(address: QueueAddress, paths: readonly string[], names: readonly string[], o: AnalysisCliOptions): Promise<AnalysisResult[]> {
  const { workers: _w, progress: _p, json: _j, csv: _c, report: _r, png: _png, ...settings } = o;
  const p = queueProgress(o.progress, 'checkpoints');
  try {
    const results = await runUnits(address, (memo) => modelUnits(paths, names, settings, memo), p) as AnalysisResult[];
    // Workers were given absolute paths; record each model's path as it was given here.
    return results.map((r, i) => ({ ...r, model: { ...r.model, source: paths[i] } }));
  } finally {
    p.stop();
  }
}
