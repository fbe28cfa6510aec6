import { BadFileError, UnsupportedError } from '../../../errors.js';
import { entryDir, resolveEntryName, type ByteSource, type ModelFolder } from '../../byte-source.js';
import { clip, describeValue, q } from '../../describe.js';
import { isRecord, readJsonObject } from '../../json.js';
import { MAX_SAFETENSORS_HEADER, MAX_SHARDS, MAX_TENSORS } from '../../limits.js';
import { finishTensor, missingTensor, MultiSource, requireReadable, type ReadOptions } from '../../source-base.js';
import type { Tensor, TensorInfo, TensorSource } from '../../types.js';

/**
 * safetensors reader (format: https://github.com/huggingface/safetensors, "Format" section):
 *   8 bytes  u64 little-endian N = header length
 *   N bytes  UTF-8 JSON: { "__metadata__"?: {str: str}, name: {dtype, shape, data_offsets: [b, e]} }
 *   rest     raw little-endian tensor data; offsets are relative to byte 8 + N.
 * Only the header is read on open; each tensor's bytes are read on demand.
 */

/** Element sizes of every dtype the safetensors format defines. */
const ST_DTYPE_SIZE: Readonly<Record<string, number>> = {
  BOOL: 1, U8: 1, I8: 1, F8_E5M2: 1, F8_E4M3: 1, I16: 2, U16: 2, F16: 2, BF16: 2,
  I32: 4, U32: 4, F32: 4, F64: 8, I64: 8, U64: 8,
};

export interface SafetensorsEntry extends TensorInfo {
  /** Absolute byte offset of the data in the file. */
  readonly offset: number;
  readonly byteLength: number;
}

export interface SafetensorsHeader {
  readonly entries: readonly SafetensorsEntry[];
  readonly metadata?: Readonly<Record<string, string>>;
  /** Byte where tensor data starts (8 + N). */
  readonly dataStart: number;
}

const isPlainObject = isRecord;

/**
 * Validates a parsed header against the file size: dtypes, shapes, shape x dtype size = byte range,
 * ranges inside the file and not overlapping. Throws BadFileError / UnsupportedError naming `path`.
 */
export function parseSafetensorsHeader(path: string, headerBytes: Uint8Array, fileSize: number): SafetensorsHeader {
  const bad = (what: string): BadFileError => new BadFileError(path, `safetensors header: ${what}`);
  const dataStart = 8 + headerBytes.byteLength;
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(headerBytes));
  } catch (err) {
    throw bad(`not valid UTF-8 JSON (${clip(err instanceof Error ? err.message : String(err), 120)})`);
  }
  if (!isPlainObject(json)) throw bad('the JSON is not an object');
  let metadata: Record<string, string> | undefined;
  const entries: SafetensorsEntry[] = [];
  const dataLength = fileSize - dataStart;
  const names = Object.keys(json);
  if (names.length > MAX_TENSORS + 1) throw bad(`declares ${names.length} tensors, more than the ${MAX_TENSORS} limit`);
  for (const [name, raw] of Object.entries(json)) {
    if (name === '__metadata__') {
      if (!isPlainObject(raw)) throw bad('__metadata__ is not an object');
      metadata = {};
      for (const [k, v] of Object.entries(raw)) {
        if (typeof v !== 'string') throw bad(`__metadata__[${q(k)}] is not a string`);
        metadata[k] = v;
      }
      continue;
    }
    if (!isPlainObject(raw)) throw bad(`entry ${q(name)} is not an object`);
    const { dtype, shape, data_offsets: offs } = raw;
    if (typeof dtype !== 'string') throw bad(`tensor ${q(name)} has no dtype string`);
    const size = ST_DTYPE_SIZE[dtype];
    if (size === undefined) throw new UnsupportedError(`${path}: tensor ${q(name)} has unknown dtype ${q(dtype)}`);
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      throw bad(`tensor ${q(name)} has an invalid shape ${describeValue(shape)}`);
    }
    if (!Array.isArray(offs) || offs.length !== 2 || !offs.every((o) => Number.isSafeInteger(o) && o >= 0) || offs[0] > offs[1]) {
      throw bad(`tensor ${q(name)} has invalid data_offsets ${describeValue(offs)}`);
    }
    let bytes = size;
    for (const d of shape as number[]) {
      bytes *= d;
      if (!Number.isSafeInteger(bytes)) throw bad(`tensor ${q(name)} shape ${describeValue(shape)} is too large`);
    }
    const [b, e] = offs as [number, number];
    if (e - b !== bytes) {
      throw bad(`tensor ${q(name)} (${dtype} ${describeValue(shape)}) needs ${bytes} bytes but data_offsets span ${e - b}`);
    }
    if (e > dataLength) {
      throw new BadFileError(path, `truncated or lying header: tensor ${q(name)} ends at data byte ${e} but the file holds ${Math.max(0, dataLength)}`);
    }
    entries.push({ name, dtype, shape: shape as number[], offset: dataStart + b, byteLength: bytes });
  }
  const sorted = [...entries].sort((x, y) => x.offset - y.offset || x.byteLength - y.byteLength);
  for (let i = 1; i < sorted.length; i++) {
    const prev = sorted[i - 1];
    const cur = sorted[i];
    if (cur.offset < prev.offset + prev.byteLength) {
      throw bad(`tensors ${q(prev.name)} and ${q(cur.name)} overlap`);
    }
  }
  return { entries, metadata, dataStart };
}

/** Reads and validates the header of an open file. */
export async function readSafetensorsHeader(file: ByteSource): Promise<SafetensorsHeader> {
  if (file.size < 8) throw new BadFileError(file.name, `not a safetensors file: ${file.size} bytes, shorter than the 8-byte header length`);
  const lenBytes = await file.read(0, 8, 'header length');
  const n = new DataView(lenBytes.buffer).getBigUint64(0, true);
  if (n > BigInt(MAX_SAFETENSORS_HEADER)) throw new BadFileError(file.name, `safetensors header length ${n} is larger than the ${MAX_SAFETENSORS_HEADER}-byte limit (not a safetensors file?)`);
  if (n > BigInt(file.size - 8)) throw new BadFileError(file.name, `truncated: safetensors header length ${n} exceeds the file size ${file.size}`);
  const header = await file.read(8, Number(n), 'header');
  return parseSafetensorsHeader(file.name, header, file.size);
}

/** One safetensors file as a TensorSource. */
export class SafetensorsSource implements TensorSource {
  readonly format = 'safetensors';
  private readonly byName: Map<string, SafetensorsEntry>;

  constructor(
    private readonly file: ByteSource,
    private readonly header: SafetensorsHeader,
    private readonly opts: ReadOptions = {},
    readonly config?: Record<string, unknown>,
  ) {
    this.byName = new Map(header.entries.map((e) => [e.name, e]));
  }

  get path(): string {
    return this.file.name;
  }

  get metadata(): Readonly<Record<string, string>> | undefined {
    return this.header.metadata;
  }

  list(): readonly TensorInfo[] {
    return this.header.entries.map(({ name, dtype, shape }) => ({ name, dtype, shape }));
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  async read(name: string): Promise<Tensor> {
    const e = this.byName.get(name);
    if (!e) throw missingTensor(this.path, name);
    requireReadable(this.path, name, e.dtype);
    const bytes = await this.file.read(e.offset, e.byteLength, `tensor ${q(name)}`);
    return finishTensor(this.path, e, bytes, this.opts);
  }

  close(): Promise<void> {
    return this.file.close();
  }
}

/** Opens one safetensors file (reads and validates its header only); the source owns `file`. */
export async function openSafetensors(file: ByteSource, opts: ReadOptions = {}, config?: Record<string, unknown>): Promise<SafetensorsSource> {
  try {
    return new SafetensorsSource(file, await readSafetensorsHeader(file), opts, config);
  } catch (err) {
    await file.close();
    throw err;
  }
}

/** Reads a sharded checkpoint index (`*.index.json`): { metadata?, weight_map: {tensor: file} }; file names are folder-relative. */
export async function readShardIndex(folder: ModelFolder, index: string): Promise<Map<string, string>> {
  const json = await readJsonObject(folder, index);
  const shown = folder.pathOf(index);
  if (json.weight_map === undefined || json.weight_map === null) throw new BadFileError(shown, 'shard index has no "weight_map" object');
  if (!isPlainObject(json.weight_map)) throw new BadFileError(shown, `field "weight_map" is ${describeValue(json.weight_map, 80)}, expected an object of tensor name: shard file`);
  if (json.metadata !== undefined && json.metadata !== null && !isPlainObject(json.metadata)) throw new BadFileError(shown, `field "metadata" is ${describeValue(json.metadata, 80)}, expected an object`);
  const map = new Map<string, string>();
  const files = new Set<string>();
  const dir = entryDir(index);
  for (const [name, file] of Object.entries(json.weight_map)) {
    if (typeof file !== 'string' || file.includes('/') || file.includes('\\') || file === '..' || file === '.' || file === '') {
      throw new BadFileError(shown, `weight_map[${q(name)}] is ${describeValue(file, 80)}, not a plain file name in the same folder`);
    }
    const entry = resolveEntryName(dir, file);
    if (entry === undefined) throw new BadFileError(shown, `weight_map[${q(name)}] is not a plain file name in the same folder`);
    files.add(entry);
    if (map.size >= MAX_TENSORS) throw new BadFileError(shown, `shard index lists more than ${MAX_TENSORS} tensors`);
    if (files.size > MAX_SHARDS) throw new BadFileError(shown, `shard index names more than ${MAX_SHARDS} shard files`);
    map.set(name, entry);
  }
  if (map.size === 0) throw new BadFileError(shown, 'shard index lists no tensors');
  return map;
}

/**
 * Opens the shards listed by an index through `openShard` (each shard once), checks that every
 * tensor of the index is in the shard it names, and returns one source. Shared by safetensors
 * and PyTorch sharded checkpoints.
 */
export async function openSharded(
  format: string,
  folder: ModelFolder,
  index: string,
  openShard: (file: ByteSource) => Promise<TensorSource>,
  config?: Record<string, unknown>,
): Promise<TensorSource> {
  const map = await readShardIndex(folder, index);
  const shown = folder.pathOf(index);
  const files = [...new Set(map.values())];
  const slot = new Map(files.map((f, i) => [f, i]));
  const parts: TensorSource[] = [];
  try {
    for (const f of files) parts.push(await openShard(await folder.open(f)));
    for (const [name, f] of map) {
      if (!parts[slot.get(f) as number].has(name)) throw new BadFileError(shown, `weight_map says ${q(name)} is in ${q(f)}, but that shard has no such tensor`);
    }
  } catch (err) {
    await Promise.all(parts.map((p) => p.close()));
    throw err;
  }
  const route = new Map([...map].map(([name, f]) => [name, slot.get(f) as number]));
  return new MultiSource(format, shown, parts, config, undefined, route);
}

/** Opens `model.safetensors.index.json` (or another index entry) and its shards. */
export function openShardedSafetensors(folder: ModelFolder, index: string, opts: ReadOptions = {}, config?: Record<string, unknown>): Promise<TensorSource> {
  return openSharded('safetensors', folder, index, (f) => openSafetensors(f, opts), config);
}

/** True when the first bytes of a file are a safetensors header: a u64 length that fits, then '{'. */
export function sniffSafetensors(head: Uint8Array, size: number): boolean {
  if (head.length < 9) return false;
  const dv = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const n = dv.getUint32(0, true);
  return dv.getUint32(4, true) === 0 && n >= 2 && n <= MAX_SAFETENSORS_HEADER && n <= size - 8 && head[8] === 0x7b;
}
