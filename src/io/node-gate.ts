import { constants } from 'node:fs';
import { open, readdir, realpath, stat, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join, sep } from 'node:path';
import type { Stats } from 'node:fs';
import { BadFileError } from '../errors.js';
import { checkRange, MAX_FOLDER_ENTRIES, MissingFileError, resolveEntryName, type ByteSource, type FolderEntry, type ModelFolder } from './byte-source.js';

/**
 * THE file gate on node: the only module of src/io that opens files of a model. Every reader
 * gets its bytes from a NodeFolder, which
 *  - resolves each entry's real path (all links followed) and refuses it, naming the entry, when
 *    it lies outside the model folder. The one exception is the Hugging Face cache layout: a
 *    folder `.../models--org--name/snapshots/<rev>` may link into `.../models--org--name/blobs`.
 *  - refuses folders, FIFOs, sockets and devices WITHOUT blocking: the type is checked with
 *    stat() before open(), and open() itself uses O_NONBLOCK | O_NOFOLLOW on the real path, then
 *    fstat() checks that the handle is the same regular file (a swap in between is refused).
 *  - knows each file's size before the first read (ByteSource.size), so readers check lengths
 *    against it before they allocate.
 */

/** Largest single fs.read; bigger ranges are read in pieces (fs.read caps one call near 2 GiB). */
const CHUNK = 1 << 30;

function kindOf(st: Stats): string {
  if (st.isFile()) return 'file';
  if (st.isDirectory()) return 'a folder';
  if (st.isFIFO()) return 'a FIFO';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  return 'not a regular file';
}

/** A regular file opened through the gate, read by byte range. */
class NodeByteSource implements ByteSource {
  private closed = false;
  constructor(
    readonly name: string,
    private readonly fh: FileHandle,
    readonly size: number,
    readonly identity: string,
  ) {}

  async read(offset: number, length: number, what = 'data'): Promise<Uint8Array> {
    checkRange(this.name, this.size, offset, length, what);
    if (this.closed) throw new BadFileError(this.name, `${what}: read after close`);
    const buf = new Uint8Array(length);
    let done = 0;
    while (done < length) {
      const n = Math.min(CHUNK, length - done);
      const { bytesRead } = await this.fh.read(buf, done, n, offset + done);
      if (bytesRead === 0) throw new BadFileError(this.name, `truncated: ${what} ends at byte ${offset + done}, expected ${offset + length} (the file shrank)`);
      done += bytesRead;
    }
    return buf;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.fh.close();
  }
}

/** The folder `.../models--x/blobs` a Hugging Face snapshot folder may link into, if `real` is one. */
function hubBlobs(real: string): string | undefined {
  const parts = real.split(sep);
  // .../models--org--name/snapshots/<rev>[/sub...]
  for (let i = parts.length - 2; i >= 1; i--) {
    if (parts[i] === 'snapshots' && /^(models|datasets|spaces)--/.test(parts[i - 1])) return [...parts.slice(0, i), 'blobs'].join(sep);
  }
  return undefined;
}

const inside = (root: string, p: string): boolean => p === root || p.startsWith(root.endsWith(sep) ? root : root + sep);

/** A model folder on the local file system, every access through the gate. */
export class NodeFolder implements ModelFolder {
  private constructor(
    /** The folder as the user named it (used in messages and TensorSource.path). */
    readonly name: string,
    /** Its real path. */
    private readonly real: string,
    /** Real folders links may resolve into: the folder itself and, in the hub cache, blobs/. */
    private readonly roots: readonly string[],
  ) {}

  /** Opens `dir` as a model folder (BadFileError when it is missing or not a folder). */
  static async open(dir: string): Promise<NodeFolder> {
    let real: string;
    try {
      real = await realpath(dir);
    } catch {
      throw new BadFileError(dir, 'no such folder');
    }
    const st = await stat(real);
    if (!st.isDirectory()) throw new BadFileError(dir, 'is not a folder');
    const blobs = hubBlobs(real);
    return new NodeFolder(dir, real, blobs ? [real, blobs] : [real]);
  }

  pathOf(name: string): string {
    return join(this.name, name);
  }

  /** Resolves an entry to its real path and stats, or gives the reason the gate refuses it. */
  private async resolve(name: string): Promise<{ real: string; st: Stats; folder?: undefined } | { refused: string; folder?: boolean; missing?: boolean }> {
    const rel = resolveEntryName('', name);
    if (rel === undefined || rel !== name.replace(/\\/g, '/').replace(/^\.\//, '')) return { refused: 'is not a plain name inside the model folder' };
    let real: string;
    try {
      real = await realpath(join(this.real, rel));
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      return code === 'ENOENT' ? { refused: 'no such file', missing: true } : { refused: `cannot be resolved (${code ?? 'error'})` };
    }
    if (!this.roots.some((r) => inside(r, real))) return { refused: 'resolves outside the model folder (a link out of it); refused' };
    let st: Stats;
    try {
      st = await stat(real);
    } catch (err) {
      return { refused: `cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})` };
    }
    if (!st.isFile()) return { refused: `is ${kindOf(st)}, not a regular file; refused`, folder: st.isDirectory() };
    return { real, st };
  }

  async open(name: string): Promise<ByteSource> {
    const shown = this.pathOf(name);
    const r = await this.resolve(name);
    if ('refused' in r) throw r.missing ? new MissingFileError(shown, r.refused) : new BadFileError(shown, r.refused);
    let fh: FileHandle;
    try {
      fh = await open(r.real, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW);
    } catch (err) {
      throw new BadFileError(shown, `cannot open (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    let st: Stats;
    try {
      st = await fh.stat();
      if (!st.isFile() || st.ino !== r.st.ino || st.dev !== r.st.dev) throw new BadFileError(shown, 'changed while being opened; refused');
    } catch (err) {
      await fh.close();
      throw err instanceof BadFileError ? err : new BadFileError(shown, `cannot stat (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    return new NodeByteSource(shown, fh, st.size, `${st.dev}:${st.ino}`);
  }

  async entries(): Promise<readonly FolderEntry[]> {
    const out: FolderEntry[] = [];
    const list = async (sub: string, descend: boolean): Promise<void> => {
      const names = (await readdir(sub === '' ? this.real : join(this.real, sub))).sort();
      if (out.length + names.length > MAX_FOLDER_ENTRIES) throw new BadFileError(this.name, `holds more than ${MAX_FOLDER_ENTRIES} entries; refused`);
      for (const n of names) {
        const name = sub === '' ? n : `${sub}/${n}`;
        const r = await this.resolve(name);
        if ('real' in r) out.push({ name, kind: 'file', size: r.st.size });
        else if (r.folder) {
          out.push({ name, kind: 'folder' });
          if (descend) await list(name, false);
        } else if (!r.missing) out.push({ name, kind: 'refused', refused: r.refused });
      }
    };
    await list('', true);
    return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }
}

/**
 * The folder and entry a single file path stands for: the file's own folder, except that a file
 * inside a transformers.js `onnx/` folder belongs to the model folder above it (config.json lives
 * there).
 */
export async function folderOfFile(path: string): Promise<{ folder: NodeFolder; entry: string }> {
  const dir = dirname(path);
  if (basename(dir) === 'onnx') {
    const top = dirname(dir);
    const hasConfig = await stat(join(top, 'config.json')).then((s) => s.isFile(), () => false);
    if (hasConfig) return { folder: await NodeFolder.open(top), entry: `onnx/${basename(path)}` };
  }
  return { folder: await NodeFolder.open(dir), entry: basename(path) };
}

/** Opens one file through the gate of its own folder (tests, tools, fuzzing). */
export async function openGatedFile(path: string): Promise<ByteSource> {
  const { folder, entry } = await folderOfFile(path);
  return folder.open(entry);
}
