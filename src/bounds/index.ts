/** The bound proxies, each a pure function of per-matrix norms and spectra (docs/analyze.md). */
export { spectrumAdaptiveBound, tCurve, schattenGrid, defaultGridM, DEFAULT_LPHI, SCALE_FLOOR,
  type SpectrumAdaptiveMatrix, type SpectrumAdaptiveOptions, type SpectrumAdaptiveResult, type SpectrumAdaptiveTerm, type TCurve } from './spectrum-adaptive.js';
export { edelmanBound } from './edelman.js';
export { bartlettBound, type ChainLink } from './bartlett.js';
export { frobeniusProductBound } from './frobenius.js';
export { norm11Quantities, L11_BOUNDS, L11_HINT } from './l11.js';
export { parameterCount, type ParamShape } from './param-count.js';
export { buildLayerSummaries, logAlphas, gammaOf, type LayerSummary, type MatrixNorms, type NormedMatrix } from './layer-summary.js';
