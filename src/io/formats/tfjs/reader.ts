import { BadFileError, ModelError, UnsupportedError } from '../../../errors.js';
import { entryDir, MissingFileError, resolveEntryName, type ModelFolder } from '../../byte-source.js';
import { describeValue, q as quote } from '../../describe.js';
import { isRecord, numberField, readJsonObject } from '../../json.js';
import { MAX_GRAPH_NODES, MAX_SHARDS, MAX_TENSORS } from '../../limits.js';
import { SMALL_CONSTANT_MAX, type GraphNode, type GraphTensorSource, type Tensor, type TensorInfo } from '../../types.js';
import { halfToNumber } from '../onnx/tensor.js';

/**
 * TensorFlow.js model reader (GraphModel and LayersModel artifacts): model.json's
 * `weightsManifest` is a list of groups; each group's weights are stored back to back, in the
 * listed order, over the concatenation of that group's shard files (`paths`). A weight's byte
 * size is its element count times the size of its stored dtype: float32/int32 4, bool 1, or
 * the quantization dtype when `quantization` is present. Dequantisation follows tfjs-core's
 * io/io_utils.ts: uint8/uint16 -> q * scale + min; float16 -> IEEE binary16.
 * Shards are read lazily: a tensor reads only its own byte range, opening the shards it needs
 * through the gate and closing them before it returns (no handle is shared between concurrent
 * reads). Shard paths are resolved inside the model folder (a path out of it is refused) and a
 * stored file may back only one listed shard, compared by the gate's file identity (device and
 * inode), so neither a repeated path nor two links to one file can make a small folder describe
 * gigabytes.
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
  /** Folder entry of the shard. */
  entry: string;
  /** The stored file behind it (ByteSource.identity), checked again at every read. */
  identity: string;
  start: number;
  size: number;
}

const STORED_SIZE: Readonly<Record<string, number>> = { float32: 4, int32: 4, bool: 1, uint8: 1, uint16: 2, float16: 2 };
const DTYPE_NAME: Readonly<Record<string, string>> = { float32: 'F32', int32: 'I32', bool: 'BOOL' };

/** Base64 text as UTF-8 (atob exists in node and browsers); undefined when it is not base64. */
function base64Text(s: string): string | undefined {
  try {
    const bin = atob(s);
    const bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    return new TextDecoder().decode(bytes);
  } catch {
    return undefined;
  }
}

/** Parses a tfjs NodeDef attr map ({i: "3"}, {f: 0.5}, {s: base64}, {list: {i: [...]}}). */
function parseAttrs(attr: unknown): Record<string, number | string | readonly number[]> {
  const out: Record<string, number | string | readonly number[]> = {};
  if (!isRecord(attr)) return out;
  for (const [k, v] of Object.entries(attr)) {
    if (!isRecord(v)) continue;
    if (v.i !== undefined) out[k] = Number(v.i);
    else if (typeof v.f === 'number') out[k] = v.f;
    else if (typeof v.s === 'string') {
      const t = base64Text(v.s);
      if (t !== undefined) out[k] = t;
    }
    else if (isRecord(v.list) && Array.isArray(v.list.i)) out[k] = v.list.i.map(Number);
  }
  return out;
}

/**
 * A weight's `quantization` ({dtype, scale?, min?}), type-checked: present and wrongly typed is
 * an error, never "unquantized" (that would misread every byte after it) nor a string scale that
 * JavaScript arithmetic would coerce.
 */
function quantization(v: unknown, file: string, weight: string): ManifestWeight['quantization'] {
  if (v === undefined || v === null) return undefined;
  const where = `${file}: weight ${quote(weight)}`;
  if (!isRecord(v) || typeof v.dtype !== 'string') throw new BadFileError(where, `field "quantization" is ${describeValue(v, 80)}, expected {dtype: string, scale?: number, min?: number}`);
  return { dtype: v.dtype, scale: numberField(v, 'scale', `${where} quantization`, false), min: numberField(v, 'min', `${where} quantization`, false) };
}

export class TfjsSource implements GraphTensorSource {
  readonly format = 'tfjs';
  private readonly byName = new Map<string, Located>();
  private readonly small = new Map<string, readonly number[]>();

  private constructor(
    private readonly folder: ModelFolder,
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

  /** Opens the model.json `entry` of `folder` and checks the shards against the manifest. */
  static async open(folder: ModelFolder, entry: string, config?: Record<string, unknown>): Promise<TfjsSource> {
    const json = await readJsonObject(folder, entry);
    const file = folder.pathOf(entry);
    if (json.weightsManifest === undefined || json.weightsManifest === null) throw new BadFileError(file, 'not a tfjs model.json (no weightsManifest)');
    if (!Array.isArray(json.weightsManifest)) throw new BadFileError(file, `field "weightsManifest" is ${describeValue(json.weightsManifest, 80)}, expected a list of weight groups`);
    const dir = entryDir(entry);
    const shards: Shard[][] = [];
    const located: Located[] = [];
    const seen = new Set<string>();
    const listed = new Set<string>();
    /** Stored-file identity -> the path that first listed it. */
    const stored = new Map<string, string>();
    for (const [gi, group] of json.weightsManifest.entries()) {
      if (!isRecord(group) || !Array.isArray(group.paths) || !Array.isArray(group.weights)) {
        throw new BadFileError(file, `weightsManifest[${gi}] is ${describeValue(group, 80)}, expected an object with "paths" and "weights" lists`);
      }
      const gs: Shard[] = [];
      let start = 0;
      for (const p of group.paths) {
        if (typeof p !== 'string') throw new BadFileError(file, `weightsManifest[${gi}].paths holds ${describeValue(p, 80)}, expected a file name`);
        const shard = resolveEntryName(dir, p);
        if (shard === undefined) throw new BadFileError(file, `weight shard ${quote(p)} lies outside the model folder; refused`);
        if (listed.has(shard)) throw new BadFileError(file, `weight shard ${quote(p)} is listed more than once; refused`);
        listed.add(shard);
        if (listed.size > MAX_SHARDS) throw new BadFileError(file, `lists more than ${MAX_SHARDS} weight shards`);
        const f = await folder.open(shard).catch((err: unknown) => {
          throw err instanceof MissingFileError ? new BadFileError(folder.pathOf(shard), 'weight shard listed in model.json not found') : err;
        });
        const size = f.size;
        const identity = f.identity ?? `entry ${shard}`;
        await f.close();
        const first = stored.get(identity);
        if (first !== undefined) throw new BadFileError(file, `weight shard ${quote(p)} is the same stored file as ${quote(first)} (a link to it); refused`);
        stored.set(identity, p);
        gs.push({ entry: shard, identity, start, size });
        start += size;
      }
      let offset = 0;
      for (const [wi, w] of (group.weights as unknown[]).entries()) {
        if (!isRecord(w) || typeof w.name !== 'string' || !Array.isArray(w.shape) || typeof w.dtype !== 'string') {
          throw new BadFileError(file, `weightsManifest[${gi}].weights[${wi}] is ${describeValue(w, 80)}, expected {name: string, shape: list, dtype: string}`);
        }
        if (located.length >= MAX_TENSORS) throw new BadFileError(file, `lists more than ${MAX_TENSORS} weights`);
        // Numbers only: Number("3") or Number(null) would silently turn a wrong type into a size.
        if (w.shape.some((d) => typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0)) throw new BadFileError(file, `weight ${quote(w.name)}: bad shape ${describeValue(w.shape)}`);
        const shape = w.shape as number[];
        const q = quantization(w.quantization, file, w.name);
        const stored = q ? q.dtype : w.dtype;
        const size = Object.hasOwn(STORED_SIZE, stored) ? STORED_SIZE[stored] : undefined; // not "constructor" etc.
        if (size === undefined) throw new UnsupportedError(`${file}: weight ${quote(w.name)} has dtype ${describeValue(stored)}, which genbound does not read (the weights after it cannot be located)`);
        if (seen.has(w.name)) throw new BadFileError(file, `weight ${quote(w.name)} is listed twice`);
        seen.add(w.name);
        const count = shape.reduce((a, b) => a * b, 1);
        if (!Number.isSafeInteger(offset + count * size)) throw new BadFileError(file, `weight ${quote(w.name)}: shape ${describeValue(w.shape)} is too large`);
        const mw: ManifestWeight = { name: w.name, shape, dtype: w.dtype, quantization: q };
        const name = Object.hasOwn(DTYPE_NAME, w.dtype) ? DTYPE_NAME[w.dtype] : w.dtype;
        const dtype = q ? `${name}<-${q.dtype}` : name;
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
      if (topo.node.length > MAX_GRAPH_NODES) throw new BadFileError(file, `graph of ${topo.node.length} nodes is larger than the ${MAX_GRAPH_NODES}-node limit`);
      for (const n of topo.node as unknown[]) {
        if (!isRecord(n) || typeof n.name !== 'string') continue;
        nodes.push({
          name: n.name,
          op: typeof n.op === 'string' ? n.op : '',
          inputs: Array.isArray(n.input) ? n.input.filter((i): i is string => typeof i === 'string') : [],
          outputs: [n.name],
          attrs: parseAttrs(n.attr),
        });
      }
    }
    const meta: Record<string, string> = {};
    for (const k of ['format', 'generatedBy', 'convertedBy', 'userDefinedMetadata']) {
      const v = json[k];
      if (v !== undefined && v !== null) meta[k] = typeof v === 'string' ? v.slice(0, 1000) : describeValue(v, 1000);
    }
    const src = new TfjsSource(folder, file, meta, shards, located, nodes, config);
    try {
      for (const l of located) {
        if (l.info.shape.reduce((a, b) => a * b, 1) <= SMALL_CONSTANT_MAX) src.small.set(l.info.name, Array.from((await src.read(l.info.name)).data));
      }
    } catch (err) {
      await src.close();
      throw err;
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
    if (!l) throw new ModelError(`${this.path}: no weight named ${quote(name)}`);
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
      const f = await this.folder.open(s.entry);
      try {
        if (f.size !== s.size || (f.identity ?? `entry ${s.entry}`) !== s.identity) {
          throw new BadFileError(f.name, `shard changed since it was opened (${s.size} -> ${f.size} bytes, or another file); refused`);
        }
        out.set(await f.read(lo - s.start, hi - lo, 'weights'), lo - offset);
      } finally {
        await f.close();
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

/** Opens the tfjs model.json `entry` of `folder`, with an optional config.json content. */
export function openTfjs(folder: ModelFolder, entry: string, config?: Record<string, unknown>): Promise<TfjsSource> {
  return TfjsSource.open(folder, entry, config);
}

const TFJS_KEYS = /"(modelTopology|weightsManifest|generatedBy|convertedBy)"\s*:/;

/** True when the first bytes are a JSON object naming a tfjs model.json key near its start. */
export function sniffTfjs(head: Uint8Array): boolean {
  const text = new TextDecoder('utf-8', { fatal: false }).decode(head);
  return /^\s*\{/.test(text) && TFJS_KEYS.test(text);
}
