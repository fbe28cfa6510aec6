import { ModelError, NumericError, UnsupportedError } from '../errors.js';
import { q } from './describe.js';
import { decode, firstNonFinite, isReadableDType, READABLE_DTYPES } from './dtypes.js';
import type { Tensor, TensorInfo, TensorSource } from './types.js';

/** Quotes a name taken from a file for a one-line message (re-exported from describe.ts). */
export { q };

/** Options shared by every reader. */
export interface ReadOptions {
  /** Check each tensor for NaN/Inf on read and throw NumericError naming it (default true). */
  checkFinite?: boolean;
}

/** Number of elements of a shape; throws when it is not a safe integer. */
export function numel(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Throws UnsupportedError unless `dtype` is one genbound decodes, naming the tensor and file. */
export function requireReadable(path: string, name: string, dtype: string): void {
  if (!isReadableDType(dtype) && dtype !== 'Q8_0') {
    throw new UnsupportedError(`${path}: tensor ${q(name)} has dtype ${dtype}; genbound reads ${READABLE_DTYPES.join(', ')}`);
  }
}

/** Decodes bytes and applies the NaN/Inf check; the shared last step of every read(). */
export function finishTensor(
  path: string,
  info: TensorInfo,
  bytes: Uint8Array,
  opts: ReadOptions,
  littleEndian = true,
): Tensor {
  const count = numel(info.shape);
  const data = decode(info.dtype, bytes, count, littleEndian);
  return checkedTensor(path, { name: info.name, shape: [...info.shape], data }, opts);
}

/** Applies the NaN/Inf check (unless disabled) and returns the tensor. */
export function checkedTensor(path: string, t: Tensor, opts: ReadOptions): Tensor {
  if (opts.checkFinite !== false) {
    const i = firstNonFinite(t.data);
    if (i >= 0) {
      const v = t.data[i];
      throw new NumericError(`${path}: tensor ${q(t.name)} contains ${Number.isNaN(v) ? 'NaN' : v > 0 ? '+Inf' : '-Inf'} (at flat index ${i})`);
    }
  }
  return t;
}

export function missingTensor(path: string, name: string): ModelError {
  return new ModelError(`${path}: no tensor named ${q(name)}`);
}

/**
 * Several sources seen as one (sharded checkpoints): each name maps to the source holding it.
 */
export class MultiSource implements TensorSource {
  private readonly owner = new Map<string, TensorSource>();
  private readonly infos: TensorInfo[] = [];

  constructor(
    readonly format: string,
    readonly path: string,
    private readonly parts: readonly TensorSource[],
    readonly config?: Record<string, unknown>,
    readonly metadata?: Readonly<Record<string, string>>,
    /** Optional name -> index into `parts` (a shard index); names it lacks fall back to order. */
    route?: ReadonlyMap<string, number>,
  ) {
    if (route) {
      const lists = parts.map((p) => new Map(p.list().map((t) => [t.name, t])));
      for (const [name, i] of route) {
        const info = lists[i]?.get(name);
        if (info && !this.owner.has(name)) {
          this.owner.set(name, parts[i]);
          this.infos.push(info);
        }
      }
    }
    for (const p of parts) {
      for (const info of p.list()) {
        if (this.owner.has(info.name)) continue; // first shard wins (index decides upstream)
        this.owner.set(info.name, p);
        this.infos.push(info);
      }
    }
  }

  list(): readonly TensorInfo[] {
    return this.infos;
  }

  has(name: string): boolean {
    return this.owner.has(name);
  }

  read(name: string): Promise<Tensor> {
    const p = this.owner.get(name);
    if (!p) return Promise.reject(missingTensor(this.path, name));
    return p.read(name);
  }

  async close(): Promise<void> {
    await Promise.all(this.parts.map((p) => p.close()));
  }
}
