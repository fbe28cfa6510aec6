import { BadFileError } from '../errors.js';
import type { ModelFolder } from './byte-source.js';
import { readJsonObject } from './json.js';
import { findWeights, openFromFolder } from './registry.js';
import type { ReadOptions } from './source-base.js';
import type { TensorSource } from './types.js';

/**
 * PEFT adapters as files: a folder holding adapter_config.json (a JSON object) and the adapter's
 * weights (adapter_model.safetensors, or any single checkpoint file recognised by content). The
 * LoRA arithmetic lives in src/analysis/lora.ts; this is only what is on disk.
 */

/** The file that makes a folder a PEFT adapter. */
export const ADAPTER_CONFIG = 'adapter_config.json';

/** True when the folder holds adapter_config.json as a regular file (a link out of it does not count). */
export async function isAdapterFolder(folder: ModelFolder): Promise<boolean> {
  return (await folder.entries()).some((e) => e.name === ADAPTER_CONFIG && e.kind !== 'folder');
}

export interface AdapterFiles {
  /** adapter_config.json, checked to be a JSON object (its fields are checked by the caller). */
  config: Record<string, unknown>;
  /** Shown path of adapter_config.json, for messages. */
  configPath: string;
  /** The adapter's weights. */
  source: TensorSource;
}

/** Opens an adapter folder: its config and its weights (found by content). */
export async function openAdapter(folder: ModelFolder, opts: ReadOptions = {}): Promise<AdapterFiles> {
  const config = await readJsonObject(folder, ADAPTER_CONFIG);
  const w = await findWeights(folder).catch((err: unknown) => {
    throw err instanceof BadFileError && /no weights found/.test(err.message) ? new BadFileError(folder.name, 'LoRA adapter folder without adapter weights (adapter_model.safetensors)') : err;
  });
  return { config, configPath: folder.pathOf(ADAPTER_CONFIG), source: await openFromFolder(folder, w.entry, opts) };
}
