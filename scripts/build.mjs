// `npm run build`: compiles src/ to dist/ (ESM .js, .d.ts, source maps with the sources inlined, so
// the package needs no src/) with tsc, from a clean dist/ (dist/web, the browser page's own build,
// is left alone), renders the CLI's help text (below), then writes dist/.build-stamp, whose time bin/genbound.mjs compares with src/ in
// a checkout to never run a stale build.
import { existsSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

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
// dist/cli/help.json: commander's help text for every terminal width at which it differs (a bare
// `genbound --help` prints it without loading commander; see bin/fast-path.mjs).
const render = `
  import { writeFileSync } from 'node:fs';
  import { buildProgram } from ${JSON.stringify(pathToFileURL(join(dist, 'cli', 'main.js')).href)};
  const at = (w) => { const p = buildProgram(); p.configureOutput({ getOutHelpWidth: () => w, getOutHasColors: () => false }); return p.helpInformation(); };
  const widest = Math.max(...at(1e6).split('\\n').map((l) => l.length));
  const texts = [];
  for (let w = 1; w <= widest + 1; w++) { const t = at(w); if (texts.length === 0 || texts.at(-1)[1] !== t) texts.push([w, t]); }
  writeFileSync(process.argv[1], JSON.stringify({ texts }));
`;
const h = spawnSync(process.execPath, ['--input-type=module', '-e', render, join(dist, 'cli', 'help.json')], { stdio: 'inherit' });
if (h.status !== 0) {
  clean();
  process.exit(h.status ?? 1);
}
writeFileSync(join(dist, '.build-stamp'), `${new Date().toISOString()}\n`);
