// `npm run build`: compiles src/ to dist/ (ESM .js, .d.ts, source maps with the sources inlined, so
// the package needs no src/) with tsc, from a clean dist/, then writes dist/.build-stamp, whose
// time bin/genbound.mjs compares with src/ in a checkout to never run a stale build.
import { rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
rmSync(dist, { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const r = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
if (r.status !== 0) {
  rmSync(dist, { recursive: true, force: true }); // never leave half a build for bin/ to run
  process.exit(r.status ?? 1);
}
writeFileSync(join(dist, '.build-stamp'), `${new Date().toISOString()}\n`);
