import { BadFileError, UnsupportedError } from '../errors.js';
import { entryDir, type ModelFolder } from './byte-source.js';
import { describeValue, q } from './describe.js';
import { openGguf, sniffGguf } from './formats/gguf/reader.js';
import { openOnnx, sniffOnnx } from './formats/onnx/reader.js';
import { openPyTorch, sniffPyTorch } from './formats/pytorch/reader.js';
import { openSafetensors, openSharded, readShardIndex, sniffSafetensors } from './formats/safetensors/reader.js';
import { openTfjs, sniffTfjs } from './formats/tfjs/reader.js';
import { readJsonObject, stringField } from './json.js';
import { SNIFF_BYTES } from './limits.js';
import type { ReadOptions } from './source-base.js';
import type { TensorSource } from './types.js';

/**
 * The reader registry: recognises a checkpoint by CONTENT (magic bytes and structure), never by
 * its file name, and opens it from a ModelFolder (so it runs unchanged on node and in a browser).
 *
 *   safetensors  u64 LE header length that fits the file, then '{'
 *   pytorch      a zip whose first entry belongs to a torch archive (".../data.pkl" ...), or a
 *                pickle (protocol 2-5) starting with torch's magic number
 *   gguf         "GGUF"
 *   onnx         protobuf field 1 (ir_version) then another ModelProto field
 *   tfjs         a JSON object with tfjs model.json keys (weightsManifest, modelTopology ...)
 *   index        a JSON object with "weight_map" (sharded safetensors or PyTorch: the first
 *                shard's content says which)
 *
 * In a folder, every top-level file (and the files of a transformers.js `onnx/` sub-folder) is
 * sniffed; the checkpoint opened is the first kind present in the order index-of-safetensors,
 * safetensors, index-of-pytorch, pytorch, gguf, onnx, tfjs. Within a kind the conventional name
 * wins (model.safetensors, pytorch_model.bin, model.onnx ...), else the only file of that kind.
 * config.json beside the weights (or at the top of the folder) becomes the source's `config`.
 */

export type Kind = 'safetensors' | 'pytorch' | 'gguf' | 'onnx' | 'tfjs' | 'index';

/** Most files whose first bytes are read to find the weights of a folder. */
export const MAX_SNIFFED_FILES = 2000;

/** The kind of file whose first bytes are `head` (of a file of `size` bytes), if any. */
export function sniff(head: Uint8Array, size: number, name = ''): Kind | undefined {
  if (sniffSafetensors(head, size)) return 'safetensors';
  if (sniffGguf(head)) return 'gguf';
  if (sniffPyTorch(head)) return 'pytorch';
  if (sniffOnnx(head)) return 'onnx';
  let i = 0;
  while (i < head.length && (head[i] === 0x20 || head[i] === 0x0a || head[i] === 0x0d || head[i] === 0x09)) i++;
  if (head[i] === 0x7b) {
    if (sniffTfjs(head)) return 'tfjs';
    const text = new TextDecoder().decode(head);
    // The key decides; the name is only a fallback for an index whose weight_map starts past the sniffed bytes.
    if (/"weight_map"\s*:/.test(text) || (size > head.length && name.endsWith('.index.json'))) return 'index';
  }
  return undefined;
}

/** Reads the first bytes of an entry and sniffs them. */
async function sniffEntry(folder: ModelFolder, entry: string): Promise<Kind | undefined> {
  const f = await folder.open(entry);
  try {
    return sniff(await f.read(0, Math.min(SNIFF_BYTES, f.size), 'first bytes'), f.size, entry);
  } finally {
    await f.close();
  }
}

/** The kind of file a sharded index's shards are (its first shard's content decides). */
async function indexKind(folder: ModelFolder, index: string): Promise<'safetensors' | 'pytorch'> {
  const map = await readShardIndex(folder, index);
  const first = map.values().next().value as string;
  const kind = await sniffEntry(folder, first);
  if (kind !== 'safetensors' && kind !== 'pytorch') throw new BadFileError(folder.pathOf(index), `its first shard ${q(first)} is neither safetensors nor PyTorch`);
  return kind;
}

/** Opens `entry` of `folder`, known to be of `kind`, and attaches the config beside it. */
async function openKind(folder: ModelFolder, entry: string, kind: Kind, opts: ReadOptions): Promise<TensorSource> {
  const config = async (): Promise<Record<string, unknown> | undefined> => findConfig(folder, entry);
  switch (kind) {
    case 'safetensors':
      return attach(await openSafetensors(await folder.open(entry), opts), config);
    case 'pytorch':
      return attach(await openPyTorch(await folder.open(entry), opts), config);
    case 'gguf':
      return attach(await openGguf(await folder.open(entry), opts), config);
    case 'onnx':
      return openOnnx(folder, entry, await config());
    case 'tfjs':
      return openTfjs(folder, entry, await config());
    case 'index': {
      const shards = await indexKind(folder, entry);
      const open = shards === 'safetensors' ? (f: Parameters<typeof openSafetensors>[0]) => openSafetensors(f, opts) : (f: Parameters<typeof openPyTorch>[0]) => openPyTorch(f, opts);
      return attach(await openSharded(shards, folder, entry, open), config);
    }
  }
}

/** config.json in the entry's own folder, else at the top of the model folder (transformers.js onnx/). */
export async function findConfig(folder: ModelFolder, entry: string): Promise<Record<string, unknown> | undefined> {
  const dir = entryDir(entry);
  for (const name of dir === '' ? ['config.json'] : [`${dir}/config.json`, 'config.json']) {
    const cfg = await readJsonObject(folder, name, true);
    if (!cfg) continue;
    // model_type picks the adapter: a non-string one would silently fall back to tensor names.
    stringField(cfg, 'model_type', folder.pathOf(name));
    return cfg;
  }
  return undefined;
}

/**
 * Gives a source the config.json found beside it (unless the format carries its own, as GGUF
 * does), keeping every other member by delegation.
 */
async function attach(src: TensorSource, config: () => Promise<Record<string, unknown> | undefined>): Promise<TensorSource> {
  if (src.config) return src;
  let c;
  try {
    c = await config();
  } catch (err) {
    await src.close();
    throw err;
  }
  if (!c) return src;
  const cfg = c;
  return new Proxy(src, {
    get(target, key) {
      if (key === 'config') return cfg;
      const v: unknown = Reflect.get(target, key, target);
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

/** transformers.js exports, best first when onnx/model.onnx is absent (4-bit variants last: MatMulNBits is not decoded). */
const ONNX_VARIANTS = ['model.onnx', 'model_quantized.onnx', 'model_int8.onnx', 'model_uint8.onnx', 'model_fp16.onnx', 'model_q4.onnx', 'model_q4f16.onnx', 'model_bnb4.onnx'];

/** Conventional names per kind, best first; other files of a kind are taken only when alone. */
const PREFERRED: Readonly<Record<string, readonly string[]>> = {
  'index:safetensors': ['model.safetensors.index.json'],
  safetensors: ['model.safetensors'],
  'index:pytorch': ['pytorch_model.bin.index.json'],
  pytorch: ['pytorch_model.bin'],
  gguf: [],
  onnx: ['model.onnx', ...ONNX_VARIANTS.map((v) => `onnx/${v}`)],
  tfjs: ['model.json'],
};
const ORDER = ['index:safetensors', 'safetensors', 'index:pytorch', 'pytorch', 'gguf', 'onnx', 'tfjs'] as const;

/** Picks the weights of a folder by content; throws naming what is there when there are none. */
export async function findWeights(folder: ModelFolder): Promise<{ entry: string; kind: Kind }> {
  const entries = await folder.entries();
  const top = entries.filter((e) => e.kind === 'file' && (!e.name.includes('/') || e.name.startsWith('onnx/')));
  if (top.length > MAX_SNIFFED_FILES) throw new BadFileError(folder.name, `holds ${top.length} files, more than the ${MAX_SNIFFED_FILES} genbound looks through; name the weights file`);
  const groups = new Map<string, string[]>();
  for (const e of top) {
    const kind = await sniffEntry(folder, e.name);
    // In the onnx/ sub-folder only ONNX exports count.
    if (kind === undefined || (e.name.includes('/') && kind !== 'onnx')) continue;
    const group = kind === 'index' ? `index:${await indexKind(folder, e.name)}` : kind;
    const list = groups.get(group) ?? [];
    list.push(e.name);
    groups.set(group, list);
  }
  const ambiguous: string[] = [];
  for (const g of ORDER) {
    const list = groups.get(g);
    if (!list) continue;
    const preferred = PREFERRED[g].find((n) => list.includes(n));
    const topLevel = list.filter((n) => !n.includes('/'));
    const pick = preferred ?? (topLevel.length === 1 ? topLevel[0] : topLevel.length === 0 && list.length === 1 ? list[0] : undefined);
    if (pick !== undefined) return { entry: pick, kind: g.startsWith('index:') ? 'index' : (g as Kind) };
    ambiguous.push(`${list.length} ${g} files (${list.slice(0, 3).map(q).join(', ')}${list.length > 3 ? ', …' : ''})`);
  }
  const refused = entries.filter((e) => e.kind === 'refused');
  const why = ambiguous.length > 0 ? `: ${ambiguous.join('; ')} and no index; name one` : refused.length > 0 ? ` (refused: ${refused.slice(0, 3).map((e) => `${q(e.name)} ${e.refused ?? ''}`).join('; ')})` : ' (no safetensors, PyTorch, GGUF, ONNX or tfjs file)';
  throw new BadFileError(folder.name, `no weights found${why}`);
}

/**
 * Opens a checkpoint from a model folder: `entry` names its main file (a weights file, a shard
 * index or a tfjs model.json, recognised by content), or, when undefined, the folder's weights
 * are found by content (findWeights).
 */
export async function openFromFolder(folder: ModelFolder, entry: string | undefined, opts: ReadOptions = {}): Promise<TensorSource> {
  if (entry === undefined) {
    const w = await findWeights(folder);
    return openKind(folder, w.entry, w.kind, opts);
  }
  const f = await folder.open(entry);
  let head: Uint8Array;
  try {
    head = await f.read(0, Math.min(SNIFF_BYTES, f.size), 'first bytes');
  } finally {
    await f.close();
  }
  const kind = sniff(head, f.size, entry);
  if (kind === undefined) {
    throw new UnsupportedError(`${folder.pathOf(entry)}: unrecognised checkpoint format (first bytes ${describeValue(new TextDecoder('latin1').decode(head.subarray(0, 8)))}; genbound reads safetensors, PyTorch, GGUF, ONNX and tfjs)`);
  }
  return openKind(folder, entry, kind, opts);
}
