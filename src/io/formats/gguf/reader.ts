import { BadFileError, UnsupportedError } from '../../../errors.js';
import { GGUF_ARRAY, ggufCount, type GgufMetadata, type GgufValueType } from './metadata.js';
import { hfView } from './names.js';
import { BLOCK_DEQUANT } from './quants.js';
import type { ByteSource } from '../../byte-source.js';
import { ByteCursor } from '../../cursor.js';
import { describeValue, q } from '../../describe.js';
import { MAX_GGUF_HEADER, MAX_TENSORS } from '../../limits.js';
import { checkedTensor, finishTensor, missingTensor, type ReadOptions } from '../../source-base.js';
import type { Tensor, TensorInfo, TensorSource } from '../../types.js';

/**
 * GGUF reader (llama.cpp, docs/gguf.md in ggml; versions 2 and 3, little-endian):
 *   "GGUF" u32 version, u64 tensor_count, u64 kv_count,
 *   kv_count x (string key, u32 value_type, value), tensor_count x (string name, u32 n_dims,
 *   u64 ne[n_dims], u32 ggml_type, u64 offset), padding to `general.alignment` (default 32),
 *   then the data; each offset is relative to the data start. Strings are u64 length + UTF-8.
 * ne[0] is the fastest-varying dimension, so the row-major shape reported here is ne reversed
 * (a PyTorch (out, in) weight has ne = [in, out] and shape [out, in]).
 * F32, F16, BF16, F64, I8 and the block formats of quants.ts (Q4_0 … Q8_0, the k-quants
 * Q2_K … Q6_K, IQ4_NL, IQ4_XS) are decoded; the grid-based IQ1/IQ2/IQ3 and ternary formats are
 * listed but refused by name on read.
 *
 * Parsed here rather than with @huggingface/gguf: that package returns BigInt fields and throws
 * plain Errors; ours reads lazily through a ByteSource, bounds every count by the bytes left
 * (so random input cannot make it allocate or loop without bound) and fails with BadFileError.
 */

/** ggml_type number -> [name, elements per block, bytes per block]. */
const GGML_TYPES: Readonly<Record<number, readonly [string, number, number]>> = {
  0: ['F32', 1, 4], 1: ['F16', 1, 2], 2: ['Q4_0', 32, 18], 3: ['Q4_1', 32, 20], 6: ['Q5_0', 32, 22],
  7: ['Q5_1', 32, 24], 8: ['Q8_0', 32, 34], 9: ['Q8_1', 32, 36], 10: ['Q2_K', 256, 84], 11: ['Q3_K', 256, 110],
  12: ['Q4_K', 256, 144], 13: ['Q5_K', 256, 176], 14: ['Q6_K', 256, 210], 15: ['Q8_K', 256, 292],
  16: ['IQ2_XXS', 256, 66], 17: ['IQ2_XS', 256, 74], 18: ['IQ3_XXS', 256, 98], 19: ['IQ1_S', 256, 50],
  20: ['IQ4_NL', 32, 18], 21: ['IQ3_S', 256, 110], 22: ['IQ2_S', 256, 82], 23: ['IQ4_XS', 256, 136],
  24: ['I8', 1, 1], 25: ['I16', 1, 2], 26: ['I32', 1, 4], 27: ['I64', 1, 8], 28: ['F64', 1, 8],
  29: ['IQ1_M', 256, 56], 30: ['BF16', 1, 2], 34: ['TQ1_0', 256, 54], 35: ['TQ2_0', 256, 66],
};

/** Plain element types; the block formats are those of quants.ts. */
const PLAIN = new Set(['F32', 'F16', 'BF16', 'F64', 'I8']);

export interface GgufEntry extends TensorInfo {
  readonly offset: number;
  readonly byteLength: number;
}

export interface GgufHeader extends GgufMetadata {
  readonly version: number;
  readonly entries: readonly GgufEntry[];
  readonly dataStart: number;
}

/** Signals that the header runs past the bytes read so far (the caller reads more and retries). */
class NeedMore extends BadFileError {}

/** Largest array kept in `kv` (tokenizer vocabularies are skipped, not stored). */
const KEEP_ARRAY = 1024;

/** Parses the header from the first bytes of the file (`fileSize` bounds data ranges). */
export function parseGgufHeader(path: string, b: Uint8Array, fileSize: number): GgufHeader {
  const bad = (what: string): BadFileError => new BadFileError(path, `GGUF header: ${what}`);
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  const c = new ByteCursor(b, {
    file: path,
    what: 'GGUF header',
    short: (at, n) =>
      b.length >= fileSize
        ? new BadFileError(path, `truncated: GGUF header runs past the end of the file (byte ${at + n} of ${fileSize})`)
        : new NeedMore(path, 'header longer than the bytes read'),
    huge: (v, at) => bad(`64-bit value ${v} at byte ${at} is impossibly large`),
  });
  const u32 = (): number => c.u32();
  const u64 = (): number => c.u64();
  const bound = (count: number, minBytes: number, what: string): void => {
    if (count * minBytes > fileSize - c.pos) throw bad(`truncated or corrupt: ${what} count ${count} cannot fit in the ${fileSize}-byte file`);
  };
  const str = (): string => {
    const n = u64();
    bound(n, 1, 'string byte');
    const at = c.pos;
    try {
      return utf8.decode(c.take(n));
    } catch (err) {
      if (err instanceof BadFileError) throw err;
      throw bad(`invalid UTF-8 string at byte ${at}`);
    }
  };
  const SCALAR: Record<number, [number, () => unknown]> = {
    0: [1, () => c.u8()],
    1: [1, () => c.i8()],
    2: [2, () => c.u16()],
    3: [2, () => c.i16()],
    4: [4, () => c.u32()],
    5: [4, () => c.i32()],
    6: [4, () => c.f32()],
    7: [1, () => c.u8() !== 0],
    8: [8, () => str()],
    // 64-bit metadata values are kept as (possibly rounded) numbers: they are never sizes.
    10: [8, () => Number(c.u64Big())],
    11: [8, () => Number(BigInt.asIntN(64, c.u64Big()))],
    12: [8, () => c.f64()],
  };
  const value = (type: number, key: string, depth: number): unknown => {
    if (type === 9) {
      if (depth > 4) throw bad(`arrays nested too deeply in ${q(key)}`);
      const et = u32();
      const n = u64();
      bound(n, et === 9 ? 12 : (SCALAR[et]?.[0] ?? 1), `${q(key)} array`);
      const out: unknown[] = [];
      for (let i = 0; i < n; i++) {
        const v = value(et, key, depth + 1);
        if (n <= KEEP_ARRAY) out.push(v);
      }
      return n <= KEEP_ARRAY ? out : { skippedArray: n };
    }
    const s = SCALAR[type];
    if (!s) throw bad(`metadata ${q(key)} has unknown value type ${type}`);
    return s[1]();
  };

  c.need(4);
  if (b[0] !== 0x47 || b[1] !== 0x47 || b[2] !== 0x55 || b[3] !== 0x46) throw new BadFileError(path, 'not a GGUF file (no "GGUF" magic)');
  c.pos = 4;
  const version = u32();
  if (version !== 2 && version !== 3) throw new UnsupportedError(`${path}: GGUF version ${version} is not supported (2 and 3 are)`);
  const nTensors = u64();
  const nKv = u64();
  bound(nKv, 12, 'metadata');
  const kv = new Map<string, unknown>();
  const types = new Map<string, GgufValueType>();
  for (let i = 0; i < nKv; i++) {
    const key = str();
    const type = u32();
    // An array's element type is its first u32 (value() reads it again): kept for metadata.ts's checks.
    types.set(key, type === GGUF_ARRAY ? { type, element: c.u32At(c.pos) } : { type });
    kv.set(key, value(type, key, 0));
  }
  bound(nTensors, 24, 'tensor');
  if (nTensors > MAX_TENSORS) throw bad(`${nTensors} tensors, more than the ${MAX_TENSORS} limit`);
  const raw: { name: string; ne: number[]; type: number; offset: number }[] = [];
  for (let i = 0; i < nTensors; i++) {
    const name = str();
    const nd = u32();
    if (nd > 8) throw bad(`tensor ${q(name)} has ${nd} dimensions`);
    const ne: number[] = [];
    for (let d = 0; d < nd; d++) ne.push(u64());
    raw.push({ name, ne, type: u32(), offset: u64() });
  }
  const alignment = ggufCount({ kv, types }, 'general.alignment', path, 1 << 20) ?? 32;
  const dataStart = Math.ceil(c.pos / alignment) * alignment;
  const dataLength = fileSize - dataStart;
  const entries: GgufEntry[] = [];
  const seen = new Set<string>();
  for (const t of raw) {
    if (seen.has(t.name)) throw bad(`tensor ${q(t.name)} is listed twice`);
    seen.add(t.name);
    const ty = GGML_TYPES[t.type];
    const dtype = ty ? ty[0] : `ggml type ${t.type}`;
    let n = 1;
    for (const d of t.ne) n *= d;
    if (!Number.isSafeInteger(n)) throw bad(`tensor ${q(t.name)} shape ${describeValue(t.ne)} is too large`);
    if (t.offset % alignment !== 0) throw bad(`tensor ${q(t.name)} offset ${t.offset} is not a multiple of the alignment ${alignment}`);
    let byteLength = 0;
    if (ty) {
      const [, block, bytes] = ty;
      if ((t.ne[0] ?? 1) % block !== 0) throw bad(`tensor ${q(t.name)} (${dtype}) row length ${t.ne[0]} is not a multiple of the block size ${block}`);
      byteLength = (n / block) * bytes;
      if (t.offset + byteLength > dataLength) {
        throw new BadFileError(path, `truncated or lying header: tensor ${q(t.name)} ends at data byte ${t.offset + byteLength} but the file holds ${Math.max(0, dataLength)}`);
      }
    }
    entries.push({ name: t.name, dtype, shape: [...t.ne].reverse(), offset: dataStart + t.offset, byteLength });
  }
  const sorted = entries.filter((e) => e.byteLength > 0).sort((x, y) => x.offset - y.offset);
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i].offset < sorted[i - 1].offset + sorted[i - 1].byteLength) throw bad(`tensors ${q(sorted[i - 1].name)} and ${q(sorted[i].name)} overlap`);
  }
  return { version, kv, types, entries, dataStart };
}

export class GgufSource implements TensorSource {
  readonly format = 'gguf';
  readonly config: Record<string, unknown>;
  readonly metadata: Readonly<Record<string, string>>;
  private readonly byName: Map<string, GgufEntry>;
  /** GGUF name -> Hugging Face name, for LLaMA-family files (names.ts); listed under the latter. */
  private readonly hfNames = new Map<string, string>();

  constructor(
    private readonly file: ByteSource,
    readonly header: GgufHeader,
    private readonly opts: ReadOptions,
  ) {
    this.byName = new Map(header.entries.map((e) => [e.name, e]));
    this.config = Object.fromEntries(header.kv);
    const hf = hfView(header, header.entries.map((e) => e.name), file.name);
    if (hf) {
      Object.assign(this.config, hf.config);
      this.hfNames = new Map([...hf.aliases].map(([h, g]) => [g, h]));
      for (const [h, g] of hf.aliases) this.byName.set(h, { ...(this.byName.get(g) as GgufEntry), name: h });
    }
    const md: Record<string, string> = {};
    for (const [k, v] of header.kv) if (typeof v !== 'object') md[k] = String(v);
    this.metadata = md;
  }
  get path(): string {
    return this.file.name;
  }
  list(): readonly TensorInfo[] {
    return this.header.entries.map(({ name, dtype, shape }) => ({ name: this.hfNames.get(name) ?? name, dtype, shape }));
  }
  has(name: string): boolean {
    return this.byName.has(name);
  }
  async read(name: string): Promise<Tensor> {
    const e = this.byName.get(name);
    if (!e) throw missingTensor(this.path, name);
    const dequant = BLOCK_DEQUANT[e.dtype];
    if (!dequant && !PLAIN.has(e.dtype)) {
      throw new UnsupportedError(`${this.path}: tensor ${q(name)} is quantised as ${e.dtype}; genbound reads GGUF ${[...PLAIN, ...Object.keys(BLOCK_DEQUANT)].join(', ')}`);
    }
    const bytes = await this.file.read(e.offset, e.byteLength, `tensor ${q(name)}`);
    if (dequant) {
      const n = e.shape.reduce((a, d) => a * d, 1);
      return checkedTensor(this.path, { name, shape: [...e.shape], data: dequant(bytes, n) }, this.opts);
    }
    return finishTensor(this.path, e, bytes, this.opts);
  }
  close(): Promise<void> {
    return this.file.close();
  }
}

/** Opens a GGUF file: reads its header (growing the window as needed), not its tensors; the source owns `file`. */
export async function openGguf(file: ByteSource, opts: ReadOptions = {}): Promise<GgufSource> {
  try {
    let window = Math.min(file.size, 1 << 20);
    for (;;) {
      const bytes = await file.read(0, window, 'GGUF header');
      try {
        return new GgufSource(file, parseGgufHeader(file.name, bytes, file.size), opts);
      } catch (err) {
        if (!(err instanceof NeedMore)) throw err;
        if (window >= MAX_GGUF_HEADER) throw new BadFileError(file.name, `GGUF header runs past the ${MAX_GGUF_HEADER}-byte limit`);
        window = Math.min(file.size, window * 4, MAX_GGUF_HEADER);
      }
    }
  } catch (err) {
    await file.close();
    throw err;
  }
}

/** True when the first bytes are the "GGUF" magic (the version is checked on open, with its own message). */
export function sniffGguf(head: Uint8Array): boolean {
  return head.length >= 8 && head[0] === 0x47 && head[1] === 0x47 && head[2] === 0x55 && head[3] === 0x46;
}
