import { open, readFile, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { BadFileError, ModelError, UnsupportedError } from '../../../errors.js';
import { SMALL_CONSTANT_MAX, type GraphNode, type GraphTensorSource, type Tensor, type TensorInfo } from '../../types.js';
import { halfToNumber } from '../onnx/tensor.js';

/**
 * TensorFlow.js model reader (GraphModel and LayersModel artifacts): model.json's
 * `weightsManifest` is a list of groups; each group's weights are stored back to back, in the
 * listed order, over the concatenation of that group's shard files (`paths`). A weight's byte
 * size is its element count times the size of its stored dtype: float32/int32 4, bool 1, or
 * the quantization dtype when `quantization` is present. Dequantisation follows tfjs-core's
 * io/io_utils.ts: uint8/uint16 -> q * scale + min; float16 -> IEEE binary16.
 * Shards are read lazily: a tensor reads only its own byte range.
 */

interface ManifestWeight {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: { dtype: string; scale?: number; min?: number };
}

interface Located {
  info: TensorInfo;
  w: ManifestWeight;
  group: number;
  offset: number;
  bytes: number;
}

interface Shard {
  file: string;
  start: number;
  size: number;
}

const STORED_SIZE: Readonly<Record<string, number>> = { float32: 4, int32: 4, bool: 1, uint8: 1, uint16: 2, float16: 2 };
const DTYPE_NAME: Readonly<Record<string, string>> = { float32: 'F32', int32: 'I32', bool: 'BOOL' };

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** Parses a tfjs NodeDef attr map ({i: "3"}, {f: 0.5}, {s: base64}, {list: {i: [...]}}). */
function parseAttrs(attr: unknown): Record<string, number | string | readonly number[]> {
  const out: Record<string, number | string | readonly number[]> = {};
  if (!isRecord(attr)) return out;
  for (const [k, v] of Object.entries(attr)) {
    if (!isRecord(v)) continue;
    if (v.i !== undefined) out[k] = Number(v.i);
    else if (typeof v.f === 'number') out[k] = v.f;
    else if (typeof v.s === 'string') out[k] = Buffer.from(v.s, 'base64').toString('utf8');
    else if (isRecord(v.list) && Array.isArray(v.list.i)) out[k] = v.list.i.map(Number);
  }
  return out;
}

export class TfjsSource implements GraphTensorSource {
  readonly format = 'tfjs';
  private readonly byName = new Map<string, Located>();
  private readonly small = new Map<string, readonly number[]>();

  private constructor(
    readonly path: string,
    readonly metadata: Readonly<Record<string, string>>,
    private readonly shards: Shard[][],
    located: Located[],
    private readonly nodes: GraphNode[],
    /** config.json found beside model.json, if any. */
    readonly config?: Record<string, unknown>,
  ) {
    for (const l of located) this.byName.set(l.info.name, l);
  }

  /** Opens model.json (or a folder holding one) and checks the shards against the manifest. */
  static async open(path: string, config?: Record<string, unknown>): Promise<TfjsSource> {
    let file = path;
    try {
      if ((await stat(path)).isDirectory()) file = join(path, 'model.json');
    } catch {
      throw new BadFileError(path, 'no such file');
    }
    let json: unknown;
    try {
      json = JSON.parse(await readFile(file, 'utf8'));
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new BadFileError(file, code === 'ENOENT' ? 'no such file' : `not valid JSON (${(err as Error).message})`);
    }
    if (!isRecord(json) || !Array.isArray(json.weightsManifest)) throw new BadFileError(file, 'not a tfjs model.json (no weightsManifest)');
    const dir = dirname(file);
    const shards: Shard[][] = [];
    const located: Located[] = [];
    const seen = new Set<string>();
    for (const [gi, group] of json.weightsManifest.entries()) {
      if (!isRecord(group) || !Array.isArray(group.paths) || !Array.isArray(group.weights)) {
        throw new BadFileError(file, `weightsManifest[${gi}] needs "paths" and "weights" lists`);
      }
      const gs: Shard[] = [];
      let start = 0;
      for (const p of group.paths) {
        if (typeof p !== 'string') throw new BadFileError(file, `weightsManifest[${gi}].paths holds a non-string`);
        const sf = join(dir, p);
        let size: number;
        try {
          size = (await stat(sf)).size;
        } catch {
          throw new BadFileError(sf, 'weight shard listed in model.json not found');
        }
        gs.push({ file: sf, start, size });
        start += size;
      }
      let offset = 0;
      for (const w of group.weights as unknown[]) {
        if (!isRecord(w) || typeof w.name !== 'string' || !Array.isArray(w.shape) || typeof w.dtype !== 'string') {
          throw new BadFileError(file, `weightsManifest[${gi}] has an entry without name/shape/dtype`);
        }
        const shape = w.shape.map(Number);
        if (shape.some((d) => !Number.isSafeInteger(d) || d < 0)) throw new BadFileError(file, `weight ${w.name}: bad shape ${JSON.stringify(w.shape)}`);
        const q = isRecord(w.quantization) ? (w.quantization as ManifestWeight['quantization']) : undefined;
        const stored = q ? q.dtype : w.dtype;
        const size = STORED_SIZE[stored];
        if (size === undefined) throw new UnsupportedError(`${file}: weight ${w.name} has dtype ${stored}, which genbound does not read (the weights after it cannot be located)`);
        if (seen.has(w.name)) throw new BadFileError(file, `weight ${w.name} is listed twice`);
        seen.add(w.name);
        const count = shape.reduce((a, b) => a * b, 1);
        const mw: ManifestWeight = { name: w.name, shape, dtype: w.dtype, quantization: q };
        const dtype = q ? `${DTYPE_NAME[w.dtype] ?? w.dtype}<-${q.dtype}` : (DTYPE_NAME[w.dtype] ?? w.dtype);
        located.push({ info: { name: w.name, dtype, shape }, w: mw, group: gi, offset, bytes: count * size });
        offset += count * size;
      }
      if (offset !== start) {
        throw new BadFileError(file, `weightsManifest[${gi}] describes ${offset} bytes but its shards hold ${start}`);
      }
      shards.push(gs);
    }
    const nodes: GraphNode[] = [];
    const topo = json.modelTopology;
    if (isRecord(topo) && Array.isArray(topo.node)) {
      for (const n of topo.node as unknown[]) {
        if (!isRecord(n) || typeof n.name !== 'string') continue;
        nodes.push({
          name: n.name,
          op: typeof n.op === 'string' ? n.op : '',
          inputs: Array.isArray(n.input) ? n.input.map(String) : [],
          outputs: [n.name],
          attrs: parseAttrs(n.attr),
        });
      }
    }
    const meta: Record<string, string> = {};
    for (const k of ['format', 'generatedBy', 'convertedBy', 'userDefinedMetadata']) {
      const v = json[k];
      if (v !== undefined && v !== null) meta[k] = typeof v === 'string' ? v : JSON.stringify(v);
    }
    const src = new TfjsSource(file, meta, shards, located, nodes, config);
    for (const l of located) {
      if (l.info.shape.reduce((a, b) => a * b, 1) <= SMALL_CONSTANT_MAX) src.small.set(l.info.name, Array.from((await src.read(l.info.name)).data));
    }
    return src;
  }

  list(): readonly TensorInfo[] {
    return [...this.byName.values()].map((l) => l.info);
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  graph(): readonly GraphNode[] {
    return this.nodes;
  }

  smallConstant(name: string): readonly number[] | undefined {
    return this.small.get(name);
  }

  async read(name: string): Promise<Tensor> {
    const l = this.byName.get(name);
    if (!l) throw new ModelError(`${this.path}: no weight named ${JSON.stringify(name)}`);
    const bytes = await this.readRange(l.group, l.offset, l.bytes);
    const count = l.info.shape.reduce((a, b) => a * b, 1);
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const out = new Float32Array(count);
    const q = l.w.quantization;
    if (q) {
      const scale = q.scale ?? 1;
      const min = q.min ?? 0;
      if (q.dtype === 'uint8') for (let i = 0; i < count; i++) out[i] = dv.getUint8(i) * scale + min;
      else if (q.dtype === 'uint16') for (let i = 0; i < count; i++) out[i] = dv.getUint16(i * 2, true) * scale + min;
      else for (let i = 0; i < count; i++) out[i] = halfToNumber(dv.getUint16(i * 2, true));
    } else if (l.w.dtype === 'float32') {
      for (let i = 0; i < count; i++) out[i] = dv.getFloat32(i * 4, true);
    } else if (l.w.dtype === 'int32') {
      for (let i = 0; i < count; i++) out[i] = dv.getInt32(i * 4, true);
    } else {
      for (let i = 0; i < count; i++) out[i] = dv.getUint8(i);
    }
    return { name, shape: l.info.shape, data: out };
  }

  /** Bytes [offset, offset + length) of a group's concatenated shards. */
  private async readRange(group: number, offset: number, length: number): Promise<Uint8Array> {
    const out = new Uint8Array(length);
    let done = 0;
    for (const s of this.shards[group]) {
      const lo = Math.max(offset + done, s.start);
      const hi = Math.min(offset + length, s.start + s.size);
      if (lo >= hi) continue;
      const fh = await open(s.file, 'r');
      try {
        const { bytesRead } = await fh.read(out, lo - offset, hi - lo, lo - s.start);
        if (bytesRead !== hi - lo) throw new BadFileError(s.file, `shard shorter than when opened (read ${bytesRead} of ${hi - lo} bytes)`);
      } finally {
        await fh.close();
      }
      done = hi - offset;
      if (done === length) break;
    }
    return out;
  }

  async close(): Promise<void> {
    this.byName.clear();
  }
}

/** Opens a tfjs model.json (or its folder), with an optional config.json content. */
export function openTfjs(path: string, config?: Record<string, unknown>): Promise<TfjsSource> {
  return TfjsSource.open(path, config);
}
