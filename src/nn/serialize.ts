import { join } from 'node:path';
import { BadFileError, ModelError } from '../errors.js';
import { openSafetensors } from '../io/formats/safetensors/reader.js';
import { describeValue } from '../io/describe.js';
import { intField, isRecord, numberField, readJsonObject } from '../io/json.js';
import { NodeFolder, openGatedFile } from '../io/node-gate.js';
import { writeSafetensors, type WritableTensor } from '../io/formats/safetensors/write.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { Linear, type Module } from './module.js';
import { Rng } from './rng.js';
import { TransformerRegressor, type TransformerConfigJson, type Activation } from './transformer.js';
import type { DType } from './tensor.js';

/** File names inside a saved model folder (Hugging Face layout). */
export const WEIGHTS_FILE = 'model.safetensors';
export const CONFIG_FILE = 'config.json';

export interface SaveOptions {
  /**
   * Fold LoRA adapters into the saved weights (W + (alpha/r)·B·A), so analyses see the
   * fine-tuned matrices (default true). With false, the base weights and the adapters
   * (`….lora_A.weight`, `….lora_B.weight`) are saved separately and reload as adapters.
   */
  mergeLora?: boolean;
  /** Extra string metadata stored in the safetensors header. */
  metadata?: Record<string, string>;
}

/** The tensors a module would save: every parameter by dotted name, float32 (float64 models stay F64). */
export function moduleTensors(module: Module, mergeLora = true): WritableTensor[] {
  const merged = new Map<string, Float32Array | Float64Array>();
  const skip = new Set<string>();
  if (mergeLora) {
    for (const [name, m] of module.namedModules()) {
      if (m instanceof Linear && m.lora) {
        const p = name ? `${name}.` : '';
        merged.set(`${p}weight`, m.effectiveWeight());
        skip.add(`${p}lora_A.weight`);
        skip.add(`${p}lora_B.weight`);
      }
    }
  }
  return module.namedParameters().filter(([n]) => !skip.has(n)).map(([name, t]) => ({
    name,
    dtype: t.dtype === 'float64' ? 'F64' : 'F32',
    shape: t.shape,
    data: merged.get(name) ?? t.data,
  }));
}

/** Saves any module's parameters to one safetensors file (names from namedParameters()). */
export async function saveModule(module: Module, path: string, opts: SaveOptions = {}): Promise<void> {
  await writeSafetensors(path, moduleTensors(module, opts.mergeLora ?? true), opts.metadata);
}

/**
 * Loads a safetensors file into a module built with the same shapes: every parameter must be
 * present with its shape; a tensor the module does not have is an error (ModelError naming the file).
 */
export async function loadModule(module: Module, path: string): Promise<void> {
  const src = await openSafetensors(await openGatedFile(path));
  try {
    const own = new Map(module.namedParameters());
    for (const info of src.list()) {
      if (!own.has(info.name)) throw new ModelError(`${path}: tensor "${info.name}" is not a parameter of this model`);
    }
    for (const [name, t] of own) {
      if (!src.has(name)) throw new ModelError(`${path}: missing tensor "${name}"`);
      const x = await src.read(name);
      if (x.shape.length !== t.shape.length || x.shape.some((s, i) => s !== t.shape[i])) {
        throw new ModelError(`${path}: tensor "${name}" has shape [${x.shape.join(', ')}], the model expects [${t.shape.join(', ')}]`);
      }
      t.data.set(x.data);
    }
  } finally {
    await src.close();
  }
}

interface LoraConfig { rank: number; alpha: number; targets: string[] }

/**
 * Saves a TransformerRegressor as a Hugging Face-style folder: config.json (model_type
 * "genbound-transformer", read by src/models/genbound.ts) and model.safetensors with tensors
 * `input.*`, `layers.{i}.{ln1,attn.{q,k,v,o},ln2,ffn.{in,out}}.*`, `head.*`, `prompt.weight`.
 */
export async function saveTransformer(model: TransformerRegressor, dir: string, opts: SaveOptions = {}): Promise<void> {
  const mergeLora = opts.mergeLora ?? true;
  const config: TransformerConfigJson = model.configJson();
  const adapters = model.linears().filter(([, l]) => l.lora);
  if (!mergeLora && adapters.length > 0) {
    const first = adapters[0][1].lora!;
    if (adapters.some(([, l]) => l.lora!.rank !== first.rank || l.lora!.alpha !== first.alpha)) {
      throw new ModelError('saveTransformer: unmerged LoRA adapters must share one rank and alpha');
    }
    config.lora = { rank: first.rank, alpha: first.alpha, targets: adapters.map(([n]) => n) } satisfies LoraConfig;
  }
  await writeSafetensors(join(dir, WEIGHTS_FILE), moduleTensors(model, mergeLora), { format: 'pt', ...opts.metadata });
  writeFileAtomic(join(dir, CONFIG_FILE), JSON.stringify(config, null, 2) + '\n');
}

/**
 * The lora block of a saved config.json, checked field by field (the folder may come from anyone).
 * `linears` bounds the number of targets (each must name a linear layer anyway) and `maxRank` the
 * rank (a LoRA factor wider than every dimension of the model is never useful, and costs memory).
 */
function loraOf(cfg: Record<string, unknown>, cfgPath: string, linears: number, maxRank: number): LoraConfig | undefined {
  const v = cfg.lora;
  if (v === undefined || v === null) return undefined;
  if (!isRecord(v)) throw new BadFileError(cfgPath, `"lora" is ${describeValue(v, 80)}, expected an object`);
  const rank = intField(v, 'rank', cfgPath, 1, maxRank);
  const alpha = numberField(v, 'alpha', cfgPath, true);
  const targets = v.targets;
  if (rank === undefined || alpha === undefined) throw new BadFileError(cfgPath, '"lora" needs "rank" and "alpha"');
  if (!Array.isArray(targets) || targets.length > linears || !targets.every((t): t is string => typeof t === 'string')) {
    throw new BadFileError(cfgPath, `"lora.targets" is ${describeValue(targets, 80)}, expected at most ${linears} layer names`);
  }
  return { rank, alpha, targets };
}

/**
 * A lower bound on the parameters `cfg` describes (the attention and feed-forward weights, the input
 * and output maps, the prompt), checked against the values model.safetensors holds before anything
 * is allocated: a config.json may not ask for more memory than the weights it comes with.
 */
function checkSize(dims: Record<'input' | 'hidden' | 'layers' | 'inter' | 'output' | 'prompt', number>, stored: number, cfgPath: string): void {
  const { input, hidden, layers, inter, output, prompt } = dims;
  const atLeast = layers * (4 * hidden * hidden + 2 * hidden * inter) + hidden * (input + output + prompt);
  if (atLeast > stored) {
    throw new BadFileError(cfgPath, `describes a model of at least ${atLeast} parameters, but ${WEIGHTS_FILE} holds ${stored} values`);
  }
}

/** Loads a folder written by saveTransformer (config.json + model.safetensors), every file through the gate. */
export async function loadTransformer(dir: string, opts: { dtype?: DType } = {}): Promise<TransformerRegressor> {
  const folder = await NodeFolder.open(dir);
  const cfg = await readJsonObject(folder, CONFIG_FILE);
  const cfgPath = folder.pathOf(CONFIG_FILE);
  if (cfg.model_type !== 'genbound-transformer') throw new BadFileError(cfgPath, `model_type is ${describeValue(cfg.model_type, 80)}, expected "genbound-transformer"`);
  const int = (key: string, dflt?: number): number => {
    const v = intField(cfg, key, cfgPath, 0) ?? dflt;
    if (v === undefined) throw new BadFileError(cfgPath, `"${key}" is missing`);
    return v;
  };
  const act = cfg.hidden_act ?? 'gelu_pytorch_tanh';
  if (act !== 'gelu_pytorch_tanh' && act !== 'relu') throw new BadFileError(cfgPath, `hidden_act ${describeValue(act, 80)} is not supported (gelu_pytorch_tanh, relu)`);
  const eps = cfg.layer_norm_eps ?? 1e-5;
  if (typeof eps !== 'number' || !(eps > 0)) throw new BadFileError(cfgPath, `layer_norm_eps must be a positive number`);
  const dims = { input: int('input_dim'), hidden: int('hidden_size'), layers: int('num_hidden_layers'), inter: int('intermediate_size'),
    output: int('output_dim', 1), prompt: int('num_prompt_tokens', 0) + int('num_prefix_tokens', 0) };
  const weights = await openSafetensors(await folder.open(WEIGHTS_FILE));
  try {
    checkSize(dims, weights.list().reduce((n, t) => n + t.shape.reduce((a, b) => a * b, 1), 0), cfgPath);
  } finally {
    await weights.close();
  }
  const lora = loraOf(cfg, cfgPath, dims.layers * 6 + 2, Math.max(dims.hidden, dims.inter, dims.input));
  let model: TransformerRegressor;
  try {
    model = new TransformerRegressor({
      inputDim: int('input_dim'), hiddenSize: int('hidden_size'), numHeads: int('num_attention_heads'),
      numLayers: int('num_hidden_layers'), intermediateSize: int('intermediate_size'), outputDim: int('output_dim', 1),
      activation: (act === 'relu' ? 'relu' : 'gelu') as Activation, layerNormEps: eps,
      promptTokens: int('num_prompt_tokens', 0), prefixTokens: int('num_prefix_tokens', 0), seed: 0, dtype: opts.dtype ?? 'float32',
    });
  } catch (err) {
    throw new BadFileError(cfgPath, (err as Error).message);
  }
  if (lora !== undefined) {
    const byName = new Map(model.linears());
    for (const name of lora.targets) {
      const lin = byName.get(name);
      if (!lin) throw new BadFileError(cfgPath, `lora target ${describeValue(name, 80)} is not a linear layer of this model`);
      // The adapter values are overwritten by the file; the generator only fills shapes.
      lin.addLora(lora.rank, { rng: new Rng(0), alpha: lora.alpha });
    }
  }
  await loadModule(model, join(dir, WEIGHTS_FILE));
  return model;
}
