import { randomBytes } from 'node:crypto';
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, basename, join } from 'node:path';
import { GenboundError } from '../errors.js';

/**
 * A file-system error while writing an output, as one line (`<path>: cannot write (ENOSPC)`):
 * the up-front check (output-targets.ts) cannot foresee a disk that fills up during the run.
 */
export function writeError(path: string, err: unknown): unknown {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' ? new GenboundError(`${path}: cannot write (${code})`) : err;
}

/**
 * Write a file through a temporary name in the same directory and rename it into place, so a
 * failed run never leaves a half-written output behind.
 */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(tmp, data);
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    throw writeError(path, err);
  }
}

/** A fresh hidden name beside `target` (".name.<what>-<pid>-<random>"), for building or setting aside. */
export function besideName(target: string, what: string): string {
  return join(dirname(target), `.${basename(target)}.${what}-${process.pid}-${randomBytes(4).toString('hex')}`);
}

const MAX_SWAPS = 50;

/**
 * Moves the finished folder `built` (made with besideName(target, 'tmp'), so on the same file
 * system) to `target`, replacing a folder that is there:
 *   1. rename(built, target)                 — done if target is absent (or an empty folder);
 *   2. rename(target, aside)                 — otherwise the old folder is set aside, then
 *   3. rename(built, target); rm -r aside.
 * Node has no renameat2(RENAME_EXCHANGE), so between 2 and 3 target does not exist for a moment
 * (two renames in one folder, microseconds): a crash there leaves the old folder at
 * ".name.old-*" and the new one at ".name.tmp-*" beside it, both whole. Another writer doing
 * the same meanwhile makes a rename fail (ENOENT, ENOTEMPTY); the steps are then retried, so
 * target always ends as one writer's complete folder, never a mixture.
 */
export function replaceDirAtomic(built: string, target: string): void {
  const asides: string[] = [];
  try {
    for (let i = 0; i < MAX_SWAPS; i++) {
      try {
        renameSync(built, target);
        return;
      } catch (err) {
        const code = (err as { code?: string }).code;
        if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw err;
      }
      const aside = besideName(target, 'old');
      try {
        renameSync(target, aside);
        asides.push(aside);
      } catch (err) {
        if ((err as { code?: string }).code !== 'ENOENT') throw err; // another writer set it aside first
      }
    }
    throw new Error(`could not replace ${target}: other writers kept replacing it`);
  } finally {
    for (const a of asides) rmSync(a, { recursive: true, force: true });
  }
}
