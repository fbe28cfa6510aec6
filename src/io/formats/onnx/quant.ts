import { consumersOf } from './names.js';
import { q as quote } from '../../describe.js';
import type { GraphNode, TensorInfo } from '../../types.js';

/**
 * Weight-only views of quantized ONNX models (onnxruntime.quantization's output, which is what
 * transformers.js ships as model_quantized.onnx). A quantized weight is stored as an 8-bit
 * integer tensor q with a scale s and a zero point z, scalar or per channel; the weight the model
 * multiplies by is W = (q − z)·s exactly (ONNX DequantizeLinear; MatMulInteger followed by the
 * scale Mul computes the same product). genbound analyses that W, in float64 (the product of an
 * 8-bit integer and a float32 scale is exact there).
 *
 * Patterns recognised, with the weight as the second matrix operand:
 *  - QDQ:        DequantizeLinear(q, s, z; axis) → MatMul
 *  - dynamic:    MatMulInteger(x_q, q, x_z, z) → Cast → Mul(·, Mul(x_s, s))   (quantize_dynamic)
 *  - contrib:    DynamicQuantizeMatMul(x, q, s, z, bias), MatMulIntegerToFloat(x, q, x_s, s, x_z, z, bias)
 *  - QLinearMatMul(x, x_s, x_z, q, s, z, y_s, y_z)
 *  - by name:    any "<W>_quantized" with "<W>_scale" (and "<W>_zero_point") initializers that no
 *                node pattern claimed (quantized Gather tables, i.e. embeddings).
 * The dequantized weight is named after the stored one without its "_quantized" suffix (which
 * is the original parameter name) when that name is free, else "<q>_dequantized". 4-bit blocked
 * formats (MatMulNBits) are not decoded; they are reported in the source's metadata.
 */
export interface QuantWeight {
  /** The stored integer tensor. */
  q: string;
  scale: string;
  zeroPoint?: string;
  /** Axis the scale and zero point run along when they are vectors (ignored for scalars). */
  axis: number;
  shape: number[];
}

export interface QuantScan {
  /** Dequantized weight name -> how to compute it. */
  weights: Map<string, QuantWeight>;
  /** The graph with each quantized product rewritten as MatMul(x, W) (+ Add(bias)), for name recovery. */
  linearView: GraphNode[];
  /** Integer tensors, scales and zero points (of weights and activations): not listed as parameters. */
  hidden: Set<string>;
  /** MatMulNBits nodes seen (not decoded). */
  nbits: number;
}

const INT8 = new Set(['I8', 'U8']);

export function findQuantizedWeights(nodes: readonly GraphNode[], infos: ReadonlyMap<string, TensorInfo>): QuantScan {
  const weights = new Map<string, QuantWeight>();
  const hidden = new Set<string>();
  const byQ = new Map<string, string>();
  const consumers = consumersOf(nodes);
  const producer = new Map<string, GraphNode>();
  for (const n of nodes) for (const o of n.outputs) producer.set(o, n);
  const isInt8 = (name: string | undefined) => name !== undefined && INT8.has(infos.get(name)?.dtype ?? '');
  const isConst = (name: string | undefined) => name !== undefined && name !== '' && infos.has(name);

  /** Registers the weight stored in q (once) and returns its dequantized name. */
  const claim = (q: string, scale: string, zeroPoint: string | undefined, axis: number | undefined, fallback: string): string => {
    const known = byQ.get(q);
    if (known !== undefined) return known;
    const shape = [...(infos.get(q)?.shape ?? [])];
    const stem = q.endsWith('_quantized') ? q.slice(0, -'_quantized'.length) : '';
    const name = stem !== '' && !infos.has(stem) && !weights.has(stem) ? stem : infos.has(fallback) || weights.has(fallback) ? `${q}_dequantized` : fallback;
    weights.set(name, { q, scale, zeroPoint: isConst(zeroPoint) ? zeroPoint : undefined, axis: axis ?? perChannelAxis(shape, infos.get(scale)), shape });
    byQ.set(q, name);
    for (const t of [q, scale, zeroPoint]) if (t !== undefined && isConst(t)) hidden.add(t);
    return name;
  };

  const linearView: GraphNode[] = [];
  const rename = new Map<string, string>();
  let nbits = 0;
  for (const n of nodes) {
    const [a, b] = n.inputs;
    if (n.op === 'DequantizeLinear' && isInt8(a) && isConst(n.inputs[1])) {
      const axis = typeof n.attrs.axis === 'number' ? n.attrs.axis : undefined;
      rename.set(n.outputs[0], claim(a, n.inputs[1], n.inputs[2], axis ?? 1, n.outputs[0]));
      continue;
    }
    if (n.op === 'MatMulInteger' && isInt8(b)) {
      // Cast → Mul(·, scales) where scales is the weight's scale or Mul(x_scale, w_scale).
      const cast = (consumers.get(n.outputs[0]) ?? []).find((c) => c.op === 'Cast');
      const mul = cast && (consumers.get(cast.outputs[0]) ?? []).find((c) => c.op === 'Mul');
      const sIn = mul?.inputs.find((i) => i !== cast?.outputs[0]);
      const scale = sIn === undefined ? undefined : weightScale(sIn, b, producer, infos);
      if (mul && scale) {
        const w = claim(b, scale, n.inputs[3], undefined, `${b}_dequantized`);
        linearView.push({ name: n.name, op: 'MatMul', inputs: [a, w], outputs: mul.outputs, attrs: {} });
        continue;
      }
    }
    if ((n.op === 'DynamicQuantizeMatMul' || n.op === 'MatMulIntegerToFloat') && isInt8(b)) {
      const [s, z, bias] = n.op === 'DynamicQuantizeMatMul' ? [n.inputs[2], n.inputs[3], n.inputs[4]] : [n.inputs[3], n.inputs[5], n.inputs[6]];
      if (isConst(s)) {
        const w = claim(b, s, z, undefined, `${b}_dequantized`);
        if (bias !== undefined && bias !== '') {
          const mid = `${n.outputs[0]}/genbound_matmul`;
          linearView.push({ name: n.name, op: 'MatMul', inputs: [a, w], outputs: [mid], attrs: {} });
          linearView.push({ name: `${n.name}/bias`, op: 'Add', inputs: [mid, bias], outputs: n.outputs, attrs: {} });
        } else {
          linearView.push({ name: n.name, op: 'MatMul', inputs: [a, w], outputs: n.outputs, attrs: {} });
        }
        continue;
      }
    }
    if (n.op === 'QLinearMatMul' && isInt8(n.inputs[3]) && isConst(n.inputs[4])) {
      const w = claim(n.inputs[3], n.inputs[4], n.inputs[5], undefined, `${n.inputs[3]}_dequantized`);
      // The integer output is usually dequantized before the bias Add: the float product is that.
      const dq = (consumers.get(n.outputs[0]) ?? []).find((c) => c.op === 'DequantizeLinear');
      linearView.push({ name: n.name, op: 'MatMul', inputs: [a, w], outputs: dq ? dq.outputs : n.outputs, attrs: {} });
      continue;
    }
    if (n.op === 'MatMulNBits') nbits++;
    linearView.push(n);
  }
  for (let i = 0; i < linearView.length; i++) {
    const n = linearView[i];
    if (n.inputs.some((x) => rename.has(x))) linearView[i] = { ...n, inputs: n.inputs.map((x) => rename.get(x) ?? x) };
  }
  // Naming convention of onnxruntime.quantization for weights no pattern above reached.
  for (const [name, info] of infos) {
    if (!name.endsWith('_quantized') || byQ.has(name) || !INT8.has(info.dtype)) continue;
    const stem = name.slice(0, -'_quantized'.length);
    if (infos.has(`${stem}_scale`)) claim(name, `${stem}_scale`, `${stem}_zero_point`, undefined, `${name}_dequantized`);
  }
  // Activation scales and zero points (static quantization) are not parameters either.
  for (const [name] of infos) {
    const cs = consumers.get(name);
    if (cs && cs.every((c) => QPARAM_INPUTS[c.op]?.includes(c.inputs.indexOf(name)))) hidden.add(name);
  }
  return { weights, linearView, hidden, nbits };
}

/** Input positions that carry scales and zero points, per quantization op (ONNX and com.microsoft schemas). */
const QPARAM_INPUTS: Readonly<Record<string, readonly number[]>> = {
  DequantizeLinear: [1, 2],
  QuantizeLinear: [1, 2],
  MatMulInteger: [2, 3],
  MatMulIntegerToFloat: [2, 3, 4, 5],
  DynamicQuantizeMatMul: [2, 3],
  QLinearMatMul: [1, 2, 4, 5, 6, 7],
};

/**
 * The weight's own scale among the inputs of the scale Mul: the initializer "<stem>_scale" when
 * the weight follows onnxruntime's naming, else the one initializer operand of Mul(x_scale, s).
 */
function weightScale(sIn: string, q: string, producer: ReadonlyMap<string, GraphNode>, infos: ReadonlyMap<string, TensorInfo>): string | undefined {
  const stem = q.endsWith('_quantized') ? q.slice(0, -'_quantized'.length) : q;
  if (infos.has(sIn)) return sIn;
  const prod = producer.get(sIn);
  if (!prod || prod.op !== 'Mul') return undefined;
  const named = prod.inputs.find((i) => i === `${stem}_scale`);
  if (named !== undefined && infos.has(named)) return named;
  const consts = prod.inputs.filter((i) => infos.has(i));
  return consts.length === 1 ? consts[0] : undefined;
}

/** Per-column (axis 1) unless the scale's length only matches the rows. */
function perChannelAxis(shape: readonly number[], scale: TensorInfo | undefined): number {
  const len = scale ? scale.shape.reduce((x, y) => x * y, 1) : 1;
  if (shape.length === 2 && len !== shape[1] && len === shape[0]) return 0;
  return Math.min(1, Math.max(0, shape.length - 1));
}

/**
 * W = (q − z)·s in float64. s and z are scalars or vectors along `axis`. Throws a RangeError
 * naming the weight when their lengths fit neither.
 */
export function dequantize(w: QuantWeight, name: string, q: ArrayLike<number>, s: ArrayLike<number>, z: ArrayLike<number> | undefined): Float64Array {
  const shape = w.shape;
  const rank = shape.length;
  const axis = w.axis < 0 ? w.axis + rank : w.axis;
  const along = rank === 0 ? 1 : shape[axis];
  if (s.length !== 1 && s.length !== along) throw new RangeError(`quantized weight ${quote(name)}: scale has ${s.length} values for axis ${axis} of length ${along}`);
  if (z && z.length !== s.length && z.length !== 1) throw new RangeError(`quantized weight ${quote(name)}: zero point has ${z.length} values, scale ${s.length}`);
  let inner = 1;
  for (let d = axis + 1; d < rank; d++) inner *= shape[d];
  const out = new Float64Array(q.length);
  for (let i = 0; i < q.length; i++) {
    const c = s.length === 1 ? 0 : Math.floor(i / inner) % along;
    const zp = z ? z[z.length === 1 ? 0 : c] : 0;
    out[i] = (q[i] - zp) * s[c];
  }
  return out;
}
