import { BadFileError, UnsupportedError } from '../../../errors.js';
import { f16BitsToNumber } from '../../dtypes.js';

/**
 * Decoding of ONNX TensorProto payloads (onnx.proto, message TensorProto). The element type is
 * `data_type` (TensorProto.DataType); the values are either `raw_data` (little-endian, packed)
 * or one of the typed repeated fields: float_data (FLOAT), double_data (DOUBLE), int64_data
 * (INT64), uint64_data (UINT32/UINT64), and int32_data for every narrower type (INT32, INT16,
 * INT8, UINT16, UINT8, BOOL, and FLOAT16/BFLOAT16 as their 16-bit patterns).
 */

/** TensorProto.DataType -> genbound dtype name and element size in bytes. */
export const ONNX_DTYPES: Readonly<Record<number, { name: string; size: number }>> = {
  1: { name: 'F32', size: 4 },
  2: { name: 'U8', size: 1 },
  3: { name: 'I8', size: 1 },
  4: { name: 'U16', size: 2 },
  5: { name: 'I16', size: 2 },
  6: { name: 'I32', size: 4 },
  7: { name: 'I64', size: 8 },
  8: { name: 'STRING', size: 0 },
  9: { name: 'BOOL', size: 1 },
  10: { name: 'F16', size: 2 },
  11: { name: 'F64', size: 8 },
  12: { name: 'U32', size: 4 },
  13: { name: 'U64', size: 8 },
  16: { name: 'BF16', size: 2 },
};

/** IEEE 754 binary16 bit pattern -> number (shared decoder of src/io/dtypes.ts). */
export const halfToNumber = f16BitsToNumber;

/** bfloat16 bit pattern -> number: the upper half of a binary32. */
function bf16ToNumber(h: number): number {
  const f = new Float32Array(new Uint32Array([h << 16]).buffer);
  return f[0];
}

/** A protobufjs int64: a number or a Long. */
export type Int64Like = number | { toNumber(): number };

export function toNum(x: Int64Like): number {
  return typeof x === 'number' ? x : x.toNumber();
}

/**
 * Decodes `count` little-endian elements of ONNX type `dataType` from `bytes`.
 * F64 stays Float64Array; everything else becomes Float32Array (integers above 2^24 lose
 * precision, which no weight needs; shape constants are small).
 */
export function decodeRaw(dataType: number, bytes: Uint8Array, count: number, file: string, what: string): Float32Array | Float64Array {
  const t = ONNX_DTYPES[dataType];
  if (!t || t.size === 0) throw new UnsupportedError(`${file}: ${what} has ONNX data type ${dataType} (${t?.name ?? 'unknown'}), which genbound does not read`);
  if (bytes.byteLength !== count * t.size) {
    throw new BadFileError(file, `${what}: ${bytes.byteLength} bytes of data for ${count} ${t.name} elements (expected ${count * t.size})`);
  }
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (t.name === 'F64') {
    const out = new Float64Array(count);
    for (let i = 0; i < count; i++) out[i] = dv.getFloat64(i * 8, true);
    return out;
  }
  const out = new Float32Array(count);
  switch (t.name) {
    case 'F32':
      for (let i = 0; i < count; i++) out[i] = dv.getFloat32(i * 4, true);
      break;
    case 'F16':
      for (let i = 0; i < count; i++) out[i] = halfToNumber(dv.getUint16(i * 2, true));
      break;
    case 'BF16':
      for (let i = 0; i < count; i++) out[i] = bf16ToNumber(dv.getUint16(i * 2, true));
      break;
    case 'U8':
    case 'BOOL':
      for (let i = 0; i < count; i++) out[i] = dv.getUint8(i);
      break;
    case 'I8':
      for (let i = 0; i < count; i++) out[i] = dv.getInt8(i);
      break;
    case 'U16':
      for (let i = 0; i < count; i++) out[i] = dv.getUint16(i * 2, true);
      break;
    case 'I16':
      for (let i = 0; i < count; i++) out[i] = dv.getInt16(i * 2, true);
      break;
    case 'I32':
      for (let i = 0; i < count; i++) out[i] = dv.getInt32(i * 4, true);
      break;
    case 'U32':
      for (let i = 0; i < count; i++) out[i] = dv.getUint32(i * 4, true);
      break;
    case 'I64':
      for (let i = 0; i < count; i++) out[i] = Number(dv.getBigInt64(i * 8, true));
      break;
    case 'U64':
      for (let i = 0; i < count; i++) out[i] = Number(dv.getBigUint64(i * 8, true));
      break;
  }
  return out;
}

/** The typed repeated fields of a TensorProto (those genbound reads). */
export interface TypedFields {
  floatData?: number[] | null;
  doubleData?: number[] | null;
  int32Data?: number[] | null;
  int64Data?: Int64Like[] | null;
  uint64Data?: Int64Like[] | null;
}

/** Decodes values stored in the typed repeated fields instead of raw_data. */
export function decodeTyped(dataType: number, f: TypedFields, count: number, file: string, what: string): Float32Array | Float64Array {
  const t = ONNX_DTYPES[dataType];
  if (!t || t.size === 0) throw new UnsupportedError(`${file}: ${what} has ONNX data type ${dataType} (${t?.name ?? 'unknown'}), which genbound does not read`);
  let src: ArrayLike<number>;
  let map: (v: number) => number = (v) => v;
  switch (t.name) {
    case 'F32':
      src = f.floatData ?? [];
      break;
    case 'F64':
      src = f.doubleData ?? [];
      break;
    case 'I64':
      src = (f.int64Data ?? []).map(toNum);
      break;
    case 'U32':
    case 'U64':
      src = (f.uint64Data ?? []).map(toNum);
      break;
    case 'F16':
      src = f.int32Data ?? [];
      map = halfToNumber;
      break;
    case 'BF16':
      src = f.int32Data ?? [];
      map = bf16ToNumber;
      break;
    default:
      src = f.int32Data ?? [];
  }
  if (src.length !== count) throw new BadFileError(file, `${what}: ${src.length} values for shape with ${count} elements`);
  const out = t.name === 'F64' ? new Float64Array(count) : new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = map(src[i]);
  return out;
}
