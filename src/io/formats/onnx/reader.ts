import onnxProto from 'onnx-proto';
import { BadFileError, ModelError, UnsupportedError } from '../../../errors.js';
import { entryDir, MissingFileError, resolveEntryName, type ModelFolder } from '../../byte-source.js';
import { clip, q } from '../../describe.js';
import { MAX_GRAPH_NODES, MAX_ONNX_BYTES, MAX_TENSORS } from '../../limits.js';
import { SMALL_CONSTANT_MAX, type GraphNode, type GraphTensorSource, type Tensor, type TensorInfo } from '../../types.js';
import { recoverLinearNames, transpose, type Alias } from './names.js';
import { dequantize, findQuantizedWeights, type QuantWeight } from './quant.js';
import { decodeRaw, decodeTyped, ONNX_DTYPES, toNum, type Int64Like } from './tensor.js';

/**
 * ONNX reader: weights are the graph's initializers AND the outputs of Constant nodes (exporters
 * differ; paddle2onnx, which made PaddleOCR's models, writes every weight as a Constant node).
 * Decoding uses `onnx-proto` (the protobufjs-generated ModelProto of onnx.proto v1.10). A
 * protobuf has to be parsed whole, so the file is read into memory once; tensor payloads stay
 * views into that buffer and are decoded to floats only when `read` asks. Tensors with
 * data_location = EXTERNAL are read from their side file (location relative to the model's
 * folder, offset, length), through the folder's gate and only on demand; two tensors may not
 * share external bytes (that would let a small file materialise the same range many times).
 */

const { onnx } = onnxProto;
type ITensorProto = onnxProto.onnx.ITensorProto;
type INodeProto = onnxProto.onnx.INodeProto;

interface Entry {
  info: TensorInfo;
  proto: ITensorProto;
}

function shapeOf(dims: Int64Like[] | null | undefined): number[] {
  return (dims ?? []).map(toNum);
}

/** A Constant node's value as a TensorProto (value, value_float(s), value_int(s)); null if none. */
function constantValue(node: INodeProto): ITensorProto | null {
  for (const a of node.attribute ?? []) {
    switch (a.name) {
      case 'value':
        return a.t ?? null;
      case 'value_float':
        return { dims: [], dataType: 1, floatData: [a.f ?? 0] };
      case 'value_floats':
        return { dims: [(a.floats ?? []).length], dataType: 1, floatData: a.floats ?? [] };
      case 'value_int':
        return { dims: [], dataType: 7, int64Data: [a.i ?? 0] };
      case 'value_ints':
        return { dims: [(a.ints ?? []).length], dataType: 7, int64Data: a.ints ?? [] };
    }
  }
  return null;
}

function nodeAttrs(node: INodeProto): Record<string, number | string | readonly number[]> {
  const out: Record<string, number | string | readonly number[]> = {};
  for (const a of node.attribute ?? []) {
    if (!a.name) continue;
    // AttributeType: 1 FLOAT, 2 INT, 3 STRING, 6 FLOATS, 7 INTS.
    if (a.type === 1) out[a.name] = a.f ?? 0;
    else if (a.type === 2) out[a.name] = toNum(a.i ?? 0);
    else if (a.type === 3) out[a.name] = new TextDecoder().decode(a.s ?? new Uint8Array());
    else if (a.type === 6) out[a.name] = a.floats ?? [];
    else if (a.type === 7) out[a.name] = (a.ints ?? []).map(toNum);
  }
  return out;
}

export class OnnxSource implements GraphTensorSource {
  readonly format = 'onnx';
  readonly path: string;
  readonly metadata: Readonly<Record<string, string>>;
  private readonly entries = new Map<string, Entry>();
  private readonly nodes: GraphNode[];
  private readonly small = new Map<string, readonly number[]>();
  private readonly aliases: Map<string, Alias>;
  /** Dequantized weights of a quantized model (quant.ts) and the integer tensors behind them. */
  private readonly quant: Map<string, QuantWeight>;
  private readonly quantHidden: Set<string>;

  /** External-data tensors: name -> folder entry and byte range, validated on open. */
  private readonly external = new Map<string, { entry: string; offset: number; length: number }>();

  constructor(
    private readonly folder: ModelFolder,
    /** The model's entry in `folder` (e.g. "model.onnx", "onnx/model_quantized.onnx"). */
    private readonly entry: string,
    model: onnxProto.onnx.ModelProto,
    /** config.json found beside the model, if any. */
    readonly config?: Record<string, unknown>,
  ) {
    const path = folder.pathOf(entry);
    this.path = path;
    const g = model.graph;
    if (!g) throw new BadFileError(path, 'ONNX model has no graph');
    if ((g.node ?? []).length > MAX_GRAPH_NODES) throw new BadFileError(path, `graph of ${(g.node ?? []).length} nodes is larger than the ${MAX_GRAPH_NODES}-node limit`);
    if ((g.initializer ?? []).length > MAX_TENSORS) throw new BadFileError(path, `${(g.initializer ?? []).length} initializers, more than the ${MAX_TENSORS} limit`);
    const add = (proto: ITensorProto, name: string, origin: string) => {
      if (this.entries.has(name)) throw new BadFileError(path, `tensor ${q(name)} is defined twice (${origin})`);
      const dt = proto.dataType ?? 0;
      this.entries.set(name, { info: { name, dtype: ONNX_DTYPES[dt]?.name ?? `ONNX_TYPE_${dt}`, shape: shapeOf(proto.dims) }, proto });
    };
    for (const t of g.initializer ?? []) add(t, t.name ?? '', 'initializer');
    this.nodes = [];
    for (const n of g.node ?? []) {
      const name = n.name ?? '';
      const outputs = n.output ?? [];
      if (n.opType === 'Constant' && outputs.length === 1) {
        const v = constantValue(n);
        if (v) add(v, outputs[0], 'Constant node');
      }
      this.nodes.push({ name, op: n.opType ?? '', inputs: n.input ?? [], outputs, attrs: nodeAttrs(n) });
    }
    this.locateExternal();
    for (const [name, e] of this.entries) {
      const count = e.info.shape.reduce((a, b) => a * b, 1);
      if (count > SMALL_CONSTANT_MAX || e.proto.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL) continue;
      try {
        this.small.set(name, Array.from(this.decode(e)));
      } catch {
        // Not decodable (strings, bad sizes): read() reports it if anyone asks for the tensor.
      }
    }
    const infos = new Map([...this.entries].map(([k, e]) => [k, e.info]));
    const scan = findQuantizedWeights(this.nodes, infos);
    this.quant = scan.weights;
    this.quantHidden = scan.hidden;
    for (const [name, w] of scan.weights) infos.set(name, { name, dtype: 'F64', shape: w.shape });
    this.aliases = recoverLinearNames(scan.linearView, infos);
    const meta: Record<string, string> = {
      producer: `${model.producerName ?? ''} ${model.producerVersion ?? ''}`.trim(),
      opset: (model.opsetImport ?? []).map((o) => `${o.domain || 'ai.onnx'}:${toNum(o.version ?? 0)}`).join(','),
    };
    if (scan.weights.size > 0) meta.quantized = `${scan.weights.size} 8-bit weights read dequantized, W = (q - zero_point)·scale`;
    if (scan.nbits > 0) meta.unreadQuantized = `${scan.nbits} MatMulNBits (4-bit block) weights are not decoded`;
    if (this.aliases.size > 0) meta.recoveredNames = `${this.aliases.size} MatMul weights named after their biases, read transposed to (out, in)`;
    for (const p of model.metadataProps ?? []) if (p.key) meta[p.key] = p.value ?? '';
    this.metadata = meta;
  }

  list(): readonly TensorInfo[] {
    // A renamed weight is listed under its recovered name only (readable under both).
    const renamed = new Set([...this.aliases.values()].map((a) => a.of));
    const aliased = [...this.aliases].map(([name, a]) => ({ name, dtype: this.quant.has(a.of) ? 'F64' : (this.entries.get(a.of)?.info.dtype ?? 'F32'), shape: a.shape }));
    const dequantized = [...this.quant].filter(([name]) => !renamed.has(name)).map(([name, w]) => ({ name, dtype: 'F64', shape: w.shape }));
    const stored = [...this.entries.values()].filter((e) => !renamed.has(e.info.name) && !this.quantHidden.has(e.info.name)).map((e) => e.info);
    return [...stored, ...dequantized, ...aliased];
  }

  has(name: string): boolean {
    return this.entries.has(name) || this.aliases.has(name) || this.quant.has(name);
  }

  graph(): readonly GraphNode[] {
    return this.nodes;
  }

  smallConstant(name: string): readonly number[] | undefined {
    return this.small.get(name);
  }

  /** Decodes an in-file tensor. */
  private decode(e: Entry, raw?: Uint8Array): Float32Array | Float64Array {
    const p = e.proto;
    const count = e.info.shape.reduce((a, b) => a * b, 1);
    const what = `tensor ${q(e.info.name)}`;
    const bytes = raw ?? (p.rawData && p.rawData.byteLength > 0 ? p.rawData : undefined);
    return bytes ? decodeRaw(p.dataType ?? 0, bytes, count, this.path, what) : decodeTyped(p.dataType ?? 0, p, count, this.path, what);
  }

  async read(name: string): Promise<Tensor> {
    const alias = this.aliases.get(name);
    if (alias) {
      const t = await this.read(alias.of);
      return { name, shape: alias.shape, data: transpose(t.data, alias.shape[1], alias.shape[0]) };
    }
    const qw = this.quant.get(name);
    if (qw) {
      const [q, s, z] = await Promise.all([this.read(qw.q), this.read(qw.scale), qw.zeroPoint !== undefined ? this.read(qw.zeroPoint) : undefined]);
      try {
        return { name, shape: qw.shape, data: dequantize(qw, name, q.data, s.data, z?.data) };
      } catch (err) {
        throw new BadFileError(this.path, clip((err as Error).message));
      }
    }
    const e = this.entries.get(name);
    if (!e) throw new ModelError(`${this.path}: no tensor named ${q(name)}`);
    const external = e.proto.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL;
    const data = this.decode(e, external ? await this.readExternal(name) : undefined);
    return { name, shape: e.info.shape, data };
  }

  /**
   * Validates every external-data reference on open: a location inside the model folder, a
   * whole byte range of the size the tensor needs, and no two tensors sharing bytes of a file.
   */
  private locateExternal(): void {
    const dir = entryDir(this.entry);
    const byFile = new Map<string, { name: string; offset: number; length: number }[]>();
    for (const [name, e] of this.entries) {
      const p = e.proto;
      if (p.dataLocation !== onnx.TensorProto.DataLocation.EXTERNAL) continue;
      const kv = new Map((p.externalData ?? []).map((x) => [x.key ?? '', x.value ?? '']));
      const loc = kv.get('location');
      if (!loc) throw new BadFileError(this.path, `tensor ${q(name)} is external but names no location`);
      const entry = resolveEntryName(dir, loc);
      if (entry === undefined) throw new UnsupportedError(`${this.path}: tensor ${q(name)} points outside the model's folder (${q(loc)}); refused`);
      const dt = ONNX_DTYPES[p.dataType ?? 0];
      const count = e.info.shape.reduce((a, b) => a * b, 1);
      const offset = Number(kv.get('offset') ?? '0');
      const length = kv.has('length') ? Number(kv.get('length')) : count * (dt?.size ?? 0);
      if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0) {
        throw new BadFileError(this.path, `tensor ${q(name)}: bad external offset/length`);
      }
      if (dt && dt.size > 0 && length !== count * dt.size) {
        throw new BadFileError(this.path, `tensor ${q(name)}: external length ${length} bytes, but ${count} ${dt.name} elements need ${count * dt.size}`);
      }
      const list = byFile.get(entry) ?? [];
      list.push({ name, offset, length });
      byFile.set(entry, list);
      this.external.set(name, { entry, offset, length });
    }
    for (const [entry, list] of byFile) {
      list.sort((a, b) => a.offset - b.offset);
      for (let i = 1; i < list.length; i++) {
        const prev = list[i - 1];
        if (list[i].length > 0 && prev.length > 0 && list[i].offset < prev.offset + prev.length) {
          throw new BadFileError(this.folder.pathOf(entry), `tensors ${q(prev.name)} and ${q(list[i].name)} share external bytes (${list[i].offset} < ${prev.offset + prev.length}); refused`);
        }
      }
    }
  }

  /**
   * Opens each external-data file once and refuses two location names for one stored file (two
   * links, or a linked sub-folder): the per-file overlap check of locateExternal compares names,
   * so only the gate's identity (device and inode) can see that their ranges share bytes.
   */
  async checkExternalFiles(): Promise<void> {
    const byIdentity = new Map<string, string>();
    for (const entry of new Set([...this.external.values()].map((x) => x.entry))) {
      let f;
      try {
        f = await this.folder.open(entry);
      } catch (err) {
        if (err instanceof MissingFileError) continue; // reported by read(), naming the tensor
        throw err;
      }
      const id = f.identity ?? `entry ${entry}`;
      await f.close();
      const first = byIdentity.get(id);
      if (first !== undefined) throw new BadFileError(this.path, `external data files ${q(first)} and ${q(entry)} are the same stored file (a link); refused`);
      byIdentity.set(id, entry);
    }
  }

  private async readExternal(name: string): Promise<Uint8Array> {
    const x = this.external.get(name);
    if (!x) throw new BadFileError(this.path, `tensor ${q(name)} is external but was not located`);
    const file = await this.folder.open(x.entry);
    try {
      return await file.read(x.offset, x.length, `external data of tensor ${q(name)}`);
    } finally {
      await file.close();
    }
  }

  async close(): Promise<void> {
    this.entries.clear();
  }
}

/**
 * Opens the ONNX model `entry` of `folder` (with an optional config.json content). Throws
 * BadFileError when the file is missing, too large, or not a ModelProto.
 */
export async function openOnnx(folder: ModelFolder, entry: string, config?: Record<string, unknown>): Promise<OnnxSource> {
  const file = await folder.open(entry);
  let bytes: Uint8Array;
  try {
    if (file.size > MAX_ONNX_BYTES) throw new BadFileError(file.name, `ONNX protobuf of ${file.size} bytes is larger than the ${MAX_ONNX_BYTES}-byte limit`);
    bytes = await file.read(0, file.size, 'ONNX model');
  } finally {
    await file.close();
  }
  let model: onnxProto.onnx.ModelProto;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (err) {
    throw new BadFileError(file.name, `not a valid ONNX model (${clip((err as Error).message, 120)})`);
  }
  if (toNum(model.irVersion ?? 0) < 1 || !model.graph) throw new BadFileError(file.name, 'not a valid ONNX model (no IR version or no graph)');
  const src = new OnnxSource(folder, entry, model, config);
  await src.checkExternalFiles();
  return src;
}

/** ModelProto fields that may follow ir_version (field 1): producer_name ... metadata_props, as protobuf tags. */
const MODEL_PROTO_TAGS = new Set([0x12, 0x1a, 0x22, 0x28, 0x32, 0x3a, 0x42, 0x72, 0x7a, 0x82]);

/**
 * True when the first bytes look like an ONNX ModelProto as exporters write it: field 1
 * (ir_version, a varint between 1 and 99) first, then another ModelProto field.
 */
export function sniffOnnx(head: Uint8Array): boolean {
  if (head.length < 4 || head[0] !== 0x08) return false;
  const ir = head[1];
  return ir >= 1 && ir < 100 && MODEL_PROTO_TAGS.has(head[2]);
}
