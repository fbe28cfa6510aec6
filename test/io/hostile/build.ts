import onnxProto from 'onnx-proto';

/**
 * Byte builders for the hostile corpus: just enough of each format's writer to produce valid
 * files and precise lies (torch zip + pickle, safetensors, GGUF, ONNX, tfjs). Nothing here comes
 * from the readers under test.
 */

export const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  const n = parts.reduce((a, p) => a + p.length, 0);
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function le(n: number, bytes: number): Uint8Array {
  const b = new Uint8Array(bytes);
  const dv = new DataView(b.buffer);
  if (bytes === 2) dv.setUint16(0, n, true);
  else if (bytes === 4) dv.setUint32(0, n, true);
  else dv.setBigUint64(0, BigInt(n), true);
  return b;
}
export const u16 = (n: number): Uint8Array => le(n, 2);
export const u32 = (n: number): Uint8Array => le(n, 4);
export const u64 = (n: number | bigint): Uint8Array => {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt(n), true);
  return b;
};

export function f32(values: readonly number[]): Uint8Array {
  return new Uint8Array(new Float32Array(values).buffer);
}

/** A safetensors file: tensors laid out back to back in the given order. */
export function safetensors(tensors: Record<string, { dtype?: string; shape: number[]; data: readonly number[] }>, metadata?: Record<string, string>): Uint8Array {
  const header: Record<string, unknown> = metadata ? { __metadata__: metadata } : {};
  const blobs: Uint8Array[] = [];
  let off = 0;
  for (const [name, t] of Object.entries(tensors)) {
    const b = f32(t.data);
    header[name] = { dtype: t.dtype ?? 'F32', shape: t.shape, data_offsets: [off, off + b.length] };
    blobs.push(b);
    off += b.length;
  }
  const h = enc(JSON.stringify(header));
  return concat([u64(h.length), h, ...blobs]);
}

/** A stored (uncompressed) zip, as torch.save writes (CRCs left 0: readers of torch files do not check them). */
export function zip(entries: readonly { name: string; data: Uint8Array }[]): Uint8Array {
  const locals: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let off = 0;
  for (const e of entries) {
    const name = enc(e.name);
    const head = concat([u32(0x04034b50), u16(20), u16(0), u16(0), u16(0), u16(0), u32(0), u32(e.data.length), u32(e.data.length), u16(name.length), u16(0), name]);
    central.push(concat([u32(0x02014b50), u16(20), u16(20), u16(0), u16(0), u16(0), u16(0), u32(0), u32(e.data.length), u32(e.data.length), u16(name.length), u16(0), u16(0), u16(0), u16(0), u32(0), u32(off), name]));
    locals.push(head, e.data);
    off += head.length + e.data.length;
  }
  const cd = concat(central);
  return concat([...locals, cd, u32(0x06054b50), u16(0), u16(0), u16(entries.length), u16(entries.length), u32(cd.length), u32(off), u16(0)]);
}

/** Pickle opcodes, written by hand (CPython Lib/pickletools.py). */
export class Pickle {
  private readonly parts: number[] = [];
  op(...bytes: number[]): this {
    for (const b of bytes) this.parts.push(b);
    return this;
  }
  /** `n` copies of the byte sequence `seq`. */
  repeat(n: number, ...seq: number[]): this {
    for (let i = 0; i < n; i++) for (const b of seq) this.parts.push(b);
    return this;
  }
  proto(n = 2): this {
    return this.op(0x80, n);
  }
  mark(): this {
    return this.op(0x28);
  }
  str(s: string): this {
    const b = enc(s);
    if (b.length < 256) return this.op(0x8c, b.length, ...b);
    return this.op(0x58, ...u32(b.length), ...b);
  }
  int(n: number): this {
    if (n >= 0 && n < 256) return this.op(0x4b, n);
    return this.op(0x4a, ...u32(n >>> 0));
  }
  /** LONG1 of a (possibly huge) integer. */
  long(n: bigint): this {
    const bytes: number[] = [];
    let v = n;
    do {
      bytes.push(Number(v & 0xffn));
      v >>= 8n;
    } while (v > 0n || (bytes[bytes.length - 1] & 0x80) !== 0);
    return this.op(0x8a, bytes.length, ...bytes);
  }
  global(module: string, name: string): this {
    return this.op(0x63, ...enc(`${module}\n${name}\n`));
  }
  tuple(): this {
    return this.op(0x74);
  }
  ints(values: readonly number[]): this {
    this.mark();
    for (const v of values) this.int(v);
    return this.tuple();
  }
  /** A zip-format storage persistent id: ('storage', torch.FloatStorage, key, 'cpu', numel). */
  storage(key: string, numel: number): this {
    return this.mark().str('storage').global('torch', 'FloatStorage').str(key).str('cpu').int(numel).tuple().op(0x51);
  }
  bytes(): Uint8Array {
    return new Uint8Array(this.parts);
  }
}

/**
 * A zip-format torch checkpoint { name: _rebuild_tensor_v2(storage, offset, size, stride) } whose
 * size and stride are written by `shapeOps` (so tests can put lies, cycles and BigInts there).
 */
export function torchZip(tensors: readonly { name: string; key: string; numel: number; offset?: number; shape: (p: Pickle) => void; stride: (p: Pickle) => void }[], storages: Record<string, Uint8Array>): Uint8Array {
  const p = new Pickle().proto().op(0x7d).mark();
  for (const t of tensors) {
    p.str(t.name).global('torch._utils', '_rebuild_tensor_v2').mark().storage(t.key, t.numel).int(t.offset ?? 0);
    t.shape(p);
    t.stride(p);
    p.tuple().op(0x52);
  }
  p.op(0x75).op(0x2e); // SETITEMS, STOP
  return zip([{ name: 'archive/data.pkl', data: p.bytes() }, ...Object.entries(storages).map(([k, data]) => ({ name: `archive/data/${k}`, data }))]);
}

/** GGUF metadata value types by name (gguf.md's value_type numbers). */
const GGUF_TYPES = { u8: 0, i8: 1, u16: 2, i16: 3, u32: 4, i32: 5, f32: 6, bool: 7, str: 8, u64: 10, i64: 11, f64: 12 } as const;
export type GgufScalarType = keyof typeof GGUF_TYPES;
/**
 * One metadata value: a string (stored as a GGUF string), a number (uint32), a typed scalar
 * `{ type: 'f32', value: 4096 }`, or an array `{ array: 'i32', values: [32, 32] }`.
 */
export type GgufValue = string | number | { type: GgufScalarType; value: string | number | boolean } | { array: GgufScalarType; values: readonly (string | number | boolean)[] };

function ggufString(s: string): Uint8Array {
  const b = enc(s);
  return concat([u64(b.length), b]);
}

function ggufScalar(type: GgufScalarType, v: string | number | boolean): Uint8Array {
  if (type === 'str') return ggufString(String(v));
  const n = Number(v);
  const b = new Uint8Array({ u8: 1, i8: 1, bool: 1, u16: 2, i16: 2, u32: 4, i32: 4, f32: 4, u64: 8, i64: 8, f64: 8 }[type]);
  const dv = new DataView(b.buffer);
  if (type === 'u8' || type === 'bool') dv.setUint8(0, n);
  else if (type === 'i8') dv.setInt8(0, n);
  else if (type === 'u16') dv.setUint16(0, n, true);
  else if (type === 'i16') dv.setInt16(0, n, true);
  else if (type === 'u32') dv.setUint32(0, n, true);
  else if (type === 'i32') dv.setInt32(0, n, true);
  else if (type === 'f32') dv.setFloat32(0, n, true);
  else if (type === 'u64') dv.setBigUint64(0, BigInt(n), true);
  else if (type === 'i64') dv.setBigInt64(0, BigInt(n), true);
  else dv.setFloat64(0, n, true);
  return b;
}

function ggufValue(v: GgufValue): Uint8Array {
  if (typeof v === 'string') return concat([u32(GGUF_TYPES.str), ggufString(v)]);
  if (typeof v === 'number') return concat([u32(GGUF_TYPES.u32), u32(v)]);
  if ('array' in v) return concat([u32(9), u32(GGUF_TYPES[v.array]), u64(v.values.length), ...v.values.map((x) => ggufScalar(v.array, x))]);
  return concat([u32(GGUF_TYPES[v.type]), ggufScalar(v.type, v.value)]);
}

/** A GGUF v3 file of F32 tensors (one value each), with the given metadata. */
export function gguf(names: readonly string[], kv: Record<string, GgufValue> = {}): Uint8Array {
  const parts: Uint8Array[] = [enc('GGUF'), u32(3), u64(names.length), u64(Object.keys(kv).length)];
  for (const [k, v] of Object.entries(kv)) parts.push(ggufString(k), ggufValue(v));
  names.forEach((n, i) => parts.push(ggufString(n), u32(1), u64(1), u32(0), u64(i * 32)));
  const head = concat(parts);
  const dataStart = Math.ceil(head.length / 32) * 32;
  const out = new Uint8Array(dataStart + names.length * 32);
  out.set(head);
  for (let i = 0; i < names.length; i++) new DataView(out.buffer).setFloat32(dataStart + i * 32, i, true);
  return out;
}

const { onnx } = onnxProto;

/** An ONNX model with float initializers (in-file or external) and an optional node list. */
export function onnxModel(init: readonly onnxProto.onnx.ITensorProto[], nodes: readonly onnxProto.onnx.INodeProto[] = []): Uint8Array {
  return onnx.ModelProto.encode({
    irVersion: 8,
    producerName: 'genbound-hostile',
    opsetImport: [{ domain: '', version: 13 }],
    graph: { name: 'g', initializer: [...init], node: [...nodes], input: [], output: [] },
  }).finish();
}

/** A float32 initializer stored in an external file. */
export function external(name: string, dims: number[], location: string, offset: number, length: number): onnxProto.onnx.ITensorProto {
  return {
    name,
    dims,
    dataType: 1,
    dataLocation: onnx.TensorProto.DataLocation.EXTERNAL,
    externalData: [
      { key: 'location', value: location },
      { key: 'offset', value: String(offset) },
      { key: 'length', value: String(length) },
    ],
  };
}

/** A tfjs model.json over the given shard paths holding float32 weights of the given sizes. */
export function tfjsManifest(paths: readonly string[], weights: readonly { name: string; count: number }[]): string {
  return JSON.stringify({
    format: 'graph-model',
    generatedBy: 'genbound-hostile',
    modelTopology: { node: [] },
    weightsManifest: [{ paths, weights: weights.map((w) => ({ name: w.name, shape: [w.count], dtype: 'float32' })) }],
  });
}
