import { UnsupportedError } from '../errors.js';
import { q } from './describe.js';

/**
 * Element decoders for the dtypes checkpoints store. Every reader hands raw bytes here; the result
 * is Float64Array for F64 and Float32Array for everything else (see src/io/types.ts).
 *
 * Conventions:
 * - IEEE 754 binary16 (F16): 1 sign, 5 exponent (bias 15), 10 mantissa bits; subnormals, ±Inf, NaN.
 * - bfloat16 (BF16): the upper 16 bits of an IEEE binary32, so decoding is `u16 << 16`.
 * - Byte order is a parameter (safetensors, GGUF and torch storages on x86/ARM are little-endian).
 */

/** Bytes per element of each fixed-size dtype this package decodes. */
export const DTYPE_SIZE: Readonly<Record<string, number>> = {
  F64: 8,
  F32: 4,
  F16: 2,
  BF16: 2,
  I64: 8,
  I32: 4,
  I16: 2,
  I8: 1,
  U8: 1,
  BOOL: 1,
};

/** The float dtypes (plus the 8-bit integers) the analysis reads; others are refused by name. */
export const READABLE_DTYPES = ['F64', 'F32', 'F16', 'BF16', 'I8', 'U8'] as const;
export type ReadableDType = (typeof READABLE_DTYPES)[number];

export function isReadableDType(d: string): d is ReadableDType {
  return (READABLE_DTYPES as readonly string[]).includes(d);
}

/** Size in bytes of one element, or throws UnsupportedError naming the dtype. */
export function dtypeSize(dtype: string, where: string): number {
  const s = DTYPE_SIZE[dtype];
  if (s === undefined) throw new UnsupportedError(`${where}: dtype ${q(dtype)} is not supported`);
  return s;
}

const HOST_LE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Lookup table: binary16 bit pattern -> float32 value (256 KiB, built on first use). */
let f16Table: Float32Array | undefined;

/** Converts one IEEE binary16 bit pattern to a number (exact: every f16 is a float32). */
export function f16BitsToNumber(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24; // subnormal: mant * 2^(-14) / 2^10
  if (exp === 0x1f) return mant === 0 ? sign * Infinity : NaN;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

function f16Lut(): Float32Array {
  if (!f16Table) {
    f16Table = new Float32Array(65536);
    for (let h = 0; h < 65536; h++) f16Table[h] = f16BitsToNumber(h);
  }
  return f16Table;
}

/** Reads `count` u16 values from bytes in the given byte order (a view when aligned, no copy). */
function readU16(bytes: Uint8Array, count: number, littleEndian: boolean): Uint16Array {
  if (littleEndian === HOST_LE) {
    if (bytes.byteOffset % 2 === 0) return new Uint16Array(bytes.buffer, bytes.byteOffset, count);
    // Copy into a fresh (aligned) buffer; `bytes` starts at an odd offset.
    const out = new Uint16Array(count);
    new Uint8Array(out.buffer).set(bytes.subarray(0, count * 2));
    return out;
  }
  const out = new Uint16Array(count);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, count * 2);
  for (let i = 0; i < count; i++) out[i] = dv.getUint16(i * 2, littleEndian);
  return out;
}

/**
 * True when `bytes` is exactly a fresh, aligned buffer of `len` bytes that decode may take over
 * as its result without copying (what ByteSource.read returns).
 */
function ownsBuffer(bytes: Uint8Array, len: number, align: number): boolean {
  return bytes.byteOffset === 0 && bytes.byteLength === len && bytes.buffer.byteLength === len && len % align === 0 && bytes.buffer instanceof ArrayBuffer;
}

/**
 * Decodes `count` elements of `dtype` from `bytes`. F64 -> Float64Array, others -> Float32Array.
 * Integer types are converted to their numeric value (I64 through Number, exact below 2^53).
 */
export function decode(dtype: string, bytes: Uint8Array, count: number, littleEndian = true): Float32Array | Float64Array {
  const size = dtypeSize(dtype, 'decode');
  if (bytes.byteLength < size * count) throw new RangeError(`decode: ${bytes.byteLength} bytes for ${count} ${dtype}`);
  switch (dtype) {
    case 'F64': {
      if (littleEndian === HOST_LE && ownsBuffer(bytes, count * 8, 8)) return new Float64Array(bytes.buffer, 0, count);
      const out = new Float64Array(count);
      if (littleEndian === HOST_LE) new Uint8Array(out.buffer).set(bytes.subarray(0, count * 8));
      else {
        const dv = new DataView(bytes.buffer, bytes.byteOffset, count * 8);
        for (let i = 0; i < count; i++) out[i] = dv.getFloat64(i * 8, littleEndian);
      }
      return out;
    }
    case 'F32': {
      if (littleEndian === HOST_LE && ownsBuffer(bytes, count * 4, 4)) return new Float32Array(bytes.buffer, 0, count);
      const out = new Float32Array(count);
      if (littleEndian === HOST_LE) new Uint8Array(out.buffer).set(bytes.subarray(0, count * 4));
      else {
        const dv = new DataView(bytes.buffer, bytes.byteOffset, count * 4);
        for (let i = 0; i < count; i++) out[i] = dv.getFloat32(i * 4, littleEndian);
      }
      return out;
    }
    case 'F16': {
      const u = readU16(bytes, count, littleEndian);
      const lut = f16Lut();
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = lut[u[i]];
      return out;
    }
    case 'BF16': {
      const u = readU16(bytes, count, littleEndian);
      const out = new Float32Array(count);
      const bits = new Uint32Array(out.buffer);
      for (let i = 0; i < count; i++) bits[i] = u[i] << 16;
      return out;
    }
    case 'I8': {
      const out = new Float32Array(count);
      const s = new Int8Array(bytes.buffer, bytes.byteOffset, count);
      for (let i = 0; i < count; i++) out[i] = s[i];
      return out;
    }
    case 'U8':
    case 'BOOL': {
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = bytes[i];
      return out;
    }
    case 'I16':
    case 'I32':
    case 'I64': {
      const out = new Float32Array(count);
      const dv = new DataView(bytes.buffer, bytes.byteOffset, count * size);
      for (let i = 0; i < count; i++) {
        const p = i * size;
        out[i] = size === 2 ? dv.getInt16(p, littleEndian) : size === 4 ? dv.getInt32(p, littleEndian) : Number(dv.getBigInt64(p, littleEndian));
      }
      return out;
    }
    default:
      throw new UnsupportedError(`decode: dtype ${q(dtype)} is not supported`);
  }
}

const f32buf = new Float32Array(1);
const u32buf = new Uint32Array(f32buf.buffer);

/** float32 -> binary16 bits with round-to-nearest-even (overflow to ±Inf, NaN kept quiet). */
export function numberToF16Bits(x: number): number {
  f32buf[0] = x;
  const b = u32buf[0];
  const sign = (b >>> 16) & 0x8000;
  const exp = (b >>> 23) & 0xff;
  let mant = b & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign; // rounds to ±0
    mant |= 0x800000;
    const shift = 14 - e; // 24-bit significand down to a subnormal f16 mantissa
    const half = 1 << (shift - 1);
    const rest = mant & ((1 << shift) - 1);
    let m = mant >>> shift;
    if (rest > half || (rest === half && m & 1)) m++;
    return sign | m; // m may carry into the exponent field: that is the correct smallest normal
  }
  const rest = mant & 0x1fff;
  let out = (e << 10) | (mant >>> 13);
  if (rest > 0x1000 || (rest === 0x1000 && out & 1)) out++; // carry may reach Inf: correct
  return sign | out;
}

/** float32 -> bfloat16 bits with round-to-nearest-even (NaN kept quiet). */
export function numberToBF16Bits(x: number): number {
  f32buf[0] = x;
  const b = u32buf[0];
  if ((b & 0x7f800000) === 0x7f800000 && b & 0x7fffff) return ((b >>> 16) | 0x40) & 0xffff;
  const lsb = (b >>> 16) & 1;
  return ((b + 0x7fff + lsb) >>> 16) & 0xffff;
}

/** Encodes numbers as little-endian bytes of `dtype` (F64, F32, F16 or BF16). */
export function encode(dtype: 'F64' | 'F32' | 'F16' | 'BF16', data: ArrayLike<number>): Uint8Array {
  const n = data.length;
  switch (dtype) {
    case 'F64': {
      const out = new Uint8Array(n * 8);
      const dv = new DataView(out.buffer);
      for (let i = 0; i < n; i++) dv.setFloat64(i * 8, data[i], true);
      return out;
    }
    case 'F32': {
      const out = new Uint8Array(n * 4);
      const dv = new DataView(out.buffer);
      for (let i = 0; i < n; i++) dv.setFloat32(i * 4, data[i], true);
      return out;
    }
    case 'F16':
    case 'BF16': {
      const out = new Uint8Array(n * 2);
      const dv = new DataView(out.buffer);
      const f = dtype === 'F16' ? numberToF16Bits : numberToBF16Bits;
      for (let i = 0; i < n; i++) dv.setUint16(i * 2, f(data[i]), true);
      return out;
    }
    default:
      throw new UnsupportedError(`encode: dtype ${JSON.stringify(dtype)} is not supported for writing`);
  }
}

/** Index of the first NaN or ±Inf in `data`, or -1. */
export function firstNonFinite(data: ArrayLike<number>): number {
  // Monomorphic loops per array type: a shared loop over ArrayLike is several times slower.
  if (data instanceof Float32Array) return firstNonFinite32(data);
  if (data instanceof Float64Array) return firstNonFinite64(data);
  for (let i = 0; i < data.length; i++) if (!Number.isFinite(data[i])) return i;
  return -1;
}

function firstNonFinite32(data: Float32Array): number {
  // Exponent bits all ones <=> NaN or ±Inf.
  const bits = new Uint32Array(data.buffer, data.byteOffset, data.length);
  for (let i = 0; i < bits.length; i++) if ((bits[i] & 0x7f800000) === 0x7f800000) return i;
  return -1;
}

function firstNonFinite64(data: Float64Array): number {
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (v - v !== 0) return i;
  }
  return -1;
}
