/**
 * A model input of the page (dropped files or a hub id) opened as a TensorSource by the same
 * registry of readers the CLI uses (src/io/registry.ts), through the page's ModelFolders.
 */
import { openFromFolder } from '../io/registry.js';
import type { TensorSource } from '../io/types.js';
import { FileListFolder, HubFolder } from './folders.js';
import type { ModelInput } from './protocol.js';

export interface OpenedInput {
  source: TensorSource;
  /** Shown as the model's name (result.model.name). */
  name: string;
  /** Where it came from (result.model.source). */
  location: string;
}

export async function openInput(input: ModelInput): Promise<OpenedInput> {
  if (input.kind === 'hub') {
    const folder = await HubFolder.open(input.endpoint, input.id, input.revision, input.token);
    const location = `${input.endpoint.replace(/\/+$/, '')}/${input.id}${input.revision === 'main' ? '' : `@${input.revision}`}`;
    return { source: await openFromFolder(folder, undefined, {}), name: input.id, location };
  }
  // One loose file: the folder is the file alone, and the file is the entry to open.
  const single = input.files.length === 1 && !input.files[0].path.includes('/') && input.files[0].path === input.name;
  const folder = new FileListFolder(single ? '' : input.name, input.files);
  return { source: await openFromFolder(folder, single ? input.files[0].path : undefined, {}), name: input.name, location: input.name };
}
