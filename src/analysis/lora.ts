import { BadFileError, ModelError } from '../errors.js';
import type { Matrix } from '../linalg/types.js';
import type { Tensor, TensorSource } from '../io/types.js';
import { describeValue, q } from '../io/describe.js';
import { boolField, intField, numberField, stringField } from '../io/json.js';
import { MAX_CONFIG_INT, MAX_TENSORS } from '../io/limits.js';
import { localKind, openAdapterPath } from '../io/open.js';

/**
 * PEFT LoRA adapters (adapter_config.json + adapter_model.safetensors). For a target nn.Linear
 * with weight W (out, in), PEFT stores lora_A (r, in) and lora_B (out, r) and adds
 *
 *     ΔW = s · B · A,   s = lora_alpha / r   (s = lora_alpha / sqrt(r) with use_rslora)
 *
 * (Hu et al. 2021, "LoRA", eq. 3; PEFT's LoraLayer scaling). In the row-vector convention the
 * update is ΔWᵀ = Aᵀ · (s Bᵀ): an in×r times r×out product, analysed exactly via the factored path.
 * Under fan_in_fan_out (GPT-2 Conv1D, weights stored (in, out)) the stored update is (BA)ᵀ, and
 * its row-vector matrix is the same Aᵀ(s Bᵀ).
 */
export interface LoraConfig {
  r: number;
  loraAlpha: number;
  scale: number;
  targetModules: string[];
  fanInFanOut: boolean;
  baseModel?: string;
}

export interface LoraPair {
  /** The module's name in the adapter, without .lora_A.weight (e.g. base_model.model.bert.encoder.layer.0.attention.self.query). */
  module: string;
  /** Layer index parsed from the name (first ".<digits>." component), -1 when there is none. */
  layer: number;
  /** Row-vector factors Aᵀ (in×r) and s·Bᵀ (r×out). */
  factors: readonly [Matrix, Matrix];
}

export interface LoraAdapter {
  dir: string;
  config: LoraConfig;
  source: TensorSource;
  modules: string[];
  pair(module: string): Promise<LoraPair>;
}

/** True when `path` is a LoRA adapter folder (or its config or weights file), by content (src/io/adapter.ts). */
export async function isLoraPath(path: string): Promise<boolean> {
  return (await localKind(path)) === 'adapter';
}

/** A required field of adapter_config.json, already type-checked (src/io/json.ts): absent or null is an error here. */
function required<T>(v: T | undefined, file: string, key: string, expected: string): T {
  if (v === undefined) throw new BadFileError(file, `field ${q(key)} is missing, expected ${expected}`);
  return v;
}

/** The LoRA settings of a parsed adapter_config.json (`file` names it in messages). */
export function loraConfigFrom(cfg: Record<string, unknown>, file: string): LoraConfig {
  const peft = stringField(cfg, 'peft_type', file);
  if (peft !== undefined && peft !== 'LORA') throw new BadFileError(file, `peft_type ${describeValue(peft, 60)} is not LORA`);
  const r = required(intField(cfg, 'r', file), file, 'r', 'a positive integer');
  const loraAlpha = required(numberField(cfg, 'lora_alpha', file, true, MAX_CONFIG_INT), file, 'lora_alpha', 'a positive number');
  const tm = cfg.target_modules;
  if (tm !== undefined && tm !== null && typeof tm !== 'string' && !(Array.isArray(tm) && tm.length <= MAX_TENSORS && tm.every((x) => typeof x === 'string'))) {
    throw new BadFileError(file, `field "target_modules" is ${describeValue(tm, 80)}, expected a string or a list of strings`);
  }
  const targetModules = Array.isArray(tm) ? (tm as string[]) : typeof tm === 'string' ? [tm] : [];
  return {
    r, loraAlpha, scale: boolField(cfg, 'use_rslora', file) === true ? loraAlpha / Math.sqrt(r) : loraAlpha / r, targetModules,
    fanInFanOut: boolField(cfg, 'fan_in_fan_out', file) === true,
    baseModel: stringField(cfg, 'base_model_name_or_path', file),
  };
}

const A_RE = /^(.*)\.lora_A(?:\.[A-Za-z0-9_]+)?\.weight$/;

function transposed(t: Tensor, rows: number, cols: number, scale: number, name: string): Matrix {
  // t is (cols, rows) row-major; return its transpose (rows, cols) times scale, in float64.
  const out = new Float64Array(rows * cols);
  for (let i = 0; i < cols; i++) for (let j = 0; j < rows; j++) out[j * cols + i] = scale * t.data[i * rows + j];
  return { rows, cols, data: out, name };
}

export async function openLora(path: string): Promise<LoraAdapter> {
  const files = await openAdapterPath(path);
  const { source, dir } = files;
  const file = source.path;
  let config: LoraConfig;
  const aNames = new Map<string, string>();
  try {
    config = loraConfigFrom(files.config, files.configPath);
    for (const t of source.list()) {
      const m = A_RE.exec(t.name);
      if (m && !aNames.has(m[1])) aNames.set(m[1], t.name);
    }
    if (aNames.size === 0) throw new BadFileError(file, 'no lora_A weights found');
  } catch (err) {
    await source.close();
    throw err;
  }
  const modules = [...aNames.keys()];
  return {
    dir, config, source, modules,
    async pair(module) {
      const aName = aNames.get(module) as string;
      const b = aName.replace('.lora_A', '.lora_B');
      if (!source.has(b)) throw new ModelError(`${file}: ${aName} has no matching ${b}`);
      const [ta, tb] = [await source.read(aName), await source.read(b)];
      if (ta.shape.length !== 2 || tb.shape.length !== 2 || ta.shape[0] !== tb.shape[1]) {
        throw new BadFileError(file, `${module}: lora_A ${describeValue(ta.shape)} and lora_B ${describeValue(tb.shape)} do not form B·A`);
      }
      const [r, nin] = ta.shape;
      const nout = tb.shape[0];
      const layer = Number(/\.(\d+)\./.exec(module)?.[1] ?? -1);
      return { module, layer, factors: [transposed(ta, nin, r, 1, `${module} Aᵀ`), transposed(tb, r, nout, config.scale, `${module} s·Bᵀ`)] };
    },
  };
}

/** Candidate base-tensor names for a LoRA module: PEFT's prefix removed, then leading parts dropped. */
function baseCandidates(module: string): string[] {
  const parts = module.replace(/^base_model\.model\./, '').split('.');
  const out: string[] = [];
  for (let i = 0; i < parts.length - 1; i++) out.push(`${parts.slice(i).join('.')}.weight`);
  return out;
}

/**
 * The base model with every LoRA update merged in: W + s·B·A for nn.Linear weights stored
 * (out, in), W + (s·B·A)ᵀ for weights stored (in, out) (fan_in_fan_out). Other tensors pass through.
 */
export async function mergedSource(base: TensorSource, lora: LoraAdapter): Promise<TensorSource> {
  const deltas = new Map<string, string>();
  for (const mod of lora.modules) {
    const name = baseCandidates(mod).find((n) => base.has(n));
    if (!name) throw new ModelError(`--merge-into: the base model ${base.path} has no weight for LoRA module ${mod}`);
    deltas.set(name, mod);
  }
  return {
    format: base.format, path: `${base.path} + LoRA ${lora.dir}`, config: base.config,
    list: () => base.list(), has: (n) => base.has(n), close: async () => { await base.close(); await lora.source.close(); },
    async read(name) {
      const t = await base.read(name);
      const mod = deltas.get(name);
      if (!mod) return t;
      const { factors: [at, sbt] } = await lora.pair(mod); // Aᵀ (in×r), s·Bᵀ (r×out)
      const nin = at.rows, r = at.cols, nout = sbt.cols;
      const [rows, cols] = t.shape;
      const outIn = rows === nout && cols === nin && !(lora.config.fanInFanOut && rows === cols);
      if (!outIn && !(rows === nin && cols === nout)) {
        throw new ModelError(`--merge-into: ${name} is ${rows}x${cols} but LoRA ${mod} updates a ${nout}x${nin} weight`);
      }
      const data = new Float64Array(rows * cols);
      for (let i = 0; i < rows * cols; i++) data[i] = t.data[i];
      // (s·B·A)[o][i] = sum_k (s·Bᵀ)[k][o] · Aᵀ[i][k]
      for (let o = 0; o < nout; o++) for (let i = 0; i < nin; i++) {
        let s = 0;
        for (let k = 0; k < r; k++) s += sbt.data[k * nout + o] * at.data[i * r + k];
        data[outIn ? o * cols + i : i * cols + o] += s;
      }
      return { name, shape: t.shape, data };
    },
  };
}
