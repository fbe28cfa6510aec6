/**
 * The published package, as a user gets it: `npm pack`, then `npm install --offline` of the tarball
 * into an empty project (every dependency from npm's cache, which `npm ci` filled; genbound's
 * install script builds the native addon), then
 *   - the CLI (bin -> dist, no tsx reachable) on the embedded default model, whose numbers must equal
 *     those of the TypeScript sources in this process;
 *   - every ```ts block of docs/api.md, type-checked with tsc --strict against the installed .d.ts
 *     (skipLibCheck, as `tsc --init` sets it: checking all of @types/node too costs 35 s here)
 *     through the `exports` map, compiled and run.
 * dist/ is built first when it is missing or older than src/ (scripts/build.mjs).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { analyze } from '../../src/api.js';
import { nativeAvailable } from '../../src/linalg/index.js';
import { consumerProject } from './consumer-lock.js';
import { ensureDist } from './dist.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string; dependencies: Record<string, string> };

function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): string {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { cwd, env, encoding: 'utf8', maxBuffer: 64 << 20 });
  assert.equal(r.status, 0, `${cmd} ${args.join(' ')} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  if (process.env.TIMING) console.error(`${((performance.now() - t0) / 1000).toFixed(1)} s: ${args.slice(0, 2).join(' ')}`);
  return r.stdout;
}

/** ```ts blocks of a Markdown file. */
function tsBlocks(md: string): string[] {
  return [...md.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((m) => m[1]);
}

test('the packed package installs offline, runs its CLI from dist/ and its documented API typechecks and runs', { timeout: 600_000 }, async () => {
  ensureDist();

  const tmp = mkdtempSync(join(tmpdir(), 'genbound-pack-'));
  try {
    // 1. The tarball: dist/ and what the install script needs, no sources or tests.
    const packed = JSON.parse(run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', tmp], root)) as { filename: string; files: { path: string }[] }[];
    const files = new Set(packed[0].files.map((f) => f.path));
    for (const f of ['dist/api.js', 'dist/api.d.ts', 'dist/api.js.map', 'dist/cli/main.js', 'dist/linalg/pool-worker.js', 'bin/genbound.mjs',
      'binding.gyp', 'native/genbound.c', 'scripts/build-native.mjs', 'docs/api.md', 'package.json']) assert.ok(files.has(f), `tarball lacks ${f}`);
    for (const f of files) assert.ok(!/^(src|test|bench)\//.test(f), `tarball holds ${f}`);

    // 2. Install into an empty project with npm, offline: every package from npm's cache (which
    //    `npm ci` filled), pinned by a consumer lockfile (consumer-lock.ts says why), genbound's
    //    install script building its native addon.
    const proj = join(tmp, 'proj');
    const home = join(proj, 'node_modules', 'genbound');
    mkdirSync(proj);
    const { packageJson, lock } = consumerProject(root, `../${packed[0].filename}`, ['typescript', '@types/node']);
    writeFileSync(join(proj, 'package.json'), JSON.stringify(packageJson, null, 2));
    writeFileSync(join(proj, 'package-lock.json'), JSON.stringify(lock, null, 2));
    const t0 = performance.now();
    const install = run('npm', ['install', '--offline', '--no-audit', '--no-fund', '--foreground-scripts'], proj);
    console.log(`npm install --offline of the tarball: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    assert.ok(!existsSync(join(proj, 'node_modules', 'tsx')), 'tsx must not be reachable');
    for (const dep of Object.keys(pkg.dependencies)) assert.ok(existsSync(join(proj, 'node_modules', dep, 'package.json')), `${dep} was not installed`);
    if (nativeAvailable()) {
      assert.ok(existsSync(join(home, 'build', 'Release', 'genbound.node')), `the installed package built no addon: ${install}`);
    }

    // 3. The CLI on the default model, from dist/, equal to this checkout's numbers.
    const bin = join(home, 'bin', 'genbound.mjs');
    assert.equal(run(process.execPath, [bin, '--version'], proj).trim(), pkg.version);
    run(process.execPath, [bin, 'analyze', '--json', 'out.json'], proj);
    const got = JSON.parse(readFileSync(join(proj, 'out.json'), 'utf8')) as { bounds: Record<string, number>; matrices: { spectralNorm: number }[]; settings: { backend: string } };
    const want = await analyze();
    assert.equal(got.settings.backend, want.settings.backend);
    assert.deepEqual(got.bounds, want.bounds);
    assert.deepEqual(got.matrices.map((m) => m.spectralNorm), want.matrices.map((m) => m.spectralNorm));

    // 4. docs/api.md: every block type-checks (strict, through the exports map) and runs.
    const blocks = tsBlocks(readFileSync(join(root, 'docs', 'api.md'), 'utf8'));
    assert.ok(blocks.length >= 5, `docs/api.md has ${blocks.length} ts blocks`);
    mkdirSync(join(proj, 'examples'));
    blocks.forEach((b, i) => writeFileSync(join(proj, 'examples', `example${i + 1}.ts`), b));
    writeFileSync(join(proj, 'tsconfig.json'), JSON.stringify({
      compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, outDir: 'out', types: ['node'], skipLibCheck: true },
      include: ['examples'],
    }));
    run(process.execPath, [join(proj, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', proj], proj);
    for (let i = 1; i <= blocks.length; i++) {
      const out = run(process.execPath, [join(proj, 'out', `example${i}.js`)], proj);
      assert.ok(out.trim().length > 0, `example ${i} printed nothing`);
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});
