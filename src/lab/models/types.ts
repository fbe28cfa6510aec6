import type { Bags } from '../data.js';

export type ModelKind = 'transformer' | 'deepsets' | 'fcn' | 'cnn' | 'ridge' | 'merr' | 'plugin';
export const MODEL_KINDS: readonly ModelKind[] = ['transformer', 'deepsets', 'fcn', 'cnn', 'ridge', 'merr', 'plugin'];
export type NeuralKind = Exclude<ModelKind, 'ridge' | 'merr' | 'plugin'>;
export const NEURAL_KINDS: readonly NeuralKind[] = ['transformer', 'deepsets', 'fcn', 'cnn'];

/** A learner of y ≈ f(μ) from bags. */
export interface Regressor {
  readonly kind: ModelKind;
  /** Trainable parameters (random features and frozen parts excluded). */
  readonly paramCount: number;
  /** Fits on bags with labels; returns the final training MSE (in label units). */
  fit(train: Bags, y: Float64Array, progress?: (done: number, total: number) => void): number;
  predict(bags: Bags): Float64Array;
}

/** Training settings of the neural models. */
export interface TrainConfig {
  steps: number;
  batch: number;
  lr: number;
  /** Decoupled weight decay (AdamW); 0 = Adam. */
  weightDecay: number;
  seed: number;
  /**
   * Early stopping: this fraction of the training bags (the last ones) is held out; every
   * `evalEvery` steps the validation MSE is measured, the best weights are kept, and training
   * stops after `patience` evaluations without improvement (or at `steps`). 0 = fixed steps.
   */
  valFraction?: number;
  evalEvery?: number;
  patience?: number;
}

/** What one neural fit actually used. */
export interface TrainReport {
  /** Steps run (including the ones after the best, until patience ran out). */
  stepsRun: number;
  /** The step whose weights were kept. */
  bestStep: number;
  /** Validation MSE of the kept weights (label units); NaN without early stopping. */
  valMse: number;
  /** Whether training stopped before `steps`. */
  stopped: boolean;
}

export const DEFAULT_TRAIN: TrainConfig = { steps: 300, batch: 32, lr: 3e-3, weightDecay: 0, seed: 1 };

/** Architecture size: the Transformer's width and depth; others are matched by parameter count. */
export interface SizeConfig {
  hidden: number;
  heads: number;
  layers: number;
  /** FFN width as a multiple of hidden. */
  ffnMult: number;
}

export const DEFAULT_SIZE: SizeConfig = { hidden: 16, heads: 2, layers: 1, ffnMult: 2 };
