import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { link, mkdir, open, readFile, rename, stat, unlink, utimes } from 'node:fs/promises';
import { dirname } from 'node:path';
import { NetworkError } from '../../errors.js';

/**
 * A download lock between processes sharing one cache: a lock file created with O_EXCL ('wx')
 * that holds {pid, host, token}. The holder touches it every STALE_MS/4; a lock is stale when its
 * holder is a process of this host that no longer exists (kill(pid, 0) → ESRCH), or when it has
 * not been touched for STALE_MS (a holder on another host, or a frozen one). A stale lock is moved
 * aside under a unique name and deleted only if it is still the file judged stale (same inode);
 * a live lock taken by mistake in that race is linked back. The holder checks its token before it
 * renames a download into the cache (stillMine), so two holders never both install a file.
 */

export const STALE_MS = 30_000;
const POLL_MS = 50;

interface Holder {
  pid?: number;
  host?: string;
  token?: string;
}

export interface Lock {
  /** True while the lock file is still the one this process created. */
  stillMine(): Promise<boolean>;
  release(): Promise<void>;
}

export interface LockWait {
  /** Absolute time (Date.now()) after which waiting fails. */
  deadline: number;
  /** Checked while waiting: true when the other process's result can be used instead. */
  done: () => Promise<boolean>;
  /** For messages: what is being downloaded. */
  what: string;
  /** Milliseconds without a touch after which a lock is stale (default STALE_MS). */
  staleMs?: number;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as { code?: string }).code === 'EPERM';
  }
}

async function readHolder(path: string): Promise<Holder> {
  try {
    const j = JSON.parse((await readFile(path, 'utf8')).slice(0, 1000)) as unknown;
    return typeof j === 'object' && j !== null ? (j as Holder) : {};
  } catch {
    return {};
  }
}

async function isStale(path: string, staleMs: number): Promise<{ stale: boolean; ino?: number; holder: Holder }> {
  const st = await stat(path).catch(() => undefined);
  if (!st) return { stale: false, holder: {} };
  const holder = await readHolder(path);
  const deadHere = holder.host === hostname() && typeof holder.pid === 'number' && holder.pid !== process.pid && !alive(holder.pid);
  return { stale: deadHere || Date.now() - st.mtimeMs > staleMs, ino: st.ino, holder };
}

/** Moves a stale lock aside; puts it back if it turned out to be a fresh one. */
async function breakStale(path: string, ino: number): Promise<void> {
  const aside = `${path}.stale-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    await rename(path, aside);
  } catch {
    return; // someone else broke it first
  }
  const st = await stat(aside).catch(() => undefined);
  if (st && st.ino !== ino) await link(aside, path).catch(() => undefined);
  await unlink(aside).catch(() => undefined);
}

/**
 * Takes the lock at `path`, waiting while another live process holds it. Returns undefined when
 * `wait.done()` became true while waiting (the other process finished the file).
 */
export async function acquireLock(path: string, wait: LockWait): Promise<Lock | undefined> {
  const staleMs = wait.staleMs ?? STALE_MS;
  const token = randomBytes(12).toString('hex');
  await mkdir(dirname(path), { recursive: true });
  for (;;) {
    try {
      const fh = await open(path, 'wx');
      try {
        await fh.writeFile(JSON.stringify({ pid: process.pid, host: hostname(), token, since: new Date().toISOString() }));
      } finally {
        await fh.close();
      }
      break;
    } catch (err) {
      if ((err as { code?: string }).code !== 'EEXIST') throw err;
    }
    if (await wait.done()) return undefined;
    const s = await isStale(path, staleMs);
    if (s.stale && s.ino !== undefined) {
      await breakStale(path, s.ino);
      continue;
    }
    if (Date.now() >= wait.deadline) {
      const who = s.holder.pid !== undefined ? `pid ${s.holder.pid}${s.holder.host && s.holder.host !== hostname() ? ` on ${s.holder.host}` : ''}` : 'another process';
      throw new NetworkError(`gave up waiting for ${who} downloading ${wait.what} (lock ${path}; delete it if no download is running, or raise GENBOUND_HUB_DEADLINE)`);
    }
    await new Promise((r) => setTimeout(r, Math.min(POLL_MS, Math.max(1, wait.deadline - Date.now()))));
  }
  const touch = setInterval(() => {
    const now = new Date();
    utimes(path, now, now).catch(() => undefined);
  }, Math.max(10, staleMs / 4));
  touch.unref();
  const stillMine = async (): Promise<boolean> => (await readHolder(path)).token === token;
  return {
    stillMine,
    async release() {
      clearInterval(touch);
      if (await stillMine()) await unlink(path).catch(() => undefined);
    },
  };
}

