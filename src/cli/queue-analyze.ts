import type { AnalysisCliOptions } from './analyze-options.js';
import type { AnalysisResult } from '../types/analysis.js';
import type { QueueAddress } from '../queue/url.js';
import { runUnits } from '../queue/submit.js';
import { planAnalyze, type AnalyzePlan } from '../queue/plan-analyze.js';
import { queueProgress } from './queue-progress.js';

/** analyze --queue: one job per layer, merged here by the pipeline's own mergeLayers. */
export async function analyzeOnQueue(address: QueueAddress, model: string | undefined, o: AnalysisCliOptions): Promise<AnalysisResult> {
  const { workers: _w, progress: _p, json: _j, csv: _c, report: _r, png: _png, ...settings } = o;
  let plan: AnalyzePlan | undefined;
  const p = queueProgress(o.progress, 'units');
  try {
    const results = await runUnits(address, async (memo) => {
      plan = await planAnalyze(model, settings, memo);
      return plan.units;
    }, p);
    return (plan as AnalyzePlan).merge(results);
  } finally {
    p.stop();
  }
}
