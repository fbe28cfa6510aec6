/**
 * What every checkpoint reader gives: a lazy collection of named tensors. Listing is cheap
 * (headers only); `read` loads one tensor's data, converted to float32 or float64.
 */
export type DType = 'F64' | 'F32' | 'F16' | 'BF16' | 'I64' | 'I32' | 'I16' | 'I8' | 'U8' | 'BOOL' | 'Q8_0' | string;

export interface TensorInfo {
  readonly name: string;
  readonly dtype: DType;
  readonly shape: readonly number[];
}

export interface Tensor {
  readonly name: string;
  readonly shape: readonly number[];
  /** Row-major data. F64 stays Float64Array; every other dtype decodes to Float32Array. */
  readonly data: Float32Array | Float64Array;
}

export interface TensorSource {
  /** e.g. "safetensors", "pytorch", "onnx", "tfjs", "gguf". */
  readonly format: string;
  /** File or folder the tensors come from (for messages). */
  readonly path: string;
  /** Parsed config.json (or the format's equivalent metadata) when there is one. */
  readonly config?: Record<string, unknown>;
  /** Free-form string metadata stored in the file (safetensors `__metadata__`, GGUF keys ...). */
  readonly metadata?: Readonly<Record<string, string>>;
  list(): readonly TensorInfo[];
  has(name: string): boolean;
  /** Reads and decodes one tensor. Throws ModelError when it is missing, BadFileError when corrupt. */
  read(name: string): Promise<Tensor>;
  close(): Promise<void>;
}

/**
 * One operation of a computation graph (ONNX, tfjs GraphModel). Adapters for graph formats read
 * the topology to derive what the weights alone do not say (e.g. head counts from Reshape shapes).
 * `inputs` are tensor names as the format writes them (tfjs: "node:1" for a second output,
 * "^node" for a control dependency).
 */
export interface GraphNode {
  readonly name: string;
  readonly op: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  /** Scalar and list attributes (ints, floats, strings); tensor attributes are left out. */
  readonly attrs: Readonly<Record<string, number | string | readonly number[]>>;
}

/** A TensorSource that also carries its computation graph (ONNX, tfjs). */
export interface GraphTensorSource extends TensorSource {
  /** Nodes in the order the file lists them. */
  graph(): readonly GraphNode[];
  /**
   * Values of a constant tensor with at most SMALL_CONSTANT_MAX elements (shape constants,
   * split sizes, scalars), loaded when the source was opened; undefined for anything else.
   */
  smallConstant(name: string): readonly number[] | undefined;
}

/** Largest element count `GraphTensorSource.smallConstant` keeps. */
export const SMALL_CONSTANT_MAX = 64;

/** True when `src` carries a computation graph. */
export function hasGraph(src: TensorSource): src is GraphTensorSource {
  return typeof (src as Partial<GraphTensorSource>).graph === 'function';
}
