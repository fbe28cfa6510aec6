import { open, type FileHandle } from 'node:fs/promises';
import { BadFileError } from '../errors.js';
import { checkRange, type ByteSource } from './byte-source.js';

/** Largest single fs.read; bigger ranges are read in pieces (fs.read caps one call near 2 GiB). */
const CHUNK = 1 << 30;

/**
 * A file read by byte range, never whole: the basis of every lazy reader. Offsets are plain
 * numbers (exact to 2^53), so files past 2^31 and 2^32 bytes work.
 */
export class RandomAccessFile implements ByteSource {
  private constructor(
    readonly path: string,
    private readonly fh: FileHandle,
    readonly size: number,
  ) {}

  /** The path, as ByteSource names it. */
  get name(): string {
    return this.path;
  }

  static async open(path: string): Promise<RandomAccessFile> {
    let fh: FileHandle;
    try {
      fh = await open(path, 'r');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new BadFileError(path, code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : `cannot open (${code ?? String(err)})`);
    }
    const st = await fh.stat();
    return new RandomAccessFile(path, fh, st.size);
  }

  /** Reads exactly `length` bytes at `offset`, or throws BadFileError (truncated). */
  async read(offset: number, length: number, what = 'data'): Promise<Uint8Array> {
    checkRange(this.path, this.size, offset, length, what);
    const buf = new Uint8Array(length);
    let done = 0;
    while (done < length) {
      const n = Math.min(CHUNK, length - done);
      const { bytesRead } = await this.fh.read(buf, done, n, offset + done);
      if (bytesRead === 0) throw new BadFileError(this.path, `truncated: ${what} ends at byte ${offset + done}, expected ${offset + length}`);
      done += bytesRead;
    }
    return buf;
  }

  async close(): Promise<void> {
    await this.fh.close();
  }
}
