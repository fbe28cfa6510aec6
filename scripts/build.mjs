// `npm run build`: compiles src/ to dist/ (ESM .js, .d.ts, source maps with the sources inlined, so
// the package needs no src/) with tsc, from a clean dist/ (dist/web, the browser page's own build,
// is left alone), then writes dist/.build-stamp, whose time bin/genbound.mjs compares with src/ in
// a checkout to never run a stale build.
import { existsSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
function clean() {
  if (!existsSync(dist)) return;
  for (const e of readdirSync(dist)) if (e !== 'web') rmSync(join(dist, e), { recursive: true, force: true });
}
clean();
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const r = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
if (r.status !== 0) {
  clean(); // never leave half a build for bin/ to run
  process.exit(r.status ?? 1);
}
writeFileSync(join(dist, '.build-stamp'), `${new Date().toISOString()}\n`);
