import { registerUnitKind } from './units.js';

/**
 * Every kind of unit a worker can run, each loaded on first use:
 *   analyze-model  one whole checkpoint (compare's unit)
 */
registerUnitKind('analyze-model', async () => (await import('./kinds/analyze-model.js')).analyzeModelUnit);
