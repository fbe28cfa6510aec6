import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { BadFileError, NetworkError, UnsupportedError } from '../errors.js';
import { RandomAccessFile } from './file.js';
import { openGguf } from './formats/gguf/reader.js';
import { onnxReader, tfjsReader } from './formats/graph-entries.js';
import { openPyTorch } from './formats/pytorch/reader.js';
import { openSafetensors, openSharded, openShardedSafetensors } from './formats/safetensors/reader.js';
import type { ReadOptions } from './source-base.js';
import type { TensorSource } from './types.js';

/** Options of openSource: reading options plus, for hub ids, download options. */
export interface OpenOptions extends ReadOptions {
  /** Hub revision (branch, tag or commit); default "main". */
  revision?: string;
  /** Overrides HF_HOME-based cache folder (the folder that holds `hub/`). */
  cacheHome?: string;
  /** Overrides HF_ENDPOINT. */
  endpoint?: string;
  /** Overrides HF_TOKEN. */
  token?: string;
  /** Progress on stderr: true forces it, false silences it, default only on a TTY. */
  progress?: boolean;
}

/**
 * One checkpoint format. The registry below is an ordered array: for a folder the first reader
 * that finds its weights wins (so safetensors is preferred), for a file the first whose `detect`
 * accepts the file's first bytes or name.
 */
export interface CheckpointReader {
  readonly name: string;
  /** True when a single file is in this format; `head` is its first (up to) 64 bytes. */
  detect(path: string, head: Uint8Array): boolean;
  /** The weights file (or index) to open inside a model folder, given its entry names. */
  findInFolder?(entries: readonly string[]): string | undefined;
  open(path: string, opts: OpenOptions): Promise<TensorSource>;
}

const ascii = (b: Uint8Array, n: number): string => String.fromCharCode(...b.subarray(0, n));

/** A safetensors file starts with a u64 LE header length (< 100 MB here) followed by '{'. */
function looksLikeSafetensors(head: Uint8Array): boolean {
  if (head.length < 9) return false;
  const dv = new DataView(head.buffer, head.byteOffset, head.byteLength);
  return dv.getUint32(4, true) === 0 && dv.getUint32(0, true) < 100_000_000 && head[8] === 0x7b;
}

export const safetensorsReader: CheckpointReader = {
  name: 'safetensors',
  detect: (path, head) => path.endsWith('.safetensors.index.json') || path.endsWith('.safetensors') || looksLikeSafetensors(head),
  findInFolder: (entries) =>
    entries.find((e) => e === 'model.safetensors.index.json') ??
    entries.find((e) => e === 'model.safetensors') ??
    entries.find((e) => e.endsWith('.safetensors.index.json')) ??
    (entries.filter((e) => e.endsWith('.safetensors')).length === 1 ? entries.find((e) => e.endsWith('.safetensors')) : undefined),
  open: (path, opts) => (path.endsWith('.index.json') ? openShardedSafetensors(path, opts) : openSafetensors(path, opts)),
};

/** Pickle protocol 2 + LONG1 of the legacy torch magic number 0x1950a86a20f9469cfc6c. */
const TORCH_LEGACY_HEAD = [0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19];
const TORCH_NAME = /\.(bin|pt|pth|ckpt)$/;

export const pytorchReader: CheckpointReader = {
  name: 'pytorch',
  detect: (path, head) =>
    path.endsWith('.bin.index.json') ||
    (head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04) ||
    TORCH_LEGACY_HEAD.every((b, i) => head[i] === b) ||
    (head[0] === 0x80 && TORCH_NAME.test(path)),
  findInFolder: (entries) =>
    entries.find((e) => e === 'pytorch_model.bin.index.json') ??
    entries.find((e) => e === 'pytorch_model.bin') ??
    (entries.filter((e) => TORCH_NAME.test(e)).length === 1 ? entries.find((e) => TORCH_NAME.test(e)) : undefined),
  open: (path, opts) => (path.endsWith('.index.json') ? openSharded('pytorch', path, (p) => openPyTorch(p, opts)) : openPyTorch(path, opts)),
};

export const ggufReader: CheckpointReader = {
  name: 'gguf',
  detect: (path, head) => path.endsWith('.gguf') || ascii(head, 4) === 'GGUF',
  findInFolder: (entries) => (entries.filter((e) => e.endsWith('.gguf')).length === 1 ? entries.find((e) => e.endsWith('.gguf')) : undefined),
  open: (path, opts) => openGguf(path, opts),
};

/** Checkpoint readers in order of preference. Other modules add entries with registerReader. */
export const readers: CheckpointReader[] = [safetensorsReader, pytorchReader, ggufReader, onnxReader, tfjsReader];

/** Adds a reader (e.g. ONNX, tfjs) after the built-in ones, or before them with `first`. */
export function registerReader(r: CheckpointReader, first = false): void {
  if (readers.some((x) => x.name === r.name)) return;
  if (first) readers.unshift(r);
  else readers.push(r);
}

/**
 * Gives a source the config.json found beside it, keeping every other member (including the
 * graph methods of a GraphTensorSource) by delegation.
 */
function withConfig(inner: TensorSource, config: Record<string, unknown>): TensorSource {
  return new Proxy(inner, {
    get(target, key) {
      if (key === 'config') return config;
      const v: unknown = Reflect.get(target, key, target);
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

/** Reads config.json in `dir` (undefined when absent; BadFileError when it is not a JSON object). */
export async function readConfig(dir: string): Promise<Record<string, unknown> | undefined> {
  const p = join(dir, 'config.json');
  let text: string;
  try {
    text = await readFile(p, 'utf8');
  } catch {
    return undefined;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new BadFileError(p, `not valid JSON (${err instanceof Error ? err.message : String(err)})`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new BadFileError(p, 'is not a JSON object');
  return json as Record<string, unknown>;
}

/** `org/name` (optionally `org/name@revision`) as the hub spells model ids. */
export const HUB_ID = /^[A-Za-z0-9][A-Za-z0-9._-]*\/[A-Za-z0-9][A-Za-z0-9._-]*(@[A-Za-z0-9._/-]+)?$/;

async function openFolder(dir: string, opts: OpenOptions): Promise<TensorSource> {
  const entries = (await readdir(dir)).sort();
  for (const r of readers) {
    const f = r.findInFolder?.(entries);
    if (f !== undefined) return attachConfig(await r.open(join(dir, f), opts), dir);
  }
  throw new BadFileError(dir, `no weights found (looked for ${readers.map((r) => r.name).join(', ')} files)`);
}

async function attachConfig(src: TensorSource, dir: string): Promise<TensorSource> {
  if (src.config) return src;
  try {
    const config = await readConfig(dir);
    return config ? withConfig(src, config) : src;
  } catch (err) {
    await src.close();
    throw err;
  }
}

/**
 * Opens a checkpoint: a model folder (config.json + weights; safetensors preferred, then the other
 * registered formats), a single weights file recognised by magic bytes or extension, or a Hugging
 * Face hub id `org/name[@revision]` downloaded into the cache first. config.json beside the weights
 * becomes `config`.
 */
export async function openSource(pathOrId: string, opts: OpenOptions = {}): Promise<TensorSource> {
  let st;
  try {
    st = await stat(pathOrId);
  } catch {
    st = undefined;
  }
  if (!st) {
    if (HUB_ID.test(pathOrId) && !pathOrId.startsWith('.')) {
      const { downloadModel } = await import('./hub.js');
      let dir: string;
      try {
        dir = await downloadModel(pathOrId, opts);
      } catch (err) {
        // "org/name" may also be a mistyped local path: say that there is none either.
        if (err instanceof NetworkError) throw new NetworkError(`${err.message} (and there is no local file or folder ${JSON.stringify(pathOrId)})`);
        throw err;
      }
      return openFolder(dir, opts);
    }
    throw new BadFileError(pathOrId, 'no such file or folder');
  }
  if (st.isDirectory()) return openFolder(pathOrId, opts);
  const f = await RandomAccessFile.open(pathOrId);
  let head: Uint8Array;
  try {
    head = await f.read(0, Math.min(64, f.size), 'first bytes');
  } finally {
    await f.close();
  }
  for (const r of readers) {
    if (r.detect(pathOrId, head)) return attachConfig(await r.open(pathOrId, opts), dirname(pathOrId));
  }
  throw new UnsupportedError(`${pathOrId}: unrecognised checkpoint format (${basename(pathOrId)}: magic ${JSON.stringify(ascii(head, Math.min(8, head.length)))})`);
}
