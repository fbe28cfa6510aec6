import { UnsupportedError } from '../errors.js';
import type { TensorSource } from '../io/types.js';
import { bertFactory } from './bert.js';
import { GENERIC_NOTE } from './generic.js';
import { genboundFactory } from './genbound.js';
import { gpt2Factory } from './gpt2.js';
import { llamaFactory } from './llama.js';
import { onnxTransformerFactory } from './onnx-transformer.js';
import type { AdapterFactory, AdapterOptions, ModelAdapter } from './types.js';
import { useLiteFactory } from './use-lite.js';
import { vitFactory } from './vit.js';
import { describeValue } from '../io/describe.js';

export { rawMatrices, rawMatrixNames, GENERIC_NOTE } from './generic.js';
export type { AdapterFactory, AdapterOptions, ModelAdapter, ModelInfo, RawMatrix, TheoryMatrix, TheoryMatrixType } from './types.js';

/**
 * The architecture adapters, most specific first. A new architecture is one file in this folder
 * and one line here.
 */
export const ADAPTERS: readonly AdapterFactory[] = [genboundFactory, vitFactory, bertFactory, gpt2Factory, llamaFactory, useLiteFactory, onnxTransformerFactory];

/** The adapter registered under `name` (for --arch), or undefined. */
export function adapterNamed(name: string): AdapterFactory | undefined {
  return ADAPTERS.find((a) => a.name === name);
}

/**
 * Chooses the adapter for a source: from config.json's model_type when there is one, otherwise
 * from tensor names (or graph structure). Throws UnsupportedError naming the model type when no
 * adapter applies, and pointing to generic mode.
 */
export function detectAdapter(src: TensorSource, opts: AdapterOptions = {}): ModelAdapter {
  const hit = ADAPTERS.find((a) => a.detect(src));
  if (!hit) {
    const t = src.config?.model_type;
    const what = typeof t === 'string' ? `model_type ${describeValue(t, 80)}` : 'this architecture (no adapter recognises its tensor names)';
    throw new UnsupportedError(`${src.path}: unsupported architecture: ${what}; ${GENERIC_NOTE}`);
  }
  return hit.create(src, opts);
}

/** Parameter count and shapes of a model, with its adapter's notes (for `genbound info`). */
export function modelInfo(src: TensorSource, opts: AdapterOptions = {}): { info: ModelAdapter['info']; notes: readonly string[] } {
  const a = detectAdapter(src, opts);
  return { info: a.info, notes: a.notes };
}
