import { BadFileError, UnsupportedError } from '../../../errors.js';
import { decode, DTYPE_SIZE } from '../../dtypes.js';
import type { ByteSource } from '../../byte-source.js';
import { describeValue, q } from '../../describe.js';
import { MAX_PICKLE_BYTES, MAX_TENSORS } from '../../limits.js';
import { PickleTruncated, PyDict, PyGlobal, unpickle } from './pickle.js';
import { checkedTensor, finishTensor, missingTensor, numel, requireReadable, type ReadOptions } from '../../source-base.js';
import type { Tensor, TensorInfo, TensorSource } from '../../types.js';
import { readZipDirectory, storedDataOffset, type ZipEntry } from './zip.js';

/**
 * PyTorch checkpoints (`pytorch_model.bin`, `.pt`, `.pth`) holding a state dict.
 *
 * Zip format (torch >= 1.6, torch/serialization.py `_save`): `<archive>/data.pkl` is a pickle of
 * the state dict whose tensors are `torch._utils._rebuild_tensor_v2(storage, offset, size, stride,
 * ...)`, each storage a persistent id `('storage', torch.<T>Storage, key, location, numel)` whose
 * bytes are the stored (uncompressed) entry `<archive>/data/<key>`; `<archive>/byteorder` may say
 * "big". Legacy format (`_use_new_zipfile_serialization=False`, torch/serialization.py
 * `_legacy_load`): pickles of the magic number 0x1950a86a20f9469cfc6c, protocol 1001, sys_info
 * and the state dict (persistent ids `('storage', type, root_key, location, numel, view)`), then
 * the list of storage keys, then for each key an 8-byte element count and the raw elements.
 * Only tensor metadata is read on open; each read fetches that tensor's bytes by offset.
 */

/** torch.<Name>Storage -> dtype of its elements. */
const STORAGE_DTYPES: Readonly<Record<string, string>> = {
  DoubleStorage: 'F64', FloatStorage: 'F32', HalfStorage: 'F16', BFloat16Storage: 'BF16', LongStorage: 'I64',
  IntStorage: 'I32', ShortStorage: 'I16', CharStorage: 'I8', ByteStorage: 'U8', BoolStorage: 'BOOL',
};

const LEGACY_MAGIC = 0x1950a86a20f9469cfc6cn;

interface StorageRef {
  readonly key: string;
  readonly dtype: string;
  /** Elements available from `base` on. */
  readonly numel: number;
  /** Element offset into the root storage (legacy storage views). */
  readonly base: number;
}

export class TensorRef {
  constructor(
    readonly storage: StorageRef,
    readonly offset: number,
    readonly shape: readonly number[],
    readonly stride: readonly number[],
  ) {}
}

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

function torchGlobals(file: string): Map<string, ((args: unknown[]) => unknown) | undefined> {
  const g = new Map<string, ((args: unknown[]) => unknown) | undefined>();
  const bad = (what: string): BadFileError => new BadFileError(file, `corrupt state dict: ${what}`);
  g.set('collections.OrderedDict', (args) => {
    const d = new PyDict();
    const items = args[0];
    if (Array.isArray(items)) for (const kv of items) if (Array.isArray(kv) && kv.length === 2) d.map.set(kv[0], kv[1]);
    return d;
  });
  const rebuild = (args: unknown[]): TensorRef => {
    const [storage, offset, size, stride] = args;
    if (!(storage instanceof Object) || !('key' in storage) || !isCount(offset) || !Array.isArray(size) || !Array.isArray(stride)) {
      throw bad('_rebuild_tensor arguments are not (storage, offset, size, stride)');
    }
    if (size.length !== stride.length || !size.every(isCount) || !stride.every(isCount)) throw bad(`tensor size ${describeValue(size)} / stride ${describeValue(stride)} are invalid`);
    return new TensorRef(storage as StorageRef, offset, size as number[], stride as number[]);
  };
  g.set('torch._utils._rebuild_tensor_v2', rebuild);
  g.set('torch._utils._rebuild_tensor', rebuild);
  const param = (args: unknown[]): unknown => {
    if (!(args[0] instanceof TensorRef)) throw bad('_rebuild_parameter of a non-tensor');
    return args[0];
  };
  g.set('torch._utils._rebuild_parameter', param);
  g.set('torch._utils._rebuild_parameter_with_state', param);
  for (const name of Object.keys(STORAGE_DTYPES)) g.set(`torch.${name}`, undefined);
  return g;
}

/** Parses a storage persistent id; `legacy` ids carry a sixth element (view metadata). */
function storageFromPid(file: string, pid: unknown, legacy: boolean, rootNumel: Map<string, { dtype: string; numel: number }>): StorageRef {
  const bad = (what: string): BadFileError => new BadFileError(file, `corrupt state dict: ${what}`);
  if (!Array.isArray(pid) || pid[0] !== 'storage') {
    if (Array.isArray(pid) && pid[0] === 'module') throw new UnsupportedError(`${file}: holds a pickled nn.Module (source code), not a state dict; refused`);
    throw bad('unknown persistent id');
  }
  const [, type, key, , n, view] = pid;
  if (!(type instanceof PyGlobal) || typeof key !== 'string' || !isCount(n)) throw bad('storage id is not (storage, type, key, location, numel)');
  const dtype = STORAGE_DTYPES[type.name];
  if (dtype === undefined) throw bad(`unknown storage type ${type.qualified}`);
  const prev = rootNumel.get(key);
  if (prev && (prev.dtype !== dtype || prev.numel !== n)) throw bad(`storage ${q(key)} is declared twice with different types or sizes`);
  rootNumel.set(key, { dtype, numel: n });
  if (legacy && Array.isArray(view)) {
    const [, off, viewSize] = view;
    if (!isCount(off) || !isCount(viewSize) || off + viewSize > n) throw bad(`storage view of ${q(key)} lies outside it`);
    return { key, dtype, numel: viewSize, base: off };
  }
  return { key, dtype, numel: n, base: 0 };
}

/** Walks the unpickled object into name -> tensor (nested dicts joined with "."). */
function collectTensors(file: string, root: unknown): Map<string, TensorRef> {
  if (!(root instanceof PyDict)) throw new UnsupportedError(`${file}: the checkpoint is not a state dict (its top-level object is not a dict)`);
  let top = root;
  const hasTensor = [...top.map.values()].some((v) => v instanceof TensorRef);
  if (!hasTensor) {
    // Training checkpoints often wrap the weights: {"state_dict": {...}, "optimizer": ...}
    const wrap = ['state_dict', 'model', 'module', 'model_state_dict'].map((k) => top.map.get(k)).find((v) => v instanceof PyDict);
    if (wrap instanceof PyDict) top = wrap;
  }
  const out = new Map<string, TensorRef>();
  const walk = (d: PyDict, prefix: string, depth: number, seen: Set<PyDict>): void => {
    if (depth > 16 || seen.has(d)) return;
    seen.add(d);
    for (const [k, v] of d.map) {
      if (typeof k !== 'string' && typeof k !== 'number') continue;
      const name = prefix + String(k);
      if (v instanceof TensorRef) {
        if (out.size >= MAX_TENSORS) throw new BadFileError(file, `the state dict holds more than ${MAX_TENSORS} tensors`);
        out.set(name, v);
      } else if (v instanceof PyDict) walk(v, `${name}.`, depth + 1, seen);
    }
  };
  walk(top, '', 0, new Set());
  for (const [name, t] of out) {
    const n = numel(t.shape);
    const view = `(offset ${t.offset}, shape ${describeValue(t.shape)}, stride ${describeValue(t.stride)})`;
    if (!Number.isSafeInteger(n)) throw new BadFileError(file, `tensor ${q(name)} shape ${describeValue(t.shape)} is too large`);
    if (n === 0) continue;
    const span = t.shape.reduce((a, d, i) => a + (d - 1) * t.stride[i], 0) + 1;
    if (t.offset + span > t.storage.numel) {
      throw new BadFileError(file, `tensor ${q(name)} ${view} reaches past its storage of ${t.storage.numel} elements`);
    }
    // No amplification: a view may not show more elements than the distinct stored ones it spans
    // (a stride-0 or overlapping view would turn a few stored bytes into gigabytes).
    if (n > span) throw new BadFileError(file, `tensor ${q(name)} ${view} is a stride-0 or overlapping view: ${n} elements over ${span} stored ones; refused`);
  }
  return out;
}

function isContiguous(shape: readonly number[], stride: readonly number[]): boolean {
  let expect = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    if (shape[i] !== 1 && stride[i] !== expect) return false;
    expect *= shape[i];
  }
  return true;
}

/** A state dict from either format; `locate` gives the byte offset of a storage's element 0. */
export class PyTorchSource implements TensorSource {
  readonly format = 'pytorch';
  private readonly infos: TensorInfo[];

  constructor(
    private readonly file: ByteSource,
    private readonly tensors: ReadonlyMap<string, TensorRef>,
    private readonly locate: (s: StorageRef) => Promise<number>,
    private readonly littleEndian: boolean,
    private readonly opts: ReadOptions,
  ) {
    this.infos = [...tensors].map(([name, t]) => ({ name, dtype: t.storage.dtype, shape: t.shape }));
  }

  get path(): string {
    return this.file.name;
  }
  list(): readonly TensorInfo[] {
    return this.infos;
  }
  has(name: string): boolean {
    return this.tensors.has(name);
  }

  async read(name: string): Promise<Tensor> {
    const t = this.tensors.get(name);
    if (!t) throw missingTensor(this.path, name);
    const { dtype } = t.storage;
    requireReadable(this.path, name, dtype);
    const es = DTYPE_SIZE[dtype];
    const start = (await this.locate(t.storage)) + t.offset * es;
    const n = numel(t.shape);
    const info = { name, dtype, shape: t.shape };
    if (n === 0 || isContiguous(t.shape, t.stride)) {
      return finishTensor(this.path, info, await this.file.read(start, n * es, `tensor ${q(name)}`), this.opts, this.littleEndian);
    }
    // Strided view (e.g. a transpose sharing its storage): read the span it touches, then gather.
    const span = t.shape.reduce((a, d, i) => a + (d - 1) * t.stride[i], 0) + 1;
    const src = decode(dtype, await this.file.read(start, span * es, `tensor ${q(name)}`), span, this.littleEndian);
    const out = src instanceof Float64Array ? new Float64Array(n) : new Float32Array(n);
    const idx = new Array<number>(t.shape.length).fill(0);
    let off = 0;
    for (let k = 0; k < n; k++) {
      out[k] = src[off];
      for (let d = t.shape.length - 1; d >= 0; d--) {
        if (++idx[d] < t.shape[d]) {
          off += t.stride[d];
          break;
        }
        off -= (t.shape[d] - 1) * t.stride[d];
        idx[d] = 0;
      }
    }
    return checkedTensor(this.path, { name, shape: [...t.shape], data: out }, this.opts);
  }

  close(): Promise<void> {
    return this.file.close();
  }
}

/**
 * Unpickles a zip-format `data.pkl` into its tensors (name -> storage view) and storages; the
 * pure, file-free part of reading a checkpoint (also the unpickler's fuzzing entry point).
 */
export function parseStateDictPickle(
  file: string,
  bytes: Uint8Array,
): { tensors: Map<string, TensorRef>; roots: Map<string, { dtype: string; numel: number }> } {
  const roots = new Map<string, { dtype: string; numel: number }>();
  const { value } = unpickle(bytes, { file, globals: torchGlobals(file), persistentLoad: (pid) => storageFromPid(file, pid, false, roots) });
  return { tensors: collectTensors(file, value), roots };
}

async function openZip(file: ByteSource, opts: ReadOptions): Promise<PyTorchSource> {
  const entries = await readZipDirectory(file);
  const byName = new Map(entries.map((e) => [e.name, e]));
  if (entries.some((e) => e.name.endsWith('/constants.pkl'))) {
    throw new UnsupportedError(`${file.name}: a TorchScript archive, not a state dict; save model.state_dict() instead`);
  }
  const pkl = entries.filter((e) => e.name.endsWith('data.pkl')).sort((a, b) => a.name.length - b.name.length)[0];
  if (!pkl) throw new BadFileError(file.name, 'zip has no data.pkl: not a PyTorch checkpoint');
  const prefix = pkl.name.slice(0, -'data.pkl'.length);
  if (pkl.size > MAX_PICKLE_BYTES) throw new BadFileError(file.name, `data.pkl of ${pkl.size} bytes is larger than the ${MAX_PICKLE_BYTES}-byte limit`);
  const pklBytes = await file.read(await storedDataOffset(file, pkl), pkl.size, 'data.pkl');
  let littleEndian = true;
  const bo = byName.get(`${prefix}byteorder`);
  if (bo && bo.size <= 16) {
    const s = new TextDecoder().decode(await file.read(await storedDataOffset(file, bo), bo.size, 'byteorder'));
    if (s !== 'little' && s !== 'big') throw new BadFileError(file.name, `byteorder entry says ${describeValue(s)}`);
    littleEndian = s === 'little';
  }
  const { tensors, roots } = parseStateDictPickle(file.name, pklBytes);
  const offsets = new Map<string, Promise<number>>();
  const locate = (s: StorageRef): Promise<number> => {
    let p = offsets.get(s.key);
    if (!p) {
      const entry: ZipEntry | undefined = byName.get(`${prefix}data/${s.key}`);
      p = entry
        ? storedDataOffset(file, entry).then((off) => {
            const need = (roots.get(s.key)?.numel ?? 0) * DTYPE_SIZE[s.dtype];
            if (entry.size < need) throw new BadFileError(file.name, `storage ${q(s.key)} holds ${entry.size} bytes, fewer than the ${need} its tensors need`);
            return off;
          })
        : Promise.reject(new BadFileError(file.name, `storage entry ${prefix}data/${s.key} is missing from the zip`));
      offsets.set(s.key, p);
    }
    return p;
  };
  return new PyTorchSource(file, tensors, locate, littleEndian, opts);
}

async function openLegacy(file: ByteSource, opts: ReadOptions): Promise<PyTorchSource> {
  const globals = torchGlobals(file.name);
  let window = Math.min(file.size, 1 << 20);
  for (;;) {
    const bytes = await file.read(0, window, 'pickle header');
    try {
      const u = (start: number, persistentLoad?: (pid: unknown) => unknown): { value: unknown; end: number } =>
        unpickle(bytes, { file: file.name, globals, persistentLoad }, start);
      const magic = u(0);
      if (magic.value !== LEGACY_MAGIC) throw new BadFileError(file.name, 'not a PyTorch checkpoint (a pickle without the torch magic number)');
      const proto = u(magic.end);
      if (proto.value !== 1001) throw new UnsupportedError(`${file.name}: legacy PyTorch protocol ${describeValue(proto.value)} (expected 1001)`);
      const sys = u(proto.end);
      const le = !(sys.value instanceof PyDict) || sys.value.map.get('little_endian') !== false;
      const roots = new Map<string, { dtype: string; numel: number }>();
      const main = u(sys.end, (pid) => storageFromPid(file.name, pid, true, roots));
      const tensors = collectTensors(file.name, main.value);
      const keys = u(main.end);
      if (!Array.isArray(keys.value) || !keys.value.every((k) => typeof k === 'string')) throw new BadFileError(file.name, 'corrupt legacy checkpoint: storage key list');
      // Walk the storage records: an 8-byte element count, then the elements.
      const dataAt = new Map<string, number>();
      let pos = keys.end;
      for (const key of keys.value as string[]) {
        const root = roots.get(key);
        if (!root) throw new BadFileError(file.name, `corrupt legacy checkpoint: unknown storage key ${q(key)}`);
        const head = await file.read(pos, 8, `storage ${q(key)} header`);
        const n = new DataView(head.buffer).getBigUint64(0, le);
        if (n !== BigInt(root.numel)) throw new BadFileError(file.name, `storage ${q(key)} holds ${n} elements, the pickle says ${root.numel}`);
        dataAt.set(key, pos + 8);
        pos += 8 + root.numel * DTYPE_SIZE[root.dtype];
        if (pos > file.size) throw new BadFileError(file.name, `truncated: storage ${q(key)} ends at byte ${pos} but the file has ${file.size}`);
      }
      const locate = async (s: StorageRef): Promise<number> => {
        const at = dataAt.get(s.key);
        if (at === undefined) throw new BadFileError(file.name, `storage ${q(s.key)} has no data record`);
        return at + s.base * DTYPE_SIZE[s.dtype];
      };
      return new PyTorchSource(file, tensors, locate, le, opts);
    } catch (err) {
      if (err instanceof PickleTruncated && window < file.size) {
        if (window >= MAX_PICKLE_BYTES) throw new BadFileError(file.name, `the pickled header runs past the ${MAX_PICKLE_BYTES}-byte limit`);
        window = Math.min(file.size, window * 4, MAX_PICKLE_BYTES);
        continue;
      }
      throw err;
    }
  }
}

/** Opens a PyTorch checkpoint (zip or legacy pickle format) holding a state dict; the source owns `file`. */
export async function openPyTorch(file: ByteSource, opts: ReadOptions = {}): Promise<PyTorchSource> {
  try {
    const head = await file.read(0, Math.min(4, file.size), 'magic');
    if (head[0] === 0x50 && head[1] === 0x4b) return await openZip(file, opts);
    if (head[0] === 0x80) return await openLegacy(file, opts);
    throw new BadFileError(file.name, 'not a PyTorch checkpoint (neither a zip nor a pickle)');
  } catch (err) {
    await file.close();
    throw err;
  }
}

const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04];
/** The pickled torch magic number 0x1950a86a20f9469cfc6c as LONG1: what a legacy checkpoint starts with. */
const LEGACY_MAGIC_LONG1 = [0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19];

/**
 * True when the first bytes are a PyTorch checkpoint: a zip whose first entry is a file of a
 * torch archive ("<archive>/data.pkl", ".../byteorder", ".../version", ...), or a pickle (protocol
 * 2-5, optionally framed) that starts with the torch magic number.
 */
export function sniffPyTorch(head: Uint8Array): boolean {
  if (ZIP_MAGIC.every((b, i) => head[i] === b)) {
    if (head.length < 30) return false;
    const nameLen = head[26] | (head[27] << 8);
    const name = new TextDecoder().decode(head.subarray(30, 30 + Math.min(nameLen, head.length - 30)));
    return /^[^/]+\/(data\.pkl|byteorder|version|\.format_version|\.storage_alignment|data\/)/.test(name);
  }
  if (head[0] !== 0x80 || head[1] < 2 || head[1] > 5) return false;
  let p = 2;
  if (head[p] === 0x95) p += 9; // FRAME + 8-byte length (protocol 4+)
  return LEGACY_MAGIC_LONG1.every((b, i) => head[p + i] === b);
}
