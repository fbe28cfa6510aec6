/**
 * One error type per failure kind. The CLI catches these at its edge and prints one line to
 * stderr (`genbound: <message>`) with a non-zero exit code; a stack trace only with --debug.
 * Anything that is not a GenboundError is a bug and is reported as such.
 */
export class GenboundError extends Error {
  /** Process exit code used by the CLI. */
  readonly exitCode: number = 1;
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** A file that is missing, truncated, corrupt, or whose header contradicts its contents. */
export class BadFileError extends GenboundError {
  constructor(readonly file: string, what: string) {
    super(`${file}: ${what}`);
  }
}

/** A dtype, quantisation, architecture or format genbound does not handle. */
export class UnsupportedError extends GenboundError {}

/** A command-line option or configuration value that is invalid or contradictory. */
export class BadOptionError extends GenboundError {
  override readonly exitCode = 2;
}

/** NaN/Inf in a matrix, or a numerical routine that failed to converge. Names the matrix. */
export class NumericError extends GenboundError {}

/** A missing tensor, or a model config that contradicts the tensors. */
export class ModelError extends GenboundError {}

/** A network failure talking to a model hub. */
export class NetworkError extends GenboundError {}

/** Matrix dimensions that are invalid or do not fit together (e.g. A.cols ≠ B.rows in A·B). */
export class ShapeError extends GenboundError {}
