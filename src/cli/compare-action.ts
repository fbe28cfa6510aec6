/** The work of `genbound compare` (loaded only when the command runs). */
import { basename, resolve } from 'node:path';
import { growthView } from '../analysis/compare.js';
import { compareTables, writeTables } from '../report/csv.js';
import { writeJson } from '../report/json.js';
import { compareSummary } from '../report/summary.js';
import { writeCompareReport } from '../report/analysis-report.js';
import type { AnalysisCliOptions } from './analyze-options.js';
import type { QueueAddress } from '../queue/url.js';
import { analyzeWithOptions } from './analyze-action.js';

/** `genbound compare` on the expanded model paths, with checked options and outputs (compare.ts). */
export async function runCompare(paths: readonly string[], o: AnalysisCliOptions, address?: QueueAddress): Promise<void> {
  const names = paths.map((p) => basename(resolve(p)));
  const results = [];
  if (address) results.push(...await (await import('./queue-compare.js')).compareOnQueue(address, paths, names, o));
  else {
    for (let i = 0; i < paths.length; i++) {
      results.push(await analyzeWithOptions(paths[i], o, `[${i + 1}/${paths.length}] ${names[i]} `));
    }
  }
  const c = growthView(names, results);
  const written: string[] = [];
  if (o.json) {
    writeJson(o.json, c);
    written.push(o.json);
  }
  if (o.csv) written.push(...writeTables(o.csv, compareTables(c, names)));
  if (o.report) written.push((await writeCompareReport(o.report, c, { png: o.png })).html);
  process.stdout.write(compareSummary(c, names));
  if (written.length) process.stdout.write(`\nwrote ${written.join(', ')}\n`);
}
