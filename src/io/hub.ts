import { copyFile, mkdir, readFile, realpath, rename, rm, symlink } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { BadFileError, BadOptionError, NetworkError } from '../errors.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { q } from './source-base.js';
import { exists, fetchBlob, HttpStatusError, type Expected } from './hub/download.js';
import { hubRequest } from './hub/http.js';
import { checkRevision, hubTimeouts, isCommit, seconds, MAX_LISTING_BYTES, MAX_SHARDS, safeRepoPath, type HubTimeouts } from './hub/settings.js';

/**
 * Hugging Face hub download into the cache layout huggingface_hub uses (file_download.py):
 *   $HF_HOME/hub/models--{org}--{name}/blobs/{etag}          the file, named by its hash
 *   $HF_HOME/hub/models--{org}--{name}/snapshots/{commit}/f   symlink to ../../blobs/{etag}
 *   $HF_HOME/hub/models--{org}--{name}/refs/{revision}        the commit the revision points to
 * so a model fetched by genbound is reused by transformers and the other way round.
 * Environment: HF_HOME (default ~/.cache/huggingface), HF_ENDPOINT (default
 * https://huggingface.co), HF_TOKEN (sent as "Authorization: Bearer", to the hub's origin only),
 * HF_HUB_OFFLINE=1 (cache only), and the timeouts of hub/settings.ts (HF_HUB_ETAG_TIMEOUT,
 * HF_HUB_DOWNLOAD_TIMEOUT, GENBOUND_HUB_STALL_TIMEOUT, GENBOUND_HUB_DEADLINE).
 * Files: config.json, then the weights (safetensors preferred: model.safetensors.index.json and
 * its shards, or model.safetensors; else pytorch_model.bin(.index.json); else one .gguf).
 * Each file's size and sha256 come from the listing (`?blobs=true`) and the HEAD answer
 * (X-Linked-Size, X-Linked-Etag; a 40-hex ETag is the git blob sha1 of a small file); where both
 * say something they must agree. hub/download.ts streams, verifies and installs it under a lock.
 */

export interface HubOptions {
  revision?: string;
  cacheHome?: string;
  endpoint?: string;
  token?: string;
  /** true forces progress on stderr, false silences it; default: only when stderr is a TTY. */
  progress?: boolean;
  /** Overrides the timeouts (milliseconds) otherwise taken from the environment. */
  timeouts?: Partial<HubTimeouts>;
}

interface Ctx {
  id: string;
  endpoint: string;
  auth?: string;
  repoDir: string;
  lockDir: string;
  progress: boolean;
  timeouts: HubTimeouts;
}

const HEADERS = { 'user-agent': 'genbound/0.1' };
const MAX_SIBLINGS = 100_000;

interface Listed {
  size?: number;
  sha256?: string;
}

interface RepoInfo {
  sha: string;
  files: Map<string, Listed>;
}

const hex64 = (s: unknown): string | undefined => (typeof s === 'string' && /^[0-9a-f]{64}$/.test(s) ? s : undefined);
const count = (s: unknown): number | undefined => (typeof s === 'number' && Number.isSafeInteger(s) && s >= 0 ? s : undefined);

/** GETs a small JSON document (the listing), capped at `cap` bytes, within the etag timeouts. */
async function getJson(ctx: Ctx, url: string, what: string, cap: number): Promise<unknown> {
  const r = await hubRequest({ method: 'GET', url, id: ctx.id, what, auth: ctx.auth, headers: { ...HEADERS, accept: 'application/json' }, timeoutMs: ctx.timeouts.etagMs, timeoutVar: 'HF_HUB_ETAG_TIMEOUT' });
  if (r.status !== 200) {
    r.res.destroy();
    throw new HttpStatusError(ctx.id, ctx.endpoint, r.status, what);
  }
  const chunks: Buffer[] = [];
  let n = 0;
  // No declared size to hold a stall window against: the whole listing gets two stall windows.
  const within = Math.min(ctx.timeouts.deadlineMs, 2 * ctx.timeouts.stallMs);
  const late = setTimeout(() => r.res.destroy(new NetworkError(`${ctx.id}: ${what} did not arrive within ${seconds(within)} (2 × GENBOUND_HUB_STALL_TIMEOUT)`)), within);
  try {
    for await (const c of r.res) {
      n += (c as Buffer).byteLength;
      if (n > cap) throw new NetworkError(`${ctx.id}: ${what} is larger than ${cap} bytes; refused`);
      chunks.push(c as Buffer);
    }
  } catch (err) {
    r.res.destroy();
    if (err instanceof NetworkError) throw err;
    throw new NetworkError(`${ctx.id}: ${what}: the connection broke (${(err as { code?: string }).code ?? (err as Error).message})`);
  } finally {
    clearTimeout(late);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    throw new NetworkError(`${ctx.id}: ${what} is not JSON`);
  }
}

async function repoInfo(ctx: Ctx, revision: string): Promise<RepoInfo> {
  const url = `${ctx.endpoint}/api/models/${ctx.id}${revision === 'main' ? '' : `/revision/${encodeURIComponent(revision)}`}?blobs=true`;
  const j = (await getJson(ctx, url, 'the model listing', MAX_LISTING_BYTES)) as { sha?: unknown; siblings?: unknown } | null;
  if (typeof j !== 'object' || j === null || !Array.isArray(j.siblings)) throw new NetworkError(`${ctx.id}: the hub's model listing has no file list`);
  if (typeof j.sha !== 'string' || !isCommit(j.sha)) throw new NetworkError(`${ctx.id}: the hub's model listing names no commit (sha)`);
  if (isCommit(revision) && j.sha !== revision) throw new NetworkError(`${ctx.id}: asked for commit ${revision}, the hub listed ${j.sha}`);
  if (j.siblings.length > MAX_SIBLINGS) throw new NetworkError(`${ctx.id}: the model listing names more than ${MAX_SIBLINGS} files; refused`);
  const files = new Map<string, Listed>();
  for (const s of j.siblings as unknown[]) {
    const o = (typeof s === 'object' && s !== null ? s : {}) as { rfilename?: unknown; size?: unknown; lfs?: { sha256?: unknown; size?: unknown } | null };
    const name = safeRepoPath(o.rfilename);
    if (name) files.set(name, { size: count(o.lfs?.size) ?? count(o.size), sha256: hex64(o.lfs?.sha256) });
  }
  return { sha: j.sha, files };
}

/** The weights to fetch (before shards are known), in order of preference. */
export function chooseWeights(files: readonly string[]): string | undefined {
  const has = (f: string): boolean => files.includes(f);
  for (const f of ['model.safetensors.index.json', 'model.safetensors', 'pytorch_model.bin.index.json', 'pytorch_model.bin']) if (has(f)) return f;
  const gguf = files.filter((f) => f.endsWith('.gguf') && !f.includes('/'));
  return gguf.length === 1 ? gguf[0] : undefined;
}

/** What the hub declares about one file: HEAD (not following a redirect to the CDN) and the listing, which must agree. */
async function declared(ctx: Ctx, commit: string, file: string, url: string, listed: Listed | undefined): Promise<Expected> {
  const head = await hubRequest({
    method: 'HEAD', url, id: ctx.id, what: file, auth: ctx.auth, stopAtCrossOrigin: true,
    headers: { ...HEADERS, 'accept-encoding': 'identity' }, timeoutMs: ctx.timeouts.etagMs, timeoutVar: 'HF_HUB_ETAG_TIMEOUT',
  });
  head.res.resume();
  if (head.status >= 400 || head.status < 200) throw new HttpStatusError(ctx.id, ctx.endpoint, head.status, file);
  const h = (k: string): string | undefined => {
    const v = head.headers[k];
    return typeof v === 'string' ? v.replace(/^W\//, '').replace(/"/g, '').trim() : undefined;
  };
  const repoCommit = h('x-repo-commit');
  if (repoCommit !== undefined && repoCommit !== commit) throw new NetworkError(`${ctx.id}: ${file}: the hub answered for commit ${q(repoCommit.slice(0, 40))}, not ${commit}`);
  const linked = h('x-linked-etag');
  const etag = h('etag');
  const sizeText = h('x-linked-size') ?? (head.status < 300 ? h('content-length') : undefined);
  const headSize = sizeText !== undefined && /^\d{1,15}$/.test(sizeText) ? Number(sizeText) : undefined;
  const headSha = hex64(linked) ?? (linked === undefined ? hex64(etag) : undefined);
  const gitSha1 = linked === undefined && etag !== undefined && /^[0-9a-f]{40}$/.test(etag) ? etag : undefined;
  if (headSize !== undefined && listed?.size !== undefined && headSize !== listed.size) {
    throw new NetworkError(`${ctx.id}: ${file}: the listing declares ${listed.size} bytes, the file's headers ${headSize}; refused`);
  }
  if (headSha && listed?.sha256 && headSha !== listed.sha256) throw new NetworkError(`${ctx.id}: ${file}: the listing and the file's headers declare different sha256; refused`);
  const size = headSize ?? listed?.size;
  if (size === undefined) throw new NetworkError(`${ctx.id}: ${file}: the hub declares no size for it; refused (nothing to check the download against)`);
  return { size, sha256: headSha ?? listed?.sha256, gitSha1: (headSha ?? listed?.sha256) ? undefined : gitSha1 };
}

/** Links `target` to `blob` (or copies it where symlinks fail), tolerating a concurrent link. */
async function linkInto(blob: string, target: string): Promise<void> {
  await mkdir(dirname(target), { recursive: true });
  try {
    await symlink(relative(dirname(target), blob), target);
    return;
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'EEXIST' && (await realpath(target).catch(() => '')) === (await realpath(blob))) return;
    if (code === 'EEXIST') await rm(target, { force: true });
    else {
      const tmp = `${target}.${process.pid}.tmp`;
      await copyFile(blob, tmp); // file systems without symlinks
      await rename(tmp, target);
      return;
    }
  }
  await symlink(relative(dirname(target), blob), target);
}

/** Downloads one file into blobs/ and links it into the snapshot; returns the snapshot path. */
async function fetchFile(ctx: Ctx, commit: string, file: string, snapshot: string, listed: Listed | undefined): Promise<string> {
  const target = join(snapshot, file);
  if (await exists(target)) return target;
  const url = `${ctx.endpoint}/${ctx.id}/resolve/${commit}/${file.split('/').map(encodeURIComponent).join('/')}`;
  const expect = await declared(ctx, commit, file, url, listed);
  const blobName = expect.sha256 ?? expect.gitSha1 ?? `${commit}-${file.replace(/[^A-Za-z0-9._-]/g, '_')}`;
  const blob = join(ctx.repoDir, 'blobs', blobName);
  await mkdir(dirname(blob), { recursive: true });
  await fetchBlob({
    id: ctx.id, file, url, blob, expect, auth: ctx.auth, headers: HEADERS, timeouts: ctx.timeouts, progress: ctx.progress,
    lockPath: join(ctx.lockDir, `${blobName}.genbound.lock`),
  });
  await linkInto(blob, target);
  return target;
}

/** Shard files named by a downloaded `*.index.json`; each must be a safe path the listing has. */
async function shardsOf(indexPath: string, listed: ReadonlyMap<string, Listed>): Promise<string[]> {
  let names: unknown[];
  try {
    const j = JSON.parse(await readFile(indexPath, 'utf8')) as { weight_map?: unknown } | null;
    const map = j?.weight_map;
    if (typeof map !== 'object' || map === null || Array.isArray(map)) throw new Error('no weight_map object');
    names = [...new Set(Object.values(map))];
  } catch (err) {
    throw new BadFileError(indexPath, `not a valid shard index (${err instanceof Error ? err.message.slice(0, 120) : 'unreadable'})`);
  }
  if (names.length === 0 || names.length > MAX_SHARDS) throw new BadFileError(indexPath, `names ${names.length} shard files (1 to ${MAX_SHARDS} expected)`);
  return names.map((n) => {
    const f = safeRepoPath(n);
    if (!f) throw new BadFileError(indexPath, `names the shard ${q(String(n))}, which is not a safe relative path`);
    if (listed.size > 0 && !listed.has(f)) throw new BadFileError(indexPath, `names the shard ${q(f)}, which the repository does not list`);
    return f;
  });
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
  const revision = checkRevision(opts.revision ?? (at < 0 ? 'main' : idWithRev.slice(at + 1)));
  if (!/^[\w.-]+\/[\w.-]+$/.test(id) || id.includes('..')) throw new BadOptionError(`${q(id)} is not a hub model id (org/name)`);
  const endpoint = (opts.endpoint ?? process.env.HF_ENDPOINT ?? 'https://huggingface.co').replace(/\/+$/, '');
  const repoName = `models--${id.replace('/', '--')}`;
  const token = opts.token ?? (process.env.HF_TOKEN || undefined);
  const ctx: Ctx = {
    id,
    endpoint,
    auth: token ? `Bearer ${token}` : undefined,
    repoDir: join(cacheHome(opts), 'hub', repoName),
    lockDir: join(cacheHome(opts), 'hub', '.locks', repoName),
    progress: opts.progress ?? process.stderr.isTTY === true,
    timeouts: hubTimeouts(opts.timeouts),
  };
  const refFile = join(ctx.repoDir, 'refs', revision);
  const cached = async (): Promise<string | undefined> => {
    const ref = (await readFile(refFile, 'utf8').catch(() => '')).trim();
    const commit = isCommit(revision) ? revision : isCommit(ref) ? ref : undefined;
    const snap = commit && join(ctx.repoDir, 'snapshots', commit);
    return snap && (await exists(snap)) ? snap : undefined;
  };
  if (process.env.HF_HUB_OFFLINE === '1') {
    const snap = await cached();
    if (!snap) throw new NetworkError(`${id}: not in the cache ${ctx.repoDir} and HF_HUB_OFFLINE=1`);
    return snap;
  }
  let info: RepoInfo;
  try {
    info = await repoInfo(ctx, revision);
  } catch (err) {
    // Hub unreachable or timing out (not an HTTP answer): a snapshot downloaded earlier is used,
    // as huggingface_hub does.
    const snap = err instanceof NetworkError && !(err instanceof HttpStatusError) ? await cached() : undefined;
    if (!snap) throw err;
    if (ctx.progress) process.stderr.write(`genbound: ${ctx.endpoint} unreachable, using the cached snapshot ${snap}\n`);
    return snap;
  }
  const snapshot = join(ctx.repoDir, 'snapshots', info.sha);
  const names = [...info.files.keys()];
  const weights = chooseWeights(names);
  if (!weights) throw new NetworkError(`${id}: the repository has no safetensors, pytorch_model.bin or single .gguf weights`);
  if (info.files.has('config.json')) await fetchFile(ctx, info.sha, 'config.json', snapshot, info.files.get('config.json'));
  const w = await fetchFile(ctx, info.sha, weights, snapshot, info.files.get(weights));
  if (weights.endsWith('.index.json')) {
    for (const shard of await shardsOf(w, info.files)) await fetchFile(ctx, info.sha, shard, snapshot, info.files.get(shard));
  }
  if (!isCommit(revision)) writeFileAtomic(refFile, info.sha);
  return snapshot;
}
