import { BadFileError } from '../errors.js';

/**
 * The two platform-neutral interfaces every format reader depends on (and nothing else: no reader
 * imports node:fs). Node provides them through the file gate (src/io/node-gate.ts); a browser
 * provides them over File/Blob objects (e.g. a dropped folder). Implementing them is all another
 * platform needs to run the readers of src/io/formats/.
 *
 * The contract an implementation must keep (it is what makes the readers safe on hostile input):
 *  - `ModelFolder.open` returns bytes of a regular file INSIDE the folder only. It refuses names
 *    that escape the folder ("..", absolute paths, links that resolve elsewhere), and anything that
 *    is not a regular file (folders, FIFOs, sockets, devices), without blocking, naming the entry.
 *  - `ByteSource.size` is known before any byte is read, so readers check sizes before they
 *    allocate; `read` returns exactly the bytes asked for or throws BadFileError.
 */

/** The bytes of one file, read by range, never whole unless a reader asks for the whole range. */
export interface ByteSource {
  /** The file as the user would name it in a message (a path on node, a relative name in a browser). */
  readonly name: string;
  /** Size in bytes, fixed when the source was opened. */
  readonly size: number;
  /**
   * Which stored file this is, equal for every name of the same bytes (node: device and inode, so
   * two links or hard links to one file compare equal). Undefined where the platform cannot tell
   * (a browser's File objects); readers then fall back to the entry name.
   */
  readonly identity?: string;
  /**
   * Exactly `length` bytes from `offset`. Throws BadFileError (naming the file and `what`) when
   * the range is invalid or lies past `size`, or when the file turned out shorter than `size`.
   */
  read(offset: number, length: number, what?: string): Promise<Uint8Array>;
  /** Releases the underlying handle; reading afterwards is an error. Idempotent. */
  close(): Promise<void>;
}

/** One entry of a ModelFolder listing. */
export interface FolderEntry {
  /** Path relative to the folder, '/'-separated: "model.safetensors", "onnx/model.onnx". */
  readonly name: string;
  /**
   * 'file': a regular file `open` will accept; 'folder': a sub-folder (its files are listed too,
   * one level down); 'refused': something `open` will refuse, with the reason in `refused`.
   */
  readonly kind: 'file' | 'folder' | 'refused';
  /** Size in bytes of a 'file'. */
  readonly size?: number;
  /** Why a 'refused' entry is refused, e.g. "is a FIFO", "resolves outside the model folder". */
  readonly refused?: string;
}

/** A model folder: the only place a reader takes files from. */
export interface ModelFolder {
  /** The folder as the user would name it in a message. */
  readonly name: string;
  /**
   * The folder's entries and those of its sub-folders one level down (e.g. transformers.js's
   * onnx/model.onnx), sorted by name, at most MAX_FOLDER_ENTRIES of them.
   */
  entries(): Promise<readonly FolderEntry[]>;
  /**
   * Opens the file `name` (relative, '/'-separated). Throws MissingFileError when there is no
   * such entry, and BadFileError naming the entry when it escapes the folder, is not a regular
   * file, or cannot be opened. Never blocks.
   */
  open(name: string): Promise<ByteSource>;
  /** How `name` is shown in messages and in TensorSource.path (node: the joined path). */
  pathOf(name: string): string;
}

/** What `ModelFolder.open` throws when the folder has no entry of that name (callers treat optional files by it). */
export class MissingFileError extends BadFileError {}

/** Most entries a folder listing returns; a folder with more is refused (not truncated silently). */
export const MAX_FOLDER_ENTRIES = 100_000;

/**
 * Resolves `rel` (a name written inside a file, e.g. a tfjs shard path or an ONNX external-data
 * location) against the folder-relative directory `fromDir` ("" for the top). Returns the
 * normalised '/'-separated folder-relative name, or undefined when it is absolute or escapes the
 * folder. Pure string work: the gate still checks where the result really points.
 */
export function resolveEntryName(fromDir: string, rel: string): string | undefined {
  if (rel.length === 0 || rel.includes('\0') || rel.startsWith('/') || rel.startsWith('\\') || /^[A-Za-z]:/.test(rel)) return undefined;
  const parts = fromDir === '' ? [] : fromDir.split('/');
  for (const p of rel.split(/[/\\]/)) {
    if (p === '' || p === '.') continue;
    if (p === '..') {
      if (parts.length === 0) return undefined;
      parts.pop();
    } else parts.push(p);
  }
  return parts.length === 0 ? undefined : parts.join('/');
}

/** The folder-relative directory of an entry name ("" at the top). */
export function entryDir(name: string): string {
  const i = name.lastIndexOf('/');
  return i < 0 ? '' : name.slice(0, i);
}

/** The last component of an entry name. */
export function entryBase(name: string): string {
  return name.slice(name.lastIndexOf('/') + 1);
}

/** Checks a requested byte range against a source size; the shared first step of every `read`. */
export function checkRange(file: string, size: number, offset: number, length: number, what: string): void {
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0) {
    throw new BadFileError(file, `${what}: invalid byte range ${offset}+${length}`);
  }
  if (offset + length > size) {
    throw new BadFileError(file, `truncated: ${what} needs bytes ${offset}..${offset + length} but the file has ${size}`);
  }
}

/** A ByteSource over bytes already in memory (tests, fuzzing, and a browser's ArrayBuffer). */
export class MemoryByteSource implements ByteSource {
  constructor(
    readonly name: string,
    private readonly bytes: Uint8Array,
  ) {}

  get size(): number {
    return this.bytes.byteLength;
  }

  async read(offset: number, length: number, what = 'data'): Promise<Uint8Array> {
    checkRange(this.name, this.size, offset, length, what);
    return this.bytes.slice(offset, offset + length);
  }

  async close(): Promise<void> {}
}
