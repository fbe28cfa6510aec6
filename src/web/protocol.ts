/**
 * What the page, the coordinator worker and the SVD workers say to each other (through Comlink).
 * The page owns every worker; Cancel terminates them all, so no message here needs a "stop".
 */
import type { Matrix, MatrixMeasures, SpectrumWanted } from '../linalg/types.js';
import type { SchattenConvention } from '../measures/schatten.js';
import type { AnalysisResult } from '../types/analysis.js';

/** One file of a dropped model, with its path inside the dropped folder ("" prefix for loose files). */
export interface InputFile {
  /** Relative path with '/' separators, e.g. "bert/model.safetensors" or "model.json". */
  readonly path: string;
  readonly file: File;
}

/** A model to analyse: dropped files (one folder or one file), or a Hugging Face hub id. */
export type ModelInput =
  | { readonly kind: 'files'; readonly name: string; readonly files: readonly InputFile[] }
  | { readonly kind: 'hub'; readonly id: string; readonly revision: string; readonly endpoint: string; readonly token?: string };

/** The analysis settings the page offers (the CLI's, less the path-valued ones). */
export interface WebSettings {
  convention: SchattenConvention;
  lPhi: number;
  rankTol: number;
  gridM?: number;
  heads?: number;
  /** The head products' (1,1)-norms and the (1,1) proxies (AnalysisSettings.headL11). */
  headL11: boolean;
}

export type ProgressFn = (done: number, total: number, label: string) => void;

/** The SVD worker's API (src/web/svd-worker.ts): the js backend, one matrix at a time. */
export interface SvdWorkerApi {
  singularValues(m: Matrix): Float64Array;
  productSingularValues(a: Matrix, b: Matrix): Float64Array;
  /** The backend's measureDense (b absent) or measureProduct (the (1,1)-norm only with `norm11`). */
  measure(a: Matrix, b: Matrix | undefined, spectrum: SpectrumWanted, norm11: boolean): MatrixMeasures;
}

/** The coordinator worker's API (src/web/coordinator-worker.ts). */
export interface CoordinatorApi {
  /**
   * Opens the model (reading it piece by piece), runs the analysis with the SVDs spread over the
   * SVD workers behind `ports`, and returns the result with every singular value kept.
   */
  analyze(input: ModelInput, settings: WebSettings, ports: MessagePort[], onProgress: ProgressFn, onNotice: (line: string) => void): Promise<AnalysisResult>;
}
