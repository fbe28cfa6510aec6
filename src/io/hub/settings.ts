import { BadOptionError } from '../../errors.js';

/**
 * The hub client's limits: timeouts (with the environment variables that change them), the
 * redirect bound, and the checks on names that end up in cache paths (revisions, file names).
 */

/** Timeouts of the hub client, in milliseconds. */
export interface HubTimeouts {
  /**
   * Metadata requests (listing, HEAD): connect timeout and read timeout (no byte for this long).
   * HF_HUB_ETAG_TIMEOUT seconds, default 10 (huggingface_hub's DEFAULT_ETAG_TIMEOUT).
   */
  etagMs: number;
  /**
   * File downloads: connect timeout and read timeout (no byte for this long).
   * HF_HUB_DOWNLOAD_TIMEOUT seconds, default 10 (huggingface_hub's DEFAULT_DOWNLOAD_TIMEOUT).
   */
  downloadMs: number;
  /**
   * Stall window: a body must bring at least STALL_MIN_BYTES (or the rest of the file) in every
   * window this long, so a server trickling one byte every few seconds cannot hold a download open.
   * GENBOUND_HUB_STALL_TIMEOUT seconds, default 60.
   */
  stallMs: number;
  /**
   * Overall deadline per file, resumes and waiting for another process's lock included.
   * GENBOUND_HUB_DEADLINE seconds, default 21600 (6 h: a 20 GB shard at 1 MB/s).
   */
  deadlineMs: number;
}

export const DEFAULT_TIMEOUTS: Readonly<HubTimeouts> = { etagMs: 10_000, downloadMs: 10_000, stallMs: 60_000, deadlineMs: 6 * 3600_000 };
const ENV: Record<keyof HubTimeouts, string> = {
  etagMs: 'HF_HUB_ETAG_TIMEOUT',
  downloadMs: 'HF_HUB_DOWNLOAD_TIMEOUT',
  stallMs: 'GENBOUND_HUB_STALL_TIMEOUT',
  deadlineMs: 'GENBOUND_HUB_DEADLINE',
};

/** Bytes a body must bring per stall window (about 1 KiB/s at the default 60 s window). */
export const STALL_MIN_BYTES = 64 * 1024;
/** Redirects followed per request (requests, under huggingface_hub, allows 30). */
export const MAX_REDIRECTS = 10;
/** Largest model listing accepted (a listing with blob metadata of a few thousand files is ~1 MB). */
export const MAX_LISTING_BYTES = 32 * 1024 * 1024;
/** Largest number of shards a weight index may name. */
export const MAX_SHARDS = 10_000;
/** Attempts per file: a dropped or stalled connection is resumed with a Range request. */
export const ATTEMPTS = 3;

/** The effective timeouts: options, else the environment, else the defaults. */
export function hubTimeouts(opts: Partial<HubTimeouts> = {}): HubTimeouts {
  const out = { ...DEFAULT_TIMEOUTS };
  for (const key of Object.keys(ENV) as (keyof HubTimeouts)[]) {
    const fromOpt = opts[key];
    if (fromOpt !== undefined) {
      if (!(fromOpt > 0)) throw new BadOptionError(`hub timeout ${key} must be a positive number of milliseconds (got ${fromOpt})`);
      out[key] = fromOpt;
      continue;
    }
    const raw = process.env[ENV[key]];
    if (raw === undefined || raw === '') continue;
    const s = Number(raw);
    if (!Number.isFinite(s) || s <= 0) throw new BadOptionError(`${ENV[key]} must be a positive number of seconds (got ${JSON.stringify(raw.slice(0, 40))})`);
    out[key] = s * 1000;
  }
  return out;
}

/** "1.5 s" for messages. */
export function seconds(ms: number): string {
  return `${Number((ms / 1000).toPrecision(3))} s`;
}

const COMMIT = /^[0-9a-f]{40}$/;

export function isCommit(s: string): boolean {
  return COMMIT.test(s);
}

/**
 * A revision is a 40-hex commit or a ref name git would accept that is also safe as a relative
 * path under refs/: [A-Za-z0-9._-] components separated by single '/', none empty or starting
 * with '.', no '..', no trailing '.lock', at most 200 characters. Anything else (a path, '..',
 * a backslash, '@{', a leading '/') is refused.
 */
export function checkRevision(rev: string): string {
  if (isCommit(rev)) return rev;
  const ok =
    rev.length > 0 &&
    rev.length <= 200 &&
    /^[A-Za-z0-9._/-]+$/.test(rev) &&
    !rev.includes('..') &&
    !rev.endsWith('.lock') &&
    !rev.endsWith('.') &&
    rev.split('/').every((c) => c !== '' && !c.startsWith('.') && !c.startsWith('-'));
  if (!ok) throw new BadOptionError(`${JSON.stringify(rev.slice(0, 80))} is not a valid revision (a 40-hex commit or a branch/tag name)`);
  return rev;
}

/**
 * A repository file name from the listing or a shard index, used as a relative path in the
 * snapshot: non-empty components, none '.' or '..', no backslash, NUL or leading '/', at most
 * 400 characters. Returns undefined for anything else.
 */
export function safeRepoPath(name: unknown): string | undefined {
  if (typeof name !== 'string' || name.length === 0 || name.length > 400) return undefined;
  if (name.startsWith('/') || /[\\\0]/.test(name)) return undefined;
  return name.split('/').every((c) => c !== '' && c !== '.' && c !== '..') ? name : undefined;
}
