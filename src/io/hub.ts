import { createHash, type Hash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readFile, rename, rm, stat, symlink, writeFile, copyFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import cliProgress from 'cli-progress';
import { BadFileError, BadOptionError, NetworkError } from '../errors.js';
import { q } from './source-base.js';

/**
 * Hugging Face hub download into the cache layout huggingface_hub uses (file_download.py):
 *   $HF_HOME/hub/models--{org}--{name}/blobs/{etag}          the file, named by its hash
 *   $HF_HOME/hub/models--{org}--{name}/snapshots/{commit}/f   symlink to ../../blobs/{etag}
 *   $HF_HOME/hub/models--{org}--{name}/refs/{revision}        the commit the revision points to
 * so a model fetched by genbound is reused by transformers and the other way round.
 * Environment: HF_HOME (default ~/.cache/huggingface), HF_ENDPOINT (default
 * https://huggingface.co), HF_TOKEN (sent as "Authorization: Bearer"), HF_HUB_OFFLINE=1 (cache only).
 * Files: config.json, then the weights (safetensors preferred: model.safetensors.index.json and
 * its shards, or model.safetensors; else pytorch_model.bin(.index.json); else one .gguf).
 * Each file is checked against the hub's ETag: X-Linked-Etag is the sha256 of an LFS file, a
 * 40-hex ETag is the git blob sha1 of a small file. Partial downloads (`.incomplete`) resume
 * with an HTTP Range request, also automatically after a dropped connection (3 attempts).
 */

export interface HubOptions {
  revision?: string;
  cacheHome?: string;
  endpoint?: string;
  token?: string;
  /** true forces progress on stderr, false silences it; default: only when stderr is a TTY. */
  progress?: boolean;
}

interface Ctx {
  id: string;
  endpoint: string;
  token?: string;
  repoDir: string;
  progress: boolean;
}

const ATTEMPTS = 3;
const STALL_MS = 60_000;

function headers(ctx: Ctx, extra: Record<string, string> = {}): Record<string, string> {
  return { 'user-agent': 'genbound/0.1', ...(ctx.token ? { authorization: `Bearer ${ctx.token}` } : {}), ...extra };
}

function httpError(ctx: Ctx, status: number, what: string): NetworkError {
  if (status === 401 || status === 403) {
    return new NetworkError(`${ctx.id}: access denied to ${what} (HTTP ${status}); for a gated or private model set HF_TOKEN to a token that may read it`);
  }
  if (status === 404) return new NetworkError(`${ctx.id}: ${what} not found on ${ctx.endpoint} (HTTP 404); check the model id and revision`);
  return new NetworkError(`${ctx.id}: ${what} failed with HTTP ${status}`);
}

async function request(ctx: Ctx, url: string, init: RequestInit, what: string): Promise<Response> {
  try {
    return await fetch(url, { ...init, headers: headers(ctx, (init.headers as Record<string, string>) ?? {}) });
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    throw new NetworkError(`${ctx.id}: cannot reach ${ctx.endpoint} for ${what} (${cause?.code ?? cause?.message ?? String(err)})`);
  }
}

interface RepoInfo {
  sha: string;
  files: string[];
}

async function repoInfo(ctx: Ctx, revision: string): Promise<RepoInfo> {
  const url = `${ctx.endpoint}/api/models/${ctx.id}${revision === 'main' ? '' : `/revision/${encodeURIComponent(revision)}`}`;
  const res = await request(ctx, url, { signal: AbortSignal.timeout(STALL_MS) }, 'the model listing');
  if (!res.ok) throw httpError(ctx, res.status, 'the model listing');
  let json: unknown;
  try {
    json = await res.json();
  } catch {
    throw new NetworkError(`${ctx.id}: the hub's model listing is not JSON`);
  }
  const j = json as { sha?: unknown; siblings?: unknown };
  if (!Array.isArray(j.siblings)) throw new NetworkError(`${ctx.id}: the hub's model listing has no file list`);
  const files = j.siblings.map((s: { rfilename?: unknown }) => s?.rfilename).filter((f): f is string => typeof f === 'string');
  return { sha: typeof j.sha === 'string' && /^[0-9a-f]{40}$/.test(j.sha) ? j.sha : revision, files };
}

/** The weights to fetch (before shards are known), in order of preference. */
export function chooseWeights(files: readonly string[]): string | undefined {
  const has = (f: string): boolean => files.includes(f);
  for (const f of ['model.safetensors.index.json', 'model.safetensors', 'pytorch_model.bin.index.json', 'pytorch_model.bin']) if (has(f)) return f;
  const gguf = files.filter((f) => f.endsWith('.gguf') && !f.includes('/'));
  return gguf.length === 1 ? gguf[0] : undefined;
}

/** Hash named by an ETag: sha256 (64 hex, LFS) or git blob sha1 (40 hex); undefined if unknown. */
function expectedHash(etag: string | null): { algo: 'sha256' | 'git-sha1'; hex: string } | undefined {
  const e = (etag ?? '').replace(/^W\//, '').replace(/"/g, '');
  if (/^[0-9a-f]{64}$/.test(e)) return { algo: 'sha256', hex: e };
  if (/^[0-9a-f]{40}$/.test(e)) return { algo: 'git-sha1', hex: e };
  return undefined;
}

function newHash(algo: 'sha256' | 'git-sha1', size: number): Hash {
  const h = createHash(algo === 'sha256' ? 'sha256' : 'sha1');
  if (algo === 'git-sha1') h.update(`blob ${size}\0`);
  return h;
}

async function hashFile(path: string, h: Hash): Promise<void> {
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
}

async function exists(p: string): Promise<boolean> {
  return stat(p).then(
    () => true,
    () => false,
  );
}

/** Downloads one file into blobs/ and links it into the snapshot; returns the snapshot path. */
async function fetchFile(ctx: Ctx, commit: string, file: string, snapshot: string): Promise<string> {
  const target = join(snapshot, file);
  if (await exists(target)) return target;
  const url = `${ctx.endpoint}/${ctx.id}/resolve/${encodeURIComponent(commit)}/${file.split('/').map(encodeURIComponent).join('/')}`;
  const head = await request(ctx, url, { method: 'HEAD', redirect: 'manual', signal: AbortSignal.timeout(STALL_MS) }, file);
  if (head.status >= 400) throw httpError(ctx, head.status, file);
  const etag = head.headers.get('x-linked-etag') ?? head.headers.get('etag');
  const sizeHeader = head.headers.get('x-linked-size') ?? (head.status < 300 ? head.headers.get('content-length') : null);
  const size = sizeHeader !== null && /^\d+$/.test(sizeHeader) ? Number(sizeHeader) : undefined;
  const want = expectedHash(etag);
  const blobName = want?.hex ?? `${commit}-${file.replace(/[^A-Za-z0-9._-]/g, '_')}`;
  const blob = join(ctx.repoDir, 'blobs', blobName);
  await mkdir(dirname(blob), { recursive: true });
  if (!(await exists(blob))) await download(ctx, url, file, blob, size, want);
  await mkdir(dirname(target), { recursive: true });
  try {
    await symlink(relative(dirname(target), blob), target);
  } catch {
    await copyFile(blob, target); // file systems without symlinks
  }
  return target;
}

async function download(ctx: Ctx, url: string, file: string, blob: string, size: number | undefined, want: ReturnType<typeof expectedHash>): Promise<void> {
  const part = `${blob}.incomplete`;
  let lastErr: unknown;
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    let have = (await stat(part).catch(() => undefined))?.size ?? 0;
    if (size !== undefined && have > size) {
      await rm(part, { force: true });
      have = 0;
    }
    if (size === 0 && have === 0) await writeFile(part, new Uint8Array());
    if (size === undefined || have < size) {
      const res = await request(ctx, url, { headers: have > 0 ? { range: `bytes=${have}-` } : {} }, file);
      if (!res.ok) throw httpError(ctx, res.status, file);
      const resumed = res.status === 206;
      if (!resumed) have = 0;
      try {
        have = await receive(res, part, resumed, have, size, ctx.progress ? file : undefined);
      } catch (err) {
        lastErr = err;
        continue; // keep the .incomplete file and resume from where it stopped
      }
    }
    if (size !== undefined && have !== size) {
      lastErr = new Error(`got ${have} of ${size} bytes`);
      continue;
    }
    if (want) {
      const h = newHash(want.algo, have);
      await hashFile(part, h);
      const got = h.digest('hex');
      if (got !== want.hex) {
        await rm(part, { force: true });
        throw new BadFileError(blob, `downloaded ${file} does not match the hub's checksum (${want.algo} ${want.hex}, got ${got}); the partial file was removed, run again`);
      }
    }
    await rename(part, blob);
    return;
  }
  const msg = lastErr instanceof Error ? ((lastErr as { cause?: { code?: string } }).cause?.code ?? lastErr.message) : String(lastErr);
  throw new NetworkError(`${ctx.id}: download of ${file} was interrupted ${ATTEMPTS} times (${msg}); run again to resume`);
}

/** Streams a response body into `part` (appending when resumed); returns the bytes now held. */
async function receive(res: Response, part: string, append: boolean, have: number, size: number | undefined, label?: string): Promise<number> {
  const total = size ?? have + Number(res.headers.get('content-length') ?? NaN);
  const bar = label
    ? new cliProgress.SingleBar(
        { stream: process.stderr, noTTYOutput: !process.stderr.isTTY, format: `${label} [{bar}] {percentage}% {value}/{total} bytes`, hideCursor: false },
        cliProgress.Presets.shades_classic,
      )
    : undefined;
  bar?.start(Number.isFinite(total) ? total : 0, have);
  const out = createWriteStream(part, { flags: append ? 'a' : 'w' });
  const closed = new Promise<void>((resolve, reject) => {
    out.on('error', reject);
    out.on('close', resolve);
  });
  let stall: NodeJS.Timeout | undefined;
  try {
    if (!res.body) return have;
    const reader = res.body.getReader();
    for (;;) {
      const timer = new Promise<never>((_, reject) => {
        stall = setTimeout(() => reject(new Error(`no data for ${STALL_MS / 1000} s`)), STALL_MS);
      });
      const { done, value } = await Promise.race([reader.read(), timer]);
      clearTimeout(stall);
      if (done) break;
      if (!out.write(value)) await new Promise<void>((r) => out.once('drain', () => r()));
      have += value.byteLength;
      bar?.update(have);
    }
    return have;
  } finally {
    clearTimeout(stall);
    bar?.stop();
    out.end();
    await closed;
  }
}

/** Shard files named by a downloaded `*.index.json`. */
async function shardsOf(indexPath: string): Promise<string[]> {
  try {
    const j = JSON.parse(await readFile(indexPath, 'utf8')) as { weight_map?: Record<string, unknown> };
    const files = [...new Set(Object.values(j.weight_map ?? {}))];
    if (files.length === 0 || !files.every((f) => typeof f === 'string' && !f.includes('..') && !f.startsWith('/'))) throw new Error('bad weight_map');
    return files as string[];
  } catch (err) {
    throw new BadFileError(indexPath, `not a valid shard index (${err instanceof Error ? err.message : String(err)})`);
  }
}

/** The cache folder that holds `hub/` (HF_HOME, default ~/.cache/huggingface). */
export function cacheHome(opts: HubOptions = {}): string {
  return opts.cacheHome ?? process.env.HF_HOME ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'huggingface');
}

/**
 * Downloads config.json and the weights of a hub model (`org/name` or `org/name@revision`) into
 * the cache, or reuses them, and returns the snapshot folder.
 */
export async function downloadModel(idWithRev: string, opts: HubOptions = {}): Promise<string> {
  const at = idWithRev.indexOf('@');
  const id = at < 0 ? idWithRev : idWithRev.slice(0, at);
  const revision = opts.revision ?? (at < 0 ? 'main' : idWithRev.slice(at + 1));
  if (!/^[\w.-]+\/[\w.-]+$/.test(id) || id.includes('..')) throw new BadOptionError(`${q(id)} is not a hub model id (org/name)`);
  const endpoint = (opts.endpoint ?? process.env.HF_ENDPOINT ?? 'https://huggingface.co').replace(/\/+$/, '');
  const repoDir = join(cacheHome(opts), 'hub', `models--${id.replace('/', '--')}`);
  const ctx: Ctx = {
    id,
    endpoint,
    token: opts.token ?? (process.env.HF_TOKEN || undefined),
    repoDir,
    progress: opts.progress ?? process.stderr.isTTY === true,
  };
  const refFile = join(repoDir, 'refs', revision.replace(/[^A-Za-z0-9._-]/g, '_'));
  const cached = async (): Promise<string | undefined> => {
    const commit = (await readFile(refFile, 'utf8').catch(() => '')).trim() || revision;
    const snap = join(repoDir, 'snapshots', commit);
    return (await exists(snap)) ? snap : undefined;
  };
  if (process.env.HF_HUB_OFFLINE === '1') {
    const snap = await cached();
    if (!snap) throw new NetworkError(`${id}: not in the cache ${repoDir} and HF_HUB_OFFLINE=1`);
    return snap;
  }
  let info: RepoInfo;
  try {
    info = await repoInfo(ctx, revision);
  } catch (err) {
    // Hub unreachable (not an HTTP answer): a snapshot downloaded earlier is used, as
    // huggingface_hub does.
    const snap = err instanceof NetworkError && err.message.includes('cannot reach') ? await cached() : undefined;
    if (!snap) throw err;
    if (ctx.progress) process.stderr.write(`genbound: ${ctx.endpoint} unreachable, using the cached snapshot ${snap}\n`);
    return snap;
  }
  const snapshot = join(repoDir, 'snapshots', info.sha);
  const weights = chooseWeights(info.files);
  if (!weights) throw new NetworkError(`${id}: the repository has no safetensors, pytorch_model.bin or single .gguf weights`);
  if (info.files.includes('config.json')) await fetchFile(ctx, info.sha, 'config.json', snapshot);
  const w = await fetchFile(ctx, info.sha, weights, snapshot);
  if (weights.endsWith('.index.json')) for (const shard of await shardsOf(w)) await fetchFile(ctx, info.sha, shard, snapshot);
  await mkdir(dirname(refFile), { recursive: true });
  await writeFile(refFile, info.sha);
  return snapshot;
}
