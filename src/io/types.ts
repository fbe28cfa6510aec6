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
