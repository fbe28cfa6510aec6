/**
 * Turning what the user drops or picks into models. Each dropped folder is one model; loose files
 * are one model together when they belong together (a shard index, a tfjs model.json with its
 * weight files, a config.json beside weights), else one model each. Folder walks are bounded: a
 * dropped home folder must not hang the page.
 */
import type { InputFile, ModelInput } from './protocol.js';

/** Most files taken from one drop (a sharded 70B checkpoint has a few dozen). */
export const MAX_FILES = 2000;
/** Deepest folder level walked (transformers.js layouts nest onnx/ one level down). */
const MAX_DEPTH = 4;

function readEntries(reader: FileSystemDirectoryReader): Promise<FileSystemEntry[]> {
  return new Promise((resolve, reject) => reader.readEntries(resolve, reject));
}

function entryFile(e: FileSystemFileEntry): Promise<File> {
  return new Promise((resolve, reject) => e.file(resolve, reject));
}

async function walk(entry: FileSystemEntry, prefix: string, depth: number, out: InputFile[]): Promise<void> {
  if (out.length >= MAX_FILES) throw new Error(`more than ${MAX_FILES} files dropped; drop the model's own folder`);
  if (entry.isFile) {
    out.push({ path: prefix + entry.name, file: await entryFile(entry as FileSystemFileEntry) });
    return;
  }
  if (!entry.isDirectory || depth >= MAX_DEPTH) return;
  const reader = (entry as FileSystemDirectoryEntry).createReader();
  // readEntries returns the listing in batches until an empty one.
  for (let batch = await readEntries(reader); batch.length > 0; batch = await readEntries(reader)) {
    for (const e of batch) await walk(e, `${prefix}${entry.name}/`, depth + 1, out);
  }
}

/** Weight and metadata files that belong to one model when dropped loose together. */
const GROUPING = /(^|\/)(config\.json|model\.json|[^/]*\.index\.json|tokenizer[^/]*|group\d+-shard\d+of\d+(\.bin)?)$/;

/** Models from loose files: one model when any of them ties them together, else one model each. */
export function groupLooseFiles(files: readonly InputFile[]): ModelInput[] {
  if (files.length === 0) return [];
  if (files.length > 1 && files.some((f) => GROUPING.test(f.path))) {
    return [{ kind: 'files', name: files.find((f) => /\.(safetensors|json|onnx|gguf|bin)$/.test(f.path))?.path ?? files[0].path, files }];
  }
  return files.map((f) => ({ kind: 'files', name: f.path, files: [f] }));
}

/** Models from a drop: every top-level folder is one model, the loose files are grouped. */
export async function modelsFromDrop(dt: DataTransfer): Promise<ModelInput[]> {
  const entries = Array.from(dt.items)
    .filter((i) => i.kind === 'file')
    .map((i) => ({ entry: i.webkitGetAsEntry(), file: i.getAsFile() }));
  const models: ModelInput[] = [];
  const loose: InputFile[] = [];
  for (const { entry, file } of entries) {
    if (entry?.isDirectory) {
      const files: InputFile[] = [];
      await walk(entry, '', 0, files);
      // Paths inside the model, without the dropped folder's own name.
      const inside = files.map((f) => ({ path: f.path.slice(entry.name.length + 1), file: f.file }));
      models.push({ kind: 'files', name: entry.name, files: inside });
    } else if (file) {
      loose.push({ path: file.name, file });
    }
  }
  return [...models, ...groupLooseFiles(loose)];
}

/** Models from an <input type=file> (multiple files, or a folder with webkitdirectory). */
export function modelsFromInput(list: FileList): ModelInput[] {
  const files = Array.from(list).slice(0, MAX_FILES + 1);
  if (files.length > MAX_FILES) throw new Error(`more than ${MAX_FILES} files chosen; choose the model's own folder`);
  const byFolder = new Map<string, InputFile[]>();
  const loose: InputFile[] = [];
  for (const file of files) {
    const rel = file.webkitRelativePath;
    const cut = rel ? rel.indexOf('/') : -1;
    if (cut < 0) {
      loose.push({ path: file.name, file });
      continue;
    }
    const top = rel.slice(0, cut);
    const list = byFolder.get(top) ?? [];
    list.push({ path: rel.slice(cut + 1), file });
    byFolder.set(top, list);
  }
  const folders: ModelInput[] = [...byFolder].map(([name, fs]) => ({ kind: 'files', name, files: fs }));
  return [...folders, ...groupLooseFiles(loose)];
}
