import { registerUnitKind } from './units.js';

/**
 * Every kind of unit a worker can run, each loaded on first use:
 *   analyze-model  one whole checkpoint (compare's unit; analyze's for LoRA and generic mode)
 *   analyze-layer  one layer of one checkpoint (analyze's unit)
 *   lab-run        one training run of a lab experiment (lab run's unit)
 */
registerUnitKind('lab-run', async () => (await import('./kinds/lab-run.js')).labRunUnit);
registerUnitKind('analyze-layer', async () => (await import('./kinds/analyze-layer.js')).analyzeLayerUnit);
registerUnitKind('analyze-model', async () => (await import('./kinds/analyze-model.js')).analyzeModelUnit);
