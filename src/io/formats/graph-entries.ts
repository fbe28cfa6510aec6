import { access, readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { BadFileError } from '../../errors.js';
import type { CheckpointReader } from '../open.js';
import { openOnnx } from './onnx/reader.js';
import { openTfjs } from './tfjs/reader.js';

/**
 * Registry entries (src/io/open.ts) for the graph formats. Both readers pick up config.json
 * beside the model themselves, so the source open.ts returns keeps its graph() (open.ts only
 * wraps sources that have no config).
 */
async function configBeside(file: string): Promise<Record<string, unknown> | undefined> {
  const dir = dirname(file);
  // transformers.js layout: config.json at the top, the weights in onnx/model.onnx.
  const p = basename(dir) === 'onnx' && !(await exists(join(dir, 'config.json'))) ? join(dir, '..', 'config.json') : join(dir, 'config.json');
  let text: string;
  try {
    text = await readFile(p, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const j: unknown = JSON.parse(text);
    if (typeof j === 'object' && j !== null && !Array.isArray(j)) return j as Record<string, unknown>;
  } catch {
    // fall through
  }
  throw new BadFileError(p, 'is not a JSON object');
}

async function exists(p: string): Promise<boolean> {
  return access(p).then(
    () => true,
    () => false,
  );
}

export const onnxReader: CheckpointReader = {
  name: 'onnx',
  detect: (path) => path.toLowerCase().endsWith('.onnx'),
  findInFolder: (entries) =>
    entries.find((e) => e === 'model.onnx') ??
    (entries.filter((e) => e.endsWith('.onnx')).length === 1 ? entries.find((e) => e.endsWith('.onnx')) : undefined) ??
    // transformers.js / optimum layout: onnx/model.onnx, or a quantized variant (open() picks it).
    (entries.includes('onnx') && entries.includes('config.json') ? 'onnx/model.onnx' : undefined),
  open: async (path) => {
    const file = await transformersJsVariant(path);
    return openOnnx(file, await configBeside(file));
  },
};

/**
 * transformers.js repositories often ship only quantized exports. When the full-precision
 * onnx/model.onnx is absent, the first 8-bit or half-precision variant present is read instead
 * (4-bit variants hold MatMulNBits blocks, which are not decoded, so they come last).
 */
const VARIANTS = ['model_quantized.onnx', 'model_int8.onnx', 'model_uint8.onnx', 'model_fp16.onnx', 'model_q4.onnx', 'model_q4f16.onnx', 'model_bnb4.onnx'];

async function transformersJsVariant(path: string): Promise<string> {
  const dir = dirname(path);
  if (basename(path) !== 'model.onnx' || basename(dir) !== 'onnx' || (await exists(path))) return path;
  for (const v of VARIANTS) if (await exists(join(dir, v))) return join(dir, v);
  return path;
}

const TFJS_HEAD = /"(modelTopology|weightsManifest|format|generatedBy)"/;

export const tfjsReader: CheckpointReader = {
  name: 'tfjs',
  detect: (path, head) => path.endsWith('model.json') || (path.endsWith('.json') && TFJS_HEAD.test(Buffer.from(head).toString('latin1'))),
  findInFolder: (entries) => entries.find((e) => e === 'model.json'),
  open: async (path) => openTfjs(path, await configBeside(path)),
};
