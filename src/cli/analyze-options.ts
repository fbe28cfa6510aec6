import type { Command } from 'commander';
import { DEFAULT_SETTINGS, resolveSettings, type AnalysisSettings } from '../analysis/settings.js';
import { CSV_FILES } from '../report/csv.js';
import type { OutputTarget } from '../util/output-targets.js';

/** The options analyze and compare share: the analysis settings plus the outputs. */
export interface AnalysisCliOptions extends AnalysisSettings {
  progress?: boolean;
  json?: string;
  csv?: string;
  report?: string;
  png: boolean;
}

export function addAnalysisOptions(cmd: Command): Command {
  return cmd
    .option('--json <file>', 'write the full result as JSON (camelCase keys)')
    .option('--csv <dir>', 'write CSV tables (matrices, bounds, T(p) curves, spectra) into this folder')
    .option('--report <dir>', 'write the HTML report (figures of the paper, sortable tables) into this folder')
    .option('--png', 'with --report: also write PNG figures')
    .option('--spectra', 'include every singular value in the JSON and CSV output')
    .option('--head-l11', 'also the (1,1)-norm of every head product (QK, V_tilde): needed only by the (1,1)-norm proxies norm11Sum and norm11Product; costs every N×N product\'s N²·d multiply-adds (BERT-base: ~9% more CPU on the native backend, ~8x slower head products on --backend js); off: those proxies are "not computed"')
    .option('--convention <name>', 'S(p) for p > 0: consistent (numerical zeros count as zero) or reference (all values of a full SVD)', DEFAULT_SETTINGS.convention)
    .option('--lphi <x>', 'Lipschitz constant of the activation (GELU)', String(DEFAULT_SETTINGS.lPhi))
    .option('--rank-tol <x>', 'numerical rank tolerance: sigma > tol * min(rows, cols) * max(sigma_1, 1)', String(DEFAULT_SETTINGS.rankTol))
    .option('--grid-m <m>', 'Schatten grid {0, 1/m, ..., 2}; default ceil(L + ln N)')
    .option('--heads <n>', 'number of attention heads, where the model does not say')
    .option('--init <checkpoint>', 'analyse the update W - W0 from this initial checkpoint')
    .option('--merge-into <base>', 'for a LoRA adapter: analyse the base model with the update merged in')
    .option('--progress', 'show the progress bar even when stderr is not a terminal')
    .option('--workers <n>', 'worker threads for the spectra: auto (one per core, up to 8, for models of width >= 512; in-process below) or n (1 = in-process)', String(DEFAULT_SETTINGS.workers));
}

/** commander's option values -> validated settings (one validator: analysis/settings.ts). */
export function parseAnalysisOptions(o: Record<string, string | boolean | undefined>): AnalysisCliOptions {
  const { lphi, progress, json, csv, report, png, ...rest } = o;
  const settings = resolveSettings({ ...rest, lPhi: lphi }, 'cli');
  const str = (v: string | boolean | undefined) => (typeof v === 'string' ? v : undefined);
  return { ...settings, progress: progress === true ? true : undefined, json: str(json), csv: str(csv), report: str(report), png: png === true };
}

/** The outputs an analyze/compare run will write, for checkOutputs before it starts. */
export function analysisTargets(o: AnalysisCliOptions): OutputTarget[] {
  const t: OutputTarget[] = [];
  if (o.json !== undefined) t.push({ flag: '--json', path: o.json, kind: 'file' });
  if (o.csv !== undefined) t.push({ flag: '--csv', path: o.csv, kind: 'folder', files: CSV_FILES });
  if (o.report !== undefined) t.push({ flag: '--report', path: o.report, kind: 'report' });
  return t;
}
