import type { Command } from 'commander';
import { BadOptionError } from '../errors.js';
import { DEFAULT_LPHI } from '../bounds/spectrum-adaptive.js';
import { DEFAULT_RANK_TOL } from '../measures/rank.js';
import type { SchattenConvention } from '../measures/schatten.js';

/** The options analyze and compare share, as parsed from the command line. */
export interface AnalysisCliOptions {
  convention: SchattenConvention;
  lphi: number;
  rankTol: number;
  gridM?: number;
  heads?: number;
  init?: string;
  mergeInto?: string;
  spectra: boolean;
  progress?: boolean;
  workers: number;
  json?: string;
  csv?: string;
  report?: string;
  png: boolean;
}

interface RawOptions {
  convention?: string; lphi?: string; rankTol?: string; gridM?: string; heads?: string; init?: string; mergeInto?: string;
  spectra?: boolean; progress?: boolean; workers?: string; json?: string; csv?: string; report?: string; png?: boolean;
}

export function addAnalysisOptions(cmd: Command): Command {
  return cmd
    .option('--json <file>', 'write the full result as JSON (camelCase keys)')
    .option('--csv <dir>', 'write CSV tables (matrices, bounds, T(p) curves, spectra) into this folder')
    .option('--report <dir>', 'write the HTML report (figures of the paper, sortable tables) into this folder')
    .option('--png', 'with --report: also write PNG figures')
    .option('--spectra', 'include every singular value in the JSON and CSV output')
    .option('--convention <name>', 'S(p) for p > 0: consistent (numerical zeros count as zero) or reference (all values of a full SVD)', 'consistent')
    .option('--lphi <x>', 'Lipschitz constant of the activation (GELU)', String(DEFAULT_LPHI))
    .option('--rank-tol <x>', 'numerical rank tolerance: sigma > tol * min(rows, cols) * max(sigma_1, 1)', String(DEFAULT_RANK_TOL))
    .option('--grid-m <m>', 'Schatten grid {0, 1/m, ..., 2}; default ceil(L + ln N)')
    .option('--heads <n>', 'number of attention heads, where the model does not say')
    .option('--init <checkpoint>', 'analyse the update W - W0 from this initial checkpoint')
    .option('--merge-into <base>', 'for a LoRA adapter: analyse the base model with the update merged in')
    .option('--progress', 'show the progress bar even when stderr is not a terminal')
    .option('--workers <n>', 'worker threads for the SVDs (1 = in-process)', '1');
}

function number(v: string | undefined, flag: string, check: (x: number) => boolean, what: string): number | undefined {
  if (v === undefined) return undefined;
  const x = Number(v);
  if (v.trim() === '' || !Number.isFinite(x) || !check(x)) throw new BadOptionError(`${flag} must be ${what} (got ${JSON.stringify(v)})`);
  return x;
}

export function parseAnalysisOptions(o: RawOptions): AnalysisCliOptions {
  const convention = o.convention ?? 'consistent';
  if (convention !== 'consistent' && convention !== 'reference') {
    throw new BadOptionError(`--convention must be consistent or reference (got ${JSON.stringify(convention)})`);
  }
  const posInt = (x: number) => Number.isInteger(x) && x >= 1;
  return {
    convention,
    lphi: number(o.lphi, '--lphi', (x) => x > 0, 'a positive number') ?? DEFAULT_LPHI,
    rankTol: number(o.rankTol, '--rank-tol', (x) => x >= 0, 'a non-negative number') ?? DEFAULT_RANK_TOL,
    gridM: number(o.gridM, '--grid-m', posInt, 'a positive integer'),
    heads: number(o.heads, '--heads', posInt, 'a positive integer'),
    workers: number(o.workers, '--workers', posInt, 'a positive integer') ?? 1,
    init: o.init, mergeInto: o.mergeInto, spectra: o.spectra === true, progress: o.progress, json: o.json, csv: o.csv, report: o.report, png: o.png === true,
  };
}
