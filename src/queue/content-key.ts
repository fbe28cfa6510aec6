import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { BadFileError } from '../errors.js';

/**
 * Content keys of queued work. A job's result is stored under
 *   sha256(canonical JSON of { kind, model digest(s), settings, unit })
 * so the same work asked twice (a rerun, a second submitter, a retried job) lands on the same key:
 * finished units are skipped and a duplicate result overwrites an equal one.
 */

/** JSON with object keys sorted at every level, so equal values give equal strings. */
export function canonicalJson(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) => {
    if (x && typeof x === 'object' && !Array.isArray(x)) {
      return Object.fromEntries(Object.entries(x as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    }
    return x;
  });
}

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** The key of one unit of work (64 hex digits; also its BullMQ job id). */
export function contentKey(kind: string, parts: Record<string, unknown>): string {
  return sha256Hex(canonicalJson({ kind, ...parts }));
}

/** A file whose content makes up a model: its name (relative to the model), size and stat identity. */
interface ModelFile {
  path: string;
  name: string;
  size: number;
  mtimeMs: number;
  ino: number;
}

/** The files a model reference is read from: every regular file of a model folder, or a file plus its sibling .json files (config). */
export async function modelFiles(pathOrDir: string): Promise<ModelFile[]> {
  const p = resolve(pathOrDir);
  const st = await stat(p).catch(() => undefined);
  if (!st) throw new BadFileError(pathOrDir, 'no such file or folder');
  let paths: string[];
  if (st.isDirectory()) {
    const entries = await readdir(p);
    paths = entries.filter((e) => !e.startsWith('.')).map((e) => join(p, e));
  } else {
    const dir = dirname(p);
    const siblings = (await readdir(dir)).filter((e) => extname(e) === '.json' && !e.startsWith('.') && join(dir, e) !== p);
    paths = [p, ...siblings.map((e) => join(dir, e))];
  }
  const out: ModelFile[] = [];
  for (const f of paths) {
    const s = await stat(f).catch(() => undefined); // follows symlinks (hub snapshots link to blobs)
    if (!s || !s.isFile()) continue;
    out.push({ path: f, name: basename(f), size: s.size, mtimeMs: s.mtimeMs, ino: s.ino });
  }
  if (out.length === 0) throw new BadFileError(pathOrDir, 'holds no files to read a model from');
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

async function fileSha256(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 22 })) h.update(chunk as Buffer);
  return h.digest('hex');
}

/**
 * Where a model digest may be remembered: keyed by the files' paths, sizes, mtimes and inodes, so
 * a resumed run does not re-read a 13 GB checkpoint to hash it. (The queue keeps this memo in Redis.)
 */
export interface DigestMemo {
  get(statKey: string): Promise<string | undefined>;
  set(statKey: string, digest: string): Promise<void>;
}

/** sha256 over (name, size, sha256 of content) of every file of the model, in name order. */
export async function modelDigest(pathOrDir: string, memo?: DigestMemo): Promise<string> {
  const files = await modelFiles(pathOrDir);
  const statKey = sha256Hex(canonicalJson(files.map((f) => [f.path, f.size, f.mtimeMs, f.ino])));
  const known = await memo?.get(statKey);
  if (known && /^[0-9a-f]{64}$/.test(known)) return known;
  const parts: [string, number, string][] = [];
  for (const f of files) parts.push([f.name, f.size, await fileSha256(f.path)]);
  const digest = sha256Hex(canonicalJson(parts));
  await memo?.set(statKey, digest);
  return digest;
}
