import { stat } from 'node:fs/promises';
import { BadFileError, NetworkError } from '../errors.js';
import { isAdapterFolder, openAdapter, type AdapterFiles } from './adapter.js';
import { folderOfFile, NodeFolder } from './node-gate.js';
import { findWeights, openFromFolder } from './registry.js';
import type { ReadOptions } from './source-base.js';
import type { TensorSource } from './types.js';

/**
 * The node entry point of src/io: a path or hub id becomes a NodeFolder (the file gate,
 * node-gate.ts) and the registry (registry.ts) finds and opens the checkpoint in it by content.
 */

/** Options of openSource: reading options plus, for hub ids, download options. */
export interface OpenOptions extends ReadOptions {
  /** Hub revision (branch, tag or commit); default "main". */
  revision?: string;
  /** Overrides HF_HOME-based cache folder (the folder that holds `hub/`). */
  cacheHome?: string;
  /** Overrides HF_ENDPOINT. */
  endpoint?: string;
  /** Overrides HF_TOKEN. */
  token?: string;
  /** Progress on stderr: true forces it, false silences it, default only on a TTY. */
  progress?: boolean;
}

/** `org/name` (optionally `org/name@revision`) as the hub spells model ids. */
export const HUB_ID = /^[A-Za-z0-9][A-Za-z0-9._-]*\/[A-Za-z0-9][A-Za-z0-9._-]*(@[A-Za-z0-9._/-]+)?$/;

/**
 * What a command-line model argument names: a local folder, a local file (inside its folder), or
 * a hub id downloaded into the cache first (a folder then).
 */
export async function resolveModelPath(pathOrId: string, opts: OpenOptions = {}): Promise<{ folder: NodeFolder; entry?: string }> {
  let st;
  try {
    st = await stat(pathOrId);
  } catch {
    st = undefined;
  }
  if (!st) {
    if (HUB_ID.test(pathOrId) && !pathOrId.startsWith('.')) {
      const { downloadModel } = await import('./hub.js');
      let dir: string;
      try {
        dir = await downloadModel(pathOrId, opts);
      } catch (err) {
        // "org/name" may also be a mistyped local path: say that there is none either.
        if (err instanceof NetworkError) throw new NetworkError(`${err.message} (and there is no local file or folder ${JSON.stringify(pathOrId)})`);
        throw err;
      }
      return { folder: await NodeFolder.open(dir) };
    }
    throw new BadFileError(pathOrId, 'no such file or folder');
  }
  if (st.isDirectory()) return { folder: await NodeFolder.open(pathOrId) };
  return folderOfFile(pathOrId);
}

/**
 * Opens a checkpoint: a model folder (config.json + weights, found by content; safetensors
 * preferred), a single weights file (recognised by content), or a Hugging Face hub id
 * `org/name[@revision]` downloaded into the cache first. config.json beside the weights becomes
 * `config`. Every file is read through the gate of the model's folder.
 */
export async function openSource(pathOrId: string, opts: OpenOptions = {}): Promise<TensorSource> {
  const { folder, entry } = await resolveModelPath(pathOrId, opts);
  return openFromFolder(folder, entry, opts);
}

/** A local path as the CLI treats it: a PEFT adapter, a model (folder or file), or neither. */
export type LocalKind = 'adapter' | 'model' | 'none';

/**
 * What a local path holds, by content: an adapter folder (or a file inside one: its config or its
 * weights), a model (weights found by content), or neither. Nothing is downloaded.
 */
export async function localKind(path: string): Promise<LocalKind> {
  let folder: NodeFolder;
  let entry: string | undefined;
  try {
    if ((await stat(path)).isDirectory()) folder = await NodeFolder.open(path);
    else ({ folder, entry } = await folderOfFile(path));
  } catch {
    return 'none';
  }
  if (await isAdapterFolder(folder).catch(() => false)) {
    if (entry === undefined || entry === 'adapter_config.json') return 'adapter';
    const w = await findWeights(folder).catch(() => undefined);
    if (w?.entry === entry) return 'adapter';
  }
  if (entry !== undefined) return 'model';
  return (await findWeights(folder).then(() => true, () => false)) ? 'model' : 'none';
}

/** Opens the PEFT adapter at a local path (its folder, or a file inside it). */
export async function openAdapterPath(path: string, opts: ReadOptions = {}): Promise<AdapterFiles & { dir: string }> {
  const { folder } = await resolveModelPath(path);
  return { ...(await openAdapter(folder, opts)), dir: folder.name };
}
