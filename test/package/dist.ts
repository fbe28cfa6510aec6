/**
 * dist/ for the tests and benches that run the compiled package: built (scripts/build.mjs) when it
 * is missing or older than any file under src/, the same freshness rule bin/genbound.mjs applies.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

function newestUnder(dir: string): number {
  return Math.max(0, ...readdirSync(dir, { withFileTypes: true })
    .map((e) => (e.isDirectory() ? newestUnder(join(dir, e.name)) : statSync(join(dir, e.name)).mtimeMs)));
}

/** Builds dist/ unless it is fresh; throws with the build's output if the build fails. */
export function ensureDist(): void {
  const stamp = join(ROOT, 'dist', '.build-stamp');
  if (existsSync(stamp) && newestUnder(join(ROOT, 'src')) <= statSync(stamp).mtimeMs) return;
  const r = spawnSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs')], { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`npm run build failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
}
