/**
 * The page's ModelFolders (src/io/byte-source.ts): the files of a drop, read through File.slice,
 * and a Hugging Face repository, read through HTTP range requests. The readers of src/io/formats
 * take their bytes from these and from nothing else.
 */
import { BadFileError, NetworkError } from '../errors.js';
import { MAX_FOLDER_ENTRIES, MissingFileError, type ByteSource, type FolderEntry, type ModelFolder } from '../io/byte-source.js';
import { BlobByteSource, fetchChecked, HttpByteSource } from './blob-source.js';
import type { InputFile } from './protocol.js';

/** Entries of a list of '/'-separated file names: files up to one sub-folder down, and those sub-folders. */
function listing(files: readonly { name: string; size?: number }[]): FolderEntry[] {
  if (files.length > MAX_FOLDER_ENTRIES) throw new BadFileError('(dropped folder)', `has more than ${MAX_FOLDER_ENTRIES} files`);
  const out: FolderEntry[] = [];
  const folders = new Set<string>();
  for (const f of files) {
    const parts = f.name.split('/');
    if (parts.length > 2) continue;
    if (parts.length === 2) folders.add(parts[0]);
    out.push({ name: f.name, kind: 'file', size: f.size });
  }
  for (const d of folders) out.push({ name: d, kind: 'folder' });
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Dropped or picked files as a folder. */
export class FileListFolder implements ModelFolder {
  private readonly byName: Map<string, File>;

  constructor(readonly name: string, files: readonly InputFile[]) {
    this.byName = new Map(files.map((f) => [f.path, f.file]));
  }

  async entries(): Promise<readonly FolderEntry[]> {
    return listing([...this.byName].map(([name, f]) => ({ name, size: f.size })));
  }

  async open(name: string): Promise<ByteSource> {
    const f = this.byName.get(name);
    if (!f) throw new MissingFileError(this.pathOf(name), 'no such file among the dropped files');
    return new BlobByteSource(this.pathOf(name), f);
  }

  pathOf(name: string): string {
    return this.name === '' ? name : `${this.name}/${name}`;
  }
}

/** `org/name` as the hub spells model ids (src/io/open.ts's HUB_ID, without the @revision). */
const HUB_ID = /^[A-Za-z0-9][A-Za-z0-9._-]*\/[A-Za-z0-9][A-Za-z0-9._-]*$/;
const REVISION = /^[A-Za-z0-9._/-]{1,200}$/;

/** A hub repository at one revision: its listing from the hub's API, its files by range requests. */
export class HubFolder implements ModelFolder {
  private constructor(
    readonly name: string,
    private readonly base: string,
    private readonly files: ReadonlyMap<string, number | undefined>,
    private readonly headers: Record<string, string>,
  ) {}

  static async open(endpoint: string, id: string, revision: string, token?: string): Promise<HubFolder> {
    if (!HUB_ID.test(id) || id.includes('..')) throw new BadFileError(id, 'is not a hub model id (org/name)');
    if (!REVISION.test(revision) || revision.split('/').includes('..')) throw new BadFileError(id, `bad revision ${JSON.stringify(revision)}`);
    let origin: URL;
    try {
      origin = new URL(endpoint);
    } catch {
      throw new NetworkError(`the hub endpoint ${JSON.stringify(endpoint)} is not a URL`);
    }
    if (origin.protocol !== 'https:' && origin.protocol !== 'http:') throw new NetworkError(`the hub endpoint ${endpoint} is not http(s)`);
    const root = endpoint.replace(/\/+$/, '');
    const headers: Record<string, string> = token ? { Authorization: `Bearer ${token}` } : {};
    const res = await fetchChecked(`${root}/api/models/${id}/revision/${encodeURIComponent(revision)}?blobs=true`, { headers }, `${id}: the model listing`);
    let json: unknown;
    try {
      json = await res.json();
    } catch {
      throw new NetworkError(`${id}: the hub's model listing is not JSON`);
    }
    const sib = (json as { siblings?: unknown }).siblings;
    if (!Array.isArray(sib)) throw new NetworkError(`${id}: the hub's model listing has no file list`);
    if (sib.length > MAX_FOLDER_ENTRIES) throw new NetworkError(`${id}: the listing has more than ${MAX_FOLDER_ENTRIES} files`);
    const sha = (json as { sha?: unknown }).sha;
    const commit = typeof sha === 'string' && /^[0-9a-f]{40}$/.test(sha) ? sha : revision;
    const files = new Map<string, number | undefined>();
    for (const s of sib as { rfilename?: unknown; size?: unknown; lfs?: { size?: unknown } }[]) {
      if (typeof s?.rfilename !== 'string' || s.rfilename.split('/').some((p) => p === '..' || p === '')) continue;
      const size = typeof s.lfs?.size === 'number' ? s.lfs.size : typeof s.size === 'number' ? s.size : undefined;
      files.set(s.rfilename, size);
    }
    return new HubFolder(id, `${root}/${id}/resolve/${encodeURIComponent(commit)}/`, files, headers);
  }

  async entries(): Promise<readonly FolderEntry[]> {
    return listing([...this.files].map(([name, size]) => ({ name, size })));
  }

  async open(name: string): Promise<ByteSource> {
    if (!this.files.has(name)) throw new MissingFileError(this.pathOf(name), 'no such file in the repository');
    const url = this.base + name.split('/').map(encodeURIComponent).join('/');
    return HttpByteSource.open(this.pathOf(name), url, this.files.get(name), this.headers);
  }

  pathOf(name: string): string {
    return `${this.name}/${name}`;
  }
}
