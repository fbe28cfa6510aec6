/** The work of `genbound analyze` (loaded only when the command runs: it pulls in the readers and vega). */
import { createEngine } from '../analysis/engine.js';
import { analyzePath } from '../analysis/run.js';
import { analysisTables, writeTables } from '../report/csv.js';
import { writeJson } from '../report/json.js';
import { analysisSummary } from '../report/summary.js';
import { writeAnalysisReport } from '../report/analysis-report.js';
import { type AnalysisCliOptions } from './analyze-options.js';
import { ProgressBar } from '../util/progress.js';
import type { QueueAddress } from '../queue/url.js';
import type { AnalysisResult } from '../types/analysis.js';

/** Runs one analysis with the CLI's options (engine, progress bar); shared with compare. */
export async function analyzeWithOptions(model: string | undefined, o: AnalysisCliOptions, prefix = ''): Promise<AnalysisResult> {
  const engine = createEngine(o.workers);
  const bar = new ProgressBar({ enabled: ProgressBar.wanted(o.progress), format: `${prefix}{bar} {value}/{total} matrices | ETA {eta_formatted} | {status}` });
  try {
    const { workers: _w, progress: _p, json: _j, csv: _c, report: _r, png: _png, ...settings } = o;
    return await analyzePath(model, engine, { ...settings, onProgress: (d, t, l) => bar.update(d, l, t) });
  } finally {
    bar.stop();
    await engine.close();
  }
}

/** `genbound analyze [model]` with commander's raw option values. */
export async function runAnalyze(model: string | undefined, o: AnalysisCliOptions, address?: QueueAddress): Promise<void> {
  // The report draws the spectra (decay, ESD): keep them in memory for it, but write them to
  // JSON/CSV only with --spectra, as documented.
  const oFull = { ...o, spectra: o.spectra === true || o.report !== undefined };
  const full = address ? await (await import('./queue-analyze.js')).analyzeOnQueue(address, model, oFull) : await analyzeWithOptions(model, oFull);
  const result: AnalysisResult = o.spectra ? full : { ...full, matrices: full.matrices.map(({ singularValues: _sv, ...m }) => m) };
  const written: string[] = [];
  if (o.json) {
    writeJson(o.json, result);
    written.push(o.json);
  }
  if (o.csv) written.push(...writeTables(o.csv, analysisTables(result)));
  if (o.report) written.push((await writeAnalysisReport(o.report, full, { png: o.png })).html);
  process.stdout.write(analysisSummary(result));
  if (written.length) process.stdout.write(`\nwrote ${written.join(', ')}\n`);
}
