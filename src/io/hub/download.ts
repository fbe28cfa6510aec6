import { createHash, type Hash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { rename, rm, stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import cliProgress from 'cli-progress';
import { BadFileError, GenboundError, NetworkError } from '../../errors.js';
import { q } from '../source-base.js';
import { decodedBody, hubRequest, type HubResponse } from './http.js';
import { acquireLock } from './lock.js';
import { ATTEMPTS, seconds, STALL_MIN_BYTES, type HubTimeouts } from './settings.js';

/**
 * One file of the hub into one blob of the cache, verified before it becomes the blob:
 * 1. take the blob's lock (lock.ts); if the blob appears while waiting, reuse it;
 * 2. stream into `<blob>.incomplete` (resumed with `Range: bytes=N-` when it exists), never
 *    beyond the declared size (decoded bytes: a gzip body is counted after decoding); a 206 must
 *    carry exactly `Content-Range: bytes N-(size-1)/size`;
 * 3. check the size and the sha256 (LFS) or git blob sha1 (small files) the hub declared;
 * 4. only then rename `.incomplete` to the blob. A mismatch deletes the partial file.
 * Connect/read timeouts come from http.ts; here: the stall window and the per-file deadline.
 */

export interface Expected {
  /** Declared size in bytes (listing or HEAD): the cap of the stream and the size check. */
  size: number;
  sha256?: string;
  gitSha1?: string;
}

export interface BlobJob {
  id: string;
  file: string;
  url: string;
  blob: string;
  lockPath: string;
  expect: Expected;
  headers: Record<string, string>;
  auth?: string;
  timeouts: HubTimeouts;
  progress: boolean;
}

/** A failure worth another attempt (dropped connection, stall, read timeout, 5xx, bad range). */
class Retry extends Error {
  constructor(readonly reason: NetworkError) {
    super(reason.message);
  }
}

/** An HTTP status answer (the hub said no), as opposed to not reaching it. */
export class HttpStatusError extends NetworkError {
  constructor(id: string, endpoint: string, status: number, what: string) {
    super(
      status === 401 || status === 403
        ? `${id}: access denied to ${what} (HTTP ${status}); for a gated or private model set HF_TOKEN to a token that may read it`
        : status === 404
          ? `${id}: ${what} not found on ${endpoint} (HTTP 404); check the model id and revision`
          : `${id}: ${what} failed with HTTP ${status}`,
    );
  }
}

async function sizeOf(p: string): Promise<number> {
  return (await stat(p).catch(() => undefined))?.size ?? 0;
}

export async function exists(p: string): Promise<boolean> {
  return stat(p).then(
    () => true,
    () => false,
  );
}

/** Downloads, verifies and installs one blob (see above); returns when the blob exists. */
export async function fetchBlob(job: BlobJob): Promise<void> {
  if (await exists(job.blob)) return;
  const deadline = Date.now() + job.timeouts.deadlineMs;
  const lock = await acquireLock(job.lockPath, { deadline, done: () => exists(job.blob), what: `${job.id}/${job.file}` });
  if (!lock) return; // another process installed it while we waited
  try {
    if (await exists(job.blob)) return;
    const part = `${job.blob}.incomplete`;
    let last: NetworkError | undefined;
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      let digest: string | undefined;
      try {
        digest = await fetchPart(job, part, deadline);
      } catch (err) {
        if (!(err instanceof Retry)) throw err;
        last = err.reason;
        continue;
      }
      await verify(job, part, digest);
      if (!(await lock.stillMine())) throw new NetworkError(`${job.id}: ${job.file}: another process took the download lock ${job.lockPath}; run again`);
      await rename(part, job.blob);
      return;
    }
    throw new NetworkError(`${last?.message ?? `${job.id}: ${job.file} failed`}; gave up after ${ATTEMPTS} attempts, run again to resume`);
  } finally {
    await lock.release();
  }
}

/** The Content-Range a 206 must carry for `bytes=from-` of a file of `size` bytes. */
export function expectedContentRange(from: number, size: number): string {
  return `bytes ${from}-${size - 1}/${size}`;
}

/**
 * One GET into `part`; returns when `part` holds the declared size (or throws), with the digest
 * of the whole part computed on the way (a resumed part's first bytes are hashed from the disk
 * first), or undefined when nothing was fetched.
 */
async function fetchPart(job: BlobJob, part: string, deadline: number): Promise<string | undefined> {
  const size = job.expect.size;
  let have = await sizeOf(part);
  if (have > size) {
    await rm(part, { force: true });
    have = 0;
  }
  if (have === size && size > 0) return undefined;
  if (Date.now() >= deadline) throw deadlineError(job);
  const range = have > 0 ? `bytes=${have}-` : undefined;
  let r: HubResponse;
  try {
    r = await hubRequest({
      method: 'GET', url: job.url, id: job.id, what: job.file, auth: job.auth,
      headers: { ...job.headers, 'accept-encoding': range ? 'identity' : 'gzip, identity', ...(range ? { range } : {}) },
      timeoutMs: job.timeouts.downloadMs, timeoutVar: 'HF_HUB_DOWNLOAD_TIMEOUT',
    });
  } catch (err) {
    if (err instanceof NetworkError && /cannot reach|sent nothing|connecting to/.test(err.message)) throw new Retry(err);
    throw err;
  }
  const status = r.status;
  const enc = String(r.headers['content-encoding'] ?? 'identity').toLowerCase();
  const fail = async (msg: string, retry: boolean, discard: boolean): Promise<never> => {
    r.res.destroy();
    if (discard) await rm(part, { force: true });
    const e = new NetworkError(`${job.id}: ${job.file}: ${msg}`);
    throw retry ? new Retry(e) : e;
  };
  if (status === 206) {
    const cr = String(r.headers['content-range'] ?? '');
    if (!range || cr !== expectedContentRange(have, size) || enc !== 'identity') {
      await fail(`asked for ${range ?? 'the whole file'}, the server answered 206 with Content-Range ${q(cr.slice(0, 80))}${enc !== 'identity' ? ` and Content-Encoding ${q(enc)}` : ''}; the partial file was discarded`, true, true);
    }
  } else if (status === 200) {
    have = 0; // the server ignored the Range: start over
  } else if (status === 416) {
    await fail(`the server refused the range ${range ?? ''} (HTTP 416); the partial file was discarded`, true, true);
  } else {
    r.res.destroy();
    if (status >= 500) throw new Retry(new HttpStatusError(job.id, r.url.origin, status, job.file));
    throw new HttpStatusError(job.id, r.url.origin, status, job.file);
  }
  const length = r.headers['content-length'];
  if (enc === 'identity' && length !== undefined && Number(length) !== size - have) {
    await fail(`the server sends ${q(String(length).slice(0, 20))} bytes where the hub declared ${size - have}; refused`, false, false);
  }
  const body = decodedBody(r);
  if (!body) return fail(`the server sent Content-Encoding ${q(enc.slice(0, 40))}, which genbound does not decode`, false, false);
  const hash = newHash(job.expect, size);
  if (hash && have > 0) for await (const chunk of createReadStream(part, { end: have - 1 })) hash.update(chunk as Buffer);
  have = await receive(job, body, part, status === 206, have, deadline, hash);
  if (have < size) throw new Retry(new NetworkError(`${job.id}: ${job.file}: the connection closed after ${have} of ${size} bytes`));
  return hash?.digest('hex');
}

function deadlineError(job: BlobJob): NetworkError {
  return new NetworkError(`${job.id}: ${job.file} did not finish within ${seconds(job.timeouts.deadlineMs)} (GENBOUND_HUB_DEADLINE); run again to resume`);
}

/** Streams `body` into `part`, capped at the declared size; returns the bytes `part` now holds. */
async function receive(job: BlobJob, body: Readable, part: string, append: boolean, have: number, deadline: number, hash: Hash | undefined): Promise<number> {
  const size = job.expect.size;
  const bar = job.progress
    ? new cliProgress.SingleBar(
        { stream: process.stderr, noTTYOutput: !process.stderr.isTTY, format: `${job.file} [{bar}] {percentage}% {value}/{total} bytes`, hideCursor: false },
        cliProgress.Presets.shades_classic,
      )
    : undefined;
  bar?.start(size, have);
  const out = createWriteStream(part, { flags: append ? 'a' : 'w' });
  const closed = new Promise<void>((resolve, reject) => {
    out.on('error', reject);
    out.on('close', resolve);
  });
  const overDeadline = deadlineError(job);
  let windowStart = have;
  const stall = setInterval(() => {
    const need = Math.min(STALL_MIN_BYTES, size - windowStart);
    if (have - windowStart < need) {
      body.destroy(new NetworkError(`${job.id}: ${job.file} stalled: ${have - windowStart} bytes in ${seconds(job.timeouts.stallMs)} (at least ${need} needed; GENBOUND_HUB_STALL_TIMEOUT)`));
    }
    windowStart = have;
  }, job.timeouts.stallMs);
  let refused: NetworkError | undefined;
  const late = setTimeout(() => body.destroy(overDeadline), Math.max(0, deadline - Date.now()));
  try {
    for await (const chunk of body) {
      const c = chunk as Buffer;
      if (have + c.byteLength > size) {
        body.destroy();
        // The partial file is removed in `finally`, after the write stream has closed: removed
        // here, a stream whose (asynchronous) open had not completed yet would create it again.
        refused = new NetworkError(`${job.id}: ${job.file}: the server sent more than the declared ${size} bytes (counted after decoding); refused and discarded`);
        throw refused;
      }
      hash?.update(c);
      if (!out.write(c)) await new Promise<void>((r) => out.once('drain', () => r()));
      have += c.byteLength;
      bar?.update(have);
    }
    return have;
  } catch (err) {
    if (err === overDeadline || err === refused) throw err;
    if (err instanceof NetworkError) throw new Retry(err); // stall, read timeout
    if (err instanceof GenboundError) throw err;
    const code = (err as { code?: string }).code ?? (err as Error).message;
    throw new Retry(new NetworkError(`${job.id}: ${job.file}: the connection broke after ${have} of ${size} bytes (${code})`));
  } finally {
    clearInterval(stall);
    clearTimeout(late);
    bar?.stop();
    out.end();
    await closed;
    if (refused) await rm(part, { force: true }).catch(() => undefined);
  }
}

/** The hash the hub declared for this file (sha256, else git blob sha1), started; undefined if none. */
function newHash(expect: Expected, size: number): Hash | undefined {
  if (expect.sha256) return createHash('sha256');
  if (!expect.gitSha1) return undefined;
  return createHash('sha1').update(`blob ${size}\0`);
}

/**
 * Size, then sha256 or git blob sha1, of the finished `part` (`digest` when fetchPart computed it
 * on the way, else read back from the disk); deletes it and throws on a mismatch.
 */
async function verify(job: BlobJob, part: string, digest: string | undefined): Promise<void> {
  const { size, sha256, gitSha1 } = job.expect;
  const got = await sizeOf(part);
  if (got !== size) {
    await rm(part, { force: true });
    throw new BadFileError(job.blob, `downloaded ${job.file} has ${got} bytes, the hub declared ${size}; the partial file was removed, run again`);
  }
  const want = sha256 ?? gitSha1;
  const h = digest === undefined ? newHash(job.expect, size) : undefined;
  if (want === undefined) return;
  if (h) for await (const chunk of createReadStream(part)) h.update(chunk as Buffer);
  const hex = digest ?? h?.digest('hex');
  if (hex !== want) {
    await rm(part, { force: true });
    throw new BadFileError(job.blob, `downloaded ${job.file} does not match the hub's checksum (${sha256 ? 'sha256' : 'git-sha1'} ${want}, got ${hex}); the partial file was removed, run again`);
  }
}
