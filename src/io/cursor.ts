import { BadFileError } from '../errors.js';

/**
 * The one bounds-checked little-endian reader over bytes in memory, shared by every binary
 * parser (zip directories, GGUF headers, pickles). A read past the end never yields a RangeError
 * or undefined: it calls `short`, which returns the error to throw (a BadFileError, or a
 * parser's "read more bytes and retry" signal). A 64-bit value above 2^53 goes to `huge`.
 *
 * Reads are sequential at `pos` (u8(), u32() ...) or absolute (u32At(p) ...); both check bounds.
 */
export interface CursorOptions {
  /** File name for messages. */
  file: string;
  /** What is being parsed, for messages ("central directory", "GGUF header"). */
  what: string;
  /** The error for a read of `n` bytes at `at` that runs past the end. */
  short?: (at: number, n: number) => Error;
  /** The error for a 64-bit value that is not a safe integer. */
  huge?: (value: bigint, at: number) => Error;
}

export class ByteCursor {
  /** Position of the next sequential read. */
  pos: number;
  private readonly dv: DataView;

  constructor(
    readonly bytes: Uint8Array,
    private readonly opts: CursorOptions,
    start = 0,
  ) {
    this.dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.pos = start;
  }

  get length(): number {
    return this.bytes.length;
  }

  /** Bytes left after `pos`. */
  get remaining(): number {
    return this.bytes.length - this.pos;
  }

  /** Throws unless `n` bytes exist at `at` (default `pos`). */
  need(n: number, at = this.pos): void {
    if (!Number.isSafeInteger(n) || n < 0 || at < 0 || at + n > this.bytes.length) {
      throw this.opts.short?.(at, n) ?? new BadFileError(this.opts.file, `corrupt ${this.opts.what}: cut short at byte ${at}`);
    }
  }

  private big(v: bigint, at: number): number {
    if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER)) {
      throw this.opts.huge?.(v, at) ?? new BadFileError(this.opts.file, `corrupt ${this.opts.what}: impossible 64-bit value at byte ${at}`);
    }
    return Number(v);
  }

  // Absolute reads.
  u8At(p: number): number {
    this.need(1, p);
    return this.bytes[p];
  }
  u16At(p: number): number {
    this.need(2, p);
    return this.dv.getUint16(p, true);
  }
  u32At(p: number): number {
    this.need(4, p);
    return this.dv.getUint32(p, true);
  }
  u64At(p: number): number {
    this.need(8, p);
    return this.big(this.dv.getBigUint64(p, true), p);
  }
  sliceAt(p: number, n: number): Uint8Array {
    this.need(n, p);
    return this.bytes.subarray(p, p + n);
  }

  // Sequential reads at `pos`.
  private step(n: number): number {
    this.need(n);
    const p = this.pos;
    this.pos += n;
    return p;
  }
  u8(): number {
    return this.bytes[this.step(1)];
  }
  i8(): number {
    return this.dv.getInt8(this.step(1));
  }
  u16(): number {
    return this.dv.getUint16(this.step(2), true);
  }
  i16(): number {
    return this.dv.getInt16(this.step(2), true);
  }
  u32(): number {
    return this.dv.getUint32(this.step(4), true);
  }
  i32(): number {
    return this.dv.getInt32(this.step(4), true);
  }
  f32(): number {
    return this.dv.getFloat32(this.step(4), true);
  }
  f64(littleEndian = true): number {
    return this.dv.getFloat64(this.step(8), littleEndian);
  }
  /** Unsigned 64-bit as a number; above 2^53 is `huge`. */
  u64(): number {
    const p = this.step(8);
    return this.big(this.dv.getBigUint64(p, true), p);
  }
  /** Signed 64-bit as a number; beyond ±2^53 is `huge`. */
  i64(): number {
    const p = this.step(8);
    return this.big(this.dv.getBigInt64(p, true), p);
  }
  /** Unsigned 64-bit as a bigint (for values compared, not used as sizes). */
  u64Big(): bigint {
    return this.dv.getBigUint64(this.step(8), true);
  }
  /** The next `n` bytes (a view, not a copy). */
  take(n: number): Uint8Array {
    const p = this.step(n);
    return this.bytes.subarray(p, p + n);
  }
}
